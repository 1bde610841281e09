"""Plain data passed between the analysis stages.

A :class:`Document` is one assignment after ingest and cleaning: its text holds paragraphs
separated by one blank line (``"\\n\\n"``), with no running headers, no reflection section
and no personal data left in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Document", "IngestReport", "SkippedFile"]


@dataclass(frozen=True)
class Document:
    """One usable document.

    Attributes:
        id: A stable name for the document, the path relative to the folder it was found in.
        text: The cleaned text; paragraphs are separated by ``"\\n\\n"``.
        metadata: Variables from the ``--meta`` CSV (level, subject, department, …).
        path: Where it was read from, if it came from a file.
        warnings: What cleaning changed or doubted, for the run report.
    """

    id: str
    text: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = None
    warnings: tuple[str, ...] = ()

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p.strip()]


@dataclass(frozen=True)
class SkippedFile:
    """A file that was not used, and why (shown to the user as a warning)."""

    path: Path
    reason: str


@dataclass(frozen=True)
class IngestReport:
    """What ingest produced: the usable documents and the files it skipped."""

    documents: tuple[Document, ...]
    skipped: tuple[SkippedFile, ...] = ()
