"""Settings are read once from the environment, validated, and name the fix when wrong."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from bot.errors import BotError, SettingsError
from bot.settings import Settings

APP = {
    "MICROSOFT_APP_ID": "11111111-1111-1111-1111-111111111111",
    "MICROSOFT_APP_PASSWORD": "secret",
    "MICROSOFT_APP_TENANT_ID": "22222222-2222-2222-2222-222222222222",
}


def test_defaults_in_local_mode() -> None:
    settings = Settings.from_env({"WORKSHOPBOT_LOCAL": "1"})
    assert settings.local and not settings.authenticated
    assert settings.APP_ID == "" and settings.APP_TYPE == "SingleTenant"
    assert settings.port == 3978 and settings.host == "127.0.0.1"
    assert settings.database_url == "sqlite:///var/workshopbot.sqlite3"
    assert settings.is_sqlite
    assert settings.language == "da"
    assert settings.allowed_tenants == frozenset()
    assert settings.public_url == "http://127.0.0.1:3978"


def test_local_mode_says_it_runs_without_authentication(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.settings"):
        Settings.from_env({"WORKSHOPBOT_LOCAL": "true"})
    assert "WITHOUT Bot Framework authentication" in caplog.text


def test_refuses_to_start_without_app_id_unless_local() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({})
    message = str(caught.value)
    assert "MICROSOFT_APP_ID" in message and "WORKSHOPBOT_LOCAL=1" in message
    assert isinstance(caught.value, BotError)


def test_reads_the_sdk_attribute_names() -> None:
    settings = Settings.from_env(
        {
            **APP,
            "DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
            "WORKSHOPBOT_ALLOWED_TENANTS": " t1, t2 ,,",
            "PORT": "8080",
            "HOST": "0.0.0.0",
            "WORKSHOPBOT_PUBLIC_URL": "https://bot.example.org/",
            "WORKSHOPBOT_LANGUAGE": "EN",
        }
    )
    assert APP["MICROSOFT_APP_ID"] == settings.APP_ID
    assert settings.APP_PASSWORD == "secret"
    assert APP["MICROSOFT_APP_TENANT_ID"] == settings.APP_TENANTID
    assert settings.authenticated
    assert settings.allowed_tenants == frozenset({"t1", "t2"})
    assert settings.port == 8080 and settings.host == "0.0.0.0"
    assert settings.public_url == "https://bot.example.org"
    assert settings.language == "en"
    assert not settings.is_sqlite


def test_accepts_the_azure_spellings() -> None:
    settings = Settings.from_env(
        {
            "MicrosoftAppId": "abc",
            "MicrosoftAppPassword": "pw",
            "MicrosoftAppType": "multitenant",
        }
    )
    assert settings.APP_ID == "abc" and settings.APP_TYPE == "MultiTenant"


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"PORT": "eighty"}, "PORT"),
        ({"PORT": "70000"}, "PORT"),
        ({"WORKSHOPBOT_LANGUAGE": "de"}, "WORKSHOPBOT_LANGUAGE"),
        ({"MICROSOFT_APP_TYPE": "Whatever"}, "MICROSOFT_APP_TYPE"),
        ({"WORKSHOPBOT_LOCAL": "maybe"}, "WORKSHOPBOT_LOCAL"),
        ({"WORKSHOPBOT_FAST_ANSWERS": "sometimes"}, "WORKSHOPBOT_FAST_ANSWERS"),
        ({"WORKSHOPBOT_PUBLIC_URL": "bot.example.org"}, "WORKSHOPBOT_PUBLIC_URL"),
        ({"WORKSHOPBOT_INSTANCES": "two"}, "WORKSHOPBOT_INSTANCES"),
        ({"WORKSHOPBOT_INSTANCES": "0"}, "WORKSHOPBOT_INSTANCES"),
    ],
    ids=[
        "port-text",
        "port-range",
        "language",
        "app-type",
        "local-flag",
        "fast-answers-flag",
        "public-url",
        "instances-text",
        "instances-zero",
    ],
)
def test_invalid_values_name_the_variable(env: dict[str, str], named: str) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"WORKSHOPBOT_LOCAL": "1", **env})
    assert named in str(caught.value)


@pytest.mark.parametrize(
    ("missing", "named"),
    [
        ("MICROSOFT_APP_TENANT_ID", "MICROSOFT_APP_TENANT_ID"),
        ("MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_PASSWORD"),
    ],
    ids=["tenant", "password"],
)
def test_single_tenant_needs_tenant_and_secret(missing: str, named: str) -> None:
    env = {k: v for k, v in APP.items() if k != missing}
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(env)


def test_overrides_win_and_are_validated() -> None:
    settings = Settings.from_env({"PORT": "1234"}, port=4321, local=True)
    assert settings.port == 4321
    with pytest.raises(SettingsError, match="PORT"):
        settings.with_overrides(port=-1)


def test_settings_are_frozen() -> None:
    settings = Settings(local=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.port = 1  # type: ignore[misc]


def test_instances_share_the_teams_budget() -> None:
    from bot.outbox import TEAMS_LIMITS, share_of_limits

    assert Settings.from_env({"WORKSHOPBOT_LOCAL": "1"}).instances == 1
    assert (
        Settings.from_env({"WORKSHOPBOT_LOCAL": "1", "WORKSHOPBOT_INSTANCES": "2"}).instances == 2
    )
    assert share_of_limits(1) == TEAMS_LIMITS
    for instances in (2, 3, 7):
        shared = share_of_limits(instances)
        for (window, alone), (same_window, share) in zip(TEAMS_LIMITS, shared, strict=True):
            assert window == same_window
            assert share >= 1 and share * instances <= alone


def test_the_answer_fast_path_is_on_unless_switched_off() -> None:
    assert Settings.from_env({"WORKSHOPBOT_LOCAL": "1"}).fast_answers is True
    off = Settings.from_env({"WORKSHOPBOT_LOCAL": "1", "WORKSHOPBOT_FAST_ANSWERS": "0"})
    assert off.fast_answers is False


def test_operators_are_read_as_a_set_of_ids() -> None:
    settings = Settings.from_env(
        {"WORKSHOPBOT_LOCAL": "1", "WORKSHOPBOT_OPERATORS": " aad-1, 29:ops  aad-2,"}
    )
    assert settings.operators == frozenset({"aad-1", "29:ops", "aad-2"})
    assert Settings.from_env({"WORKSHOPBOT_LOCAL": "1"}).operators == frozenset()
