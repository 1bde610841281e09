"""Waking this process's own runners after a commit (internal to ``storage``).

PostgreSQL's NOTIFY wakes every instance, this one included, but needs a listening
connection; SQLite has none. So a schedule or an enqueue also calls the callbacks this
process registered for the database, once its transaction has committed (never for a
rolled-back one).
"""

from __future__ import annotations

import logging
import weakref
from collections.abc import Callable
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database

__all__ = ["after_commit", "register", "unregister"]

log = logging.getLogger(__name__)

_CALLBACKS: weakref.WeakKeyDictionary[Database, dict[str, list[Callable[[], None]]]] = (
    weakref.WeakKeyDictionary()
)


def register(db: Database, channel: str, callback: Callable[[], None]) -> None:
    """Call ``callback`` after every commit that touched ``channel`` on ``db``."""
    _CALLBACKS.setdefault(db, {}).setdefault(channel, []).append(callback)


def unregister(db: Database, channel: str, callback: Callable[[], None]) -> None:
    callbacks = _CALLBACKS.get(db, {}).get(channel, [])
    if callback in callbacks:
        callbacks.remove(callback)


def _fire(db: Database, channel: str) -> None:
    for callback in list(_CALLBACKS.get(db, {}).get(channel, [])):
        try:
            callback()
        except Exception:  # a waker must never break the caller's commit
            log.exception("a wake-up callback for %s failed", channel)


def after_commit(db: Database, session: AsyncConnection, channel: str) -> None:
    """Wake ``channel``'s callbacks when ``session``'s transaction commits."""
    if not _CALLBACKS.get(db, {}).get(channel):
        return

    def committed(_connection: Any) -> None:
        _fire(db, channel)

    event.listen(session.sync_connection, "commit", committed, once=True)
