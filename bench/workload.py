"""Pieces shared by the load benchmark and the fault tests: real processes, a view of the
Bot Connector stand-in, and a driver that runs a workshop the way a facilitator and the
participants would (Teams-shaped activities posted to ``/api/messages``).

The driver reads what the bot sent from the stand-in (the setup card, the question cards
with their workshop and question-run ids, the counter updates), so it needs no access to
the bot's internals; the stored answers are checked through the storage API afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support import BOT_ID, free_port, teams_activity  # noqa: E402

__all__ = [
    "Ack",
    "BotProcess",
    "ConnectorView",
    "LocalConnector",
    "ManagedProcess",
    "NullConnector",
    "QuestionCard",
    "RemoteConnector",
    "WorkshopDriver",
    "card_counter",
    "find_submit_data",
    "percentile",
    "start_bot",
    "start_python",
]

log = logging.getLogger(__name__)

PYTHON = sys.executable
_COUNTER = re.compile(r"^(\d+) (?:svar|answers?)$")


# ----------------------------------------------------------------------------- processes


class ManagedProcess:
    """A child process started by the benchmark or a test, with its log file.

    Args:
        argv: the command line.
        env: extra environment variables.
        log_path: where stdout and stderr go.
    """

    def __init__(self, argv: Sequence[str], *, env: dict[str, str], log_path: Path) -> None:
        self.argv = list(argv)
        self.log_path = log_path
        self._start = log_path.stat().st_size if log_path.exists() else 0
        self._log = open(log_path, "ab")  # noqa: SIM115 - closed in wait()/kill()
        full_env = dict(os.environ)
        full_env.update(env)
        self.process = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self, sig: int = signal.SIGKILL) -> None:
        """Send ``sig`` to this process only (by its pid) and reap it when it is SIGKILL."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, sig)
        if sig == signal.SIGKILL:
            self.process.wait(timeout=10)
            self._log.close()

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, wait up to ``timeout`` seconds, then SIGKILL."""
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.kill(signal.SIGKILL)
        self._log.close()
        return self.process.returncode

    def log_text(self) -> str:
        """The process's output so far (not what earlier processes wrote to the same log)."""
        try:
            with open(self.log_path, "rb") as handle:
                handle.seek(self._start)
                return handle.read().decode(errors="replace")
        except OSError:
            return ""


async def wait_http(
    url: str, *, timeout: float = 30.0, process: ManagedProcess | None = None
) -> None:
    """Wait until ``GET url`` answers 200 (the process must stay alive meanwhile)."""
    deadline = time.monotonic() + timeout
    async with aiohttp.ClientSession() as http:
        while True:
            if process is not None and process.process.poll() is not None:
                raise RuntimeError(
                    f"{process.argv[:4]} exited with {process.process.returncode}:\n"
                    f"{process.log_text()[-3000:]}"
                )
            try:
                async with http.get(url, timeout=aiohttp.ClientTimeout(total=2)) as response:
                    if response.status == 200:
                        return
            except (aiohttp.ClientError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")
            await asyncio.sleep(0.1)


@dataclass
class BotProcess:
    """A running ``workshopbot serve --local``."""

    process: ManagedProcess
    port: int

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


async def start_bot(
    database_url: str,
    *,
    log_path: Path,
    port: int | None = None,
    env: dict[str, str] | None = None,
    warm: float = 0.0,
) -> BotProcess:
    """Start ``workshopbot serve --local`` on ``database_url`` and wait for ``/healthz``.

    ``warm`` > 0 also waits (up to that many seconds) for the log line saying the spaCy
    pipeline is loaded: the bot loads it in a thread after it starts answering, and while
    it loads every turn is slow (a benchmark of the steady state waits for it).
    """
    port = port or free_port()
    extra = {"DATABASE_URL": database_url, "WORKSHOPBOT_LOCAL": "1", "PYTHONUNBUFFERED": "1"}
    extra.update(env or {})
    process = ManagedProcess(
        [PYTHON, "-m", "bot", "serve", "--local", "--port", str(port)],
        env=extra,
        log_path=log_path,
    )
    try:
        await wait_http(f"http://127.0.0.1:{port}/healthz", process=process)
    except BaseException:
        process.stop(timeout=5)
        raise
    deadline = time.monotonic() + warm
    while time.monotonic() < deadline and "spaCy pipeline for" not in process.log_text():
        await asyncio.sleep(0.1)
    return BotProcess(process, port)


def db_upgrade(database_url: str) -> None:
    """``workshopbot db upgrade`` for ``database_url`` (a real CLI run)."""
    subprocess.run(
        [PYTHON, "-m", "bot", "db", "upgrade"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": database_url},
        check=True,
        capture_output=True,
        timeout=120,
    )


def start_python(
    script: str, *args: str, log_path: Path, timeout: float = 30.0
) -> tuple[ManagedProcess, dict[str, Any]]:
    """Start ``python bench/<script>`` and read its ``READY {json}`` line from the log."""
    process = ManagedProcess(
        [PYTHON, str(ROOT / "bench" / script), *args],
        env={"PYTHONUNBUFFERED": "1"},
        log_path=log_path,
    )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in process.log_text().splitlines():
            if line.startswith("READY "):
                return process, json.loads(line[6:])
        if process.process.poll() is not None:
            raise RuntimeError(f"{script} exited:\n{process.log_text()[-3000:]}")
        time.sleep(0.05)
    process.stop(timeout=5)
    raise TimeoutError(f"{script} was not ready within {timeout:.0f} s")


# ----------------------------------------------------------------------------- the stand-in


class ConnectorView(Protocol):
    """What the driver needs from the Bot Connector stand-in."""

    url: str

    async def calls(self, since: int = 0) -> list[dict[str, Any]]: ...

    async def activities(self, conversation_id: str) -> dict[str, Any]: ...

    async def stats(self) -> dict[str, Any]: ...


class LocalConnector:
    """A :class:`ConnectorView` of a ``ConnectorStandIn`` running in this process."""

    def __init__(self, stand_in: Any) -> None:
        self.stand_in = stand_in
        self.url = stand_in.url

    async def calls(self, since: int = 0) -> list[dict[str, Any]]:
        return [
            {
                "at": c.at,
                "method": c.method,
                "operation": c.operation,
                "conversation_id": c.conversation_id,
                "activity_id": c.activity_id,
                "status": c.status,
                "body": c.body,
            }
            for c in self.stand_in.calls[since:]
        ]

    async def activities(self, conversation_id: str) -> dict[str, Any]:
        return dict(self.stand_in.activities.get(conversation_id, {}))

    async def stats(self) -> dict[str, Any]:
        calls = self.stand_in.calls
        return {
            "calls": len(calls),
            "violations": len(self.stand_in.violations),
            "throttled_429": sum(1 for c in calls if c.status == 429),
        }


class NullConnector:
    """Only a service URL: for bots whose outgoing calls are not inspected (the echo bot)."""

    def __init__(self, url: str) -> None:
        self.url = url

    async def calls(self, since: int = 0) -> list[dict[str, Any]]:
        return []

    async def activities(self, conversation_id: str) -> dict[str, Any]:
        return {}

    async def stats(self) -> dict[str, Any]:
        return {}


class RemoteConnector:
    """A :class:`ConnectorView` of ``bench/connector_server.py`` through its control API."""

    def __init__(self, http: aiohttp.ClientSession, control: str, url: str, which: str) -> None:
        self.http = http
        self.control = control
        self.url = url
        self.which = which

    async def _get(self, path: str, **params: str) -> Any:
        async with self.http.get(
            self.control + path, params={"which": self.which, **params}
        ) as response:
            response.raise_for_status()
            return await response.json()

    async def calls(self, since: int = 0) -> list[dict[str, Any]]:
        return list(await self._get("/calls", since=str(since)))

    async def activities(self, conversation_id: str) -> dict[str, Any]:
        return dict(await self._get("/activities", cid=conversation_id))

    async def stats(self) -> dict[str, Any]:
        return dict(await self._get("/stats"))

    async def inject(self, **options: Any) -> None:
        async with self.http.post(
            self.control + "/inject", params={"which": self.which}, json=options
        ) as response:
            response.raise_for_status()


# ----------------------------------------------------------------------------- cards


def _walk(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def find_submit_data(body: Any, kind: str) -> dict[str, Any] | None:
    """The ``data`` of the first card action with ``{"wb": kind}`` in an activity body."""
    for node in _walk(body):
        if isinstance(node, dict) and node.get("wb") == kind:
            return node
    return None


def card_counter(body: Any) -> int | None:
    """The number on a question card's counter ("7 svar" / "7 answers"), if any."""
    for node in _walk(body):
        if isinstance(node, dict) and node.get("type") == "TextBlock":
            match = _COUNTER.match(str(node.get("text", "")))
            if match:
                return int(match.group(1))
    return None


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) by nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))
    return ordered[index]


# ----------------------------------------------------------------------------- the driver


@dataclass(frozen=True)
class Ack:
    """One POST to ``/api/messages`` and how it was answered."""

    activity_id: str
    status: int
    sent_at: float
    seconds: float
    kind: str = "answer"

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


@dataclass(frozen=True)
class QuestionCard:
    """A question card the bot posted: where it is and what its submit carries."""

    workshop_id: int
    run_id: int
    question_id: str
    activity_id: str
    conversation_id: str


@dataclass
class WorkshopDriver:
    """Plays a facilitator and participants in one Teams group chat.

    Args:
        http: the client session (bounded connection pool).
        bot_url: base URL of the bot (or of the proxy in front of several).
        connector: the stand-in the activities name as ``serviceUrl``.
        conversation_id: the group chat.
        run_tag: makes activity ids unique across runs.
    """

    http: aiohttp.ClientSession
    bot_url: str
    connector: ConnectorView
    conversation_id: str = field(
        default_factory=lambda: f"19:load-{uuid.uuid4().hex[:12]}@thread.v2"
    )
    run_tag: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    facilitator_id: str = "29:facilitator"
    facilitator_name: str = "Fie Facilitator"
    request_timeout: float = 30.0
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _cursor: int = 0
    _seen_cards: set[int] = field(default_factory=set)

    # ---- activities

    def new_id(self) -> str:
        return f"{self.run_tag}-{next(self._ids)}"

    def participant(self, index: int) -> dict[str, str]:
        return {
            "user_id": f"29:load-user-{index}",
            "user_name": f"Deltager {index}",
            "aad_object_id": f"00000000-0000-4000-8000-{index:012d}",
        }

    def activity(self, *, user: dict[str, str] | None = None, **fields: Any) -> dict[str, Any]:
        """A Teams group-chat activity in this driver's conversation."""
        who = user or {
            "user_id": self.facilitator_id,
            "user_name": self.facilitator_name,
            "aad_object_id": "00000000-0000-4000-8000-facilitator0",
        }
        fields.setdefault("id", self.new_id())
        return teams_activity(
            self.connector.url, conversation_id=self.conversation_id, **who, **fields
        )

    def mention(self, text: str, *, user: dict[str, str] | None = None) -> dict[str, Any]:
        """A message that @mentions the bot (from the facilitator unless ``user``)."""
        return self.activity(
            user=user,
            text=f"<at>workshopbot</at> {text}",
            entities=[
                {
                    "type": "mention",
                    "text": "<at>workshopbot</at>",
                    "mentioned": {"id": BOT_ID, "name": "workshopbot"},
                }
            ],
        )

    def answer_activity(
        self, card: QuestionCard, index: int, *, via: Literal["card", "chat"], text: str = ""
    ) -> dict[str, Any]:
        """Participant ``index``'s answer to ``card`` by card submit or by chat message."""
        words = text or f"Svar fra deltager {index} på {card.question_id}: vi deler viden ✓"
        if via == "card":
            return self.activity(
                user=self.participant(index),
                value={
                    "wb": "answer",
                    "workshop": card.workshop_id,
                    "run": card.run_id,
                    "question": card.question_id,
                    "answer": words,
                },
            )
        return self.activity(user=self.participant(index), text=words)

    async def post(self, activity: dict[str, Any], *, kind: str = "answer") -> Ack:
        """POST one activity; the status is 0 when the connection failed."""
        started = time.monotonic()
        try:
            async with self.http.post(
                self.bot_url + "/api/messages",
                data=json.dumps(activity),
                headers={"Content-Type": "application/json"},
                timeout=aiohttp.ClientTimeout(total=self.request_timeout),
            ) as response:
                await response.read()
                status = response.status
        except (aiohttp.ClientError, TimeoutError, OSError):
            status = 0
        return Ack(str(activity["id"]), status, started, time.monotonic() - started, kind)

    # ---- reading what the bot sent

    async def wait_for_send(
        self, predicate: Any, *, timeout: float = 30.0, what: str = "a message"
    ) -> dict[str, Any]:
        """Wait for a successful send in this conversation whose body matches ``predicate``."""
        deadline = time.monotonic() + timeout
        while True:
            calls = await self.connector.calls(self._cursor)
            for offset, call in enumerate(calls):
                if (
                    call["operation"] in ("send", "reply")
                    and call["status"] < 300
                    and call["conversation_id"] == self.conversation_id
                    and predicate(call["body"])
                ):
                    self._cursor += offset + 1
                    return call
            if time.monotonic() > deadline:
                raise TimeoutError(f"the bot did not send {what} within {timeout:.0f} s")
            await asyncio.sleep(0.02)

    async def _activity_id_of(self, body: Any, *, timeout: float = 10.0) -> str:
        deadline = time.monotonic() + timeout
        while True:
            known = await self.connector.activities(self.conversation_id)
            for activity_id, stored in known.items():
                if stored == body:
                    return str(activity_id)
            if time.monotonic() > deadline:
                raise TimeoutError("the stand-in does not know the sent card")
            await asyncio.sleep(0.02)

    # ---- facilitation

    async def start_workshop(
        self,
        *,
        plan: str = "default",
        org: str = "Belastning A/S",
        language: str = "da",
        mode: str = "pseudonymous",
    ) -> None:
        """``@workshopbot start``, then submit the setup card; waits for the welcome card."""
        ack = await self.post(self.mention("start"), kind="command")
        if not ack.ok:
            raise RuntimeError(f"start was answered {ack.status}")
        setup = await self.wait_for_send(
            lambda body: find_submit_data(body, "setup") is not None, what="the setup card"
        )
        data = dict(find_submit_data(setup["body"], "setup") or {})
        data.update(
            {
                "plan": plan,
                "series": "new",
                "series_name": "",
                "map": "",
                "org": org,
                "language": language,
                "mode": mode,
            }
        )
        ack = await self.post(self.activity(value=data), kind="command")
        if not ack.ok:
            raise RuntimeError(f"the setup submit was answered {ack.status}")
        await self.wait_for_send(
            lambda body: "attachments" in (body or {}), what="the welcome card"
        )

    async def command(self, text: str) -> Ack:
        """A facilitator's bare command in the group chat ("næste", "slut")."""
        return await self.post(self.activity(text=text), kind="command")

    async def next_question(self, *, timeout: float = 30.0) -> QuestionCard:
        """``næste``; waits for the new question card and returns where it is."""
        ack = await self.command("næste")
        if not ack.ok:
            raise RuntimeError(f"næste was answered {ack.status}")
        return await self.wait_for_question_card(timeout=timeout)

    async def wait_for_question_card(self, *, timeout: float = 30.0) -> QuestionCard:
        """The next question card (of a run not seen before) the bot posts."""

        def is_new_card(body: Any) -> bool:
            data = find_submit_data(body, "answer")
            return data is not None and data.get("run") not in self._seen_cards

        call = await self.wait_for_send(is_new_card, timeout=timeout, what="a question card")
        data = find_submit_data(call["body"], "answer") or {}
        self._seen_cards.add(int(data["run"]))
        return QuestionCard(
            workshop_id=int(data["workshop"]),
            run_id=int(data["run"]),
            question_id=str(data.get("question", "")),
            activity_id=await self._activity_id_of(call["body"]),
            conversation_id=self.conversation_id,
        )

    async def counter_updates(self, card: QuestionCard) -> list[tuple[float, int]]:
        """``(arrival time, count)`` of every successful update of ``card`` so far."""
        found = []
        for call in await self.connector.calls(0):
            if (
                call["operation"] == "update"
                and call["status"] < 300
                and call["activity_id"] == card.activity_id
                and call["conversation_id"] == card.conversation_id
            ):
                count = card_counter(call["body"])
                if count is not None:
                    found.append((float(call["at"]), count))
        return found

    async def wait_for_counter(
        self, card: QuestionCard, count: int, *, timeout: float = 30.0
    ) -> float | None:
        """Arrival time of the first update showing ``count`` that is also the final state.

        Returns None when the card does not show ``count`` within ``timeout`` seconds.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            known = await self.connector.activities(card.conversation_id)
            current = known.get(card.activity_id)
            if current is not None and card_counter(current) == count:
                updates = await self.counter_updates(card)
                # The first update after which the card kept showing `count`.
                final_at = None
                for at, shown in updates:
                    if shown == count and final_at is None:
                        final_at = at
                    elif shown != count:
                        final_at = None
                return final_at
            await asyncio.sleep(0.05)
        return None


async def answer_all(
    driver: WorkshopDriver,
    card: QuestionCard,
    participants: int,
    *,
    concurrency: int,
    redeliver_every: int = 0,
    start_index: int = 0,
    spread: float = 0.0,
) -> list[Ack]:
    """Every participant answers ``card`` (even ones by card, odd ones by chat).

    ``redeliver_every`` > 0 posts every n-th activity a second time with the same id, as
    the Bot Framework service does when it retries a delivery. ``spread`` > 0 paces the
    answers evenly over that many seconds (as people answering in a meeting would) instead
    of sending them as fast as ``concurrency`` allows.
    """
    gate = asyncio.Semaphore(concurrency)
    started = time.monotonic()

    async def one(index: int) -> list[Ack]:
        activity = driver.answer_activity(card, index, via="card" if index % 2 == 0 else "chat")
        if spread > 0:
            due = started + spread * (index - start_index) / max(1, participants)
            await asyncio.sleep(max(0.0, due - time.monotonic()))
        async with gate:
            acks = [await driver.post(activity)]
        if redeliver_every and index % redeliver_every == 0:
            async with gate:
                acks.append(await driver.post(activity, kind="redelivery"))
        return acks

    results = await asyncio.gather(
        *(one(i) for i in range(start_index, start_index + participants))
    )
    return [ack for acks in results for ack in acks]


async def stored_answers(database_url: str, workshop_id: int) -> list[Any]:
    """Every stored answer of a workshop, through the storage API."""
    from storage.answers import answers_for_workshop
    from storage.open import open_database

    db = await open_database(database_url, check_schema=False)
    try:
        return list(await answers_for_workshop(db, workshop_id, include_withdrawn=True))
    finally:
        await db.dispose()
