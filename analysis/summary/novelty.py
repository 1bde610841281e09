"""New perspectives: terms and proposals no earlier workshop of the series produced, and
earlier themes this workshop did not touch."""

from __future__ import annotations

from collections.abc import Sequence

from analysis.summary.model import NewTerm, Novelty, Proposal
from analysis.summary.prepared import PreparedAnswer, PreparedQuestion
from analysis.summary.proposals import jaccard
from analysis.summary.terms import term_document_frequency

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
    max_terms: int = 15,
    min_answers: int = 2,
) -> Novelty:
    """Compare a workshop with the earlier workshops of its series.

    Args:
        questions: This workshop's prepared questions.
        proposals: This workshop's proposal groups.
        earlier_questions: Each earlier workshop's prepared questions.
        earlier_proposals: Every earlier workshop's proposal groups.
        max_terms: At most this many new terms and untouched themes.
        min_answers: A new term must occur in at least this many answers.

    Returns:
        A :class:`Novelty`; empty lists when there is nothing to compare with.
    """
    if not earlier_questions:
        return Novelty(0, (), (), ())
    answers = _answers(questions)
    df = term_document_frequency(answers)
    earlier_keys: set[str] = set()
    earlier_df: dict[str, int] = {}
    for eq in earlier_questions:
        edf = term_document_frequency(_answers(eq))
        earlier_keys.update(edf)
        for term, n in edf.items():
            earlier_df[term] = max(earlier_df.get(term, 0), n)

    def new(term: str) -> bool:
        if term in earlier_keys:
            return False
        # A pair is only new if one of its words is: "bedre opfølgning" is not new when
        # both words were said before, only in another order or place.
        return " " not in term or any(part not in earlier_keys for part in term.split())

    # A term is something the workshop *produced*: said in at least two answers.
    ranked = sorted(
        (t for t in df if df[t] >= min_answers and new(t)), key=lambda t: (-df[t], " " in t, t)
    )
    new_terms: list[NewTerm] = []
    for term in ranked[:max_terms]:
        parts = term.split()
        ids = tuple(
            a.id
            for a in answers
            if all(p in a.content for p in parts)
            and (len(parts) == 1 or term in " ".join(a.lemmas))
        )
        if ids:
            new_terms.append(NewTerm(term, ids))
    used = set(df)
    untouched = sorted(
        (t for t, n in earlier_df.items() if n >= 2 and " " not in t and t not in used),
        key=lambda t: (-earlier_df[t], t),
    )
    new_proposals = tuple(p.id for p in proposals if is_new_proposal(p, earlier_proposals))
    return Novelty(
        compared_with=len(earlier_questions),
        new_terms=tuple(new_terms),
        new_proposals=new_proposals,
        untouched_themes=tuple(untouched[:max_terms]),
    )
