"""Silences and hard questions: few, short or slow answers, or answers saying it is hard.

Each flagged question is compared with the same question (same plan id, else nearly the
same text) in earlier workshops of the series, so a facilitator sees whether moving or
rewording it helped.
"""

from __future__ import annotations

import difflib
import math
import re
import statistics
from collections.abc import Sequence

from analysis.summary.model import (
    EarlierRun,
    Lang,
    QuestionRunData,
    Silence,
    SilenceReason,
    WorkshopData,
)

__all__ = ["HARD", "find_silences", "first_answer_delay", "is_hard", "same_question"]

HARD: dict[str, tuple[re.Pattern[str], ...]] = {
    "da": tuple(
        re.compile(p)
        for p in (
            r"\bsvært\b",
            r"\bsvær\b",
            r"\bvanskelig[t]?\b",
            r"\bved (det )?ikke\b",
            r"\baner (det )?ikke\b",
            r"\bingen anelse\b",
            r"\bkan ikke svare\b",
            r"\bhar ikke noget svar\b",
            r"\bsvært at sige\b",
            r"^\W*(hmm+|øh+|tja)\W*$",
        )
    ),
    "en": tuple(
        re.compile(p)
        for p in (
            r"\bi (don't|do not|dont) know\b",
            r"\bhard to (say|tell|answer)\b",
            r"\bdifficult\b",
            r"\bno idea\b",
            r"\bnot sure\b",
            r"\bcan'?t answer\b",
            r"\bhard question\b",
            r"^\W*(hmm+|uh+|um+|pass)\W*$",
        )
    ),
}

#: Below this median length (words) answers count as very short.
SHORT_WORDS = 3
#: A first answer later than this (seconds) after the question opened is a slow start ...
SLOW_SECONDS = 120.0
#: ... or later than this multiple of the workshop's median first-answer delay.
SLOW_FACTOR = 2.0


def is_hard(text: str, lang: Lang) -> bool:
    """Whether an answer says the question is hard or that the person does not know.

    >>> is_hard("Det er svært at sige", "da"), is_hard("Vi skal dele mere", "da")
    (True, False)
    """
    lowered = text.lower().strip()
    return any(p.search(lowered) for p in HARD.get(lang, ()))


def first_answer_delay(run: QuestionRunData) -> float | None:
    """Seconds from the question's opening to its first answer (None: no answer)."""
    offsets = [a.offset_seconds for a in run.answers]
    if not offsets:
        return None
    opened = run.opened_offset if run.opened_offset is not None else 0.0
    return max(0.0, min(offsets) - opened)


def same_question(a: QuestionRunData, b: QuestionRunData) -> bool:
    """Whether two runs ask the same question (same plan id, or nearly the same text)."""
    if a.question_id and a.question_id == b.question_id:
        return True
    ratio = difflib.SequenceMatcher(None, a.text.lower(), b.text.lower()).ratio()
    return ratio >= 0.8


def _flags(
    run: QuestionRunData,
    *,
    lang: Lang,
    active: int,
    median_delay: float | None,
    include_private: bool,
) -> tuple[tuple[SilenceReason, ...], list[str], float, int, float | None]:
    # Counts and lengths may include private answers; only visible ones are read for content.
    answers = list(run.answers)
    texts = [a for a in answers if a.text.strip() and (include_private or not a.private)]
    respondents = len({a.pseudonym for a in answers})
    words = [len(a.text.split()) for a in answers if a.text.strip()]
    median_words = float(statistics.median(words)) if words else 0.0
    delay = first_answer_delay(run)
    hard_ids = [a.id for a in texts if is_hard(a.text, lang)]
    reasons: list[SilenceReason] = []
    if not answers:
        reasons.append("no_answers")
    else:
        if active >= 2 and respondents < math.ceil(active / 2):
            reasons.append("few_answers")
        if median_words <= SHORT_WORDS:
            reasons.append("short_answers")
        slow_limit = SLOW_SECONDS
        if median_delay:
            slow_limit = max(60.0, min(SLOW_SECONDS, SLOW_FACTOR * median_delay))
        if delay is not None and delay >= slow_limit:
            reasons.append("slow_start")
        if hard_ids and (len(hard_ids) >= 2 or len(hard_ids) / max(1, len(texts)) >= 0.25):
            reasons.append("hard")
    return tuple(reasons), hard_ids, median_words, respondents, delay


def _median_delay(data: WorkshopData) -> float | None:
    delays = [d for q in data.questions if (d := first_answer_delay(q)) is not None]
    return float(statistics.median(delays)) if delays else None


def _active(data: WorkshopData) -> int:
    return len({a.pseudonym for a in data.all_answers})


def find_silences(
    data: WorkshopData,
    *,
    lang: Lang,
    earlier: Sequence[WorkshopData] = (),
    include_private: bool = True,
) -> tuple[Silence, ...]:
    """Flag the questions that met silence or were found hard.

    Args:
        data: The workshop.
        lang: Language of the hardness markers.
        earlier: Earlier workshops of the series, oldest first.
        include_private: Read private answers for hardness (False for the group's summary:
            their content may not show). They are always counted.

    Returns:
        One :class:`Silence` per flagged question, in the order asked.
    """
    active = _active(data)
    median_delay = _median_delay(data)
    earlier_stats = [(w, _active(w), _median_delay(w)) for w in earlier]
    out: list[Silence] = []
    for run in sorted(data.questions, key=lambda q: q.position):
        reasons, hard_ids, median_words, respondents, delay = _flags(
            run,
            lang=lang,
            active=active,
            median_delay=median_delay,
            include_private=include_private,
        )
        if not reasons:
            continue
        comparisons: list[EarlierRun] = []
        for w, w_active, w_median in earlier_stats:
            for old in w.questions:
                if not same_question(run, old):
                    continue
                old_reasons, _, _, old_resp, old_delay = _flags(
                    old,
                    lang=w.lang,
                    active=w_active,
                    median_delay=w_median,
                    include_private=include_private,
                )
                comparisons.append(
                    EarlierRun(
                        workshop_id=w.id,
                        workshop_title=w.title,
                        number_in_series=w.number_in_series,
                        answers=len(old.answers),
                        respondents=old_resp,
                        first_answer_seconds=old_delay,
                        flagged=bool(old_reasons),
                    )
                )
                break
        out.append(
            Silence(
                question_id=run.question_id,
                text=run.text,
                position=run.position,
                reasons=reasons,
                answers=len(run.answers),
                respondents=respondents,
                median_words=median_words,
                first_answer_seconds=delay,
                hard_answer_ids=tuple(hard_ids),
                earlier=tuple(comparisons),
            )
        )
    return tuple(out)
