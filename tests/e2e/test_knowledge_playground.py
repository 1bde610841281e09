"""The knowledge bank end to end: `workshopbot serve --local` as a real process on a
temporary SQLite database, the Microsoft 365 Agents Playground in front of it, and several
mock users in their 1:1 chats.

Bente subscribes to a topic; Fie shares three key points from a course (the guided dialog,
the visibility card, the consent card); Anders finds them with "hvem ved" (snippet in bold)
and presses "Kontakt": he gets Fie as a mention, and Fie gets him. Then the stored rows are
checked: the takeaway, and Bente's digest waiting for the next sweep."""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_workshop_playground import _card_text, served  # noqa: F401 - fixture
from tests.support.playground import BotCall, Playground, requires_playground

pytestmark = [pytest.mark.e2e, requires_playground]


async def test_share_find_and_contact_in_the_playground(served: tuple[str, str, int]) -> None:  # noqa: F811
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

    from storage.db import Database
    from storage.knowledge import subscriptions, takeaways

    db = Database.from_url(database_url)
    try:
        (mine,) = await takeaways.takeaways_of(db, pg.user("Fie")["id"])
        assert mine.published and mine.points[0] == "Pivottabeller sparer mig en time om ugen"
        assert pg.user("Bente")["id"] in await subscriptions.pending_digest_users(db)
    finally:
        await db.dispose()
