"""The "what now" card's proposals become follow-ups and topics (issue 16, items 6 and 7),
through the real app (Teams-shaped activities over loopback HTTP, a migrated SQLite file,
the Bot Connector stand-in), and the card's knowledge-bank section.

The form's values are attacked: a participant submitting it, another workshop's id, a
proposal id not in the summary, an owner who is not a participant, bad dates. Each is
refused with a message saying what to do, and stores nothing."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from storage.knowledge import checkins, people, subscriptions, takeaways
from tests.support import TENANT_ID, teams_activity, teams_message
from tests.support.workshop_bot import (
    ANNA,
    BO,
    CARL,
    GROUP,
    Bot,
    card_of,
    launch,
    mention_message,
    running_bot,
)

DORTHE = {"user_id": "29:dorthe", "user_name": "Dorthe Facilitator", "aad_object_id": "aad-d"}
OTHER_GROUP = "19:other-workshop@thread.v2"


def personal(who: dict[str, str]) -> dict[str, Any]:
    return {"conversation_id": f"a:1on1-{who['user_id']}", "conversation_type": "personal", **who}


async def _takeaway(
    db: Any, user: str, name: str, point: str, *, visibility: str, tenant: str = TENANT_ID
) -> int:
    await people.remember_person(db, user_id=user, display_name=name, tenant_id=tenant)
    course = await takeaways.add_course(
        db,
        name=f"Kursus om {point.split()[0]}",
        provider="AMU",
        starts_on=date(2026, 3, 1),
        ends_on=date(2026, 3, 2),
        tenant_id=tenant,
    )
    saved = await takeaways.save_takeaway(
        db,
        course_id=course.id,
        user_id=user,
        points=[point, "Andet punkt", "Tredje punkt"],
        visibility=visibility,
        language="da",
        consent=False,
        tenant_id=tenant,
    )
    await takeaways.publish_takeaway(db, saved.id, user)
    return saved.id


@pytest.fixture
async def ended(tmp_path: Path) -> AsyncIterator[tuple[Bot, int, dict[str, Any]]]:
    """A workshop Anna facilitates, with a proposal, ended: (bot, workshop id, the summary
    card Anna got in her 1:1 chat). The knowledge bank holds three takeaways about
    databases: one shared with the organisation, one with a team only, one in another
    tenant."""
    async with running_bot(tmp_path) as bot:
        await _takeaway(bot.db, "29:eva", "Eva Org", "Databaser samler opgaverne", visibility="org")
        await _takeaway(
            bot.db, "29:finn", "Finn Team", "Database kun for teamet", visibility="team"
        )
        await _takeaway(
            bot.db,
            "29:gro",
            "Gro Fremmed",
            "Database i en anden organisation",
            visibility="org",
            tenant="other-tenant",
        )
        url = bot.connector.url
        wid = await launch(bot)
        await bot.post(mention_message(url, "næste", who=ANNA))
        await bot.settle()
        await bot.post(
            teams_message(
                url, "Vi skal samle opgaverne i en database.", conversation_id=GROUP, **BO
            )
        )
        await bot.post(
            teams_message(
                url,
                "Enig, en database med opgaverne vil hjælpe.",
                conversation_id=GROUP,
                **CARL,
            )
        )
        await bot.settle()
        await bot.post(mention_message(url, "afslut", who=ANNA))
        await bot.settle()
        cards = [card_of(a) for a in bot.private("29:anna") if card_of(a)]
        summary = cards[-1]
        assert summary is not None and "Hvad så?" in json.dumps(summary, ensure_ascii=False)
        yield bot, wid, summary


def _forms(card: dict[str, Any]) -> list[dict[str, Any]]:
    """Every ShowCard action of the card's proposal blocks."""
    found = []
    for block in card["body"]:
        for item in block.get("items", []) if block.get("type") == "Container" else []:
            if item.get("type") == "ActionSet":
                found += item["actions"]
    return found


def _follow_up_value(card: dict[str, Any], *, owner: str, due: str) -> dict[str, Any]:
    form = next(a for a in _forms(card) if a["card"]["actions"][0]["data"]["wb"].endswith("up"))
    data = dict(form["card"]["actions"][0]["data"])
    proposal = data["proposal"]
    return {**data, f"owner_{proposal}": owner, f"due_{proposal}": due}


async def _submit(bot: Bot, who: dict[str, str], value: dict[str, Any]) -> str:
    """``who`` submits ``value`` from their 1:1 chat; what the bot said to them there."""
    before = len(bot.private(who["user_id"]))
    await bot.post(teams_activity(bot.connector.url, value=value, **personal(who)))
    await bot.settle()
    return json.dumps(bot.private(who["user_id"])[before:], ensure_ascii=False)


async def _follow_ups(bot: Bot, wid: int) -> list[Any]:
    return list(await checkins.follow_ups_of_series(bot.db, None, workshop_id=wid))


def _in_a_week() -> str:
    return (date.today() + timedelta(days=7)).isoformat()


async def test_the_card_offers_forms_and_only_org_takeaways(
    ended: tuple[Bot, int, dict[str, Any]],
) -> None:
    bot, _wid, card = ended
    forms = _forms(card)
    assert [f["type"] for f in forms] == ["Action.ShowCard", "Action.ShowCard"]
    owners = next(b for b in forms[0]["card"]["body"] if b["type"] == "Input.ChoiceSet")["choices"]
    assert {c["value"] for c in owners} == {"29:bo", "29:carl"}, "participants, not Anna"
    date_input = next(b for b in forms[0]["card"]["body"] if b["type"] == "Input.Date")
    assert date_input["min"] > date.today().isoformat()
    text = json.dumps(card, ensure_ascii=False)
    assert "Fra videnbanken" in text
    assert "Databaser samler opgaverne" in text and "Eva Org" in text
    assert "kun for teamet" not in text, "a team-only takeaway is never on the card"
    assert "anden organisation" not in text, "nor another tenant's"
    # The group's card has neither forms nor a facilitator's controls.
    await bot.post(mention_message(bot.connector.url, "opsummering", who=ANNA))
    await bot.settle()
    group_card = card_of(bot.group()[-1])
    assert group_card is not None and _forms(group_card) == []
    assert "kun for teamet" not in json.dumps(group_card, ensure_ascii=False)


async def test_the_facilitator_makes_a_follow_up_from_the_card(
    ended: tuple[Bot, int, dict[str, Any]],
) -> None:
    bot, wid, card = ended
    value = _follow_up_value(card, owner="29:bo", due=_in_a_week())
    said = await _submit(bot, ANNA, value)
    (made,) = await _follow_ups(bot, wid)
    assert made.owner_id == "29:bo" and made.status == "open"
    assert "database" in made.proposal.lower(), "the summary's words, not the card's"
    assert made.due_at.date().isoformat() == _in_a_week()
    assert "Opfølgning" in said and "<at>" in said and "29:bo" in said
    # As with the command, the workshop's chat hears who owns it.
    assert "29:bo" in json.dumps(bot.group()[-1], ensure_ascii=False)
    # The summary card now reports it (the Markdown did already).
    await bot.post(mention_message(bot.connector.url, "opsummering", who=ANNA))
    await bot.settle()
    again = json.dumps(card_of(bot.group()[-1]), ensure_ascii=False)
    assert f"venter til {_in_a_week()}" in again and made.owner_name in again
    await checkins.advance_follow_up(
        bot.db, made.id, from_status=["open"], to_status="asked", now=made.due_at
    )
    await checkins.answer_follow_up(bot.db, made.id, "Vi har en database nu", now=made.due_at)
    await bot.post(mention_message(bot.connector.url, "opsummering", who=ANNA))
    await bot.settle()
    assert "“Vi har en database nu”" in json.dumps(card_of(bot.group()[-1]), ensure_ascii=False)


@pytest.mark.parametrize(
    ("who", "change", "expected"),
    [
        pytest.param(CARL, {}, "Kun workshoppens facilitatorer", id="participant"),
        pytest.param(DORTHE, {}, "Kun workshoppens facilitatorer", id="stranger"),
        pytest.param(ANNA, {"workshop": 99999}, "ikke aktivt længere", id="no-such-workshop"),
        pytest.param(ANNA, {"workshop": "1"}, "ikke aktivt længere", id="workshop-as-text"),
        pytest.param(ANNA, {"workshop": True}, "ikke aktivt længere", id="workshop-as-bool"),
        pytest.param(ANNA, {"proposal": "P99"}, "findes ikke i workshoppens", id="proposal"),
        pytest.param(ANNA, {"proposal": ["P1"]}, "findes ikke i workshoppens", id="list"),
        pytest.param(ANNA, {"owner": "29:mallory"}, "Vælg en ansvarlig", id="owner"),
        pytest.param(ANNA, {"owner": "29:anna"}, "Vælg en ansvarlig", id="owner-self"),
        pytest.param(ANNA, {"due": "2020-01-01"}, "efter i dag", id="past"),
        pytest.param(ANNA, {"due": "i morgen"}, "efter i dag", id="not-a-date"),
        pytest.param(ANNA, {"due": "2099-01-01"}, "efter i dag", id="too-far"),
        pytest.param(ANNA, {"due": 20270101}, "efter i dag", id="number"),
        pytest.param(ANNA, {"due": date.today().isoformat()}, "efter i dag", id="today"),
    ],
)
async def test_a_forged_follow_up_form_is_refused_and_stores_nothing(
    ended: tuple[Bot, int, dict[str, Any]],
    who: dict[str, str],
    change: dict[str, Any],
    expected: str,
) -> None:
    bot, wid, card = ended
    value = _follow_up_value(card, owner="29:bo", due=_in_a_week())
    proposal = value["proposal"]
    for key, new in change.items():
        if key in ("owner", "due"):
            value[f"{key}_{proposal}"] = new
        else:
            value[key] = new
            if key == "proposal" and isinstance(new, str):  # inputs named after it
                value[f"owner_{new}"] = "29:bo"
                value[f"due_{new}"] = _in_a_week()
    said = await _submit(bot, who, value)
    assert expected in said, said
    assert "Traceback" not in said
    assert await _follow_ups(bot, wid) == []


async def test_another_workshops_id_is_refused(
    ended: tuple[Bot, int, dict[str, Any]],
) -> None:
    """Anna's card with the id of a workshop Dorthe facilitates (Anna takes no part)."""
    bot, wid, card = ended
    other = await launch(bot, conversation_id=OTHER_GROUP, who=DORTHE, series_name="Andet")
    value = {**_follow_up_value(card, owner="29:bo", due=_in_a_week()), "workshop": other}
    said = await _submit(bot, ANNA, value)
    assert "Kun workshoppens facilitatorer" in said
    assert await _follow_ups(bot, other) == [] and await _follow_ups(bot, wid) == []


async def test_a_proposal_becomes_a_topic_people_subscribe_to(
    ended: tuple[Bot, int, dict[str, Any]],
) -> None:
    bot, wid, card = ended
    form = next(a for a in _forms(card) if a["card"]["actions"][0]["data"]["wb"].endswith("topic"))
    data = dict(form["card"]["actions"][0]["data"])
    suggested = form["card"]["body"][0]["value"]
    assert "database" in suggested.lower() and len(suggested) <= 60

    # A participant cannot post topics; a made-up proposal is refused; an empty topic too.
    said = await _submit(bot, CARL, {**data, f"topic_{data['proposal']}": "Løn"})
    assert "Kun workshoppens facilitatorer" in said
    said = await _submit(bot, ANNA, {**data, "proposal": "P42", "topic_P42": "Løn"})
    assert "findes ikke" in said
    said = await _submit(bot, ANNA, {**data, f"topic_{data['proposal']}": "   "})
    assert "højst 100 tegn" in said
    assert "Nyt emne" not in json.dumps(bot.group(), ensure_ascii=False)

    before = len(bot.group())
    said = await _submit(bot, ANNA, {**data, f"topic_{data['proposal']}": "database opgaver"})
    assert "database opgaver" in said
    posted = [card_of(a) for a in bot.group()[before:] if card_of(a)]
    assert len(posted) == 1 and "Nyt emne i videnbanken: database opgaver" in json.dumps(
        posted[0], ensure_ascii=False
    )
    subscribe = posted[0]["actions"][0]["data"]
    # Carl presses "Abonnér" in the group: he subscribes, and hears it privately.
    await bot.post(
        teams_activity(bot.connector.url, conversation_id=GROUP, value=subscribe, **CARL)
    )
    await bot.settle()
    mine = await subscriptions.subscriptions_of(bot.db, "29:carl")
    assert [(s.kind, s.value) for s in mine] == [("topic", "database opgaver")]
    assert "abonnerer nu på 'database opgaver'" in json.dumps(
        bot.private("29:carl"), ensure_ascii=False
    )
    # A forged topic only ever subscribes the presser to words; nonsense is refused.
    await bot.post(
        teams_activity(
            bot.connector.url,
            conversation_id=GROUP,
            value={**subscribe, "topic": "x" * 500},
            **BO,
        )
    )
    await bot.settle()
    assert await subscriptions.subscriptions_of(bot.db, "29:bo") == ()
    assert wid > 0


async def test_a_proposal_made_only_in_private_gets_no_form(tmp_path: Path) -> None:
    """Its words would be announced to the group: no form on the card, and a forged submit
    naming it is refused (the facilitator may still write it in her own words)."""
    async with running_bot(tmp_path) as bot:
        url = bot.connector.url
        wid = await launch(bot)
        await bot.post(mention_message(url, "næste", who=ANNA))
        await bot.settle()
        await bot.post(
            teams_message(
                url, "Vi skal samle opgaverne i en database.", conversation_id=GROUP, **BO
            )
        )
        await bot.post(
            teams_message(
                url,
                "Vi skal indføre en mentorordning for alle nye kolleger.",
                **personal(CARL),
            )
        )
        await bot.settle()
        await bot.post(mention_message(url, "afslut", who=ANNA))
        await bot.settle()
        card = [card_of(a) for a in bot.private("29:anna") if card_of(a)][-1]
        assert card is not None
        text = json.dumps(card, ensure_ascii=False)
        assert "mentorordning" in text, "the facilitator sees the private proposal"
        forms = _forms(card)
        assert forms, "the public proposal has its forms"
        proposals = {f["card"]["actions"][0]["data"]["proposal"] for f in forms}
        suggestions = json.dumps([f["card"]["body"] for f in forms], ensure_ascii=False)
        assert "mentor" not in suggestions
        private_id = next(
            block["text"].split("**")[1]
            for container in card["body"]
            if container.get("type") == "Container"
            for block in container.get("items", [])
            if block.get("type") == "TextBlock" and "mentorordning" in block.get("text", "")
        )
        assert re.fullmatch(r"P\d+", private_id), private_id
        assert private_id not in proposals
        said = await _submit(
            bot,
            ANNA,
            {
                "wb": "kb_summary_follow_up",
                "workshop": wid,
                "proposal": private_id,
                f"owner_{private_id}": "29:bo",
                f"due_{private_id}": _in_a_week(),
            },
        )
        assert "kom kun fra private svar" in said
        assert await _follow_ups(bot, wid) == []
        assert "mentorordning" not in json.dumps(bot.group(), ensure_ascii=False)
