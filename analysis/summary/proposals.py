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

__all__ = [
    "MODAL",
    "PATTERNS",
    "SUGGESTING",
    "find_proposals",
    "group_lemma_sets",
    "is_proposal",
    "jaccard",
]


def _compile(*patterns: str) -> tuple[re.Pattern[str], ...]:
    return tuple(re.compile(p) for p in patterns)


# Every pattern runs on the lower-cased sentence.
#: Forms that propose by themselves, even as a question ("Hvad med at …?", "What if …?").
SUGGESTING: dict[str, tuple[re.Pattern[str], ...]] = {
    "da": _compile(
        r"\bhvad med (at|om|en|et)\b",
        r"\bhvad hvis\b",
        r"\bhvorfor (laver|gør|prøver|holder|tager|bruger|starter|sætter) vi (så )?ikke\b",
        r"\bkunne (godt|rigtig godt) tænke (mig|os)\b",
        r"\b(en|et|min|vores|mit|én) (anden )?(idé|ide|forslag|mulighed) (kunne|ville|er|var) "
        r"(at|være)\b",
        r"\bdet (ville|vil|kunne) (også |nok |virkelig |helt klart |jo )*(hjælpe|gøre en "
        r"(stor |kæmpe |reel )?forskel|være en (stor |god )?hjælp)\b",
        r"\b(det bedste|det letteste|det nemmeste) (ville|vil|kunne) være\b",
        r"\bhvorfor ikke\b",
        r"\blad os\b",
        r"\b(kunne|skulle|burde) vi ikke\b",
        r"\bskal vi ikke\b",
        r"\bjeg (vil )?(foreslå|foreslår|anbefale|anbefaler)\b",
        r"\b(mit|et|vores) forslag\b",
        r"\bforslag:",
        r"\banbefale[st]? at\b",
        r"\bdet (kunne|ville|vil|ku') (også )?(måske )?være (en )?(rigtig |virkelig |meget )?"
        r"(god|godt|smart|fint|rart|nyttigt|spændende|en fordel|en idé|idé|oplagt|fedt)",
        r"\bdet (er|var) en god idé at\b",
        r"\bhvis (man|vi|de|der|lederne|lederen|ledelsen|alle|hver) (bare )?(kunne|ville)\b",
        # "hvis eleverne fik lov til …, så ville det gøre mere indtryk"
        r"\bhvis\b.*\b(så )?(ville|kunne) (det|man|vi|de|folk)\b(?! have)",
        r"\b(ville|vil|kunne) (også )?være (rigtig |virkelig |meget )?"
        r"(godt|fint|rart|smart|nyttigt|en fordel|en god idé|oplagt)\b",
    ),
    "en": _compile(
        r"\bwhat if\b",
        r"\bi('d| would)? (like to |want to )?(suggest|propose|recommend)\b",
        r"\b(one|an|another|my|a good|a simple) (idea|option|suggestion|proposal) "
        r"(is|would be|could be|might be)\b",
        r"\bit (would|could|might|will) (really |also |probably |definitely )*(help|make a "
        r"(big |real |huge )?difference)\b",
        r"\bi wish (we|our|the|managers|there|people|someone|everyone)\b",
        r"\bwe might (try|consider|want to)\b",
        r"\bthe (best|easiest|simplest) (thing )?would be\b",
        r"\bhow about\b",
        r"\bwhy (don't|dont|do not|not) (we|you|they|managers|everyone)\b",
        r"\b(could|should|shouldn't|can) we (not )?(try|have|make|start|set|ask|use|put|give)\b",
        r"\blet'?s\b",
        r"\bi (would )?(suggest|propose|recommend)\b",
        r"\bmy (suggestion|proposal)\b",
        r"\bit (would|could|might|will) (really )?be (a )?(really |very )?"
        r"(good|great|nice|useful|helpful|worth|smart|better|idea)",
        r"\bit might be worth\b",
        # "short videos on the intranet would be nice"
        r"\b(would|could) (also )?be (really |very |so |super )?"
        r"(nice|good|great|useful|helpful|better|smart|ideal)\b",
        r"\bif (we|you|people|managers|everyone|\w+ \w+ who .*?) (could|would|\w+ed)\b.*\b(would|could)\b",
    ),
}

#: Deontic and hypothetical modals; a sentence with one proposes unless it is a question,
#: a reason ("Fordi vi skal …"), a condition ("Hvis man skal …, så …"), said of oneself
#: ("jeg skulle …"), or past narrative ("Sidst … vi skulle …").
MODAL: dict[str, re.Pattern[str]] = {
    "da": re.compile(r"\b(bør|burde|skal|skulle|kunne|må|måtte|ku')\b"),
    "en": re.compile(r"\b(should|ought to|must|need to|needs to|have to|has to|could|shall)\b"),
}
_PAST_MODALS = frozenset({"skulle", "kunne", "måtte", "ku'", "could"})
_SELF = {
    "da": re.compile(r"\b(jeg|du|hun|han)\s+(\w+\s+)?$"),
    "en": re.compile(r"\b(i|you|he|she)\s+(\w+\s+)?$"),
}
_REASON_START = {
    "da": re.compile(r"^\W*(og |men )?(fordi|for at|eftersom|selvom)\b"),
    "en": re.compile(r"^\W*(and |but )?(because|since|although|though)\b"),
}
_CONDITION_START = {
    "da": re.compile(r"^\W*(og |men |så )?(hvis|når|da|mens|inden|før)\b"),
    "en": re.compile(r"^\W*(and |but |so )?(if|when|whenever|while|before|once)\b"),
}
_PAST_TIME = {
    "da": re.compile(
        r"\b(sidst|sidste (år|gang|uge|måned|forår|efterår)|i fjor|dengang|engang|"
        r"for \w+ (år|måneder|uger) siden|i mit (gamle|tidligere|sidste) job|tidligere|"
        r"fik at vide|det var)\b"
    ),
    "en": re.compile(
        r"\b(last (year|time|week|month|spring|autumn|fall|summer|winter)|ago|used to|"
        r"in my (last|previous|old) job|was told|back then|at the time)\b"
    ),
}
_PAST_VERB = {
    "da": re.compile(
        r"\b(var|blev|havde|fik|skrev|sendte|kom|tog|sagde|gik|lå|gjorde|valgte|prøvede|"
        r"spurgte|fortalte|læste|brugte|holdt|stoppede|startede|lavede|talte|vidste|troede|"
        r"mødte|hørte|glemte|oplevede|endte|\w{3,}ede)\b"
    ),
    "en": re.compile(
        r"\b(i|we|they|he|she|it|nobody|everyone|someone|my \w+)\s+(never |just |also |"
        r"once |really )?(was|were|had|did|wrote|told|came|took|went|said|made|got|"
        r"thought|knew|spent|met|sent|read|\w{2,}ed)\b"
    ),
}
_COUNTERFACTUAL = {
    "da": re.compile(r"\b(ville|kunne|skulle) have (været|\w+et|\w+t)\b"),
    "en": re.compile(r"\b(would|could|should) have (been|\w+ed|\w+en)\b"),
}
# "Vi skal altid nå 40 sager om dagen": an obligation people live with, not a proposal.
_HABITUAL = {
    "da": re.compile(
        r"\b(skal|skulle|må|måtte) (jo |bare )?(altid|hele tiden|konstant|hver dag)\b"
    ),
    "en": re.compile(
        r"\b(always|constantly) (have|has|had) to\b|\b(have|has|had) to (always|constantly)\b|"
        r"\b(must|have to|has to) (always|constantly)\b"
    ),
}
_NEGATED_ABILITY = {
    "da": re.compile(r"\b(kunne|ku') (jo )?ikke\b"),
    "en": re.compile(r"\b(could not|couldn't|can't|cannot)\b"),
}
# Complaints and background ("Jeg har kun været i HK et års tid, så …") propose nothing.
_COMPLAINT_START = {
    "da": re.compile(
        r"^\W*(problemet er|det irriterende er|det værste er|jeg har (kun|bare) været|"
        r"jeg er (ret |helt )?ny)\b"
    ),
    "en": re.compile(
        r"^\W*(the problem is|honestly i am tired|what annoys me|i have only been|"
        r"i've only been|i am (quite |fairly )?new|i'm (quite |fairly )?new)\b"
    ),
}
# "Jeg ved ikke hvad der skal til", "I don't know what we should do": an indirect question.
_INDIRECT = {
    "da": re.compile(r"\b(hvad|hvordan|hvorfor|hvornår|hvem|hvilke|om) (\w+ ){0,2}$"),
    "en": re.compile(r"\b(what|how|why|when|who|which|whether) (\w+ ){0,2}$"),
}

#: Kept for callers that list the markers: the suggesting forms and the modal, per language.
PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    lang: (*SUGGESTING[lang], MODAL[lang]) for lang in ("da", "en")
}


def _narrative(lowered: str, lang: str, modal_at: int) -> bool:
    """Past narrative: a past-time expression anywhere, or a past verb before the modal
    ("Jeg skrev om hvordan vi kunne …"; but "we could do X where people post what they
    learned" proposes)."""
    return bool(_PAST_TIME[lang].search(lowered) or _PAST_VERB[lang].search(lowered, 0, modal_at))


def is_proposal(sentence: str, lang: Lang) -> str | None:
    """Return the proposal's marker words if ``sentence`` proposes something.

    A sentence proposes when it uses a suggesting form ("lad os", "hvad med at", "det kunne
    være en god idé", "hvis man kunne …", "let's", "what if", "it would be useful") or a
    deontic or hypothetical modal ("bør", "burde", "skal", "kunne", "should", "could",
    "we need to") that is not in a question, a reason ("Fordi vi skal køre …"), the
    condition of a sentence ("Hvis man skal udfylde …, så …"), said of oneself ("jeg
    skulle på kursus"), counterfactual ("I would have loved …") or past narrative ("Sidst
    blev punktet strøget fordi vi skulle nå en sag").

    >>> is_proposal("Vi skal samle opgaverne i en database.", "da")
    'skal'
    >>> is_proposal("Pointerne burde også rapporteres opad.", "da")
    'burde'
    >>> is_proposal("Fordi vi skal køre, med en bestemt samtaleteknik.", "da") is None
    True
    >>> is_proposal("Det ved jeg ikke.", "da") is None
    True
    """
    if lang not in MODAL:
        return None
    lowered = " ".join(sentence.lower().replace("’", "'").split())
    if _COMPLAINT_START[lang].search(lowered) or _COUNTERFACTUAL[lang].search(lowered):
        return None
    for pattern in SUGGESTING[lang]:
        found = pattern.search(lowered)
        if found and not _PAST_TIME[lang].search(lowered):
            return found.group(0)
    if lowered.rstrip().endswith("?") or _REASON_START[lang].search(lowered):
        return None
    condition = _CONDITION_START[lang].search(lowered)
    # In "Hvis man skal …, så sker det ikke" only the main clause (after the comma) counts.
    body_start = lowered.find(",") + 1 if condition else 0
    if condition and body_start == 0:
        return None
    for found in MODAL[lang].finditer(lowered, body_start):
        modal = found.group(1)
        before = lowered[body_start : found.start()]
        if _SELF[lang].search(before) or _INDIRECT[lang].search(before):
            continue
        if _HABITUAL[lang].search(lowered, max(0, found.start() - 12)):
            continue
        if modal in _PAST_MODALS and (
            _narrative(lowered, lang, found.start()) or _NEGATED_ABILITY[lang].search(lowered)
        ):
            continue
        # "Last year we were told we should …": reported, not proposed.
        if _PAST_TIME[lang].search(lowered) and _PAST_VERB[lang].search(lowered):
            continue
        return found.group(0)
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
    # Saying the same again supports it; sharing a topic word or two does not (everyone in
    # a question talks about "opgaver").
    shared = len(answer.content & lemmas)
    return shared >= 3 and jaccard(answer.content, lemmas) >= 0.3


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
