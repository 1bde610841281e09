"""Participation: answers and words per pseudonym and how evenly they are spread.

No ranking of people: people are listed alphabetically by pseudonym, and nothing here
judges what anyone said.
"""

from __future__ import annotations

from collections.abc import Sequence

from analysis.summary.model import (
    AnswerData,
    Audience,
    Lang,
    Participation,
    PersonStats,
    WorkshopData,
)
from analysis.summary.prepared import ANONYMOUS_LABEL
from analysis.summary.text import word_count

__all__ = ["gini", "is_late", "participation"]


def gini(values: Sequence[float]) -> float:
    """Gini coefficient of non-negative values: 0 = perfectly even, near 1 = one holds all.

    >>> gini([3, 3, 3]), round(gini([0, 0, 9]), 3)
    (0.0, 0.667)
    """
    xs = sorted(float(v) for v in values)
    n = len(xs)
    total = sum(xs)
    if n == 0 or total == 0:
        return 0.0
    weighted = sum((i + 1) * x for i, x in enumerate(xs))
    return (2 * weighted) / (n * total) - (n + 1) / n


def is_late(answer: AnswerData, closed_offset: float | None) -> bool:
    """An answer given after its question was closed."""
    return closed_offset is not None and answer.offset_seconds > closed_offset


def participation(data: WorkshopData, *, audience: Audience, lang: Lang) -> Participation:
    """Count answers and words per pseudonym.

    In the group's view anonymous answers are pooled under one "Anonym" line so that nobody
    can be linked to them, and private answers appear only in the total of private answers;
    the facilitator's view counts them (their words too) per pseudonym, never showing them.

    Args:
        data: The workshop.
        audience: Who reads it.
        lang: For the anonymous label.

    Returns:
        The :class:`Participation`.
    """
    answers: dict[str, int] = {p: 0 for p in data.participants}
    words: dict[str, int] = {p: 0 for p in data.participants}
    late: dict[str, int] = {p: 0 for p in data.participants}
    identities: dict[str, int] = {p: 0 for p in data.participants}
    late_total = 0
    closes = {q.question_id: q.closed_offset for q in data.questions}
    rows: list[tuple[AnswerData, float | None]] = [
        (a, closes.get(q.question_id)) for q in data.questions for a in q.answers
    ]
    rows += [(a, None) for a in data.open_discussion]
    private_total = sum(1 for a, _ in rows if a.private)
    if audience == "group":
        # Private answers are only a total here: counted under a pseudonym (answers, words,
        # late, or "has not answered"), next to the quotes, they would name their author.
        rows = [(a, closed) for a, closed in rows if not a.private]
    for a, closed in rows:
        identities[a.pseudonym] = identities.get(a.pseudonym, 0) + 1
        name = ANONYMOUS_LABEL[lang] if audience == "group" and a.anonymous else a.pseudonym
        answers[name] = answers.get(name, 0) + 1
        words[name] = words.get(name, 0) + word_count(a.text)
        is_late_answer = is_late(a, closed)
        late[name] = late.get(name, 0) + int(is_late_answer)
        late_total += int(is_late_answer)
    # Inequality is measured on people, not on the pooled label.
    per_identity_words: dict[str, int] = {p: 0 for p in identities}
    for a, _ in rows:
        per_identity_words[a.pseudonym] += word_count(a.text)
    people = tuple(
        PersonStats(name, answers[name], words[name], late[name])
        for name in sorted(answers)
        if answers[name] or name in data.participants
    )
    anonymous_in_group = audience == "group"
    silent = tuple(
        sorted(
            p
            for p in data.participants
            if identities.get(p, 0) == 0 and not (anonymous_in_group and p == ANONYMOUS_LABEL[lang])
        )
    )
    if anonymous_in_group and any(a.anonymous for a, _ in rows):
        # In an anonymous workshop even the pseudonyms of the silent stay out of the group's view.
        silent = ()
        people = tuple(p for p in people if p.answers)
    if anonymous_in_group:
        anonymous_people = {a.pseudonym for a, _ in rows if a.anonymous}
        people = tuple(p for p in people if p.pseudonym not in anonymous_people or p.answers)
    return Participation(
        people=people,
        gini_answers=round(gini(list(identities.values())), 3),
        gini_words=round(gini(list(per_identity_words.values())), 3),
        late_answers=late_total,
        private_answers=private_total,
        anonymous_answers=sum(1 for a, _ in rows if a.anonymous),
        silent_participants=silent,
    )
