"""New perspectives: themes and proposals no earlier workshop of the series produced, and
earlier themes this workshop did not touch, each shown with the sentence that carries it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from analysis.summary.model import Lang, NewTerm, Novelty, Proposal
from analysis.summary.prepared import PreparedAnswer, PreparedQuestion
from analysis.summary.proposals import jaccard
from analysis.summary.themes import Theme, find_themes

__all__ = ["find_novelty", "is_new_proposal"]


def _answers(questions: Sequence[PreparedQuestion]) -> list[PreparedAnswer]:
    return [a for q in questions for a in q.answers]


def is_new_proposal(
    proposal: Proposal, earlier: Sequence[Proposal], *, threshold: float = 0.4
) -> bool:
    """Whether no earlier proposal says the same thing (same lemma-set test as grouping)."""
    lemmas = frozenset(proposal.lemmas)
    return all(jaccard(lemmas, frozenset(e.lemmas)) < threshold for e in earlier)


def find_novelty(
    questions: Sequence[PreparedQuestion],
    proposals: Sequence[Proposal],
    *,
    earlier_questions: Sequence[Sequence[PreparedQuestion]],
    earlier_proposals: Sequence[Proposal],
    lang: Lang = "da",
    earlier_titles: Sequence[str] = (),
    max_terms: int = 10,
) -> Novelty:
    """Compare a workshop's themes with the earlier workshops of its series.

    A theme (:func:`analysis.summary.themes.find_themes`: specific words and two-word
    phrases, never everyday words) is new when no earlier workshop used its word (for a
    phrase: one of its words). An earlier theme carried by two answers is untouched when
    this workshop used none of its words. Each comes with the sentence that carries it.

    Args:
        questions: This workshop's prepared questions.
        proposals: This workshop's proposal groups.
        earlier_questions: Each earlier workshop's prepared questions.
        earlier_proposals: Every earlier workshop's proposal groups.
        lang: The answers' language.
        earlier_titles: The earlier workshops' titles (same order), for untouched themes.
        max_terms: At most this many new and untouched themes.

    Returns:
        A :class:`Novelty`; empty lists when there is nothing to compare with.
    """
    if not earlier_questions:
        return Novelty(0, (), (), ())
    answers = _answers(questions)
    used: set[str] = set().union(*(a.content for a in answers)) if answers else set()
    earlier_used: set[str] = set()
    earlier_themes: list[tuple[str, Theme]] = []
    for i, eq in enumerate(earlier_questions):
        earlier_answers = _answers(eq)
        for a in earlier_answers:
            earlier_used.update(a.content)
        title = earlier_titles[i] if i < len(earlier_titles) else ""
        earlier_themes += [(title, t) for t in find_themes(earlier_answers, lang=lang).values()]
    # What the questions themselves say ("efteruddannelse", "værdier") is the topic the
    # facilitator set, not a perspective the participants brought.
    asked_words = {
        w
        for qs in (questions, *earlier_questions)
        for q in qs
        if q.run is not None
        for w in re.findall(r"\w+", q.run.text.lower())
    }

    def from_questions(theme: Theme) -> bool:
        return all(
            any(w.startswith(p[:5]) and p[:4] in w for w in asked_words) for p in theme.parts
        )

    themes = find_themes(answers, lang=lang)
    new = [
        t
        for t in themes.values()
        if any(p not in earlier_used for p in t.parts) and not from_questions(t)
    ]
    # A phrase says more than its word alone: "faglig netværk" hides "netværk".
    in_phrases = {p for t in new if len(t.parts) > 1 for p in t.parts}
    new = [t for t in new if len(t.parts) > 1 or t.parts[0] not in in_phrases]
    new.sort(key=lambda t: (-len(t.answer_ids), t.rarity, t.term))
    new_terms = tuple(
        NewTerm(t.shown or t.term, t.answer_ids, t.sentence, t.pseudonym) for t in new[:max_terms]
    )
    seen: set[str] = set()
    untouched: list[NewTerm] = []
    ranked = sorted(earlier_themes, key=lambda x: (-len(x[1].answer_ids), x[1].rarity))
    for title, t in ranked:
        if (
            len(t.answer_ids) < 2
            or t.term in seen
            or any(p in used for p in t.parts)
            or from_questions(t)
        ):
            continue
        seen.add(t.term)
        untouched.append(NewTerm(t.shown or t.term, t.answer_ids, t.sentence, t.pseudonym, title))
    new_proposals = tuple(p.id for p in proposals if is_new_proposal(p, earlier_proposals))
    return Novelty(
        compared_with=len(earlier_questions),
        new_terms=new_terms,
        new_proposals=new_proposals,
        untouched_themes=tuple(t.term for t in untouched[:max_terms]),
        untouched=tuple(untouched[:max_terms]),
    )
