"""Burst benchmark (issue 14): 300 answers sent at the same moment, run after run.

A workshop meeting does not answer at a steady rate: after ``næste`` everyone types at
once. This script runs ``bench/load.py``'s workshop on SQLite (one ``workshopbot serve``
process on loopback, the connector stand-in with Teams' limits) several times, each run in
a fresh bot process and database, with every participant's answer in flight together
(concurrency = participants). Per burst it takes the answers/s, the p99 and the longest
acknowledgement, and the longest pause in which no answer was acknowledged while some were
waiting (a stall). Then one paced run (each question's answers spread evenly over ``--paced-seconds``,
by default 1 s: 300 answers/s) gives the paced p99 beside it.

Printed and appended to ``bench/results/burst.md``: min / median / max over the runs.

Run: ``python bench/burst.py`` (5 runs × 3 questions × 300 participants),
``python bench/burst.py --runs 2 --questions 2``.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import os
import platform
import statistics
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench import load  # noqa: E402
from bench._record import append_result  # noqa: E402
from bench.workload import (  # noqa: E402
    Ack,
    ManagedProcess,
    RemoteConnector,
    WorkshopDriver,
    answer_all,
    db_upgrade,
    percentile,
    start_bot,
    start_python,
)

#: Goals of issue 14 for a burst.
GOAL_ANSWERS_PER_S = 1000.0
GOAL_BURST_P99_MS = 300.0


def longest_stall(batch: list[Ack]) -> float:
    """The longest time (s) in which answers were waiting and none was acknowledged.

    Between the first send and the last acknowledgement, any gap between consecutive
    acknowledgements while some request was still open counts.
    """
    done = sorted(a.sent_at + a.seconds for a in batch)
    if not done:
        return 0.0
    first_sent = min(a.sent_at for a in batch)
    gaps = [done[0] - first_sent] + [b - a for a, b in itertools.pairwise(done)]
    return max(gaps)


async def _one_run(
    workdir: Path,
    connector: RemoteConnector,
    http: aiohttp.ClientSession,
    *,
    run: int,
    participants: int,
    questions: int,
    spread: float,
    warm: float,
) -> list[dict[str, Any]]:
    url = f"sqlite:///{workdir / f'burst-{run}.sqlite3'}"
    db_upgrade(url)
    bot = await start_bot(url, log_path=workdir / f"bot-{run}.log", warm=warm)
    try:
        driver = WorkshopDriver(http, bot.url, connector)
        await driver.start_workshop()
        bursts = []
        for _ in range(questions):
            card = await driver.next_question()
            batch = await answer_all(
                driver,
                card,
                participants,
                concurrency=participants,
                redeliver_every=0,
                spread=spread,
            )
            ok = [a for a in batch if a.ok]
            span = max(a.sent_at + a.seconds for a in batch) - min(a.sent_at for a in batch)
            bursts.append(
                {
                    "question": card.question_id,
                    "answers": len(ok),
                    "failed": len(batch) - len(ok),
                    "answers_per_s": len(ok) / span if span else 0.0,
                    "p99_ms": percentile([a.seconds for a in batch], 0.99) * 1000,
                    "max_ms": max(a.seconds for a in batch) * 1000,
                    "stall_ms": longest_stall(batch) * 1000,
                }
            )
        return bursts
    finally:
        bot.process.stop()


def _spread(values: list[float]) -> str:
    return f"{min(values):,.0f} / {statistics.median(values):,.0f} / {max(values):,.0f}"


async def _main(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="wsb-burst-"))
    connector_process, ready = start_python(
        "connector_server.py", log_path=workdir / "connector.log"
    )
    processes: list[ManagedProcess] = [connector_process]
    burst: list[dict[str, Any]] = []
    paced: list[dict[str, Any]] = []
    try:
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=args.participants + 8)
        ) as http:
            connector = RemoteConnector(http, ready["control"], ready["throttled"], "throttled")
            for run in range(args.runs):
                got = await _one_run(
                    workdir,
                    connector,
                    http,
                    run=run,
                    participants=args.participants,
                    questions=args.questions,
                    spread=0.0,
                    warm=args.warm_up_wait,
                )
                for item in got:
                    print(
                        f"run {run + 1} {item['question']}: {item['answers']} answers, "
                        f"{item['answers_per_s']:,.0f}/s, p99 {item['p99_ms']:.0f} ms, "
                        f"max {item['max_ms']:.0f} ms, longest stall {item['stall_ms']:.0f} ms",
                        flush=True,
                    )
                burst += got
            paced = await _one_run(
                workdir,
                connector,
                http,
                run=args.runs,
                participants=args.participants,
                questions=args.questions,
                spread=args.paced_seconds,
                warm=args.warm_up_wait,
            )
    finally:
        for process in processes:
            process.stop()
    rates = [b["answers_per_s"] for b in burst]
    p99s = [b["p99_ms"] for b in burst]
    maxes = [b["max_ms"] for b in burst]
    stalls = [b["stall_ms"] for b in burst]
    failed = sum(b["failed"] for b in burst + paced)
    paced_p99 = [p["p99_ms"] for p in paced]
    met = min(rates) >= GOAL_ANSWERS_PER_S and max(p99s) < GOAL_BURST_P99_MS and failed == 0
    lines = [
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.node()} · "
        f"{os.cpu_count()} cores · Python {platform.python_version()} · "
        f"load average before {args.load_before:.1f}",
        "",
        f"{args.runs} runs (fresh bot process and SQLite file each) × {args.questions} "
        f"questions × {args.participants} answers sent at once; then one paced run "
        f"(answers spread over {args.paced_seconds:g} s per question). min / median / max over "
        "the bursts:",
        "",
        "| answers/s | burst p99 ms | longest ack ms | longest stall ms | paced p99 ms | "
        "failed | goals (≥ 1,000/s, p99 < 300 ms) |",
        "|---|---|---|---|---|---|---|",
        f"| {_spread(rates)} | {_spread(p99s)} | {_spread(maxes)} | {_spread(stalls)} | "
        f"{_spread(paced_p99)} | {failed} | {'met' if met else 'NOT met'} |",
        "",
    ]
    text = "\n".join(lines)
    print("\n" + text)
    if not args.no_record:
        append_result("burst", text + "\n")
    return 0 if failed == 0 else 1


def main(argv: list[str] | None = None) -> int:
    """Parse options and run the bursts."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--questions", type=int, default=3)
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--warm-up-wait", type=float, default=load.WARM_UP_WAIT)
    parser.add_argument(
        "--paced-seconds",
        type=float,
        default=1.0,
        help="the paced run spreads each question's answers over this many seconds "
        "(default 1: 300 answers/s, the rate issue 14 compares)",
    )
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.questions < 1 or args.participants < 1:
        raise SystemExit("--runs, --questions and --participants must be >= 1")
    args.load_before = os.getloadavg()[0]
    return asyncio.run(_main(args))


if __name__ == "__main__":
    raise SystemExit(main())
