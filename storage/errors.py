"""The storage package's exceptions: one base, messages written for people."""

from __future__ import annotations

__all__ = [
    "AnswerTooLong",
    "DatabaseRefused",
    "DatabaseUnavailable",
    "EtagConflict",
    "InvalidInput",
    "NotFound",
    "QuestionClosed",
    "SchemaOutOfDate",
    "StorageError",
    "WorkshopEnded",
    "WorkshopPaused",
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


class WorkshopEnded(QuestionClosed):
    """An answer came after its workshop ended (``record_answer(open_only=True)``)."""


class WorkshopPaused(QuestionClosed):
    """An answer came while its workshop is paused (``record_answer(open_only=True)``)."""


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
    """The database cannot be reached or opened, or it is busy: the connection was lost or
    refused, the server is restarting, SQLite's file is locked by another writer. Worth
    trying again a little later. The message names the database without password."""


class DatabaseRefused(StorageError):
    """The database refused a statement: bad data, a broken constraint, a bug. Trying the
    same again fails the same way, unless :attr:`lost_race` is set. The message (the driver's
    reason, never the statement's parameters) is for the log, not for people.

    Attributes:
        lost_race: The transaction lost a race with another one (a unique key stored first
            by someone else, a deadlock, a serialization failure): done again, alone, it
            will most likely succeed.
    """

    def __init__(self, message: str, *, lost_race: bool = False) -> None:
        super().__init__(message)
        self.lost_race = lost_race
