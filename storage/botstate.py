"""Bot Framework state as a key-value table with eTags (used by ``bot/state_storage.py``).

Semantics (the Bot Framework's): a write with an expected eTag succeeds only if the stored
eTag is still that one; ``None`` or ``"*"`` writes unconditionally; every write gets a new
eTag; deleting an unknown key is silent; any string is a valid key. A conditional write to a
key that no longer exists is a conflict too (the eTag it carries is stale).

One :func:`write_state` call with several keys is all or nothing: on a conflict none of
its keys is written. Concurrent calls are group-committed (:mod:`storage._batching`): they
share a transaction, each under its own savepoint, so one call's conflict never undoes
another's write.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Connection

from storage._base import bot_state_t, upsert, utcnow
from storage._batching import BatchWriter
from storage.db import Database
from storage.errors import EtagConflict, InvalidInput, StorageError

__all__ = ["delete_state", "new_etag", "read_state", "stored_key", "write_state"]

#: Keys are read in chunks of this many (bind-parameter limits).
_CHUNK = 500


#: Keys longer than this (UTF-8 bytes) are stored as their SHA-256 (PostgreSQL cannot index
#: a key of many kilobytes; the Bot Framework allows any string).
MAX_PLAIN_KEY_BYTES = 512


def stored_key(key: str) -> str:
    """The primary key a bot-state key is stored under (itself, unless it is very long).

    >>> stored_key("msteams/conversations/19:abc")
    'msteams/conversations/19:abc'
    >>> stored_key("x" * 600)[:7]
    'sha256:'
    """
    if len(key.encode("utf-8")) <= MAX_PLAIN_KEY_BYTES:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_etag() -> str:
    """A fresh eTag."""
    return uuid.uuid4().hex


def _check_keys(keys: Iterable[str]) -> list[str]:
    found = list(dict.fromkeys(keys))
    for key in found:
        if not isinstance(key, str):
            raise InvalidInput(f"bot-state key {key!r} is not a string")
    return found


async def read_state(db: Database, keys: Iterable[str]) -> dict[str, tuple[str, str]]:
    """Read stored items.

    Returns:
        ``{key: (json_text, etag)}`` for the keys that exist (unknown keys are left out).
    """
    wanted = _check_keys(keys)
    if not wanted:
        return {}
    stored_keys = {stored_key(key): key for key in wanted}
    found: dict[str, tuple[str, str]] = await db.run_read(_read, list(stored_keys))
    return {stored_keys[key]: value for key, value in found.items()}


def _read(conn: Connection, keys: list[str]) -> dict[str, tuple[str, str]]:
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(keys), _CHUNK):
        rows = conn.execute(
            select(bot_state_t.c.key, bot_state_t.c.data, bot_state_t.c.etag).where(
                bot_state_t.c.key.in_(keys[start : start + _CHUNK])
            )
        )
        for key, data, etag in rows:
            found[key] = (data, etag)
    return found


async def write_state(
    db: Database, changes: Mapping[str, tuple[str, str | None]]
) -> dict[str, str]:
    """Write items, all or nothing.

    Args:
        changes: ``{key: (json_text, expected_etag)}``; ``expected_etag`` None or ``"*"``
            overwrites, any other value must equal the stored eTag.

    Returns:
        ``{key: new_etag}``.

    Raises:
        EtagConflict: An expected eTag is stale (nothing of the batch is written).
        InvalidInput: A key is not a string, the data is not text, or an eTag is empty.
    """
    new_etags: dict[str, str] = {}
    if not changes:
        return new_etags
    _check_keys(changes)
    for key, (data, expected) in changes.items():
        if not isinstance(data, str):
            raise InvalidInput(f"bot-state data for {key!r} must be JSON text")
        if expected == "":
            raise InvalidInput(
                f"bot-state write for {key!r} has an empty eTag; use '*' to overwrite"
            )
    request = tuple((key, data, expected) for key, (data, expected) in changes.items())
    writer = db.services.get(_WRITER_KEY)
    if writer is None:
        writer = BatchWriter(
            lambda batch: db.run_write(_write_batch, batch),
            lambda one: db.run_write(_apply, one),
            max_batch=200,
            workers=2 if db.dialect == "postgresql" else 1,
        )
        db.services[_WRITER_KEY] = writer
    result: dict[str, str] = await writer.submit(request)
    return result


_WRITER_KEY = "botstate.writer"

#: One call of :func:`write_state`: ``(key, json_text, expected_etag)`` per item.
_Request = tuple[tuple[str, str, str | None], ...]


def _apply(conn: Connection, request: _Request) -> dict[str, str]:
    """Write one call's items; raise :class:`EtagConflict` at the first stale eTag."""
    now = utcnow()
    new_etags: dict[str, str] = {}
    for original_key, data, expected in request:
        key = stored_key(original_key)
        etag = new_etag()
        if expected is None or expected == "*":
            conn.execute(
                upsert(conn, bot_state_t, ["key"], ["data", "etag", "updated_at"]).values(
                    key=key, data=data, etag=etag, updated_at=now
                )
            )
        else:
            result = conn.execute(
                update(bot_state_t)
                .where(bot_state_t.c.key == key, bot_state_t.c.etag == expected)
                .values(data=data, etag=etag, updated_at=now)
            )
            if result.rowcount != 1:
                raise EtagConflict(
                    f"the stored state for {original_key!r} changed since it was read (eTag {expected!r} "
                    "is stale); read it again and retry",
                    keys=(original_key,),
                )
        new_etags[original_key] = etag
    return new_etags


def _write_batch(
    conn: Connection, batch: Sequence[_Request]
) -> list[dict[str, str] | StorageError]:
    """Several calls in one transaction, each all-or-nothing on its own.

    A single-item call needs no savepoint: a conflict there means nothing was written. A
    call with several items runs inside a SAVEPOINT that is rolled back on its conflict.
    """
    outcomes: list[dict[str, str] | StorageError] = []
    for request in batch:
        if len(request) == 1:
            try:
                outcomes.append(_apply(conn, request))
            except EtagConflict as exc:
                outcomes.append(exc)
            continue
        savepoint = conn.begin_nested()
        try:
            outcomes.append(_apply(conn, request))
        except EtagConflict as exc:
            savepoint.rollback()
            outcomes.append(exc)
        else:
            savepoint.commit()
    return outcomes


async def delete_state(db: Database, keys: Iterable[str]) -> None:
    """Delete items; unknown keys are ignored."""
    wanted = _check_keys(keys)
    if not wanted:
        return
    stored = [stored_key(key) for key in wanted]
    async with db.transaction() as session:
        for start in range(0, len(stored), _CHUNK):
            await session.execute(
                delete(bot_state_t).where(bot_state_t.c.key.in_(stored[start : start + _CHUNK]))
            )
