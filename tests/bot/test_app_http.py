"""The aiohttp app on loopback: Teams-shaped JSON in, the Bot Connector stand-in records
what the bot sends. Real SQLite database (migrated), real HTTP, an echo-ish test bot."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext

from bot.app import create_app
from bot.services import BotServices
from bot.settings import Settings
from tests.support import TENANT_ID, free_port, teams_activity, teams_message
from tests.support.connector import ConnectorStandIn

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _activity(**fields: Any) -> dict[str, Any]:
    activity = teams_message("http://127.0.0.1:9/", "hej")
    activity.update(fields)
    return activity


class EchoBot(ActivityHandler):
    """Echoes in the turn; 'outbox X' answers through the outbox; 'boom' fails the turn."""

    def __init__(self, services: BotServices) -> None:
        self.services = services
        self.turns: list[str] = []

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        text = turn_context.activity.text or ""
        self.turns.append(text)
        if text == "boom":
            raise RuntimeError("a bug in the conversation code")
        if text == "privat":
            reference = TurnContext.get_conversation_reference(turn_context.activity)
            self.services.outbox.send_private(
                reference, turn_context.activity.from_property, "kun til dig"
            )
            return
        if text.startswith("outbox "):
            reference = TurnContext.get_conversation_reference(turn_context.activity)
            self.services.outbox.send(reference, text.removeprefix("outbox "))
            return
        await turn_context.send_activity(MessageFactory.text(f"echo: {text}"))


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'bot.sqlite3'}"
    upgrade(url)
    return url


class Running:
    def __init__(self, base: str, app: web.Application, bots: list[EchoBot]) -> None:
        self.base = base
        self.app = app
        self.bots = bots

    @property
    def bot(self) -> EchoBot:
        return self.bots[0]


async def _state_storage(db: Any) -> Any:
    """The real SQL state storage when the storage helper's module is there."""
    try:
        from bot.state_storage import SqlStorage
    except ImportError:  # pragma: no cover - only while bot/state_storage.py is being built
        from botbuilder.core import MemoryStorage

        return MemoryStorage()
    return SqlStorage(db)


async def _start(settings: Settings) -> tuple[web.AppRunner, Running]:
    bots: list[EchoBot] = []

    def factory(services: BotServices) -> EchoBot:
        bot = EchoBot(services)
        bots.append(bot)
        return bot

    app = create_app(settings, bot_factory=factory, state_storage=_state_storage)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", settings.port)
    await site.start()
    return runner, Running(f"http://127.0.0.1:{settings.port}", app, bots)


@pytest.fixture
async def connector() -> AsyncIterator[ConnectorStandIn]:
    async with ConnectorStandIn() as stand_in:
        yield stand_in


@pytest.fixture
async def local_bot(database_url: str) -> AsyncIterator[Running]:
    settings = Settings(local=True, port=free_port(), database_url=database_url)
    runner, running = await _start(settings)
    yield running
    await runner.cleanup()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session


async def test_message_is_answered_through_the_connector(
    local_bot: Running, connector: ConnectorStandIn, http: aiohttp.ClientSession
) -> None:
    activity = teams_message(connector.url, "hej", conversation_id="conv-echo")
    async with http.post(local_bot.base + "/api/messages", json=activity) as response:
        assert response.status == 200
    sent = connector.sent_activities("conv-echo")
    assert [a["text"] for a in sent] == ["echo: hej"]
    assert sent[0]["replyToId"] == activity["id"]
    assert sent[0]["from"]["id"] == activity["recipient"]["id"]


async def test_outbox_send_arrives_after_the_request_was_answered(
    local_bot: Running, connector: ConnectorStandIn, http: aiohttp.ClientSession
) -> None:
    activity = teams_message(connector.url, "outbox later", conversation_id="conv-outbox")
    async with http.post(local_bot.base + "/api/messages", json=activity) as response:
        assert response.status == 200
    await connector.wait_for(lambda c: bool(c.sent_activities("conv-outbox")), timeout=10)
    assert [a["text"] for a in connector.sent_activities("conv-outbox")] == ["later"]


@pytest.mark.parametrize(("locale", "opening"), [("en-US", "Sorry"), ("da-DK", "Beklager")])
async def test_failed_turn_gets_a_polite_message_and_no_trace(
    local_bot: Running,
    connector: ConnectorStandIn,
    http: aiohttp.ClientSession,
    locale: str,
    opening: str,
) -> None:
    activity = teams_message(connector.url, "boom", conversation_id="conv-boom", locale=locale)
    async with http.post(local_bot.base + "/api/messages", json=activity) as response:
        body = await response.text()
    assert "Traceback" not in body and "RuntimeError" not in body
    sent = connector.sent_activities("conv-boom")
    assert len(sent) == 1
    assert sent[0]["text"].startswith(opening)
    assert "Traceback" not in sent[0]["text"] and "bug" not in sent[0]["text"]


async def test_healthz_reports_the_database(
    local_bot: Running, http: aiohttp.ClientSession
) -> None:
    async with http.get(local_bot.base + "/healthz") as response:
        assert response.status == 200
        assert (await response.json())["database"] == "ok"


async def test_readyz_waits_for_the_language_pipeline(
    database_url: str, http: aiohttp.ClientSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not ready (503) while the spaCy warm-up after a start runs, ready (200) after; the
    liveness check answers 200 all along. The warm-up is held back by an event here, as a
    slow disk would hold it."""
    import threading

    import bot.app as app_module

    release = threading.Event()
    loaded: list[str] = []

    def slow_warm_up(language: str) -> None:
        release.wait(30)
        loaded.append(language)

    monkeypatch.setattr(app_module, "_warm_up", slow_warm_up)
    settings = Settings(local=True, port=free_port(), database_url=database_url)
    runner = web.AppRunner(create_app(settings, warm_up=True, state_storage=_state_storage))
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.port).start()
    base = f"http://127.0.0.1:{settings.port}"
    try:
        async with http.get(base + "/readyz") as response:
            assert response.status == 503
            assert response.headers["Retry-After"] == "5"
            assert (await response.json())["status"] == "starting"
        async with http.get(base + "/healthz") as response:
            assert response.status == 200
        release.set()
        for _ in range(100):
            async with http.get(base + "/readyz") as response:
                if response.status == 200:
                    assert (await response.json())["status"] == "ready"
                    break
            await asyncio.sleep(0.05)
        else:
            pytest.fail("/readyz did not turn ready after the warm-up")
        assert loaded == ["da"]
    finally:
        release.set()
        await runner.cleanup()


async def test_readyz_is_ready_at_once_without_a_warm_up(
    local_bot: Running, http: aiohttp.ClientSession
) -> None:
    async with http.get(local_bot.base + "/readyz") as response:
        assert response.status == 200


@pytest.mark.parametrize(
    "path",
    [
        "/media/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.png",
        "/media/..%2F..%2Fetc%2Fpasswd.png",
        "/media/../../pyproject.toml",
        "/media/%2e%2e%2fbot.sqlite3.png",
        "/media/short.png",
    ],
    ids=["unknown-token", "encoded-traversal", "dot-dot", "encoded-dot-dot", "too-short"],
)
async def test_media_answers_404_for_anything_but_a_stored_token(
    local_bot: Running, http: aiohttp.ClientSession, path: str
) -> None:
    async with http.get(local_bot.base + path) as response:
        assert response.status == 404
        assert response.content_type != "image/png"


async def test_media_serves_a_stored_map_by_its_token(
    local_bot: Running, http: aiohttp.ClientSession
) -> None:
    from storage.maps import save_map

    services = local_bot.bot.services
    record = await save_map(services.db, name="kort", png=PNG, card_png=PNG + b"card")
    url = services.media_url(record.token)
    assert url.endswith(f"/media/{record.token}.png")
    async with http.get(local_bot.base + f"/media/{record.token}.png") as response:
        assert response.status == 200
        assert response.content_type == "image/png"
        assert await response.read() == PNG
    async with http.get(local_bot.base + f"/media/{record.token}.png?variant=card") as response:
        assert await response.read() == PNG + b"card"


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{not json", "application/json", 400),
        (b"[1, 2]", "application/json", 400),
        (json.dumps({"text": "no type"}).encode(), "application/json", 400),
        (json.dumps({"type": 5, "text": "wrong type"}).encode(), "application/json", 400),
        (b"type=message", "application/x-www-form-urlencoded", 415),
        (b"\xff\xfe\x00garbage", "application/json", 400),
        (json.dumps(_activity(text="\ud800")).encode(), "application/json", 400),
        (json.dumps(_activity(**{"from": "someone"})).encode(), "application/json", 400),
        (json.dumps(_activity(conversation={"id": ["a"]})).encode(), "application/json", 400),
        (json.dumps(_activity(serviceUrl={"a": 1})).encode(), "application/json", 400),
        (json.dumps(_activity(serviceUrl="file:///etc/passwd")).encode(), "application/json", 400),
        (json.dumps(_activity(text=5)).encode(), "application/json", 400),
        (json.dumps(_activity(timestamp="not a date")).encode(), "application/json", 400),
        (json.dumps(_activity(entities="x")).encode(), "application/json", 400),
    ],
    ids=[
        "malformed",
        "not-an-object",
        "no-type",
        "type-not-a-string",
        "form",
        "not-utf8",
        "lone-surrogate",
        "from-not-an-object",
        "conversation-id-a-list",
        "service-url-a-dict",
        "service-url-not-http",
        "text-a-number",
        "bad-timestamp",
        "entities-not-a-list",
    ],
)
async def test_bad_requests_get_a_4xx_and_no_turn(
    local_bot: Running, http: aiohttp.ClientSession, body: bytes, content_type: str, status: int
) -> None:
    async with http.post(
        local_bot.base + "/api/messages", data=body, headers={"Content-Type": content_type}
    ) as response:
        assert response.status == status
        text = await response.text()
    assert "Traceback" not in text
    assert local_bot.bot.turns == []


async def test_body_over_one_megabyte_gets_413(
    local_bot: Running, connector: ConnectorStandIn, http: aiohttp.ClientSession
) -> None:
    activity = teams_message(connector.url, "x" * (1024 * 1024 + 10))
    async with http.post(local_bot.base + "/api/messages", json=activity) as response:
        assert response.status == 413
    assert local_bot.bot.turns == []


async def test_wrong_method_and_unknown_path_are_4xx(
    local_bot: Running, http: aiohttp.ClientSession
) -> None:
    async with http.get(local_bot.base + "/api/messages") as response:
        assert response.status == 405
    async with http.get(local_bot.base + "/nothing-here") as response:
        assert response.status == 404


async def test_app_id_mode_refuses_requests_without_a_token(
    database_url: str, connector: ConnectorStandIn, http: aiohttp.ClientSession
) -> None:
    settings = Settings(
        APP_ID="11111111-1111-1111-1111-111111111111",
        APP_PASSWORD="secret",
        APP_TENANTID=TENANT_ID,
        port=free_port(),
        database_url=database_url,
    )
    runner, running = await _start(settings)
    try:
        activity = teams_message(connector.url, "hej")
        async with http.post(running.base + "/api/messages", json=activity) as response:
            assert response.status == 401
        forged = {"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJhdWQiOiJ4In0."}
        async with http.post(
            running.base + "/api/messages", json=activity, headers=forged
        ) as response:
            assert response.status == 401
    finally:
        await runner.cleanup()
    assert running.bot.turns == []
    assert connector.calls == []


async def test_tenant_outside_the_allow_list_is_refused(
    database_url: str, connector: ConnectorStandIn, http: aiohttp.ClientSession
) -> None:
    settings = Settings(
        local=True,
        port=free_port(),
        database_url=database_url,
        allowed_tenants=frozenset({TENANT_ID}),
    )
    runner, running = await _start(settings)
    try:
        stranger = teams_message(
            connector.url, "hej", tenant_id="99999999-9999-9999-9999-999999999999"
        )
        async with http.post(running.base + "/api/messages", json=stranger) as response:
            assert response.status == 403
        friend = teams_message(connector.url, "hej", conversation_id="conv-friend")
        async with http.post(running.base + "/api/messages", json=friend) as response:
            assert response.status == 200
    finally:
        await runner.cleanup()
    assert running.bot.turns == ["hej"]
    assert {c.conversation_id for c in connector.calls} == {"conv-friend"}


async def test_out_of_date_schema_stops_the_start(tmp_path: Path) -> None:
    from storage.errors import SchemaOutOfDate

    settings = Settings(
        local=True, port=free_port(), database_url=f"sqlite:///{tmp_path / 'empty.sqlite3'}"
    )
    app = create_app(settings, bot_factory=EchoBot, state_storage=_state_storage)
    runner = web.AppRunner(app)
    with pytest.raises(SchemaOutOfDate) as caught:
        await runner.setup()
    assert "workshopbot db upgrade" in str(caught.value)
    await runner.cleanup()


async def test_concurrent_messages_are_all_answered(
    local_bot: Running, connector: ConnectorStandIn, http: aiohttp.ClientSession
) -> None:
    connector.limits = None  # many conversations, each once: throttling is not the subject

    async def post(i: int) -> int:
        activity = teams_message(connector.url, f"m{i}", conversation_id=f"conv-{i}")
        async with http.post(local_bot.base + "/api/messages", json=activity) as response:
            return response.status

    statuses = await asyncio.gather(*(post(i) for i in range(30)))
    assert statuses == [200] * 30
    texts: set[Any] = {a["text"] for a in connector.sent_activities()}
    assert texts == {f"echo: m{i}" for i in range(30)}


async def test_invoke_without_handler_gets_an_invoke_response(
    local_bot: Running, connector: ConnectorStandIn, http: aiohttp.ClientSession
) -> None:
    activity = teams_activity(connector.url, type="invoke", name="unknown/thing", value={})
    async with http.post(local_bot.base + "/api/messages", json=activity) as response:
        assert response.status == 501
        assert "Traceback" not in await response.text()


def _workshopbot() -> list[str]:
    return [sys.executable, "-m", "bot"]


def test_serve_refuses_to_start_without_app_id(tmp_path: Path) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.lower().startswith(("microsoft", "workshopbot_local"))
    }
    proc = subprocess.run(
        [*_workshopbot(), "serve", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    last = proc.stderr.strip().splitlines()[-1]
    assert "MICROSOFT_APP_ID" in last and "Traceback" not in proc.stderr


def test_serve_names_the_command_for_an_out_of_date_schema(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*_workshopbot(), "serve", "--local", "--port", str(free_port())],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'new.sqlite3'}"},
    )
    assert proc.returncode == 2
    assert "workshopbot db upgrade" in proc.stderr and "Traceback" not in proc.stderr


async def test_serve_runs_until_terminated(tmp_path: Path, database_url: str) -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *_workshopbot(),
        "serve",
        "--local",
        "--port",
        str(port),
        cwd=tmp_path,
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(150):
                try:
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if response.status == 200:
                            break
                except aiohttp.ClientError:
                    await asyncio.sleep(0.1)
            else:
                pytest.fail("workshopbot serve did not answer /healthz")
    finally:
        process.terminate()
        _, stderr = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, stderr.decode()
    assert b"without authentication" in stderr.lower() or b"WITHOUT" in stderr


async def test_private_message_keeps_the_tenant_teams_sent(
    local_bot: Running, connector: ConnectorStandIn, http: aiohttp.ClientSession
) -> None:
    """Teams sends conversation.tenantId; the SDK reads tenantID: the app copies it over."""
    activity = teams_message(connector.url, "privat", conversation_id="conv-private")
    del activity["channelData"]
    async with http.post(local_bot.base + "/api/messages", json=activity) as response:
        assert response.status == 200
    await connector.wait_for(lambda c: bool(c.sent_activities("a:1on1-29:user-anders")), timeout=10)
    (create,) = connector.calls_of("create")
    assert create.body["channelData"]["tenant"]["id"] == TENANT_ID
    assert create.body["members"] == [{"id": "29:user-anders"}]


async def test_outgoing_calls_to_many_conversations_run_side_by_side(
    local_bot: Running, connector: ConnectorStandIn, http: aiohttp.ClientSession
) -> None:
    """The SDK sends with blocking ``requests`` in the default executor; the app gives it
    enough threads that slow answers from the connector do not serialise conversations."""
    connector.inject(200, times=1000, delay=0.5, operations={"send"})

    async def post(i: int) -> int:
        activity = teams_message(connector.url, f"outbox svar {i}", conversation_id=f"fan-{i}")
        async with http.post(local_bot.base + "/api/messages", json=activity) as response:
            return response.status

    assert await asyncio.gather(*(post(i) for i in range(20))) == [200] * 20
    await connector.wait_for(lambda c: len(c.calls_of("send")) == 20, timeout=30)
    assert connector.max_in_flight >= 12
