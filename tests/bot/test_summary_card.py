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
    card = summary_card(
        summary, map_url="https://bot.example/media/abcdefghijklmnop.png", workshop_id=7
    )
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


def test_card_with_the_proposal_forms_and_knowledge_stays_small() -> None:
    """Forty owners under each of five proposals, and a knowledge section: the card still
    shrinks under the limit, keeps one form pair per proposal shown, and the forms'
    inputs are named after their proposal (a card sends every input with any submit)."""
    from dialogs.summaries import MAX_OWNERS_ON_CARD
    from dialogs.summary_card import KnowledgeSection, ProposalForms

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
    summary = build_summary(data)
    forms = ProposalForms(
        owners=tuple((f"29:{i}", "Et meget langt navn " * 3) for i in range(MAX_OWNERS_ON_CARD)),
        first_date="2027-01-05",
        public={p.id: p.text for p in summary.proposals},
    )
    knowledge = KnowledgeSection(
        "Fra videnbanken", tuple("**Kursus** · Eva: punkt" for _ in "x" * 9)
    )
    card = summary_card(summary, workshop_id=1, forms=forms, knowledge=knowledge)
    assert _size(card) < CARD_LIMIT
    sets = [
        item
        for block in card["body"]  # type: ignore[union-attr]
        if block.get("type") == "Container"
        for item in block.get("items", [])
        if item.get("type") == "ActionSet"
    ]
    shown = [p.id for p in summary.proposals if f"**{p.id}**" in _texts(card)]
    assert len(sets) == len(shown) >= 1
    ids = [
        body["id"]
        for action_set in sets
        for action in action_set["actions"]
        for body in action["card"]["body"]
        if "id" in body
    ]
    assert len(ids) == len(set(ids)) and all(i.split("_")[1] in shown for i in ids)
    assert "Fra videnbanken" in _texts(card)
    group = summary_card(
        build_summary(data, audience="group"), workshop_id=1, forms=forms, knowledge=knowledge
    )
    assert "Action.ShowCard" not in _texts(group), "the group's card has no forms"
