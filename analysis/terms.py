"""Stage 3: candidate terms, their ranking and a term × unit matrix, in named steps.

Like textacy's sgrank, extraction is a row of small steps, each a function:

1. **Candidates** (:func:`_collect_phrases`, or :func:`_collect_chunks` with a trained
   parser): maximal noun phrases — modifiers (adjectives, participles) and a head noun —
   inside runs that never cross a stop word, punctuation, a number, a line break, a
   redaction placeholder such as ``[navn]``, a verb or an adverb. Word classes come from
   package data (:mod:`analysis.wordclass`) or from a trained pipeline's tags. A phrase's
   head-final parts (*lederuddannelse* in *grundlæggende lederuddannelse*) are candidates too.
   Variants whose lemmas are the same regardless of order and inflection are one term
   (key = the sorted lemma tuple).
2. **Counts** (:func:`_count`): frequency, unit and document frequency per key.
3. **Prefilter** (:func:`_prefilter`): at least two occurrences (a phrase in two units), no
   stop term.
4. **Weights** (:func:`_weigh`): specificity against general language (wordfreq's Danish or
   English frequencies) × log frequency × spread over documents.
5. **Selection** (:func:`_select`): the best terms; every occurrence counts for the longest
   selected term that covers it, and a part that never stands on its own is not a node.
6. **Labels** (:func:`_label`): one word is labelled by its base form, a phrase by its most
   frequent written form; all written forms are kept as ``variants``.

The hot loop works on spaCy's 64-bit string hashes and appends to compact arrays; strings
are built only for distinct candidates.
"""

from __future__ import annotations

import bisect
import csv
import functools
import logging
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from spacy.attrs import IS_PUNCT, IS_SPACE, LEMMA, LIKE_NUM, LOWER, ORTH, SENT_START
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
from analysis.wordclass import (
    WordClasses,
    foreign_function_words,
    general_frequencies,
    word_classes,
)

__all__ = [
    "UNITS",
    "Term",
    "TermTable",
    "Unit",
    "extract_term_table",
    "extract_terms",
    "general_frequency",
    "noun_phrases",
    "read_stop_terms",
    "read_synonyms",
]

log = logging.getLogger(__name__)

Unit = Literal["document", "paragraph", "sentence"]
UNITS: tuple[Unit, ...] = ("document", "paragraph", "sentence")

#: Longest term, in words (Danish writes compounds as one word).
MAX_TERM_WORDS = 3
#: Paragraphs longer than this are split on line breaks before spaCy sees them.
_MAX_CHARS = 100_000
#: Specificity: a term must be at least this many times more frequent in the corpus than
#: in general language, and counts as at most ``_MAX_RATIO`` times (so one rare phrase
#: cannot outrank the corpus's central terms on its rarity alone).
_MIN_RATIO = 2.0
_MAX_RATIO = 2.0**12


@dataclass(frozen=True)
class Term:
    """One ranked term.

    Attributes:
        label: The base form of a one-word term (``"medarbejder"``), the most frequent
            written form of a phrase (``"kortuddannede medarbejdere"``), lower case.
        key: The sorted lemma tuple that identifies the term, e.g. ``("medarbejder",)``.
        frequency: Occurrences in the text (variants merged).
        document_frequency: Number of documents it occurs in.
        unit_frequency: Number of units (documents, paragraphs or sentences) it occurs in.
        score: The ranking score (specificity × log frequency × spread).
        variants: The written forms merged into the term, most frequent first.
    """

    label: str
    key: tuple[str, ...]
    frequency: int
    document_frequency: int
    unit_frequency: int
    score: float
    variants: tuple[str, ...] = ()

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


#: Token kinds in a run of content words: a break, a noun (heads a term), a modifier.
_BREAK, _NOUN, _MOD = 0, 1, 2


@dataclass
class _Collector:
    """Occurrences of candidate phrases (maximal noun phrases, by surface id) per unit."""

    surface_ids: dict[tuple[int, ...], int] = field(default_factory=dict)
    surface_lemmas: list[tuple[int, ...]] = field(default_factory=list)
    occ_surface: list[int] = field(default_factory=list)
    occ_unit: list[int] = field(default_factory=list)
    n_tokens: int = 0
    n_words: int = 0

    def add_phrase(self, lowers: Sequence[int], lemmas: Sequence[int], unit: int) -> None:
        """Record one occurrence of a candidate phrase (its parts are derived when ranking)."""
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


class _Classifier:
    """Decides, once per distinct word form, what it is in a candidate: break, noun, modifier.

    A form breaks a candidate when it is a stop word, has no letter or a digit, is one
    character long, or is a function word of the other language (more frequent there than
    here, by wordfreq). Otherwise its word class decides: nouns head terms, adjectives and
    participles may modify them, everything else (verbs, adverbs) breaks.
    """

    def __init__(
        self,
        nlp: Language,
        stops: frozenset[str],
        lemmatizer: CaseInsensitiveLemmatizer | None = None,
        classes: WordClasses | None = None,
    ) -> None:
        self.strings = nlp.vocab.strings
        self.stops = stops
        self.kinds: dict[int, int] = {}
        self.stopped: dict[int, bool] = {}
        self.bracket_open = int(self.strings.add("["))
        self.bracket_close = int(self.strings.add("]"))
        #: With a context-free lemmatizer, lemmas are looked up here once per word form
        #: (lower-case hash -> lemma hash) instead of being set on every token by spaCy.
        self.lemmatizer = lemmatizer
        self.lemmas: dict[int, int] | None = {} if lemmatizer is not None else None
        self.classes = classes
        lang = nlp.lang or ""
        self.foreign = foreign_function_words(lang)

    def is_break(self, lower: int, lemma: int) -> bool:
        """Whether the form can never be part of a term (stop word, number, foreign word)."""
        known = self.stopped.get(lower)
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
                or text in self.foreign
                or not all(c.isalpha() or c in "-'’" for c in text)  # m.v., and/or
                or not any(c.isalpha() for c in text)
                or any(c.isdigit() for c in text)
                or len(text) < 2
            )
            self.stopped[lower] = known
        return known

    def kind(self, lower: int, lemma: int) -> int:
        """``_BREAK``, ``_NOUN`` or ``_MOD`` for a form (cached)."""
        known = self.kinds.get(lower)
        if known is None:
            if self.is_break(lower, lemma):
                known = _BREAK
            elif self.classes is None:
                known = _NOUN
            else:
                cls = self.classes.of(self.strings[lower])
                known = _NOUN if cls == "NOUN" else _MOD if cls == "ADJ" else _BREAK
            self.kinds[lower] = known
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


def noun_phrases(kinds: Sequence[int], *, noun_sequences: bool) -> list[tuple[int, int]]:
    """The maximal noun phrases of a run of nouns and modifiers, as ``(start, end)`` spans.

    A phrase is modifiers followed by its head noun (``_MOD* _NOUN``); with
    ``noun_sequences`` (English: *source code*) nouns may also modify the next noun. A noun
    directly after a noun starts a new phrase otherwise (Danish writes compounds as one
    word, so two nouns in a row are an enumeration). Modifiers with no noun after them are
    dropped. Phrases longer than ``MAX_TERM_WORDS`` keep their last words.

    >>> noun_phrases([_MOD, _NOUN, _NOUN, _MOD], noun_sequences=False)
    [(0, 2), (2, 3)]
    """
    spans: list[tuple[int, int]] = []
    start = -1
    last_noun = -1
    for i, k in enumerate(kinds):
        if start >= 0 and last_noun == i - 1 and (k == _MOD or not noun_sequences):
            spans.append((max(start, i - MAX_TERM_WORDS), i))
            start = -1
        if start < 0:
            start = i
        if k == _NOUN:
            last_noun = i
    if start >= 0 and last_noun >= start:
        spans.append((max(start, last_noun + 1 - MAX_TERM_WORDS), last_noun + 1))
    return spans


def _collect_phrases(
    doc: Doc,
    collector: _Collector,
    classifier: _Classifier,
    unit: int,
    new_sentence: Callable[[], int] | None,
) -> None:
    """Lookup mode: record the noun phrases of each run of content tokens in one paragraph.

    A run ends at punctuation, a number, a line break, a redaction placeholder (``[navn]``)
    and at every word that is not a noun or an adjective (by :class:`WordClasses`).
    """
    arr = doc.to_array([LOWER, LEMMA, IS_PUNCT, LIKE_NUM, IS_SPACE, SENT_START]).tolist()
    lowers: list[int] = []
    lemmas: list[int] = []
    kinds: list[int] = []
    in_brackets = False
    bracket_open, bracket_close = classifier.bracket_open, classifier.bracket_close
    kind_of = classifier.kind
    known_kind = classifier.kinds.get
    own_lemmas = classifier.lemmas
    noun_sequences = classifier.classes is not None and classifier.classes.lang == "en"
    add = collector.add_phrase

    def flush() -> None:
        if len(kinds) == 1:  # the most common run: one word between breaks
            if kinds[0] == _NOUN:
                add(lowers, lemmas, unit)
        else:
            for a, b in noun_phrases(kinds, noun_sequences=noun_sequences):
                add(lowers[a:b], lemmas[a:b], unit)
        lowers.clear()
        lemmas.clear()
        kinds.clear()

    words = 0
    for i, (lower, lemma, punct, num, space, sent_start) in enumerate(arr):
        if new_sentence is not None and sent_start == 1:
            if kinds:
                flush()
            unit = new_sentence()
        if space:
            if kinds and "\n" in doc[i].text:
                flush()  # a list item or a line of a table ends here
            continue
        if lower == bracket_open:
            in_brackets = True
        elif lower == bracket_close:
            in_brackets = False
            punct = True
        if punct or num:
            if kinds:
                flush()
            continue
        words += 1
        k = known_kind(lower)
        if k is None:
            k = kind_of(lower, lemma)
        if in_brackets:
            k = _BREAK
        if k == _BREAK:
            if kinds:
                flush()
            continue
        lowers.append(lower)
        lemmas.append(own_lemmas[lower] if own_lemmas is not None else lemma)
        kinds.append(k)
    if kinds:
        flush()
    collector.n_tokens += len(arr)
    collector.n_words += words


class _PhraseBatch:
    """Lookup mode for document and paragraph units: :func:`_collect_phrases` over many
    paragraphs at once, with the per-token work done on numpy arrays.

    The decisions are those of :func:`_collect_phrases` token by token (same breaks, same
    phrases, recorded in the same order); only the word classes of distinct forms and the
    phrases themselves are handled in Python. Sentence units keep the per-token walk.
    """

    _ATTRS = (LOWER, LEMMA, IS_PUNCT, LIKE_NUM, IS_SPACE, ORTH)

    def __init__(self, collector: _Collector, classifier: _Classifier) -> None:
        self.collector = collector
        self.classifier = classifier
        self.arrays: list[npt.NDArray[np.uint64]] = []
        self.units: list[int] = []
        self.newline: dict[int, bool] = {}  # space token orth -> holds a line break

    def __len__(self) -> int:
        return len(self.arrays)

    def add(self, doc: Doc, unit: int) -> None:
        if len(doc):
            attrs: npt.NDArray[np.uint64] = np.asarray(doc.to_array(list(self._ATTRS)))
            self.arrays.append(attrs)
            self.units.append(unit)

    def run(self) -> None:
        """Record the phrases of the paragraphs added since the last run."""
        if not self.arrays:
            return
        classifier, collector = self.classifier, self.collector
        lengths = np.fromiter((a.shape[0] for a in self.arrays), dtype=np.int64)
        arr = np.concatenate(self.arrays)
        units = np.repeat(np.asarray(self.units, dtype=np.int64), lengths)
        doc_id = np.repeat(np.arange(lengths.size, dtype=np.int64), lengths)
        self.arrays, self.units = [], []
        n = arr.shape[0]
        collector.n_tokens += n
        lower, lemma = arr[:, 0], arr[:, 1]
        space = arr[:, 4] != 0
        opening = lower == np.uint64(classifier.bracket_open)
        closing = lower == np.uint64(classifier.bracket_close)
        # In brackets: the last bracket (or paragraph start) at or before a token opened.
        starts = np.zeros(n, dtype=bool)
        starts[np.cumsum(lengths)[:-1]] = True
        starts[0] = True
        events = np.where(opening | closing | starts, np.arange(n), 0)
        in_brackets = opening[np.maximum.accumulate(events)]
        stopped = (arr[:, 2] != 0) | (arr[:, 3] != 0) | closing  # punctuation, number, "]"
        # A space token is skipped, unless it holds a line break: that ends a run.
        newline = np.zeros(n, dtype=bool)
        space_at = np.flatnonzero(space)
        if space_at.size:
            known = self.newline
            strings = classifier.strings
            orths = arr[space_at, 5].tolist()
            for orth in set(orths):
                if orth not in known:
                    known[orth] = "\n" in strings[orth]
            newline[space_at] = [known[o] for o in orths]
        # Word classes of the words, once per distinct form (the first occurrence's lemma,
        # as the per-token walk passes it).
        word = ~space & ~stopped
        word_at = np.flatnonzero(word)
        collector.n_words += int(word_at.size)
        kind = np.zeros(n, dtype=np.int64)
        lemmas = np.zeros(n, dtype=np.uint64)
        if word_at.size:
            forms, first, inverse = np.unique(
                lower[word_at], return_index=True, return_inverse=True
            )
            known_kind = classifier.kinds.get
            kind_of = classifier.kind
            first_lemmas = lemma[word_at[first]].tolist()
            form_kinds = []
            for form, form_lemma in zip(forms.tolist(), first_lemmas, strict=True):
                k = known_kind(form)
                form_kinds.append(kind_of(form, form_lemma) if k is None else k)
            kind[word_at] = np.asarray(form_kinds, dtype=np.int64)[inverse.reshape(-1)]
            own_lemmas = classifier.lemmas
            if own_lemmas is not None:
                form_lemmas = np.asarray([own_lemmas[f] for f in forms.tolist()], dtype=np.uint64)
                lemmas[word_at] = form_lemmas[inverse.reshape(-1)]
            else:
                lemmas[word_at] = lemma[word_at]
        kind[in_brackets] = _BREAK
        # Runs of nouns and modifiers over the tokens that are not skipped spaces.
        kept = np.flatnonzero(~space | newline)
        content = kind[kept] != _BREAK
        kept_doc = doc_id[kept]
        new_doc = np.ones(kept.size, dtype=bool)
        new_doc[1:] = kept_doc[1:] != kept_doc[:-1]
        before = np.zeros(kept.size, dtype=bool)
        before[1:] = content[:-1]
        run_start = content & (new_doc | ~before)
        at = kept[content]
        first_of_run = run_start[content]
        run_starts = np.flatnonzero(first_of_run)
        run_ends = np.append(run_starts[1:], at.size) if run_starts.size else run_starts
        lowers = lower[at].tolist()
        lemma_list = lemmas[at].tolist()
        kinds = kind[at].tolist()
        run_units = units[at[run_starts]].tolist()
        noun_sequences = classifier.classes is not None and classifier.classes.lang == "en"
        add = collector.add_phrase
        for s, e, unit in zip(run_starts.tolist(), run_ends.tolist(), run_units, strict=True):
            if e - s == 1:  # the most common run: one word between breaks
                if kinds[s] == _NOUN:
                    add(lowers[s:e], lemma_list[s:e], unit)
            else:
                for a, b in noun_phrases(kinds[s:e], noun_sequences=noun_sequences):
                    add(lowers[s + a : s + b], lemma_list[s + a : s + b], unit)


def _collect_chunks(
    doc: Doc,
    collector: _Collector,
    classifier: _Classifier,
    unit: int,
    new_sentence: Callable[[], int] | None,
) -> None:
    """Trained-pipeline mode: noun chunks trimmed to modifiers + head, and single nouns."""
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
        if chunk.root.pos_ not in ("NOUN", "PROPN"):
            continue
        tail: list[int] = []
        for t in chunk:
            if t.i > chunk.root.i:
                break
            if (
                t.is_punct
                or t.like_num
                or t.is_space
                or t.pos_ not in ("NOUN", "PROPN", "ADJ")
                or classifier.is_break(t.lower, t.lemma)
            ):
                tail = []  # keep the contiguous content run that ends in the head
                continue
            tail.append(t.i)
        tail = tail[-MAX_TERM_WORDS:]
        if not tail or tail[-1] != chunk.root.i:
            continue
        collector.add_phrase(
            [doc[i].lower for i in tail],
            [strings.add(doc[i].lemma_.lower()) for i in tail],
            unit_at(tail[0]),
        )
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


# --------------------------------------------------------------------------- ranking steps


@dataclass
class _Candidates:
    """Step 1: every candidate key (a phrase and its head-final parts) and where it occurs.

    Attributes:
        keys: Sorted lemma tuples, by key id.
        surface_keys: ``n_surface × MAX_TERM_WORDS`` key ids of each phrase's suffixes,
            the whole phrase first, ``-1`` padding.
        occ_keys: The same per occurrence (``surface_keys[occ_surface]``).
        forms: Per key id, ``{surface text: count}``.
    """

    keys: list[tuple[str, ...]]
    surface_keys: npt.NDArray[np.int64]
    occ_keys: npt.NDArray[np.int64]
    forms: list[dict[str, int]]


def _candidates(
    collector: _Collector,
    nlp: Language,
    synonyms: Mapping[tuple[str, ...], tuple[str, ...]],
    occ_surface: npt.NDArray[np.int64],
) -> _Candidates:
    strings = nlp.vocab.strings
    n_surface = len(collector.surface_lemmas)
    surface_freq = np.bincount(occ_surface, minlength=n_surface)
    key_ids: dict[tuple[str, ...], int] = {}
    forms: list[dict[str, int]] = []
    surface_keys = np.full((n_surface, MAX_TERM_WORDS), -1, dtype=np.int64)
    for gram, sid in collector.surface_ids.items():
        lem = collector.surface_lemmas[sid]
        f = int(surface_freq[sid])
        for k in range(len(lem)):
            key = tuple(sorted(strings[h].lower() for h in lem[k:]))
            key = synonyms.get(key, key)
            kid = key_ids.get(key)
            if kid is None:
                kid = len(key_ids)
                key_ids[key] = kid
                forms.append({})
            surface_keys[sid, k] = kid
            if f:
                text = " ".join(strings[h] for h in gram[k:])
                forms[kid][text] = forms[kid].get(text, 0) + f
    occ_keys = surface_keys[occ_surface] if occ_surface.size else surface_keys[:0]
    return _Candidates(list(key_ids), surface_keys, occ_keys, forms)


@dataclass
class _Counts:
    """Step 2: frequency, unit and document frequency of every candidate key."""

    frequency: npt.NDArray[np.int64]
    units: npt.NDArray[np.int64]
    documents: npt.NDArray[np.int64]


def _count(
    cand: _Candidates, occ_unit: npt.NDArray[np.int64], unit_docs: npt.NDArray[np.int64]
) -> _Counts:
    n_keys = len(cand.keys)
    mask = cand.occ_keys >= 0
    kids = cand.occ_keys[mask]
    units = np.broadcast_to(occ_unit[:, None], cand.occ_keys.shape)[mask]
    n_units = max(int(unit_docs.shape[0]), 1)
    n_docs = max(int(unit_docs.max()) + 1 if unit_docs.size else 1, 1)
    frequency = np.bincount(kids, minlength=n_keys)
    unit_pairs = _distinct(kids * np.int64(n_units) + units)
    doc_pairs = _distinct(kids * np.int64(n_docs) + unit_docs[units] if units.size else kids)
    return _Counts(
        frequency=frequency,
        units=np.bincount(unit_pairs // n_units, minlength=n_keys),
        documents=np.bincount(doc_pairs // n_docs, minlength=n_keys),
    )


def _prefilter(
    cand: _Candidates,
    counts: _Counts,
    *,
    stop_keys: frozenset[tuple[str, ...]],
    stops: frozenset[str],
) -> npt.NDArray[np.bool_]:
    """Step 3: enough evidence (twice; a phrase in two units) and no stop term or part."""
    lengths = np.array([len(k) for k in cand.keys], dtype=np.int64)
    eligible: npt.NDArray[np.bool_] = (counts.frequency >= 2) & (
        (lengths == 1) | (counts.units >= 2)
    )
    for kid in np.flatnonzero(eligible):
        key = cand.keys[kid]
        if key in stop_keys or any(part in stops for part in key):
            eligible[kid] = False
    return eligible


def general_frequency(forms: Iterable[str], lang: str) -> float:
    """How often a term's written forms occur in general ``lang`` text (wordfreq).

    A one-word term sums its forms' frequencies; a phrase combines its words' frequencies
    as wordfreq does (the reciprocal of the summed reciprocals), so a phrase is rarer than
    its rarest word. Words missing from wordfreq's list count as half its rarest word.

    >>> general_frequency(["behov"], "da") > general_frequency(["efteruddannelse"], "da")
    True
    """
    table, floor = _frequency_table(lang)
    total = 0.0
    for form in forms:
        words = form.split()
        if len(words) == 1:
            total += table.get(words[0], floor)
        else:
            total += 1.0 / sum(1.0 / table.get(w, floor) for w in words)
    return max(total, floor)


@functools.lru_cache(maxsize=4)
def _frequency_table(lang: str) -> tuple[dict[str, float], float]:
    table = general_frequencies(lang)
    return table, min(table.values()) / 2


def _weigh(
    cand: _Candidates,
    counts: _Counts,
    eligible: npt.NDArray[np.bool_],
    *,
    lang: str,
    n_words: int,
    n_docs: int,
) -> npt.NDArray[np.float64]:
    """Step 4: score = specificity × log frequency × spread over documents.

    Specificity is log2 of the term's relative frequency in the corpus over its frequency in
    general language (wordfreq), capped at ``_MAX_RATIO``; a term no more frequent than in
    general language (a function word, *behov* in most texts) scores 0 and is dropped.
    Spread is the share of documents that use the term, as a factor from 0.5 (one document
    of many) to 1 (every document).
    """
    score = np.zeros(len(cand.keys), dtype=np.float64)
    words = max(n_words, 1)
    for kid in np.flatnonzero(eligible):
        f = float(counts.frequency[kid])
        general = general_frequency(cand.forms[kid], lang)
        ratio = min((f / words) / general, _MAX_RATIO)
        if ratio <= _MIN_RATIO:
            continue
        spread = 0.5 + 0.5 * float(counts.documents[kid]) / max(n_docs, 1)
        score[kid] = math.log2(ratio) * math.log2(1.0 + f) * spread
    return score


def _assign(
    occ_keys: npt.NDArray[np.int64], selected: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int64]:
    """Step 5: each occurrence counts for its longest selected term (``-1``: none)."""
    if occ_keys.size == 0:
        return np.zeros(0, dtype=np.int64)
    hit = (occ_keys >= 0) & selected[np.maximum(occ_keys, 0)]
    first = hit.argmax(axis=1)
    rows = np.arange(occ_keys.shape[0])
    assigned: npt.NDArray[np.int64] = np.where(hit[rows, first], occ_keys[rows, first], -1)
    return assigned


def _select(
    cand: _Candidates,
    score: npt.NDArray[np.float64],
    frequency: npt.NDArray[np.int64],
    max_terms: int,
) -> tuple[list[int], npt.NDArray[np.int64]]:
    """Step 6: the best ``max_terms`` terms whose parts stand on their own.

    A term that occurs (almost) only inside a longer selected term is not a node of its
    own: its occurrences go to the longer term. Such parts are dropped and the next best
    candidates fill their place (a few rounds).
    """
    n_keys = len(cand.keys)
    order = [int(k) for k in np.lexsort((np.arange(n_keys), -frequency, -score)) if score[k] > 0]
    dropped: set[int] = set()
    chosen: list[int] = []
    assigned = np.zeros(0, dtype=np.int64)
    for _ in range(4):
        chosen = [k for k in order if k not in dropped][:max_terms]
        selected = np.zeros(n_keys, dtype=bool)
        selected[chosen] = True
        assigned = _assign(cand.occ_keys, selected)
        own = np.bincount(assigned[assigned >= 0], minlength=n_keys)
        parts = {k for k in chosen if own[k] < 2}
        if not parts:
            break
        dropped |= parts
    return chosen, assigned


def _label(
    key: tuple[str, ...], forms: Mapping[str, int], classes: WordClasses | None
) -> tuple[str, tuple[str, ...]]:
    """A term's label and its written variants (most frequent first).

    One word: its base form (the lemma), as Cortext and VOSviewer show, when that is a noun
    (a gerund such as *conveying* keeps its written form, not the verb *convey*); a phrase:
    its most frequent written form (a lemma per word would break agreement: *kortuddannet
    medarbejder*).
    """
    variants = tuple(sorted(forms, key=lambda f: (-forms[f], f)))
    if len(key) == 1 and (classes is None or classes.is_noun(key[0]) or not variants):
        return key[0], variants
    return (variants[0] if variants else " ".join(key)), variants


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
    lang_code = nlp.lang or lang
    lemmatizer = nlp.get_pipe("lemmatizer") if nlp.has_pipe("lemmatizer") else None
    chunk_mode = has_noun_chunks(nlp)
    own = isinstance(lemmatizer, CaseInsensitiveLemmatizer) and not chunk_mode
    classes: WordClasses | None = None
    if not chunk_mode:
        if lang_code not in ("da", "en"):
            raise InvalidParameter(
                f"lang = {lang_code!r} has no word-class data; use 'da' or 'en', or a "
                "trained pipeline with a parser"
            )
        classes = word_classes(lang_code)
    classifier = _Classifier(
        nlp,
        stops,
        lemmatizer if own and isinstance(lemmatizer, CaseInsensitiveLemmatizer) else None,
        classes,
    )
    collector = _Collector()
    sentences = unit == "sentence"
    disable = components_to_disable(nlp, sentences=sentences)
    if own:
        disable.append("lemmatizer")  # looked up per word form in the classifier instead

    paragraphs = list(_paragraphs(documents))
    total = len(paragraphs)
    unit_documents: list[int] = list(range(len(documents))) if unit == "document" else []
    last_paragraph = -1
    walk = _collect_chunks if chunk_mode else _collect_phrases
    batch = None if chunk_mode or sentences else _PhraseBatch(collector, classifier)
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

        if batch is None:
            walk(doc, collector, classifier, here, new_sentence)
        else:
            batch.add(doc, here)
            if len(batch) >= batch_size:
                batch.run()
        if progress is not None and (i % step == 0 or i == total - 1):
            progress(i + 1, total)
    if batch is not None:
        batch.run()
    n_units = len(unit_documents)
    unit_docs = np.asarray(unit_documents, dtype=np.int64)
    occ_surface = np.asarray(collector.occ_surface, dtype=np.int64)
    occ_unit = np.asarray(collector.occ_unit, dtype=np.int64)
    if occ_surface.shape != occ_unit.shape:  # pragma: no cover - internal invariant
        raise AssertionError("occurrence arrays out of step")

    cand = _candidates(collector, nlp, synonym_keys, occ_surface)
    counts = _count(cand, occ_unit, unit_docs)
    eligible = _prefilter(cand, counts, stop_keys=stop_keys, stops=stops)
    score = _weigh(
        cand,
        counts,
        eligible,
        lang=lang_code,
        n_words=collector.n_words,
        n_docs=len(documents),
    )
    chosen, assigned = _select(cand, score, counts.frequency, max_terms)

    key_row = np.full(len(cand.keys), -1, dtype=np.int64)
    key_row[chosen] = np.arange(len(chosen))
    occ_row = key_row[np.maximum(assigned, 0)] if assigned.size else assigned
    mask = (assigned >= 0) & (occ_row >= 0) if assigned.size else np.zeros(0, dtype=bool)
    rows, cols = occ_row[mask], occ_unit[mask]
    matrix = sp.csr_matrix(
        (np.ones(rows.shape[0], dtype=np.float64), (rows, cols)),
        shape=(len(chosen), n_units),
    )
    matrix.sum_duplicates()
    terms_list: list[Term] = []
    for k in chosen:
        label, variants = _label(cand.keys[k], cand.forms[k], classes)
        terms_list.append(
            Term(
                label=synonym_labels.get(cand.keys[k], label),
                key=cand.keys[k],
                frequency=int(counts.frequency[k]),
                document_frequency=int(counts.documents[k]),
                unit_frequency=int(counts.units[k]),
                score=float(score[k]),
                variants=variants,
            )
        )
    terms = tuple(terms_list)
    log.debug(
        "terms: %d paragraphs, %d units, %d tokens, %d candidates, kept %d",
        total,
        n_units,
        collector.n_tokens,
        len(cand.keys),
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
        n_candidates=len(cand.keys),
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
    [('kursus', 3, 2)]
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
