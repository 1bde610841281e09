"""People the knowledge bank knows: where their 1:1 chat is, and what an operator said
about them (team, manager, organisation, time zone, quiet hours).

The bot records a person (:func:`remember_person`) when they write to it; only the command
line (:func:`set_directory`) sets the facts that decide who sees what.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Row, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage._base import check_text, opt_utc, upsert, utcnow, without_nul
from storage.db import Database
from storage.errors import InvalidInput, NotFound
from storage.knowledge.records import PersonRecord
from storage.knowledge.tables import person_t

__all__ = [
    "DEFAULT_TIME_ZONE",
    "check_time_zone",
    "get_people",
    "get_person",
    "person_from_row",
    "remember_person",
    "set_directory",
    "teams_managed_by",
]

DEFAULT_TIME_ZONE = "Europe/Copenhagen"


def check_time_zone(value: str) -> str:
    """An IANA time zone name, checked.

    >>> check_time_zone("Europe/Copenhagen")
    'Europe/Copenhagen'

    Raises:
        InvalidInput: Not a time zone this system knows.
    """
    value = check_text(value, "time zone", max_len=64).strip()
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(
            f"the time zone {value!r} is unknown; give an IANA name such as Europe/Copenhagen"
        ) from None
    return value


def person_from_row(row: Row[Any]) -> PersonRecord:
    m = row._mapping
    return PersonRecord(
        user_id=m["user_id"],
        aad_object_id=m["aad_object_id"],
        display_name=m["display_name"],
        tenant_id=m["tenant_id"],
        org=m["org"],
        team=m["team"],
        manager_id=m["manager_id"],
        destination=m["destination"],
        language=m["language"],
        time_zone=m["time_zone"],
        quiet_from=m["quiet_from"],
        quiet_to=m["quiet_to"],
        last_digest_at=opt_utc(m["last_digest_at"]),
    )


async def load_person(session: AsyncConnection, user_id: str) -> PersonRecord | None:
    row = (await session.execute(select(person_t).where(person_t.c.user_id == user_id))).first()
    return None if row is None else person_from_row(row)


async def remember_person(
    db: Database,
    *,
    user_id: str,
    aad_object_id: str | None = None,
    display_name: str | None = None,
    tenant_id: str | None = None,
    destination: dict[str, Any] | None = None,
    language: str | None = None,
) -> PersonRecord:
    """Record (or refresh) who wrote and where their 1:1 chat is.

    Team, manager, organisation, time zone and quiet hours are kept as they were.
    """
    user_id = check_text(user_id, "user id", max_len=300).strip()
    values: dict[str, Any] = {"user_id": user_id, "updated_at": utcnow()}
    update_columns = ["updated_at"]
    for name, value in (
        ("aad_object_id", aad_object_id),
        ("display_name", display_name),
        ("tenant_id", tenant_id),
        ("destination", without_nul(destination)),
        ("language", language if language in ("da", "en") else None),
    ):
        if value:
            values[name] = value
            update_columns.append(name)
    async with db.transaction() as session:
        await session.execute(upsert(session, person_t, ["user_id"], update_columns).values(values))
        found = await load_person(session, user_id)
    assert found is not None
    return found


async def set_directory(
    db: Database,
    user_id: str,
    *,
    display_name: str | None = None,
    tenant_id: str | None = None,
    org: str | None = None,
    team: str | None = None,
    manager_id: str | None = None,
    time_zone: str | None = None,
    quiet_hours: tuple[int, int] | None = None,
) -> PersonRecord:
    """Set what an operator knows about a person (None leaves a field as it is; ``""``
    clears team, manager or organisation).

    Raises:
        InvalidInput: A value is malformed (names the value and the fix).
    """
    user_id = check_text(user_id, "user id", max_len=300).strip()
    values: dict[str, Any] = {}
    for name, value, limit in (
        ("display_name", display_name, 300),
        ("tenant_id", tenant_id, 300),
        ("org", org, 200),
        ("team", team, 200),
        ("manager_id", manager_id, 300),
    ):
        if value is not None:
            value = check_text(value, name.replace("_", " "), max_len=limit, allow_empty=True)
            values[name] = value.strip() or None
    if values.get("manager_id") == user_id:
        raise InvalidInput(f"{user_id} cannot be their own manager; give another manager id")
    if time_zone is not None:
        values["time_zone"] = check_time_zone(time_zone)
    if quiet_hours is not None:
        start, end = quiet_hours
        for hour in (start, end):
            if isinstance(hour, bool) or not isinstance(hour, int) or not 0 <= hour <= 23:
                raise InvalidInput(
                    f"quiet hours {start}-{end} are invalid; give two whole hours 0-23, e.g. 20-8"
                )
        values["quiet_from"], values["quiet_to"] = start, end
    async with db.transaction() as session:
        await session.execute(
            upsert(session, person_t, ["user_id"], ["updated_at"]).values(
                user_id=user_id, updated_at=utcnow()
            )
        )
        if values:
            await session.execute(
                update(person_t).where(person_t.c.user_id == user_id).values(**values)
            )
        found = await load_person(session, user_id)
    assert found is not None
    return found


async def get_person(db: Database, user_id: str) -> PersonRecord:
    """The person, or :class:`NotFound`."""
    async with db.transaction(write=False) as session:
        found = await load_person(session, user_id)
    if found is None:
        raise NotFound(f"the knowledge bank knows no person {user_id!r}")
    return found


async def get_people(db: Database, user_ids: list[str]) -> dict[str, PersonRecord]:
    """The people of these ids that the bank knows."""
    if not user_ids:
        return {}
    async with db.transaction(write=False) as session:
        rows = await session.execute(select(person_t).where(person_t.c.user_id.in_(user_ids)))
        return {row.user_id: person_from_row(row) for row in rows}


async def teams_managed_by(db: Database, manager_id: str) -> set[str | None]:
    """The teams of the people the directory lists under ``manager_id`` (empty: none)."""
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(person_t.c.team).where(person_t.c.manager_id == manager_id).distinct()
        )
        return {row.team for row in rows}
