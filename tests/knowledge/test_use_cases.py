"""The knowledge bank end to end on the channel seam: real database (SQLite and PostgreSQL),
Teams-shaped incoming messages, a recording channel, injected time.

One person shares a takeaway; another finds it with "hvem ved" and is put in touch; a third
subscribed and gets it in a digest; check-ins fire at their time, remind once and stop;
follow-ups reach their owner; nobody answers someone else's check-in.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from dialogs.commands import parse_command
from dialogs.conversation.channel import Incoming
from dialogs.knowledge import entry, timed
from storage.db import Database
from storage.knowledge import checkins, people, subscriptions, takeaways
from storage.knowledge.search import MARK_START
from tests.knowledge.fakes import Ctx, FakeChannel, group, personal

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Copenhagen


async def say(db: Database, ch: FakeChannel, inc: Incoming, now: datetime = NOW) -> None:
    """What the message handler does with a message (see dialogs/knowledge/entry.py)."""
    if await entry.continue_dialog(db, ch, inc, now=now):
        return
    if inc.value is not None:
        assert await entry.on_submit(db, ch, inc, now=now)
        return
    command = parse_command(inc.text)
    assert command is not None, inc.text
    assert await entry.handle_command(db, ch, inc, command, now=now)


def last(ch: FakeChannel, user: str) -> Any:
    return ch.to(f"a:{user}")[-1].content


async def share_takeaway(
    db: Database, ch: FakeChannel, user: str, name: str, points: list[str], visibility: str = "org"
) -> int:
    for message in [
        "kursus",
        "Projektledelse i praksis",
        "Business Academy Aarhus",
        "1/9/2026 - 3/9/2026",
        "Akademi",
        *points,
    ]:
        await say(db, ch, personal(user, message, name=name))
    card = last(ch, user)
    assert card["type"] == "AdaptiveCard" and len(card["actions"]) == 3  # visibility
    await say(db, ch, personal(user, value={"wb": "kb_visibility", "v": visibility}, name=name))
    consent = last(ch, user)
    data = consent["actions"][0]["data"]
    assert data["wb"] == "kb_consent" and data["yes"] is True
    await say(db, ch, personal(user, value=data, name=name))
    assert "delt" in last(ch, user)
    return int(data["takeaway"])


async def test_shared_takeaway_is_found_put_in_touch_and_digested(db: Database) -> None:
    ch = FakeChannel()
    # A third colleague subscribes first (and so has a 1:1 chat the bot knows).
    await say(db, ch, personal("29:carl", "abonnér Excel", name="Carl"))
    assert "abonnerer nu" in last(ch, "29:carl")
    tid = await share_takeaway(
        db,
        ch,
        "29:anna",
        "Anna",
        [
            "Pivottabeller i Excel sparer timer",
            "Tal med interessenter før start",
            "Korte møder *hver* mandag",
        ],
    )
    # Another colleague searches and finds it, with the matched word in bold.
    await say(db, ch, personal("29:bo", "hvem ved pivottabeller", name="Bo"))
    results = last(ch, "29:bo")
    assert results["type"] == "AdaptiveCard"
    shown = " ".join(b.get("text", "") for b in results["body"])
    assert "**Pivottabeller**" in shown and "Anna" in shown and MARK_START not in shown
    buttons = [a["data"] for b in results["body"] if b["type"] == "ActionSet" for a in b["actions"]]
    contact, follow = buttons[0], buttons[1]
    assert contact == {"wb": "kb_contact", "takeaway": tid}
    assert follow == {"wb": "kb_follow", "takeaway": tid}
    assert "29:anna" not in str(results)  # the author's id is never shown
    await say(db, ch, personal("29:bo", value=contact, name="Bo"))
    to_bo, to_anna = last(ch, "29:bo"), last(ch, "29:anna")
    assert to_bo["msteams"]["entities"][0]["mentioned"]["id"] == "29:anna"
    assert to_anna["msteams"]["entities"][0]["mentioned"]["id"] == "29:bo"
    assert "@" not in str(to_bo).replace("<at>", "").replace("</at>", "").replace("@thread", "")
    # Bo follows Anna from the result (he never learns her id).
    await say(db, ch, personal("29:bo", value=follow, name="Bo"))
    assert "abonnerer nu på personen: Anna" in last(ch, "29:bo")
    # The digest reaches Carl once, at the sweep; a second sweep the same day sends nothing.
    ctx = Ctx(db, ch, NOW)
    report = await timed.sweep(ctx)
    assert report.digests_sent == 1
    digest = last(ch, "29:carl")
    assert "Nyt fra kolleger" in digest["body"][0]["text"]
    assert any("\\*hver\\*" in b["text"] for b in digest["body"])  # verbatim, escaped
    assert (await timed.sweep(ctx)).digests_sent == 0


async def test_a_digest_given_up_is_sent_at_the_next_sweep(db: Database) -> None:
    ch = FakeChannel()
    await say(db, ch, personal("29:carl", "subscribe excel", name="Carl"))
    await share_takeaway(db, ch, "29:anna", "Anna", ["Excel a", "b", "c"])
    ctx = Ctx(db, ch, NOW)
    ch.fail = 1
    first = await timed.sweep(ctx)
    assert first.digests_sent == 0 and first.undeliverable == 1
    ctx.at += timedelta(minutes=15)
    assert (await timed.sweep(ctx)).digests_sent == 1
    assert "Excel a" in str(last(ch, "29:carl"))


async def test_search_from_a_group_chat_is_answered_privately_with_nothing_shown(
    db: Database,
) -> None:
    ch = FakeChannel()
    await share_takeaway(db, ch, "29:anna", "Anna", ["Excel a", "b", "c"])
    await say(db, ch, group("29:bo", "hvem ved excel"))
    assert ch.to("19:workshop@thread.v2") == []
    assert ch.sent[-1].private_to == "29:bo" and "1:1" in ch.sent[-1].text


async def test_takeaway_hidden_from_outside_its_team_even_with_a_forged_card(db: Database) -> None:
    ch = FakeChannel()
    await people.set_directory(db, "29:anna", team="Løn", tenant_id="t1")
    await people.set_directory(db, "29:eve", team="IT", tenant_id="t1")
    tid = await share_takeaway(
        db, ch, "29:anna", "Anna", ["Lønsystemet kan mere", "b", "c"], visibility="team"
    )
    await say(db, ch, personal("29:eve", "hvem ved lønsystemet"))
    assert isinstance(last(ch, "29:eve"), str)  # "no results"
    before = len(ch.to("a:29:anna"))
    await say(db, ch, personal("29:eve", value={"wb": "kb_contact", "takeaway": tid}))
    assert "ikke aktivt" in last(ch, "29:eve")
    assert len(ch.to("a:29:anna")) == before  # the author is not told
    await say(db, ch, personal("29:eve", value={"wb": "kb_follow", "takeaway": tid}))
    assert "ikke aktivt" in last(ch, "29:eve")
    assert await subscriptions.subscriptions_of(db, "29:eve") == ()
    # Withdrawing, editing or sharing someone else's takeaway is refused the same way as a
    # missing one.
    await say(db, ch, personal("29:eve", f"kursus træk {tid}"))
    assert "ingen nøglepunkter med nummer" in last(ch, "29:eve")
    assert (await takeaways.get_takeaway(db, tid)).withdrawn_at is None


async def test_consent_no_keeps_it_private_until_shared(db: Database) -> None:
    ch = FakeChannel()
    for message in ["course", "Data literacy", "Academy", "2026-09-01", "-", "One", "Two", "Three"]:
        await say(db, ch, personal("29:anna", message, locale="en-GB"))
    await say(db, ch, personal("29:anna", "2"))
    consent = last(ch, "29:anna")
    assert "This is how it looks" in consent["body"][0]["text"]
    await say(db, ch, personal("29:anna", "no"))
    assert "not shared" in last(ch, "29:anna").lower() or "Saved" in last(ch, "29:anna")
    await say(db, ch, personal("29:bo", "who knows data literacy"))
    assert "No shared key points" in last(ch, "29:bo")
    tid = (await takeaways.takeaways_of(db, "29:anna"))[0].id
    await say(db, ch, personal("29:anna", f"course share {tid}"))
    await say(db, ch, personal("29:bo", "who knows data literacy"))
    assert last(ch, "29:bo")["type"] == "AdaptiveCard"


async def test_help_and_a_new_kursus_are_not_taken_for_an_answer(db: Database) -> None:
    ch = FakeChannel()
    await say(db, ch, personal("29:anna", "kursus"))
    assert not await entry.continue_dialog(db, ch, personal("29:anna", "hjælp"))
    assert not await entry.continue_dialog(db, ch, personal("29:anna", "glem mig"))
    assert await entry.continue_dialog(db, ch, personal("29:anna", "Excel"))
    dialog = await takeaways.get_dialog(db, "29:anna")
    assert dialog is not None and dialog.data["name"] == "Excel"


async def test_bad_dates_are_explained_and_the_dialog_waits(db: Database) -> None:
    ch = FakeChannel()
    for message in ["kursus", "Excel", "AMU"]:
        await say(db, ch, personal("29:anna", message))
    await say(db, ch, personal("29:anna", "i sidste uge"))
    assert "kan jeg ikke læse" in last(ch, "29:anna")
    await say(db, ch, personal("29:anna", "3/9/2026 - 1/9/2026"))
    assert "kan jeg ikke læse" in last(ch, "29:anna")
    dialog = await takeaways.get_dialog(db, "29:anna")
    assert dialog is not None and dialog.step == "dates"
    await say(db, ch, personal("29:anna", "annuller"))
    assert await takeaways.get_dialog(db, "29:anna") is None


async def _course_ahead(db: Database, ch: FakeChannel, user: str) -> None:
    for message in ["kursus", "Forandringsledelse", "Diplom", "1/2/2027 - 5/2/2027", "Diplom"]:
        await say(db, ch, personal(user, message))
    assert "ikke slut endnu" in last(ch, user)


async def test_checkins_fire_at_their_time_remind_once_and_stop(db: Database) -> None:
    ch = FakeChannel()
    await _course_ahead(db, ch, "29:anna")
    ctx = Ctx(db, ch, datetime(2027, 1, 25, 8, 59, tzinfo=UTC))
    assert (await timed.sweep(ctx)).checkins_sent == 0  # a minute early
    ctx.at = datetime(2027, 1, 25, 9, 0, tzinfo=UTC)  # Monday 10:00 local, a week before
    assert (await timed.sweep(ctx)).checkins_sent == 1
    first = last(ch, "29:anna")
    assert isinstance(first, str) and "forventninger" in first and "Hvad skal jeg kunne" in first
    assert (await timed.sweep(ctx)).checkins_sent == 0  # never twice
    # Not answered: one reminder after three days, then it stops.
    ctx.at += timedelta(days=3)
    assert (await timed.sweep(ctx)).reminders_sent == 1
    assert "Påmindelse" in last(ch, "29:anna")
    ctx.at += timedelta(days=3)
    assert (await timed.sweep(ctx)).reminders_sent == 0
    ctx.at += timedelta(days=1, hours=1)
    report = await timed.sweep(ctx)
    assert report.stopped == 1
    assert await takeaways.get_dialog(db, "29:anna") is None
    sent = len(ch.to("a:29:anna"))
    ctx.at += timedelta(days=30)
    await timed.sweep(ctx)
    assert not [s for s in ch.to("a:29:anna")[sent:] if "Hvad skal jeg kunne" in s.text]


async def test_typed_before_course_answers_are_stored(db: Database) -> None:
    ch = FakeChannel()
    await _course_ahead(db, ch, "29:anna")
    ctx = Ctx(db, ch, datetime(2027, 1, 25, 9, 0, tzinfo=UTC))
    await timed.sweep(ctx)
    for answer in ["Lede forandringer", "At lytte", "Ro i maven", "Bedre forløb"]:
        await say(db, ch, personal("29:anna", answer), now=ctx.at)
    assert "Tak for dine svar" in last(ch, "29:anna")
    (checkin,) = [c for c in await checkins.due_checkins(db, now=ctx.at, status="answered")]
    answers = await checkins.answers_of(db, checkin.id)
    assert [a.text for a in answers] == [
        "Lede forandringer",
        "At lytte",
        "Ro i maven",
        "Bedre forløb",
    ]


async def test_quiet_hours_and_weekends_defer_a_checkin(db: Database) -> None:
    ch = FakeChannel()
    await people.set_directory(db, "29:anna", time_zone="America/New_York", quiet_hours=(20, 8))
    await _course_ahead(db, ch, "29:anna")
    # Due Monday 10:00 New York = 15:00 UTC; at 09:00 UTC (04:00 there) nothing goes.
    ctx = Ctx(db, ch, datetime(2027, 1, 25, 12, 0, tzinfo=UTC))
    assert (await timed.sweep(ctx)).checkins_sent == 0
    ctx.at = datetime(2027, 1, 25, 15, 0, tzinfo=UTC)
    assert (await timed.sweep(ctx)).checkins_sent == 1
    # A digest queued on a Saturday waits for Monday.
    await say(db, ch, personal("29:carl", "abonnér kursus Forandringsledelse"))
    await people.set_directory(db, "29:carl", tenant_id="t1")
    await share_takeaway(db, ch, "29:bo", "Bo", ["a", "b", "c"])


async def test_transfer_card_answer_only_by_its_owner(db: Database) -> None:
    ch = FakeChannel()
    await _course_ahead(db, ch, "29:anna")
    ctx = Ctx(db, ch, datetime(2027, 2, 19, 9, 0, tzinfo=UTC))  # 2 weeks after the end
    report = await timed.sweep(ctx)
    # The "before" check-in, never sent (the bot was down), is not sent after the start.
    assert report.checkins_sent == 1 and report.stopped == 1
    cards = [s.content for s in ch.to("a:29:anna") if isinstance(s.content, dict)]
    card = cards[-1]
    submit = dict(card["actions"][0]["data"])
    choices = [b for b in card["body"] if b.get("type") == "Input.ChoiceSet"]
    assert len(choices) == 3 and len(choices[0]["choices"]) == 5
    answer = {**submit, **{c["id"]: "1" for c in choices}, "comment": "Godt", "share": "false"}
    # Someone else submitting Anna's card (a forwarded or forged card) is refused.
    await say(db, ch, personal("29:eve", value=answer), now=ctx.at)
    assert "ikke aktivt" in last(ch, "29:eve")
    assert await checkins.answers_of(db, submit["checkin"]) == ()
    # An incomplete card is sent back.
    await say(db, ch, personal("29:anna", value={**submit, "comment": "x"}), now=ctx.at)
    assert "hvert spørgsmål" in last(ch, "29:anna")
    await say(db, ch, personal("29:anna", value=answer), now=ctx.at)
    assert "Tak for dine svar" in last(ch, "29:anna")
    stored = await checkins.answers_of(db, submit["checkin"])
    assert sorted((a.question_id, a.choice, a.text) for a in stored) == [
        ("comment", None, "Godt"),
        ("equipped", 1, None),
        ("expectations-met", 1, None),
        ("teach-others", 1, None),
    ]
    # After answering, the card is closed (a second submit changes nothing).
    await say(db, ch, personal("29:anna", value={**answer, "q_equipped": "4"}), now=ctx.at)
    assert "lukket" in last(ch, "29:anna")


async def test_two_instances_send_each_checkin_once(db: Database) -> None:
    """Two sweeps at once on one database (two bot instances): every check-in goes once."""
    ch = FakeChannel()
    course = await takeaways.add_course(
        db, name="K", provider="P", starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 2)
    )
    for n in range(30):
        await people.remember_person(
            db, user_id=f"29:u{n}", destination={"conversation": {"id": f"a:29:u{n}"}}
        )
        await checkins.enrol(db, f"29:u{n}", course.id, now=NOW, stages=("weeks_after_2",))
    at = datetime(2027, 3, 16, 9, 0, tzinfo=UTC)
    a, b = Ctx(db, ch, at), Ctx(db, ch, at)
    reports = await asyncio.gather(timed.sweep(a), timed.sweep(b))
    assert sum(r.checkins_sent for r in reports) == 30
    assert len(ch.sent) == 30 and len({s.conversation for s in ch.sent}) == 30


async def test_two_bot_processes_on_one_database_send_each_checkin_once(
    db: Database, tmp_path: Path
) -> None:
    """Two separate processes (two bot instances, own engines and pools) sweep one database
    at the same moment: 200 due check-ins are sent 200 times in all, each once."""
    course = await takeaways.add_course(
        db, name="K", provider="P", starts_on=date(2027, 3, 1), ends_on=date(2027, 3, 2)
    )
    for n in range(200):
        await people.remember_person(
            db, user_id=f"29:u{n}", destination={"conversation": {"id": f"a:29:u{n}"}}
        )
        await checkins.enrol(db, f"29:u{n}", course.id, now=NOW, stages=("weeks_after_2",))
    start = tmp_path / "go"
    script = Path(__file__).with_name("sweeper_process.py")
    at = datetime(2027, 3, 16, 9, 0, tzinfo=UTC).isoformat()
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            str(script),
            db.url,
            at,
            str(start),
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    await asyncio.sleep(1.5)  # both processes up and waiting
    start.touch()
    outputs = [await asyncio.wait_for(p.communicate(), timeout=120) for p in procs]
    results = []
    for (out, err), proc in zip(outputs, procs, strict=True):
        assert proc.returncode == 0, err.decode()
        results.append(json.loads(out.decode().strip().splitlines()[-1]))
    sent = [c for r in results for c in r["sent"]]
    assert len(sent) == 200 and len(set(sent)) == 200
    assert all(r["report"] > 0 for r in results) or db.dialect == "sqlite"


async def test_a_send_given_up_is_tried_again_not_lost(db: Database) -> None:
    ch = FakeChannel(fail=1)
    await _course_ahead(db, ch, "29:anna")
    ctx = Ctx(db, ch, datetime(2027, 1, 25, 9, 0, tzinfo=UTC))
    ch.fail = 1
    report = await timed.sweep(ctx)
    assert report.checkins_sent == 0 and report.undeliverable == 1
    ctx.at += timedelta(minutes=15)
    assert (await timed.sweep(ctx)).checkins_sent == 1


async def test_follow_up_from_a_proposal_reaches_its_owner(db: Database) -> None:
    ch = FakeChannel()
    ole = (("29:ole", "Ole"),)
    text = "opfølgning @Ole 1/2/2027: Videndeling på afdelingsmøder"
    command = parse_command(text)
    assert command is not None
    # A participant cannot make one; a facilitator can.
    await entry.handle_command(
        db, ch, group("29:bo", text, mentions=ole), command, facilitator=False, now=NOW
    )
    assert ch.sent[-1].private_to == "29:bo"
    await entry.handle_command(
        db,
        ch,
        group("29:fac", text, mentions=ole),
        command,
        facilitator=True,
        workshop_id=None,
        series_id=None,
        now=NOW,
    )
    created = ch.to("19:workshop@thread.v2")[-1].content
    assert created["msteams"]["entities"][0]["mentioned"]["id"] == "29:ole"
    ctx = Ctx(db, ch, datetime(2027, 2, 1, 9, 0, tzinfo=UTC))
    assert (await timed.sweep(ctx)).follow_ups_asked == 1
    asked = ch.sent[-1]
    assert asked.private_to == "29:ole" and "Videndeling" in asked.text
    await say(db, ch, personal("29:ole", "Vi gør det hver måned nu"), now=ctx.at)
    assert "næste opsummering" in last(ch, "29:ole")
    (fu,) = await checkins.due_follow_ups(db, now=ctx.at, status="answered")
    assert fu.answer == "Vi gør det hver måned nu"


async def test_report_card_for_managers_and_operators_only(db: Database) -> None:
    ch = FakeChannel()
    await people.set_directory(db, "29:mette", org="HK", tenant_id="t1")
    await people.set_directory(
        db, "29:anna", org="HK", team="Løn", manager_id="29:mette", tenant_id="t1"
    )
    await people.set_directory(db, "29:bo", org="HK", team="IT", tenant_id="t1")
    command = parse_command("transferrapport")
    assert command is not None
    await entry.handle_command(db, ch, personal("29:bo", "transferrapport"), command)
    assert "ledere og administratorer" in last(ch, "29:bo")
    await entry.handle_command(db, ch, personal("29:mette", "transferrapport"), command)
    card = last(ch, "29:mette")
    assert "Løn" in card["body"][0]["text"] and "IT" not in card["body"][0]["text"]
    await entry.handle_command(
        db, ch, personal("29:op", "transferrapport"), command, operators=frozenset({"29:op"})
    )
    assert "alle teams" in last(ch, "29:op")["body"][0]["text"]
