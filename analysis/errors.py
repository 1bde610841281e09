"""The analysis package's exceptions: one base, messages written for people."""

from __future__ import annotations

__all__ = ["AnalysisError", "InvalidParameter", "NoUsableDocuments", "UnreadableInput"]


class AnalysisError(Exception):
    """Base of every error the analysis raises on purpose; its message names the fix."""


class InvalidParameter(AnalysisError, ValueError):
    """An option has a value the analysis cannot use (the message names value and range)."""


class UnreadableInput(AnalysisError):
    """A file or folder cannot be read at all (missing, not a supported format, …)."""


class NoUsableDocuments(AnalysisError):
    """Every input was skipped: there is nothing to analyse."""
