"""The knowledge commands in the command table: phrases in Danish and English, what they
leave alone, and 'hjælp' listing them."""

from __future__ import annotations

import json

import pytest

from dialogs.cards import help_card
from dialogs.commands import parse_command
from dialogs.knowledge.entry import COMMAND_NAMES, command_language


@pytest.mark.parametrize(
    ("typed", "name", "argument", "lang"),
    [
        ("kursus", "course", "", "da"),
        ("course mine", "course", "mine", "en"),
        ("hvem ved Excel pivot", "who knows", "Excel pivot", "da"),
        ("Hvem ved noget om forandringsledelse?", "who knows", "forandringsledelse?", "da"),
        ("who knows excel", "who knows", "excel", "en"),
        ("abonnér kursus Projektledelse", "subscribe", "kursus Projektledelse", "da"),
        ("subscribe @Anna", "subscribe", "@Anna", "en"),
        ("afmeld alle", "unsubscribe", "alle", "da"),
        ("transferrapport", "transfer report", "", "da"),
        ("opfølgning @Ole 1/2/2027: Videndeling", "follow up", "@Ole 1/2/2027: Videndeling", "da"),
        ("follow up @Ole 2027-02-01: Sharing", "follow up", "@Ole 2027-02-01: Sharing", "en"),
    ],
    ids=lambda v: v if isinstance(v, str) else "",
)
def test_phrases(typed: str, name: str, argument: str, lang: str) -> None:
    command = parse_command(typed)
    assert command is not None and command.name == name and command.argument == argument
    assert command.name in COMMAND_NAMES
    assert command_language(command) == lang


@pytest.mark.parametrize(
    "answer",
    [
        "Kursus i kommunikation var det bedste jeg har været på",
        "hvem ved om vi får tid til det i hverdagen når der er travlt",
        "Abonnér på nyhedsbrevet og del det med hele afdelingen bagefter i jeres teams",
    ],
)
def test_long_answers_are_not_commands(answer: str) -> None:
    command = parse_command(answer)
    assert command is None or command.name not in COMMAND_NAMES


@pytest.mark.parametrize("lang", ["da", "en"])
def test_help_lists_the_knowledge_commands_in_the_personal_chat(lang: str) -> None:
    card = json.dumps(help_card(lang=lang, facilitator=False, scope="personal"), ensure_ascii=False)
    for phrase in (
        ("kursus", "hvem ved", "abonnér", "afmeld", "transferrapport")
        if lang == "da"
        else ("course", "who knows", "subscribe", "unsubscribe", "transfer report")
    ):
        assert phrase in card, phrase
    group = json.dumps(
        help_card(lang=lang, facilitator=True, scope="groupChat"), ensure_ascii=False
    )
    assert ("opfølgning" if lang == "da" else "follow up") in group
    assert ("hvem ved" if lang == "da" else "who knows") not in group
