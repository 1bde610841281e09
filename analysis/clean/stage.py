"""The stage: every step in order, for one document or a corpus.

Part of :mod:`analysis.clean`; the rules are described there.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass

from analysis.clean.chars import _SOFT_HYPHEN, _normalise_chars
from analysis.clean.hyphens import _dehyphenate
from analysis.clean.options import CleanOptions, CleanResult, Vocabulary
from analysis.clean.paragraphs import _paragraphs
from analysis.clean.running import _remove_running_lines
from analysis.clean.sections import _remove_references, _remove_reflection
from analysis.clean.spaced import (
    _HAS_LETTER,
    _garbage_lines,
    _is_garbage,
    _repair_lines,
    _words_outside,
)
from analysis.errors import InvalidParameter
from analysis.redact import PLACEHOLDERS, Redactor

__all__ = ["clean_documents", "clean_text", "split_text_pages"]

# --- the stage -------------------------------------------------------------------------

# Starts with two literal line breaks, so the engine jumps between them instead of trying
# the pattern at every character (as it does for "\n{3,}", which has no literal prefix).
_SPLIT_PAGES = re.compile(r"\n\n\n+")
_PLACEHOLDER = re.compile("|".join(re.escape(p) for p in sorted(PLACEHOLDERS)))


def split_text_pages(text: str) -> list[str]:
    """Split a plain-text extraction into pages for header and footer detection.

    Form feeds mark pages when the text has them; otherwise runs of two or more empty lines
    (where PDF-to-text tools put page and slide breaks) do.

    Args:
        text: The whole text of one file.

    Returns:
        The pages, in order (at least one).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text:
        return text.split("\f")
    return _SPLIT_PAGES.split(text)


_PLURAL = {
    "page_number": "page numbers",
    "running_line": "running header/footer lines",
    "contents_line": "table-of-contents lines",
    "hyphen_joined": "words hyphenated across lines joined",
    "garbage_repaired": "letter-spaced lines repaired",
}


@dataclass
class _Draft:
    """A document after the steps that need no other document: characters, running lines,
    and the letter-spaced lines found (repairing them may use the whole corpus)."""

    lines: list[str]
    flagged: list[int]
    counts: Counter[str]
    own_words: set[str] | None = None

    def words(self) -> set[str]:
        if self.own_words is None:
            self.own_words = _words_outside(self.lines, self.flagged)
        return self.own_words


def _check_pages(pages: Sequence[str]) -> None:
    if isinstance(pages, str):
        raise InvalidParameter("pages must be a sequence of page texts, not one string; use [text]")


def _prepare(pages: Sequence[str]) -> _Draft:
    counts: Counter[str] = Counter()
    page_lines = [[line.rstrip() for line in _normalise_chars(page).split("\n")] for page in pages]
    page_lines = _remove_running_lines(page_lines, counts)
    lines: list[str] = []
    for page in page_lines:
        start, end = 0, len(page)
        while start < end and not page[start].strip():
            start += 1
        while end > start and not page[end - 1].strip():
            end -= 1
        if start == end:
            continue
        if lines:
            lines.append("")  # a page break is one blank line
        lines.extend(page[start:end])
    return _Draft(lines=lines, flagged=_garbage_lines(lines), counts=counts)


def _finish(
    draft: _Draft, options: CleanOptions, lexicon: Callable[[], Set[str]], redactor: Redactor
) -> CleanResult:
    counts = draft.counts
    warnings: list[str] = []
    lines = draft.lines
    dropped: list[int] = []
    if draft.flagged:
        lines, dropped = _repair_lines(lines, draft.flagged, lexicon(), counts)
    lines = _dehyphenate(lines, counts)
    # Reference sections first: they usually come last, so the line numbers of both
    # kinds of warning stay those of the document.
    if not options.keep_references:
        lines, notes = _remove_references(lines, counts)
        warnings.extend(notes)
    if not options.keep_reflection:
        lines, notes = _remove_reflection(lines, counts)
        warnings.extend(notes)
    paragraphs, spaced = _paragraphs([line.replace(_SOFT_HYPHEN, "") for line in lines])
    flagged = [i for i in spaced if _is_garbage(paragraphs[i])]
    dropped_paragraphs: list[int] = []
    if flagged:
        paragraphs, dropped_paragraphs = _repair_lines(paragraphs, flagged, lexicon(), counts)
        paragraphs = [p for p in paragraphs if p]

    # Paragraphs hold no newline, so one pass over the joined text cannot join two of them.
    redacted = redactor.redact("\n\n".join(paragraphs))
    counts.update({f"redacted_{kind}": n for kind, n in redacted.counts.items()})
    text = redacted.text
    if redacted.counts:
        # A paragraph that was only an address or a name ("[url]") says nothing.
        text = "\n\n".join(
            p for p in text.split("\n\n") if _HAS_LETTER.search(_PLACEHOLDER.sub("", p))
        )

    if dropped:
        shown = ", ".join(str(n) for n in dropped[:10]) + (", …" if len(dropped) > 10 else "")
        where = f"line {shown}" if len(dropped) == 1 else f"lines {shown}"
        warnings.append(
            f"dropped {len(dropped)} letter-spaced line(s) that could not be repaired ({where})"
        )
    if dropped_paragraphs:
        warnings.append(
            f"dropped {len(dropped_paragraphs)} letter-spaced paragraph(s) that could not be "
            "repaired"
        )
    for key, label in _PLURAL.items():
        if counts[key]:
            warnings.append(f"{counts[key]} {label}")
    redactions = {
        k.removeprefix("redacted_"): v for k, v in counts.items() if k.startswith("redacted_")
    }
    if redactions:
        listed = ", ".join(f"{n} {kind}" for kind, n in sorted(redactions.items()))
        warnings.append(f"redacted personal data: {listed}")
    return CleanResult(text=text, warnings=tuple(warnings), counts=counts)


def clean_text(
    pages: Sequence[str],
    *,
    options: CleanOptions | None = None,
    vocabulary: Vocabulary | None = None,
) -> CleanResult:
    """Clean the pages of one document into redacted paragraphs.

    See the module documentation for every rule and its order. To clean many documents,
    :func:`clean_documents` is faster and repairs letter-spaced lines with the words of
    the whole corpus.

    Args:
        pages: The document's text, page by page (one string for a document without pages).
        options: What to remove; defaults to :class:`CleanOptions()`.
        vocabulary: Extra known words (lower case) for repairing letter-spaced lines, or a
            function returning them that is called only if such a line is found.

    Returns:
        The text with paragraphs separated by ``"\\n\\n"``, the warnings (counts and line
        numbers, never removed content) and a count per rule.

    Raises:
        InvalidParameter: If ``pages`` is a single string instead of a sequence of pages.

    >>> clean_text(["Kompetence-\\nudvikling for alle.\\n\\n3"]).text
    'Kompetenceudvikling for alle.'
    """
    _check_pages(pages)
    options = options or CleanOptions()
    draft = _prepare(pages)
    words: set[str] | None = None

    def lexicon() -> Set[str]:
        nonlocal words
        if words is None:
            words = draft.words()
            if vocabulary is not None:
                words = words | (vocabulary() if callable(vocabulary) else vocabulary)
        return words

    return _finish(draft, options, lexicon, Redactor(names=options.redact_names, lang=options.lang))


def clean_documents(
    documents: Sequence[Sequence[str]],
    *,
    options: CleanOptions | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[CleanResult]:
    """Clean many documents; letter-spaced lines are repaired with the whole corpus's words.

    Each document is cleaned as by :func:`clean_text`, with the words every document spells
    correctly as its vocabulary (computed only if some document needs a repair).

    Args:
        documents: For each document, its pages.
        options: What to remove; defaults to :class:`CleanOptions()`.
        progress: Called with the number of documents finished so far, after each one.

    Returns:
        One result per document, in order.

    Raises:
        InvalidParameter: If a document is a single string instead of a sequence of pages.
    """
    options = options or CleanOptions()
    for pages in documents:
        _check_pages(pages)
    drafts = [_prepare(pages) for pages in documents]
    corpus_words: set[str] | None = None

    def lexicon() -> Set[str]:
        nonlocal corpus_words
        if corpus_words is None:
            corpus_words = set().union(*(draft.words() for draft in drafts))
        return corpus_words

    redactor = Redactor(names=options.redact_names, lang=options.lang)
    results: list[CleanResult] = []
    for number, draft in enumerate(drafts, start=1):
        results.append(_finish(draft, options, lexicon, redactor))
        if progress is not None:
            progress(number)
    return results
