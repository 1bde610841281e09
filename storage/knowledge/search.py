""" "Hvem ved hvad": full-text search over takeaways, ranked, with snippets, and with who
may see what applied in the query itself (never by filtering afterwards, so a page of
results is never short and nothing unseen is ever loaded).

- SQLite: FTS5 (``fts_takeaway``), ranked with bm25, ``snippet()``. The unicode61 tokenizer
  has no Danish stemmer: every search word is a prefix ("kommunikation" finds
  "kommunikationen").
- PostgreSQL: the generated ``fts_doc`` column, the 'danish' configuration (or 'english'
  for a takeaway written in English) on both sides, ``ts_rank_cd``, ``ts_headline``.

All the words must match; when that finds nothing, any word may (a question such as "who
knows Excel pivot" still finds the pivot expert).

The visibility rule (the same as :func:`dialogs.permissions.may_see_takeaway`, which a test
holds it to): published (consented, not withdrawn) and one of — the viewer wrote it; the
viewer is the author's manager; ``org`` and the same organisation (tenant); ``team`` and the
viewer's team, as the directory says, is the author's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, func, literal_column, or_, text
from sqlalchemy.ext.asyncio import AsyncConnection

from storage._base import check_text, utcnow
from storage.db import Database
from storage.knowledge.people import load_person
from storage.knowledge.records import SearchHit
from storage.knowledge.tables import search_log_t, takeaway_t
from storage.knowledge.takeaways import takeaway_from_row, takeaway_select

__all__ = [
    "MARK_END",
    "MARK_START",
    "MAX_RESULTS",
    "Viewer",
    "query_words",
    "search_takeaways",
    "visible_to",
]

#: Around each matched word in a snippet (control characters no one types; the caller
#: turns them into bold after escaping the text).
MARK_START = "\x02"
MARK_END = "\x03"
MAX_RESULTS = 50
MAX_WORDS = 8
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Viewer:
    """Who searches: their Teams user id and the tenant the adapter checked."""

    user_id: str
    tenant_id: str | None = None


def query_words(query: str) -> list[str]:
    """The words searched for: letters and digits only, lower case, at most eight.

    >>> query_words("Hvem ved noget om Excel-pivot? (2024)")
    ['hvem', 'ved', 'noget', 'om', 'excel', 'pivot', '2024']
    """
    return [w.lower() for w in _WORD.findall(query)][:MAX_WORDS]


def visible_to(viewer: Viewer, viewer_team: str | None, author: Any) -> Any:
    """The SQL condition "``viewer`` may see the takeaway", ``author`` being the author's
    ``kb_person`` row (an alias)."""
    same_tenant = func.coalesce(takeaway_t.c.tenant_id, "") == (viewer.tenant_id or "")
    return and_(
        takeaway_t.c.consent_at.is_not(None),
        takeaway_t.c.withdrawn_at.is_(None),
        or_(
            takeaway_t.c.user_id == viewer.user_id,
            author.c.manager_id == viewer.user_id,
            and_(takeaway_t.c.visibility == "org", same_tenant),
            and_(
                takeaway_t.c.visibility == "team",
                same_tenant,
                author.c.team.is_not(None),
                author.c.team == viewer_team if viewer_team else literal_column("1") == 0,
            ),
        ),
    )


def _fts5_query(words: list[str], joiner: str) -> str:
    return f" {joiner} ".join(f'"{w}"*' for w in words)


def _tsquery(words: list[str], joiner: str) -> str:
    return f" {joiner} ".join(f"{w}:*" for w in words)


async def _search_sqlite(
    session: AsyncConnection, viewer: Viewer, team: str | None, words: list[str], limit: int
) -> list[tuple[int, float, str]]:
    for joiner in ("AND", "OR") if len(words) > 1 else ("AND",):
        # Written out: SQLAlchemy has no FTS5 construct, and the MATCH operand is bound.
        sql = text(
            "SELECT takeaway.id AS id, bm25(fts_takeaway) AS rank, "
            "snippet(fts_takeaway, 0, char(2), char(3), '…', 16) AS snippet "
            "FROM fts_takeaway JOIN takeaway ON takeaway.id = fts_takeaway.rowid "
            "LEFT JOIN kb_person AS sa ON sa.user_id = takeaway.user_id "
            "WHERE fts_takeaway MATCH :match AND " + _visibility_sql(team) + " "
            "ORDER BY rank, takeaway.id DESC LIMIT :limit"
        )
        rows = (
            await session.execute(
                sql,
                {
                    "match": _fts5_query(words, joiner),
                    "limit": limit,
                    "viewer": viewer.user_id,
                    "tenant": viewer.tenant_id or "",
                    "team": team or "",
                },
            )
        ).all()
        if rows:
            # bm25 is lower for better matches: turn it round so that higher is better.
            return [(row.id, -float(row.rank), row.snippet) for row in rows]
    return []


def _visibility_sql(team: str | None) -> str:
    """:func:`visible_to` as SQL text for the hand-written full-text statements (bound
    parameters ``:viewer``, ``:tenant``, ``:team``; ``sa`` is the author's person row)."""
    team_clause = (
        "(takeaway.visibility = 'team' AND COALESCE(takeaway.tenant_id, '') = :tenant "
        "AND sa.team IS NOT NULL AND sa.team = :team)"
        if team
        else "(1 = 0)"
    )
    return (
        "(takeaway.consent_at IS NOT NULL AND takeaway.withdrawn_at IS NULL AND ("
        "takeaway.user_id = :viewer OR sa.manager_id = :viewer OR "
        "(takeaway.visibility = 'org' AND COALESCE(takeaway.tenant_id, '') = :tenant) OR "
        + team_clause
        + "))"
    )


async def _search_postgres(
    session: AsyncConnection, viewer: Viewer, team: str | None, words: list[str], limit: int
) -> list[tuple[int, float, str]]:
    headline = (
        f"StartSel={MARK_START}, StopSel={MARK_END}, MaxWords=24, MinWords=8, "
        'MaxFragments=2, FragmentDelimiter=" … "'
    )
    for joiner in ("&", "|") if len(words) > 1 else ("&",):
        q = _tsquery(words, joiner)
        # The language test picks the configuration the document was indexed with; each
        # branch is an indexable "fts_doc @@ constant query".
        sql = text(
            "WITH hits AS ("
            " SELECT takeaway.id, takeaway.language, takeaway.search_text,"
            "  ts_rank_cd(takeaway.fts_doc, CASE WHEN takeaway.language = 'en'"
            "   THEN to_tsquery('english', :q) ELSE to_tsquery('danish', :q) END) AS rank"
            " FROM takeaway LEFT JOIN kb_person AS sa ON sa.user_id = takeaway.user_id"
            " WHERE ((takeaway.language = 'en' AND takeaway.fts_doc @@ to_tsquery('english', :q))"
            "  OR (takeaway.language <> 'en' AND takeaway.fts_doc @@ to_tsquery('danish', :q)))"
            "  AND " + _visibility_sql(team) + " ORDER BY rank DESC, takeaway.id DESC LIMIT :limit"
            ") SELECT id, rank, ts_headline(CASE WHEN language = 'en' THEN 'english'::regconfig"
            " ELSE 'danish'::regconfig END, search_text, CASE WHEN language = 'en'"
            " THEN to_tsquery('english', :q) ELSE to_tsquery('danish', :q) END, :headline)"
            " AS snippet FROM hits ORDER BY rank DESC, id DESC"
        )
        rows = (
            await session.execute(
                sql,
                {
                    "q": q,
                    "limit": limit,
                    "viewer": viewer.user_id,
                    "tenant": viewer.tenant_id or "",
                    "team": team or "",
                    "headline": headline,
                },
            )
        ).all()
        if rows:
            return [(row.id, float(row.rank), row.snippet) for row in rows]
    return []


async def search_takeaways(
    db: Database, viewer: Viewer, query: str, *, limit: int = 10, log: bool = True
) -> tuple[SearchHit, ...]:
    """The takeaways ``viewer`` may see that match ``query``, best first.

    Args:
        viewer: Who searches (their id and checked tenant).
        query: The words, as typed ("hvem ved" removed).
        limit: At most this many results (1–50).
        log: Count the search for the transfer report (no words, no person are kept).

    Returns:
        Hits with snippets (matched words between :data:`MARK_START` and :data:`MARK_END`).

    Raises:
        InvalidInput: An over-long query or a limit out of range.
    """
    query = check_text(query, "search", max_len=300, allow_empty=True)
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_RESULTS:
        from storage.errors import InvalidInput

        raise InvalidInput(f"limit = {limit!r} is invalid; it must be 1 to {MAX_RESULTS}")
    words = query_words(query)
    if not words:
        return ()
    async with db.transaction(write=log) as session:
        me = await load_person(session, viewer.user_id)
        team = me.team if me is not None else None
        if db.dialect == "postgresql":
            found = await _search_postgres(session, viewer, team, words, limit)
        else:
            found = await _search_sqlite(session, viewer, team, words, limit)
        records = {}
        if found:
            rows = await session.execute(
                takeaway_select().where(takeaway_t.c.id.in_([hit[0] for hit in found]))
            )
            records = {row.id: takeaway_from_row(row) for row in rows}
        if log:
            await session.execute(
                search_log_t.insert().values(
                    tenant_id=viewer.tenant_id, team=team, results=len(found), created_at=utcnow()
                )
            )
    return tuple(
        SearchHit(takeaway=records[tid], snippet=snippet or "", rank=rank)
        for tid, rank, snippet in found
        if tid in records
    )
