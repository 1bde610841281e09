"""Step 2: running headers, footers, page numbers and table-of-contents lines.

Part of :mod:`analysis.clean`; the rules are described there.
"""

from __future__ import annotations

import re
from collections import Counter

__all__: list[str] = []

# --- 2. headers, footers, page numbers -------------------------------------------------

_PAGE_NUMBER = re.compile(
    r"^[-–(\[]?\s*(?:(?:side|page|s\.|p\.)\s*)?\d{1,4}\s*(?:(?:af|of|/)\s*\d{1,4})?\s*[-–)\]]?$",
    re.IGNORECASE,
)
_ROMAN = re.compile(r"^[ivxlc]{1,6}$", re.IGNORECASE)
# A table-of-contents line: a title, a dot leader, a page number ("Indledning ..... 3").
_TOC_LINE = re.compile(r"^\S.{0,150}?(?:\.{4,}|(?:\. ){4,}|_{4,}|(?:\.\.\.){2,})\s*\d{1,4}$")
_DIGITS = re.compile(r"\d+")
_EDGE_LINES = 3
_MAX_HEADER_CHARS = 150


def _header_key(line: str) -> str:
    return " ".join(_DIGITS.sub("#", line).casefold().split())


def _edge_indexes(lines: list[str]) -> list[int]:
    """Indexes of the first and last few non-blank lines of a page."""
    filled = [i for i, line in enumerate(lines) if line.strip()]
    return sorted(set(filled[:_EDGE_LINES] + filled[-_EDGE_LINES:]))


def _remove_running_lines(pages: list[list[str]], counts: Counter[str]) -> list[list[str]]:
    n_pages = len(pages)
    edges = [_edge_indexes(lines) for lines in pages]
    seen: Counter[str] = Counter()
    if n_pages >= 2:
        for lines, indexes in zip(pages, edges, strict=True):
            keys = {_header_key(lines[i]) for i in indexes if len(lines[i]) <= _MAX_HEADER_CHARS}
            seen.update(keys)
    running = {
        key
        for key, count in seen.items()
        if (count >= 3 and count >= 0.1 * n_pages) or (count >= 2 and count >= 0.5 * n_pages)
    }
    result: list[list[str]] = []
    for lines, indexes in zip(pages, edges, strict=True):
        edge = set(indexes)
        kept: list[str] = []
        for i, line in enumerate(lines):
            stripped = line.strip()
            if stripped and _PAGE_NUMBER.match(stripped):
                counts["page_number"] += 1
                continue
            leader = "..." in stripped or ". . ." in stripped or "____" in stripped
            if leader and _TOC_LINE.match(stripped):
                counts["contents_line"] += 1
                continue
            if i in edge and (
                _header_key(stripped) in running or _ROMAN.match(stripped) is not None
            ):
                counts["running_line"] += 1
                continue
            kept.append(line)
        result.append(kept)
    return result
