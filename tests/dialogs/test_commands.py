"""The command table: every phrase reaches its command, whatever order the table is in."""

from __future__ import annotations

import random

import pytest

from dialogs import commands as cmd
from dialogs.commands import COMMANDS, command, commands_for, parse_command


@pytest.mark.parametrize(
    ("text", "name", "argument"),
    [
        ("next", "next", ""),
        ("Næste", "next", ""),
        ("  NÆSTE!  ", "next", ""),
        ("spring over", "skip", ""),
        ("tilbage", "back", ""),
        ("catch up", "catch up", ""),
        ("indhent", "catch up", ""),
        ("hjælp", "help", ""),
        ("/help", "help", ""),
        ("afslut", "end", ""),
        ("tilføj Hvad mangler vi?", "add", "Hvad mangler vi?"),
        ("tilføj facilitator @Anna Hansen", "facilitator add", "@Anna Hansen"),
        ("facilitator add @Bo", "facilitator add", "@Bo"),
        ("map HK 2022", "map", "HK 2022"),
        ("kort", "map", ""),
        ("plan flyt default q3 1", "plan move", "default q3 1"),
        ("plan reword default q1: Hvad er værdier?", "plan reword", "default q1: Hvad er værdier?"),
        ("reorder q5 q4 q6", "reorder", "q5 q4 q6"),
        ("glem mig", "forget me", ""),
        ("træk tilbage", "withdraw", ""),
        ("summary 3", "summary", "3"),
    ],
    ids=lambda v: str(v),
)
def test_phrases_reach_their_command(text: str, name: str, argument: str) -> None:
    parsed = parse_command(text)
    assert parsed is not None
    assert parsed.name == name
    assert parsed.argument == argument


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Næste gang bør vi spørge lederen",
        "pause er vigtigt for mig",
        "add",
        "tilføj",
        "plan",
        "Vi skal have mere opfølgning",
        "status quo er ikke nok",
        "Kort sagt synes jeg at vi skal have mere tid",
        "Opsummering af det hele er svær",
        "Vend tilbage til det med tillid",
    ],
)
def test_answers_are_not_commands(text: str) -> None:
    assert parse_command(text) is None


def test_longest_phrase_wins_whatever_the_table_order(monkeypatch: pytest.MonkeyPatch) -> None:
    shuffled = list(COMMANDS)
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        monkeypatch.setattr(cmd, "_TABLE", cmd._build_table(tuple(shuffled)))
        parsed = parse_command("tilføj facilitator @Anna")
        assert parsed is not None and parsed.name == "facilitator add"
        parsed = parse_command("tilføj spørgsmål Hvem bestemmer?")
        assert parsed is not None and parsed.name == "add"
        assert parsed.argument == "Hvem bestemmer?"


def test_every_phrase_has_one_owner() -> None:
    owners: dict[str, str] = {}
    for spec in COMMANDS:
        for phrase in spec.phrases:
            assert owners.setdefault(phrase, spec.name) == spec.name


def test_duplicate_phrase_is_refused() -> None:
    twin = cmd.CommandSpec(
        "again", {"da": "x", "en": "x"}, facilitator_only=False, scopes=cmd.ALL, aliases=("næste",)
    )
    with pytest.raises(ValueError, match="næste"):
        cmd._build_table((*COMMANDS, twin))


def test_specs_fit_the_manifest() -> None:
    for scope in ("personal", "team", "groupChat"):
        menu = commands_for(scope=scope, menu_only=True)
        assert 0 < len(menu) <= 10
        for spec in menu:
            assert len(spec.name) <= 32
    for spec in COMMANDS:
        assert set(spec.description) >= {"da", "en"}
        assert all(0 < len(v) <= 128 for v in spec.description.values())
        assert spec.scopes <= {"personal", "team", "groupChat"}


def test_participants_do_not_see_facilitator_commands() -> None:
    names = {spec.name for spec in commands_for(scope="groupChat", facilitator=False)}
    assert "next" not in names and "end" not in names
    assert {"help", "catch up", "private", "start"} <= names


def test_unknown_name_is_a_clear_error() -> None:
    with pytest.raises(KeyError, match="known"):
        command("fly")


@pytest.mark.parametrize("lang", ["da", "en"])
def test_texts_name_pseudonyms_the_way_storage_assigns_them(lang: str) -> None:
    from dialogs.texts import text
    from storage.participants import pseudonym_label

    first = pseudonym_label(1, lang)
    assert first in text("welcome_stored_pseudonymous", lang)
    assert first.rsplit(" ", 1)[0] in text("mode_pseudonymous", lang)
