"""What cleaning removes (options) and what it returns.

Part of :mod:`analysis.clean`; the rules are described there.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence, Set
from dataclasses import dataclass, field
from typing import Literal

from analysis.errors import InvalidParameter

__all__ = ["CleanOptions", "CleanResult", "Vocabulary"]


#: Known words for repairing letter-spaced lines: a set, or a function that builds one on
#: first need (so a corpus without garbage never pays for it).
Vocabulary = Set[str] | Callable[[], Set[str]]


@dataclass(frozen=True)
class CleanOptions:
    """What cleaning removes.

    Attributes:
        keep_reflection: Keep reflection sections (they are removed by default, because
            they hold the most personal passages).
        keep_references: Keep reference sections: literature lists, references,
            bibliographies, source lists (removed by default: their author names, titles
            and years are not the writer's words).
        redact_names: Names to replace with a placeholder (case-insensitive, whole words,
            possessive forms included).
        lang: Language of the document: picks placeholders and heading words.
    """

    keep_reflection: bool = False
    keep_references: bool = False
    redact_names: Sequence[str] = ()
    lang: Literal["da", "en"] = "da"

    def __post_init__(self) -> None:
        if self.lang not in ("da", "en"):
            raise InvalidParameter(f"lang = {self.lang!r} is not supported; use 'da' or 'en'")
        if isinstance(self.redact_names, str):
            raise InvalidParameter(
                "redact_names must be a sequence of names, not one string; "
                "use read_names_file() for a file"
            )


@dataclass(frozen=True)
class CleanResult:
    """The cleaned text (paragraphs separated by ``"\\n\\n"``) and what cleaning changed."""

    text: str
    warnings: tuple[str, ...] = ()
    counts: Counter[str] = field(default_factory=Counter)
