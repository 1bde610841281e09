"""The doors: with an app id, requests without a valid Bot Framework token get 401 and
nothing is processed; activities from a tenant outside the allow-list get 403; the media
endpoint serves stored pictures by their unguessable token only, nothing else from disk."""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import BackgroundBot
from tests.support import TENANT_ID, teams_activity, teams_message

APP_ID = "11111111-2222-3333-4444-555555555555"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\x0dIHDR" + b"\x00" * 40


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _forged_jwt(alg: str) -> str:
    now = int(time.time())
    header = _b64({"alg": alg, "typ": "JWT", "kid": "forged"})
    claims = _b64(
        {
            "iss": "https://api.botframework.com",
            "aud": APP_ID,
            "exp": now + 3600,
            "nbf": now - 60,
            "serviceurl": "http://127.0.0.1:1/",
        }
    )
    signature = "" if alg == "none" else base64.urlsafe_b64encode(b"x" * 32).rstrip(b"=").decode()
    return f"{header}.{claims}.{signature}"


@pytest.fixture(scope="module")
def authenticated_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundBot]:
    bot = BackgroundBot(
        tmp_path_factory.mktemp("auth"),
        open_workshop=False,
        local=False,
        APP_ID=APP_ID,
        APP_PASSWORD="not-a-real-secret",
        APP_TENANTID=TENANT_ID,
    )
    yield bot
    bot.stop()


@pytest.mark.parametrize(
    "authorization",
    [
        pytest.param(None, id="no-header"),
        pytest.param("", id="empty"),
        pytest.param("Bearer", id="bearer-only"),
        pytest.param("Bearer not-a-token", id="garbage"),
        pytest.param("Basic dXNlcjpwYXNz", id="basic"),
        pytest.param(f"Bearer {_forged_jwt('none')}", id="unsigned-jwt"),
        pytest.param(f"Bearer {_forged_jwt('RS256')}", id="forged-rs256"),
        pytest.param(f"Bearer {_forged_jwt('HS256')}", id="forged-hs256"),
    ],
)
def test_without_a_valid_token_requests_get_401_and_nothing_is_processed(
    authenticated_bot: BackgroundBot, authorization: str | None
) -> None:
    url = authenticated_bot.connector.url
    headers = {} if authorization is None else {"Authorization": authorization}
    start = teams_message(url, "<at>workshopbot</at> start")
    setup = teams_activity(
        url,
        value={
            "wb": "setup",
            "workshop": 0,
            "starter": "29:user-anders",
            "plan": "default",
            "org": "Ubuden A/S",
            "language": "da",
            "mode": "named",
        },
    )
    for activity in (start, setup):
        status, body = authenticated_bot.post(activity, headers=headers)
        assert status == 401, body
    assert authenticated_bot.connector.calls == []  # the bot said nothing to anyone
    assert authenticated_bot.workshops() == []


@pytest.fixture(scope="module")
def tenant_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BackgroundBot]:
    bot = BackgroundBot(tmp_path_factory.mktemp("tenant"), allowed_tenants=frozenset({TENANT_ID}))
    yield bot
    bot.stop()


@pytest.mark.parametrize(
    "tenant",
    [
        pytest.param("99999999-0000-0000-0000-000000000000", id="other-tenant"),
        pytest.param("", id="empty"),
        pytest.param(None, id="missing"),
        pytest.param(TENANT_ID.upper() + " ", id="look-alike"),
    ],
)
def test_activities_from_a_tenant_outside_the_allow_list_are_refused(
    tenant_bot: BackgroundBot, tenant: str | None
) -> None:
    assert tenant_bot.card is not None
    activity = tenant_bot.driver.answer_activity(tenant_bot.card, 20, via="card", text="Udefra")
    if tenant is None:
        del activity["conversation"]["tenantId"]
        del activity["channelData"]["tenant"]
    else:
        activity["conversation"]["tenantId"] = tenant
        activity["channelData"]["tenant"]["id"] = tenant
    tenant_bot.drain()  # an earlier answer's card update may still be on its way
    calls = len(tenant_bot.connector.calls)
    before = len(tenant_bot.all_answers())
    status, _ = tenant_bot.post(activity)
    assert status == 403
    assert len(tenant_bot.all_answers()) == before
    tenant_bot.drain()
    assert len(tenant_bot.connector.calls) == calls


def test_the_allowed_tenant_still_gets_in(tenant_bot: BackgroundBot) -> None:
    assert tenant_bot.card is not None
    before = len(tenant_bot.all_answers())
    activity = tenant_bot.driver.answer_activity(tenant_bot.card, 21, via="card", text="Indefra")
    assert tenant_bot.post(activity)[0] == 200
    assert len(tenant_bot.all_answers()) == before + 1


@pytest.fixture(scope="module")
def media_bot(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[BackgroundBot, str]]:
    from storage.maps import save_map

    bot = BackgroundBot(tmp_path_factory.mktemp("media"), open_workshop=False)
    record = bot.call(save_map(bot.db, name="kort", png=PNG, card_png=PNG + b"card"))
    yield bot, record.token
    bot.stop()


def test_a_stored_picture_is_served_by_its_token(media_bot: tuple[BackgroundBot, str]) -> None:
    bot, token = media_bot
    assert len(token) >= 16
    assert bot.get(f"/media/{token}.png") == (200, PNG)
    assert bot.get(f"/media/{token}.png?variant=card") == (200, PNG + b"card")


SECRETS = [
    (Path(__file__).resolve().parents[2] / "pyproject.toml").read_bytes()[:200],
    b"root:x:0:0",
]


@pytest.mark.parametrize(
    "path",
    [
        "/media/../pyproject.toml",
        "/media/..%2f..%2fpyproject.toml",
        "/media/%2e%2e/%2e%2e/etc/passwd",
        "/media/....//....//etc/passwd.png",
        "/media/..%252f..%252fetc%252fpasswd.png",
        "/media/%00.png",
        "/media/TOKEN.png/../../pyproject.toml",
        "/media/TOKEN",
        "/media/TOKEN.png.bak",
        "/media/TOKEN.PNG",
        "/media/TOKEN.png?variant=../../pyproject.toml",
        "/media/TOKEN.png?variant=svg",
        "/media/TOKENX.png",
        "/media/" + "A" * 200 + ".png",
        "/media/",
        "/media",
        "/pyproject.toml",
        "/static/../pyproject.toml",
    ],
)
def test_the_media_endpoint_serves_nothing_else(
    media_bot: tuple[BackgroundBot, str], path: str
) -> None:
    bot, token = media_bot
    status, body = bot.get(path.replace("TOKEN", token))
    assert status in (400, 404, 405), (path, status)
    assert not any(secret in body for secret in SECRETS)
    assert PNG not in body


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    guess=st.text(
        alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_./%",
        min_size=1,
        max_size=80,
    )
)
def test_guessed_tokens_find_nothing(media_bot: tuple[BackgroundBot, str], guess: str) -> None:
    bot, token = media_bot
    if token in guess:
        return
    status, body = bot.get(f"/media/{guess}.png")
    assert status in (400, 404, 405), (guess, status)
    assert PNG not in body
