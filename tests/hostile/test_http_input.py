"""Malformed, oversized and wrong-typed requests to ``/api/messages``: always a 4xx or a
polite refusal, never a 5xx, never a stored half-answer (the database is checked after each).
Property-based with Hypothesis, bounded so the suite stays fast."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile.conftest import BackgroundBot

SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)


def _strings(node: Any) -> set[str]:
    """Every string in a JSON value, stripped, and ``str()`` of every other value in it
    (what a wrong-typed card answer would look like if it were stored)."""
    if isinstance(node, str):
        return {node.strip()}
    if isinstance(node, dict):
        return {str(node)}.union(*(_strings(v) for v in node.values()))
    if isinstance(node, list):
        return {str(node)}.union(*(_strings(v) for v in node))
    return {str(node)} if node is not None else set()


def _check_no_half_answer(bot: BackgroundBot, before: int, posted: Any) -> None:
    answers = bot.all_answers()
    assert len(answers) in (before, before + 1), "one activity stored more than one answer"
    if len(answers) == before + 1:
        newest = max(answers, key=lambda a: a.id)
        assert newest.text.strip() in _strings(posted), f"stored text {newest.text!r} was not sent"
        assert len(newest.text) <= 4000


@SETTINGS
@given(body=st.binary(max_size=3000))
def test_random_bytes_get_a_4xx(hostile_bot: BackgroundBot, body: bytes) -> None:
    before = len(hostile_bot.all_answers())
    status, text = hostile_bot.post(body)
    assert 400 <= status < 500, (status, text)
    assert "Traceback" not in text
    assert len(hostile_bot.all_answers()) == before


@SETTINGS
@given(body=json_values)
def test_any_json_that_is_not_an_activity_gets_a_4xx_or_nothing_stored(
    hostile_bot: BackgroundBot, body: Any
) -> None:
    before = len(hostile_bot.all_answers())
    status, text = hostile_bot.post(body)
    assert status < 500, (status, text)
    assert "Traceback" not in text
    assert len(hostile_bot.all_answers()) == before


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _mutate(activity: dict[str, Any], path: tuple[Any, ...], value: Any, delete: bool) -> None:
    node: Any = activity
    for step in path[:-1]:
        node = node[step]
    if delete and isinstance(node, dict):
        del node[path[-1]]
    else:
        node[path[-1]] = value


@SETTINGS
@given(data=st.data(), via=st.sampled_from(["card", "chat"]))
def test_answers_with_missing_or_wrong_typed_fields_never_fail_or_store_half(
    hostile_bot: BackgroundBot, data: st.DataObject, via: str
) -> None:
    assert hostile_bot.card is not None
    activity = hostile_bot.driver.answer_activity(hostile_bot.card, 7, via=via)  # type: ignore[arg-type]
    paths = _paths(activity)
    for _ in range(data.draw(st.integers(1, 3), label="mutations")):
        paths = _paths(activity)
        if not paths:
            break
        path = data.draw(st.sampled_from(paths), label="path")
        _mutate(activity, path, data.draw(json_values, label="value"), data.draw(st.booleans()))
    activity["id"] = hostile_bot.driver.new_id() if isinstance(activity, dict) else None
    before = len(hostile_bot.all_answers())
    status, text = hostile_bot.post(activity)
    assert status < 500, (status, text, activity)
    assert "Traceback" not in text
    _check_no_half_answer(hostile_bot, before, activity)


def test_a_body_over_one_megabyte_is_refused_with_413(hostile_bot: BackgroundBot) -> None:
    assert hostile_bot.card is not None
    activity = hostile_bot.driver.answer_activity(
        hostile_bot.card, 8, via="chat", text="x" * 1_100_000
    )
    before = len(hostile_bot.all_answers())
    status, _ = hostile_bot.post(activity)
    assert status == 413
    assert len(hostile_bot.all_answers()) == before


def test_a_chunked_body_over_one_megabyte_without_length_is_refused(
    hostile_bot: BackgroundBot,
) -> None:
    import aiohttp

    async def go() -> int:
        async def chunks():  # type: ignore[no-untyped-def]
            yield b'{"type": "message", "text": "'
            for _ in range(40):
                yield b"y" * 32768
            yield b'"}'

        async with hostile_bot.http.post(
            hostile_bot.base + "/api/messages",
            data=chunks(),
            headers={"Content-Type": "application/json"},
        ) as response:
            return response.status

    before = len(hostile_bot.all_answers())
    try:
        status = hostile_bot.call(go())
    except aiohttp.ClientError:
        status = 413  # the server may close the connection while the client still sends
    assert status == 413
    assert len(hostile_bot.all_answers()) == before


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"]
)
def test_a_body_that_is_not_json_gets_415(hostile_bot: BackgroundBot, content_type: str) -> None:
    assert hostile_bot.card is not None
    activity = hostile_bot.driver.answer_activity(hostile_bot.card, 9, via="chat")
    status, _ = hostile_bot.post(
        json.dumps(activity).encode(), headers={"Content-Type": content_type}
    )
    assert status == 415


def test_every_request_still_works_after_the_storm(hostile_bot: BackgroundBot) -> None:
    """After all the hostile input the bot still stores a normal answer, exactly once."""
    assert hostile_bot.card is not None
    activity = hostile_bot.driver.answer_activity(hostile_bot.card, 10, via="card")
    before = len(hostile_bot.all_answers())
    assert hostile_bot.post(activity)[0] == 200
    assert hostile_bot.post(copy.deepcopy(activity))[0] == 200
    assert len(hostile_bot.all_answers()) == before + 1


@pytest.mark.parametrize(
    "kind",
    [
        "conversationUpdate",
        "event",
        "messageReaction",
        "installationUpdate",
        "typing",
        "endOfConversation",
        "messageUpdate",
        "messageDelete",
        "an-unknown-type",
    ],
)
def test_other_activity_types_are_answered_without_error(
    hostile_bot: BackgroundBot, kind: str
) -> None:
    before = len(hostile_bot.all_answers())
    status, _ = hostile_bot.post(hostile_bot.driver.activity(type=kind, name="x", value={"x": 1}))
    assert status == 200
    assert len(hostile_bot.all_answers()) == before


@pytest.mark.parametrize("name", ["task/fetch", "composeExtension/query", "no-such-invoke", None])
def test_invokes_the_bot_does_not_handle_get_501_not_a_crash(
    hostile_bot: BackgroundBot, name: str | None
) -> None:
    """The SDK's convention: an unhandled invoke is 'Not Implemented' (never a 500)."""
    status, body = hostile_bot.post(hostile_bot.driver.activity(type="invoke", name=name, value={}))
    assert status in (200, 400, 501), (status, body)
    assert "Traceback" not in body


@pytest.mark.parametrize(
    "answer", [[None], {"a": 1}, [["nested"]]], ids=["list", "object", "nested"]
)
def test_a_card_answer_that_is_not_text_is_not_stored(
    hostile_bot: BackgroundBot, answer: Any
) -> None:
    assert hostile_bot.card is not None
    activity = hostile_bot.driver.answer_activity(hostile_bot.card, 19, via="card")
    activity["value"]["answer"] = answer
    before = {a.id for a in hostile_bot.all_answers()}
    assert hostile_bot.post(activity)[0] < 500
    new = [a for a in hostile_bot.all_answers() if a.id not in before]
    assert new == [], f"stored {[a.text for a in new]}"
