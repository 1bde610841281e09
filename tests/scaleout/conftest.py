"""Two real ``workshopbot serve`` processes on one PostgreSQL database behind a round-robin
proxy (``bench/proxy.py``, no sticky sessions), as docs/deploy.md deploys them, with the
Bot Connector stand-in in this process.

PostgreSQL is a private cluster of the test module's own (``tests/support/private_postgres``),
so a test may restart it without touching the machine's shared server. The database gets a
plan, ``kort``, whose questions have 20-second time boxes.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import aiohttp
import pytest

from bench.workload import BotProcess, ManagedProcess, start_bot, start_python, wait_http
from tests.support.connector import ConnectorStandIn
from tests.support.private_postgres import PrivatePostgres, private_postgres

ROOT = Path(__file__).resolve().parents[2]

SHORT_PLAN = """\
id: kort
name: {da: Kort plan med korte tidsbokse, en: Short plan with short time boxes}
languages: [da, en]
time_box: 20s
phases:
  - id: practice
    title: {da: Praksis, en: Practice}
questions:
  - id: k1
    phase: practice
    kind: text
    text: {da: "Hvad tager du med fra kurset?", en: "What do you take from the course?"}
  - id: k2
    phase: practice
    kind: text
    text: {da: "Hvad gør du anderledes i morgen?", en: "What will you do differently tomorrow?"}
  - id: k3
    phase: practice
    kind: text
    text: {da: "Hvem skal du tale med?", en: "Who will you talk to?"}
"""

FACILITATOR = "29:facilitator"


@pytest.fixture(scope="module")
def cluster_pg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrivatePostgres]:
    """A private PostgreSQL with the newest schema and the short plan."""
    try:
        with private_postgres() as server:
            env = {**os.environ, "DATABASE_URL": server.url}
            for argv in (
                ["db", "upgrade"],
                ["plan", "import", str(_plan_file(tmp_path_factory)), "--owner", FACILITATOR],
            ):
                subprocess.run(
                    [sys.executable, "-m", "bot", *argv],
                    cwd=ROOT,
                    env=env,
                    check=True,
                    capture_output=True,
                    timeout=120,
                )
            yield server
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


def _plan_file(factory: pytest.TempPathFactory) -> Path:
    path = factory.mktemp("plan") / "kort.yaml"
    path.write_text(SHORT_PLAN, encoding="utf-8")
    return path


@dataclass
class Cluster:
    """Two bots and the proxy in front of them."""

    database_url: str
    log_dir: Path
    bots: list[BotProcess]
    proxy: ManagedProcess
    proxy_url: str
    pg: PrivatePostgres | None = None

    async def restart(self, index: int) -> None:
        """Start bot ``index`` again on its port (after a kill)."""
        self.bots[index].process.stop(timeout=5)
        self.bots[index] = await start_bot(
            self.database_url,
            log_path=self.log_dir / f"bot{index}.log",
            port=self.bots[index].port,
        )

    def kill(self, index: int) -> None:
        self.bots[index].process.kill(signal.SIGKILL)

    def logs(self) -> str:
        return "\n".join(
            f"--- bot {i} ---\n{bot.process.log_text()[-4000:]}" for i, bot in enumerate(self.bots)
        )


@pytest.fixture
async def connector() -> AsyncIterator[ConnectorStandIn]:
    async with ConnectorStandIn() as stand_in:
        yield stand_in


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@pytest.fixture
async def cluster(
    cluster_pg: PrivatePostgres, connector: ConnectorStandIn, tmp_path: Path
) -> AsyncIterator[Cluster]:
    """Two bots (started side by side) and the proxy; everything stopped afterwards."""
    bots = list(
        await asyncio.gather(
            *(start_bot(cluster_pg.url, log_path=tmp_path / f"bot{i}.log") for i in range(2))
        )
    )
    proxy, ready = start_python(
        "proxy.py",
        *(arg for bot in bots for arg in ("--backend", bot.url)),
        log_path=tmp_path / "proxy.log",
    )
    # READY is printed when the port is bound, a moment before it accepts connections.
    await wait_http(str(ready["url"]) + "/healthz", process=proxy)
    running = Cluster(cluster_pg.url, tmp_path, bots, proxy, str(ready["url"]), cluster_pg)
    try:
        yield running
    finally:
        for bot in running.bots:
            bot.process.stop(timeout=10)
        proxy.stop(timeout=5)
