"""Participants: one row per person per workshop, with a pseudonym in order of first answer.

Identity: every participant row holds ``user_hash`` = HMAC-SHA256(server secret,
HMAC-SHA256(workshop salt, Teams user id)); the secret is not in the database
(:mod:`storage.secret`). In ``anonymous`` mode that hash is all that is stored — no user
id, no display name — so the same person still keeps one pseudonym, is counted once and can have their answers
deleted by ``workshopbot data forget`` (which recomputes the hash), while the database alone
does not say who they are. The salt is per workshop, so one person's rows in two anonymous
workshops cannot be linked without their user id.

Pseudonyms: the n-th person to answer becomes "Deltager A", "Deltager B", …, "Deltager Z",
"Deltager AA", … ("Participant A" in English workshops). Assignment takes the workshop row
lock on PostgreSQL (the write lock on SQLite) and is backed by a unique constraint on
``(workshop_id, pseudonym_number)``, so concurrent first answers never share a pseudonym.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, bindparam, func, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection

from storage._base import (
    check_id,
    check_text,
    insert_ignoring_conflicts,
    lock_workshop,
    participant_from_row,
    participant_order,
    participant_t,
    pseudonym_label,
    utcnow,
    workshop_t,
)
from storage.db import Database
from storage.errors import NotFound
from storage.records import ParticipantRecord
from storage.secret import keyed

__all__ = [
    "activity_hash",
    "find_participant",
    "get_or_create_participant",
    "get_participant",
    "list_participants",
    "pseudonym_label",
    "set_consent",
    "user_hash",
]

log = logging.getLogger(__name__)


def user_hash(salt: str, user_id: str) -> str:
    """The hash that identifies a Teams user within one workshop (64 hex digits): salted per
    workshop and keyed with the server secret, which is not in the database
    (:mod:`storage.secret`)."""
    return keyed(hmac.new(salt.encode(), user_id.encode(), hashlib.sha256).hexdigest())


#: Starts every hashed activity id; a Teams activity id never does, so the two cannot meet.
ACTIVITY_HASH_PREFIX = "h:"


def activity_hash(salt: str, activity_id: str) -> str:
    """The salted hash an anonymous workshop stores instead of a Teams activity (message) id.

    With the raw message id, someone with Teams admin access could look up who wrote an
    "anonymous" answer. The hash still identifies a redelivered activity within the
    workshop, so it is stored once. It is ``"h:"`` and HMAC-SHA256(workshop salt,
    ``"activity:" + activity_id``) in hex (66 characters), kept apart from :func:`user_hash`,
    keyed once more with the server secret (:mod:`storage.secret`).
    """
    digest = hmac.new(salt.encode(), f"activity:{activity_id}".encode(), hashlib.sha256)
    return ACTIVITY_HASH_PREFIX + keyed(digest.hexdigest())


def _check_user(user_id: object) -> str:
    return check_text(user_id, "user id", max_len=300).strip()


def ensure_participant_sync(
    conn: Connection,
    workshop: Any,
    user_id: str,
    display_name: str | None,
    *,
    assign_pseudonym: bool,
) -> Row[Any]:
    """Find or create the participant row inside a transaction (internal to ``storage``).

    ``workshop`` is a row with ``id``, ``salt`` and ``answer_mode``. The fast path (the
    person exists and has a pseudonym) is one SELECT without locks.
    """
    wid = workshop.id
    hashed = user_hash(workshop.salt, user_id)
    select_row = select(participant_t).where(
        participant_t.c.workshop_id == wid, participant_t.c.user_hash == hashed
    )
    row = conn.execute(select_row).first()
    anonymous = workshop.answer_mode == "anonymous"
    if row is not None and (row.pseudonym_number is not None or not assign_pseudonym):
        if display_name and not anonymous and row.display_name != display_name:
            conn.execute(
                update(participant_t)
                .where(participant_t.c.id == row.id)
                .values(display_name=display_name)
            )
            row = conn.execute(select_row).one()
        return row
    if row is None:
        conn.execute(
            insert_ignoring_conflicts(conn, participant_t, ["workshop_id", "user_hash"]).values(
                workshop_id=wid,
                user_hash=hashed,
                user_id=None if anonymous else user_id,
                display_name=None if anonymous else display_name,
                created_at=utcnow(),
            )
        )
    if assign_pseudonym:
        # The workshop row lock serialises numbering; re-read under it.
        lock_stmt = select(workshop_t.c.id).where(workshop_t.c.id == wid)
        if conn.dialect.name == "postgresql":
            conn.execute(lock_stmt.with_for_update(key_share=True))
        row = conn.execute(select_row).one()
        if row.pseudonym_number is None:
            latest = conn.execute(
                select(func.coalesce(func.max(participant_t.c.pseudonym_number), 0)).where(
                    participant_t.c.workshop_id == wid
                )
            ).scalar_one()
            conn.execute(
                update(participant_t)
                .where(participant_t.c.id == row.id)
                .values(pseudonym_number=int(latest) + 1)
            )
    return conn.execute(select_row).one()


def ensure_participants_sync(
    conn: Connection,
    workshop: Any,
    people: Sequence[tuple[str, str | None]],
) -> dict[str, Row[Any]]:
    """Create many first answerers of one workshop and number them, in a constant number of
    statements (internal to ``storage``; the batch writer's form of
    :func:`ensure_participant_sync`).

    ``people`` are ``(user_id, display_name)`` pairs of people not yet known to have a
    pseudonym, in the order they answered; a person given twice counts once, at their first
    place, with the name given there. Missing rows are inserted (ignoring rows another
    process inserted meanwhile), then, under the workshop lock, those still without a
    pseudonym get the next numbers in the order given: the n-th person to answer is the
    n-th pseudonym. A known person's display name is not changed here (a rename goes
    through :func:`ensure_participant_sync`).

    Returns:
        The participant rows keyed by ``user_hash``.
    """
    wid = workshop.id
    anonymous = workshop.answer_mode == "anonymous"
    wanted: dict[str, tuple[str, str | None]] = {}
    for user_id, display_name in people:
        wanted.setdefault(user_hash(workshop.salt, user_id), (user_id, display_name))
    if not wanted:
        return {}
    now = utcnow()
    conn.execute(
        insert_ignoring_conflicts(conn, participant_t, ["workshop_id", "user_hash"]),
        [
            {
                "workshop_id": wid,
                "user_hash": hashed,
                "user_id": None if anonymous else user_id,
                "display_name": None if anonymous else display_name,
                "created_at": now,
            }
            for hashed, (user_id, display_name) in wanted.items()
        ],
    )
    # The workshop row lock serialises numbering (SQLite holds the write lock already);
    # re-read under it.
    lock_stmt = select(workshop_t.c.id).where(workshop_t.c.id == wid)
    if conn.dialect.name == "postgresql":
        conn.execute(lock_stmt.with_for_update(key_share=True))
    select_rows = select(participant_t).where(
        participant_t.c.workshop_id == wid,
        participant_t.c.user_hash.in_(bindparam("hashes", expanding=True)),
    )
    hashes = list(wanted)
    rows = {row.user_hash: row for row in conn.execute(select_rows, {"hashes": hashes})}
    unnumbered = [rows[hashed].id for hashed in hashes if rows[hashed].pseudonym_number is None]
    if not unnumbered:
        return rows
    latest = int(
        conn.execute(
            select(func.coalesce(func.max(participant_t.c.pseudonym_number), 0)).where(
                participant_t.c.workshop_id == wid
            )
        ).scalar_one()
    )
    conn.execute(
        update(participant_t)
        .where(participant_t.c.id == bindparam("participant_id"))
        .values(pseudonym_number=bindparam("number")),
        [
            {"participant_id": participant_id, "number": latest + n}
            for n, participant_id in enumerate(unnumbered, start=1)
        ],
    )
    return {row.user_hash: row for row in conn.execute(select_rows, {"hashes": hashes})}


async def ensure_participant(
    session: AsyncConnection,
    workshop: Any,
    user_id: str,
    display_name: str | None,
    *,
    assign_pseudonym: bool,
) -> Row[Any]:
    """Async form of :func:`ensure_participant_sync` (internal to ``storage``)."""
    row: Row[Any] = await session.run_sync(
        ensure_participant_sync,
        workshop,
        user_id,
        display_name,
        assign_pseudonym=assign_pseudonym,
    )
    return row


async def _workshop_row(session: AsyncConnection, workshop_id: int) -> Any:
    check_id(workshop_id, "workshop id")
    row = (
        await session.execute(
            select(
                workshop_t.c.id, workshop_t.c.salt, workshop_t.c.answer_mode, workshop_t.c.language
            ).where(workshop_t.c.id == workshop_id)
        )
    ).first()
    if row is None:
        raise NotFound(f"there is no workshop {workshop_id}; list them with: workshopbot workshops")
    return row


async def get_or_create_participant(
    db: Database,
    workshop_id: int,
    user_id: str,
    display_name: str | None = None,
    *,
    assign_pseudonym: bool = True,
) -> ParticipantRecord:
    """The participant for a Teams user in a workshop, created on first sight.

    Call it when the person answers for the first time (``record_answer`` does): the
    pseudonym goes to the next free letter. ``assign_pseudonym=False`` creates the row
    without one (e.g. to store consent before the first answer).

    Args:
        db: The database.
        workshop_id: The workshop.
        user_id: The Teams user id (``activity.from_property.id``); never stored in anonymous
            mode.
        display_name: The Teams display name; stored in named and pseudonymous mode only.
        assign_pseudonym: Give the person a pseudonym if they have none yet.

    Raises:
        NotFound: No such workshop.
        InvalidInput: Empty user id.
    """
    user_id = _check_user(user_id)
    async with db.transaction() as session:
        workshop = await _workshop_row(session, workshop_id)
        row = await ensure_participant(
            session, workshop, user_id, display_name, assign_pseudonym=assign_pseudonym
        )
        return participant_from_row(row, workshop.language)


async def find_participant(
    db: Database, workshop_id: int, user_id: str
) -> ParticipantRecord | None:
    """The participant for a Teams user in a workshop, or None (never creates one)."""
    user_id = _check_user(user_id)
    async with db.transaction(write=False) as session:
        workshop = await _workshop_row(session, workshop_id)
        row = (
            await session.execute(
                select(participant_t).where(
                    participant_t.c.workshop_id == workshop_id,
                    participant_t.c.user_hash == user_hash(workshop.salt, user_id),
                )
            )
        ).first()
    return None if row is None else participant_from_row(row, workshop.language)


async def get_participant(db: Database, participant_id: int) -> ParticipantRecord:
    """One participant by id.

    Raises:
        NotFound: No such participant.
    """
    check_id(participant_id, "participant id")
    async with db.transaction(write=False) as session:
        row = (
            await session.execute(
                select(participant_t, workshop_t.c.language)
                .join(workshop_t, workshop_t.c.id == participant_t.c.workshop_id)
                .where(participant_t.c.id == participant_id)
            )
        ).first()
    if row is None:
        raise NotFound(f"there is no participant {participant_id}")
    return participant_from_row(row, row.language)


async def list_participants(db: Database, workshop_id: int) -> tuple[ParticipantRecord, ...]:
    """A workshop's participants in pseudonym order (those without one last)."""
    async with db.transaction(write=False) as session:
        workshop = await _workshop_row(session, workshop_id)
        rows = await session.execute(
            select(participant_t)
            .where(participant_t.c.workshop_id == workshop_id)
            .order_by(*participant_order())
        )
        return tuple(participant_from_row(row, workshop.language) for row in rows)


async def set_consent(
    db: Database,
    workshop_id: int,
    user_id: str,
    *,
    answers: bool | None = None,
    quotes: bool | None = None,
    display_name: str | None = None,
) -> ParticipantRecord:
    """Record a person's consent (None leaves a flag as it is); creates the participant
    without a pseudonym if they have not answered yet.

    Args:
        answers: Consents to their answers being stored and analysed.
        quotes: Consents to being quoted (under their pseudonym) in summaries.
    """
    user_id = _check_user(user_id)
    async with db.transaction() as session:
        workshop = await lock_workshop(session, workshop_id)
        row = await ensure_participant(
            session, workshop, user_id, display_name, assign_pseudonym=False
        )
        values: dict[str, Any] = {}
        if answers is not None:
            values["consent_answers"] = bool(answers)
        if quotes is not None:
            values["consent_quotes"] = bool(quotes)
        if values:
            await session.execute(
                update(participant_t).where(participant_t.c.id == row.id).values(**values)
            )
        row = (
            await session.execute(select(participant_t).where(participant_t.c.id == row.id))
        ).one()
        return participant_from_row(row, workshop.language)
