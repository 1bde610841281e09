"""The outbox against the Bot Connector stand-in: Teams' limits hold, failures are retried
with backoff honouring Retry-After, card updates coalesce, nothing raises into a turn."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from typing import Any

import pytest
from botbuilder.core import TurnContext
from botbuilder.schema import (
    Activity,
    ChannelAccount,
    ConversationAccount,
    ConversationReference,
)

from bot.adapter import ClientCachingAuthentication, create_adapter
from bot.outbox import TEAMS_LIMITS, Outbox, RateLimiter
from bot.settings import Settings
from tests.support import BOT_ID, TENANT_ID
from tests.support.connector import ConnectorStandIn


def reference(
    connector: ConnectorStandIn, conversation_id: str = "conv-1"
) -> ConversationReference:
    return ConversationReference(
        activity_id="incoming-1",
        user=ChannelAccount(id="29:user-anders", name="Anders"),
        bot=ChannelAccount(id=BOT_ID, name="workshopbot"),
        conversation=ConversationAccount(
            id=conversation_id, conversation_type="groupChat", tenant_id=TENANT_ID, is_group=True
        ),
        channel_id="msteams",
        locale="da-DK",
        service_url=connector.url,
    )


@pytest.fixture
async def connector() -> AsyncIterator[ConnectorStandIn]:
    async with ConnectorStandIn(retry_after=0.2) as stand_in:
        yield stand_in


class Harness:
    def __init__(self, **options: Any) -> None:
        self.adapter, self.auth = create_adapter(Settings(local=True))
        self.outbox = Outbox(self.adapter, **options)

    async def close(self) -> None:
        await self.outbox.close(timeout=5)
        await self.auth.close()


@pytest.fixture
async def harness() -> AsyncIterator[Harness]:
    h = Harness(seed=1, base_delay=0.05, max_delay=0.5, give_up_after=5.0, attempt_timeout=1.0)
    yield h
    await h.close()


def assert_within_teams_limits(times: list[float]) -> None:
    """Every window of every Teams limit holds at most its count (small clock slack)."""
    for window, allowed in TEAMS_LIMITS:
        for i, start in enumerate(times):
            in_window = [t for t in times[i:] if t < start + window - 0.02]
            assert len(in_window) <= allowed, (window, allowed, len(in_window))


async def test_send_returns_at_once_and_resolves_to_the_activity_id(
    harness: Harness, connector: ConnectorStandIn
) -> None:
    future = harness.outbox.send(reference(connector), "hej")
    assert not future.done()  # queued, not sent in the caller's time
    activity_id = await asyncio.wait_for(future, 5)
    assert activity_id is not None
    assert connector.activities["conv-1"][activity_id]["text"] == "hej"


async def test_a_burst_stays_within_teams_limits_and_keeps_order(
    harness: Harness, connector: ConnectorStandIn
) -> None:
    futures = [harness.outbox.send(reference(connector), f"m{i}") for i in range(12)]
    ids = await asyncio.wait_for(asyncio.gather(*futures), 30)
    assert all(ids)
    sends = connector.calls_of("send", "conv-1")
    assert [c.body["text"] for c in sends] == [f"m{i}" for i in range(12)]
    assert connector.violations == []
    assert_within_teams_limits([c.at for c in sends])


async def test_conversations_do_not_wait_for_each_other(
    harness: Harness, connector: ConnectorStandIn
) -> None:
    futures = [
        harness.outbox.send(reference(connector, f"conv-{i % 3}"), f"m{i}") for i in range(21)
    ]
    await asyncio.wait_for(asyncio.gather(*futures), 30)
    for i in range(3):
        assert len(connector.calls_of("send", f"conv-{i}")) == 7
    assert connector.violations == []


@pytest.mark.parametrize("status", [429, 412, 500, 502, 503, 504])
async def test_transient_failures_are_retried(
    harness: Harness, connector: ConnectorStandIn, status: int
) -> None:
    connector.inject(status, times=2)
    activity_id = await asyncio.wait_for(harness.outbox.send(reference(connector), "hej"), 10)
    assert activity_id is not None
    statuses = [c.status for c in connector.calls_of("send")]
    assert statuses == [status, status, 200]
    assert harness.outbox.stats["retried"] == 2


async def test_retry_after_is_honoured(harness: Harness, connector: ConnectorStandIn) -> None:
    connector.inject(429, times=1, retry_after=1.0)
    await asyncio.wait_for(harness.outbox.send(reference(connector), "hej"), 10)
    first, second = connector.calls_of("send")
    assert second.at - first.at >= 0.95


async def test_a_timeout_is_retried(harness: Harness, connector: ConnectorStandIn) -> None:
    connector.inject(200, times=1, delay=1.5)  # longer than attempt_timeout=1.0
    activity_id = await asyncio.wait_for(harness.outbox.send(reference(connector), "hej"), 10)
    assert activity_id is not None
    assert harness.outbox.stats["retried"] >= 1


async def test_gives_up_after_a_bounded_time_without_raising(connector: ConnectorStandIn) -> None:
    h = Harness(seed=2, base_delay=0.05, max_delay=0.2, give_up_after=1.0, attempt_timeout=1.0)
    try:
        connector.inject(502, times=1000)
        loop = asyncio.get_running_loop()
        started = loop.time()
        result = await asyncio.wait_for(h.outbox.send(reference(connector), "hej"), 10)
        assert result is None
        assert loop.time() - started < 3.0
        assert h.outbox.stats["given_up"] == 1
        # The queue goes on: the next send is made once the service is back.
        connector.faults.clear()
        assert await asyncio.wait_for(h.outbox.send(reference(connector), "igen"), 10)
    finally:
        await h.close()


@pytest.mark.parametrize("status", [400, 403, 404, 413])
async def test_permanent_failures_are_not_retried(
    harness: Harness, connector: ConnectorStandIn, status: int
) -> None:
    connector.inject(status, times=5)
    assert await asyncio.wait_for(harness.outbox.send(reference(connector), "hej"), 10) is None
    assert len(connector.calls_of("send")) == 1


async def test_card_updates_coalesce_to_the_newest(
    harness: Harness, connector: ConnectorStandIn
) -> None:
    ref = reference(connector)
    activity_id = await harness.outbox.send(ref, "7 svar")
    assert activity_id
    counter = {"n": 0}

    def card() -> dict[str, Any]:
        return {
            "type": "AdaptiveCard",
            "version": "1.5",
            "body": [{"type": "TextBlock", "text": f"{counter['n']} svar"}],
        }

    for n in range(1, 51):
        counter["n"] = n
        harness.outbox.update_card(ref, activity_id, card)
        await asyncio.sleep(0.01)
    assert await harness.outbox.drain(timeout=10)
    updates = connector.calls_of("update")
    assert 1 <= len(updates) <= 2  # 50 calls in 0.5 s: the first now, the rest as one
    final = connector.activities["conv-1"][activity_id]
    assert final["attachments"][0]["content"]["body"][0]["text"] == "50 svar"
    assert harness.outbox.stats["coalesced"] >= 48


async def test_updates_of_one_card_keep_the_window_apart(connector: ConnectorStandIn) -> None:
    h = Harness(coalesce_window=0.5)
    try:
        ref = reference(connector)
        activity_id = await h.outbox.send(ref, "0")
        for n in range(1, 4):
            h.outbox.update_card(
                ref, activity_id, lambda n=n: Activity(type="message", text=str(n))
            )
            await h.outbox.drain(timeout=5)
        updates = connector.calls_of("update")
        assert [u.body["text"] for u in updates] == ["1", "2", "3"]
        gaps = [b.at - a.at for a, b in itertools.pairwise(updates)]
        assert all(gap >= 0.45 for gap in gaps), gaps
    finally:
        await h.close()


async def test_private_message_creates_the_one_to_one_chat_once(
    harness: Harness, connector: ConnectorStandIn
) -> None:
    ref = reference(connector)
    first = await asyncio.wait_for(
        harness.outbox.send_private(ref, "29:user-bente", "kun til dig"), 10
    )
    second = await asyncio.wait_for(harness.outbox.send_private(ref, "29:user-bente", "igen"), 10)
    assert first and second
    creates = connector.calls_of("create")
    assert len(creates) == 1
    assert creates[0].body["members"][0]["id"] == "29:user-bente"
    assert creates[0].body["channelData"]["tenant"]["id"] == TENANT_ID
    private = connector.sent_activities("a:1on1-29:user-bente")
    assert [a["text"] for a in private] == ["kun til dig", "igen"]
    assert connector.sent_activities("conv-1") == []


async def test_run_gives_a_proactive_turn_context(
    harness: Harness, connector: ConnectorStandIn
) -> None:
    async def callback(context: TurnContext) -> str:
        await context.send_activity("fra en proaktiv tur")
        return context.activity.conversation.id

    result = await asyncio.wait_for(harness.outbox.run(reference(connector), callback), 10)
    assert result == "conv-1"
    assert [a["text"] for a in connector.sent_activities("conv-1")] == ["fra en proaktiv tur"]


async def test_a_failing_card_factory_is_logged_not_raised(
    harness: Harness, connector: ConnectorStandIn, caplog: pytest.LogCaptureFixture
) -> None:
    ref = reference(connector)
    activity_id = await harness.outbox.send(ref, "x")

    def broken() -> dict[str, Any]:
        raise KeyError("missing")

    harness.outbox.update_card(ref, activity_id, broken)
    assert await harness.outbox.drain(timeout=5)
    assert "outbox update" in caplog.text
    # The conversation's queue still works.
    assert await harness.outbox.send(ref, "y")


async def test_connector_clients_are_reused(harness: Harness, connector: ConnectorStandIn) -> None:
    futures = [harness.outbox.send(reference(connector, f"c{i}"), "x") for i in range(10)]
    await asyncio.wait_for(asyncio.gather(*futures), 20)
    auth: ClientCachingAuthentication = harness.auth
    assert auth.created == 1


def test_rate_limiter_windows() -> None:
    now = [0.0]
    limiter = RateLimiter(TEAMS_LIMITS, clock=lambda: now[0])
    stamps = []
    for _ in range(100):
        wait = limiter.delay()
        now[0] += wait
        limiter.record()
        stamps.append(now[0])
    assert_within_teams_limits([s + 0.0 for s in stamps])
    # 60 per 30 s: the 61st operation cannot happen before 30 s.
    assert stamps[60] >= 30.0
    # 7 per second and 8 per 2 s: the first 8 take at least one second.
    assert stamps[7] >= 1.0


def test_rate_limiter_refuses_bad_limits() -> None:
    with pytest.raises(ValueError, match="limits"):
        RateLimiter(((0.0, 5),))


async def test_an_async_card_factory_is_awaited_when_the_update_is_made(
    harness: Harness, connector: ConnectorStandIn
) -> None:
    ref = reference(connector)
    activity_id = await harness.outbox.send(ref, "0 svar")
    count = {"n": 0}

    async def card_from_database() -> dict[str, Any]:
        await asyncio.sleep(0)  # stands for a query of the current count
        return {
            "type": "AdaptiveCard",
            "version": "1.5",
            "body": [{"type": "TextBlock", "text": f"{count['n']} svar"}],
        }

    for n in range(1, 6):
        count["n"] = n
        harness.outbox.update_card(ref, activity_id, card_from_database)
    count["n"] = 9  # what the database says when the coalesced update is finally made
    assert await harness.outbox.drain(timeout=10)
    final = connector.activities["conv-1"][activity_id]
    assert final["attachments"][0]["content"]["body"][0]["text"] == "9 svar"


async def test_connector_calls_are_bounded_in_time(
    harness: Harness, connector: ConnectorStandIn
) -> None:
    from bot.adapter import CONNECTOR_TIMEOUT

    await asyncio.wait_for(harness.outbox.send(reference(connector), "x"), 10)
    clients = list(harness.auth._connectors.values())
    assert clients
    assert all(c.config.connection.timeout == CONNECTOR_TIMEOUT for c in clients)
    assert Outbox(harness.adapter).attempt_timeout >= CONNECTOR_TIMEOUT


async def test_send_can_answer_in_a_thread(harness: Harness, connector: ConnectorStandIn) -> None:
    ref = reference(connector)
    await asyncio.wait_for(harness.outbox.send(ref, "i tråden", reply_to_id="root-1"), 10)
    await asyncio.wait_for(harness.outbox.send(ref, "i kanalen"), 10)
    (reply,) = connector.calls_of("reply")
    assert reply.activity_id == "root-1" and reply.body["text"] == "i tråden"
    (send,) = connector.calls_of("send")
    assert send.body["text"] == "i kanalen" and not send.body.get("replyToId")
