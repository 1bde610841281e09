"""The injectable clock of local mode (bot/local_clock.py), attacked.

It must never move a real bot's time: the settings refuse it outside local mode, with Teams
credentials, or off loopback; a bot without it has no clock route; the route answers only
loopback peers (tried over the machine's real non-loopback interface when it has one); and
the clock only moves forward. With it, the running app's job runner sees the new time."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.app import DURABLE_KEY, create_app
from bot.errors import SettingsError
from bot.local_clock import CLOCK_PATH, LocalClock, clock_handler
from bot.settings import Settings
from tests.support import free_port

START = "2027-01-04T02:00:00+01:00"


@pytest.mark.parametrize(
    ("env", "complaint"),
    [
        pytest.param(
            {
                "MICROSOFT_APP_ID": "11111111-1111-1111-1111-111111111111",
                "MICROSOFT_APP_PASSWORD": "secret",
                "MICROSOFT_APP_TENANT_ID": "22222222-2222-2222-2222-222222222222",
            },
            "local mode is off",
            id="production-bot",
        ),
        pytest.param(
            {
                "WORKSHOPBOT_LOCAL": "1",
                "MICROSOFT_APP_ID": "11111111-1111-1111-1111-111111111111",
                "MICROSOFT_APP_PASSWORD": "secret",
                "MICROSOFT_APP_TENANT_ID": "22222222-2222-2222-2222-222222222222",
            },
            "credentials",
            id="local-with-credentials",
        ),
        pytest.param(
            {"WORKSHOPBOT_LOCAL": "1", "MICROSOFT_APP_PASSWORD": "secret"},
            "credentials",
            id="local-with-a-password",
        ),
    ],
)
def test_settings_refuse_the_clock_for_a_bot_others_can_reach(
    env: dict[str, str], complaint: str
) -> None:
    with pytest.raises(SettingsError) as raised:
        Settings.from_env({**env, "WORKSHOPBOT_LOCAL_CLOCK": START})
    message = str(raised.value)
    assert "WORKSHOPBOT_LOCAL_CLOCK" in message and complaint in message
    assert "Unset WORKSHOPBOT_LOCAL_CLOCK" in message


def test_settings_refuse_the_clock_off_loopback() -> None:
    with pytest.raises(SettingsError, match="loopback"):
        Settings(local=True, host="0.0.0.0", local_clock=datetime.now(UTC))
    with pytest.raises(SettingsError, match="WORKSHOPBOT_LOCAL_CLOCK is set"):
        Settings(
            APP_ID="a",
            APP_PASSWORD="b",
            APP_TENANTID="c",
            host="0.0.0.0",
            local_clock=datetime.now(UTC),
        )


@pytest.mark.parametrize(
    ("value", "complaint"),
    [("2027-01-04T02:00:00", "no time zone"), ("next tuesday", "ISO time"), ("", None)],
    ids=["no-zone", "not-a-time", "empty-means-unset"],
)
def test_settings_read_the_clock_start(value: str, complaint: str | None) -> None:
    env = {"WORKSHOPBOT_LOCAL": "1", "WORKSHOPBOT_LOCAL_CLOCK": value}
    if complaint is None:
        assert Settings.from_env(env).local_clock is None
        return
    with pytest.raises(SettingsError, match=complaint):
        Settings.from_env(env)


def test_settings_accept_the_clock_in_local_mode() -> None:
    settings = Settings.from_env({"WORKSHOPBOT_LOCAL": "1", "WORKSHOPBOT_LOCAL_CLOCK": START})
    assert settings.local_clock == datetime(2027, 1, 4, 1, 0, tzinfo=UTC)
    now = Settings.from_env({"WORKSHOPBOT_LOCAL": "1", "WORKSHOPBOT_LOCAL_CLOCK": "now"})
    assert now.local_clock is not None
    assert abs(now.local_clock - datetime.now(UTC)) < timedelta(seconds=5)


def test_the_clock_runs_on_and_only_moves_forward() -> None:
    real = [datetime(2026, 12, 8, 3, 0, tzinfo=UTC)]
    clock = LocalClock(datetime(2027, 1, 4, 1, 0, tzinfo=UTC), real=lambda: real[0])
    real[0] += timedelta(seconds=30)
    assert clock.now() == datetime(2027, 1, 4, 1, 0, 30, tzinfo=UTC)
    assert clock.advance(timedelta(hours=1)) == datetime(2027, 1, 4, 2, 0, 30, tzinfo=UTC)
    with pytest.raises(ValueError, match="only moves forward"):
        clock.advance(timedelta(seconds=-1))
    with pytest.raises(ValueError, match="only moves forward"):
        clock.move_to(datetime(2027, 1, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="too far"):
        clock.advance(timedelta(days=5000))
    assert clock.now() == datetime(2027, 1, 4, 2, 0, 30, tzinfo=UTC), "refusals move nothing"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'clock.sqlite3'}"
    upgrade(url)
    return url


async def _serve(settings: Settings) -> tuple[web.AppRunner, web.Application]:
    app = create_app(settings)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.port).start()
    return runner, app


@pytest.fixture
async def clock_bot(database_url: str) -> AsyncIterator[tuple[str, web.Application]]:
    settings = Settings.from_env(
        {
            "WORKSHOPBOT_LOCAL": "1",
            "WORKSHOPBOT_LOCAL_CLOCK": START,
            "DATABASE_URL": database_url,
            "PORT": str(free_port()),
        }
    )
    runner, app = await _serve(settings)
    yield f"http://127.0.0.1:{settings.port}", app
    await runner.cleanup()


async def _call(method: str, url: str, body: Any = None, raw: str | None = None) -> Any:
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, url, json=body, data=raw) as response,
    ):
        return response.status, await response.json()


async def test_the_route_moves_the_job_runners_time(clock_bot: tuple[str, web.Application]) -> None:
    base, app = clock_bot
    url = base + CLOCK_PATH
    status, body = await _call("GET", url)
    assert status == 200 and body["now"].startswith("2027-01-04T01:0")
    _delivery, runner = app[DURABLE_KEY]
    status, body = await _call("POST", url, {"to": "2027-02-16T10:00:00+01:00"})
    assert status == 200 and body["now"].startswith("2027-02-16T09:00")
    assert runner.clock.now() >= datetime(2027, 2, 16, 9, 0, tzinfo=UTC)
    status, body = await _call("POST", url, {"advance_seconds": 3600})
    assert status == 200 and body["now"].startswith("2027-02-16T10:00")


@pytest.mark.parametrize(
    ("body", "raw", "complaint"),
    [
        ({"to": "2026-01-01T00:00:00+00:00"}, None, "only moves forward"),
        ({"to": "2027-03-01T10:00:00"}, None, "no time zone"),
        ({"to": "tomorrow"}, None, "ISO time"),
        ({"to": 5}, None, "ISO time"),
        ({"advance_seconds": -60}, None, "only moves forward"),
        ({"advance_seconds": True}, None, "number of seconds"),
        ({"advance_seconds": "3600"}, None, "number of seconds"),
        ({"advance_seconds": 1e300}, None, "too far"),
        ({"advance_seconds": 1, "to": "2027-03-01T10:00:00+01:00"}, None, "exactly one"),
        ({}, None, "exactly one"),
        (None, "{not json", "not JSON"),
        (None, '{"advance_seconds": NaN}', "too far"),
        (None, '{"advance_seconds": Infinity}', "too far"),
    ],
    ids=[
        "backwards",
        "no-zone",
        "not-a-time",
        "number-as-time",
        "negative",
        "boolean",
        "string-seconds",
        "huge",
        "both",
        "neither",
        "bad-json",
        "nan",
        "infinity",
    ],
)
async def test_the_route_refuses_bad_moves_and_keeps_the_time(
    clock_bot: tuple[str, web.Application], body: Any, raw: str | None, complaint: str
) -> None:
    base, app = clock_bot
    _delivery, runner = app[DURABLE_KEY]
    before = runner.clock.now()
    status, answer = await _call("POST", base + CLOCK_PATH, body, raw)
    assert status == 400 and complaint in answer["error"], answer
    assert runner.clock.now() - before < timedelta(seconds=5), "a refusal moves nothing"


async def test_a_bot_without_the_clock_has_no_clock_route(database_url: str) -> None:
    settings = Settings(local=True, port=free_port(), database_url=database_url)
    runner, _app = await _serve(settings)
    try:
        async with aiohttp.ClientSession() as http:
            url = f"http://127.0.0.1:{settings.port}{CLOCK_PATH}"
            async with http.post(url, json={"advance_seconds": 3600}) as response:
                assert response.status == 404
    finally:
        await runner.cleanup()


def _outward_address() -> str | None:
    """This machine's address on a non-loopback interface, if it has one."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # no packet is sent: it only picks the interface
        except OSError:
            return None
        address = str(probe.getsockname()[0])
    return None if address.startswith("127.") else address


async def test_the_route_refuses_a_peer_that_is_not_loopback() -> None:
    address = _outward_address()
    if address is None:
        pytest.skip("this machine has no non-loopback IPv4 interface")
    moves: list[bool] = []
    clock = LocalClock(datetime(2027, 1, 4, tzinfo=UTC))
    handler = clock_handler(clock, moved=lambda: moves.append(True))
    app = web.Application()
    app.router.add_post(CLOCK_PATH, handler)
    app.router.add_get(CLOCK_PATH, handler)
    runner = web.AppRunner(app)
    await runner.setup()
    port = free_port(address)
    # Bound to the outward interface only (Settings never allows this for the bot: the
    # route's own check is the last layer, tried here as a real peer would reach it).
    await web.TCPSite(runner, address, port).start()
    before = clock.now()
    try:
        for method in ("GET", "POST"):
            status, answer = await _call(
                method, f"http://{address}:{port}{CLOCK_PATH}", {"advance_seconds": 3600}
            )
            assert status == 403 and "only this machine" in answer["error"]
    finally:
        await runner.cleanup()
    assert moves == [] and clock.now() - before < timedelta(seconds=5)
