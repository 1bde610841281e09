"""One participant's unstorable answer (a lone surrogate escaped in JSON, or a NUL that
PostgreSQL cannot store) must not take other people's answers down with it: storage writes
concurrent answers in shared batches (group commit)."""

from __future__ import annotations

import asyncio
import json

import pytest

from bench.workload import Ack
from tests.hostile.conftest import BackgroundBot


@pytest.mark.parametrize(
    "poison", ["før\ud800efter", "a\udfff", "nul\x00byte"], ids=["high", "low", "nul"]
)
def test_an_unstorable_answer_does_not_lose_the_answers_written_with_it(
    hostile_bot: BackgroundBot, poison: str
) -> None:
    assert hostile_bot.card is not None
    card = hostile_bot.card
    driver = hostile_bot.driver
    good = [driver.answer_activity(card, 100 + i, via="card") for i in range(40)]
    bad = driver.answer_activity(card, 99, via="card", text=poison)
    bodies = [json.dumps(a).encode() for a in good[:20]]
    bodies.append(json.dumps(bad, ensure_ascii=True).encode())
    bodies += [json.dumps(a).encode() for a in good[20:]]

    async def post_all() -> list[Ack]:
        async def one(body: bytes) -> Ack:
            activity_id = json.loads(body)["id"]
            async with hostile_bot.http.post(
                hostile_bot.base + "/api/messages",
                data=body,
                headers={"Content-Type": "application/json"},
            ) as response:
                return Ack(activity_id, response.status, 0.0, 0.0)

        return list(await asyncio.gather(*(one(b) for b in bodies)))

    acks = hostile_bot.call(post_all())
    assert all(a.status < 500 for a in acks)
    stored = {a.activity_id for a in hostile_bot.all_answers()}
    missing = [a["id"] for a in good if a["id"] not in stored]
    assert missing == [], f"{len(missing)} good answers were lost with the bad one"
