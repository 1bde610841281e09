"""Every card file parses, fills, leaves no placeholder behind and stays under Teams' limit."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from dialogs import cards
from dialogs.cards import MAX_CARD_BYTES, CardError, card_names, render_card
from dialogs.commands import COMMANDS
from dialogs.texts import TEXTS, text

PLACEHOLDER = re.compile(r"\$\{[^}]*\}")


def _no_placeholders(card: Any) -> None:
    dumped = json.dumps(card, ensure_ascii=False)
    assert not PLACEHOLDER.search(dumped), dumped
    assert "$when" not in dumped
    assert len(dumped.encode("utf-8")) < MAX_CARD_BYTES


def _placeholders(node: Any) -> set[str]:
    found: set[str] = set()
    if isinstance(node, str):
        found.update(m[2:-1] for m in PLACEHOLDER.findall(node))
    elif isinstance(node, list):
        for item in node:
            found |= _placeholders(item)
    elif isinstance(node, dict):
        for value in node.values():
            found |= _placeholders(value)
    return found


@pytest.mark.parametrize("name", card_names())
def test_every_card_file_fills_with_dummy_values(name: str) -> None:
    raw = cards._load(name)
    values: dict[str, Any] = {key: f"v-{key}" for key in _placeholders(raw)}
    filled = render_card(name, **values)
    _no_placeholders(filled)
    if not name.startswith("_"):
        assert filled["type"] == "AdaptiveCard"
        assert float(filled["version"]) <= 1.5


def test_missing_value_is_refused() -> None:
    with pytest.raises(CardError, match="message"):
        render_card("notice", title="x")


def test_unused_value_is_refused() -> None:
    with pytest.raises(CardError, match="colour"):
        render_card("notice", title="x", message="y", colour="red")


def test_unknown_card_is_refused() -> None:
    with pytest.raises(CardError, match="known"):
        render_card("no-such-card")
    with pytest.raises(CardError, match="invalid"):
        render_card("../pyproject")


def test_oversized_card_is_refused() -> None:
    with pytest.raises(CardError, match="100000"):
        render_card("notice", title="x", message="ø" * MAX_CARD_BYTES)


def _inputs(card: dict[str, Any]) -> set[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if str(node.get("type", "")).startswith("Input."):
                found.add(node["id"])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return found


@pytest.mark.parametrize("lang", ["da", "en"])
def test_question_card_has_everything_a_participant_needs(lang: str) -> None:
    card = cards.question_card(
        lang=lang,
        workshop_id=4,
        run_id=9,
        question_id="q3",
        phase="Værdier",
        number=3,
        total=12,
        question="Hvilke værdier giver mening?",
        kind="scale",
        options=["I høj grad", "I ringe grad"],
        count=7,
    )
    _no_placeholders(card)
    dumped = json.dumps(card, ensure_ascii=False)
    assert text("question_of", lang, number=3, total=12) in dumped
    assert text("answers_count", lang, count=7) in dumped
    assert _inputs(card) == {"answer", "choice"}
    titles = [a["title"] for a in card["actions"]]
    assert titles == [text("send", lang), text("answer_privately", lang)]
    assert card["actions"][0]["data"] == {"wb": "answer", "workshop": 4, "run": 9, "question": "q3"}
    assert all(a["type"] == "Action.Submit" for a in card["actions"])


def test_closed_and_private_question_cards() -> None:
    closed = cards.question_card(
        lang="da",
        workshop_id=1,
        run_id=2,
        question_id="q1",
        phase="",
        number=1,
        total=2,
        question="?",
        is_open=False,
        count=3,
    )
    assert _inputs(closed) == set()
    assert closed["actions"] == []
    private = cards.question_card(
        lang="en",
        workshop_id=1,
        run_id=2,
        question_id="q1",
        phase="x",
        number=1,
        total=2,
        question="?",
        private=True,
    )
    assert [a["title"] for a in private["actions"]] == ["Send"]


def test_setup_card_offers_plans_series_maps_and_modes() -> None:
    card = cards.setup_card(
        lang="da",
        workshop_id=5,
        started_by="Anna",
        plans=[("default", "Standard")],
        series=[("1", "HK 2022")],
        maps=[("hk", "HK-kort")],
        org="HK",
    )
    _no_placeholders(card)
    assert _inputs(card) == {"plan", "series", "series_name", "map", "org", "language", "mode"}
    assert card["actions"][0]["data"] == {"wb": "setup", "workshop": 5}


def test_help_card_depends_on_role() -> None:
    facilitator = json.dumps(cards.help_card(lang="da", facilitator=True, scope="groupChat"))
    participant = json.dumps(cards.help_card(lang="da", facilitator=False, scope="groupChat"))
    assert "n\\u00e6ste" in facilitator or "næste" in facilitator
    assert "næste" not in participant and "n\\u00e6ste" not in participant
    assert len(facilitator) > len(participant)


def test_other_cards_fill() -> None:
    for card in (
        cards.welcome_card(lang="en", org="HK", mode="anonymous"),
        cards.map_card(
            lang="da",
            name="HK",
            image_url="https://x/media/a.png",
            full_url="https://x/f.png",
            clusters=[("Læring", "viden, transfer")],
        ),
        cards.map_card(
            lang="da", name="HK", image_url="https://x/a.png", full_url="https://x/f.png"
        ),
        cards.status_card(lang="en", facts=[("Question", "q1")]),
        cards.help_card(lang="en", facilitator=True, note="I do not know that command"),
        cards.notice_card(title="t", message="m"),
    ):
        _no_placeholders(card)


def test_every_text_fills_in_both_languages() -> None:
    for key, entry in TEXTS.items():
        assert set(entry) == {"da", "en"}, key
    assert len(COMMANDS) > 10
