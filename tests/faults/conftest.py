"""Fixtures of the fault tests: a migrated SQLite file, the Bot Connector stand-in in this
process, an HTTP client, and the real bot app (``create_app`` with the default handler) on
loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.app import SERVICES_KEY, create_app
from bot.settings import Settings
from tests.support import free_port
from tests.support.connector import ConnectorStandIn


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database at the newest schema."""
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    upgrade(url)
    return url


@pytest.fixture
async def connector() -> AsyncIterator[ConnectorStandIn]:
    async with ConnectorStandIn() as stand_in:
        yield stand_in


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


@dataclass
class RunningApp:
    """The real bot app serving on loopback."""

    url: str
    app: web.Application
    runner: web.AppRunner
    drivers: list[Any] = field(default_factory=list)

    @property
    def services(self) -> Any:
        return self.app[SERVICES_KEY]


async def start_app(settings: Settings, **options: Any) -> RunningApp:
    """``create_app(settings, **options)`` on 127.0.0.1:settings.port."""
    app = create_app(settings, **options)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.port).start()
    return RunningApp(f"http://127.0.0.1:{settings.port}", app, runner)


@pytest.fixture
async def local_app(sqlite_url: str, connector: ConnectorStandIn) -> AsyncIterator[RunningApp]:
    """The workshop bot in local mode on SQLite, with short outbox timings for the tests.

    It depends on ``connector`` so the stand-in outlives it: at shutdown the outbox still
    has somewhere to deliver, instead of retrying into a closed port."""
    settings = Settings(local=True, port=free_port(), database_url=sqlite_url)
    running = await start_app(
        settings,
        outbox_options={"give_up_after": 8.0, "attempt_timeout": 2.0, "base_delay": 0.1},
    )
    yield running
    # End the workshops first: an open question's time-box timer would hold the shutdown
    # for the spawner's full 10 s grace period.
    async with aiohttp.ClientSession() as session:  # the test's own session is closed by now
        for driver in running.drivers:
            driver.http = session
            await driver.command("slut")
    await running.runner.cleanup()
