"""Word classes from package data, for the blank (lookup) pipeline.

A trained spaCy pipeline tags parts of speech; without one, the word class of a form is read
from the lemma tables that ship with ``spacy-lookups-data``:

* English: the WordNet lemma index (``en_lemma_index``: nouns, verbs, adjectives, adverbs)
  and its irregular forms (``en_lemma_exc``).
* Danish: the shape of each lemma's paradigm in the Danish form → lemma table. A noun has
  definite plural or definite genitive forms (*behovene*, *efteruddannelsernes*), a verb
  has a present participle or a past tense (*skabende*, *skabte*), an adjective has a comparative or a neuter *-t*
  next to an *-e* form (*sikrere*, *personligt*/*personlige*). A form that is a
  participle (*følgende*) is never a noun. Compounds the table lacks take the class of
  their longest known head (*læringsforløbet* → *forløb*).

The result is one of ``"NOUN"``, ``"ADJ"``, ``"VERB"``, ``"ADV"`` or ``"OTHER"`` per
lower-case form, cached. The table's lemma decides between readings (*benytter* → *benytte*, a verb); a lemma whose
paradigm is both a noun's and a verb's is a noun in its base form (*møde*) and a verb in
its other forms.
"""

from __future__ import annotations

import functools
import logging
from collections import defaultdict
from collections.abc import Mapping
from typing import Any, Literal

import spacy.util
import wordfreq

from analysis.errors import InvalidParameter
from analysis.lookups import LEMMA_FIXES, lookup_table

__all__ = [
    "WordClass",
    "WordClasses",
    "foreign_function_words",
    "general_frequencies",
    "word_classes",
]

log = logging.getLogger(__name__)

WordClass = Literal["NOUN", "ADJ", "VERB", "ADV", "OTHER"]

#: An English word missing from WordNet's content-word index but more frequent than this
#: (wordfreq) is a function word (*shall*, *upon*, *unless*); rarer ones are names and
#: new words (*GPL*, *licensor*).
_FUNCTION_WORD_FREQUENCY = 1e-5
#: A Danish lemma rarer than this (wordfreq) is not judged by how often its noun forms are
#: used: the list does not know rare forms well enough.
_JUDGED_FREQUENCY = 1e-5
#: Shortest head looked up when a Danish compound is not in the table.
_MIN_HEAD = 4
#: Danish noun endings that mark a definite plural or a definite genitive.
_DA_NOUN_MARKS = ("ene", "erne", "rne", "ets", "ts", "enes", "ernes", "rnes")
#: Endings after a lemma that only a noun's paradigm has (definite forms), which decide a
#: form of a lemma that is both a noun and a verb (samtalen, mødet, but evner: a verb).
_DA_DEFINITE = frozenset(
    "n en t et ne ene rne erne ns ens ts ets nes enes rnes ernes".split()  # noqa: SIM905
)


def _load(lang: str, table: str) -> dict[str, Any]:
    try:
        tables = spacy.util.registry.lookups.get(lang)
    except Exception as exc:  # catalogue raises its own RegistryError
        raise InvalidParameter(
            f"no lookup tables for lang = {lang!r}; install spacy-lookups-data"
        ) from exc
    if table not in tables:
        raise InvalidParameter(f"spacy-lookups-data has no {table} table for lang = {lang!r}")
    return dict(spacy.util.load_language_data(tables[table]))


class WordClasses:
    """The word class of lower-case word forms of one language (see the module docstring).

    Args:
        lang: ``"da"`` or ``"en"``.
        fixes: Form → lemma corrections applied before the table (as the lemmatizer does).
    """

    def __init__(self, lang: str, fixes: Mapping[str, str] | None = None) -> None:
        if lang not in ("da", "en"):
            raise InvalidParameter(f"lang = {lang!r} has no word-class data; use 'da' or 'en'")
        self.lang = lang
        self._fixes = dict(fixes or {})
        self._cache: dict[str, WordClass] = {}
        # Shared with the lookup lemmatizer: one copy of half a million forms in memory.
        self._lookup: dict[str, Any] = lookup_table(lang)
        if lang == "en":
            index = _load(lang, "lemma_index")
            self._index = {pos: frozenset(words) for pos, words in index.items()}
            exc = _load(lang, "lemma_exc")
            self._exc: dict[str, set[str]] = defaultdict(set)
            for pos, table in exc.items():
                for form in table:
                    self._exc[form].add(pos)

    # ------------------------------------------------------------------ Danish

    def _lemma(self, form: str) -> str | None:
        """The table's lemma of a form (after the fixes), or None when it is unknown."""
        fixed = self._fixes.get(form)
        if fixed is not None:
            return fixed
        found = self._lookup.get(form)
        if found is None:
            return None
        return (found[0] if isinstance(found, list) else str(found)).lower()

    def _has(self, lemma: str, ending: str) -> bool:
        """Whether ``lemma + ending`` is a form of ``lemma`` in the table."""
        return self._lemma(lemma + ending) == lemma

    def _is_lemma(self, form: str) -> bool:
        """Whether some form in the table has ``form`` as its lemma."""
        return self._lemma(form) == form or any(
            self._has(form, e) for e in ("en", "et", "er", "e", "r", "t", "s")
        )

    def _da_paradigm(self, lemma: str) -> set[str]:
        """The classes a Danish lemma's paradigm shows (empty when it is unknown).

        Only forms the table maps back to the lemma count, looked up by their endings.
        """
        has = self._has
        found: set[str] = set()
        if (
            has(lemma, "nde")
            or has(lemma, "ende")
            or has(lemma, "de")
            or has(lemma, "te")
            or (lemma.endswith("e") and self._lemma(lemma[:-1] + "te") == lemma)
        ):
            found.add("VERB")  # a present participle or a past tense (skabende, skete, skabte)
        doubled = lemma[-1:]  # budget -> budgettet, budgetterne
        if any(has(lemma, e) or has(lemma, doubled + e) for e in _DA_NOUN_MARKS):
            found.add("NOUN")
        elif "VERB" not in found and any(
            has(lemma, e) or has(lemma, doubled + e) for e in ("en", "et", "n")
        ):
            found.add("NOUN")  # a mass noun: definite but no plural (kompetenceudvikling)
        if (
            has(lemma, "ere")
            or has(lemma, "est")
            or has(lemma, "este")
            or (has(lemma, "t") and has(lemma, "e"))
        ):
            found.add("ADJ")
        elif "VERB" not in found and (
            has(lemma, "e") or has(lemma, "t") or has(lemma, lemma[-1:] + "e")
        ):
            # konkret/konkrete, individuel/individuelle; with noun forms too (hus/huse),
            # whether the noun is in use decides (see _noun_in_use)
            found.add("ADJ")
        return found

    def _noun_in_use(self, lemma: str) -> bool:
        """Whether a lemma's definite noun forms occur in general Danish (wordfreq).

        The form table lists rare readings next to common ones (*konkret* as a noun,
        *konkretet*); a noun reading whose definite forms are under 2 % as frequent as the
        lemma itself is not a reading a term can have.
        """
        freq = general_frequencies(self.lang)
        base = freq.get(lemma, 0.0)
        if base < _JUDGED_FREQUENCY:
            return True  # too rare in general Danish to judge: the table's noun stands
        endings: tuple[str, ...] = (
            "en",
            "et",
            "ne",
            "ene",
            "erne",
            "ens",
            "ets",
            "nes",
            "enes",
            "ernes",
        )
        if lemma.endswith("e"):
            endings += ("n", "t", "rne", "ns", "ts", "rnes")
        definite = sum(freq.get(lemma + e, 0.0) for e in endings if self._has(lemma, e))
        return definite >= 0.02 * base

    def _da(self, form: str) -> WordClass:
        lemma = self._lemma(form)
        if lemma is None:
            # Unknown: a compound takes the class of its longest known head; else a noun
            # (names and new words are nouns far more often than anything else).
            for start in range(3, len(form) - _MIN_HEAD + 1):
                head = form[start:]
                if self._lemma(head) is not None:
                    return self._da(head)
            return "NOUN"
        own = self._da_paradigm(lemma)
        if form != lemma and self._is_lemma(form):
            # The form is also a lemma of its own (benytter: a form of "benytte" and the
            # noun "benytter"): the table's choice of lemma is the reading it ranks first.
            own = own or self._da_paradigm(form)
        if "NOUN" in own and len(own) > 1 and not self._noun_in_use(lemma):
            own.discard("NOUN")  # konkret: the table's noun reading is all but unused
        if not own:
            # Known, but no paradigm: uninflected words (fælles, god) and participles. A
            # form of a lemma in -t (kortuddannede -> kortuddannet) is a participle. A
            # form the lemma fixes name as its own lemma (viden) is a noun.
            if form.endswith("ende") or (form != lemma and lemma.endswith("t")):
                return "ADJ"
            return "NOUN" if self._fixes.get(form) == form else "OTHER"
        if form.endswith("es") and "VERB" in self._da_paradigm(form[:-1]):
            return "VERB"  # a passive (konverteres: konvertere + s)
        if form.endswith("ende") and "VERB" in own:
            return "ADJ"  # present participle (følgende, grundlæggende)
        if "NOUN" in own and ("VERB" not in own or form == lemma):
            return "NOUN"  # møde, følge: the base form of both; the noun is the term
        ending = form[len(lemma) :] if form.startswith(lemma) else ""
        if ending[:1] == lemma[-1:] and ending[1:] in _DA_DEFINITE:
            ending = ending[1:]  # a doubled consonant (budgettet)
        if "NOUN" in own and ending in _DA_DEFINITE:
            return "NOUN"
        if "ADJ" in own:
            return "ADJ"
        if "VERB" in own:
            return "VERB"
        return "NOUN"

    # ------------------------------------------------------------------ English

    def _en(self, form: str) -> WordClass:
        idx = self._index
        lemma = self._lemma(form) or form
        exc = self._exc.get(form, set())

        def has(pos: str) -> bool:
            return form in idx.get(pos, ()) or lemma in idx.get(pos, ()) or pos in exc

        plural = form != lemma and form.endswith("s")
        if form != lemma and "verb" in exc and "noun" not in exc:
            return "ADJ" if form in idx.get("adj", ()) else "VERB"  # bought, written
        if form != lemma and form.endswith("ed") and lemma in idx.get("verb", ()):
            return "ADJ" if form in idx.get("adj", ()) else "VERB"  # worked; modified: adj
        if has("noun") and (plural or not has("adj")):
            return "NOUN"
        if form.endswith(("tion", "sion", "ment", "ness", "ity", "ship", "ance", "ence")):
            return "NOUN"
        if has("adj"):
            return "ADJ"
        if has("verb"):
            return "VERB"
        if has("adv") or form.endswith("ly"):
            return "ADV"
        if general_frequencies("en").get(form, 0.0) > _FUNCTION_WORD_FREQUENCY:
            return "OTHER"  # frequent but in no content-word index: a function word (shall)
        return "NOUN"  # names, acronyms, new words

    def of(self, form: str) -> WordClass:
        """The word class of a lower-case word form.

        >>> wc = word_classes("da")
        >>> [wc.of(w) for w in ["efteruddannelse", "skabe", "følgende", "personlige"]]
        ['NOUN', 'VERB', 'ADJ', 'ADJ']
        """
        known = self._cache.get(form)
        if known is None:
            known = self._da(form) if self.lang == "da" else self._en(form)
            self._cache[form] = known
        return known

    def is_noun(self, form: str) -> bool:
        """Whether the form can head a term."""
        return self.of(form) == "NOUN"


@functools.lru_cache(maxsize=4)
def general_frequencies(lang: str) -> dict[str, float]:
    """wordfreq's frequencies of words in general ``lang`` text (loaded once)."""
    table: dict[str, float] = wordfreq.get_frequency_dict(lang)
    return table


@functools.lru_cache(maxsize=4)
def foreign_function_words(lang: str) -> frozenset[str]:
    """Stop words of the other supported language that are more frequent there than here.

    *the*, *and*, *of* in a Danish text (a quoted English title) are function words, never
    terms; a word both languages use alike (*under*) is left to this language's lists.
    """
    other = {"da": "en", "en": "da"}.get(lang)
    if other is None:
        return frozenset()
    here = general_frequencies(lang)
    there = wordfreq.get_frequency_dict(other, wordlist="small")
    return frozenset(
        w
        for w in (w.lower() for w in spacy.util.get_lang_class(other).Defaults.stop_words)
        if there.get(w, 0.0) > 4 * here.get(w, 0.0)
    )


@functools.lru_cache(maxsize=4)
def word_classes(lang: str) -> WordClasses:
    """The (cached) word classes of ``lang`` (``"da"`` or ``"en"``).

    Raises:
        InvalidParameter: No word-class data for ``lang``.
    """
    classes = WordClasses(lang, LEMMA_FIXES.get(lang, {}))
    general_frequencies(lang)  # loaded now, with the tables, not in the first analysis
    foreign_function_words(lang)
    return classes
