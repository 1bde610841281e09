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
    AnswerData,
    EarlierRun,
    Lang,
    QuestionRunData,
    Silence,
    SilenceReason,
    WorkshopData,
    format_offset,
)
from analysis.summary.prepared import ANONYMOUS_LABEL

__all__ = [
    "DEFLECT",
    "HARD",
    "NOTED_SILENCE",
    "REFUSAL",
    "SHORT_DEFLECT",
    "find_silences",
    "first_answer_delay",
    "is_hard",
    "is_proposal_free",
    "is_refusal",
    "same_question",
]

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

#: A short answer that declines: "Nej, jeg kan ikke …", "Pass", "No idea".
REFUSAL: dict[str, tuple[re.Pattern[str], ...]] = {
    "da": tuple(
        re.compile(p)
        for p in (
            r"^\W*nej\b",
            r"\bkan (ikke|ik') (rigtig |helt )?(svare|sige|komme på)\b",
            r"\bjeg kan ikke\b",
            r"\bved (det )?ikke\b",
            r"\baner (det )?ikke\b",
            r"\bingen anelse\b",
            r"\bspring(er)? over\b",
            r"\bvil (helst )?ikke (svare|sige)\b",
            r"^\W*(hmm+|øh+|tja|pas)\W*$",
        )
    ),
    "en": tuple(
        re.compile(p)
        for p in (
            r"^\W*(no|nope)\b",
            r"\bi (can't|cannot|can not) (really )?(answer|say|think of)\b",
            r"\b(don't|do not|dont) know\b",
            r"\bno idea\b",
            r"\bnot sure\b",
            r"\bi'?d rather not\b",
            r"\bskip\b",
            r"^\W*(hmm+|uh+|um+|pass)\W*$",
        )
    ),
}
#: An answer that steps around the question: "det er et stort spørgsmål", "det er det man
#: siger", "that's a big question".
DEFLECT: dict[str, tuple[re.Pattern[str], ...]] = {
    "da": tuple(
        re.compile(p)
        for p in (
            r"\b(et )?(stort|svært|godt) spørgsmål\b",
            r"\bdet er (jo )?det man siger\b",
            r"\bdet står (i hvert fald )?på hjemmesiden\b",
            r"\bdet kommer an på\b",
            r"\bskal vi ikke (tage|gå) videre\b",
        )
    ),
    "en": tuple(
        re.compile(p)
        for p in (
            r"\b(a )?(big|tough|hard|good) question\b",
            r"\bthat's what (they|we|people) say\b",
            r"\bit'?s on the (website|intranet)\b",
            r"\bit depends\b",
            r"\bcan we move on\b",
        )
    ),
}
#: A short answer (at most :data:`SHORT_ANSWER_WORDS` words) that sidesteps the question
#: ("depends who u ask tbh", "next question?", "above my pay grade", "spørg min leder"). In
#: a longer answer these words introduce real content ("It depends on whether …").
SHORT_DEFLECT: dict[str, tuple[re.Pattern[str], ...]] = {
    "da": tuple(
        re.compile(p)
        for p in (
            r"\b(godt|stort|svært) (spm|spørgsmål)\b",
            r"^\W*(det )?(kommer an på|afhænger af)\b",
            r"\bnæste (spørgsmål|spm)\b",
            r"\bspørg (min|din|vores|jeres|lederen|chefen|ledelsen|hr)\b",
            r"\bover min (løn|lønklasse|lønramme|rang)\b",
            r"\b(melde|melder) pas\b|^\W*pas\b",
            r"\b(tænke|vende tilbage) (lidt )?(mere )?over det\b",
        )
    ),
    "en": tuple(
        re.compile(p)
        for p in (
            r"\b(good|great|big|tough) (q|qn|question)\b",
            r"^\W*(it )?depends\b",
            r"\bnext (question|q)\b",
            r"\bask (my|your|our|the) (manager|boss|lead|team lead|hr)\b",
            r"\babove my pay ?grade\b",
            r"^\W*pass\b",
            r"\b(get back to you|think about it more|sleep on it)\b",
        )
    ),
}
#: The facilitator noting the silence: "Ja så blev der meget stille", "It got quiet".
NOTED_SILENCE: dict[str, re.Pattern[str]] = {
    "da": re.compile(
        r"\b(stille|tavs|tavshed|tavst|ingen der siger|ingen siger|ingen der (vil|har))\b"
    ),
    "en": re.compile(r"\b(quiet|silence|silent|nobody (is )?(saying|wants|has)|no one)\b"),
}
#: A voice question whose first participant words come later than this (seconds) met a gap.
GAP_SECONDS = 20.0
#: A refusal or a hard answer longer than this (words) is a real answer that mentions it.
SHORT_ANSWER_WORDS = 15

#: In a chat, typing takes time: a first answer's delay counts this many seconds less per
#: word it has, so a long considered answer is not a slow start.
TYPING_SECONDS_PER_WORD = 1.0

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
    for p in HARD.get(lang, ()):
        found = p.search(lowered)
        # "… so I do not know how it used to be" in a long answer is background, not a
        # verdict on the question.
        if found and (
            len(lowered.split()) <= SHORT_ANSWER_WORDS or len(lowered[: found.start()].split()) < 4
        ):
            return True
    return False


def _matches(text: str, table: dict[str, tuple[re.Pattern[str], ...]], lang: Lang) -> bool:
    lowered = " ".join(text.lower().replace("’", "'").split())
    return any(p.search(lowered) for p in table.get(lang, ()))


def is_refusal(text: str, lang: Lang) -> bool:
    """Whether an answer is a short non-answer or refusal ("Nej, jeg kan ikke …").

    >>> is_refusal("Nej, jeg kan ikke rigtig svare på det.", "da")
    True
    >>> is_refusal("Nej, vi skal samle opgaverne i en database og dele dem med alle.", "da")
    False
    """
    if len(text.split()) > SHORT_ANSWER_WORDS:
        return False
    if not _matches(text, REFUSAL, lang):
        return False
    # "Nej, vi skal …" disagrees and proposes: it answers.
    from analysis.summary.proposals import is_proposal

    return is_proposal(text, lang) is None


def is_proposal_free(text: str, lang: Lang) -> bool:
    """Whether no sentence-level proposal marker is in ``text``."""
    from analysis.summary.proposals import is_proposal

    return is_proposal(text, lang) is None


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
) -> tuple[tuple[SilenceReason, ...], list[str], float, int, float | None, tuple[str, ...]]:
    # Counts and lengths may include private answers; only visible ones are read for content.
    answers = list(run.answers)
    texts = [a for a in answers if a.text.strip() and (include_private or not a.private)]
    respondents = len({a.pseudonym for a in answers})
    words = [len(a.text.split()) for a in answers if a.text.strip()]
    median_words = float(statistics.median(words)) if words else 0.0
    delay = first_answer_delay(run)
    hard_ids = [a.id for a in texts if is_hard(a.text, lang)]
    refusals = [a for a in texts if is_refusal(a.text, lang)]
    deflections = [
        a
        for a in texts
        if a not in refusals
        and (
            _matches(a.text, DEFLECT, lang)
            or (
                len(a.text.split()) <= SHORT_ANSWER_WORDS
                and _matches(a.text, SHORT_DEFLECT, lang)
                and is_proposal_free(a.text, lang)
            )
        )
    ]
    noted = [
        (at, words)
        for at, words in run.facilitator_remarks
        if NOTED_SILENCE[lang].search(words.lower())
        if lang in NOTED_SILENCE
    ]
    evidence: list[str] = [f"{format_offset(at)} Facilitator: {words}" for at, words in noted]

    def quote(a: AnswerData) -> str:
        # The group never learns who wrote an anonymous answer.
        who = ANONYMOUS_LABEL[lang] if a.anonymous and not include_private else a.pseudonym
        return f"{a.offset} {who}: {a.text}"

    reasons: list[SilenceReason] = []
    voice = any(a.source == "transcript" for a in answers) or bool(run.facilitator_remarks)
    waited = delay
    if waited is not None and not voice and answers:
        # Time spent typing the first answer is no silence.
        first_answer = min(answers, key=lambda a: a.offset_seconds)
        waited = max(0.0, waited - TYPING_SECONDS_PER_WORD * len(first_answer.text.split()))
    if voice and run.opened_offset is not None:
        first = min((a.offset_seconds for a in answers), default=run.closed_offset)
        if first is not None and first - run.opened_offset >= GAP_SECONDS:
            reasons.append("gap")
    if noted:
        reasons.append("noted_silence")
    if refusals and len(refusals) * 2 >= len(texts):
        reasons.append("refusals")
    if deflections and (len(deflections) + len(refusals)) * 2 >= len(texts):
        reasons.append("avoided")
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
        if waited is not None and waited >= slow_limit:
            reasons.append("slow_start")
        if hard_ids and len(hard_ids) * 2 >= len(texts):
            reasons.append("hard")
    if reasons:
        # Every refusal, deflection and "it is hard" in a flagged question is evidence.
        shown = {a.id for a in refusals} | {a.id for a in deflections} | set(hard_ids)
        evidence += [quote(a) for a in texts if a.id in shown]
    return tuple(reasons), hard_ids, median_words, respondents, delay, tuple(evidence)


def _gap(run: QuestionRunData) -> float | None:
    if run.opened_offset is None:
        return None
    first = min((a.offset_seconds for a in run.answers), default=run.closed_offset)
    return None if first is None else max(0.0, first - run.opened_offset)


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
        reasons, hard_ids, median_words, respondents, delay, evidence = _flags(
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
                old_reasons, _, _, old_resp, old_delay, _ = _flags(
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
                gap_seconds=_gap(run) if "gap" in reasons else None,
                evidence=evidence,
            )
        )
    return tuple(out)
