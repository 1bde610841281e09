"""Stage 3: candidate terms, their ranking and a term × unit matrix.

Candidates are noun phrases when the pipeline has a parser (``doc.noun_chunks``); otherwise
n-grams of one to four tokens that never cross a stop word, punctuation, a number or a
redaction placeholder such as ``[navn]``. Variants whose lemmas are the same regardless of
order are one term (key = the sorted lemma tuple), labelled by their most frequent form.

Ranking: multi-word terms by C-value (Frantzi, Ananiadou & Mima 2000), single words by
frequency times specificity (an idf across units, damped so that central terms spread over
the whole corpus still rank high). Both use the frequency left after subtracting the
average frequency of the longer candidates that contain the term, so a word that only
occurs inside one phrase does not rank twice.

The hot loop works on spaCy's 64-bit string hashes and appends to compact arrays; strings
are built only for distinct candidates.
"""

from __future__ import annotations

import bisect
import csv
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from spacy.attrs import IS_PUNCT, IS_SPACE, LEMMA, LIKE_NUM, LOWER, SENT_START
from spacy.language import Language
from spacy.tokens import Doc

from analysis.documents import Document
from analysis.errors import InvalidParameter, UnreadableInput
from analysis.nlp import (
    CaseInsensitiveLemmatizer,
    Lang,
    components_to_disable,
    has_noun_chunks,
    load_pipeline,
    stop_words,
)

__all__ = [
    "UNITS",
    "Term",
    "TermTable",
    "Unit",
    "extract_term_table",
    "extract_terms",
    "read_stop_terms",
    "read_synonyms",
]

log = logging.getLogger(__name__)

Unit = Literal["document", "paragraph", "sentence"]
UNITS: tuple[Unit, ...] = ("document", "paragraph", "sentence")

#: Longest n-gram considered.
MAX_NGRAM = 4
#: Paragraphs longer than this are split on line breaks before spaCy sees them.
_MAX_CHARS = 100_000

#: Frequent words that are not stop words but say little on a map of a domain. Candidates
#: made only of them get a tenth of their score; they may still occur inside phrases.
_GENERIC: dict[str, frozenset[str]] = {
    "da": frozenset(
        """
        side år gang måde del eksempel bl.a. f.eks. fx mv. osv. ca. tid række forhold stor
        større største høj højere vigtig vigtigt give tage gå se komme stå ligge finde bruge
        holde sætte vise hjælpe betyde hel første anden tredje fire fem seks syv otte ni ti
        mulig muligt mulighed ting andet tale spørgsmål nummer figur tabel kapitel afsnit
        procent pct bilag kilde dag sted punkt grad arbejde fx. mfl. jf. evt. generelt særlig
        særligt især typisk bestemt enkelt enkelte nødvendig forskellig forskellige helt rigtig
        vide tro mene sige fortælle kende ønske gerne bare virkelig meget hvorledes
        """.split()  # noqa: SIM905  (a word list reads better as text)
    ),
    "en": frozenset(
        """
        way part example time year thing number figure table chapter section page percent
        large larger high higher important give take go see come use find show help mean
        first second third possible possibility question point degree work day place
        particular particularly especially specific different various really well
        """.split()  # noqa: SIM905  (a word list reads better as text)
    ),
}


@dataclass(frozen=True)
class Term:
    """One ranked term.

    Attributes:
        label: The most frequent written form (lower case), e.g. ``"medarbejdere"``.
        key: The sorted lemma tuple that identifies the term, e.g. ``("medarbejder",)``.
        frequency: Occurrences in the text (variants merged).
        document_frequency: Number of documents it occurs in.
        unit_frequency: Number of units (documents, paragraphs or sentences) it occurs in.
        score: The ranking score (C-value or frequency × specificity).
    """

    label: str
    key: tuple[str, ...]
    frequency: int
    document_frequency: int
    unit_frequency: int
    score: float

    @property
    def n_words(self) -> int:
        return len(self.key)

    @property
    def key_text(self) -> str:
        """The key as one string (lemmas joined by spaces): a stable node id."""
        return " ".join(self.key)


@dataclass(frozen=True)
class TermTable:
    """Ranked terms and where they occur.

    Attributes:
        terms: The kept terms, best first.
        matrix: ``len(terms) × n_units`` occurrence counts (CSR), row ``i`` for ``terms[i]``.
        unit_documents: For every unit, the index of its document.
        documents: The documents, in unit order.
        unit: What a unit is.
        n_tokens: Tokens seen (words, punctuation, numbers).
        n_words: Word tokens seen (tokens with a letter).
        n_candidates: Distinct candidate terms before ranking.
    """

    terms: tuple[Term, ...]
    matrix: sp.csr_matrix
    unit_documents: npt.NDArray[np.int64]
    documents: tuple[Document, ...]
    unit: Unit
    n_tokens: int
    n_words: int
    n_candidates: int
    stop_words: frozenset[str] = field(default_factory=frozenset)

    @property
    def n_units(self) -> int:
        return int(self.unit_documents.shape[0])


# --------------------------------------------------------------------------- user lists


def _read_text(path: Path, what: str) -> str:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise UnreadableInput(f"cannot read the {what} file {path}: {exc.strerror}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_stop_terms(path: Path) -> list[str]:
    """Read a stop-term file: one term per line; blank lines and ``#`` comments are ignored.

    Args:
        path: The file.

    Returns:
        The terms as written.

    Raises:
        UnreadableInput: The file cannot be read.
    """
    text = _read_text(path, "stop-term")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


def read_synonyms(path: Path) -> dict[str, str]:
    """Read a synonym file: lines ``variant = canonical``, or a CSV ``variant,canonical``.

    Blank lines, ``#`` comments and a CSV header ``variant,canonical`` are ignored.

    Args:
        path: The file.

    Returns:
        ``{variant: canonical}``.

    Raises:
        UnreadableInput: The file cannot be read or a line has neither ``=`` nor a comma.
    """
    text = _read_text(path, "synonym")
    result: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if "=" in stripped:
            variant, _, canonical = stripped.partition("=")
        else:
            row = next(csv.reader([stripped]))
            if len(row) < 2:
                raise UnreadableInput(
                    f"{path}, line {number}: {stripped!r} is not 'variant = canonical' "
                    "or 'variant,canonical'; fix or remove the line"
                )
            variant, canonical = row[0], row[1]
            if number == 1 and (variant.strip().lower(), canonical.strip().lower()) == (
                "variant",
                "canonical",
            ):
                continue
        if variant.strip() and canonical.strip():
            result[variant.strip()] = canonical.strip()
    return result


# --------------------------------------------------------------------------- extraction


@dataclass
class _Collector:
    """Occurrences of candidates (by surface n-gram id) per unit, in compact arrays."""

    surface_ids: dict[tuple[int, ...], int] = field(default_factory=dict)
    surface_lemmas: list[tuple[int, ...]] = field(default_factory=list)
    occ_surface: list[int] = field(default_factory=list)
    occ_unit: list[int] = field(default_factory=list)
    n_tokens: int = 0
    n_words: int = 0

    def add_run(self, lowers: list[int], lemmas: list[int], unit: int) -> None:
        """Record every n-gram (1..MAX_NGRAM) of one run of content tokens."""
        ids = self.surface_ids
        occ_s = self.occ_surface
        n = len(lowers)
        if n == 1:  # the most common run: one content word between stop words
            gram: tuple[int, ...] = (lowers[0],)
            sid = ids.get(gram)
            if sid is None:
                sid = len(ids)
                ids[gram] = sid
                self.surface_lemmas.append((lemmas[0],))
            occ_s.append(sid)
            self.occ_unit.append(unit)
            return
        for i in range(n):
            stop = min(n, i + MAX_NGRAM)
            for j in range(i + 1, stop + 1):
                gram = tuple(lowers[i:j])
                sid = ids.get(gram)
                if sid is None:
                    sid = len(ids)
                    ids[gram] = sid
                    self.surface_lemmas.append(tuple(lemmas[i:j]))
                occ_s.append(sid)
        self.occ_unit.extend([unit] * (_COUNTS[n] if n < len(_COUNTS) else _count(n)))

    def add_phrase(self, lowers: list[int], lemmas: list[int], unit: int) -> None:
        """Record one candidate phrase (noun-chunk mode) as it is."""
        gram = tuple(lowers)
        sid = self.surface_ids.get(gram)
        if sid is None:
            sid = len(self.surface_ids)
            self.surface_ids[gram] = sid
            self.surface_lemmas.append(tuple(lemmas))
        self.occ_surface.append(sid)
        self.occ_unit.append(unit)


def _distinct(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The distinct values, sorted (a sort is faster than np.unique's hashing here)."""
    if values.size == 0:
        return values
    ordered = np.sort(values, kind="stable")
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    distinct: npt.NDArray[np.int64] = ordered[keep]
    return distinct


def _count(n: int) -> int:
    """How many n-grams of length 1..MAX_NGRAM a run of ``n`` tokens has."""
    return sum(max(0, n - k + 1) for k in range(1, MAX_NGRAM + 1))


_COUNTS = [_count(n) for n in range(64)]


class _Classifier:
    """Decides, once per distinct word form, whether it breaks a candidate."""

    def __init__(
        self,
        nlp: Language,
        stops: frozenset[str],
        lemmatizer: CaseInsensitiveLemmatizer | None = None,
    ) -> None:
        self.strings = nlp.vocab.strings
        self.stops = stops
        self.breaks: dict[int, bool] = {}
        self.bracket_open = int(self.strings.add("["))
        self.bracket_close = int(self.strings.add("]"))
        #: With a context-free lemmatizer, lemmas are looked up here once per word form
        #: (lower-case hash -> lemma hash) instead of being set on every token by spaCy.
        self.lemmatizer = lemmatizer
        self.lemmas: dict[int, int] | None = {} if lemmatizer is not None else None

    def is_break(self, lower: int, lemma: int) -> bool:
        known = self.breaks.get(lower)
        if known is None:
            text = self.strings[lower]
            if self.lemmatizer is not None and self.lemmas is not None:
                lemma_text = self.lemmatizer.lemma_of(text)
                self.lemmas[lower] = int(self.strings.add(lemma_text))
            else:
                lemma_text = self.strings[lemma].lower() if lemma else text
            known = (
                text in self.stops
                or lemma_text in self.stops
                or not any(c.isalpha() for c in text)
                or any(c.isdigit() for c in text)
                or len(text) < 2
            )
            self.breaks[lower] = known
        return known


def _split_long(paragraph: str) -> list[str]:
    if len(paragraph) <= _MAX_CHARS:
        return [paragraph]
    pieces: list[str] = []
    current: list[str] = []
    size = 0
    for line in paragraph.splitlines():
        if size + len(line) > _MAX_CHARS and current:
            pieces.append("\n".join(current))
            current, size = [], 0
        current.append(line[:_MAX_CHARS])
        size += len(line) + 1
    if current:
        pieces.append("\n".join(current))
    return pieces


def _paragraphs(documents: Sequence[Document]) -> Iterator[tuple[str, tuple[int, int]]]:
    """(text, (document index, paragraph index)) for every paragraph."""
    paragraph = 0
    for d, document in enumerate(documents):
        for text in document.paragraphs:
            for piece in _split_long(text):
                yield piece, (d, paragraph)
            paragraph += 1


def _collect_ngrams(
    doc: Doc,
    collector: _Collector,
    classifier: _Classifier,
    unit: int,
    new_sentence: Callable[[], int] | None,
) -> None:
    """Walk one paragraph's tokens and record the n-grams of each run of content tokens.

    Args:
        doc: The paragraph.
        collector: Where occurrences go.
        classifier: Which word forms end a run.
        unit: The unit of the paragraph (ignored when ``new_sentence`` is given).
        new_sentence: In sentence mode, returns a new unit id for each sentence start.
    """
    arr = doc.to_array([LOWER, LEMMA, IS_PUNCT, LIKE_NUM, IS_SPACE, SENT_START]).tolist()
    lowers: list[int] = []
    lemmas: list[int] = []
    in_brackets = False
    bracket_open, bracket_close = classifier.bracket_open, classifier.bracket_close
    is_break = classifier.is_break
    own_lemmas = classifier.lemmas
    add_run = collector.add_run
    words = 0
    for lower, lemma, punct, num, space, sent_start in arr:
        if new_sentence is not None and sent_start == 1:
            if lowers:
                add_run(lowers, lemmas, unit)
                lowers, lemmas = [], []
            unit = new_sentence()
        if space:
            continue
        if lower == bracket_open:
            in_brackets = True
        elif lower == bracket_close:
            in_brackets = False
            punct = True
        if punct or num:
            if lowers:
                add_run(lowers, lemmas, unit)
                lowers, lemmas = [], []
            continue
        words += 1
        if in_brackets or is_break(lower, lemma):
            if lowers:
                add_run(lowers, lemmas, unit)
                lowers, lemmas = [], []
            continue
        lowers.append(lower)
        lemmas.append(own_lemmas[lower] if own_lemmas is not None else lemma)
    if lowers:
        add_run(lowers, lemmas, unit)
    collector.n_tokens += len(arr)
    collector.n_words += words


def _collect_chunks(
    doc: Doc,
    collector: _Collector,
    classifier: _Classifier,
    unit: int,
    new_sentence: Callable[[], int] | None,
) -> None:
    """Noun-chunk mode: trimmed noun phrases, their head-final parts, and single nouns."""
    starts: list[int] = [0]
    units: list[int] = [unit]
    if new_sentence is not None:
        sents = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
        starts = [s.start for s in sents] or [0]
        units = [new_sentence() for _ in starts]

    def unit_at(i: int) -> int:
        return units[bisect.bisect_right(starts, i) - 1]

    strings = doc.vocab.strings
    in_chunk: set[int] = set()
    for chunk in doc.noun_chunks:
        tail: list[int] = []
        for t in chunk:
            if t.is_punct or t.like_num or t.is_space or classifier.is_break(t.lower, t.lemma):
                tail = []  # keep the contiguous content run that ends in the head
                continue
            tail.append(t.i)
        tail = tail[-MAX_NGRAM:]
        if not tail:
            continue
        where = unit_at(tail[0])
        lowers = [doc[i].lower for i in tail]
        lemmas = [strings.add(doc[i].lemma_.lower()) for i in tail]
        for k in range(len(tail)):
            collector.add_phrase(lowers[k:], lemmas[k:], where)
        in_chunk.update(tail)
    for token in doc:
        if (
            token.i not in in_chunk
            and token.pos_ in ("NOUN", "PROPN")
            and not classifier.is_break(token.lower, token.lemma)
        ):
            collector.add_phrase(
                [token.lower], [strings.add(token.lemma_.lower())], unit_at(token.i)
            )
    collector.n_tokens += len(doc)
    collector.n_words += sum(1 for t in doc if not (t.is_punct or t.is_space or t.like_num))


def _lemma_key(nlp: Language, text: str) -> tuple[str, ...]:
    """The sorted lemma tuple of a term written by a user."""
    doc = nlp(text)
    return tuple(sorted(t.lemma_.lower() for t in doc if not (t.is_punct or t.is_space)))


@dataclass
class _Ranked:
    kid: int
    key: tuple[str, ...]
    label: str
    frequency: int
    score: float
    unit_frequency: int


def _rank(
    collector: _Collector,
    nlp: Language,
    *,
    n_units: int,
    synonyms: Mapping[tuple[str, ...], tuple[str, ...]],
    synonym_labels: Mapping[tuple[str, ...], str],
    stop_keys: frozenset[tuple[str, ...]],
    stops: frozenset[str],
    occ_unit: npt.NDArray[np.int64],
    occ_surface: npt.NDArray[np.int64],
) -> tuple[list[_Ranked], npt.NDArray[np.int64]]:
    """Rank merged keys; return them best first and the key id of every surface id."""
    strings = nlp.vocab.strings
    n_surface = len(collector.surface_lemmas)
    surface_freq = np.bincount(occ_surface, minlength=n_surface)

    # Ordered lemma n-grams (C-value is defined on ordered sequences).
    ordered_ids: dict[tuple[int, ...], int] = {}
    surface_ordered = np.empty(n_surface, dtype=np.int64)
    for sid, lem in enumerate(collector.surface_lemmas):
        oid = ordered_ids.get(lem)
        if oid is None:
            oid = len(ordered_ids)
            ordered_ids[lem] = oid
        surface_ordered[sid] = oid
    ordered = list(ordered_ids)
    ordered_freq = np.bincount(surface_ordered, weights=surface_freq, minlength=len(ordered))

    # Nested frequency: for every candidate b, each shorter contiguous part a gets f(b).
    nested_sum = np.zeros(len(ordered))
    nested_n = np.zeros(len(ordered))
    for oid, lem in enumerate(ordered):
        n = len(lem)
        if n < 2:
            continue
        f = ordered_freq[oid]
        if f < 2:
            continue  # rare containers barely change the parts; skipping them keeps this linear
        for size in range(1, n):
            for start in range(n - size + 1):
                part = ordered_ids.get(lem[start : start + size])
                if part is not None:
                    nested_sum[part] += f
                    nested_n[part] += 1
    with np.errstate(divide="ignore", invalid="ignore"):
        nested_avg = np.where(nested_n > 0, nested_sum / np.maximum(nested_n, 1), 0.0)
    adjusted = np.maximum(ordered_freq - nested_avg, 0.0)

    # Merge ordered n-grams into sorted-lemma keys (plus user synonyms).
    key_ids: dict[tuple[str, ...], int] = {}
    ordered_key = np.empty(len(ordered), dtype=np.int64)
    for oid, lem in enumerate(ordered):
        key = tuple(sorted(strings[h].lower() for h in lem))
        key = synonyms.get(key, key)
        kid = key_ids.get(key)
        if kid is None:
            kid = len(key_ids)
            key_ids[key] = kid
        ordered_key[oid] = kid
    keys = list(key_ids)
    n_keys = len(keys)
    key_freq = np.bincount(ordered_key, weights=ordered_freq, minlength=n_keys)
    key_adjusted = np.bincount(ordered_key, weights=adjusted, minlength=n_keys)
    surface_key = ordered_key[surface_ordered]

    # Unit frequency per key (distinct (key, unit) pairs).
    occ_key = surface_key[occ_surface]
    pair = _distinct(occ_key * np.int64(max(n_units, 1)) + occ_unit)
    key_units = np.bincount(pair // max(n_units, 1), minlength=n_keys)

    lengths = np.array([len(k) for k in keys], dtype=np.int64)
    idf = np.log((1.0 + n_units) / (1.0 + key_units)) + 1.0
    max_idf = math.log(1.0 + n_units) + 1.0
    # Specificity in (0, 1]: damped idf, so that widespread central terms keep most of their
    # weight while function-like words spread evenly over every unit lose it.
    specificity = np.sqrt(idf / max_idf)
    generic = _GENERIC.get(nlp.lang or "", frozenset())
    penalty = np.array(
        [0.1 if all(part in generic for part in k) else 1.0 for k in keys], dtype=np.float64
    )
    c_value = np.log2(np.maximum(lengths, 1)) * key_adjusted * penalty
    single_score = key_adjusted * specificity * penalty
    score = np.where(lengths >= 2, c_value, single_score)

    # Minimum evidence: a term must occur at least twice (and a phrase in two units).
    eligible = (key_freq >= 2) & ((lengths == 1) | (key_units >= 2))
    for kid, key in enumerate(keys):
        if key in stop_keys or any(part in stops for part in key):
            eligible[kid] = False
    order = np.lexsort((np.arange(n_keys), -key_freq, -score))
    ranked_ids = [int(k) for k in order if eligible[k] and score[k] > 0]

    # Labels: the most frequent surface form of each kept key.
    best_label: dict[int, tuple[float, str]] = {}
    wanted = set(ranked_ids)
    for gram, sid in collector.surface_ids.items():
        kid = int(surface_key[sid])
        if kid not in wanted:
            continue
        f = float(surface_freq[sid])
        current = best_label.get(kid)
        if current is None or f > current[0]:
            best_label[kid] = (f, " ".join(strings[h] for h in gram))
    ranked = [
        _Ranked(
            kid=k,
            key=keys[k],
            label=synonym_labels.get(keys[k], best_label[k][1]),
            frequency=int(key_freq[k]),
            score=float(score[k]),
            unit_frequency=int(key_units[k]),
        )
        for k in ranked_ids
    ]
    return ranked, surface_key


def _prepare_user_lists(
    nlp: Language,
    stop_terms: Iterable[str],
    synonyms: Mapping[str, str] | None,
) -> tuple[
    frozenset[str],
    frozenset[tuple[str, ...]],
    dict[tuple[str, ...], tuple[str, ...]],
    dict[tuple[str, ...], str],
]:
    single_stops: set[str] = set()
    stop_keys: set[tuple[str, ...]] = set()
    for term in stop_terms:
        key = _lemma_key(nlp, term)
        if not key:
            continue
        stop_keys.add(key)
        if len(key) == 1:
            single_stops.add(key[0])
            single_stops.add(term.strip().lower())
    synonym_keys: dict[tuple[str, ...], tuple[str, ...]] = {}
    labels: dict[tuple[str, ...], str] = {}
    for variant, canonical in (synonyms or {}).items():
        vkey, ckey = _lemma_key(nlp, variant), _lemma_key(nlp, canonical)
        if vkey and ckey and vkey != ckey:
            synonym_keys[vkey] = ckey
        if ckey:
            labels[ckey] = canonical.strip().lower()
    return frozenset(single_stops), frozenset(stop_keys), synonym_keys, labels


def extract_term_table(
    documents: Sequence[Document],
    *,
    nlp: Language | None = None,
    lang: Lang = "da",
    unit: Unit = "paragraph",
    max_terms: int = 150,
    stop_terms: Iterable[str] = (),
    synonyms: Mapping[str, str] | None = None,
    batch_size: int = 512,
    progress: Callable[[int, int], None] | None = None,
) -> TermTable:
    """Find, rank and locate the terms of a corpus.

    Args:
        documents: The cleaned documents.
        nlp: A pipeline from :func:`analysis.nlp.load_pipeline`; loaded for ``lang`` if None.
        lang: The language, when ``nlp`` is None.
        unit: What counts as one context: a document, a paragraph or a sentence.
        max_terms: How many terms to keep (best first).
        stop_terms: Terms never to keep (any form; one-word stop terms also end phrases).
        synonyms: ``{variant: canonical}``; the variant's occurrences count for the canonical.
        batch_size: Texts per spaCy batch.
        progress: Called with ``(paragraphs done, paragraphs in total)`` now and then.

    Returns:
        The term table (terms best first with their term × unit matrix).

    Raises:
        InvalidParameter: ``unit`` or ``max_terms`` is invalid.
    """
    if unit not in UNITS:
        raise InvalidParameter(f"unit = {unit!r} is not valid; use one of {', '.join(UNITS)}")
    if max_terms < 1:
        raise InvalidParameter(f"max_terms = {max_terms} is invalid; it must be >= 1")
    if nlp is None:
        nlp = load_pipeline(lang=lang)
    documents = tuple(documents)
    single_stops, stop_keys, synonym_keys, synonym_labels = _prepare_user_lists(
        nlp, stop_terms, synonyms
    )
    stops = stop_words(nlp, single_stops)
    lemmatizer = nlp.get_pipe("lemmatizer") if nlp.has_pipe("lemmatizer") else None
    own = isinstance(lemmatizer, CaseInsensitiveLemmatizer) and not has_noun_chunks(nlp)
    classifier = _Classifier(
        nlp,
        stops,
        lemmatizer if own and isinstance(lemmatizer, CaseInsensitiveLemmatizer) else None,
    )
    collector = _Collector()
    chunk_mode = has_noun_chunks(nlp)
    sentences = unit == "sentence"
    disable = components_to_disable(nlp, sentences=sentences)
    if own:
        disable.append("lemmatizer")  # looked up per word form in the classifier instead

    paragraphs = list(_paragraphs(documents))
    total = len(paragraphs)
    unit_documents: list[int] = list(range(len(documents))) if unit == "document" else []
    last_paragraph = -1
    walk = _collect_chunks if chunk_mode else _collect_ngrams
    step = max(1, total // 100)
    texts = (text for text, _ in paragraphs)
    for i, doc in enumerate(nlp.pipe(texts, batch_size=batch_size, disable=disable)):
        d, p = paragraphs[i][1]
        new_sentence: Callable[[], int] | None = None
        if unit == "document":
            here = d
        elif unit == "paragraph":
            if p != last_paragraph:
                unit_documents.append(d)
                last_paragraph = p
            here = len(unit_documents) - 1
        else:
            here = -1

            def new_sentence(d: int = d) -> int:
                unit_documents.append(d)
                return len(unit_documents) - 1

        walk(doc, collector, classifier, here, new_sentence)
        if progress is not None and (i % step == 0 or i == total - 1):
            progress(i + 1, total)
    n_units = len(unit_documents)
    unit_docs = np.asarray(unit_documents, dtype=np.int64)
    occ_surface = np.asarray(collector.occ_surface, dtype=np.int64)
    occ_unit = np.asarray(collector.occ_unit, dtype=np.int64)
    if occ_surface.shape != occ_unit.shape:  # pragma: no cover - internal invariant
        raise AssertionError("occurrence arrays out of step")

    ranked, surface_key = _rank(
        collector,
        nlp,
        n_units=n_units,
        synonyms=synonym_keys,
        synonym_labels=synonym_labels,
        stop_keys=stop_keys,
        stops=stops,
        occ_unit=occ_unit,
        occ_surface=occ_surface,
    )
    kept = ranked[:max_terms]
    key_row = np.full(int(surface_key.max()) + 1 if surface_key.size else 0, -1, dtype=np.int64)
    for row, r in enumerate(kept):
        key_row[r.kid] = row
    occ_row = key_row[surface_key[occ_surface]] if occ_surface.size else occ_surface
    mask = occ_row >= 0
    rows, cols = occ_row[mask], occ_unit[mask]
    matrix = sp.csr_matrix(
        (np.ones(rows.shape[0], dtype=np.float64), (rows, cols)),
        shape=(len(kept), n_units),
    )
    matrix.sum_duplicates()
    doc_pairs = _distinct(rows * np.int64(max(len(documents), 1)) + unit_docs[cols])
    doc_freq = np.bincount(doc_pairs // max(len(documents), 1), minlength=len(kept))
    terms = tuple(
        Term(
            label=r.label,
            key=r.key,
            frequency=r.frequency,
            document_frequency=int(doc_freq[i]),
            unit_frequency=r.unit_frequency,
            score=r.score,
        )
        for i, r in enumerate(kept)
    )
    log.debug(
        "terms: %d paragraphs, %d units, %d tokens, %d candidates, kept %d",
        total,
        n_units,
        collector.n_tokens,
        len(collector.surface_ids),
        len(terms),
    )
    return TermTable(
        terms=terms,
        matrix=matrix,
        unit_documents=unit_docs,
        documents=documents,
        unit=unit,
        n_tokens=collector.n_tokens,
        n_words=collector.n_words,
        n_candidates=len(collector.surface_ids),
        stop_words=stops,
    )


def extract_terms(
    texts: Sequence[str],
    *,
    lang: Lang = "da",
    nlp: Language | None = None,
    max_terms: int = 20,
    stop_terms: Iterable[str] = (),
    synonyms: Mapping[str, str] | None = None,
) -> list[Term]:
    """Key terms of a few short texts (e.g. answers to one question), best first.

    Each text is one unit and one document, so ``document_frequency`` says how many texts
    use the term.

    Args:
        texts: The texts.
        lang: Their language (when ``nlp`` is None).
        nlp: A pipeline from :func:`analysis.nlp.load_pipeline`, to reuse a loaded one.
        max_terms: How many terms to return.
        stop_terms: Terms never to return.
        synonyms: ``{variant: canonical}``.

    Returns:
        Up to ``max_terms`` terms; empty when the texts hold no term that occurs twice.

    Raises:
        InvalidParameter: ``max_terms`` < 1.

    >>> terms = extract_terms(["Mere tid til kurser.", "Kurser og kurser kræver tid."])
    >>> [(t.label, t.frequency, t.document_frequency) for t in terms][:1]
    [('kurser', 3, 2)]
    """
    documents = [Document(id=str(i), text=text) for i, text in enumerate(texts) if text.strip()]
    if not documents:
        if max_terms < 1:
            raise InvalidParameter(f"max_terms = {max_terms} is invalid; it must be >= 1")
        return []
    table = extract_term_table(
        documents,
        nlp=nlp,
        lang=lang,
        unit="document",
        max_terms=max_terms,
        stop_terms=stop_terms,
        synonyms=synonyms,
    )
    return list(table.terms)
