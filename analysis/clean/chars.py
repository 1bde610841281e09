"""Step 1: characters (spaces, quotes, hyphens, ligatures, invisible characters).

Part of :mod:`analysis.clean`; the rules are described there.
"""

from __future__ import annotations

import re
import unicodedata

__all__: list[str] = []

# --- 1. characters ---------------------------------------------------------------------

_CHAR_MAP: dict[int, str] = {}
for _chars, _repl in (
    ("“”„‟«»″〝〞＂", '"'),
    ("‘’‚‛′`´", "'"),
    ("‐‑", "-"),
    ("‒–—―−", "–"),
    (
        "\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000\t\v",
        " ",
    ),
    ("\u200b\u200c\u200d\u2060\ufeff", ""),
):
    for _ch in _chars:
        _CHAR_MAP[ord(_ch)] = _repl
_CHAR_MAP.update(
    {
        ord("…"): "...",
        ord("ﬀ"): "ff",
        ord("ﬁ"): "fi",
        ord("ﬂ"): "fl",
        ord("ﬃ"): "ffi",
        ord("ﬄ"): "ffl",
        ord("ﬅ"): "st",
        ord("ﬆ"): "st",
        ord("\r"): "\n",
        ord("\f"): "\n",
    }
)
for _code in (*range(0x00, 0x09), *range(0x0E, 0x20), 0x7F):
    _CHAR_MAP[_code] = " "
# Symbol fonts (Wingdings) put their bullets in the private use area.
for _code in range(0xE000, 0xF900):
    _CHAR_MAP[_code] = "•"


def _char_class(codes: list[int]) -> re.Pattern[str]:
    """One regex character class matching exactly ``codes`` (runs written as ranges)."""
    parts: list[str] = []
    i = 0
    while i < len(codes):
        j = i
        while j + 1 < len(codes) and codes[j + 1] == codes[j] + 1:
            j += 1
        first, last = re.escape(chr(codes[i])), re.escape(chr(codes[j]))
        parts.append(first if i == j else f"{first}-{last}")
        i = j + 1
    return re.compile("[" + "".join(parts) + "]")


# str.translate looks every character of a non-ASCII text up in the dict; a regex finds
# the few mapped ones in C and replaces those alone (the same result, character by
# character).
_MAPPED = _char_class(sorted(_CHAR_MAP))


def _mapped(match: re.Match[str]) -> str:
    return _CHAR_MAP[ord(match.group())]


_SOFT_HYPHEN = "\u00ad"
_INNER_SOFT_HYPHEN = re.compile(r"\u00ad(?![ ]*$)", re.MULTILINE)
_MULTI_SPACE = re.compile(r" {2,}")


def _normalise_chars(text: str) -> str:
    text = _MAPPED.sub(_mapped, unicodedata.normalize("NFC", text.replace("\r\n", "\n")))
    if _SOFT_HYPHEN in text:
        text = _INNER_SOFT_HYPHEN.sub("", text)
    return text
