"""Load benchmark: a 300-person workshop against real bot processes on loopback.

What runs (all on 127.0.0.1, every process started and stopped here):

- the Bot Connector stand-in (``bench/connector_server.py``: Teams' per-conversation limits
  7/s, 8 per 2 s, 60 per 30 s with 429 + Retry-After, every call recorded);
- configuration ``sqlite``: one ``workshopbot serve --local`` on a fresh SQLite file;
- configuration ``postgres``: two ``workshopbot serve --local`` on one fresh PostgreSQL
  database (``createdb``, ``workshopbot db upgrade``) behind ``bench/proxy.py`` (round robin);
- configuration ``echo``: a bare botbuilder 4.17 echo bot (``bench/echo_bot.py``).

A facilitator starts a workshop (``@workshopbot start``, the setup card's submit), then for
every question says ``næste`` and N participants answer (even ones by card submit, odd ones
by chat message; every ``--redeliver-every``-th activity is delivered twice, as the Bot
Framework service does on retries), with at most ``--concurrency`` requests in flight.

Printed per configuration: answers stored vs. acknowledged (exactly once, read back through
the storage API), answers/s over the answering phases, p50/p99 time to acknowledge
(the HTTP answer of ``/api/messages``), 429s the stand-in gave and calls beyond Teams'
limits, the time from the last acknowledged answer until the question card's counter
showed the final count (from the stand-in's recorded updates), the bot's CPU per answer;
for PostgreSQL also whether the summary holds every answer. The echo bot gets the same
number of chat messages; its requests/s and the ratio are printed. Figures are appended to
``bench/results/load.md`` (``--json FILE`` writes them as JSON too).

Run: ``python bench/load.py`` (the whole default plan, 300 participants),
``python bench/load.py --quick`` (50 participants, 2 questions),
``python bench/load.py --configs sqlite,echo --questions 3``.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import logging
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402

from bench.workload import (  # noqa: E402
    Ack,
    ManagedProcess,
    NullConnector,
    RemoteConnector,
    WorkshopDriver,
    answer_all,
    db_upgrade,
    percentile,
    start_bot,
    start_python,
    stored_answers,
    wait_http,
)

__all__ = ["main", "run_echo", "run_workshop_load"]

log = logging.getLogger("bench.load")
RESULTS = ROOT / "bench" / "results" / "load.md"
TARGETS = {
    "answers_per_s": 1000.0,
    "p99_ack_ms": 100.0,
    "beyond_limits": 0,
    "counter_final_s": 5.0,
    "echo_ratio": 10.0,
}
#: The bot configurations, in the order they run (echo is the bare SDK bot, separately).
BOT_CONFIGS = ("sqlite", "sqlite-turn", "postgres")
#: Seconds to wait after start for the bot's spaCy warm-up (steady state, not cold start).
WARM_UP_WAIT = 45.0
PG_BASE = os.environ.get("WORKSHOPBOT_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _postgres_pids() -> list[int]:
    """The PostgreSQL server's processes on this machine (their CPU is part of the cost)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() == "postgres":
                    pids.append(int(entry.name))
            except OSError:
                continue
    return pids


def _plan_size(plan: str) -> int:
    from dialogs.plans.builtins import get_builtin_plan

    return len(get_builtin_plan(plan).question_ids)


async def run_workshop_load(
    *,
    bot_url: str,
    connector: RemoteConnector,
    database_url: str,
    participants: int,
    questions: int,
    concurrency: int,
    redeliver_every: int,
    bot_pids: list[int],
    other_pids: dict[str, Callable[[], list[int]]] | None = None,
    spread: float = 0.0,
    http: aiohttp.ClientSession,
    check_summary: bool = False,
) -> dict[str, Any]:
    """Run one workshop under load and check every answer was stored exactly once.

    Returns:
        The figures (see the module docstring) and the correctness checks.
    """
    driver = WorkshopDriver(http, bot_url, connector)
    await driver.start_workshop()
    acks: list[Ack] = []
    per_question: list[dict[str, Any]] = []
    answering_seconds = 0.0
    cpu_total = 0.0
    generator_cpu = 0.0
    other_cpu: dict[str, float] = {}
    later_acks: list[Ack] = []  # questions after the first (everyone has answered once)
    later_seconds = 0.0
    workshop_id = 0
    for number in range(questions):
        card = await driver.next_question()
        workshop_id = card.workshop_id
        cpu_before = sum(_cpu_seconds(pid) for pid in bot_pids)
        others_before = {
            name: sum(_cpu_seconds(pid) for pid in pids())
            for name, pids in (other_pids or {}).items()
        }
        generator_before = time.process_time()
        started = time.monotonic()
        batch = await answer_all(
            driver,
            card,
            participants,
            concurrency=concurrency,
            redeliver_every=redeliver_every,
            spread=spread,
        )
        finished = time.monotonic()
        cpu_total += sum(_cpu_seconds(pid) for pid in bot_pids) - cpu_before
        generator_cpu += time.process_time() - generator_before
        for name, pids in (other_pids or {}).items():
            spent = sum(_cpu_seconds(pid) for pid in pids()) - others_before[name]
            other_cpu[name] = other_cpu.get(name, 0.0) + spent
        answering_seconds += finished - started
        acks += batch
        if number > 0:
            later_acks += batch
            later_seconds += finished - started
        expected = len({a.activity_id for a in batch if a.ok})
        last_ack = max(a.sent_at + a.seconds for a in batch)
        final_at = await driver.wait_for_counter(card, expected, timeout=30.0)
        per_question.append(
            {
                "question": card.question_id,
                "answers": expected,
                "seconds": round(finished - started, 3),
                "answers_per_s": round(expected / (finished - started), 1),
                "p99_ack_ms": round(percentile([a.seconds for a in batch], 0.99) * 1000, 1),
                # 0 when the final count was shown before the last HTTP answer went out.
                "counter_final_s": None
                if final_at is None
                else round(max(0.0, final_at - last_ack), 3),
            }
        )
        log.info("question %d/%d: %s", number + 1, questions, per_question[-1])
    await driver.command("slut")
    await asyncio.sleep(3.0)  # the outbox closes the last card and says goodbye

    stored = await stored_answers(database_url, workshop_id)
    stored_ids = Counter(a.activity_id for a in stored)
    acked_ids = {a.activity_id for a in acks if a.ok}
    sent_ids = {a.activity_id for a in acks}
    failed = [a for a in acks if not a.ok]
    calls = [c for c in await connector.calls(0) if c["conversation_id"] == driver.conversation_id]
    result: dict[str, Any] = {
        "participants": participants,
        "questions": questions,
        "concurrency": concurrency,
        "activities_posted": len(acks),
        "answers_acknowledged": len(acked_ids),
        "answers_stored": len(stored),
        "missing": len(acked_ids - set(stored_ids)),
        "duplicates": sum(1 for n in stored_ids.values() if n > 1),
        "unexpected": len(set(stored_ids) - sent_ids),
        "failed_requests": len(failed),
        "failed_statuses": dict(Counter(a.status for a in failed)),
        "answers_per_s": round(len(acked_ids) / answering_seconds, 1) if answering_seconds else 0,
        "p50_ack_ms": round(percentile([a.seconds for a in acks], 0.50) * 1000, 1),
        "p99_ack_ms": round(percentile([a.seconds for a in acks], 0.99) * 1000, 1),
        "max_ack_ms": round(max(a.seconds for a in acks) * 1000, 1),
        "cpu_ms_per_answer": round(cpu_total / max(1, len(acked_ids)) * 1000, 2),
        # After the first question: the steady state of a workshop, where every answer is
        # from someone the bot has seen (the first question also creates 300 participants).
        "later_answers_per_s": round(
            len({a.activity_id for a in later_acks if a.ok}) / later_seconds, 1
        )
        if later_seconds
        else None,
        "later_p99_ack_ms": round(percentile([a.seconds for a in later_acks], 0.99) * 1000, 1)
        if later_acks
        else None,
        # How busy the bot processes were while answers came (1.0 = one core all the time),
        # and what this load generator itself spent per answer on the same 2 cores.
        "bot_cores_busy": round(cpu_total / answering_seconds, 2) if answering_seconds else 0,
        "generator_cpu_ms_per_answer": round(generator_cpu / max(1, len(acked_ids)) * 1000, 2),
        **{
            f"{name}_cpu_ms_per_answer": round(spent / max(1, len(acked_ids)) * 1000, 2)
            for name, spent in other_cpu.items()
        },
        "outgoing_calls": len(calls),
        "throttled_429": sum(1 for c in calls if c["status"] == 429),
        "beyond_limits": sum(1 for c in calls if c["status"] == 429),
        "counter_final_s_max": max(
            (q["counter_final_s"] for q in per_question if q["counter_final_s"] is not None),
            default=None,
        ),
        "counter_never_final": sum(1 for q in per_question if q["counter_final_s"] is None),
        "per_question": per_question,
    }
    result["exactly_once"] = (
        result["missing"] == 0 and result["duplicates"] == 0 and result["unexpected"] == 0
    )
    if check_summary:
        result["summary_answers"] = await _summary_answer_count(database_url, workshop_id)
    return result


async def _summary_answer_count(database_url: str, workshop_id: int) -> int:
    """How many answers the facilitator's basic summary lists."""
    from dialogs.basic_summary import basic_summary, gather
    from storage.open import open_database

    db = await open_database(database_url, check_schema=False)
    try:
        summary = basic_summary(await gather(db, workshop_id), audience="facilitator")
    finally:
        await db.dispose()
    return sum(len(q.answers) for q in summary.questions) + len(summary.discussion)


async def run_echo(
    *, echo_url: str, service_url: str, messages: int, concurrency: int, pid: int
) -> dict[str, Any]:
    """The same load generator against the bare echo bot: chat messages only."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=concurrency)) as http:
        driver = WorkshopDriver(http, echo_url, NullConnector(service_url))
        gate = asyncio.Semaphore(concurrency)

        async def one(index: int) -> Ack:
            activity = driver.activity(user=driver.participant(index), text=f"hej {index}")
            async with gate:
                return await driver.post(activity)

        cpu_before = _cpu_seconds(pid)
        started = time.monotonic()
        acks = await asyncio.gather(*(one(i) for i in range(messages)))
        seconds = time.monotonic() - started
        cpu = _cpu_seconds(pid) - cpu_before
    ok = [a for a in acks if a.ok]
    return {
        "requests": messages,
        "ok": len(ok),
        "requests_per_s": round(len(ok) / seconds, 1),
        "p50_ack_ms": round(percentile([a.seconds for a in acks], 0.5) * 1000, 1),
        "p99_ack_ms": round(percentile([a.seconds for a in acks], 0.99) * 1000, 1),
        "cpu_ms_per_request": round(cpu / max(1, messages) * 1000, 2),
    }


def _pg_command(tool: str, name: str, *extra: str) -> list[str]:
    from urllib.parse import urlparse

    parsed = urlparse(PG_BASE)
    return [
        tool,
        "-h",
        parsed.hostname or "127.0.0.1",
        "-p",
        str(parsed.port or 5432),
        "-U",
        parsed.username or "postgres",
        *extra,
        name,
    ]


def _createdb(name: str) -> None:
    subprocess.run(_pg_command("createdb", name), check=True, capture_output=True, timeout=60)


def _dropdb(name: str) -> None:
    subprocess.run(
        _pg_command("dropdb", name, "--if-exists", "--force"), capture_output=True, timeout=60
    )


def _start_profiler(pid: int, out: Path) -> subprocess.Popen[bytes] | None:
    """``py-spy record`` of the bot process (GIL-holding samples only), if py-spy is here."""
    spy = Path(sys.executable).with_name("py-spy")
    if not spy.exists():
        log.warning("--profile needs py-spy (pip install py-spy); not profiling")
        return None
    return subprocess.Popen(
        [str(spy), "record", "-p", str(pid), "--gil", "-r", "250", "-f", "raw", "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _stop_profiler(spy: subprocess.Popen[bytes] | None, out: Path) -> list[tuple[str, float]]:
    """Stop py-spy and return the top inclusive frames of the project's own code (%)."""
    if spy is None:
        return []
    spy.send_signal(signal.SIGINT)
    try:
        spy.wait(timeout=30)
    except subprocess.TimeoutExpired:
        spy.kill()
        return []
    if not out.exists():
        return []
    inclusive: Counter[str] = Counter()
    total = 0
    for line in out.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        total += int(count)
        frames = {frame.rsplit(":", 1)[0] for frame in stack.split(";")}
        for frame in frames:
            if any(f"({part}/" in frame for part in ("bot", "dialogs", "storage")):
                inclusive[frame] += int(count)
    return [(frame, round(100 * n / total, 1)) for frame, n in inclusive.most_common(25)]


async def _sqlite(
    workdir: Path,
    connector: RemoteConnector,
    processes: list[ManagedProcess],
    *,
    profile: bool = False,
    full_turn: bool = False,
    **common: Any,
) -> dict[str, Any]:
    warm = common.pop("warm", WARM_UP_WAIT)
    name = "sqlite-turn" if full_turn else "sqlite"
    url = f"sqlite:///{workdir / f'load-{name}.sqlite3'}"
    db_upgrade(url)
    env = {"WORKSHOPBOT_FAST_ANSWERS": "0"} if full_turn else None
    bot = await start_bot(url, log_path=workdir / f"bot-{name}.log", warm=warm, env=env)
    processes.append(bot.process)
    spy = _start_profiler(bot.process.pid, workdir / f"profile-{name}.txt") if profile else None
    try:
        result = await run_workshop_load(
            bot_url=bot.url,
            connector=connector,
            database_url=url,
            bot_pids=[bot.process.pid],
            **common,
        )
        if spy is not None:
            result["profile"] = _stop_profiler(spy, workdir / f"profile-{name}.txt")
            spy = None
        return result
    finally:
        if spy is not None:
            spy.kill()
        bot.process.stop()


async def _postgres(
    workdir: Path,
    connector: RemoteConnector,
    processes: list[ManagedProcess],
    *,
    profile: bool = False,
    **common: Any,
) -> dict[str, Any]:
    warm = common.pop("warm", WARM_UP_WAIT)
    name = f"wsb_load_{os.getpid()}"
    _createdb(name)
    url = f"{PG_BASE}/{name}"
    try:
        db_upgrade(url)
        # Each process keeps to half of Teams' per-conversation budget (bot.settings).
        bots = [
            await start_bot(
                url,
                log_path=workdir / f"bot-pg-{i}.log",
                env={"WORKSHOPBOT_INSTANCES": "2"},
                warm=warm,
            )
            for i in (1, 2)
        ]
        processes += [b.process for b in bots]
        proxy, proxy_ready = start_python(
            "proxy.py",
            *[arg for b in bots for arg in ("--backend", b.url)],
            log_path=workdir / "proxy.log",
        )
        processes.append(proxy)
        spy = None
        try:
            await wait_http(proxy_ready["url"] + "/healthz", process=proxy)
            if profile:  # the first of the two bot processes
                spy = _start_profiler(bots[0].process.pid, workdir / "profile-postgres.txt")
            result = await run_workshop_load(
                bot_url=proxy_ready["url"],
                connector=connector,
                database_url=url,
                bot_pids=[b.process.pid for b in bots],
                other_pids={"proxy": lambda: [proxy.pid], "postgres_server": _postgres_pids},
                check_summary=True,
                **common,
            )
            if spy is not None:
                result["profile"] = _stop_profiler(spy, workdir / "profile-postgres.txt")
                spy = None
            return result
        finally:
            if spy is not None:
                spy.send_signal(signal.SIGINT)
            for process in (proxy, *[b.process for b in bots]):
                process.stop()
    finally:
        _dropdb(name)


async def _echo(
    workdir: Path,
    service_url: str,
    processes: list[ManagedProcess],
    *,
    messages: int,
    concurrency: int,
) -> dict[str, Any]:
    echo, echo_ready = start_python("echo_bot.py", log_path=workdir / "echo.log")
    processes.append(echo)
    try:
        await wait_http(echo_ready["url"] + "/healthz", process=echo)
        return await run_echo(
            echo_url=echo_ready["url"],
            service_url=service_url,
            messages=messages,
            concurrency=concurrency,
            pid=echo.pid,
        )
    finally:
        echo.stop()


async def _run(args: argparse.Namespace) -> dict[str, Any]:
    configs = [c.strip() for c in args.configs.split(",") if c.strip()]
    unknown = set(configs) - {*BOT_CONFIGS, "echo"}
    if unknown:
        raise SystemExit(
            f"--configs {','.join(sorted(unknown))} is invalid; use any of "
            f"{','.join(BOT_CONFIGS)},echo"
        )
    questions = args.questions or _plan_size("default")
    results: dict[str, Any] = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.node()} · {os.cpu_count()} cores · Python "
        f"{platform.python_version()} · load average before {os.getloadavg()[0]:.1f}",
        "participants": args.participants,
        "questions": questions,
        "concurrency": args.concurrency,
        "spread": args.spread,
        "warm_up_wait": args.warm_up_wait,
        "errors": {},
    }
    workdir = Path(tempfile.mkdtemp(prefix="wsb-load-"))
    log.info("logs and databases in %s", workdir)
    connector_process, ready = start_python(
        "connector_server.py", log_path=workdir / "connector.log"
    )
    processes: list[ManagedProcess] = [connector_process]
    titles = {
        "sqlite": "sqlite (1 process)",
        "sqlite-turn": "sqlite-turn (1 process, every answer through the SDK's full turn)",
        "postgres": "postgres (2 processes, proxy)",
    }
    try:
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=args.concurrency + 8)
        ) as http:
            throttled = RemoteConnector(http, ready["control"], ready["throttled"], "throttled")
            common = {
                "participants": args.participants,
                "questions": questions,
                "concurrency": args.concurrency,
                "redeliver_every": args.redeliver_every,
                "spread": args.spread,
                "http": http,
                "warm": args.warm_up_wait,
            }
            runners = {
                "sqlite": _sqlite,
                "sqlite-turn": functools.partial(_sqlite, full_turn=True),
                "postgres": _postgres,
            }
            for config in BOT_CONFIGS:
                if config not in configs:
                    continue
                try:
                    results[config] = await runners[config](
                        workdir, throttled, processes, profile=args.profile, **common
                    )
                except Exception as exc:  # one broken configuration must not hide the others
                    log.exception("configuration %s failed", config)
                    results["errors"][config] = f"{type(exc).__name__}: {str(exc)[-500:]}"
                    continue
                _report(titles[config], results[config])
            if "echo" in configs:
                try:
                    results["echo"] = await _echo(
                        workdir,
                        ready["open"],
                        processes,
                        messages=args.participants * questions,
                        concurrency=args.concurrency,
                    )
                except Exception as exc:
                    log.exception("the echo bot failed")
                    results["errors"]["echo"] = f"{type(exc).__name__}: {str(exc)[-500:]}"
            if "echo" in results:
                echo = results["echo"]
                print(
                    f"\necho bot: {echo['requests_per_s']} requests/s, p50 {echo['p50_ack_ms']} "
                    f"ms, p99 {echo['p99_ack_ms']} ms, {echo['cpu_ms_per_request']} ms CPU per "
                    "request"
                )
                for config in BOT_CONFIGS:
                    if config in results and echo["requests_per_s"]:
                        ratio = results[config]["answers_per_s"] / echo["requests_per_s"]
                        results[config]["echo_ratio"] = round(ratio, 2)
                        print(f"{config}: {ratio:.2f}x the echo bot's throughput")
    finally:
        for process in processes:
            process.stop(timeout=10)
    for config, error in results["errors"].items():
        print(f"\n{config} FAILED: {error}")
    results["logs"] = str(workdir)
    return results


def _report(title: str, figures: dict[str, Any]) -> None:
    print(f"\n== {title}")
    if figures.get("profile"):
        print("  hottest project functions (inclusive % of CPU samples):")
        for frame, share in figures["profile"]:
            print(f"    {share:5.1f}%  {frame}")
    for key in (
        "answers_acknowledged",
        "answers_stored",
        "exactly_once",
        "missing",
        "duplicates",
        "failed_requests",
        "answers_per_s",
        "p50_ack_ms",
        "p99_ack_ms",
        "later_answers_per_s",
        "later_p99_ack_ms",
        "cpu_ms_per_answer",
        "bot_cores_busy",
        "generator_cpu_ms_per_answer",
        "proxy_cpu_ms_per_answer",
        "postgres_server_cpu_ms_per_answer",
        "outgoing_calls",
        "throttled_429",
        "beyond_limits",
        "counter_final_s_max",
        "counter_never_final",
        "summary_answers",
    ):
        if key in figures:
            print(f"  {key:22} {figures[key]}")


def _verdict(config: dict[str, Any]) -> str:
    checks = [
        config.get("exactly_once", False),
        config.get("answers_per_s", 0) >= TARGETS["answers_per_s"],
        config.get("p99_ack_ms", 1e9) < TARGETS["p99_ack_ms"],
        config.get("beyond_limits", 1) == TARGETS["beyond_limits"],
        config.get("counter_never_final", 1) == 0
        and (config.get("counter_final_s_max") or 1e9) <= TARGETS["counter_final_s"],
        config.get("echo_ratio", 0) >= TARGETS["echo_ratio"],
    ]
    return "".join("✓" if ok else "✗" for ok in checks)


def append_results(results: dict[str, Any], path: Path = RESULTS) -> None:
    """Append one run's figures as a Markdown section to ``bench/results/load.md``."""
    lines = []
    if not path.exists():
        lines += [
            "# Load benchmark (bench/load.py)",
            "",
            "Targets (issue 7): every answer stored exactly once; ≥ 1,000 answers/s; p99 "
            "acknowledgement < 100 ms; zero calls beyond Teams' limits; counter final ≤ 5 s "
            "after the last answer; ≥ 10× a bare botbuilder echo bot. Verdict column: one "
            "mark per target in that order.",
            "",
        ]
    lines += [
        f"## {results['date']} · {results['machine']}",
        "",
        f"{results['participants']} participants × {results['questions']} questions, "
        f"concurrency {results['concurrency']}"
        + (
            f", answers paced over {results['spread']:g} s per question."
            if results.get("spread")
            else ", answers sent as fast as the bot takes them."
        )
        + (
            " Cold start: load began as soon as /healthz answered."
            if not results.get("warm_up_wait", 1)
            else ""
        ),
        "",
        "| config | stored/acked | exactly once | answers/s | p50 ms | p99 ms "
        "| after question 1: answers/s, p99 ms | CPU ms/answer "
        "| 429s | beyond limits | counter final s (max) | × echo | verdict |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for config in BOT_CONFIGS:
        if config not in results:
            continue
        r = results[config]
        final = r["counter_final_s_max"]
        if r["counter_never_final"]:
            final = f"{final} ({r['counter_never_final']} never)"
        lines.append(
            f"| {config} | {r['answers_stored']}/{r['answers_acknowledged']} | "
            f"{'yes' if r['exactly_once'] else 'NO'} | {r['answers_per_s']} | {r['p50_ack_ms']} "
            f"| {r['p99_ack_ms']} | {r.get('later_answers_per_s', '-')}, "
            f"{r.get('later_p99_ack_ms', '-')} | {r['cpu_ms_per_answer']} | {r['throttled_429']} | "
            f"{r['beyond_limits']} | {final} | {r.get('echo_ratio', '-')} | {_verdict(r)} |"
        )
        if "summary_answers" in r:
            lines.append(
                f"|  | summary lists {r['summary_answers']} of {r['answers_stored']} answers "
                "| | | | | | | | | | | |"
            )
    if "echo" in results:
        e = results["echo"]
        lines.append(
            f"| echo (bare botbuilder) | {e['ok']}/{e['requests']} requests | - | "
            f"{e['requests_per_s']} req/s | {e['p50_ack_ms']} | {e['p99_ack_ms']} | - | "
            f"{e['cpu_ms_per_request']} | - | - | - | 1 | |"
        )
    for config, error in results.get("errors", {}).items():
        lines.append(f"\n{config} failed: `{error.splitlines()[-1] if error else ''}`")
    lines.append("")
    with path.open("a", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Parse options, run the configurations, print and record the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument(
        "--questions", type=int, default=0, help="questions to run (default: the whole plan)"
    )
    parser.add_argument("--concurrency", type=int, default=32, help="requests in flight")
    parser.add_argument("--redeliver-every", type=int, default=10)
    parser.add_argument(
        "--spread",
        type=float,
        default=0.0,
        help="pace each question's answers evenly over this many seconds (default 0: as "
        "fast as --concurrency allows, which measures throughput; 10 plays a meeting)",
    )
    parser.add_argument(
        "--configs",
        default="sqlite,sqlite-turn,postgres,echo",
        help="sqlite: one process; sqlite-turn: the same with the answer fast path off "
        "(WORKSHOPBOT_FAST_ANSWERS=0), side by side; postgres: two processes; echo: the bare "
        "botbuilder echo bot",
    )
    parser.add_argument("--quick", action="store_true", help="50 participants, 2 questions")
    parser.add_argument("--json", type=Path, default=None, help="also write the figures here")
    parser.add_argument("--no-record", action="store_true", help="do not append to load.md")
    parser.add_argument(
        "--warm-up-wait",
        type=float,
        default=WARM_UP_WAIT,
        help="seconds to wait for the bot's spaCy warm-up before the load (0: measure a cold "
        f"start; default {WARM_UP_WAIT:g})",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="py-spy the SQLite bot process; print its hottest project functions",
    )
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args(argv)
    if args.quick:
        args.participants, args.questions = 50, 2
    if args.participants < 1 or args.concurrency < 1 or args.questions < 0:
        raise SystemExit("--participants and --concurrency must be >= 1, --questions >= 0")
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    results = asyncio.run(_run(args))
    if args.json is not None:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False))
    if not args.no_record:
        append_results(results)
        print(f"\nappended to {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
