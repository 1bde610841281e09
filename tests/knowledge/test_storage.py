"""The knowledge bank's storage on both backends: takeaways, search with visibility in the
query, subscriptions and digests, check-ins and follow-ups, forget and export."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select, text

from storage.db import Database
from storage.errors import InvalidInput, NotFound
from storage.knowledge import checkins, people, search, subscriptions, takeaways
from storage.knowledge.privacy import export_person
from storage.knowledge.search import MARK_END, MARK_START, Viewer
from storage.knowledge.tables import takeaway_t
from storage.privacy import forget_user

T = "tenant-1"


async def _course(db: Database, name: str = "Projektledelse", **kw: object) -> int:
    course = await takeaways.add_course(
        db,
        name=name,
        provider=str(kw.get("provider", "Business Academy")),
        starts_on=kw.get("starts_on", date(2026, 9, 1)),  # type: ignore[arg-type]
        ends_on=kw.get("ends_on", date(2026, 9, 3)),  # type: ignore[arg-type]
        tenant_id=T,
    )
    return course.id


async def _share(
    db: Database,
    user: str,
    points: tuple[str, str, str],
    *,
    visibility: str = "org",
    course: str = "Projektledelse",
    consent: bool = True,
    language: str = "da",
) -> int:
    course_id = await _course(db, course)
    saved = await takeaways.save_takeaway(
        db,
        course_id=course_id,
        user_id=user,
        points=points,
        visibility=visibility,
        language=language,
        consent=consent,
        tenant_id=T,
    )
    return saved.id


POINTS = (
    "Pivottabeller i Excel sparer timer hver måned",
    "Interessentanalyse før projektstart",
    "Korte statusmøder hver mandag",
)


async def test_search_finds_ranks_and_marks_the_matched_words(db: Database) -> None:
    best = await _share(db, "29:anna", POINTS)
    await _share(db, "29:bo", ("Kommunikation med borgere", "Excel bruges lidt", "Feedback virker"))
    hits = await search.search_takeaways(db, Viewer("29:carl", T), "pivottabeller excel")
    assert [h.takeaway.id for h in hits] == [best]
    assert MARK_START in hits[0].snippet and MARK_END in hits[0].snippet
    # Any word when all words find nothing; the one with both terms ranks first.
    hits = await search.search_takeaways(db, Viewer("29:carl", T), "excel feedback qqqq")
    assert len(hits) == 2
    assert hits[0].takeaway.user_id == "29:bo" and hits[0].rank > hits[1].rank


async def test_prefix_finds_danish_inflections(db: Database) -> None:
    tid = await _share(db, "29:anna", ("Kommunikationen skal være kort", "b", "c"))
    hits = await search.search_takeaways(db, Viewer("29:bo", T), "kommunikation")
    assert [h.takeaway.id for h in hits] == [tid]


async def test_english_takeaway_found_in_english(db: Database) -> None:
    tid = await _share(db, "29:anna", ("Stakeholders need weekly updates", "b", "c"), language="en")
    hits = await search.search_takeaways(db, Viewer("29:bo", T), "stakeholder updates")
    assert [h.takeaway.id for h in hits] == [tid]


async def test_unconsented_and_withdrawn_takeaways_are_never_found(db: Database) -> None:
    hidden = await _share(db, "29:anna", POINTS, consent=False)
    assert await search.search_takeaways(db, Viewer("29:bo", T), "excel") == ()
    # Search shows published takeaways only, to the author too (theirs: "kursus mine").
    assert await search.search_takeaways(db, Viewer("29:anna", T), "excel") == ()
    await takeaways.publish_takeaway(db, hidden, "29:anna")
    assert len(await search.search_takeaways(db, Viewer("29:bo", T), "excel")) == 1
    await takeaways.withdraw_takeaway(db, hidden, "29:anna")
    assert await search.search_takeaways(db, Viewer("29:bo", T), "excel") == ()


async def test_visibility_team_manager_org_and_other_tenant(db: Database) -> None:
    await people.set_directory(db, "29:anna", team="Løn", manager_id="29:mette", tenant_id=T)
    await people.set_directory(db, "29:bo", team="Løn", tenant_id=T)
    await people.set_directory(db, "29:carl", team="IT", tenant_id=T)
    team = await _share(db, "29:anna", POINTS, visibility="team")
    manager = await _share(db, "29:anna", ("Excel makroer", "b", "c"), visibility="manager")

    async def seen(user: str, tenant: str | None = T) -> set[int]:
        return {
            h.takeaway.id for h in await search.search_takeaways(db, Viewer(user, tenant), "excel")
        }

    assert await seen("29:bo") == {team}
    assert await seen("29:carl") == set()
    assert await seen("29:mette") == {team, manager}
    assert await seen("29:anna") == {team, manager}
    # An outsider in another tenant, even one who claims the team name, sees nothing.
    await people.set_directory(db, "29:eve", team="Løn", tenant_id="other")
    assert await seen("29:eve", "other") == set()
    org = await _share(db, "29:anna", ("Excel i hele huset", "b", "c"), visibility="org")
    assert await seen("29:carl") == {org}
    assert await seen("29:eve", "other") == set()


async def test_only_the_author_edits_or_withdraws(db: Database) -> None:
    tid = await _share(db, "29:anna", POINTS)
    with pytest.raises(NotFound):
        await takeaways.withdraw_takeaway(db, tid, "29:bo")
    with pytest.raises(NotFound):
        await takeaways.update_takeaway(db, tid, "29:bo", points=("x", "y", "z"))
    changed = await takeaways.update_takeaway(
        db, tid, "29:anna", points=("Budgetter i Power BI", "b", "c")
    )
    assert changed.points[0] == "Budgetter i Power BI"
    # The index follows the edit: the old words are gone, the new ones found.
    assert await search.search_takeaways(db, Viewer("29:bo", T), "pivottabeller") == ()
    assert len(await search.search_takeaways(db, Viewer("29:bo", T), "power bi")) == 1


@pytest.mark.parametrize(
    "points", [("a", "b"), ("a", "", "c"), ("x" * 501, "b", "c")], ids=["two", "empty", "long"]
)
async def test_bad_points_are_refused(db: Database, points: tuple[str, ...]) -> None:
    course_id = await _course(db)
    with pytest.raises(InvalidInput):
        await takeaways.save_takeaway(
            db,
            course_id=course_id,
            user_id="29:a",
            points=points,
            visibility="org",
            language="da",
            consent=True,
        )


async def test_course_end_before_start_is_refused(db: Database) -> None:
    with pytest.raises(InvalidInput, match="before it starts"):
        await takeaways.add_course(
            db, name="X", provider="Y", starts_on=date(2026, 5, 2), ends_on=date(2026, 5, 1)
        )


async def test_hostile_search_text_is_only_words(db: Database) -> None:
    await _share(db, "29:anna", POINTS)
    for query in (
        'excel" OR "*',
        "excel:* | !",
        "NEAR(excel pivot)",
        "'; DROP TABLE takeaway;--",
        "\x00",
    ):
        await search.search_takeaways(db, Viewer("29:bo", T), query)
    async with db.transaction(write=False) as session:
        assert (
            await session.execute(select(func.count()).select_from(takeaway_t))
        ).scalar_one() == 1


async def test_digest_reaches_subscribers_once_a_day_and_only_visible(db: Database) -> None:
    await people.set_directory(db, "29:anna", team="Løn", tenant_id=T)
    await people.remember_person(db, user_id="29:sub", tenant_id=T, destination={"x": 1})
    await people.remember_person(db, user_id="29:far", tenant_id=T, destination={"x": 2})
    await subscriptions.subscribe(db, "29:sub", "topic", "Excel", tenant_id=T)
    await subscriptions.subscribe(db, "29:far", "person", "29:anna", tenant_id=T)
    sub, new = await subscriptions.subscribe(db, "29:sub", "topic", "excel", tenant_id=T)
    assert not new
    t1 = await takeaways.get_takeaway(db, await _share(db, "29:anna", POINTS, visibility="team"))
    assert await subscriptions.queue_for_subscribers(db, t1) == 0  # neither is in Løn
    t2 = await takeaways.get_takeaway(db, await _share(db, "29:anna", POINTS, visibility="org"))
    assert await subscriptions.queue_for_subscribers(db, t2) == 2
    now = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
    day = now - timedelta(hours=9)
    person, items = await subscriptions.claim_digest(db, "29:sub", now=now, day_start=day)
    assert person is not None and [t.id for t in items] == [t2.id]
    t3 = await takeaways.get_takeaway(db, await _share(db, "29:anna", ("Excel igen", "b", "c")))
    await subscriptions.queue_for_subscribers(db, t3)
    # The same day: nothing more; the next day: the new one.
    assert (
        await subscriptions.claim_digest(db, "29:sub", now=now + timedelta(hours=2), day_start=day)
    )[1] == ()
    later = now + timedelta(days=1)
    assert [
        t.id
        for t in (
            await subscriptions.claim_digest(
                db, "29:sub", now=later, day_start=day + timedelta(days=1)
            )
        )[1]
    ] == [t3.id]
    # A withdrawn takeaway never reaches a digest.
    t4 = await takeaways.get_takeaway(db, await _share(db, "29:anna", ("Excel tre", "b", "c")))
    await subscriptions.queue_for_subscribers(db, t4)
    await takeaways.withdraw_takeaway(db, t4.id, "29:anna")
    assert (
        await subscriptions.claim_digest(
            db, "29:sub", now=later + timedelta(days=1), day_start=day + timedelta(days=2)
        )
    )[1] == ()
    assert await subscriptions.unsubscribe(db, "29:bo", subscription_id=sub.id) == 0
    assert await subscriptions.unsubscribe(db, "29:sub", subscription_id=sub.id) == 1


async def test_checkins_are_due_relative_to_course_dates_and_move_once(db: Database) -> None:
    await people.set_directory(db, "29:anna", time_zone="Europe/Copenhagen")
    course_id = await _course(db, starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 5))
    now = datetime(2027, 1, 1, tzinfo=UTC)
    enrolled = await checkins.enrol(db, "29:anna", course_id, now=now)
    assert [c.stage for c in enrolled] == ["week_before", "weeks_after_2", "months_after_3"]
    assert enrolled[0].due_at == datetime(2027, 2, 22, 9, 0, tzinfo=UTC)
    assert enrolled[1].due_at == datetime(2027, 3, 19, 9, 0, tzinfo=UTC)
    assert enrolled[2].due_at == datetime(2027, 6, 5, 8, 0, tzinfo=UTC)  # summer time
    assert len(await checkins.enrol(db, "29:anna", course_id, now=now)) == 3  # no doubles
    assert await checkins.due_checkins(db, now=now) == ()
    due = await checkins.due_checkins(db, now=datetime(2027, 2, 22, 9, 0, tzinfo=UTC))
    assert [c.stage for c in due] == ["week_before"]
    first = await checkins.advance_checkin(
        db, due[0].id, from_status=["pending"], to_status="sent", now=now
    )
    second = await checkins.advance_checkin(
        db, due[0].id, from_status=["pending"], to_status="sent", now=now
    )
    assert first is not None and first.status == "sent" and second is None
    # After the course has started, the "before" stage is not enrolled any more.
    late = await checkins.enrol(db, "29:bo", course_id, now=datetime(2027, 3, 2, tzinfo=UTC))
    assert [c.stage for c in late] == ["weeks_after_2", "months_after_3"]
    with pytest.raises(InvalidInput):
        await checkins.record_checkin_answer(db, due[0].id, "expectations-met", choice=5)
    await checkins.record_checkin_answer(db, due[0].id, "expectations-met", choice=1)
    await checkins.record_checkin_answer(db, due[0].id, "expectations-met", choice=0)
    assert [a.choice for a in await checkins.answers_of(db, due[0].id)] == [0]


async def test_follow_up_moves_and_is_answered_once(db: Database) -> None:
    now = datetime(2027, 1, 1, tzinfo=UTC)
    with pytest.raises(InvalidInput, match="not in the future"):
        await checkins.add_follow_up(
            db, proposal="p", owner_id="29:o", owner_name="O", due_at=now, now=now
        )
    fu = await checkins.add_follow_up(
        db,
        proposal="Videndeling på afdelingsmøder",
        owner_id="29:o",
        owner_name="Ole",
        due_at=now + timedelta(days=30),
        now=now,
    )
    assert await checkins.due_follow_ups(db, now=now) == ()
    due = await checkins.due_follow_ups(db, now=now + timedelta(days=30))
    assert [f.id for f in due] == [fu.id]
    assert await checkins.answer_follow_up(db, fu.id, "ikke spurgt endnu") is None
    asked = await checkins.advance_follow_up(
        db, fu.id, from_status=["open"], to_status="asked", now=now
    )
    assert asked is not None
    answered = await checkins.answer_follow_up(db, fu.id, "Vi holder det hver måned nu")
    assert answered is not None and answered.answer == "Vi holder det hver måned nu"
    assert await checkins.answer_follow_up(db, fu.id, "igen") is None


async def test_forget_removes_every_trace_and_export_holds_it_first(db: Database) -> None:
    await people.set_directory(db, "29:anna", team="Løn", tenant_id=T)
    await people.set_directory(db, "29:bo", manager_id="29:anna", tenant_id=T)
    tid = await _share(db, "29:anna", ("Hemmelighedsfuldt ord zyxwv", "b", "c"))
    await subscriptions.subscribe(db, "29:anna", "topic", "excel")
    await subscriptions.subscribe(db, "29:bo", "person", "29:anna")
    course_id = await _course(db, starts_on=date(2030, 3, 1), ends_on=date(2030, 3, 5))
    (checkin, *_) = await checkins.enrol(
        db, "29:anna", course_id, now=datetime(2027, 1, 1, tzinfo=UTC)
    )
    await checkins.record_checkin_answer(db, checkin.id, "skills", text="Mine forventninger")
    await checkins.add_follow_up(
        db,
        proposal="p",
        owner_id="29:anna",
        owner_name="Anna",
        due_at=datetime(2030, 1, 1, tzinfo=UTC),
    )
    await takeaways.set_dialog(db, "29:anna", kind="course", step="name", data={})
    exported = await export_person(db, "29:anna")
    assert exported["takeaways"][0]["id"] == tid
    assert exported["checkins"][0]["answers"][0]["text"] == "Mine forventninger"
    assert len(exported["subscriptions"]) == 1 and len(exported["follow_ups"]) == 1
    report = await forget_user(db, "29:anna")
    assert report.knowledge_rows >= 7
    after = await export_person(db, "29:anna")
    assert after["person"] is None
    assert all(not after[k] for k in ("takeaways", "subscriptions", "checkins", "follow_ups"))
    assert await search.search_takeaways(db, Viewer("29:bo", T), "zyxwv") == ()
    assert (await people.get_person(db, "29:bo")).manager_id is None
    assert await subscriptions.subscriptions_of(db, "29:bo") == ()
    if db.dialect == "sqlite":
        async with db.transaction(write=False) as session:
            rows = (
                await session.execute(
                    text("SELECT count(*) FROM fts_takeaway WHERE fts_takeaway MATCH 'zyxwv'")
                )
            ).scalar_one()
        assert rows == 0


async def test_search_widens_past_newest_invisible_matches(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the newest matches are ranked first; when they hold too few the viewer may see,
    the search looks further, so an old visible takeaway is still found."""
    monkeypatch.setattr(search, "CANDIDATES", (2, 4, None))  # SQLite: newest matches
    monkeypatch.setattr(search, "PG_WINDOWS", (3, None))  # PostgreSQL: newest takeaways
    old = await _share(db, "29:anna", ("Excel gammel", "b", "c"), visibility="org")
    for n in range(6):  # newer, and hidden from Bo
        await _share(db, f"29:x{n}", (f"Excel ny {n}", "b", "c"), visibility="manager")
    hits = await search.search_takeaways(db, Viewer("29:bo", T), "excel", limit=3)
    assert [h.takeaway.id for h in hits] == [old]
    two = await search.search_takeaways(db, Viewer("29:bo", T), "excel gammel", limit=3)
    assert [h.takeaway.id for h in two] == [old]
