"""The knowledge bank end to end: `workshopbot serve --local` as a real process on a
temporary SQLite database, the Microsoft 365 Agents Playground in front of it, several mock
users in their 1:1 chats, and the bot's local clock (``WORKSHOPBOT_LOCAL_CLOCK``, moved
through ``POST /_local/clock``) standing in for the weeks between a course and its check-in.

Bente subscribes to a topic; Fie shares three key points from a course (the guided dialog,
the visibility card, the consent card); Anders finds them with "hvem ved" (snippet in bold)
and presses "Kontakt": he gets Fie as a mention, and Fie gets him. Carl, Dorthe and Emil
report a course that has not begun: they are enrolled in its check-ins. It is Monday
02:00 (quiet hours) for the bot; the clock moves to 10:00 and Bente's digest card arrives in
her 1:1 chat; it moves to two weeks after the course and the transfer check-in card arrives
in each of the three chats at its due time; they answer (the five-point scale and a
comment; only Emil lets his answers be shown); `workshopbot transfer report` shows the
distribution of the three, Emil's comment under his name, and nobody else's words."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import aiohttp
import pytest

from tests.e2e.test_workshop_playground import _card_text, serving
from tests.support.playground import BotCall, Playground, requires_playground

pytestmark = [pytest.mark.e2e, requires_playground]

WORKSHOPBOT = Path(sys.executable).parent / "workshopbot"
#: A Monday, in quiet hours (20-8 in Copenhagen): nothing is sent until the clock moves.
CLOCK_START = "2027-01-04T02:00:00+01:00"
#: The course Carl, Dorthe and Emil will take; its check-in "2 weeks after" is due on
#: Tuesday 16 February 2027 at 10:00 in Copenhagen.
COURSE = ("Ledelse i praksis", "AMU Nord", "1/2/2027 - 2/2/2027")
CHECKIN_DUE = "2027-02-16T10:00:00+01:00"


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[str, str, int]]:
    """`workshopbot serve --local` with the local clock at :data:`CLOCK_START`."""
    async with serving(tmp_path, WORKSHOPBOT_LOCAL_CLOCK=CLOCK_START) as started:
        yield started


async def _move_clock(endpoint: str, to: str) -> datetime:
    """Move the serve process's clock (its loopback-only route); returns its new time."""
    url = endpoint.replace("/api/messages", "/_local/clock")
    async with aiohttp.ClientSession() as http, http.post(url, json={"to": to}) as response:
        body = await response.json()
        assert response.status == 200, body
        return datetime.fromisoformat(body["now"])


async def test_share_find_digest_checkin_and_report_in_the_playground(
    served: tuple[str, str, int], tmp_path: Path
) -> None:
    endpoint, database_url, _map_id = served
    async with Playground(endpoint) as pg:

        async def say(user: str, words: str) -> BotCall:
            mark = pg.mark()
            await pg.send_message(user, words, conversation="personal")
            return await pg.wait_for_bot_activity(lambda c: c.direction == "from_bot", since=mark)

        async def press(user: str, data: dict[str, object]) -> BotCall:
            mark = pg.mark()
            await pg.submit_card(user, data, conversation="personal")
            return await pg.wait_for_bot_activity(lambda c: c.direction == "from_bot", since=mark)

        reply = await say("Bente", "abonnér pivottabeller")
        assert "abonnerer nu" in (reply.text or "")
        assert "Hvilket kursus" in ((await say("Fie", "kursus")).text or "")
        for words in ("Excel for øvede", "AMU Syd", "1/9/2026 - 2/9/2026", "-"):
            await say("Fie", words)
        await say("Fie", "Pivottabeller sparer mig en time om ugen")
        await say("Fie", "Formler før makroer")
        visibility = await say("Fie", "Del filer i Teams")
        assert "Hvem må se" in _card_text(visibility)
        consent = await press("Fie", visibility.cards[0]["actions"][1]["data"])  # the organisation
        assert "Sådan ser det ud" in _card_text(consent)
        shared = await press("Fie", consent.cards[0]["actions"][0]["data"])
        assert "delt" in (shared.text or "")

        results = await say("Anders", "hvem ved pivottabeller")
        text = _card_text(results)
        assert "**Pivottabeller**" in text and "Fie" in text
        contact = next(
            a["data"]
            for b in results.cards[0]["body"]
            if b.get("type") == "ActionSet"
            for a in b["actions"]
        )
        mark = pg.mark()
        await pg.submit_card("Anders", contact, conversation="personal")
        to_fie = await pg.wait_for_bot_activity(
            lambda c: c.direction == "from_bot" and "vil gerne høre mere" in _card_text(c),
            since=mark,
        )
        to_anders = await pg.wait_for_bot_activity(
            lambda c: c.direction == "from_bot" and "Skriv til" in _card_text(c), since=mark
        )
        assert "<at>" in _card_text(to_fie) and "<at>" in _card_text(to_anders)
        assert "@" not in json.dumps(to_anders.cards).replace("<at>", "").replace("</at>", "")
        assert pg.user("Fie")["id"] in json.dumps(to_anders.cards)

        # Three colleagues report a course that has not begun: check-ins instead of points.
        takers = ("Carl", "Dorthe", "Emil")
        for who in takers:
            await say(who, "kursus")
            for words in COURSE[:2]:
                await say(who, words)
            await say(who, COURSE[2])
            ahead = await say(who, "-")
            assert "ikke slut endnu" in (ahead.text or "") and "2027-02-16" in (ahead.text or "")

        # Monday 10:00 in Copenhagen: the sweep sends Bente's digest to her 1:1 chat.
        bente = pg.user("Bente")["id"]
        mark = pg.mark()
        assert not any(
            c.recipient_id == bente
            for c in pg.bot_activities(since=0)
            if c.cards and "Nyt fra kolleger" in _card_text(c)
        ), "no digest in quiet hours"
        moved = await _move_clock(endpoint, "2027-01-04T10:00:00+01:00")
        assert moved.isoformat().startswith("2027-01-04T09:00")
        digest = await pg.wait_for_bot_activity(
            lambda c: c.recipient_id == bente and "Nyt fra kolleger" in _card_text(c),
            since=mark,
            timeout=30,
        )
        assert "Pivottabeller sparer mig en time om ugen" in _card_text(digest)
        assert digest.conversation_id == pg.conversation_id("personal")
        assert digest.status in (200, 201), digest.status
        # Nobody else got a digest (Anders and Fie subscribe to nothing).
        others = [
            c.recipient_id
            for c in pg.bot_activities(mark)
            if "Nyt fra kolleger" in _card_text(c) and c.recipient_id != bente
        ]
        assert others == []

        # Two weeks after the course: the transfer check-in fires in each taker's chat.
        mark = pg.mark()
        await _move_clock(endpoint, CHECKIN_DUE)
        cards_for: dict[str, BotCall] = {}
        for who in takers:
            person = pg.user(who)["id"]
            cards_for[who] = await pg.wait_for_bot_activity(
                lambda c, person=person: (
                    c.recipient_id == person
                    and "Ledelse i praksis" in _card_text(c)
                    and "Input.ChoiceSet" in _card_text(c)
                ),
                since=mark,
                timeout=30,
            )
        answers = {
            "Carl": ("0", "Carl siger noget privat om sin leder", "false"),
            "Dorthe": ("1", "", "false"),
            "Emil": ("1", "Jeg har vist holdet det nye skema", "true"),
        }
        for who, (choice, comment, share) in answers.items():
            card = cards_for[who].cards[0]
            value = dict(card["actions"][0]["data"])
            for block in card["body"]:
                if block.get("type") == "Input.ChoiceSet":
                    value[block["id"]] = choice
            value.update(comment=comment, share=share)
            thanks = await press(who, value)
            assert "Tak for dine svar" in (thanks.text or ""), thanks.text

    # The transfer report of the organisation (the mock tenant), from the command line.
    out = tmp_path / "report"
    env = dict(os.environ, DATABASE_URL=database_url)
    process = await asyncio.create_subprocess_exec(
        str(WORKSHOPBOT),
        "transfer",
        "report",
        "--org",
        pg.tenant["tenantId"],
        "--format",
        "md",
        "--out",
        str(out),
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    printed, _ = await process.communicate()
    assert process.returncode == 0, printed.decode()
    (report_file,) = out.glob("*.md")
    report = report_file.read_text(encoding="utf-8")
    section = report.split("### Ledelse i praksis (AMU Nord)", 1)[1].split("\n## ", 1)[0]
    assert "3 af 3 opfølgninger besvaret" in section
    # The distribution of the three: one "I meget høj grad" and two "I høj grad" per
    # question, never who said what.
    rows = [line for line in section.splitlines() if line.startswith("| ") and "| 3 |" in line]
    assert len(rows) == 3, section
    for row in rows:
        assert "| 1 (33 %) | 2 (67 %) | 0 (0 %)" in row.replace("\xa0", " "), row
    # Emil agreed to show his answers; Carl and Dorthe did not.
    assert "Emil" in report and "Jeg har vist holdet det nye skema" in report
    assert "Carl" not in report and "Carl siger noget privat" not in report
    assert "Dorthe" not in report

    from storage.db import Database
    from storage.knowledge import subscriptions, takeaways

    db = Database.from_url(database_url)
    try:
        (mine,) = await takeaways.takeaways_of(db, pg.user("Fie")["id"])
        assert mine.published and mine.points[0] == "Pivottabeller sparer mig en time om ugen"
        # The digest went out once: nothing waits for Bente any more.
        assert pg.user("Bente")["id"] not in await subscriptions.pending_digest_users(db)
    finally:
        await db.dispose()


async def test_a_proposal_becomes_a_follow_up_from_the_card_in_the_playground(
    served: tuple[str, str, int],
) -> None:
    """Fie runs a short workshop; Anders and Bente propose; from the "what now" card in her
    1:1 chat Fie makes the proposal Anders's follow-up; the group hears it; the clock moves
    to its date and Anders is asked in his 1:1 chat; he answers; the summary card in the
    workshop's chat quotes him."""
    endpoint, _database_url, map_id = served
    async with Playground(endpoint) as pg:
        group = pg.conversation_id("group")

        def in_group(call: BotCall) -> bool:
            return (call.conversation_id or "").startswith(group)

        await pg.send_message("Fie", "start")
        setup = await pg.wait_for_bot_activity(
            lambda c: in_group(c) and "Start workshoppen" in _card_text(c)
        )
        data = dict(setup.cards[0]["actions"][0]["data"])
        data.update(
            plan="default",
            series="new",
            series_name="HK opfølgning",
            map=str(map_id),
            org="HK",
            language="da",
            mode="pseudonymous",
        )
        mark = pg.mark()
        reply_to = str(setup.response.get("id")) if isinstance(setup.response, dict) else None
        await pg.submit_card("Fie", data, reply_to_id=reply_to or setup.message_id)
        await pg.wait_for_bot_activity(lambda c: "Velkommen" in _card_text(c), since=mark)
        mark = pg.mark()
        await pg.send_message("Fie", "næste")
        await pg.wait_for_bot_activity(
            lambda c: in_group(c) and "Spørgsmål 1 af" in _card_text(c), since=mark
        )
        mark = pg.mark()
        await pg.send_message(
            "Anders", "Vi skal dele viden fra kurserne på afdelingsmøderne", mention=False
        )
        await pg.send_message(
            "Bente", "Enig, vi skal dele viden fra kurserne på afdelingsmøderne", mention=False
        )
        await pg.wait_for_bot_activity(
            lambda c: c.is_update and "2 svar" in _card_text(c), since=mark, timeout=20
        )

        mark = pg.mark()
        await pg.send_message("Fie", "afslut")
        card_call = await pg.wait_for_bot_activity(
            lambda c: not in_group(c) and "Gør til opfølgning" in _card_text(c),
            since=mark,
            timeout=60,
        )
        forms = [
            action
            for block in card_call.cards[0]["body"]
            if block.get("type") == "Container"
            for item in block.get("items", [])
            if item.get("type") == "ActionSet"
            for action in item["actions"]
            if action["card"]["actions"]
            and action["card"]["actions"][0]["data"]["wb"] == "kb_summary_follow_up"
        ]
        assert forms, _card_text(card_call)
        form = forms[0]
        owners = next(b for b in form["card"]["body"] if b["type"] == "Input.ChoiceSet")
        anders = pg.user("Anders")["id"]
        assert anders in {c["value"] for c in owners["choices"]}
        value = dict(form["card"]["actions"][0]["data"])
        proposal = value["proposal"]
        value.update({f"owner_{proposal}": anders, f"due_{proposal}": "2027-01-11"})
        mark = pg.mark()
        await pg.submit_card("Fie", value, conversation="personal")
        announced = await pg.wait_for_bot_activity(
            lambda c: in_group(c) and "Opfølgning" in _card_text(c), since=mark
        )
        assert anders in _card_text(announced) and "<at>" in _card_text(announced)

        # Monday 11 January 2027, 10:00 in Copenhagen: Anders is asked in his 1:1 chat.
        mark = pg.mark()
        await _move_clock(endpoint, "2027-01-11T10:00:00+01:00")
        asked = await pg.wait_for_bot_activity(
            lambda c: "Hvad skete der" in (c.text or ""), since=mark, timeout=30
        )
        assert not in_group(asked)
        # He never wrote to the bot: his 1:1 chat was opened for him, and only him.
        opened = [c for c in pg.bot_activities(mark) if c.name == "createConversation"]
        assert opened and all(
            [m.get("id") for m in c.request.get("members", [])] == [anders] for c in opened
        ), [c.request for c in opened]
        mark = pg.mark()
        await pg.send_message(
            "Anders", "Vi har talt om det på to afdelingsmøder", conversation="personal"
        )
        await pg.wait_for_bot_activity(
            lambda c: "kommer med i seriens næste opsummering" in (c.text or ""), since=mark
        )

        mark = pg.mark()
        await pg.send_message("Fie", "opsummering")
        summary = await pg.wait_for_bot_activity(
            lambda c: in_group(c) and "Fra videnbanken" in _card_text(c), since=mark, timeout=60
        )
        assert "Vi har talt om det på to afdelingsmøder" in _card_text(summary)
        failed = [c for c in pg.calls if c.status is not None and c.status >= 500]
        assert failed == [], [(c.name, c.status) for c in failed]
