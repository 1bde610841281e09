"""The compact "what now" card: small, masked for its audience, with the accept button."""

from __future__ import annotations

import dataclasses
import json

from analysis.summary import build_summary
from analysis.summary.model import AnswerData
from dialogs.cards import SUBMIT_KEY
from dialogs.summary_card import CARD_LIMIT, summary_card
from tests.analysis.summary_fixtures import danish_earlier, danish_workshop


def _size(card: dict[str, object]) -> int:
    return len(json.dumps(card, ensure_ascii=False).encode("utf-8"))


def _texts(card: dict[str, object]) -> str:
    return json.dumps(card, ensure_ascii=False)


def test_facilitator_card_has_top_items_and_accept_button() -> None:
    summary = build_summary(danish_workshop(), earlier=[danish_earlier()])
    card = summary_card(summary, map_url="https://bot.example/media/abcdefghijklmnop.png", workshop_id=7)
    assert card["version"] == "1.5"
    assert _size(card) < CARD_LIMIT
    text = _texts(card)
    assert "P1" in text and "database" in text
    assert "Hvad er HKs værdier?" in text  # the silent question
    images = [b for b in card["body"] if b.get("type") == "Image"]  # type: ignore[union-attr]
    assert images and images[0]["url"].startswith("https://")
    (action,) = card["actions"]  # type: ignore[misc]
    assert action["type"] == "Action.Submit"
    assert action["data"] == {SUBMIT_KEY: "summary-accept", "workshop": 7}


def test_group_card_has_no_private_content_and_no_button() -> None:
    summary = build_summary(danish_workshop(), earlier=[danish_earlier()], audience="group")
    card = summary_card(summary, workshop_id=7)
    text = _texts(card)
    assert "demotiverende" not in text
    assert card["actions"] == []
    assert not [b for b in card["body"] if b.get("type") == "Image"]  # type: ignore[union-attr]


def test_card_stays_small_for_a_large_workshop() -> None:
    data = danish_workshop()
    q = data.questions[2]
    many = tuple(
        AnswerData(
            id=f"x{i}",
            pseudonym=f"Deltager {i}",
            text=f"Vi skal prøve idé nummer {i} med {'meget lang forklaring ' * 30}",
            offset_seconds=1500 + i,
        )
        for i in range(300)
    )
    data = dataclasses.replace(data, questions=(dataclasses.replace(q, answers=many),))
    card = summary_card(build_summary(data), workshop_id=1)
    assert _size(card) < CARD_LIMIT


def test_empty_workshop_card_is_friendly() -> None:
    data = dataclasses.replace(danish_workshop(), questions=())
    card = summary_card(build_summary(data), workshop_id=1)
    assert "ingen svar" in _texts(card).lower()
