"""The manifest's command menus only list commands the bot has, with its own descriptions."""

from __future__ import annotations

from typing import Any

import pytest

from bot.errors import BotError
from bot.teams_package import (
    MAX_COMMANDS_PER_LIST,
    PackageSettings,
    build_command_lists,
    build_localization,
    build_manifest,
    localized_manifest,
)
from dialogs.commands import COMMANDS, CommandSpec, parse_command

BOT_ID = "6f1c0d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f"


@pytest.fixture(scope="module")
def manifest() -> dict[str, Any]:
    settings = PackageSettings(
        bot_app_id=BOT_ID,
        public_url="https://workshops.example.dk",
        developer_name="HK Udvikling",
        privacy_url="https://example.dk/privacy",
        terms_url="https://example.dk/terms",
    )
    return build_manifest(settings)


def _views(manifest: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {"en": manifest, "da": localized_manifest(manifest, build_localization("da"))}


@pytest.mark.parametrize("language", ["en", "da"])
def test_every_menu_command_exists_in_the_bot(manifest: dict[str, Any], language: str) -> None:
    seen = _views(manifest)[language]
    listed = 0
    for command_list in seen["bots"][0]["commandLists"]:
        assert len(command_list["commands"]) <= MAX_COMMANDS_PER_LIST
        for entry in command_list["commands"]:
            parsed = parse_command(entry["title"])
            assert parsed is not None, f"{entry['title']!r} is no command the bot knows"
            assert parsed.spec in COMMANDS
            assert parsed.argument == ""
            assert set(command_list["scopes"]) <= parsed.spec.scopes, entry["title"]
            assert entry["description"] == parsed.spec.description[language]
            listed += 1
    assert listed > 0


def test_menus_cover_every_menu_command_per_scope(manifest: dict[str, Any]) -> None:
    lists = manifest["bots"][0]["commandLists"]
    covered = {scope for command_list in lists for scope in command_list["scopes"]}
    assert covered == {"personal", "team", "groupChat"}
    assert len(lists) <= 3
    for scope in ("personal", "team", "groupChat"):
        (titles,) = [
            [c["title"] for c in command_list["commands"]]
            for command_list in lists
            if scope in command_list["scopes"]
        ]
        expected = [s.name for s in COMMANDS if s.menu and scope in s.scopes]
        assert titles == expected


def test_group_menus_hold_facilitator_and_participant_commands(manifest: dict[str, Any]) -> None:
    by_title = {s.name: s for s in COMMANDS}
    for command_list in manifest["bots"][0]["commandLists"]:
        if "groupChat" in command_list["scopes"]:
            roles = {by_title[c["title"]].facilitator_only for c in command_list["commands"]}
            assert roles == {True, False}
    assert any(
        c["title"] == "withdraw"
        for cl in manifest["bots"][0]["commandLists"]
        for c in cl["commands"]
    )


def test_too_many_menu_commands_is_refused() -> None:
    many = tuple(
        CommandSpec(
            f"cmd{i}",
            {"da": f"kommando {i}", "en": f"command {i}"},
            facilitator_only=False,
            scopes=frozenset({"personal"}),
            menu=True,
        )
        for i in range(MAX_COMMANDS_PER_LIST + 1)
    )
    with pytest.raises(BotError, match="at most 10"):
        build_command_lists(many)


def test_the_bot_handles_every_menu_command(manifest: dict[str, Any]) -> None:
    """The real handler's dispatch table has a handler for every command the menus list."""
    from botbuilder.core import (
        ConversationState,
        MemoryStorage,
        PrivateConversationState,
        UserState,
    )

    from bot.handler import WorkshopBot
    from bot.services import BotServices
    from bot.settings import Settings

    storage = MemoryStorage()
    services = BotServices(
        settings=Settings(local=True),
        db=None,
        outbox=None,  # type: ignore[arg-type]
        conversation_state=ConversationState(storage),
        user_state=UserState(storage),
        private_conversation_state=PrivateConversationState(storage),
        media_url=lambda token: f"https://bot.example.org/media/{token}.png",
        spawn=lambda *a, **k: None,  # type: ignore[arg-type,return-value]
        adapter=None,  # type: ignore[arg-type]
    )
    handlers = WorkshopBot(services).command_names()
    for language, seen in _views(manifest).items():
        for command_list in seen["bots"][0]["commandLists"]:
            for entry in command_list["commands"]:
                parsed = parse_command(entry["title"])
                assert parsed is not None
                assert parsed.name in handlers, (
                    f"{language} menu command {entry['title']!r} has no handler in the bot"
                )


@pytest.mark.parametrize(
    ("language", "titles"),
    [("da", {"kursus", "hvem ved", "abonnér"}), ("en", {"course", "who knows", "subscribe"})],
)
def test_the_personal_menu_offers_the_knowledge_bank(
    manifest: dict[str, Any], language: str, titles: set[str]
) -> None:
    """Issue 16: sharing, searching and subscribing are one tap away in the 1:1 chat (the
    group menus are full and the bank's commands belong in the 1:1 chat anyway)."""
    seen = _views(manifest)[language]
    personal = next(c for c in seen["bots"][0]["commandLists"] if "personal" in c["scopes"])
    assert titles <= {entry["title"] for entry in personal["commands"]}
    # "hvem ved" alone (as the menu puts it in the compose box) is the command, not nothing.
    parsed = parse_command("hvem ved" if language == "da" else "who knows")
    assert parsed is not None and parsed.spec.name == "who knows" and parsed.argument == ""
