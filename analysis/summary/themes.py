"""Themes of a workshop: specific words and two-word phrases, each with its sentence.

A theme is a content lemma, or two content words written side by side ("faglige
netværk", neither of them an everyday word: :data:`PHRASE_ZIPF`), that is *specific*: rare in general language (its Zipf frequency in
:mod:`wordfreq` at most :data:`SPECIFIC_ZIPF`; words wordfreq does not know, such as
Danish compounds like "medlemssag", are specific). Everyday words ("stille", "gerne",
"selvfølgelig", "tid") never become themes. A theme must be carried by two answers, or be a
single word rarer still (:data:`RARE_ZIPF`), so a single participant's distinctive word
("janteloven") counts while a one-off common word does not.

This is a small filter on the summary's own lemmas, not a term extractor: the network
map's noun-phrase terms come from :func:`analysis.terms.extract_terms`.
"""

from __future__ import annotations

import functools
import itertools
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

from analysis.summary.model import Lang
from analysis.summary.prepared import PreparedAnswer
from analysis.summary.text import summary_stop_terms

__all__ = ["RARE_ZIPF", "SPECIFIC_ZIPF", "Theme", "find_themes", "zipf"]

log = logging.getLogger(__name__)

#: At most this Zipf frequency (about once in 25,000 words) a word is specific.
SPECIFIC_ZIPF = 4.6
#: Below this a word said once is a theme (about once in a million words or rarer).
RARE_ZIPF = 3.5
#: Neither word of a two-word theme may be commoner than this ("holde fyraftensmøde" is a
#: verb and its object, not a phrase; "faglige netværk" is).
PHRASE_ZIPF = 5.0


@functools.lru_cache(maxsize=65536)
def zipf(word: str, lang: Lang) -> float:
    """The word's Zipf frequency in general ``lang`` (0 when unknown).

    Without :mod:`wordfreq` installed, long words (likely compounds) count as rare and
    short ones as common.
    """
    try:
        from wordfreq import zipf_frequency
    except ImportError:  # pragma: no cover - wordfreq is a dependency
        return 0.0 if len(word) >= 10 else 6.0
    return float(zipf_frequency(word, lang))


@dataclass(frozen=True)
class Theme:
    """One theme of a set of answers.

    Attributes:
        term: Lemmas joined by spaces.
        parts: The lemmas.
        answer_ids: Answers that carry it, in order.
        sentence: The first sentence that carries it, verbatim.
        pseudonym: Who said that sentence.
        rarity: The lowest Zipf frequency of its words (lower: more specific).
        shown: The theme as participants wrote it: its most frequent written form
            ("nyansatte", not the lemma "nyansætte"); lemmas stay in ``term`` for matching.
    """

    term: str
    parts: tuple[str, ...]
    answer_ids: tuple[str, ...]
    sentence: str
    pseudonym: str
    rarity: float
    shown: str = ""


def _shown(term: str, forms: dict[str, int]) -> str:
    """The most frequent written form; the lemma itself when it is written as often."""
    if not forms:
        return term
    best = max(forms.values())
    if forms.get(term) == best:
        return term
    return next(f for f, n in forms.items() if n == best)


def _frequency(lemma: str, form: str, lang: Lang) -> float:
    # The lookup lemmatizer gives odd lemmas for some forms ("med" -> "mede"): the word as
    # written decides when it is the commoner.
    return max(zipf(lemma, lang), zipf(form, lang))


# A theme names a thing. Without a tagger: a word after an infinitive marker or a modal is a
# verb ("hvor man kan omsætte det", "we could shorten it"), and Danish adjective endings
# ("kritisk", "faglig") describe rather than name (in a phrase they may: "faglige netværk").
_VERB_CONTEXT = {
    "da": r"\b(at|kan|kunne|skal|skulle|vil|ville|må|måtte|bør|burde|lad os) "
    r"((jo|også|bare|gerne|godt|ikke|måske|altid|aldrig|selv) )?",
    "en": r"\b(to|can|could|should|will|would|must|might|let's) "
    r"((also|just|not|really|never|always|then|even) )?",
}
_ADJECTIVE_END = {
    "da": ("isk", "ig", "lig", "som", "bar", "ede"),
    "en": ("ous", "ful", "ive", "able"),
}


def _looks_like_a_thing(form: str, sentence: str, lang: Lang) -> bool:
    if form.endswith(_ADJECTIVE_END.get(lang, ())):
        return False
    context = _VERB_CONTEXT.get(lang)
    return not (context and re.search(context + re.escape(form) + r"\b", sentence))


def find_themes(answers: Sequence[PreparedAnswer], *, lang: Lang) -> dict[str, Theme]:
    """Find the themes of ``answers``.

    Args:
        answers: Prepared answers (with their sentences' forms).
        lang: Their language.

    Returns:
        Term → :class:`Theme`.
    """
    stop = summary_stop_terms(lang)
    found: dict[str, tuple[tuple[str, ...], list[str], str, str, float]] = {}
    written: dict[str, dict[str, int]] = {}
    for a in answers:
        for sentence, forms in zip(a.sentences, a.sentence_forms, strict=False):
            lowered = sentence.lower()
            usable = [
                (lemma, form)
                for lemma, form in forms
                if len(lemma) >= 3 and lemma not in stop and lemma.isalpha()
            ]
            candidates: list[tuple[tuple[str, ...], float, str]] = []
            for lemma, form in usable:
                if not _looks_like_a_thing(form, lowered, lang):
                    continue
                candidates.append(((lemma,), _frequency(lemma, form, lang), form.lower()))
            for (l1, f1), (l2, f2) in itertools.pairwise(usable):
                if l1 != l2 and f"{f1} {f2}" in lowered:
                    z1, z2 = _frequency(l1, f1, lang), _frequency(l2, f2, lang)
                    if max(z1, z2) <= PHRASE_ZIPF:
                        candidates.append(((l1, l2), min(z1, z2), f"{f1} {f2}".lower()))
            for parts, rarity, as_written in candidates:
                if rarity > SPECIFIC_ZIPF:
                    continue
                term = " ".join(parts)
                counts = written.setdefault(term, {})
                counts[as_written] = counts.get(as_written, 0) + 1
                entry = found.get(term)
                if entry is None:
                    found[term] = (parts, [a.id], sentence, a.display, rarity)
                elif a.id not in entry[1]:
                    entry[1].append(a.id)
    themes: dict[str, Theme] = {}
    for term, (parts, ids, sentence, who, rarity) in found.items():
        # A two-word theme must recur (said once, "kaldt akademiker" is a verb and its
        # object as often as a phrase); a single word may stand alone when it is rare.
        if len(ids) >= 2 or (len(parts) == 1 and rarity < RARE_ZIPF):
            shown = _shown(term, written.get(term, {}))
            themes[term] = Theme(term, parts, tuple(ids), sentence, who, rarity, shown)
    return themes
