"""Hostile content inside well-formed activities: Unicode edge cases, answers over the
limit, cards that name another workshop or question, participants sending facilitator
commands, senders without an id. Each gets a polite refusal or is stored whole; the
workshop's state never changes by someone who may not change it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dialogs.texts import text
from tests.hostile.conftest import BackgroundBot

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

EDGE_CASES = {
    "nul": "før\x00efter",
    "rtl-marks": "\u200fשלום\u200e og dansk",
    "four-byte-emoji": "Vi deler viden 👩🏽‍🏫🧑‍🤝‍🧑🏳️‍🌈",
    "combining": "e\u0301\u0302\u0303 a\u030a",
    "zero-width": "\u200b\u200c\u200d\ufeff svar",
    "bidi-override": "\u202eabc\u202c",
    "private-use": "\ue000\U000f0000",
    "exactly-4000": "æ" * 4000,
}


def _new(bot: BackgroundBot, before: set[int]) -> list[Any]:
    return [a for a in bot.all_answers() if a.id not in before]


def _ids(bot: BackgroundBot) -> set[int]:
    return {a.id for a in bot.all_answers()}


@pytest.mark.parametrize("via", ["card", "chat"])
@pytest.mark.parametrize("answer", list(EDGE_CASES.values()), ids=list(EDGE_CASES))
def test_unicode_edge_cases_are_stored_whole(
    hostile_bot: BackgroundBot, answer: str, via: str
) -> None:
    assert hostile_bot.card is not None
    activity = hostile_bot.driver.answer_activity(hostile_bot.card, 11, via=via, text=answer)  # type: ignore[arg-type]
    before = _ids(hostile_bot)
    assert hostile_bot.post(activity)[0] == 200
    new = _new(hostile_bot, before)
    # NUL is the one character storage drops (PostgreSQL cannot hold it); all else is kept.
    assert [a.text for a in new] == [answer.replace("\x00", "").strip()]


@pytest.mark.parametrize("via", ["card", "chat"])
def test_lone_surrogates_escaped_in_json_are_refused_politely(
    hostile_bot: BackgroundBot, via: str
) -> None:
    assert hostile_bot.card is not None
    activity = hostile_bot.driver.answer_activity(
        hostile_bot.card, 12, via=via, text="a\ud800b\udfffc"
    )  # type: ignore[arg-type]
    body = json.dumps(activity, ensure_ascii=True).encode()  # "\ud800" escapes, valid JSON
    before = _ids(hostile_bot)
    status, _ = hostile_bot.post(body)
    assert status < 500
    new = _new(hostile_bot, before)
    # Either refused, or stored exactly as sent; never a mangled half.
    assert new == [] or [a.text for a in new] == ["a\ud800b\udfffc"]


@SETTINGS
@given(answer=st.text(alphabet=st.characters(blacklist_characters="<>&"), min_size=1, max_size=300))
@example(answer="0 \x00")  # NUL after a space: stored as "0", not "0 "
def test_any_unicode_answer_is_stored_exactly_or_refused(
    hostile_bot: BackgroundBot, answer: str
) -> None:
    assert hostile_bot.card is not None
    activity = hostile_bot.driver.answer_activity(hostile_bot.card, 13, via="card", text=answer)
    activity["value"]["answer"] = answer  # also whitespace-only and surrogate-free control chars
    before = _ids(hostile_bot)
    status, body = hostile_bot.post(json.dumps(activity, ensure_ascii=True).encode())
    assert status < 500, body
    new = _new(hostile_bot, before)
    if not answer.strip():
        assert new == []
    else:
        assert [a.text for a in new] in ([], [answer.replace("\x00", "").strip()])
        if answer.replace("\x00", "").strip() and not any(
            0xD800 <= ord(c) <= 0xDFFF for c in answer
        ):
            assert len(new) == 1, "a plain answer was not stored"


@pytest.mark.parametrize("via", ["card", "chat"])
@pytest.mark.parametrize("length", [4001, 12_000, 100_000])
def test_answers_over_the_limit_are_refused_politely_and_not_stored(
    hostile_bot: BackgroundBot, via: str, length: int
) -> None:
    assert hostile_bot.card is not None
    activity = hostile_bot.driver.answer_activity(hostile_bot.card, 14, via=via, text="ø" * length)  # type: ignore[arg-type]
    before = _ids(hostile_bot)
    assert hostile_bot.post(activity)[0] == 200
    assert _new(hostile_bot, before) == []
    hostile_bot.drain()
    refusal = text("too_long", "da", length=length, limit=4000)
    # Told to the sender alone, in the 1:1 chat, not to the whole group.
    assert refusal in hostile_bot.sent_texts(f"a:1on1-{activity['from']['id']}")
    assert refusal not in hostile_bot.sent_texts(hostile_bot.driver.conversation_id)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"workshop": "other"}, id="another-workshop"),
        pytest.param({"run": "other"}, id="another-workshops-question"),
        pytest.param({"workshop": "other", "run": "other"}, id="another-workshop-and-question"),
        pytest.param({"workshop": 999_999}, id="unknown-workshop"),
        pytest.param({"run": 999_999}, id="unknown-question"),
        pytest.param({"run": 2**70}, id="huge-run-id"),
        pytest.param({"workshop": -1}, id="negative-workshop"),
    ],
)
def test_card_payloads_naming_another_workshop_or_question_store_nothing(
    hostile_bot: BackgroundBot, change: dict[str, Any]
) -> None:
    assert hostile_bot.card is not None and hostile_bot.other_card is not None
    activity = hostile_bot.driver.answer_activity(
        hostile_bot.card, 15, via="card", text="Forkert kort"
    )
    for key, value in change.items():
        other = (
            hostile_bot.other_card.workshop_id
            if key == "workshop"
            else hostile_bot.other_card.run_id
        )
        activity["value"][key] = other if value == "other" else value
    before = _ids(hostile_bot)
    status, body = hostile_bot.post(activity)
    assert status < 500, body
    new = _new(hostile_bot, before)
    # Nothing lands in the other workshop or its question.
    assert all(a.workshop_id == hostile_bot.card.workshop_id for a in new)
    assert all(a.question_run_id == hostile_bot.card.run_id for a in new)
    if "other" in change.values():
        assert new == []


@pytest.mark.parametrize(
    "command",
    [
        "næste",
        "slut",
        "<at>workshopbot</at> næste",
        "<at>workshopbot</at> afslut",
        "<at>workshopbot</at> pause",
    ],
)
def test_a_participant_sending_facilitator_commands_changes_nothing(
    hostile_bot: BackgroundBot, command: str
) -> None:
    from storage.questions import current_question_run

    assert hostile_bot.card is not None
    participant = hostile_bot.driver.participant(16)
    fields: dict[str, Any] = {"text": command}
    if command.startswith("<at>"):
        fields["entities"] = [
            {
                "type": "mention",
                "text": "<at>workshopbot</at>",
                "mentioned": {
                    "id": "28:00000000-0000-0000-0000-000000000011",
                    "name": "workshopbot",
                },
            }
        ]
    status, _ = hostile_bot.post(hostile_bot.driver.activity(user=participant, **fields))
    assert status == 200
    hostile_bot.drain()
    current = hostile_bot.call(current_question_run(hostile_bot.db, hostile_bot.card.workshop_id))
    assert current is not None and current.id == hostile_bot.card.run_id
    workshop = next(w for w in hostile_bot.workshops() if w.id == hostile_bot.card.workshop_id)
    assert workshop.status == "running"


def test_a_participant_forging_the_setup_card_starts_nothing(hostile_bot: BackgroundBot) -> None:
    """A setup submit naming the facilitator as starter, sent by someone else."""
    participant = hostile_bot.driver.participant(17)
    chat = hostile_bot.driver.conversation_id + "-forged"
    activity = hostile_bot.driver.activity(
        user=participant,
        value={
            "wb": "setup",
            "workshop": 0,
            "starter": hostile_bot.driver.facilitator_id,
            "plan": "default",
            "org": "Falsk A/S",
            "language": "da",
            "mode": "named",
        },
    )
    activity["conversation"]["id"] = chat
    before = len(hostile_bot.workshops())
    assert hostile_bot.post(activity)[0] == 200
    assert len(hostile_bot.workshops()) == before


@pytest.mark.parametrize(
    "sender",
    [
        pytest.param(None, id="no-from"),
        pytest.param({}, id="empty-from"),
        pytest.param({"id": ""}, id="empty-id"),
        pytest.param({"id": "   "}, id="blank-id"),
    ],
)
def test_an_answer_without_a_sender_id_is_not_stored(
    hostile_bot: BackgroundBot, sender: dict[str, Any] | None
) -> None:
    assert hostile_bot.card is not None
    activity = hostile_bot.driver.answer_activity(
        hostile_bot.card, 18, via="chat", text="Hvem er jeg?"
    )
    if sender is None:
        del activity["from"]
    else:
        activity["from"] = sender
    before = _ids(hostile_bot)
    status, _ = hostile_bot.post(activity)
    assert status < 500
    assert _new(hostile_bot, before) == [], "an answer without a sender was stored"
