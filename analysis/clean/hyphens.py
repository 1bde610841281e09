"""Step 4: words hyphenated across line ends.

Part of :mod:`analysis.clean`; the rules are described there.
"""

from __future__ import annotations

import re
from collections import Counter

from analysis.clean.chars import _SOFT_HYPHEN

__all__: list[str] = []

# --- 4. hyphenation --------------------------------------------------------------------

_LAST_WORD = re.compile(r"([\w-]*\w)[-\u00ad]$")
_FIRST_WORD = re.compile(r"^ *([^\W\d_][\w-]*)(\S*)(.*)$", re.DOTALL)
_CONJUNCTIONS = frozenset({"og", "eller", "samt", "som", "til", "and", "or", "nor", "to"})
# Possessive quantifiers: without them every word start backtracks through the word.
_HYPHENATED = re.compile(r"\b\w++(?:-\w++)+")
_MAX_GAP = 1  # a break may span one blank line (wrapped text, or a page break)


_COMPOUND = re.compile(r"\w++(?:-\w++)*")


class _Spellings:
    """How a document spells its words, for deciding whether a broken hyphen stays."""

    def __init__(self, text: str) -> None:
        self._text = text
        self.hyphenated = {w.casefold() for w in _HYPHENATED.findall(text)}
        self._words: set[str] | None = None

    def has(self, word: str) -> bool:
        if self._words is None:
            # Built once, on the first doubt: a search per break would make long documents
            # quadratic.
            self._words = set(_COMPOUND.findall(self._text.casefold()))
        return word.casefold() in self._words


def _keep_hyphen(first: str, second: str, spellings: _Spellings) -> bool:
    letters = first.split("-")[-1]
    if (len(letters) >= 2 and letters.isupper()) or any(ch.isdigit() for ch in letters):
        return True
    if second[:1].isupper():
        return True
    if f"{first}-{second}".casefold() not in spellings.hyphenated:
        return False
    # Spelled with a hyphen elsewhere: keep it, unless it is also spelled without one.
    return not spellings.has(first + second)


def _ends_in_break(line: str) -> bool:
    """Whether a line ends in a hyphen right after a letter, or in a soft hyphen."""
    if not line or line[-1] not in "-\u00ad":
        return False
    return line[-1] == _SOFT_HYPHEN or (len(line) >= 2 and line[-2].isalpha())


def _dehyphenate(lines: list[str], counts: Counter[str]) -> list[str]:
    out: list[str | None] = [line.rstrip() for line in lines]
    if not any(_ends_in_break(line or "") for line in out):
        return lines
    spellings = _Spellings("\n".join(lines))
    for i in range(len(out)):
        # A joined line takes the next line's end, which may break again: loop. Lines
        # already joined stay None; ``after`` skips them so a long chain stays linear.
        after = i + 1
        while (line := out[i]) is not None and _ends_in_break(line):
            j = after
            blanks = 0  # lines already joined (None) do not count as a gap
            while j < len(out) and not (out[j] or "").strip():
                if blanks == _MAX_GAP and out[j] is not None:
                    break
                blanks += out[j] is not None
                j += 1
            following = out[j] if j < len(out) else None
            # Only the line's last 60 characters are searched: lines grow as they are joined.
            head = _LAST_WORD.search(line, max(0, len(line) - 60))
            tail = _FIRST_WORD.match(following) if following else None
            if head is None or tail is None:
                break
            second, punctuation, rest = tail.group(1), tail.group(2), tail.group(3)
            if second.casefold() in _CONJUNCTIONS:
                break  # "efter- og videreuddannelse" is an enumeration, not a break
            first = head.group(1)
            soft = line.endswith(_SOFT_HYPHEN)
            joiner = "" if soft or not _keep_hyphen(first, second, spellings) else "-"
            # The rest of the next line moves up too, so no artificial short line is left.
            rest = rest.strip()
            joined = line[: head.start()] + first + joiner + second + punctuation
            out[i] = f"{joined} {rest}" if rest else joined
            for k in range(after, j + 1):
                out[k] = None
            after = j + 1
            counts["hyphen_joined"] += 1
    return [line for line in out if line is not None]
