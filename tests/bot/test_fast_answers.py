"""The answer fast path (``WorkshopBot.answer_fast``): a plain group answer from someone the
process knows is stored without the SDK's turn; everything else still takes the turn, and
the stored result is the same either way.

A subclass of the real bot counts the turns the adapter runs, so each test can see which
path an activity took. Everything else is real: the app on loopback, SQLite, the Bot
Connector stand-in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from botbuilder.core import TurnContext

from bot.app import BOT_KEY
from bot.handler import WorkshopBot
from bot.services import BotServices
from dialogs.workshop import WorkshopStateError
from storage import answers as answers_repo
from storage import questions as questions_repo
from storage import workshops as workshops_repo
from storage.botstate import read_state
from tests.support import teams_activity, teams_message
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


class CountingBot(WorkshopBot):
    """The workshop bot, counting the SDK turns it runs (by activity id)."""

    def __init__(self, services: BotServices) -> None:
        super().__init__(services)
        self.turns: list[str] = []

    async def on_turn(self, turn_context: TurnContext) -> None:
        self.turns.append(str(turn_context.activity.id))
        await super().on_turn(turn_context)


def _turns(bot: Bot) -> list[str]:
    counting: CountingBot = bot.app[BOT_KEY]  # type: ignore[assignment]
    return counting.turns


async def _open_question(bot: Bot) -> dict[str, Any]:
    """Anna moves to the first question; the card's answer data."""
    await bot.post(mention_message(bot.connector.url, "næste", who=ANNA))
    await bot.settle()
    card = card_of(bot.group()[-1])
    assert card is not None
    data: dict[str, Any] = dict(card["actions"][0]["data"])
    assert data["wb"] == "answer"
    return data


async def _post(bot: Bot, activity: dict[str, Any]) -> bool:
    """Post; True when the activity took an SDK turn."""
    before = len(_turns(bot))
    status, _ = await bot.post(activity)
    assert status == 200
    return len(_turns(bot)) > before


async def _progress_of(bot: Bot, user: dict[str, str]) -> str | None:
    """The stored per-user state (JSON text) of a user, or None."""
    key = f"msteams/users/{user['user_id']}"
    found = await read_state(bot.db, [key])
    return found[key][0] if key in found else None


async def test_plain_answers_skip_the_turn(tmp_path: Path) -> None:
    async with running_bot(tmp_path, bot_factory=CountingBot) as bot:
        url = bot.connector.url
        wid = await launch(bot)
        data = await _open_question(bot)
        assert await _progress_of(bot, BO) is None
        assert not await _post(bot, teams_message(url, "Bo første", conversation_id=GROUP, **BO))
        card = {**data, "answer": "Carl første"}
        assert not await _post(bot, teams_activity(url, conversation_id=GROUP, value=card, **CARL))
        assert not await _post(bot, teams_message(url, "Bo anden", conversation_id=GROUP, **BO))
        card = {**data, "answer": "Carl anden"}
        assert not await _post(bot, teams_activity(url, conversation_id=GROUP, value=card, **CARL))
        await bot.settle()
        stored = await answers_repo.answers_for_workshop(bot.db, wid)
        assert [(a.text, a.source, a.question_run_id) for a in stored] == [
            ("Bo første", "chat", data["run"]),
            ("Carl første", "card", data["run"]),
            ("Bo anden", "chat", data["run"]),
            ("Carl anden", "card", data["run"]),
        ]
        assert stored[0].participant_id == stored[2].participant_id
        assert stored[1].participant_id == stored[3].participant_id
        # No per-user state for group answers (the participants table says where they take
        # part), and a 1:1 message afterwards still goes to this workshop's open question.
        assert await _progress_of(bot, BO) is None
        private = teams_message(
            url, "Bo privat", conversation_id="a:1on1-29:bo", conversation_type="personal", **BO
        )
        assert await _post(bot, private)
        await bot.settle()
        latest = (await answers_repo.answers_for_workshop(bot.db, wid))[-1]
        assert (latest.text, latest.private, latest.question_run_id) == (
            "Bo privat",
            True,
            data["run"],
        )
        # The question card's counter reached 4 (updated in place, coalesced).
        updates = [c for c in bot.connector.calls_of("update", GROUP) if "4" in str(c.body)]
        assert updates, "the card counter shows the fast path's answers"


async def _script(tmp_path: Path, *, fast: bool) -> list[tuple[Any, ...]]:
    async with running_bot(tmp_path, bot_factory=CountingBot, fast_answers=fast) as bot:
        url = bot.connector.url
        wid = await launch(bot)
        data = await _open_question(bot)
        for round_ in range(3):
            for who in (BO, CARL):
                name = who["user_name"].split()[0]
                await bot.post(teams_message(url, f"{name} {round_}", conversation_id=GROUP, **who))
                card = {**data, "answer": f"{name} kort {round_}", "choice": ""}
                await bot.post(teams_activity(url, conversation_id=GROUP, value=card, **who))
        await bot.post(teams_message(url, "   ", conversation_id=GROUP, **BO))
        too_long = "x" * 4001
        await bot.post(teams_message(url, too_long, conversation_id=GROUP, **CARL))
        await bot.settle()
        stored = await answers_repo.answers_for_workshop(bot.db, wid)
        people = {p.id: p.pseudonym for p in await _participants(bot, wid)}
        told = sorted(str(a.get("text")) for a in bot.group() if a.get("text"))
        return [
            *[
                (a.text, a.source, a.question_run_id, a.value, a.private, people[a.participant_id])
                for a in stored
            ],
            ("told", tuple(told)),
            ("turns", len(_turns(bot))),
        ]


async def _participants(bot: Bot, workshop_id: int) -> list[Any]:
    from storage import participants as participants_repo

    return list(await participants_repo.list_participants(bot.db, workshop_id))


async def test_the_fast_path_stores_what_the_full_turn_stores(tmp_path: Path) -> None:
    slow = await _script(tmp_path / "slow", fast=False)
    fast = await _script(tmp_path / "fast", fast=True)
    assert slow[:-1] == fast[:-1]
    assert len(slow) > 12
    # Without the fast path every activity took a turn: start, setup, next and 14 answers.
    assert slow[-1] == ("turns", 17)
    # With it, only the blank message did (the turn refuses it; the over-long one is
    # refused on the fast path).
    assert fast[-1] == ("turns", 3 + 1)


async def test_what_is_not_a_plain_answer_takes_the_turn(tmp_path: Path) -> None:
    async with running_bot(tmp_path, bot_factory=CountingBot) as bot:
        url = bot.connector.url
        wid = await launch(bot)
        data = await _open_question(bot)
        assert not await _post(bot, teams_message(url, "Bo første", conversation_id=GROUP, **BO))
        # Each of these still needs the turn.
        html = teams_message(url, "<p>Med <b>fed</b></p>", conversation_id=GROUP, **BO)
        assert await _post(bot, html)
        assert await _post(bot, mention_message(url, "hjælp", who=BO))
        assert await _post(bot, teams_message(url, "næste", conversation_id=GROUP, **BO))
        personal = teams_message(
            url, "privat svar", conversation_id="a:1on1-29:bo", conversation_type="personal", **BO
        )
        assert await _post(bot, personal)
        other = {**data, "workshop": wid + 1000, "answer": "Forkert workshop"}
        assert await _post(bot, teams_activity(url, conversation_id=GROUP, value=other, **BO))
        setup_like = {"wb": "private", "workshop": wid, "run": data["run"]}
        assert await _post(bot, teams_activity(url, conversation_id=GROUP, value=setup_like, **BO))
        listed = {**data, "answer": ["ikke", "tekst"]}
        assert await _post(bot, teams_activity(url, conversation_id=GROUP, value=listed, **BO))
        await bot.settle()
        stored = [a.text for a in await answers_repo.answers_for_workshop(bot.db, wid)]
        # The HTML message is cleaned and stored; Bo's bare "næste" is a command (refused: he
        # is no facilitator), never an answer; the mention, the foreign card and the list are
        # not stored.
        assert any(t.split() == ["Med", "fed"] for t in stored) and "næste" not in stored
        assert "Forkert workshop" not in stored
        assert not any("ikke" in t for t in stored)


async def test_a_closed_question_is_refused_on_the_fast_path(tmp_path: Path) -> None:
    async with running_bot(tmp_path, bot_factory=CountingBot) as bot:
        url = bot.connector.url
        wid = await launch(bot)
        data = await _open_question(bot)
        assert not await _post(bot, teams_message(url, "Første", conversation_id=GROUP, **BO))
        await questions_repo.close_question(bot.db, int(data["run"]))
        late = {**data, "answer": "For sent"}
        assert not await _post(bot, teams_activity(url, conversation_id=GROUP, value=late, **BO))
        await bot.settle()
        assert [a.text for a in await answers_repo.answers_for_workshop(bot.db, wid)] == ["Første"]
        # Told to Bo alone, in his 1:1 chat, not to the whole group.
        told = [a.get("text") for a in bot.private("29:bo")]
        assert WorkshopStateError("stale_question").message("da") in told
        assert WorkshopStateError("stale_question").message("da") not in [
            a.get("text") for a in bot.group()
        ]


async def test_a_redelivered_answer_is_stored_once_on_the_fast_path(tmp_path: Path) -> None:
    async with running_bot(tmp_path, bot_factory=CountingBot) as bot:
        url = bot.connector.url
        wid = await launch(bot)
        await _open_question(bot)
        assert not await _post(bot, teams_message(url, "Første", conversation_id=GROUP, **BO))
        again = teams_message(url, "Igen", conversation_id=GROUP, **BO)
        assert not await _post(bot, again)
        assert not await _post(bot, again)
        stored = [a.text for a in await answers_repo.answers_for_workshop(bot.db, wid)]
        assert stored == ["Første", "Igen"]


async def test_a_private_message_goes_to_the_workshop_the_person_answers_in(
    tmp_path: Path,
) -> None:
    """Two workshops run in two chats; Carl takes part in the second only. His 1:1 message
    belongs to the second, found through the participants table, not per-user state."""
    async with running_bot(tmp_path, bot_factory=CountingBot) as bot:
        url = bot.connector.url
        first = await launch(bot)
        await _open_question(bot)
        assert not await _post(bot, teams_message(url, "Bo i første", conversation_id=GROUP, **BO))
        other = "19:second-group@thread.v2"
        await bot.post(mention_message(url, "start", who=ANNA, conversation_id=other))
        await bot.settle()
        setup = card_of(bot.connector.sent_activities(other)[-1])
        assert setup is not None
        data = {**setup["actions"][0]["data"], "plan": "default", "series": "new"}
        data.update(series_name="Anden", map="", org="HK", language="da", mode="pseudonymous")
        await bot.post(teams_activity(url, conversation_id=other, value=data, **ANNA))
        await bot.settle()
        second = await workshops_repo.find_active_workshop(bot.db, other)
        assert second is not None and second.id != first
        await bot.post(mention_message(url, "næste", who=ANNA, conversation_id=other))
        await bot.settle()
        assert not await _post(
            bot, teams_message(url, "Carl i anden", conversation_id=other, **CARL)
        )
        assert await _progress_of(bot, CARL) is None
        private = teams_message(
            url,
            "Carl privat",
            conversation_id="a:1on1-29:carl",
            conversation_type="personal",
            **CARL,
        )
        assert await _post(bot, private)
        await bot.settle()
        in_second = [a.text for a in await answers_repo.answers_for_workshop(bot.db, second.id)]
        in_first = [a.text for a in await answers_repo.answers_for_workshop(bot.db, first)]
        assert in_second == ["Carl i anden", "Carl privat"]
        assert "Carl privat" not in in_first


async def test_anonymous_answers_take_the_fast_path_and_leave_no_user_state(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, bot_factory=CountingBot) as bot:
        url = bot.connector.url
        wid = await launch(bot, mode="anonymous")
        await _open_question(bot)
        assert not await _post(bot, teams_message(url, "Anonymt", conversation_id=GROUP, **BO))
        await bot.settle()
        stored = await answers_repo.answers_for_workshop(bot.db, wid)
        assert [a.text for a in stored] == ["Anonymt"]
        keys = [f"msteams/users/{BO['user_id']}", f"msteams/users/{BO['user_id']}/"]
        assert await read_state(bot.db, keys) == {}


async def test_the_fast_path_can_be_switched_off(tmp_path: Path) -> None:
    async with running_bot(tmp_path, bot_factory=CountingBot, fast_answers=False) as bot:
        url = bot.connector.url
        wid = await launch(bot)
        await _open_question(bot)
        for text in ("En", "To", "Tre"):
            assert await _post(bot, teams_message(url, text, conversation_id=GROUP, **BO))
        workshop = await workshops_repo.get_workshop(bot.db, wid)
        assert workshop.status == "running"
        stored = [a.text for a in await answers_repo.answers_for_workshop(bot.db, wid)]
        assert stored == ["En", "To", "Tre"]
