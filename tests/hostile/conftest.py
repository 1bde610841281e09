"""The real bot app on loopback for hostile-input tests, run in a background thread so that
Hypothesis (whose tests are synchronous) can post hundreds of examples to one server.

:class:`BackgroundBot` starts the Bot Connector stand-in, ``create_app`` with the default
workshop handler on a fresh SQLite file, and (unless told not to) a running workshop with
an open question, then answers ``post()`` and ``all_answers()`` from any thread.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest
from aiohttp import web

from bench.workload import LocalConnector, QuestionCard, WorkshopDriver
from bot.app import create_app
from bot.settings import Settings
from tests.support import free_port
from tests.support.connector import ConnectorStandIn

T = TypeVar("T")


class BackgroundBot:
    """The bot app and the stand-in on their own event loop in a daemon thread."""

    def __init__(
        self,
        tmp: Path,
        *,
        open_workshop: bool = True,
        database_url: str | None = None,
        **settings: Any,
    ) -> None:
        from storage.migrate import upgrade

        self.url_db = database_url or f"sqlite:///{tmp / 'hostile.sqlite3'}"
        upgrade(self.url_db)
        self.settings = Settings(
            port=free_port(), database_url=self.url_db, **{"local": True, **settings}
        )
        self.open_workshop = open_workshop
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.card: QuestionCard | None = None
        self.other_card: QuestionCard | None = None
        self.call(self._start())

    def call(self, coro: Coroutine[Any, Any, T], timeout: float = 120.0) -> T:
        """Run ``coro`` on the bot's loop and wait for its result."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.settings.port}"

    async def _start(self) -> None:
        from storage.open import open_database

        self.connector = await ConnectorStandIn().start()
        self.app = create_app(
            self.settings,
            outbox_options={"give_up_after": 3.0, "attempt_timeout": 2.0, "base_delay": 0.05},
        )
        self.runner = web.AppRunner(self.app, access_log=None)
        await self.runner.setup()
        await web.TCPSite(self.runner, "127.0.0.1", self.settings.port).start()
        self.http = aiohttp.ClientSession()
        self.db = await open_database(self.url_db, check_schema=False)
        if self.open_workshop:
            self.driver = WorkshopDriver(self.http, self.base, LocalConnector(self.connector))
            await self.driver.start_workshop()
            self.card = await self.driver.next_question()
            # A second workshop in another chat, for cards that name someone else's workshop.
            self.other = WorkshopDriver(self.http, self.base, LocalConnector(self.connector))
            await self.other.start_workshop(org="Anden A/S")
            self.other_card = await self.other.next_question()

    async def _stop(self) -> None:
        await self.http.close()
        await self.runner.cleanup()
        await self.connector.stop()
        await self.db.dispose()

    def stop(self) -> None:
        self.call(self._stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)

    # ---- requests

    def post(
        self,
        body: bytes | dict[str, Any] | list[Any] | str | int | float | None,
        *,
        headers: dict[str, str] | None = None,
        path: str = "/api/messages",
    ) -> tuple[int, str]:
        """POST ``body`` (bytes as they are, anything else as JSON); returns status and text."""
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        sent_headers = {"Content-Type": "application/json", **(headers or {})}

        async def go() -> tuple[int, str]:
            async with self.http.post(self.base + path, data=data, headers=sent_headers) as r:
                return r.status, await r.text()

        return self.call(go())

    def get(self, path: str) -> tuple[int, bytes]:
        async def go() -> tuple[int, bytes]:
            async with self.http.get(self.base + path, allow_redirects=False) as r:
                return r.status, await r.read()

        return self.call(go())

    def all_answers(self) -> list[Any]:
        """Every answer of every workshop, withdrawn ones included."""
        from storage.answers import answers_for_workshop
        from storage.workshops import list_workshops

        async def go() -> list[Any]:
            found: list[Any] = []
            for listing in await list_workshops(self.db):
                found += await answers_for_workshop(
                    self.db, listing.workshop.id, include_withdrawn=True
                )
            return found

        return self.call(go())

    def workshops(self) -> list[Any]:
        from storage.workshops import list_workshops

        return [item.workshop for item in self.call(list_workshops(self.db))]

    def sent_texts(self, conversation_id: str | None = None) -> list[str]:
        return [a.get("text") or "" for a in self.connector.sent_activities(conversation_id)]

    def drain(self) -> None:
        """Wait until the bot's background work is done and every queued call was made:
        the outbox's, and the durable outbox's (the question cards, their counter updates
        and the end summary's job are durable)."""
        from bot.app import DURABLE_KEY, SERVICES_KEY

        async def go() -> None:
            services = self.app[SERVICES_KEY]
            durable = self.app.get(DURABLE_KEY)
            for _ in range(50):
                await services.outbox.drain(timeout=20)
                busy = list(services.spawn._tasks)
                if durable is not None:
                    await durable[1].settle(timeout=60)
                    await durable[0].settle(timeout=20)
                    await services.outbox.drain(timeout=20)
                if not busy:
                    return
                await asyncio.wait(busy, timeout=10)

        self.call(go())


@pytest.fixture(scope="module")
def hostile_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundBot]:
    """A local-mode bot with a running workshop and an open question (shared by a module)."""
    bot = BackgroundBot(tmp_path_factory.mktemp("hostile"))
    yield bot
    bot.stop()
