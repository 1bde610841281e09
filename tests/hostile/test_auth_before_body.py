"""Before authentication a request costs nothing, and the signing keys never block the bot.

Against the real app (``create_app``, authenticated, on loopback) with a local stand-in for
the Bot Framework's OpenID metadata and key set (``ChannelValidation.open_id_metadata_endpoint``
is the SDK's own switch for it), serving an RSA key made here, or hanging:

- a 1 MB body (expensive to parse, nested 400 000 deep, or garbage) without a valid token
  gets 401 for at most 0.2 s of CPU: the body is never parsed;
- deeply nested JSON gets 400, never a 500 or a traceback, with or without authentication;
- a token signed by the stand-in's key gets in; one signed by another key, expired, for
  another audience, or with a tenant (``tid``) contradicting the activity's does not;
- while the key endpoint hangs, ``/healthz`` answers at once, the token waits at most the
  fetch timeout, and the failure is cached (the next token is refused without a new fetch).
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest
from botframework.connector.auth import ChannelValidation
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from bot import auth_keys
from tests.hostile.conftest import BackgroundBot
from tests.support import TENANT_ID, teams_message

APP_ID = "11111111-2222-3333-4444-555555555555"
OTHER_TENANT = "99999999-0000-0000-0000-000000000000"
CPU_BUDGET = 0.2  # seconds of CPU for a request without a valid token (the limit)


def _key() -> Any:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


class KeyServer:
    """The OpenID metadata and key set on loopback; ``hang`` seconds of silence if set."""

    def __init__(self, private_key: Any, kid: str = "test-key") -> None:
        self.kid = kid
        jwk = json.loads(RSAAlgorithm.to_jwk(private_key.public_key()))
        self.jwks = {"keys": [{**jwk, "kid": kid, "use": "sig", "endorsements": ["msteams"]}]}
        self.hang = 0.0
        self.requests = 0
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                owner.requests += 1
                if owner.hang:
                    time.sleep(owner.hang)
                    self.close_connection = True
                    return
                port = self.server.server_address[1]
                body = (
                    {"jwks_uri": f"http://127.0.0.1:{port}/keys"}
                    if self.path == "/openid"
                    else owner.jwks
                )
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/openid"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _token(private_key: Any, service_url: str, *, kid: str = "test-key", **claims: Any) -> str:
    now = int(time.time())
    payload = {
        "iss": "https://api.botframework.com",
        "aud": APP_ID,
        "exp": now + 3600,
        "nbf": now - 60,
        "serviceurl": service_url,
        **claims,
    }
    return jwt.encode(payload, private_key, algorithm="RS256", headers={"kid": kid})


@pytest.fixture(scope="module")
def signing_key() -> Any:
    return _key()


@pytest.fixture(scope="module")
def keyed_bot(
    tmp_path_factory: pytest.TempPathFactory, signing_key: Any
) -> Iterator[tuple[BackgroundBot, KeyServer]]:
    server = KeyServer(signing_key)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ChannelValidation, "open_id_metadata_endpoint", server.url)
        bot = BackgroundBot(
            tmp_path_factory.mktemp("keys"),
            open_workshop=False,
            local=False,
            APP_ID=APP_ID,
            APP_PASSWORD="not-a-real-secret",
            APP_TENANTID=TENANT_ID,
        )
        yield bot, server
        bot.stop()
    server.stop()


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _post_cpu(bot: BackgroundBot, body: bytes, headers: dict[str, str]) -> tuple[int, str, float]:
    """POST and return (status, text, CPU seconds the whole process spent meanwhile)."""
    started = time.process_time()
    status, text = bot.post(body, headers=headers)
    return status, text, time.process_time() - started


def _big_bodies(service_url: str) -> dict[str, bytes]:
    activity = teams_message(service_url, "hej")
    # Wrong-typed entities send the SDK's model builder down its slow path (msrest).
    slow = {**activity, "entities": [{"type": 1, "text": "x"}] * 40_000}
    depth = 400_000
    return {
        "slow-to-parse": json.dumps(slow).encode(),
        "deeply-nested": b'{"type":"message","value":' + b"[" * depth + b"]" * depth + b"}",
        "garbage": b"{" + b"\xff\x00" * 500_000,
    }


@pytest.mark.parametrize("body_kind", ["slow-to-parse", "deeply-nested", "garbage"])
@pytest.mark.parametrize("auth", ["none", "garbage", "unsigned", "other-key", "expired"])
def test_a_large_body_without_a_valid_token_costs_nothing_and_gets_401(
    keyed_bot: tuple[BackgroundBot, KeyServer], body_kind: str, auth: str
) -> None:
    bot, _ = keyed_bot
    url = bot.connector.url
    body = _big_bodies(url)[body_kind]
    assert 500_000 <= len(body) <= 1024 * 1024
    headers = {
        "none": {},
        "garbage": {"Authorization": "Bearer " + "A" * 5000},
        "unsigned": _bearer(
            jwt.encode({"iss": "https://api.botframework.com", "aud": APP_ID}, "", "none")
        ),
        "other-key": _bearer(_token(_key(), url)),
        "expired": _bearer(_token(_key(), url, exp=int(time.time()) - 3600)),
    }[auth]
    bot.post(teams_message(url, "opvarmning"), headers=headers)  # keys fetched, code warm
    status, text, cpu = _post_cpu(bot, body, headers)
    assert status == 401, text
    assert "Traceback" not in text
    assert cpu <= CPU_BUDGET, f"{cpu:.3f} s CPU for a request without a valid token"
    assert bot.workshops() == []


def test_a_token_signed_by_the_published_key_gets_in(
    keyed_bot: tuple[BackgroundBot, KeyServer], signing_key: Any
) -> None:
    bot, _ = keyed_bot
    url = bot.connector.url
    activity = teams_message(url, "hej")
    status, text = bot.post(activity, headers=_bearer(_token(signing_key, url)))
    assert status == 200, text


@pytest.mark.parametrize(
    "claims",
    [
        pytest.param({"aud": "another-bot"}, id="other-audience"),
        pytest.param({"exp": int(time.time()) - 3600}, id="expired"),
        pytest.param({"iss": "https://evil.example.org"}, id="other-issuer"),
        pytest.param({"serviceurl": "https://evil.example.org/"}, id="other-service-url"),
    ],
)
def test_a_signed_token_with_wrong_claims_is_refused(
    keyed_bot: tuple[BackgroundBot, KeyServer], signing_key: Any, claims: dict[str, Any]
) -> None:
    bot, _ = keyed_bot
    url = bot.connector.url
    status, _ = bot.post(
        teams_message(url, "hej"), headers=_bearer(_token(signing_key, url, **claims))
    )
    assert status == 401


def test_a_tenant_in_the_token_must_match_the_activity(
    keyed_bot: tuple[BackgroundBot, KeyServer], signing_key: Any
) -> None:
    bot, _ = keyed_bot
    url = bot.connector.url
    activity = teams_message(url, "<at>workshopbot</at> start", conversation_id="19:tid@thread.v2")
    status, text = bot.post(activity, headers=_bearer(_token(signing_key, url, tid=OTHER_TENANT)))
    assert status == 403, text
    assert "conflicting tenants" in text
    assert bot.workshops() == []


@pytest.mark.parametrize("depth", [65, 1_000, 100_000])
def test_deeply_nested_json_gets_400_without_authentication_too(
    hostile_bot: BackgroundBot, depth: int
) -> None:
    assert hostile_bot.card is not None
    activity = hostile_bot.driver.answer_activity(hostile_bot.card, 30, via="card")
    raw = json.dumps(activity).encode()
    nested = b"[" * depth + b"]" * depth
    body = raw[:-1] + b',"channelData2":' + nested + b"}"
    before = len(hostile_bot.all_answers())
    status, text = hostile_bot.post(body)
    assert status == 400, text
    assert "nests deeper than 64 levels" in text
    assert len(hostile_bot.all_answers()) == before


def test_nesting_an_activity_really_has_is_accepted(hostile_bot: BackgroundBot) -> None:
    assert hostile_bot.card is not None
    activity = hostile_bot.driver.answer_activity(hostile_bot.card, 31, via="card")
    node: Any = "blad"
    for _ in range(40):
        node = {"n": node}
    activity["channelData"]["extra"] = node
    before = len(hostile_bot.all_answers())
    assert hostile_bot.post(activity)[0] == 200
    assert len(hostile_bot.all_answers()) == before + 1


@pytest.fixture
def hanging_bot(
    tmp_path: Path, signing_key: Any, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[BackgroundBot, KeyServer]]:
    server = KeyServer(signing_key)
    server.hang = 12.0  # far beyond the bot's fetch timeout; then the connection closes
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", server.url)
    bot = BackgroundBot(
        tmp_path,
        open_workshop=False,
        local=False,
        APP_ID=APP_ID,
        APP_PASSWORD="not-a-real-secret",
        APP_TENANTID=TENANT_ID,
    )
    yield bot, server
    bot.stop()
    server.stop()


def test_healthz_answers_while_the_key_endpoint_hangs(
    hanging_bot: tuple[BackgroundBot, KeyServer], signing_key: Any
) -> None:
    bot, server = hanging_bot
    url = bot.connector.url
    body = json.dumps(teams_message(url, "hej")).encode()
    headers = {"Content-Type": "application/json", **_bearer(_token(signing_key, url))}

    async def scenario() -> dict[str, Any]:
        async with aiohttp.ClientSession() as http:

            async def post() -> tuple[int, float]:
                started = time.monotonic()
                async with http.post(bot.base + "/api/messages", data=body, headers=headers) as r:
                    return r.status, time.monotonic() - started

            pending = asyncio.ensure_future(post())
            await asyncio.sleep(0.5)  # the key fetch is under way (and hanging)
            assert server.requests == 1
            health: list[float] = []
            for _ in range(3):
                started = time.monotonic()
                async with http.get(bot.base + "/healthz") as r:
                    assert r.status == 200
                health.append(time.monotonic() - started)
            first = await pending
            second = await post()  # within the back-off: refused without a new fetch
            return {"health": health, "first": first, "second": second}

    # The client runs on its own loop: a blocked bot loop cannot hide the wait.
    result = asyncio.run(asyncio.wait_for(scenario(), timeout=60))
    assert max(result["health"]) < 1.0, result
    status, took = result["first"]
    assert status == 401
    assert took <= auth_keys.FETCH_TIMEOUT + 2.0, result
    status, took = result["second"]
    assert status == 401 and took < 1.0, result
    assert server.requests == 1, "a failed fetch must back off, not be retried per request"


def test_a_second_app_on_another_event_loop_shares_the_keys(
    keyed_bot: tuple[BackgroundBot, KeyServer],
    signing_key: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    first, server = keyed_bot
    url = first.connector.url
    assert (
        first.post(teams_message(url, "hej"), headers=_bearer(_token(signing_key, url)))[0] == 200
    )
    monkeypatch.setattr(ChannelValidation, "open_id_metadata_endpoint", server.url)
    second = BackgroundBot(
        tmp_path,
        open_workshop=False,
        local=False,
        APP_ID=APP_ID,
        APP_PASSWORD="not-a-real-secret",
        APP_TENANTID=TENANT_ID,
    )
    try:
        own = second.connector.url
        status, text = second.post(
            teams_message(own, "hej"), headers=_bearer(_token(signing_key, own))
        )
        assert status == 200, text
    finally:
        second.stop()
