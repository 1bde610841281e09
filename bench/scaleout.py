"""Scale-out benchmark (issue 19): 300 participants answering through a round-robin proxy
over two ``workshopbot serve`` instances on one PostgreSQL database, one instance killed
with SIGKILL in the middle of the burst, side by side with one instance.

What runs (all on 127.0.0.1, every process started and stopped here):

- the Bot Connector stand-in in this process (``tests/support/connector.py``: Teams'
  per-conversation limits 7/s, 8 per 2 s, 60 per 30 s; a call beyond them is answered 429
  and counted as a violation; every call is recorded);
- a fresh PostgreSQL database on the server at ``--pg`` (``workshopbot db upgrade``);
- configuration ``one``: one bot, no proxy, nobody killed;
- configuration ``two``: two bots behind ``bench/proxy.py``; when ``--kill-at`` of the
  answers are acknowledged, bot 1 gets SIGKILL (and is not restarted).

The workload: a facilitator starts a workshop and opens the first question; at the moment
the burst starts the benchmark also queues ``--messages`` durable proactive messages
(``dialogs.outgoing.post``) spread over ``--conversations`` other group chats, as ten
workshops' question cards and reminders would be, for the instances to deliver; then
``--participants`` answer (even ones by card, odd ones by chat, ``--concurrency`` at a
time). An answer whose request failed (the killed instance dropped it, the proxy answered
502) is delivered again with the same activity id, as the Bot Framework service does, until
it is acknowledged. Then ``næste`` opens the next question through the survivor.

Printed and appended to ``bench/results/scaleout.md`` per configuration: answers
acknowledged / stored (lost, stored twice), the answers' throughput and p50/p99 time to
acknowledge, requests that failed and were redelivered, durable messages queued /
delivered at the stand-in (lost, delivered twice), the time until the last one arrived,
429s and calls beyond Teams' limits over all conversations, and whether the next question's
card came.

Run: ``python bench/scaleout.py`` (both configurations), ``--configs two``,
``--participants 100 --messages 100`` for a quicker run.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import platform
import signal
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench._record import append_result  # noqa: E402
from bench.workload import (  # noqa: E402
    Ack,
    LocalConnector,
    ManagedProcess,
    WorkshopDriver,
    percentile,
    start_bot,
    start_python,
    stored_answers,
    wait_http,
)
from tests.support.connector import ConnectorStandIn  # noqa: E402

log = logging.getLogger("bench.scaleout")
# The server secret that keys the hashes of Teams ids (storage/secret.py); a benchmark's
# own, unless one is configured (PostgreSQL insists on one; the bots inherit it).
os.environ.setdefault("WORKSHOPBOT_SECRET_KEY", "bench-scaleout-" + "0123456789abcdef" * 2)
DEFAULT_PG = os.environ.get("DATABASE_TEST_URL", "postgresql://postgres@127.0.0.1:5432/test")


async def _queue_messages(
    database_url: str, service_url: str, conversations: int, messages: int
) -> list[tuple[str, str, str]]:
    """Queue ``messages`` durable posts over ``conversations`` group chats; returns
    (key, conversation id, text) of each."""
    from storage.open import open_database

    db = await open_database(database_url, check_schema=False)
    queued: list[tuple[str, str, str]] = []
    try:
        # One transaction: the instances see them all at once, as the burst starts.
        async with db.transaction() as tx:
            await _queue_in(tx, db, service_url, conversations, messages, queued)
    finally:
        await db.dispose()
    return queued


async def _queue_in(
    tx: Any,
    db: Any,
    service_url: str,
    conversations: int,
    messages: int,
    queued: list[tuple[str, str, str]],
) -> None:
    from dialogs import outgoing

    for n in range(messages):
        conversation = f"19:scaleout-{n % conversations}@thread.v2"
        where = {
            "serviceUrl": service_url,
            "channelId": "msteams",
            "bot": {"id": "28:00000000-0000-0000-0000-000000000011", "name": "workshopbot"},
            "conversation": {"id": conversation, "conversationType": "groupChat"},
        }
        body = f"Besked {n} til {conversation}"
        key = f"bench:{n}"
        await outgoing.post(db, where, body, key=key, tx=tx)
        queued.append((key, conversation, body))


async def _answer_until_acknowledged(
    driver: WorkshopDriver,
    activities: list[dict[str, Any]],
    *,
    concurrency: int,
    on_ack: Any,
) -> tuple[list[Ack], int]:
    """Post every activity; one that failed is posted again (same id) until it is answered
    200, as the Bot Framework service redelivers. Returns the final acks and how many
    redeliveries were needed."""
    gate = asyncio.Semaphore(concurrency)
    redelivered = 0

    async def one(activity: dict[str, Any]) -> Ack:
        nonlocal redelivered
        for attempt in range(20):
            async with gate:
                ack = await driver.post(activity)
            if ack.ok:
                on_ack()
                return ack
            redelivered += 1
            await asyncio.sleep(min(0.2 * 2**attempt, 2.0))
        return ack

    acks = await asyncio.gather(*(one(a) for a in activities))
    return list(acks), redelivered


async def run_config(
    name: str,
    *,
    instances: int,
    kill_at: float | None,
    participants: int,
    concurrency: int,
    messages: int,
    conversations: int,
    pg_base: str,
    workdir: Path,
) -> dict[str, Any]:
    from tests.storage.dbutil import create_postgres_database, drop_postgres_database

    url = create_postgres_database(pg_base, prefix=f"wsb_scaleout_{name}")
    processes: list[ManagedProcess] = []
    try:
        async with ConnectorStandIn() as connector:
            bots = list(
                await asyncio.gather(
                    *(
                        start_bot(url, log_path=workdir / f"{name}-bot{i}.log", warm=30.0)
                        for i in range(instances)
                    )
                )
            )
            processes += [b.process for b in bots]
            if instances > 1:
                proxy, ready = start_python(
                    "proxy.py",
                    *(arg for b in bots for arg in ("--backend", b.url)),
                    log_path=workdir / f"{name}-proxy.log",
                )
                processes.append(proxy)
                front = str(ready["url"])
                await wait_http(front + "/healthz", process=proxy)
            else:
                front = bots[0].url
            async with aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=concurrency + 8)
            ) as http:
                driver = WorkshopDriver(http, front, LocalConnector(connector))
                await driver.start_workshop()
                card = await driver.next_question()

                queued_at = time.monotonic()
                queued = await _queue_messages(url, connector.url, conversations, messages)
                activities = [
                    driver.answer_activity(card, i, via="card" if i % 2 == 0 else "chat")
                    for i in range(participants)
                ]
                acked = 0
                killed_at: float | None = None
                undelivered_at_kill = [0]

                def count() -> None:
                    nonlocal acked, killed_at
                    acked += 1
                    if (
                        kill_at is not None
                        and killed_at is None
                        and acked >= kill_at * participants
                    ):
                        bots[-1].process.kill(signal.SIGKILL)
                        killed_at = time.monotonic()
                        undelivered_at_kill[0] = len(queued) - sum(
                            1
                            for c in connector.calls_of("send")
                            if c.status < 300 and c.conversation_id.startswith("19:scaleout-")
                        )
                        log.info("killed bot %d after %d answers", len(bots) - 1, acked)

                started = time.monotonic()
                acks, redelivered = await _answer_until_acknowledged(
                    driver, activities, concurrency=concurrency, on_ack=count
                )
                finished = time.monotonic()

                # Every durable message at the stand-in (or 60 s).
                wanted = {(conversation, body) for _, conversation, body in queued}
                deadline = time.monotonic() + 60
                while time.monotonic() < deadline:
                    arrived = {
                        (c.conversation_id, str((c.body or {}).get("text")))
                        for c in connector.calls_of("send")
                        if c.status < 300
                    }
                    if wanted <= arrived:
                        break
                    await asyncio.sleep(0.2)
                last_arrival = max(
                    (
                        c.at
                        for c in connector.calls_of("send")
                        if c.status < 300 and c.conversation_id.startswith("19:scaleout-")
                    ),
                    default=queued_at,
                )
                delivered = Counter(
                    (c.conversation_id, str((c.body or {}).get("text")))
                    for c in connector.calls_of("send")
                    if c.status < 300 and c.conversation_id.startswith("19:scaleout-")
                )
                next_card_ok = True
                try:
                    await driver.next_question(timeout=30)
                except (TimeoutError, RuntimeError):
                    next_card_ok = False

                stored = await stored_answers(url, card.workshop_id)
                stored_ids = Counter(a.activity_id for a in stored)
                ok_ids = {a.activity_id for a in acks if a.ok}
                calls = connector.calls
                return {
                    "config": name,
                    "instances": instances,
                    "killed_after_answers": None if killed_at is None else round(kill_at or 0, 2),
                    "answers_posted": participants,
                    "answers_acknowledged": len(ok_ids),
                    "answers_stored": len(stored),
                    "answers_lost": len(ok_ids - set(stored_ids)),
                    "answers_stored_twice": sum(1 for n in stored_ids.values() if n > 1),
                    "redeliveries": redelivered,
                    "answers_per_s": round(len(ok_ids) / (finished - started), 1),
                    "p50_ack_ms": round(percentile([a.seconds for a in acks], 0.5) * 1000, 1),
                    "p99_ack_ms": round(percentile([a.seconds for a in acks], 0.99) * 1000, 1),
                    "messages_queued": len(queued),
                    "messages_undelivered_at_kill": undelivered_at_kill[0]
                    if killed_at is not None
                    else None,
                    "messages_delivered": sum(1 for w in wanted if delivered[w] > 0),
                    "messages_lost": sum(1 for w in wanted if delivered[w] == 0),
                    "messages_twice": sum(1 for w in wanted if delivered[w] > 1),
                    "messages_all_in_s": round(last_arrival - queued_at, 2),
                    "calls": len(calls),
                    "throttled_429": sum(1 for c in calls if c.status == 429),
                    "beyond_limits": len(connector.violations),
                    "violations": [
                        (round(c.at - started, 2), c.operation, c.conversation_id[:40])
                        for c in connector.violations
                    ],
                    "next_question_card": next_card_ok,
                }
    finally:
        for process in processes:
            process.stop(timeout=10)
        drop_postgres_database(pg_base, url)


def _table(results: list[dict[str, Any]], header: str) -> str:
    rows = [
        header,
        "",
        "| config | answers acked/stored | lost | twice | redelivered | answers/s | p50 ms | "
        "p99 ms | messages queued/delivered | not yet out at the kill | lost | twice | "
        "all in (s) | 429s | beyond limits | next card |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        title = f"{r['config']} ({r['instances']} instance{'s' if r['instances'] > 1 else ''}" + (
            f", one killed at {int(r['killed_after_answers'] * 100)} % of the answers)"
            if r["killed_after_answers"]
            else ")"
        )
        rows.append(
            f"| {title} | {r['answers_acknowledged']}/{r['answers_stored']} | "
            f"{r['answers_lost']} | {r['answers_stored_twice']} | {r['redeliveries']} | "
            f"{r['answers_per_s']} | {r['p50_ack_ms']} | {r['p99_ack_ms']} | "
            f"{r['messages_queued']}/{r['messages_delivered']} | "
            f"{'-' if r['messages_undelivered_at_kill'] is None else r['messages_undelivered_at_kill']}"
            f" | {r['messages_lost']} | "
            f"{r['messages_twice']} | {r['messages_all_in_s']} | {r['throttled_429']} | "
            f"{r['beyond_limits']} | {'yes' if r['next_question_card'] else 'NO'} |"
        )
    return "\n".join(rows) + "\n\n"


async def _main(args: argparse.Namespace) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="wsb-scaleout-"))
    log.info("logs in %s", workdir)
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    results = []
    for config in configs:
        if config not in ("one", "two"):
            raise SystemExit(f"--configs {config!r} is invalid; use one, two or one,two")
        results.append(
            await run_config(
                config,
                instances=1 if config == "one" else 2,
                kill_at=None if config == "one" else args.kill_at,
                participants=args.participants,
                concurrency=args.concurrency,
                messages=args.messages,
                conversations=args.conversations,
                pg_base=args.pg,
                workdir=workdir,
            )
        )
        log.info("%s: %s", config, results[-1])
    header = (
        f"## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.node()} · {os.cpu_count()} "
        f"cores · Python {platform.python_version()}\n\n{args.participants} participants "
        f"answering one question (concurrency {args.concurrency}); {args.messages} durable "
        f"messages queued over {args.conversations} other group chats as the burst starts"
        " (at Teams' 8 per 2 s a chat's messages take several seconds to go out)."
    )
    table = _table(results, header)
    print(table)
    if not args.no_record:
        append_result("scaleout", table)
    bad = [
        r
        for r in results
        if r["answers_lost"]
        or r["messages_lost"]
        or r["beyond_limits"]
        or not r["next_question_card"]
    ]
    return 1 if bad else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--configs", default="one,two")
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--conversations", type=int, default=10)
    parser.add_argument("--kill-at", type=float, default=0.4)
    parser.add_argument("--pg", default=DEFAULT_PG, help="a PostgreSQL URL (its server is used)")
    parser.add_argument("--no-record", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    return asyncio.run(_main(args))


if __name__ == "__main__":
    sys.exit(main())
