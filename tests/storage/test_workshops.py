from __future__ import annotations

import asyncio

import pytest

from storage import events, plans, series, workshops
from storage.db import Database
from storage.errors import InvalidInput, NotFound


async def test_create_and_get_keep_every_field(db: Database) -> None:
    pv = await plans.save_plan_version(
        db, plan_key="default", name="Standard", text="x: 1", author="Ann"
    )
    ref = {"conversation": {"id": "19:abc"}, "serviceUrl": "https://smba.example/"}
    created = await workshops.create_workshop(
        db,
        org_name="HK",
        language="en",
        answer_mode="named",
        plan_version_id=pv.id,
        title="Values",
        conversation_reference=ref,
        conversation_id="19:abc",
        channel_id="19:chan",
        meeting_id="MCM",
        tenant_id="t-1",
        facilitators=["29:fac", "29:fac", "29:co"],
    )
    got = await workshops.get_workshop(db, created.id)
    assert got == created
    assert got.status == "draft"
    assert got.conversation_reference == ref
    assert got.facilitators == ("29:fac", "29:co")
    assert got.created_at.tzinfo is not None
    assert [e.kind for e in await events.list_events(db, got.id)] == ["workshop.created"]


async def test_workshops_in_a_series_are_numbered_even_when_created_at_once(db: Database) -> None:
    s = await series.get_or_create_series(db, "Efteruddannelse 2026")
    made = await asyncio.gather(
        *(workshops.create_workshop(db, org_name="HK", series_id=s.id) for _ in range(8))
    )
    assert sorted(w.number_in_series for w in made) == list(range(1, 9))
    listed = await series.workshops_in_series(db, s.id)
    assert [w.number_in_series for w in listed] == list(range(1, 9))
    assert all(w.series_name == "Efteruddannelse 2026" for w in listed)


async def test_get_or_create_series_is_safe_at_once(db: Database) -> None:
    made = await asyncio.gather(*(series.get_or_create_series(db, "Same") for _ in range(6)))
    assert len({s.id for s in made}) == 1
    assert len(await series.list_series(db)) == 1
    with pytest.raises(InvalidInput, match="exists already"):
        await series.create_series(db, "Same")


async def test_status_moves_and_timestamps(db: Database) -> None:
    w = await workshops.create_workshop(db, org_name="HK")
    running = await workshops.start_workshop(db, w.id, actor_user_id="29:fac")
    assert running.status == "running" and running.started_at is not None
    paused = await workshops.pause_workshop(db, w.id)
    assert paused.status == "paused" and paused.paused_at is not None
    resumed = await workshops.resume_workshop(db, w.id)
    assert resumed.status == "running" and resumed.paused_at is None
    assert resumed.started_at == running.started_at
    ended = await workshops.end_workshop(db, w.id)
    assert ended.status == "ended" and ended.ended_at is not None
    with pytest.raises(InvalidInput, match="ended"):
        await workshops.start_workshop(db, w.id)
    kinds = [e.kind for e in await events.list_events(db, w.id)]
    assert kinds == [
        "workshop.created",
        "workshop.started",
        "workshop.paused",
        "workshop.resumed",
        "workshop.ended",
    ]
    assert (await events.list_events(db, w.id, kind="workshop.started"))[
        0
    ].actor_user_id == "29:fac"


async def test_a_draft_cannot_be_paused(db: Database) -> None:
    w = await workshops.create_workshop(db, org_name="HK")
    with pytest.raises(InvalidInput, match="draft and cannot become paused"):
        await workshops.pause_workshop(db, w.id)


@pytest.mark.parametrize(
    "bad", [0, -1, "3", 1.5, True], ids=["zero", "negative", "text", "float", "bool"]
)
async def test_invalid_ids_are_refused(db: Database, bad: object) -> None:
    with pytest.raises(InvalidInput, match="not a valid id"):
        await workshops.get_workshop(db, bad)  # type: ignore[arg-type]


async def test_unknown_workshop_is_not_found(db: Database) -> None:
    with pytest.raises(NotFound, match="workshopbot workshops"):
        await workshops.get_workshop(db, 4242)
    with pytest.raises(NotFound):
        await workshops.start_workshop(db, 4242)


@pytest.mark.parametrize(
    ("field", "value"),
    [("language", "de"), ("answer_mode", "secret"), ("org_name", "  ")],
    ids=["language", "answer-mode", "empty-org"],
)
async def test_create_refuses_bad_values(db: Database, field: str, value: str) -> None:
    kwargs: dict[str, object] = {"org_name": "HK", field: value}
    with pytest.raises(InvalidInput):
        await workshops.create_workshop(db, **kwargs)  # type: ignore[arg-type]
    assert await workshops.list_workshops(db) == ()


async def test_create_refuses_unknown_references(db: Database) -> None:
    with pytest.raises(NotFound, match="series"):
        await workshops.create_workshop(db, org_name="HK", series_id=77)
    with pytest.raises(NotFound, match="plan version"):
        await workshops.create_workshop(db, org_name="HK", plan_version_id=77)
    with pytest.raises(NotFound, match="map"):
        await workshops.create_workshop(db, org_name="HK", map_id=77)
    assert await workshops.list_workshops(db) == ()


async def test_find_active_workshop_ignores_ended_ones(db: Database) -> None:
    old = await workshops.create_workshop(db, org_name="HK", conversation_id="19:c")
    await workshops.end_workshop(db, old.id)
    assert await workshops.find_active_workshop(db, "19:c") is None
    new = await workshops.create_workshop(db, org_name="HK", conversation_id="19:c")
    await workshops.start_workshop(db, new.id)
    found = await workshops.find_active_workshop(db, "19:c")
    assert found is not None and found.id == new.id
    assert await workshops.find_active_workshop(db, "19:other") is None


async def test_facilitators(db: Database) -> None:
    w = await workshops.create_workshop(db, org_name="HK", facilitators=["29:a"])
    assert await workshops.is_facilitator(db, w.id, "29:a")
    assert not await workshops.is_facilitator(db, w.id, "29:b")
    await workshops.add_facilitator(db, w.id, "29:b", display_name="Bo")
    again = await workshops.add_facilitator(db, w.id, "29:b")
    assert again.facilitators == ("29:a", "29:b")
    after = await workshops.remove_facilitator(db, w.id, "29:a")
    assert after.facilitators == ("29:b",)


async def test_update_workshop_changes_only_what_is_given(db: Database) -> None:
    w = await workshops.create_workshop(db, org_name="HK", title="A")
    ref = {"conversation": {"id": "x"}}
    updated = await workshops.update_workshop(db, w.id, conversation_reference=ref, title="B")
    assert updated.conversation_reference == ref
    assert updated.title == "B"
    assert updated.org_name == "HK"
    await workshops.start_workshop(db, w.id)
    with pytest.raises(InvalidInput, match="before it starts"):
        await workshops.update_workshop(db, w.id, answer_mode="named")


async def test_current_question_can_be_set_and_cleared(db: Database) -> None:
    w = await workshops.create_workshop(db, org_name="HK")
    assert (await workshops.set_current_question(db, w.id, "q3")).current_question_id == "q3"
    assert (await workshops.set_current_question(db, w.id, None)).current_question_id is None
