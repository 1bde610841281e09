"""The Bot Framework ``Storage`` on workshopbot's database, shared by every bot instance.

A thin adapter: items are serialised the way botbuilder's own Azure storages do it
(jsonpickle's ``Pickler().flatten`` to JSON, ``Unpickler().restore`` on the way back), and
the key/value/eTag work is done by :mod:`storage.botstate`.

eTags: every write gets a new eTag; an item carrying an eTag (other than ``"*"``) is written
only if that eTag is still the stored one, else :class:`storage.errors.EtagConflict`; an
item with no eTag or ``"*"`` overwrites; an empty eTag is refused. Reads return fresh
objects with the stored eTag in ``e_tag``. After a successful conditional write the new eTag
is put back into the item that was written, so a second save in the same turn is not taken
for a stale one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from typing import Any

from botbuilder.core import Storage
from jsonpickle.pickler import Pickler
from jsonpickle.unpickler import Unpickler

from storage import botstate
from storage.db import Database
from storage.errors import InvalidInput

__all__ = ["SqlStorage"]

log = logging.getLogger(__name__)

_ETAG = "e_tag"


def _etag_of(item: object) -> Any:
    if isinstance(item, dict):
        return item.get(_ETAG)
    return getattr(item, _ETAG, None)


def _set_etag(item: object, etag: str) -> None:
    if isinstance(item, dict):
        item[_ETAG] = etag
    elif hasattr(item, _ETAG):
        try:
            setattr(item, _ETAG, etag)
        except AttributeError:  # a read-only property: the caller keeps its old eTag
            log.debug("could not set e_tag on %s", type(item).__name__)


def _serialise(item: object) -> str:
    flat = Pickler().flatten(item)
    if isinstance(flat, dict):
        flat.pop(_ETAG, None)
    return json.dumps(flat, ensure_ascii=False, separators=(",", ":"))


def _deserialise(data: str, etag: str) -> object:
    flat = json.loads(data)
    if isinstance(flat, dict):
        flat[_ETAG] = etag
    return Unpickler().restore(flat)


class SqlStorage(Storage):  # type: ignore[misc]
    """Bot Framework storage on a :class:`storage.db.Database` (SQLite or PostgreSQL).

    Args:
        db: The open database.
    """

    def __init__(self, db: Database) -> None:
        super().__init__()
        self._db = db

    async def read(self, keys: list[str]) -> dict[str, object]:
        """Read items; unknown keys are left out of the result."""
        if keys is None:
            raise InvalidInput("Keys are required when reading")
        stored = await botstate.read_state(self._db, list(keys))
        return {key: _deserialise(data, etag) for key, (data, etag) in stored.items()}

    async def write(self, changes: dict[str, object]) -> None:
        """Write items (all or nothing); see the module docstring for eTags."""
        if changes is None:
            raise InvalidInput("Changes are required when writing")
        if not changes:
            return
        batch: dict[str, tuple[str, str | None]] = {}
        for key, item in changes.items():
            etag = _etag_of(item)
            if etag == "":
                raise InvalidInput(
                    f"SqlStorage.write(): the item {key!r} has an empty eTag; use '*' to overwrite"
                )
            expected = None if etag is None else str(etag)
            batch[key] = (_serialise(item), expected)
        new_etags = await botstate.write_state(self._db, batch)
        for key, item in changes.items():
            expected = batch[key][1]
            if expected is not None and expected != "*":
                _set_etag(item, new_etags[key])

    async def delete(self, keys: Iterable[str]) -> None:
        """Delete items; unknown keys are ignored."""
        if keys is None:
            raise InvalidInput("Keys are required when deleting")
        await botstate.delete_state(self._db, list(keys))
