"""Times given by the caller (a meeting stored afterwards): start, end, question runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from storage import questions, workshops
from storage.db import Database
from storage.errors import InvalidInput

CET = timezone(timedelta(hours=1))
MEETING = datetime(2026, 3, 2, 9, 0, tzinfo=CET)  # 08:00 UTC


async def test_a_draft_starts_and_ends_at_the_given_times(db: Database) -> None:
    w = await workshops.create_workshop(db, org_name="HK")
    started = await workshops.start_workshop(db, w.id, started_at=MEETING)
    assert started.started_at == datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
    assert (await workshops.get_workshop(db, w.id)).started_at == MEETING
    run = await questions.open_question(
        db, w.id, "q1", "Hvad er HKs værdier?", opened_at=MEETING + timedelta(minutes=2)
    )
    assert run.opened_at == MEETING + timedelta(minutes=2)
    closed = await questions.close_question(db, run.id, closed_at=MEETING + timedelta(minutes=10))
    assert closed.closed_at == MEETING + timedelta(minutes=10)
    assert (await questions.get_question_run(db, run.id)).closed_at == closed.closed_at
    ended = await workshops.end_workshop(db, w.id, ended_at=MEETING + timedelta(hours=1))
    assert ended.ended_at == MEETING + timedelta(hours=1)
    assert ended.started_at == MEETING


async def test_defaults_stay_now(db: Database) -> None:
    before = datetime.now(UTC)
    w = await workshops.create_workshop(db, org_name="HK")
    started = await workshops.start_workshop(db, w.id)
    run = await questions.open_question(db, w.id, "q1", "Spørgsmål")
    closed = await questions.close_question(db, run.id)
    ended = await workshops.end_workshop(db, w.id)
    after = datetime.now(UTC)
    for when in (started.started_at, run.opened_at, closed.closed_at, ended.ended_at):
        assert when is not None and before <= when <= after


async def test_opening_at_a_given_time_closes_the_others_then(db: Database) -> None:
    w = await workshops.start_workshop(
        db, (await workshops.create_workshop(db, org_name="HK")).id, started_at=MEETING
    )
    first = await questions.open_question(db, w.id, "q1", "Et", opened_at=MEETING)
    second = await questions.open_question(
        db, w.id, "q2", "To", opened_at=MEETING + timedelta(minutes=5)
    )
    assert (await questions.get_question_run(db, first.id)).closed_at == second.opened_at
    runs = await questions.list_question_runs(db, w.id)
    assert [r.question_id for r in runs] == ["q1", "q2"]
    with pytest.raises(InvalidInput, match="before an open question"):
        await questions.open_question(db, w.id, "q3", "Tre", opened_at=MEETING)
    # Without closing the others, an earlier question may be added.
    parallel = await questions.open_question(
        db, w.id, "q3", "Tre", opened_at=MEETING, close_others=False
    )
    assert parallel.opened_at == MEETING
    with pytest.raises(InvalidInput, match="before question run"):
        await questions.close_question(db, second.id, closed_at=MEETING)
    assert (await questions.get_question_run(db, second.id)).closed_at is None


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (datetime(2026, 3, 2, 9, 0), "has no time zone"),
        # Computed when the test runs, not when pytest collects it (minutes earlier).
        (lambda: datetime.now(UTC) + timedelta(minutes=5), "in the future"),
        ("2026-03-02T09:00+01:00", "must be a datetime"),
    ],
    ids=["naive", "future", "text"],
)
async def test_bad_given_times_are_refused(db: Database, when: object, message: str) -> None:
    if callable(when):
        when = when()
    w = await workshops.create_workshop(db, org_name="HK")
    with pytest.raises(InvalidInput, match=message):
        await workshops.start_workshop(db, w.id, started_at=when)  # type: ignore[arg-type]
    assert (await workshops.get_workshop(db, w.id)).status == "draft"
    await workshops.start_workshop(db, w.id, started_at=MEETING)
    with pytest.raises(InvalidInput, match=message):
        await questions.open_question(db, w.id, "q1", "Et", opened_at=when)  # type: ignore[arg-type]
    assert await questions.list_question_runs(db, w.id) == ()
    run = await questions.open_question(db, w.id, "q1", "Et", opened_at=MEETING)
    with pytest.raises(InvalidInput, match=message):
        await questions.close_question(db, run.id, closed_at=when)  # type: ignore[arg-type]
    with pytest.raises(InvalidInput, match=message):
        await workshops.end_workshop(db, w.id, ended_at=when)  # type: ignore[arg-type]
    assert (await workshops.get_workshop(db, w.id)).status == "running"


async def test_a_minute_of_clock_skew_is_accepted(db: Database) -> None:
    w = await workshops.create_workshop(db, org_name="HK")
    soon = datetime.now(UTC) + timedelta(seconds=30)
    assert (await workshops.start_workshop(db, w.id, started_at=soon)).started_at == soon


async def test_start_time_only_for_a_draft_and_end_not_before_start(db: Database) -> None:
    w = await workshops.create_workshop(db, org_name="HK")
    await workshops.start_workshop(db, w.id, started_at=MEETING)
    with pytest.raises(InvalidInput, match="only be given when a draft workshop starts"):
        await workshops.start_workshop(db, w.id, started_at=MEETING)
    await workshops.pause_workshop(db, w.id)
    with pytest.raises(InvalidInput, match="only be given when a draft workshop starts"):
        await workshops.set_status(db, w.id, "running", started_at=MEETING)
    with pytest.raises(InvalidInput, match="not for making it paused"):
        await workshops.set_status(db, w.id, "paused", started_at=MEETING)
    with pytest.raises(InvalidInput, match="is before workshop"):
        await workshops.end_workshop(db, w.id, ended_at=MEETING - timedelta(seconds=1))
    resumed = await workshops.resume_workshop(db, w.id)
    assert resumed.started_at == MEETING
    await workshops.end_workshop(db, w.id, ended_at=MEETING)
    with pytest.raises(InvalidInput, match="has ended already"):
        await workshops.end_workshop(db, w.id, ended_at=MEETING)


async def test_a_meeting_stored_afterwards_takes_its_place_in_the_series(db: Database) -> None:
    """Workshop numbers in a series follow when the meetings were held: a transcript of an
    earlier meeting, imported after a later workshop, becomes number 1."""
    from storage import series as series_repo

    hk = await series_repo.create_series(db, "HK 2026")
    later = await workshops.create_workshop(db, org_name="HK", series_id=hk.id)
    await workshops.start_workshop(db, later.id)  # held now
    third = await workshops.create_workshop(db, org_name="HK", series_id=hk.id)  # not held yet
    earlier = await workshops.create_workshop(db, org_name="HK", series_id=hk.id)
    assert (later.number_in_series, third.number_in_series, earlier.number_in_series) == (1, 2, 3)
    await workshops.start_workshop(db, earlier.id, started_at=MEETING)
    ordered = await series_repo.workshops_in_series(db, hk.id)
    assert [(w.id, w.number_in_series) for w in ordered] == [
        (earlier.id, 1),
        (later.id, 2),
        (third.id, 3),
    ]
    # An ordinary start changes no numbers.
    await workshops.start_workshop(db, third.id)
    again = await series_repo.workshops_in_series(db, hk.id)
    assert [(w.id, w.number_in_series) for w in again] == [
        (earlier.id, 1),
        (later.id, 2),
        (third.id, 3),
    ]
