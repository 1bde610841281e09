"""The Agents Playground against a tiny test bot on loopback, driven through its HTTP and
WebSocket API (tests/support/playground.py): messages as different mock users, a card
submit, a card update and a private 1:1 message, all seen in the playground's log stream."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.schema import Attachment

from bot.app import create_app
from bot.services import BotServices
from bot.settings import Settings
from tests.support import free_port
from tests.support.playground import Playground, requires_playground

pytestmark = [pytest.mark.e2e, requires_playground]


def card(text: str) -> Attachment:
    return Attachment(
        content_type="application/vnd.microsoft.card.adaptive",
        content={
            "type": "AdaptiveCard",
            "version": "1.5",
            "body": [
                {"type": "TextBlock", "text": text},
                {"type": "Input.Text", "id": "answer"},
            ],
            "actions": [{"type": "Action.Submit", "title": "Send", "data": {"kind": "answer"}}],
        },
    )


class PlaygroundTestBot(ActivityHandler):
    """Says who wrote; 'kort' posts a card through the outbox; a submit updates the card
    with the submitter's name; 'privat' answers in the user's 1:1 chat."""

    def __init__(self, services: BotServices) -> None:
        self.services = services
        self.card_ids: dict[str, str] = {}

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        activity = turn_context.activity
        reference = TurnContext.get_conversation_reference(activity)
        who = activity.from_property.name
        if activity.value:
            card_id = self.card_ids.get(activity.conversation.id)
            answer = activity.value.get("answer", "")
            if card_id:
                self.services.outbox.update_card(
                    reference, card_id, lambda: card(f"{who} svarede {answer}")
                )
            return
        text = (TurnContext.remove_recipient_mention(activity) or "").strip()
        if text == "kort":
            card_id = await self.services.outbox.send(
                reference, MessageFactory.attachment(card("Spørgsmål 1"))
            )
            if card_id:
                self.card_ids[activity.conversation.id] = card_id
            return
        if text == "privat":
            self.services.outbox.send_private(reference, activity.from_property, f"kun til {who}")
            return
        await turn_context.send_activity(f"{who} skrev: {text}")


@pytest.fixture
async def bot_url(tmp_path: Path) -> AsyncIterator[str]:
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'pg.sqlite3'}"
    upgrade(url)
    settings = Settings(local=True, port=free_port(), database_url=url)

    async def state_storage(db: Any) -> Any:
        try:
            from bot.state_storage import SqlStorage
        except ImportError:  # pragma: no cover - while bot/state_storage.py is being built
            from botbuilder.core import MemoryStorage

            return MemoryStorage()
        return SqlStorage(db)

    app = create_app(settings, bot_factory=PlaygroundTestBot, state_storage=state_storage)
    runner = web.AppRunner(app)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", settings.port).start()
    yield f"http://127.0.0.1:{settings.port}/api/messages"
    await runner.cleanup()


@pytest.fixture
async def playground(bot_url: str) -> AsyncIterator[Playground]:
    async with Playground(bot_url) as pg:
        yield pg


async def test_the_project_config_is_loaded(playground: Playground) -> None:
    """The playground validates .m365agentsplayground.yml against its schema on start."""
    assert playground.tenant["currentUser"]["name"] == "Fie Facilitator"
    assert playground.tenant["groupChats"][0]["name"] == "Workshop-gruppen"
    channels = [c["name"] for c in playground.tenant["teams"][0]["channels"]]
    assert channels == ["General", "Workshops"]
    note = await playground.wait_for_note("Configuration file is loaded from")
    assert str(note["displayText"]).endswith(".m365agentsplayground.yml.")


async def test_mock_users_speak_and_the_bot_answers_each(playground: Playground) -> None:
    assert {playground.user(n)["name"] for n in ("Fie", "Anders", "Bente", "Carl")} == {
        "Fie Facilitator",
        "Anders Andersen",
        "Bente Berg",
        "Carl Christensen",
    }
    for user in ("Anders", "Bente"):
        sent = await playground.send_message(user, "hej", conversation="group")
        turn = await playground.wait_for_turn(sent)
        assert turn.status == 200
        assert turn.request["from"]["id"] == playground.user(user)["id"]
        name = playground.user(user)["name"]
        answer = await playground.wait_for_bot_activity(
            lambda c, n=name: c.text == f"{n} skrev: hej"
        )
        assert answer.conversation_id == playground.conversation_id("group")
        assert answer.status is not None and answer.status < 300


async def test_a_message_without_mention_reaches_the_bot(playground: Playground) -> None:
    """As in Teams with resource-specific consent: the custom-activity route delivers a group
    message that does not @mention the bot (the playground's own chat box would not)."""
    sent = await playground.send_message("Dorthe", "bare skrevet", mention=False)
    turn = await playground.wait_for_turn(sent)
    assert turn.request["text"] == "bare skrevet"
    assert not [e for e in turn.request.get("entities", []) if e.get("type") == "mention"]
    await playground.wait_for_bot_activity(lambda c: c.text == "Dorthe Dam skrev: bare skrevet")


async def test_channel_and_personal_chat_are_reachable(playground: Playground) -> None:
    sent = await playground.send_message("Carl", "i kanalen", conversation="Workshops")
    await playground.wait_for_turn(sent)
    answer = await playground.wait_for_bot_activity(
        lambda c: c.text == "Carl Christensen skrev: i kanalen"
    )
    assert answer.conversation_id is not None
    assert answer.conversation_id.startswith(playground.conversation_id("Workshops"))
    sent = await playground.send_message("Fie", "alene", conversation="personal")
    await playground.wait_for_turn(sent)
    await playground.wait_for_bot_activity(lambda c: c.text == "Fie Facilitator skrev: alene")


async def test_card_submit_updates_the_card_and_private_message_arrives(
    playground: Playground,
) -> None:
    await playground.send_message("Fie", "kort")
    posted = await playground.wait_for_bot_activity(
        lambda c: bool(c.cards) and c.cards[0]["body"][0]["text"] == "Spørgsmål 1"
    )
    card_id = posted.response["id"] if isinstance(posted.response, dict) else posted.message_id
    assert card_id
    mark = playground.mark()
    await playground.submit_card("Bente", {"kind": "answer", "answer": "7"}, reply_to_id=card_id)
    updated = await playground.wait_for_bot_activity(
        lambda c: bool(c.cards) and c.cards[0]["body"][0]["text"] == "Bente Berg svarede 7",
        since=mark,
    )
    assert updated.status is not None and updated.status < 300
    assert updated.is_update and updated.message_id == card_id
    assert not posted.is_update

    await playground.send_message("Anders", "privat")
    private = await playground.wait_for_bot_activity(lambda c: c.text == "kun til Anders Andersen")
    assert private.conversation_id != playground.conversation_id("group")


async def test_workshopbot_playground_runs_both_and_stops_both(tmp_path: Path) -> None:
    """What `make run` does: schema, bot and playground up, the address printed, and
    Ctrl-C (SIGINT) stops both."""
    import asyncio
    import os
    import re
    import signal
    import sys

    import aiohttp

    bot_port, page_port = free_port(), free_port()
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "playground",
        "--port",
        str(bot_port),
        "--playground-port",
        str(page_port),
        cwd=tmp_path,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'run.sqlite3'}"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    seen: list[str] = []
    try:
        url = None
        async with asyncio.timeout(90):
            async for raw in process.stdout:
                seen.append(raw.decode())
                match = re.search(r"Open (http://localhost:\d+) in a browser", seen[-1])
                if match:
                    url = match.group(1)
                    break
        assert url == f"http://localhost:{page_port}"
        async with aiohttp.ClientSession() as http:
            async with http.get(f"http://127.0.0.1:{page_port}/") as response:
                assert response.status == 200
            async with http.get(f"http://127.0.0.1:{bot_port}/healthz") as response:
                assert (await response.json())["status"] == "ok"
    finally:
        process.send_signal(signal.SIGINT)
        rest, _ = await asyncio.wait_for(process.communicate(), 30)
    assert process.returncode == 0, "".join(seen) + rest.decode()
    assert "stopped" in rest.decode()
    async with aiohttp.ClientSession() as http:
        for port in (bot_port, page_port):
            with pytest.raises(aiohttp.ClientConnectionError):
                async with http.get(f"http://127.0.0.1:{port}/"):
                    pass
