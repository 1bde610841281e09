"""Loading the spaCy pipeline the analysis uses, once per language and model.

A trained pipeline (``da_core_news_sm``, ``en_core_web_sm``, …) is used when it is installed
or named; otherwise a blank pipeline gets a lookup lemmatizer (tables from
``spacy-lookups-data``) that lemmatises case-insensitively, and a sentencizer for sentence
units. Either way the pipeline is cached per ``(lang, model)``, so loading it twice costs
nothing.

>>> nlp = load_pipeline(lang="da")
>>> [t.lemma_ for t in nlp("Medarbejderne og lederne")]
['medarbejder', 'og', 'leder']
"""

from __future__ import annotations

import functools
import gc
import logging
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import spacy
import spacy.util
from spacy.language import Language
from spacy.pipeline import Lemmatizer
from spacy.tokens import Doc, Token

from analysis.errors import InvalidParameter
from analysis.lookups import LEMMA_FIXES, lookup_table
from analysis.wordclass import word_classes

__all__ = [
    "EXTRA_STOP_WORDS",
    "LANGUAGES",
    "LEMMA_FIXES",
    "CaseInsensitiveLemmatizer",
    "Lang",
    "components_to_disable",
    "has_noun_chunks",
    "is_trained",
    "load_pipeline",
    "lookup_table",
    "stop_words",
]

log = logging.getLogger(__name__)

Lang = Literal["da", "en"]
LANGUAGES: tuple[Lang, ...] = ("da", "en")

#: Trained pipelines tried, in order, when no model is named.
_TRAINED: dict[str, tuple[str, ...]] = {
    "da": ("da_core_news_lg", "da_core_news_md", "da_core_news_sm"),
    "en": ("en_core_web_lg", "en_core_web_md", "en_core_web_sm"),
}

#: Function words the spaCy stop lists lack (they would otherwise become terms).
EXTRA_STOP_WORDS: dict[str, frozenset[str]] = {
    "da": frozenset(
        """
        når samt dels hos både sin sine sit ja nej ta inden frem hinanden mod blot ofte bl
        fx ca mv osv dvs evt jf pga iht vha mht ifm etc hhv f.eks. bl.a. m.fl. o.l. såvel
        hvorvidt hvilket heraf herunder heriblandt derudover desuden endvidere ligeledes
        således dermed altså egentlig faktisk måtte kunne burde ville skulle ting andet
        ens ift iflg ofte oftest tja nå okay ok
        """.split()  # noqa: SIM905  (a word list reads better as text)
    ),
    "en": frozenset("etc eg ie vs via per also".split()),  # noqa: SIM905,
}

#: Word-final parts a compound may end in are looked up only when at least this long.
_MIN_COMPOUND_HEAD = 4

_LOCK = threading.Lock()


class CaseInsensitiveLemmatizer(Lemmatizer):
    """A lookup lemmatizer that looks up the lower-case form ("Medarbejderne" -> "medarbejder").

    spaCy's own lookup mode looks up ``token.text`` as written, so a capitalised word at the
    start of a sentence keeps its inflection. This one looks up ``token.lower_`` and caches
    the answer per form, which also makes it faster on long texts.
    """

    def __init__(
        self,
        *args: Any,
        fixes: dict[str, str] | None = None,
        compounds: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self._table: dict[str, Any] = {}
        self._fixes = dict(fixes or {})
        self._compounds = compounds
        self._cache: dict[str, str] = {}

    def set_table(self, table: dict[str, Any]) -> None:
        """Use ``table`` (word form -> lemma) as the lookup table.

        A plain dict: building spaCy's hashed ``Table`` from half a million Danish forms
        takes about a second, and this lemmatizer never needs it.
        """
        self._table = table
        self._cache.clear()
        if not self.lookups.has_table("lemma_lookup"):
            self.lookups.add_table("lemma_lookup", {})

    def lemma_of(self, lower: str) -> str:
        """The lemma of one lower-case word form."""
        cached = self._cache.get(lower)
        if cached is not None:
            return cached
        lemma = self._fixes.get(lower)
        if lemma is None:
            table = self._table
            found = table.get(lower)
            if found is None and self._compounds:
                lemma = self._compound_lemma(lower, table)
            elif found is None:
                lemma = lower
            else:
                lemma = (found[0] if isinstance(found, list) else str(found)).lower()
        self._cache[lower] = lemma
        return lemma

    def _compound_lemma(self, lower: str, table: dict[str, Any]) -> str:
        """Lemmatise an unknown compound by its longest known head ("læringsforløbet")."""
        for start in range(3, len(lower) - _MIN_COMPOUND_HEAD + 1):
            head = lower[start:]
            lemma = self._fixes.get(head)
            if lemma is None:
                found = table.get(head)
                if found is None:
                    continue
                lemma = (found[0] if isinstance(found, list) else str(found)).lower()
            if lemma == head:
                return lower  # the head is already a lemma: so is the compound
            return lower[:start] + lemma
        return lower

    def lookup_lemmatize(self, token: Token) -> list[str]:
        return [self.lemma_of(token.lower_)]

    def __call__(self, doc: Doc) -> Doc:
        lemma_of = self.lemma_of
        for token in doc:
            token.lemma_ = lemma_of(token.lower_)
        return doc


@Language.factory(
    "workshopbot_lemmatizer",
    default_config={"mode": "lookup", "overwrite": True},
)
def _make_lemmatizer(nlp: Language, name: str, mode: str, overwrite: bool) -> Lemmatizer:
    return CaseInsensitiveLemmatizer(
        nlp.vocab,
        None,
        name,
        mode=mode,
        overwrite=overwrite,
        fixes=LEMMA_FIXES.get(nlp.lang or "", {}),
        compounds=nlp.lang == "da",
    )


def _blank(lang: str) -> Language:
    nlp = spacy.blank(lang)
    lemmatizer = nlp.add_pipe("workshopbot_lemmatizer", name="lemmatizer")
    assert isinstance(lemmatizer, CaseInsensitiveLemmatizer)
    lemmatizer.set_table(lookup_table(lang))
    nlp.add_pipe("sentencizer")
    return nlp


def _installed_trained(lang: str) -> str | None:
    for name in _TRAINED.get(lang, ()):
        if spacy.util.is_package(name):
            return name
    return None


@functools.lru_cache(maxsize=8)
def _load(lang: str, model: str | None) -> Language:
    nlp = _load_new(lang, model)
    _keep_out_of_collections()
    return nlp


def _keep_out_of_collections() -> None:
    """Exempt everything alive now (the pipeline just loaded, its lemma and word-class
    tables, the imported modules) from the cyclic garbage collector's future passes.

    They live as long as the process (pipelines are cached), yet every full collection
    walks them all: with a pipeline loaded, one took 0.1–0.2 s during an analysis, more than
    spaCy spends on 100k words, while the analysis itself leaves some 10,000 tracked
    objects. Garbage is collected first, so only what is alive is frozen; objects made later
    are collected as usual.
    """
    gc.collect()
    gc.freeze()


def _load_new(lang: str, model: str | None) -> Language:
    if model is not None:
        if not (spacy.util.is_package(model) or Path(model).is_dir()):
            raise InvalidParameter(
                f"spaCy model {model!r} is not installed; install it (e.g. pip install "
                f"{model}) or leave out --model to use the built-in {lang!r} lemma tables"
            )
        nlp = spacy.load(model)
        if nlp.lang != lang:
            log.warning("model %s is for language %r, not %r", model, nlp.lang, lang)
        log.info("loaded trained spaCy pipeline %s: %s", model, nlp.pipe_names)
        return nlp
    trained = _installed_trained(lang)
    if trained is not None:
        nlp = spacy.load(trained)
        log.info("loaded installed spaCy pipeline %s: %s", trained, nlp.pipe_names)
        return nlp
    nlp = _blank(lang)
    # The blank pipeline's term extraction reads word classes and word frequencies from
    # package data: load them with the pipeline (its warm-up), not in the first analysis.
    word_classes(lang)
    log.info("using a blank %r spaCy pipeline with lookup lemmas and word classes", lang)
    return nlp


def load_pipeline(*, lang: Lang = "da", model: str | None = None) -> Language:
    """Load (once) the spaCy pipeline for a language.

    Args:
        lang: ``"da"`` (default) or ``"en"``.
        model: Name or path of a trained pipeline; ``None`` uses an installed trained
            pipeline for ``lang`` if there is one, else a blank pipeline with lookup lemmas.

    Returns:
        The pipeline; the same object for the same arguments.

    Raises:
        InvalidParameter: ``lang`` is not supported or ``model`` is not installed.
    """
    if lang not in LANGUAGES:
        raise InvalidParameter(f"lang = {lang!r} is not supported; use one of {LANGUAGES}")
    with _LOCK:
        return _load(lang, model)


def is_trained(nlp: Language) -> bool:
    """Whether the pipeline has a statistical tagger or parser (so part-of-speech exists)."""
    return any(
        nlp.has_pipe(name) for name in ("tagger", "morphologizer", "parser", "attribute_ruler")
    )


def has_noun_chunks(nlp: Language) -> bool:
    """Whether ``doc.noun_chunks`` works: a parser plus the language's syntax iterator."""
    return nlp.has_pipe("parser") and "noun_chunks" in (nlp.Defaults.syntax_iterators or {})


def stop_words(nlp: Language, extra: Iterable[str] = ()) -> frozenset[str]:
    """The language's stop words (lower case), a few more function words, plus ``extra``."""
    return (
        frozenset(w.lower() for w in nlp.Defaults.stop_words)
        | EXTRA_STOP_WORDS.get(nlp.lang or "", frozenset())
        | frozenset(w.lower() for w in extra)
    )


def components_to_disable(nlp: Language, *, sentences: bool) -> list[str]:
    """Pipeline components that term extraction does not need.

    Args:
        nlp: The pipeline.
        sentences: Whether sentence boundaries are needed.

    Returns:
        Component names to pass as ``disable=`` to ``nlp.pipe``.
    """
    needed = {"lemmatizer", "tok2vec", "tagger", "morphologizer", "attribute_ruler"}
    if has_noun_chunks(nlp):
        needed.add("parser")
    if sentences:
        needed |= {"sentencizer", "senter", "parser"}
    return [name for name in nlp.pipe_names if name not in needed]
