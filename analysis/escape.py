"""Participants' words into other formats, escaped rather than changed.

A participant's answer ends up in CSV files opened in spreadsheets, in Markdown summaries
and in Teams cards (whose ``TextBlock`` renders a Markdown subset with live links). What a
participant wrote must stay verbatim in meaning, so nothing is deleted: characters that would
act as formulas or markup are escaped.

- :func:`csv_cell` (and :func:`csv_writer`): a text cell starting with ``=``, ``+``, ``-``,
  ``@``, tab or carriage return gets a leading ``'`` (OWASP's CSV injection advice), so a
  spreadsheet shows it as text instead of running it as a formula. Numbers stay numbers.
- :func:`escape_markdown`: a backslash before every character that makes Markdown within a
  line (emphasis, links, code, autolinks, raw HTML, entities), so
  ``[link](https://…)`` shows as those characters and is no live link.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import Any, Protocol

__all__ = ["CSV_FORMULA_STARTS", "SafeCsvWriter", "csv_cell", "csv_writer", "escape_markdown"]

#: The first characters a spreadsheet reads as the start of a formula (OWASP).
CSV_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

#: What makes Markdown mid-line: escapes, code, emphasis, links and images, autolinks and
#: raw HTML, strike-through, entities. (Headings, quotes and tables need a line start; the
#: callers put participants' words after other text on one line.)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<~&])")


class _Writes(Protocol):
    def write(self, text: str, /) -> Any: ...


def csv_cell(value: Any) -> Any:
    """``value`` for a CSV cell: text that a spreadsheet would run as a formula gets a ``'``.

    >>> csv_cell("=HYPERLINK(\\"https://evil.example\\")")
    '\\'=HYPERLINK("https://evil.example")'
    >>> csv_cell("-3 dage"), csv_cell(-3), csv_cell("Vi deler viden")
    ("'-3 dage", -3, 'Vi deler viden')
    """
    if isinstance(value, str) and value.startswith(CSV_FORMULA_STARTS):
        return "'" + value
    return value


class SafeCsvWriter:
    """A ``csv.writer`` whose rows go through :func:`csv_cell`."""

    def __init__(self, stream: _Writes, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        """Write one row, each cell neutralised."""
        return self._writer.writerow([csv_cell(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        """Write many rows, each cell neutralised."""
        for row in rows:
            self.writerow(row)


def csv_writer(stream: _Writes, **options: Any) -> SafeCsvWriter:
    """Like ``csv.writer(stream, **options)``, with formula cells neutralised."""
    return SafeCsvWriter(stream, **options)


def escape_markdown(text: str) -> str:
    r"""``text`` with every Markdown-making character backslash-escaped.

    >>> escape_markdown("Se [her](https://evil.example) *nu*")
    'Se \\[her\\](https://evil.example) \\*nu\\*'
    """
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)
