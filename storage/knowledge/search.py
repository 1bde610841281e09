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
    "log_search",
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


#: Matches ranked per round: the newest this many (then ten times as many, then all), so a
#: common word among 100,000 takeaways ranks 500 rows, not 30,000. A round that finds
#: fewer visible results than asked for while it was cut short is followed by a wider one.
CANDIDATES: tuple[int | None, ...] = (500, 5000, None)


def _limit_clause(cap: int | None) -> str:
    return "" if cap is None else f" LIMIT {int(cap)}"


async def _search_sqlite(
    session: AsyncConnection, viewer: Viewer, words: list[str], limit: int, org_only: bool
) -> list[tuple[int, float]]:
    for joiner in ("AND", "OR") if len(words) > 1 else ("AND",):
        for cap in CANDIDATES:
            # Written out: SQLAlchemy has no FTS5 construct; the MATCH operand is bound.
            sql = text(
                "SELECT takeaway.id AS id, hits.rank AS rank FROM ("
                " SELECT rowid AS rid, bm25(fts_takeaway) AS rank FROM fts_takeaway"
                " WHERE fts_takeaway MATCH :match ORDER BY rowid DESC"
                + _limit_clause(cap)
                + ") AS hits"
                " JOIN takeaway ON takeaway.id = hits.rid"
                " LEFT JOIN kb_person AS sa ON sa.user_id = takeaway.user_id"
                " WHERE "
                + _visibility_sql(org_only=org_only)
                + " ORDER BY hits.rank, takeaway.id DESC LIMIT :limit"
            )
            rows = (
                await session.execute(
                    sql,
                    {
                        "match": _fts5_query(words, joiner),
                        "limit": limit,
                        "viewer": viewer.user_id,
                        "tenant": viewer.tenant_id or "",
                    },
                )
            ).all()
            if (
                len(rows) >= limit
                or cap is None
                or not await _capped_sqlite(session, words, joiner, cap)
            ):
                break
        if rows:
            # bm25 is lower for better matches: turn it round so that higher is better.
            return [(row.id, -float(row.rank)) for row in rows]
    return []


async def _capped_sqlite(session: AsyncConnection, words: list[str], joiner: str, cap: int) -> bool:
    """Whether more than ``cap`` takeaways match (so a wider round could find more)."""
    found = await session.execute(
        text(
            "SELECT count(*) FROM (SELECT rowid FROM fts_takeaway WHERE fts_takeaway MATCH :match"
            " LIMIT :cap)"
        ),
        {"match": _fts5_query(words, joiner), "cap": cap + 1},
    )
    return int(found.scalar_one()) > cap


def _visibility_sql(*, org_only: bool = False) -> str:
    """:func:`visible_to` as SQL text for the hand-written full-text statements (bound
    parameters ``:viewer``, ``:tenant``; ``sa`` is the author's person row). ``org_only``:
    only what everyone in the tenant may see (shared with the organisation), whoever asks."""
    if org_only:
        return (
            "(takeaway.consent_at IS NOT NULL AND takeaway.withdrawn_at IS NULL AND "
            "takeaway.visibility = 'org' AND COALESCE(takeaway.tenant_id, '') = :tenant)"
        )
    # The viewer's team is read in the statement itself (no team: no match).
    team_clause = (
        "(takeaway.visibility = 'team' AND COALESCE(takeaway.tenant_id, '') = :tenant "
        "AND sa.team IS NOT NULL "
        "AND sa.team = (SELECT vp.team FROM kb_person AS vp WHERE vp.user_id = :viewer))"
    )
    return (
        "(takeaway.consent_at IS NOT NULL AND takeaway.withdrawn_at IS NULL AND ("
        "takeaway.user_id = :viewer OR sa.manager_id = :viewer OR "
        "(takeaway.visibility = 'org' AND COALESCE(takeaway.tenant_id, '') = :tenant) OR "
        + team_clause
        + "))"
    )


_PG_MATCH = (
    "((takeaway.language = 'en' AND takeaway.fts_doc @@ to_tsquery('english', :q))"
    " OR (takeaway.language <> 'en' AND takeaway.fts_doc @@ to_tsquery('danish', :q)))"
)


#: PostgreSQL looks at the newest this many takeaways first (an id range, so neither a rare
#: nor a common word makes it scan the table), then at all of them.
PG_WINDOWS: tuple[int | None, ...] = (5000, None)


async def _search_postgres(
    session: AsyncConnection, viewer: Viewer, words: list[str], limit: int, org_only: bool
) -> list[tuple[int, float]]:
    for joiner in ("&", "|") if len(words) > 1 else ("&",):
        q = _tsquery(words, joiner)
        rows: list[Any] = []
        for window in PG_WINDOWS:
            recent = (
                " AND takeaway.id > (SELECT max(newest.id) FROM takeaway AS newest) - :window"
                if window is not None
                else ""
            )
            # The language test picks the configuration the document was indexed with.
            sql = text(
                "SELECT takeaway.id AS id, ts_rank_cd(takeaway.fts_doc, CASE WHEN"
                " takeaway.language = 'en' THEN to_tsquery('english', :q)"
                " ELSE to_tsquery('danish', :q) END) AS rank"
                " FROM takeaway LEFT JOIN kb_person AS sa ON sa.user_id = takeaway.user_id"
                " WHERE "
                + _PG_MATCH
                + recent
                + " AND "
                + _visibility_sql(org_only=org_only)
                + " ORDER BY rank DESC, takeaway.id DESC LIMIT :limit"
            )
            params: dict[str, Any] = {
                "q": q,
                "limit": limit,
                "viewer": viewer.user_id,
                "tenant": viewer.tenant_id or "",
            }
            if window is not None:
                params["window"] = window
            rows = list((await session.execute(sql, params)).all())
            if len(rows) >= limit:
                break
        if rows:
            return [(row.id, float(row.rank)) for row in rows]
    return []


async def _log(session: AsyncConnection, viewer: Viewer, team: str | None, results: int) -> None:
    await session.execute(
        search_log_t.insert().values(
            tenant_id=viewer.tenant_id, team=team, results=results, created_at=utcnow()
        )
    )


async def log_search(db: Database, viewer: Viewer, results: int) -> None:
    """Count a search for the transfer report: its tenant, the searcher's team, how many
    results; never the words or who searched."""
    async with db.transaction() as session:
        me = await load_person(session, viewer.user_id)
        await _log(session, viewer, me.team if me is not None else None, results)


def make_snippet(text_: str, words: list[str], *, max_words: int = 24) -> str:
    r"""Up to ``max_words`` words of ``text_`` around the first match, the matched words
    between :data:`MARK_START` and :data:`MARK_END` (a word matches when it starts with a
    search word, or a search word starts with it: "updates" finds "update").

    >>> make_snippet("Brug Excel til pivottabeller", ["pivot"])
    'Brug Excel til \x02pivottabeller\x03'
    """
    tokens = text_.replace("\n", " · ").split()

    def hit(token: str) -> bool:
        found = _WORD.findall(token.lower())
        return any(
            w.startswith(q) or (len(w) >= 4 and q.startswith(w)) for w in found for q in words
        )

    marks = [hit(t) for t in tokens]
    first = marks.index(True) if True in marks else 0
    start = max(0, min(first - max_words // 3, len(tokens) - max_words))
    piece = tokens[start : start + max_words]
    out = [f"{MARK_START}{t}{MARK_END}" if marks[start + i] else t for i, t in enumerate(piece)]
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + max_words < len(tokens) else ""
    return prefix + " ".join(out) + suffix


async def search_takeaways(
    db: Database,
    viewer: Viewer,
    query: str,
    *,
    limit: int = 10,
    log: bool = False,
    org_only: bool = False,
) -> tuple[SearchHit, ...]:
    """The takeaways ``viewer`` may see that match ``query``, best first.

    Args:
        viewer: Who searches (their id and checked tenant).
        query: The words, as typed ("hvem ved" removed).
        limit: At most this many results (1–50).
        log: Count the search for the transfer report in the same transaction (no words,
            no person are kept). The bot counts it after replying instead
            (:func:`log_search`), so the count's write never delays an answer.
        org_only: Only takeaways shared with the whole organisation of ``viewer``'s tenant
            (a workshop summary's links: its readers differ), never team- or manager-only
            ones, nor the viewer's own unshared ones.

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
        if db.dialect == "postgresql":
            found = await _search_postgres(session, viewer, words, limit, org_only)
        else:
            found = await _search_sqlite(session, viewer, words, limit, org_only)
        records = {}
        texts: dict[int, str] = {}
        if found:
            rows = await session.execute(
                takeaway_select().where(takeaway_t.c.id.in_([hit[0] for hit in found]))
            )
            for row in rows:
                records[row.id] = takeaway_from_row(row)
                texts[row.id] = row.search_text
        if log:
            me = await load_person(session, viewer.user_id)
            await _log(session, viewer, me.team if me is not None else None, len(found))
    return tuple(
        SearchHit(takeaway=records[tid], snippet=make_snippet(texts[tid], words), rank=rank)
        for tid, rank in found
        if tid in records
    )
