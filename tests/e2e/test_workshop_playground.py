"""A whole workshop, end to end: `workshopbot serve --local` as a real process on a temporary
SQLite database, the Microsoft 365 Agents Playground in front of it, and four mock users
(Fie facilitates; Anders, Bente and Carl take part) speaking through the playground's API.

Launch, welcome, the map, answers by chat (no @mention), by card and privately in the 1:1
chat, facilitator controls, a refusal for a participant, the end with the facilitator's
private summary, and the `summary` command; then the stored answers and their timestamps
are checked in the database."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.cli.serve import stop_process
from tests.support import free_port
from tests.support.playground import BotCall, Playground, requires_playground

WORKSHOPBOT = Path(sys.executable).parent / "workshopbot"

pytestmark = [pytest.mark.e2e, requires_playground]


def _png() -> bytes:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(2, 2), dpi=50)
    axes = figure.add_subplot()
    axes.plot([0, 1, 2], [0, 1, 0])
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


async def _prepare_database(url: str) -> int:
    """Migrate the schema and store one network map; returns the map's id."""
    from storage.db import Database
    from storage.maps import save_map
    from storage.migrate import upgrade_async

    db = Database.from_url(url)
    try:
        await upgrade_async(db)
        stored = await save_map(
            db,
            name="HK opgaver",
            png=_png(),
            data={"clusters": [{"id": 0, "name": "Læring", "labels": ["viden", "transfer"]}]},
        )
    finally:
        await db.dispose()
    return stored.id


@pytest.fixture
async def served(tmp_path: Path) -> AsyncIterator[tuple[str, str, int]]:
    """`workshopbot serve --local` on a fresh SQLite file: (endpoint, database URL, map id)."""
    async with serving(tmp_path) as started:
        yield started


@contextlib.asynccontextmanager
async def serving(tmp_path: Path, **extra_env: str) -> AsyncIterator[tuple[str, str, int]]:
    """Run `workshopbot serve --local` (with ``extra_env`` added to its environment) on a
    fresh SQLite file; yields (endpoint, database URL, map id)."""
    url = f"sqlite:///{tmp_path / 'e2e.sqlite3'}"
    map_id = await _prepare_database(url)
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, WORKSHOPBOT_LANGUAGE="da", PYTHONUNBUFFERED="1")
    for name in ("MICROSOFT_APP_ID", "MicrosoftAppId", "MICROSOFT_APP_PASSWORD"):
        env.pop(name, None)
    env.update(extra_env)
    log_path = tmp_path / "serve.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            str(WORKSHOPBOT),
            "serve",
            "--local",
            "--port",
            str(port),
            env=env,
            cwd=tmp_path,
            stdout=log,
            stderr=asyncio.subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        async with aiohttp.ClientSession() as http:
            for _ in range(300):
                if process.returncode is not None:
                    raise AssertionError(f"serve exited: {log_path.read_text()}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with http.get(f"http://127.0.0.1:{port}/healthz") as response:
                        if response.status == 200:
                            break
                await asyncio.sleep(0.1)
            else:
                raise AssertionError(f"serve did not answer /healthz: {log_path.read_text()}")
        yield f"http://127.0.0.1:{port}/api/messages", url, map_id
    finally:
        await stop_process(process, grace=15)
    log_text = log_path.read_text(errors="replace")
    assert "Traceback" not in log_text, log_text[-4000:]


def _card_text(call: BotCall) -> str:
    return json.dumps(call.cards, ensure_ascii=False)


def _new_id(call: BotCall) -> str:
    if isinstance(call.response, dict) and call.response.get("id"):
        return str(call.response["id"])
    return str(call.message_id)


async def test_a_whole_workshop_in_the_playground(served: tuple[str, str, int]) -> None:
    endpoint, database_url, map_id = served
    async with Playground(endpoint) as pg:
        group = pg.conversation_id("group")

        def in_group(call: BotCall) -> bool:
            return (call.conversation_id or "").startswith(group)

        # 1. Launch: the setup card, submitted by the facilitator.
        await pg.send_message("Fie", "start")
        setup = await pg.wait_for_bot_activity(
            lambda c: in_group(c) and "Start workshoppen" in _card_text(c)
        )
        data = dict(setup.cards[0]["actions"][0]["data"])
        data.update(
            plan="default",
            series="new",
            series_name="HK efterår",
            map=str(map_id),
            org="HK",
            language="da",
            mode="pseudonymous",
        )
        mark = pg.mark()
        await pg.submit_card("Fie", data, reply_to_id=_new_id(setup))

        # 2./3. Welcome and consent, the map with its clusters, then "data is parked".
        await pg.wait_for_bot_activity(lambda c: "Velkommen" in _card_text(c), since=mark)
        map_card = await pg.wait_for_bot_activity(
            lambda c: "Netværkskortet" in _card_text(c), since=mark
        )
        assert "Læring" in _card_text(map_card) and "/media/" in _card_text(map_card)
        assert not map_card.text, "text and card are never in one activity"
        await pg.wait_for_bot_activity(lambda c: "parkerer kortet" in (c.text or ""), since=mark)

        # 4. The first question.
        mark = pg.mark()
        await pg.send_message("Fie", "næste")
        question = await pg.wait_for_bot_activity(
            lambda c: in_group(c) and "Spørgsmål 1 af" in _card_text(c), since=mark
        )
        card_id = _new_id(question)
        answer_data = question.cards[0]["actions"][0]["data"]

        # Anders writes in the chat without @mention; Bente uses the card; Carl answers
        # privately (button, then his 1:1 chat).
        mark = pg.mark()
        await pg.send_message("Anders", "Vi skal dele viden fra opgaverne", mention=False)
        await pg.submit_card(
            "Bente", {**answer_data, "answer": "Ledelsen skal følge op"}, reply_to_id=card_id
        )
        await pg.submit_card(
            "Carl",
            {"wb": "private", "workshop": answer_data["workshop"], "run": answer_data["run"]},
            reply_to_id=card_id,
        )
        await pg.wait_for_bot_activity(
            lambda c: not in_group(c) and "Dit svar her er privat" in _card_text(c), since=mark
        )
        await pg.send_message("Carl", "Jeg tør ikke sige det højt", conversation="personal")
        await pg.wait_for_bot_activity(
            lambda c: "private svar er gemt" in (c.text or ""), since=mark
        )
        # The counter is updated in place, never posted as new messages.
        await pg.wait_for_bot_activity(
            lambda c: c.is_update and c.message_id == card_id and "3 svar" in _card_text(c),
            since=mark,
            timeout=20,
        )
        group_posts = [c for c in pg.bot_activities(mark) if in_group(c) and not c.is_update]
        assert group_posts == [], [c.text for c in group_posts]

        # 5. A participant may not steer: a polite private refusal.
        mark = pg.mark()
        await pg.send_message("Anders", "næste")
        refusal = await pg.wait_for_bot_activity(
            lambda c: "kun facilitatoren" in (c.text or "").lower(), since=mark
        )
        assert not in_group(refusal)

        # Facilitator controls: park (the next question opens), add, next, status, return.
        mark = pg.mark()
        await pg.send_message("Fie", "parkér")
        await pg.wait_for_bot_activity(lambda c: "Spørgsmål 2 af" in _card_text(c), since=mark)
        await pg.send_message("Fie", "tilføj Hvad mangler vi for at lykkes?")
        await pg.wait_for_bot_activity(
            lambda c: "kommer som det næste" in (c.text or ""), since=mark
        )
        await pg.send_message("Fie", "næste")
        added = await pg.wait_for_bot_activity(
            lambda c: "Hvad mangler vi for at lykkes?" in _card_text(c), since=mark
        )
        await pg.send_message("Anders", "Tid og en plan", mention=False)
        await pg.wait_for_bot_activity(
            lambda c: c.is_update and c.message_id == _new_id(added) and "1 svar" in _card_text(c),
            since=mark,
            timeout=20,
        )
        await pg.send_message("Fie", "status")
        await pg.wait_for_bot_activity(lambda c: "Tid siden start" in _card_text(c), since=mark)
        await pg.send_message("Fie", "vend tilbage")
        await pg.wait_for_bot_activity(
            lambda c: (
                not c.is_update
                and "Har HK et særligt ansvar" in _card_text(c)
                and in_group(c)
                and c is not question
            ),
            since=mark,
        )

        # 6. End: the group hears it, the facilitator gets the summary privately.
        mark = pg.mark()
        await pg.send_message("Fie", "afslut")
        await pg.wait_for_bot_activity(
            lambda c: "Workshoppen er slut" in (c.text or ""), since=mark
        )
        private_summary = await pg.wait_for_bot_activity(
            lambda c: not in_group(c) and "Opsummering" in _card_text(c), since=mark, timeout=20
        )
        assert private_summary.cards

        # 7. `summary` in the group: private answers and names hidden.
        mark = pg.mark()
        await pg.send_message("Fie", "opsummering")
        summary = await pg.wait_for_bot_activity(
            lambda c: in_group(c) and "Opsummering" in _card_text(c), since=mark, timeout=20
        )
        # Whichever summary card the app installs (the basic one of this conversation or the
        # "what now" card), the group's copy never shows a private answer or a name.
        shown = _card_text(summary)
        assert "Jeg tør ikke sige det højt" not in shown
        assert "Anders Andersen" not in shown and "Bente Berg" not in shown
        failed = [c for c in pg.calls if c.status is not None and c.status >= 500]
        assert failed == [], [(c.name, c.status) for c in failed]

    await _check_storage(database_url)


async def _check_storage(url: str) -> None:
    from storage.answers import answers_for_workshop
    from storage.db import Database
    from storage.workshops import list_workshops

    db = Database.from_url(url)
    try:
        listing = await list_workshops(db)
        assert len(listing) == 1
        workshop = listing[0].workshop
        assert workshop.status == "ended" and workshop.started_at is not None
        answers = await answers_for_workshop(db, workshop.id)
    finally:
        await db.dispose()
    by_text: dict[str, Any] = {a.text: a for a in answers}
    assert set(by_text) == {
        "Vi skal dele viden fra opgaverne",
        "Ledelsen skal følge op",
        "Jeg tør ikke sige det højt",
        "Tid og en plan",
    }
    assert by_text["Vi skal dele viden fra opgaverne"].source == "chat"
    assert by_text["Ledelsen skal følge op"].source == "card"
    private = by_text["Jeg tør ikke sige det højt"]
    assert private.private and private.source == "private"
    for answer in answers:
        assert answer.created_at.tzinfo is not None
        expected = int((answer.created_at - workshop.started_at).total_seconds())
        assert abs(answer.offset_seconds - expected) <= 1
        assert len(answer.offset) == 8 and answer.offset.count(":") == 2
    assert [a.created_at for a in answers] == sorted(a.created_at for a in answers)
    assert len({a.participant_id for a in answers}) == 3
