"""Step 7: lines into paragraphs.

Part of :mod:`analysis.clean`; the rules are described there.
"""

from __future__ import annotations

import re

from analysis.clean.chars import _MULTI_SPACE
from analysis.clean.spaced import _HAS_LETTER, _word_list

__all__: list[str] = []

# --- 7. paragraphs ---------------------------------------------------------------------

_BULLET = re.compile(r"^(?:[•▪■□◦●○‣⁃◆◇►▶✓✔❖➢➤·*–-]+|[no](?= [A-ZÆØÅ]))\s*")
_SENTENCE_END = (".", "!", "?", ":", '"', "'", ")")


# Words a sentence or heading cannot end with: the text goes on after a blank line.
_OPEN_ENDINGS = _word_list(
    "og i på for af til med en et den det de at som om fra ved eller men hvor der når the "
    "a an of to in and or for with on at by from "
)


def _last_word(line: str) -> str:
    parts = line.rsplit(" ", 1)
    return parts[-1].casefold()


def _line_width(lines: list[str]) -> int:
    lengths = sorted(len(line) for line in lines if line.strip())
    if not lengths:
        return 0
    return lengths[int(0.9 * (len(lengths) - 1))]


def _paragraphs(lines: list[str]) -> tuple[list[str], list[int]]:
    width = _line_width(lines)
    short = 0.6 * width
    paragraphs: list[list[str]] = []
    current: list[str] = []
    previous = ""
    blank_before = True
    for raw in lines:
        line = raw.strip()
        if not line:
            blank_before = True
            continue
        bullet = _BULLET.match(line)
        if bullet is not None and bullet.end() < len(line):
            line = line[bullet.end() :]
            new = True
        elif bullet is not None:
            continue  # a bullet alone on its line: the item follows
        elif not current:
            new = True
        elif blank_before:
            # Wrapped text with blank lines between its lines continues in small letters.
            new = previous.endswith(_SENTENCE_END) or not (
                line[:1].islower() or _last_word(previous) in _OPEN_ENDINGS
            )
        else:
            # A line that stops well before the margin ends its paragraph (or is a heading)
            # when the next line starts like a new one.
            stops_early = len(previous) < short or (
                len(previous) < 0.85 * width and previous.endswith((".", "!", "?", ":"))
            )
            new = stops_early and (line[:1].isupper() or line[:1].isdigit())
        if new and current:
            paragraphs.append(current)
            current = []
        current.append(line)
        previous = line
        blank_before = False
    if current:
        paragraphs.append(current)
    result: list[str] = []
    spaced: list[int] = []
    for parts in paragraphs:
        text = " ".join(parts)
        if "  " in text:  # a substring test in C; the regex would look at every space
            text = _MULTI_SPACE.sub(" ", text)
        text = text.strip()
        if _HAS_LETTER.search(text):
            # Letters set one or two per line ("Tr / an / sit") only show once joined.
            tiny = sum(1 for part in parts if len(part) <= 3)
            if tiny >= 3 and tiny >= 0.5 * len(parts):
                spaced.append(len(result))
            result.append(text)
    return result, spaced
