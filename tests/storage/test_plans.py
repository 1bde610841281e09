from __future__ import annotations

import asyncio

import pytest

from storage import plans
from storage.db import Database
from storage.errors import InvalidInput, NotFound


async def test_versions_count_up_and_keep_history(db: Database) -> None:
    v1 = await plans.save_plan_version(
        db, plan_key="default", name="Standard", text="a: 1", author="Ann"
    )
    v2 = await plans.save_plan_version(
        db, plan_key="default", name="Standard v2", text="a: 2", author="Bo", note="shorter"
    )
    assert (v1.version, v2.version) == (1, 2)
    latest = await plans.latest_plan_version(db, "default")
    assert latest == v2
    history = await plans.plan_history(db, "default")
    assert [(h.version, h.author, h.text) for h in history] == [
        (1, "Ann", "a: 1"),
        (2, "Bo", "a: 2"),
    ]
    first = await plans.get_plan_version(db, v1.id)
    assert (first.version, first.text, first.author) == (1, "a: 1", "Ann")
    assert first.plan_name == "Standard v2"  # the plan's current name
    listed = await plans.list_plans(db)
    assert [(p.key, p.name, p.latest_version) for p in listed] == [("default", "Standard v2", 2)]


async def test_concurrent_saves_get_distinct_versions(db: Database) -> None:
    saved = await asyncio.gather(
        *(
            plans.save_plan_version(db, plan_key="p", name="P", text=f"n: {i}", author="x")
            for i in range(6)
        )
    )
    assert sorted(v.version for v in saved) == [1, 2, 3, 4, 5, 6]


async def test_unknown_plan(db: Database) -> None:
    assert await plans.latest_plan_version(db, "nope") is None
    with pytest.raises(NotFound):
        await plans.plan_history(db, "nope")
    with pytest.raises(NotFound):
        await plans.get_plan_version(db, 99)


async def test_empty_text_is_refused_and_nothing_stored(db: Database) -> None:
    with pytest.raises(InvalidInput, match="plan text is empty"):
        await plans.save_plan_version(db, plan_key="p", name="P", text="  ", author="x")
    assert await plans.list_plans(db) == ()
