"""The storage package's exceptions: one base, messages written for people."""

from __future__ import annotations

__all__ = [
    "AnswerTooLong",
    "DatabaseUnavailable",
    "EtagConflict",
    "InvalidInput",
    "NotFound",
    "QuestionClosed",
    "SchemaOutOfDate",
    "StorageError",
]


class StorageError(Exception):
    """Base of every error the storage raises on purpose; its message names the fix."""


class NotFound(StorageError, LookupError):
    """A workshop, question run, map, plan, … with the given id or name does not exist."""


class InvalidInput(StorageError, ValueError):
    """A value cannot be stored as given (the message names the value and the fix)."""


class AnswerTooLong(InvalidInput):
    """An answer's text is over the limit (:data:`storage.answers.MAX_ANSWER_CHARS`)."""


class QuestionClosed(StorageError):
    """An answer was for a question run that is closed (``record_answer(open_only=True)``)."""


class EtagConflict(StorageError):
    """A bot-state write carried an eTag that is no longer current: someone else wrote first."""

    def __init__(self, message: str, *, keys: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.keys = keys


class SchemaOutOfDate(StorageError):
    """The database schema is older (or newer) than this version of workshopbot expects."""

    def __init__(self, message: str, *, current: str | None, head: str) -> None:
        super().__init__(message)
        self.current = current
        self.head = head


class DatabaseUnavailable(StorageError):
    """The database cannot be reached or opened (the message names it without password)."""
