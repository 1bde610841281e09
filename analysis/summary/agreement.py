"""Signs of agreement and disagreement, attributed to who said them and whom they answer.

A marker ("enig", "bakker op", "+1", "I agree", "uenig", "I don't agree", …) makes an answer
a signal. Whom it answers: the participant it names, else the earlier answer by someone else
that shares most content words with it, else the nearest earlier answer by someone else in
the same question.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from analysis.summary.model import AgreementSignal, Lang
from analysis.summary.prepared import PreparedAnswer, PreparedQuestion
from analysis.summary.silences import is_refusal

__all__ = ["AGREE", "DISAGREE", "find_signals", "marker_of"]

DISAGREE: dict[str, tuple[re.Pattern[str], ...]] = {
    "da": tuple(
        re.compile(p)
        for p in (
            r"\buenig\b",
            r"\bikke (helt )?enig\b",
            r"\bdet tror jeg ikke\b",
            r"\bjeg ser det (helt )?anderledes\b",
            r"\bdet er jeg ikke sikker på\b",
            r"\bjeg er ikke sikker på\b",
            r"\bmodsat\b",
            r"\bnej,",
        )
    ),
    "en": tuple(
        re.compile(p)
        for p in (
            r"\bdisagree\b",
            r"\bi (don't|do not|dont) (really )?agree\b",
            r"\bi (don't|do not|dont) think so\b",
            r"\bi see it differently\b",
            r"\bon the contrary\b",
            r"\bi'?m not (so )?sure about\b",
            r"^\W*no,",
        )
    ),
}

AGREE: dict[str, tuple[re.Pattern[str], ...]] = {
    "da": tuple(
        re.compile(p)
        for p in (
            r"\b(helt )?enig\b",
            r"\bbakker (helt |fuldt )?op\b",
            r"\bjeg tilslutter mig\b",
            r"\bsamme (holdning|opfattelse)\b",
            r"^\W*(præcis|nemlig|lige præcis|ja,)",
            r"^\W*(det er en |sikke en |)(god idé|godt forslag|god pointe)",
            r"\+1",
            "\N{THUMBS UP SIGN}",
        )
    ),
    "en": tuple(
        re.compile(p)
        for p in (
            r"\bi (fully |totally |completely )?agree\b",
            r"\bagreed\b",
            r"\bsame here\b",
            r"\bi support (that|this|the idea)\b",
            r"\bi second that\b",
            r"\bme too\b",
            r"^\W*(exactly|absolutely|yes,)",
            r"^\W*(that's a |that is a |what a |)(good|great) (idea|point)",
            r"\+1",
            "\N{THUMBS UP SIGN}",
        )
    ),
}


def marker_of(text: str, lang: Lang) -> tuple[str, str] | None:
    """Find an agreement marker in ``text``.

    Returns:
        ``("agree"|"disagree", matched words)``, or None. Disagreement wins, because
        "ikke enig" contains "enig".

    >>> marker_of("Jeg er helt enig med Deltager A", "da")
    ('agree', 'helt enig')
    >>> marker_of("I agree with you", "en")
    ('agree', 'I agree')
    >>> marker_of("Det er jeg ikke enig i", "da")
    ('disagree', 'ikke enig')
    """
    lowered = text.lower()
    for kind, table in (("disagree", DISAGREE), ("agree", AGREE)):
        for pattern in table.get(lang, ()):
            match = pattern.search(lowered)
            if match:
                # Quote the words as written (lower() keeps the length of these letters).
                said = (
                    text[match.start() : match.end()]
                    if len(text) == len(lowered)
                    else match.group(0)
                )
                return kind, said.strip(" ,")
    return None


def _target(answer: PreparedAnswer, earlier: Sequence[PreparedAnswer]) -> PreparedAnswer | None:
    others = [e for e in earlier if e.who != answer.who]
    if not others:
        return None
    lowered = answer.answer.text.lower()
    named = [e for e in others if e.display and e.display.lower() in lowered]
    if named:
        return named[-1]
    best = max(others, key=lambda e: (len(e.content & answer.content), e.index))
    if len(best.content & answer.content) >= 2:
        return best
    return others[-1]


def find_signals(
    questions: Sequence[PreparedQuestion], *, lang: Lang
) -> tuple[AgreementSignal, ...]:
    """Find every agreement and disagreement signal, question by question.

    A marker in the first answer of a question answers the question, not a participant,
    and is left out.

    Args:
        questions: Prepared questions (answers in time order).
        lang: The language whose markers apply.

    Returns:
        The signals in the order they were given.
    """
    signals: list[AgreementSignal] = []
    for question in questions:
        for answer in question.answers:
            found = marker_of(answer.answer.text, lang)
            if found is None:
                continue
            if found[0] == "disagree" and is_refusal(answer.answer.text, lang):
                # "Nej, det ved jeg ikke" declines the question; it disagrees with no one.
                continue
            kind, marker = found
            target = _target(answer, question.answers[: answer.index])
            if target is None:
                # "Ja, …" as the first answer answers the question, not a person.
                continue
            signals.append(
                AgreementSignal(
                    answer_id=answer.id,
                    speaker=answer.display,
                    kind="agree" if kind == "agree" else "disagree",
                    marker=marker,
                    target=target.display,
                    target_answer_id=target.id,
                    question_id=question.question_id,
                )
            )
    return tuple(signals)
