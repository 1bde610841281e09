"""Lemmas, sentences and marker phrases shared by the summary's parts.

The summary compares answers by their *content lemmas* (lower-cased lemmas that are not
stop words, numbers or punctuation). The spaCy pipeline is the analysis pipeline's
(:func:`analysis.nlp.load_pipeline`) when it is installed, else a blank pipeline with the
lookup lemmatizer, which needs no model download.
"""

from __future__ import annotations

import functools
import importlib
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from analysis.summary.model import Lang

__all__ = [
    "TextInfo",
    "analyse_texts",
    "get_pipeline",
    "split_sentences",
    "summary_stop_terms",
    "word_count",
]

log = logging.getLogger(__name__)

# Words that say "I propose"/"I agree"/"it is hard" rather than what is proposed: they must
# not make two different proposals look alike.
_FUNCTION_LEMMAS: dict[str, frozenset[str]] = {
    "da": frozenset(
        [
            "skulle",
            "skal",
            "bør",
            "burde",
            "kunne",
            "kan",
            "må",
            "måtte",
            "foreslå",
            "forslag",
            "idé",
            "ide",
            "god",
            "godt",
            "være",
            "synes",
            "mene",
            "tro",
            "enig",
            "uenig",
            "bakke",
            "op",
            "lige",
            "hvad",
            "med",
            "lade",
            "os",
            "gøre",
            "få",
            "ja",
            "nej",
            "rigtig",
            "sige",
            "tænke",
            "vel",
            "måske",
            "faktisk",
            "bare",
            "også",
            # Generic verbs (the lookup lemmatizer makes "have" the noun "hav") and the
            # words of "it is hard / I don't know", which are not what anyone talked about.
            "have",
            "hav",
            "lave",
            "komme",
            "give",
            "tage",
            "bruge",
            "sætte",
            "svær",
            "svært",
            "vide",
            "ved",
        ]
    ),
    "en": frozenset(
        [
            "should",
            "could",
            "would",
            "must",
            "suggest",
            "propose",
            "recommend",
            "idea",
            "good",
            "great",
            "why",
            "let",
            "us",
            "agree",
            "disagree",
            "think",
            "say",
            "yes",
            "no",
            "really",
            "maybe",
            "just",
            "also",
            "need",
            "ought",
            "get",
            "make",
            "do",
            "be",
            "have",
            "know",
            "hard",
            "difficult",
            "sure",
            "idea",
        ]
    ),
}

#: Words of pseudonyms ("Deltager A") and labels: never a term of the discussion.
PSEUDONYM_WORDS = frozenset(
    "deltager deltageren participant bruger kollega anonym anonymous facilitator".split()  # noqa: SIM905
)


def summary_stop_terms(lang: Lang) -> frozenset[str]:
    """Words the summary never reports as terms: markers and pseudonym words."""
    return _FUNCTION_LEMMAS.get(lang, frozenset()) | PSEUDONYM_WORDS


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"\w+", re.UNICODE)


def word_count(text: str) -> int:
    """Count words the way a reader would."""
    return len(_WORD.findall(text))


def split_sentences(text: str) -> list[str]:
    """Split an answer into sentences (punctuation or line breaks end one)."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s and s.strip()]


@functools.lru_cache(maxsize=4)
def _blank_pipeline(lang: str) -> Any:
    import spacy

    nlp = spacy.blank(lang)
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    except Exception as exc:
        log.warning("no lookup lemmatizer for %s (%s); comparing word forms", lang, exc)
        nlp = spacy.blank(lang)
    return nlp


@functools.lru_cache(maxsize=4)
def get_pipeline(lang: Lang) -> Any:
    """Return the spaCy pipeline the summary uses for ``lang`` (cached)."""
    try:
        nlp_module = importlib.import_module("analysis.nlp")
        return nlp_module.load_pipeline(lang=lang)
    except (ImportError, AttributeError):
        return _blank_pipeline(lang)


@dataclass(frozen=True)
class TextInfo:
    """One text after lemmatisation."""

    lemmas: tuple[str, ...]
    content: frozenset[str]
    words: int
    #: Each content lemma with the word as written (lower case), in order.
    forms: tuple[tuple[str, str], ...] = ()


def _token_lemma(token: Any) -> str:
    lemma = str(token.lemma_ or token.text).lower()
    return lemma if lemma.strip() else str(token.text).lower()


def analyse_texts(texts: Sequence[str], *, lang: Lang, nlp: Any | None = None) -> list[TextInfo]:
    """Lemmatise many texts in one spaCy pass.

    Args:
        texts: The texts.
        lang: Their language (chooses stop words and marker words).
        nlp: A spaCy pipeline; by default :func:`get_pipeline`.

    Returns:
        One :class:`TextInfo` per text, in order.
    """
    pipeline = nlp if nlp is not None else get_pipeline(lang)
    function_words = summary_stop_terms(lang)
    out: list[TextInfo] = []
    docs: Iterable[Any] = pipeline.pipe(list(texts), batch_size=256)
    for text, doc in zip(texts, docs, strict=True):
        lemmas: list[str] = []
        content: set[str] = set()
        forms: list[tuple[str, str]] = []
        for token in doc:
            if token.is_punct or token.is_space:
                continue
            lemma = _token_lemma(token).strip(".'’-")
            if not lemma:
                continue
            lemmas.append(lemma)
            if (
                token.is_stop
                or token.like_num
                or not any(ch.isalpha() for ch in lemma)
                or len(lemma) < 2
                or lemma in function_words
                or str(token.text).lower() in function_words
            ):
                continue
            content.add(lemma)
            forms.append((lemma, str(token.text).lower()))
        out.append(TextInfo(tuple(lemmas), frozenset(content), word_count(text), tuple(forms)))
    return out
