"""The knowledge bank's timed work: check-ins, reminders, follow-ups, daily digests.

Everything due is kept in the bank's own tables with its status, so the work is a sweep:
:func:`sweep` sends what is due at ``ctx.now()`` and moves each item on with a conditional
update (``pending`` → ``sent`` only if still ``pending``), so two bot instances sweeping one
database never send the same check-in twice, and a sweep after a restart picks up whatever
was due meanwhile. The durable job runner (issue 19) runs :func:`sweep` every quarter hour
as the job ``kb_sweep`` (:mod:`dialogs.knowledge.jobs`).

Rules: a check-in is written at 10:00 in the person's time zone on its day (or as soon as
their quiet hours end; weekends are quiet); unanswered, it is repeated once after
:data:`~storage.knowledge.timing.REMIND_AFTER`, then closed after
:data:`~storage.knowledge.timing.STOP_AFTER`. A digest goes at most once per local day.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from dialogs.conversation.channel import Channel, Content
from dialogs.knowledge import cards
from dialogs.knowledge.checkin import KIND as CHECKIN_KIND
from dialogs.knowledge.checkin import checkin_message, scale_questions
from dialogs.knowledge.follow_up import KIND as FOLLOW_UP_KIND
from dialogs.knowledge.follow_up import follow_up_question
from storage.db import Database
from storage.knowledge import checkins, people, subscriptions, takeaways
from storage.knowledge.people import DEFAULT_TIME_ZONE
from storage.knowledge.records import CheckinRecord, CheckinStatus, FollowUpRecord, PersonRecord
from storage.knowledge.timing import REMIND_AFTER, STOP_AFTER, in_quiet_hours, local_day_start

__all__ = ["Context", "SweepReport", "sweep"]

log = logging.getLogger(__name__)

#: A dialog untouched this long no longer holds a check-in back.
STALE_DIALOG = timedelta(hours=12)


class Context(Protocol):
    """What timed work needs: the database, the channel, and the time (injectable)."""

    @property
    def db(self) -> Database: ...

    @property
    def channel(self) -> Channel: ...

    def now(self) -> datetime: ...


@dataclass
class SweepReport:
    """What one sweep did (counts only)."""

    checkins_sent: int = 0
    reminders_sent: int = 0
    stopped: int = 0
    follow_ups_asked: int = 0
    digests_sent: int = 0
    deferred: int = 0
    undeliverable: int = 0


def _quiet(person: PersonRecord | None, now: datetime) -> bool:
    if person is None:
        return in_quiet_hours(now, DEFAULT_TIME_ZONE, 20, 8)
    return in_quiet_hours(now, person.time_zone, person.quiet_from, person.quiet_to)


async def _deliver(ctx: Context, person: PersonRecord | None, content: Content) -> bool:
    """Send to the person's 1:1 chat; False when there is none or the send was given up."""
    if person is None or not person.destination:
        return False
    sent = await ctx.channel.send(person.destination, content)
    return sent is not None


async def _busy(db: Database, user_id: str, now: datetime, kind: str) -> bool:
    """Whether another dialog is going on in the person's 1:1 chat (a typed check-in or
    follow-up would take its answers)."""
    dialog = await takeaways.get_dialog(db, user_id)
    return dialog is not None and dialog.kind != kind and now - dialog.updated_at < STALE_DIALOG


async def _send_checkin(
    ctx: Context, checkin: CheckinRecord, person: PersonRecord | None, *, reminder: bool
) -> bool:
    lang = person.language if person else "da"
    typed = not scale_questions(checkin.plan_key, lang)
    if typed:
        await takeaways.set_dialog(
            ctx.db,
            checkin.user_id,
            kind=CHECKIN_KIND,
            step="0",
            data={"lang": lang, "checkin": checkin.id},
        )
    return await _deliver(ctx, person, checkin_message(checkin, lang, reminder=reminder))


#: A check-in this late (the bot was down) is not sent any more.
TOO_LATE = timedelta(days=14)


def _too_late(checkin: CheckinRecord, now: datetime) -> bool:
    if checkin.stage == "week_before" and now.date() >= checkin.course.starts_on:
        return True
    return now - checkin.due_at > TOO_LATE


async def _checkins(ctx: Context, report: SweepReport) -> None:
    db, now = ctx.db, ctx.now()
    stages: tuple[tuple[CheckinStatus, CheckinStatus, datetime | None], ...] = (
        ("pending", "sent", None),
        ("sent", "reminded", now - REMIND_AFTER),
    )
    for from_status, to_status, before in stages:
        due = await checkins.due_checkins(db, now=now, status=from_status, before=before)
        found = await people.get_people(db, sorted({c.user_id for c in due}))
        for checkin in due:
            person = found.get(checkin.user_id)
            if from_status == "pending" and _too_late(checkin, now):
                # Expectations asked after the course began, or anything long overdue (the
                # bot was down): no longer worth asking.
                if await checkins.advance_checkin(
                    db, checkin.id, from_status=["pending"], to_status="stopped", now=now
                ):
                    report.stopped += 1
                continue
            lang = person.language if person else "da"
            typed = not scale_questions(checkin.plan_key, lang)
            if _quiet(person, now) or (
                typed and await _busy(db, checkin.user_id, now, CHECKIN_KIND)
            ):
                report.deferred += 1
                continue
            moved = await checkins.advance_checkin(
                db,
                checkin.id,
                from_status=[from_status],
                to_status=to_status,
                now=now,
            )
            if moved is None:  # another instance took it
                continue
            if await _send_checkin(ctx, moved, person, reminder=to_status == "reminded"):
                if to_status == "sent":
                    report.checkins_sent += 1
                else:
                    report.reminders_sent += 1
                continue
            # Not delivered: put it back, so the next sweep tries again (nothing is lost).
            report.undeliverable += 1
            dialog = await takeaways.get_dialog(db, checkin.user_id)
            if dialog and dialog.kind == CHECKIN_KIND and dialog.data.get("checkin") == checkin.id:
                await takeaways.clear_dialog(db, checkin.user_id)
            await checkins.advance_checkin(
                db,
                checkin.id,
                from_status=[to_status],
                to_status=from_status,
                now=now,
            )
    for checkin in await checkins.due_checkins(
        db, now=now, status="reminded", before=now - STOP_AFTER
    ):
        if await checkins.advance_checkin(
            db, checkin.id, from_status=["reminded"], to_status="stopped", now=now
        ):
            report.stopped += 1
            dialog = await takeaways.get_dialog(db, checkin.user_id)
            if dialog and dialog.kind == CHECKIN_KIND and dialog.data.get("checkin") == checkin.id:
                await takeaways.clear_dialog(db, checkin.user_id)


async def _ask_follow_up(
    ctx: Context, follow_up: FollowUpRecord, person: PersonRecord | None, *, reminder: bool
) -> bool:
    lang = person.language if person else "da"
    await takeaways.set_dialog(
        ctx.db,
        follow_up.owner_id,
        kind=FOLLOW_UP_KIND,
        step="answer",
        data={"lang": lang, "follow_up": follow_up.id},
    )
    content = follow_up_question(follow_up, lang, reminder=reminder)
    if person is not None and person.destination:
        return await _deliver(ctx, person, content)
    if follow_up.origin:
        # The owner never wrote to the bot: their 1:1 chat opens from the workshop's chat.
        return (
            await ctx.channel.send_private(follow_up.origin, follow_up.owner_id, content)
            is not None
        )
    return False


async def _follow_ups(ctx: Context, report: SweepReport) -> None:
    db, now = ctx.db, ctx.now()
    for follow_up in await checkins.due_follow_ups(db, now=now):
        person = (await people.get_people(db, [follow_up.owner_id])).get(follow_up.owner_id)
        if _quiet(person, now) or await _busy(db, follow_up.owner_id, now, FOLLOW_UP_KIND):
            report.deferred += 1
            continue
        moved = await checkins.advance_follow_up(
            db, follow_up.id, from_status=["open"], to_status="asked", now=now
        )
        if moved is None:
            continue
        if await _ask_follow_up(ctx, moved, person, reminder=False):
            report.follow_ups_asked += 1
        else:
            report.undeliverable += 1
            await checkins.advance_follow_up(
                db, follow_up.id, from_status=["asked"], to_status="open", now=now
            )


async def _digests(ctx: Context, report: SweepReport) -> None:
    db, now = ctx.db, ctx.now()
    for user_id in await subscriptions.pending_digest_users(db):
        person = (await people.get_people(db, [user_id])).get(user_id)
        if person is None or not person.destination or _quiet(person, now):
            report.deferred += 1
            continue
        claimed, items = await subscriptions.claim_digest(
            db, user_id, now=now, day_start=local_day_start(now, person.time_zone)
        )
        if not items:
            continue
        if await _deliver(ctx, claimed, cards.digest_card(items, person.language)):
            report.digests_sent += 1
        else:
            report.undeliverable += 1
            await subscriptions.unclaim_digest(
                db, user_id, [t.id for t in items], previous=person.last_digest_at
            )


async def sweep(ctx: Context) -> SweepReport:
    """Send everything due at ``ctx.now()`` (see the module docstring)."""
    report = SweepReport()
    await _checkins(ctx, report)
    await _follow_ups(ctx, report)
    await _digests(ctx, report)
    log.info(
        "knowledge sweep: %d check-ins, %d reminders, %d follow-ups, %d digests sent; "
        "%d deferred, %d undeliverable, %d closed",
        report.checkins_sent,
        report.reminders_sent,
        report.follow_ups_asked,
        report.digests_sent,
        report.deferred,
        report.undeliverable,
        report.stopped,
    )
    return report
