"""Step 2: running headers, footers, page numbers and table-of-contents lines.

Part of :mod:`analysis.clean`; the rules are described there.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from itertools import accumulate

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
# The rest of a line (of a page joined with line breaks) from its first digit: one match
# per line that holds a digit. It starts with the digit, so the regex engine skips ahead
# to the next digit (a pattern starting with ``^`` is tried at every character).
_DIGIT_LINE = re.compile(r"\d.*")
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
        # Page numbers and contents lines hold a digit, so only those lines and the edge
        # lines can go: the others are kept without a look (found by one scan of the page).
        starts = list(accumulate((len(line) + 1 for line in lines), initial=0))
        text = "\n".join(lines)
        check = edge | {bisect_right(starts, m.start()) - 1 for m in _DIGIT_LINE.finditer(text)}
        drop: set[int] = set()
        for i in check:
            stripped = lines[i].strip()
            if stripped and _PAGE_NUMBER.match(stripped):
                counts["page_number"] += 1
                drop.add(i)
                continue
            leader = "..." in stripped or ". . ." in stripped or "____" in stripped
            if leader and _TOC_LINE.match(stripped):
                counts["contents_line"] += 1
                drop.add(i)
                continue
            if i in edge and (
                _header_key(stripped) in running or _ROMAN.match(stripped) is not None
            ):
                counts["running_line"] += 1
                drop.add(i)
        result.append([line for i, line in enumerate(lines) if i not in drop] if drop else lines)
    return result
