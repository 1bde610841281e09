"""Network maps: the outputs of ``workshopbot analyze``, addressable by an unguessable token."""

from __future__ import annotations

import logging
import secrets
from typing import Any

from sqlalchemy import Row, delete, select

from storage._base import as_utc, check_id, check_text, map_t, utcnow
from storage.db import Database
from storage.errors import InvalidInput, NotFound
from storage.records import MapInfo, MapRecord

__all__ = [
    "delete_map",
    "get_map",
    "get_map_by_name",
    "get_map_by_token",
    "list_maps",
    "new_token",
    "save_map",
]

log = logging.getLogger(__name__)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def new_token() -> str:
    """An unguessable URL-safe token (192 random bits)."""
    return secrets.token_urlsafe(24)


def _record(row: Row[Any]) -> MapRecord:
    m = row._mapping
    return MapRecord(
        id=m["id"],
        name=m["name"],
        token=m["token"],
        png=bytes(m["png"]),
        card_png=None if m["card_png"] is None else bytes(m["card_png"]),
        svg=m["svg"],
        gexf=m["gexf"],
        terms_csv=m["terms_csv"],
        data=dict(m["data"] or {}),
        created_at=as_utc(m["created_at"]),
    )


def _check_png(data: object, what: str) -> bytes:
    if not isinstance(data, bytes | bytearray) or not bytes(data).startswith(PNG_SIGNATURE):
        raise InvalidInput(
            f"{what} is not a PNG image; give the network.png that workshopbot analyze wrote"
        )
    return bytes(data)


async def save_map(
    db: Database,
    *,
    name: str,
    png: bytes,
    card_png: bytes | None = None,
    svg: str | None = None,
    gexf: str | None = None,
    terms_csv: str | None = None,
    data: dict[str, Any] | None = None,
    replace: bool = False,
) -> MapRecord:
    """Store a network map under a unique name with a fresh unguessable token.

    Args:
        name: The name to find it by (``workshopbot maps add NAME DIR``).
        png: The map image (``network.png``).
        card_png: The smaller image for an Adaptive Card (``network-card.png``).
        svg: ``network.svg`` text, if made.
        gexf: ``network.gexf`` text (opens in Gephi).
        terms_csv: ``terms.csv`` text.
        data: Parameters and statistics (``network.json``).
        replace: Replace a map with the same name (it gets a new token).

    Raises:
        InvalidInput: Empty name, not a PNG, or the name is taken and ``replace`` is False.
    """
    name = check_text(name, "map name", max_len=200).strip()
    png = _check_png(png, "png")
    if card_png is not None:
        card_png = _check_png(card_png, "card_png")
    async with db.transaction() as session:
        existing = (await session.execute(select(map_t.c.id).where(map_t.c.name == name))).first()
        if existing is not None:
            if not replace:
                raise InvalidInput(
                    f"a map named {name!r} exists already; choose another name or replace it"
                )
            await session.execute(delete(map_t).where(map_t.c.id == existing.id))
        row = (
            await session.execute(
                map_t.insert()
                .values(
                    name=name,
                    token=new_token(),
                    png=png,
                    card_png=card_png,
                    svg=svg,
                    gexf=gexf,
                    terms_csv=terms_csv,
                    data=data or {},
                    created_at=utcnow(),
                )
                .returning(*map_t.c)
            )
        ).one()
    log.info("saved network map %r (%d bytes)", name, len(png))
    return _record(row)


async def _one(db: Database, condition: Any, missing: str) -> MapRecord:
    async with db.transaction(write=False) as session:
        row = (await session.execute(select(map_t).where(condition))).first()
    if row is None:
        raise NotFound(missing)
    return _record(row)


async def get_map(db: Database, map_id: int) -> MapRecord:
    """A map by id. Raises NotFound."""
    check_id(map_id, "map id")
    return await _one(
        db,
        map_t.c.id == map_id,
        f"there is no network map {map_id}; list them with: workshopbot maps list",
    )


async def get_map_by_token(db: Database, token: str) -> MapRecord:
    """A map by its token (what a public URL carries). Raises NotFound (the message does not
    echo the token)."""
    if not isinstance(token, str) or not token or len(token) > 64:
        raise NotFound("there is no network map with that token")
    return await _one(db, map_t.c.token == token, "there is no network map with that token")


async def get_map_by_name(db: Database, name: str) -> MapRecord:
    """A map by name. Raises NotFound."""
    return await _one(
        db,
        map_t.c.name == name.strip(),
        f"there is no network map named {name!r}; list them with: workshopbot maps list",
    )


async def list_maps(db: Database) -> tuple[MapInfo, ...]:
    """Every stored map without its files, newest first."""
    async with db.transaction(write=False) as session:
        rows = await session.execute(
            select(
                map_t.c.id,
                map_t.c.name,
                map_t.c.token,
                map_t.c.data,
                map_t.c.created_at,
                map_t.c.card_png.is_not(None).label("has_card_png"),
                map_t.c.svg.is_not(None).label("has_svg"),
                map_t.c.gexf.is_not(None).label("has_gexf"),
                map_t.c.terms_csv.is_not(None).label("has_terms_csv"),
            ).order_by(map_t.c.created_at.desc(), map_t.c.id.desc())
        )
        return tuple(
            MapInfo(
                id=row.id,
                name=row.name,
                token=row.token,
                data=dict(row.data or {}),
                created_at=as_utc(row.created_at),
                has_card_png=bool(row.has_card_png),
                has_svg=bool(row.has_svg),
                has_gexf=bool(row.has_gexf),
                has_terms_csv=bool(row.has_terms_csv),
            )
            for row in rows
        )


async def delete_map(db: Database, map_id: int) -> None:
    """Delete a map (workshops that showed it keep running without it). Silent if unknown."""
    check_id(map_id, "map id")
    async with db.transaction() as session:
        await session.execute(delete(map_t).where(map_t.c.id == map_id))
