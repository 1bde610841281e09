"""Storage throughput: 50 concurrent writers recording answers, and bot-state round trips.

For each backend (SQLite file, PostgreSQL at DATABASE_TEST_URL) this script migrates a fresh
database, starts one running workshop and lets WRITERS asyncio tasks (one Teams user each)
record answers back to back through ``storage.answers.record_answer`` — the full path the
bot takes: participant lookup, idempotency on the activity id, one transaction per answer.
It prints answers/s and per-answer latency (p50/p99, from the call until it returns, queueing
included), then bot-state read+write round trips/s through ``bot.state_storage.SqlStorage``
(each of the writers reads its own key and writes it back with the eTag it read).
Results are appended to ``bench/results/storage.md``.

Run: ``python bench/storage.py [--answers 5000] [--writers 50] [--backends sqlite postgresql]``
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._record import append_result  # noqa: E402
from bot.state_storage import SqlStorage  # noqa: E402
from storage import answers, workshops  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade_async  # noqa: E402
from tests.storage.dbutil import create_postgres_database, drop_postgres_database  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


async def bench_answers(db: Database, *, total: int, writers: int) -> dict[str, float]:
    w = await workshops.create_workshop(db, org_name="Bench")
    await workshops.start_workshop(db, w.id)
    # Warm up: every writer's first answer creates its participant (pseudonym assignment).
    for i in range(writers):
        await answers.record_answer(
            db, workshop_id=w.id, user_id=f"29:w{i}", text="warm-up", source="chat"
        )
    per_writer = total // writers
    latencies: list[float] = []

    async def warm(i: int) -> None:  # the batched path compiles its statements once
        for n in range(5):
            await answers.record_answer(
                db,
                workshop_id=w.id,
                user_id=f"29:w{i}",
                text="warm",
                source="chat",
                activity_id=f"warm-{i}-{n}",
            )

    await asyncio.gather(*(warm(i) for i in range(writers)))
    batcher = db.services["answers.writer"]
    batches_before, requests_before = batcher.batches, batcher.requests

    async def writer(i: int) -> None:
        for n in range(per_writer):
            started = time.perf_counter()
            await answers.record_answer(
                db,
                workshop_id=w.id,
                user_id=f"29:w{i}",
                display_name=f"Writer {i}",
                text=f"Svar {n} fra skribent {i}: viden fra efteruddannelse skal deles.",
                source="chat",
                activity_id=f"act-{i}-{n}",
            )
            latencies.append(time.perf_counter() - started)

    started, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(writer(i) for i in range(writers)))
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    stored = await answers.count_answers(db, w.id)
    assert stored == per_writer * writers + 6 * writers, stored
    batches = batcher.batches - batches_before
    return {
        "answers": per_writer * writers,
        "seconds": elapsed,
        "per_second": per_writer * writers / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "max_ms": max(latencies) * 1000,
        "batch": (batcher.requests - requests_before) / max(1, batches),
        "cpu_ms": cpu / (per_writer * writers) * 1000,
    }


async def bench_paced(db: Database, *, rate: float, total: int, writers: int) -> dict[str, float]:
    """Open loop: the writers together offer ``rate`` answers/s; latency at that load."""
    w = await workshops.create_workshop(db, org_name="Bench paced")
    await workshops.start_workshop(db, w.id)
    for i in range(writers):
        await answers.record_answer(
            db, workshop_id=w.id, user_id=f"29:p{i}", text="warm-up", source="chat"
        )
    per_writer = total // writers
    interval = writers / rate
    latencies: list[float] = []
    loop = asyncio.get_running_loop()
    start = loop.time() + 0.05

    async def writer(i: int) -> None:
        for n in range(per_writer):
            due = start + n * interval + i * interval / writers
            await asyncio.sleep(max(0.0, due - loop.time()))
            started = time.perf_counter()
            await answers.record_answer(
                db,
                workshop_id=w.id,
                user_id=f"29:p{i}",
                text=f"Svar {n} fra skribent {i}.",
                source="chat",
                activity_id=f"paced-{i}-{n}",
            )
            latencies.append(time.perf_counter() - started)

    began = time.perf_counter()
    await asyncio.gather(*(writer(i) for i in range(writers)))
    elapsed = time.perf_counter() - began
    return {
        "rate": rate,
        "achieved": len(latencies) / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
    }


async def bench_state(db: Database, *, rounds: int, writers: int) -> dict[str, float]:
    storage = SqlStorage(db)
    keys = [f"msteams/conversations/bench-{i}" for i in range(writers)]
    await storage.write({key: {"dialogState": {"stack": []}, "n": 0} for key in keys})
    latencies: list[float] = []

    async def turn_loop(key: str) -> None:
        for _ in range(rounds // writers):
            started = time.perf_counter()
            item = (await storage.read([key]))[key]
            item["n"] += 1
            await storage.write({key: item})
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(turn_loop(key) for key in keys))
    elapsed = time.perf_counter() - started
    done = (rounds // writers) * writers
    final = await storage.read(keys)
    assert all(item["n"] == rounds // writers for item in final.values())
    return {
        "round_trips": done,
        "seconds": elapsed,
        "per_second": done / elapsed,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
    }


async def run_backend(
    url: str, *, total: int, writers: int, rounds: int, rate: float
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    db = Database.from_url(url, pool_size=writers)
    try:
        await upgrade_async(db)
        a = await bench_answers(db, total=total, writers=writers)
        p = await bench_paced(db, rate=rate, total=total, writers=writers)
        s = await bench_state(db, rounds=rounds, writers=writers)
    finally:
        await db.dispose()
    return a, p, s


#: The issue's throughput targets, offered as the paced load.
TARGET_RATE = {"sqlite": 1000.0, "postgresql": 2000.0}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, default=5000)
    parser.add_argument("--writers", type=int, default=50)
    parser.add_argument("--state-rounds", type=int, default=5000)
    parser.add_argument(
        "--backends", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"]
    )
    parser.add_argument(
        "--no-record", action="store_true", help="do not append to bench/results/storage.md"
    )
    args = parser.parse_args()

    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.writers} writers, {args.answers} answers, "
        f"{args.state_rounds} state round trips, {os.cpu_count()} CPUs",
        "",
        f"load average before the run: {' / '.join(f'{x:.2f}' for x in os.getloadavg())} "
        "(other jobs on the machine share its CPUs)",
        "",
        "Back to back (each writer sends its next answer as soon as the last one is stored):",
        "",
        "    backend     answers/s   p50 ms   p99 ms   max ms  answers/batch  CPU ms/answer   state round trips/s   state p99 ms",
    ]
    paced_lines = [
        "",
        "Paced (the 50 writers together offer the target rate; latency at that load):",
        "",
        "    backend     offered/s  achieved/s   p50 ms   p99 ms",
    ]
    for backend in args.backends:
        kwargs = {
            "total": args.answers,
            "writers": args.writers,
            "rounds": args.state_rounds,
            "rate": TARGET_RATE[backend],
        }
        if backend == "sqlite":
            folder = tempfile.mkdtemp(prefix="wsb-bench-")
            url = f"sqlite:///{folder}/bench.sqlite3"
            a, p, s = asyncio.run(run_backend(url, **kwargs))  # type: ignore[arg-type]
        else:
            base = os.environ.get("DATABASE_TEST_URL", "postgresql://postgres@127.0.0.1:5432/test")
            url = create_postgres_database(base, prefix=f"wsb_bench_{uuid.uuid4().hex[:4]}")
            try:
                a, p, s = asyncio.run(run_backend(url, **kwargs))  # type: ignore[arg-type]
            finally:
                drop_postgres_database(base, url)
        line = (
            f"    {backend:<10} {a['per_second']:>10,.0f} {a['p50_ms']:>8.2f} {a['p99_ms']:>8.2f} "
            f"{a['max_ms']:>8.2f} {a['batch']:>14.1f} {a['cpu_ms']:>14.3f} "
            f"{s['per_second']:>21,.0f} {s['p99_ms']:>14.2f}"
        )
        paced = (
            f"    {backend:<10} {p['rate']:>10,.0f} {p['achieved']:>11,.0f} "
            f"{p['p50_ms']:>8.2f} {p['p99_ms']:>8.2f}"
        )
        print(line, flush=True)
        print(paced, flush=True)
        lines.append(line)
        paced_lines.append(paced)
    lines.extend(paced_lines)
    lines.append("")
    report = "\n".join(lines)
    print(report)
    if not args.no_record:
        append_result("storage", report + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
