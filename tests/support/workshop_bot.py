"""The workshop bot through the real app for tests: a running app on loopback with a
migrated SQLite database and the Bot Connector stand-in (:class:`Bot`), Teams users of a
group chat, @mention messages, and :func:`launch` through the setup card.

Example::

    async with running_bot(tmp_path) as bot:
        workshop_id = await launch(bot)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bot.app import DURABLE_KEY, SERVICES_KEY, BotFactory, create_app
from bot.handler import WorkshopBot
from bot.settings import Settings
from storage import workshops as workshops_repo
from tests.support import BOT_ID, free_port, teams_activity, teams_message
from tests.support.connector import ConnectorStandIn

__all__ = [
    "ANNA",
    "BO",
    "CARL",
    "GROUP",
    "Bot",
    "card_of",
    "launch",
    "mention_message",
    "running_bot",
    "texts",
]

GROUP = "19:workshop-group@thread.v2"
ANNA = {"user_id": "29:anna", "user_name": "Anna Facilitator", "aad_object_id": "aad-anna"}
BO = {"user_id": "29:bo", "user_name": "Bo Deltager", "aad_object_id": "aad-bo"}
CARL = {"user_id": "29:carl", "user_name": "Carl Deltager", "aad_object_id": "aad-carl"}


def mention_message(url: str, text: str, *, who: dict[str, str], **kw: Any) -> dict[str, Any]:
    """A message that @mentions the bot, as Teams sends it."""
    return teams_message(
        url,
        f"<at>workshopbot</at> {text}",
        conversation_id=kw.pop("conversation_id", GROUP),
        entities=[
            {
                "type": "mention",
                "text": "<at>workshopbot</at>",
                "mentioned": {"id": BOT_ID, "name": "workshopbot"},
            }
        ],
        **who,
        **kw,
    )


class Bot:
    """The running app, its Bot Connector stand-in and an HTTP client posting to it."""

    def __init__(self, base: str, app: web.Application, connector: ConnectorStandIn) -> None:
        self.base = base
        self.app = app
        self.connector = connector
        self.http: aiohttp.ClientSession | None = None

    @property
    def db(self) -> Any:
        return self.app[SERVICES_KEY].db

    async def post(self, activity: dict[str, Any]) -> tuple[int, str]:
        assert self.http is not None
        async with self.http.post(self.base + "/api/messages", json=activity) as response:
            return response.status, await response.text()

    async def settle(self) -> None:
        """Wait until background work is done and the outbox has sent everything queued."""
        services = self.app[SERVICES_KEY]
        durable = self.app.get(DURABLE_KEY)
        for _ in range(200):
            await services.outbox.drain(timeout=20)
            busy = list(services.spawn._tasks)
            if durable is not None:  # the durable outbox: queued rows any instance sends
                await durable[1].settle(timeout=60)  # jobs (the summary) first: they queue
                await durable[0].settle(timeout=20)
                await services.outbox.drain(timeout=20)
            if not busy:
                break
            await asyncio.wait(busy, timeout=10)
        await services.outbox.drain(timeout=20)

    def group(self) -> list[dict[str, Any]]:
        return self.connector.sent_activities(GROUP)

    def private(self, user_id: str) -> list[dict[str, Any]]:
        return self.connector.sent_activities(f"a:1on1-{user_id}")


def card_of(activity: dict[str, Any]) -> dict[str, Any] | None:
    """The Adaptive Card an activity carries, or None."""
    for attachment in activity.get("attachments") or []:
        if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
            return attachment["content"]
    return None


def texts(activities: list[dict[str, Any]]) -> str:
    """All of the activities as one JSON text, to search for words."""
    return json.dumps(activities, ensure_ascii=False)


@contextlib.asynccontextmanager
async def running_bot(
    tmp_path: Path,
    *,
    bot_factory: BotFactory = WorkshopBot,
    fast_answers: bool = True,
    database_url: str | None = None,
    **settings_overrides: Any,
) -> AsyncIterator[Bot]:
    """The app with ``bot_factory`` on a free loopback port, a fresh migrated SQLite file in
    ``tmp_path`` (or ``database_url``, migrated here) and a Bot Connector stand-in; Danish.
    ``settings_overrides`` are further :class:`Settings` fields (``operators`` …).

    The default is what production runs (:class:`WorkshopBot`, with the one summary).
    """
    from storage.migrate import upgrade

    url = database_url or f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    upgrade(url)
    settings = Settings(
        local=True,
        port=free_port(),
        database_url=url,
        language="da",
        fast_answers=fast_answers,
        **settings_overrides,
    )
    app = create_app(settings, bot_factory=bot_factory, outbox_options={"coalesce_window": 0.2})
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.port).start()
    async with ConnectorStandIn() as connector, aiohttp.ClientSession() as http:
        running = Bot(f"http://127.0.0.1:{settings.port}", app, connector)
        running.http = http
        try:
            yield running
        finally:
            await runner.cleanup()


async def launch(
    bot: Bot,
    *,
    mode: str = "pseudonymous",
    language: str = "da",
    conversation_id: str = GROUP,
    who: dict[str, str] = ANNA,
    series: str = "new",
    series_name: str = "HK 2026",
) -> int:
    """``who`` (Anna) starts a workshop in a group chat through the setup card; its id."""
    url = bot.connector.url
    status, _ = await bot.post(
        mention_message(url, "start", who=who, conversation_id=conversation_id)
    )
    assert status == 200
    await bot.settle()
    setup = card_of(bot.connector.sent_activities(conversation_id)[-1])
    assert setup is not None and setup["actions"][0]["data"]["wb"] == "setup"
    data = dict(setup["actions"][0]["data"])
    data.update(
        plan="default",
        series=series,
        series_name=series_name,
        map="",
        org="HK",
        language=language,
        mode=mode,
    )
    setup_id = next(
        aid
        for aid, body in bot.connector.activities[conversation_id].items()
        if "setup" in json.dumps(body.get("attachments"), ensure_ascii=False)
    )
    status, _ = await bot.post(
        teams_activity(url, conversation_id=conversation_id, value=data, replyToId=setup_id, **who)
    )
    assert status == 200
    await bot.settle()
    replaced = [
        c for c in bot.connector.calls_of("update", conversation_id) if c.activity_id == setup_id
    ]
    assert replaced and replaced[-1].status == 200, "the setup card turns into a notice"
    assert '"Input.' not in json.dumps(replaced[-1].body)
    workshop = await workshops_repo.find_active_workshop(bot.db, conversation_id)
    assert workshop is not None and workshop.status == "running"
    return workshop.id
