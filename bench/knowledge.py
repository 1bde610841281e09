"""Knowledge-bank benchmarks (issue 16), on SQLite and PostgreSQL.

(a) "Hvem ved" search over 100,000 takeaways: latency of ``search_takeaways`` (visibility
    applied in the query, ranking, snippets, the search logged), p50/p95/p99 over queries of
    one to three words drawn from the corpus's vocabulary (rare and common words). Target:
    p99 < 50 ms.
(b) 10,000 due check-ins: one sweep (:func:`dialogs.knowledge.timed.sweep`) sends them
    through a channel that checks Teams' per-conversation limits (7/s, 8/2 s, 60/30 s,
    1,800/h) on the send times; 3 % of sends are given up on the first try (a lost
    connection) and must arrive at the next sweep. Target: 10,000 delivered exactly once,
    no limit exceeded.

Results go to bench/results/knowledge.md.

Run: ``python bench/knowledge.py [--takeaways 100000] [--checkins 10000] [--pg URL]``
(PostgreSQL: ``--pg postgresql://postgres@127.0.0.1:5432/test``; a fresh database is made
next to it and dropped afterwards).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import re
import statistics
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("WORKSHOPBOT_SECRET_KEY", "bench-only-secret-" + "0" * 32)

from storage._base import utcnow  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.knowledge import checkins, search  # noqa: E402
from storage.knowledge.search import Viewer  # noqa: E402
from storage.knowledge.tables import course_t, person_t, takeaway_t  # noqa: E402
from storage.migrate import upgrade_async  # noqa: E402

CORPUS = Path(os.environ.get("WORKSHOPBOT_CORPUS", "/work/shared/corpus"))
RESULTS = ROOT / "bench" / "results" / "knowledge.md"
_WORD = re.compile(r"[^\W\d_]{4,}")


def vocabulary() -> list[str]:
    words: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        words += [w.lower() for w in _WORD.findall(path.read_text(encoding="utf-8"))]
    if not words:
        raise SystemExit(f"no corpus at {CORPUS}; set WORKSHOPBOT_CORPUS")
    return words


async def fill(db: Database, n: int, rng: random.Random, words: list[str]) -> None:
    """n takeaways by 5,000 people in 60 teams of 2 tenants, over 500 courses."""
    now = utcnow()
    people = []
    for i in range(5000):
        people.append(
            {
                "user_id": f"29:p{i}",
                "display_name": f"Person {i}",
                "tenant_id": "t1" if i % 10 else "t2",
                "team": f"team{i % 60}",
                "manager_id": f"29:p{i - i % 20}" if i % 20 else None,
                "language": "da",
                "time_zone": "Europe/Copenhagen",
                "quiet_from": 20,
                "quiet_to": 8,
                "updated_at": now,
            }
        )
    async with db.transaction() as s:
        await s.execute(person_t.insert(), people)
        courses = [
            {
                "name": " ".join(rng.choices(words, k=2)).title(),
                "name_key": f"course {c}",
                "provider": rng.choice(["AMU", "Akademi", "Diplom", "Master", "Erhvervsakademi"]),
                "starts_on": date(2026, 1 + c % 12, 1),
                "ends_on": date(2026, 1 + c % 12, 3),
                "tenant_id": "t1",
                "created_at": now,
            }
            for c in range(500)
        ]
        await s.execute(course_t.insert(), courses)
    batch = []
    for i in range(n):
        author = rng.randrange(5000)
        points = [" ".join(rng.choices(words, k=rng.randint(5, 12))).capitalize() for _ in range(3)]
        batch.append(
            {
                "course_id": 1 + i % 500,
                "user_id": f"29:p{author}",
                "tenant_id": "t1" if author % 10 else "t2",
                "point1": points[0],
                "point2": points[1],
                "point3": points[2],
                "topics": "",
                "language": "da",
                "visibility": rng.choice(["team", "org", "org", "manager"]),
                "consent_at": now if rng.random() < 0.95 else None,
                "search_text": "\n".join(points),
                "created_at": now,
                "updated_at": now,
            }
        )
        if len(batch) == 5000:
            async with db.transaction() as s:
                await s.execute(takeaway_t.insert(), batch)
            batch = []
    if batch:
        async with db.transaction() as s:
            await s.execute(takeaway_t.insert(), batch)
    if db.dialect == "postgresql":
        async with db.transaction() as s:
            from sqlalchemy import text

            await s.execute(text("ANALYZE"))


async def bench_search(
    db: Database, queries: int, rng: random.Random, words: list[str]
) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for w in words:
        counts[w] = counts.get(w, 0) + 1
    ranked = sorted(counts, key=counts.get, reverse=True)  # type: ignore[arg-type]
    common, rare = ranked[:200], ranked[len(ranked) // 2 :]
    times = []
    found = []
    for q in range(queries):
        pool = common if q % 2 else rare
        query = " ".join(rng.choices(pool, k=rng.randint(1, 3)))
        viewer = Viewer(f"29:p{rng.randrange(5000)}", "t1")
        start = time.perf_counter()
        hits = await search.search_takeaways(db, viewer, query, limit=10)
        times.append((time.perf_counter() - start) * 1000)
        found.append(len(hits))
    times.sort()

    def pct(p: float) -> float:
        return times[min(len(times) - 1, int(p * len(times)))]

    return {
        "queries": queries,
        "p50": statistics.median(times),
        "p95": pct(0.95),
        "p99": pct(0.99),
        "max": times[-1],
        "with_results": sum(1 for f in found if f),
    }


async def bench_checkins(db: Database, n: int) -> dict[str, Any]:
    from dialogs.knowledge import timed
    from tests.knowledge.fakes import Ctx, FakeChannel

    now = utcnow()
    async with db.transaction() as s:
        course = (
            await s.execute(
                course_t.insert()
                .values(
                    name="Bench",
                    name_key="bench",
                    provider="P",
                    starts_on=date(2027, 3, 1),
                    ends_on=date(2027, 3, 2),
                    created_at=now,
                )
                .returning(course_t.c.id)
            )
        ).scalar_one()
        await s.execute(
            person_t.insert(),
            [
                {
                    "user_id": f"29:c{i}",
                    "destination": {"conversation": {"id": f"a:29:c{i}"}},
                    "language": "da",
                    "time_zone": "Europe/Copenhagen",
                    "quiet_from": 20,
                    "quiet_to": 8,
                    "updated_at": now,
                }
                for i in range(n)
            ],
        )
    start = time.perf_counter()
    for i in range(n):
        await checkins.enrol(
            db, f"29:c{i}", course, now=datetime(2027, 1, 1, tzinfo=UTC), stages=("weeks_after_2",)
        )
    enrol_s = time.perf_counter() - start
    clock_start = time.monotonic()
    channel = FakeChannel(clock=lambda: time.monotonic() - clock_start)
    rng = random.Random(3)
    original = channel._record

    def flaky(conversation: str, content: Any, private_to: str | None) -> Any:
        if rng.random() < 0.03:
            channel.fail += 1
        return original(conversation, content, private_to)

    channel._record = flaky  # type: ignore[method-assign]
    ctx = Ctx(db, channel, datetime(2027, 3, 16, 9, 0, tzinfo=UTC))
    start = time.perf_counter()
    first = await timed.sweep(ctx)
    first_s = time.perf_counter() - start
    channel._record = original  # type: ignore[method-assign]
    ctx.at = datetime(2027, 3, 16, 9, 15, tzinfo=UTC)
    start = time.perf_counter()
    second = await timed.sweep(ctx)
    second_s = time.perf_counter() - start
    third = await timed.sweep(ctx)
    per_conversation: dict[str, int] = {}
    for sent in channel.sent:
        per_conversation[sent.conversation] = per_conversation.get(sent.conversation, 0) + 1
    return {
        "n": n,
        "enrol_s": enrol_s,
        "first_sent": first.checkins_sent,
        "given_up": first.undeliverable,
        "first_s": first_s,
        "second_sent": second.checkins_sent,
        "second_s": second_s,
        "third_sent": third.checkins_sent,
        "delivered": len(channel.sent),
        "distinct": len(per_conversation),
        "max_per_conversation": max(per_conversation.values()) if per_conversation else 0,
        "violations": channel.violations,
    }


async def run_backend(url: str, args: argparse.Namespace) -> dict[str, Any]:
    db = Database.from_url(url)
    try:
        await upgrade_async(db)
        rng = random.Random(16)
        words = vocabulary()
        start = time.perf_counter()
        await fill(db, args.takeaways, rng, words)
        fill_s = time.perf_counter() - start
        result = {"fill_s": fill_s, "search": await bench_search(db, args.queries, rng, words)}
        result["checkins"] = await bench_checkins(db, args.checkins)
        return result
    finally:
        await db.dispose()


def make_pg(base: str) -> str:
    from tests.storage.dbutil import create_postgres_database

    return create_postgres_database(base, prefix="wsb_bench_kb")


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--takeaways", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--checkins", type=int, default=10_000)
    parser.add_argument("--pg", help="PostgreSQL server URL (a fresh database is made there)")
    parser.add_argument("--tmp", type=Path, default=Path("/tmp"), help="folder for the SQLite file")
    parser.add_argument("--no-record", action="store_true", help="do not write bench/results")
    args = parser.parse_args()
    backends: dict[str, str] = {}
    sqlite_file = args.tmp / f"kb-bench-{os.getpid()}.sqlite3"
    backends["SQLite"] = f"sqlite:///{sqlite_file}"
    if args.pg:
        backends["PostgreSQL"] = make_pg(args.pg)
    results = {}
    try:
        for name, url in backends.items():
            print(f"{name}: filling {args.takeaways:,} takeaways …", flush=True)
            results[name] = asyncio.run(run_backend(url, args))
            print(name, results[name], flush=True)
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(str(sqlite_file) + suffix).unlink(missing_ok=True)
        if args.pg and "PostgreSQL" in backends:
            from tests.storage.dbutil import drop_postgres_database

            drop_postgres_database(args.pg, backends["PostgreSQL"])
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.node()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · load average {os.getloadavg()[0]:.1f} at the end "
        "(other sessions share the machine)",
        "",
        f"### (a) 'hvem ved' over {args.takeaways:,} takeaways ({args.queries} queries of 1–3 words, "
        "half common, half rare; visibility, ranking and snippets included; the search count is written after the reply, outside this figure)",
        "",
        "| backend | fill s | p50 ms | p95 ms | p99 ms | max ms | queries with results | target p99 < 50 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        s = r["search"]
        ok = "**met**" if s["p99"] < 50 else "**missed**"
        lines.append(
            f"| {name} | {r['fill_s']:.1f} | {s['p50']:.1f} | {s['p95']:.1f} | {s['p99']:.1f} | "
            f"{s['max']:.1f} | {s['with_results']}/{s['queries']} | {ok} |"
        )
    lines += [
        "",
        f"### (b) {args.checkins:,} due check-ins, one sweep, 3 % of sends given up on the first try",
        "",
        "| backend | enrol s | sweep 1: sent / given up (s) | sweep 2: sent (s) | sweep 3 | delivered | distinct chats | max per chat | limit violations |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for name, r in results.items():
        c = r["checkins"]
        lines.append(
            f"| {name} | {c['enrol_s']:.1f} | {c['first_sent']:,} / {c['given_up']} ({c['first_s']:.1f}) | "
            f"{c['second_sent']} ({c['second_s']:.1f}) | {c['third_sent']} | {c['delivered']:,} | "
            f"{c['distinct']:,} | {c['max_per_conversation']} | {c['violations']} |"
        )
    lines.append("")
    text = "\n".join(lines)
    print(text)
    if not args.no_record:
        old = (
            RESULTS.read_text(encoding="utf-8")
            if RESULTS.exists()
            else "# Knowledge bank benchmarks\n\n"
        )
        head, _, rest = old.partition("\n\n")
        RESULTS.write_text(f"{head}\n\n{text}\n{rest}", encoding="utf-8")
        print(f"recorded in {RESULTS}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
