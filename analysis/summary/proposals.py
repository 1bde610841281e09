"""Proposals: sentences that propose or demand something, grouped when they say the same.

A sentence is a proposal when it matches one of the language's patterns ("vi skal …",
"man burde …", "we should …", "I suggest …", …). Two proposals say the same thing when
their content lemmas overlap enough (Jaccard similarity, computed for all pairs at once
with a sparse matrix product); a group is led by its first proposal and holds the later
ones similar to it.

Support for a group comes from later answers in the same question, by others: an agreement
marker that answers one of its mentions, or an answer repeating its key terms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np
from scipy.sparse import csr_matrix

from analysis.errors import InvalidParameter
from analysis.summary.model import AgreementSignal, Lang, Proposal, ProposalMention, format_offset
from analysis.summary.prepared import PreparedAnswer, PreparedQuestion

__all__ = ["PATTERNS", "find_proposals", "group_lemma_sets", "is_proposal", "jaccard"]

PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "da": tuple(
        re.compile(p)
        for p in (
            r"\bvi (skal|bør|burde|må|skulle|kunne|kan jo|kunne jo)\b",
            r"\bman (burde|bør|skal|skulle|kunne|må)\b",
            r"\bder (skal|bør|burde|må) (være|laves|oprettes|findes|afsættes|sættes)\b",
            r"\bdet (kunne|ville|vil) være (en )?(rigtig )?(god|godt|smart|fint)",
            r"\bjeg (foreslår|vil foreslå|synes vi skal|synes vi burde|synes man skal)\b",
            r"\bhvad med at\b",
            r"\bhvorfor ikke\b",
            r"\blad os\b",
            r"\bmit forslag\b",
            r"\bforslag:",
        )
    ),
    "en": tuple(
        re.compile(p)
        for p in (
            r"\bwe (should|must|could|ought to|need to|have to)\b",
            r"\bone (should|could|ought to)\b",
            r"\bsomeone (should|could)\b",
            r"\bthere (should|must) be\b",
            r"\bi (suggest|propose|recommend|would suggest)\b",
            r"\bwhy (don't|dont|do not) we\b",
            r"\blet'?s\b",
            r"\bhow about\b",
            r"\bit (would|could|might) be (a )?(good|great|nice|useful)",
            r"\bmy (suggestion|proposal)\b",
        )
    ),
}


def is_proposal(sentence: str, lang: Lang) -> str | None:
    """Return the proposal pattern's words if ``sentence`` proposes something.

    >>> is_proposal("Vi skal samle opgaverne i en database.", "da")
    'vi skal'
    >>> is_proposal("Det ved jeg ikke.", "da") is None
    True
    """
    lowered = sentence.lower()
    for pattern in PATTERNS.get(lang, ()):
        match = pattern.search(lowered)
        if match:
            return match.group(0)
    return None


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two lemma sets (0 when both are empty)."""
    union = len(a | b)
    return len(a & b) / union if union else 0.0


def group_lemma_sets(sets: Sequence[frozenset[str]], *, threshold: float) -> list[int]:
    """Label each set with a group number; sets with Jaccard >= threshold share a group.

    Args:
        sets: Lemma sets.
        threshold: Similarity in (0, 1] at which two sets say the same thing.

    Returns:
        A group label per set (labels are numbered in order of first appearance).
    """
    if not 0 < threshold <= 1:
        raise InvalidParameter(f"threshold = {threshold} is invalid; it must be in (0, 1]")
    n = len(sets)
    if n == 0:
        return []
    vocab: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    for i, lemmas in enumerate(sets):
        for lemma in lemmas:
            rows.append(i)
            cols.append(vocab.setdefault(lemma, len(vocab)))
    x = csr_matrix(
        (np.ones(len(rows), dtype=np.float64), (rows, cols)), shape=(n, max(1, len(vocab)))
    )
    inter = (x @ x.T).tocoo()
    sizes = np.array([len(s) for s in sets], dtype=np.float64)
    union = sizes[inter.row] + sizes[inter.col] - inter.data
    keep = (inter.data / np.maximum(union, 1.0)) >= threshold
    similar = csr_matrix(
        (np.ones(int(keep.sum())), (inter.row[keep], inter.col[keep])), shape=(n, n)
    )
    # Leader clustering, not connected components: every member must resemble the group's
    # first proposal, so "database" -> "database for assignments" -> "assignments on the
    # intranet" does not chain unrelated proposals into one group.
    labels = [-1] * n
    group = 0
    for i in range(n):
        if labels[i] >= 0:
            continue
        labels[i] = group
        for j in similar.indices[similar.indptr[i] : similar.indptr[i + 1]]:
            if j > i and labels[j] < 0:
                labels[j] = group
        group += 1
    return labels


@dataclass(frozen=True)
class _Mention:
    answer: PreparedAnswer
    sentence: str
    content: frozenset[str]


def _supports(answer: PreparedAnswer, lemmas: frozenset[str]) -> bool:
    shared = len(answer.content & lemmas)
    return shared >= 2 or (shared >= 1 and jaccard(answer.content, lemmas) >= 0.4)


def find_proposals(
    questions: Sequence[PreparedQuestion],
    *,
    lang: Lang,
    signals: Sequence[AgreementSignal] = (),
    threshold: float = 0.4,
) -> tuple[Proposal, ...]:
    """Find proposals, group them and count their support.

    Args:
        questions: Prepared questions, answers in time order.
        lang: Language of the patterns.
        signals: Agreement signals (from :func:`analysis.summary.agreement.find_signals`).
        threshold: Jaccard similarity at which two proposals are the same.

    Returns:
        Proposal groups, most supported first, then in order of first mention.
    """
    mentions: list[_Mention] = []
    for question in questions:
        for answer in question.answers:
            for sentence, content in zip(answer.sentences, answer.sentence_content, strict=True):
                if content and is_proposal(sentence, lang):
                    mentions.append(_Mention(answer, sentence, content))
    labels = group_lemma_sets([m.content for m in mentions], threshold=threshold)
    grouped: dict[int, list[_Mention]] = {}
    for label, mention in zip(labels, mentions, strict=True):
        grouped.setdefault(label, []).append(mention)

    by_question: Mapping[str, PreparedQuestion] = {q.key: q for q in questions}
    agreeing: dict[str, set[str]] = {}  # target answer id -> agreeing answer ids
    for s in signals:
        if s.kind == "agree" and s.target_answer_id:
            agreeing.setdefault(s.target_answer_id, set()).add(s.answer_id)

    built: list[tuple[int, int, Proposal]] = []
    for order, group in enumerate(grouped.values()):
        first = group[0]
        counts: dict[str, int] = {}
        for m in group:
            for lemma in m.content:
                counts[lemma] = counts.get(lemma, 0) + 1
        lemmas = frozenset(first.content | {k for k, v in counts.items() if v >= 2})
        proposer_ids = list(dict.fromkeys(m.answer.who for m in group))
        mention_ids = {m.answer.id for m in group}
        supporters: dict[str, str] = {}  # who -> display
        support_ids: list[str] = []
        for m in group:
            question = by_question[m.answer.key]
            agreed = agreeing.get(m.answer.id, set())
            for later in question.answers[m.answer.index + 1 :]:
                if later.who in proposer_ids or later.id in mention_ids:
                    continue
                if later.id in agreed or _supports(later, lemmas):
                    supporters.setdefault(later.who, later.display)
                    support_ids.append(later.id)
        proposal = Proposal(
            id="",
            text=first.sentence,
            lemmas=tuple(sorted(lemmas)),
            mentions=tuple(
                ProposalMention(
                    answer_id=m.answer.id,
                    pseudonym=m.answer.display,
                    question_id=m.answer.question_id,
                    sentence=m.sentence,
                    offset=format_offset(m.answer.answer.offset_seconds),
                )
                for m in group
            ),
            proposers=tuple(dict.fromkeys(m.answer.display for m in group)),
            supporters=tuple(dict.fromkeys(supporters.values())),
            supporting_answer_ids=tuple(dict.fromkeys(support_ids)),
            question_ids=tuple(dict.fromkeys(m.answer.question_id for m in group)),
            support_count=len(proposer_ids) - 1 + len(supporters),
        )
        built.append((proposal.support_count, order, proposal))
    built.sort(key=lambda t: (-t[0], t[1]))
    return tuple(replace(p, id=f"P{i}") for i, (_, _, p) in enumerate(built, start=1))
