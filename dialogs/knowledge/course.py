"""``kursus`` / ``course``: a short guided dialog in the 1:1 chat.

Course name → provider → dates → level (optional) → three key points → who may see them →
consent. The state is one row per person (:func:`storage.knowledge.takeaways.set_dialog`),
so it survives restarts and any bot instance continues it. A course that has not ended yet
gets no key points: the person is enrolled in its check-ins instead (one week before, two
weeks and three months after), and is asked for the key points after it.

Also: ``kursus mine`` lists one's takeaways; ``kursus del <nr>`` shares a draft;
``kursus træk <nr>`` withdraws one; ``kursus ret <nr>`` rewrites its points.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from analysis.escape import escape_markdown
from dialogs.conversation.channel import Channel, Incoming
from dialogs.knowledge import cards
from dialogs.knowledge._common import now_utc, person_of, remember, reply, sender_lang
from dialogs.knowledge.parse import (
    CANCEL_WORDS,
    SKIP_WORDS,
    parse_dates,
    parse_visibility,
    parse_yes_no,
)
from dialogs.permissions import may_edit_takeaway
from dialogs.texts import text
from storage.db import Database
from storage.errors import InvalidInput, NotFound
from storage.knowledge import checkins, subscriptions, takeaways
from storage.knowledge.records import DialogRecord, TakeawayRecord
from storage.knowledge.takeaways import MAX_POINT_CHARS

__all__ = ["KIND", "continue_course", "on_consent", "on_visibility", "start_course"]

log = logging.getLogger(__name__)

KIND = "course"
_STEPS = (
    "name",
    "provider",
    "dates",
    "level",
    "point1",
    "point2",
    "point3",
    "visibility",
    "consent",
)


def _local_today(now: datetime) -> date:
    from zoneinfo import ZoneInfo

    return now.astimezone(ZoneInfo("Europe/Copenhagen")).date()


async def start_course(
    db: Database,
    channel: Channel,
    incoming: Incoming,
    argument: str = "",
    *,
    lang: str | None = None,
    now: datetime | None = None,
) -> None:
    """The ``kursus`` command (1:1 chat): start the dialog, or a sub-command."""
    language = sender_lang(incoming, lang)
    await remember(db, incoming, language)
    words = argument.strip().split()
    sub = words[0].lower() if words else ""
    if sub in ("mine", "mit", "my", "mine.", "list"):
        await _list_mine(db, channel, incoming, language)
        return
    if sub in ("del", "share", "træk", "withdraw", "ret", "edit"):
        number = _number(words[1] if len(words) > 1 else "")
        if number is None:
            reply(channel, incoming, text("kb_need_number", language, command=f"kursus {sub}"))
            return
        await _act_on(db, channel, incoming, sub, number, language, now=now)
        return
    await takeaways.set_dialog(
        db, incoming.sender.id, kind=KIND, step="name", data={"lang": language}
    )
    reply(channel, incoming, text("kb_ask_course_name", language))


def _number(value: str) -> int | None:
    value = value.strip().lstrip("#")
    return int(value) if value.isdigit() and 0 < int(value) < 2**31 else None


async def _list_mine(db: Database, channel: Channel, incoming: Incoming, lang: str) -> None:
    mine = await takeaways.takeaways_of(db, incoming.sender.id)
    if not mine:
        reply(channel, incoming, text("kb_none_yet", lang))
        return
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": text("kb_mine_title", lang), "weight": "Bolder", "wrap": True}
    ]
    for takeaway in mine:
        state = (
            "kb_state_withdrawn"
            if takeaway.withdrawn_at
            else "kb_state_shared"
            if takeaway.consent_at
            else "kb_state_draft"
        )
        body.append(
            {
                "type": "TextBlock",
                "wrap": True,
                "spacing": "Medium",
                "text": f"**#{takeaway.id}** {cards.course_line(takeaway)} – "
                + text(state, lang, who=text(f"kb_vis_{takeaway.visibility}", lang)),
            }
        )
        body.extend(
            {
                "type": "TextBlock",
                "wrap": True,
                "spacing": "None",
                "text": f"{n}. {escape_markdown(p)}",
            }
            for n, p in enumerate(takeaway.points, 1)
        )
    body.append(
        {
            "type": "TextBlock",
            "wrap": True,
            "isSubtle": True,
            "size": "Small",
            "text": text("kb_mine_hint", lang),
        }
    )
    reply(channel, incoming, {**cards.notice("", ""), "body": body})


async def _act_on(
    db: Database,
    channel: Channel,
    incoming: Incoming,
    sub: str,
    takeaway_id: int,
    lang: str,
    *,
    now: datetime | None,
) -> None:
    try:
        found = await takeaways.get_takeaway(db, takeaway_id)
    except NotFound:
        found = None
    # Someone else's takeaway and a missing one get the same answer: no probing of ids.
    if found is None or not may_edit_takeaway(person_of(incoming), author_id=found.user_id):
        reply(channel, incoming, text("kb_not_yours", lang, number=takeaway_id))
        return
    if sub in ("del", "share"):
        shared = await takeaways.publish_takeaway(db, takeaway_id, incoming.sender.id)
        await _after_publish(db, shared, now=now)
        reply(
            channel,
            incoming,
            text("kb_shared", lang, who=text(f"kb_vis_{shared.visibility}", lang)),
        )
    elif sub in ("træk", "withdraw"):
        await takeaways.withdraw_takeaway(db, takeaway_id, incoming.sender.id)
        reply(channel, incoming, text("kb_withdrawn", lang, number=takeaway_id))
    else:
        await takeaways.set_dialog(
            db,
            incoming.sender.id,
            kind=KIND,
            step="point1",
            data={"lang": lang, "edit": takeaway_id},
        )
        reply(channel, incoming, text("kb_ask_point", lang, n=1))


async def _after_publish(db: Database, takeaway: TakeawayRecord, *, now: datetime | None) -> None:
    """A published takeaway reaches its subscribers' next digest; its author gets the
    after-course check-ins still ahead."""
    queued = await subscriptions.queue_for_subscribers(db, takeaway)
    await checkins.enrol(
        db,
        takeaway.user_id,
        takeaway.course.id,
        now=now_utc(now),
        stages=("weeks_after_2", "months_after_3"),
    )
    log.info("takeaway %d published; queued for %d subscribers", takeaway.id, queued)


async def continue_course(
    db: Database,
    channel: Channel,
    incoming: Incoming,
    dialog: DialogRecord,
    *,
    now: datetime | None = None,
) -> None:
    """One typed message of the ``kursus`` dialog."""
    data = dict(dialog.data)
    lang = data.get("lang", "da")
    value = incoming.text.strip()
    user = incoming.sender.id
    if value.lower() in CANCEL_WORDS:
        await takeaways.clear_dialog(db, user)
        reply(channel, incoming, text("kb_cancelled", lang))
        return
    step = dialog.step

    async def go(next_step: str, prompt: str | dict[str, Any]) -> None:
        await takeaways.set_dialog(db, user, kind=KIND, step=next_step, data=data)
        reply(channel, incoming, prompt)

    if step in ("name", "provider"):
        if not value or len(value) > 300:
            reply(channel, incoming, text("kb_bad_name", lang, limit=300))
            return
        data[step] = value
        if step == "name":
            await go("provider", text("kb_ask_provider", lang))
        else:
            await go("dates", text("kb_ask_dates", lang))
    elif step == "dates":
        parsed = parse_dates(value)
        if parsed is None:
            reply(channel, incoming, text("kb_bad_dates", lang, value=escape_markdown(value[:40])))
            return
        data["starts"], data["ends"] = parsed[0].isoformat(), parsed[1].isoformat()
        await go("level", text("kb_ask_level", lang))
    elif step == "level":
        data["level"] = None if value.lower() in SKIP_WORDS else value[:100]
        await _course_entered(db, channel, incoming, data, now=now)
    elif step in ("point1", "point2", "point3"):
        if not value:
            reply(channel, incoming, text("kb_ask_point", lang, n=int(step[-1])))
            return
        if len(value) > MAX_POINT_CHARS:
            reply(
                channel,
                incoming,
                text("kb_point_too_long", lang, limit=MAX_POINT_CHARS, length=len(value)),
            )
            return
        data.setdefault("points", [])
        data["points"] = [*data["points"][: int(step[-1]) - 1], value]
        if step != "point3":
            n = int(step[-1]) + 1
            await go(f"point{n}", text("kb_ask_point", lang, n=n))
        else:
            await go("visibility", cards.visibility_card(lang))
    elif step == "visibility":
        choice = parse_visibility(value)
        if choice is None:
            reply(channel, incoming, cards.visibility_card(lang))
            return
        await _visibility_chosen(db, channel, incoming, data, choice)
    elif step == "consent":
        answer = parse_yes_no(value)
        if answer is None:
            reply(channel, incoming, text("kb_yes_or_no", lang))
            return
        await _consent_given(db, channel, incoming, data, answer, now=now)
    else:  # pragma: no cover - a step this version does not know: start afresh
        await takeaways.clear_dialog(db, user)
        reply(channel, incoming, text("kb_cancelled", lang))


async def _course_entered(
    db: Database,
    channel: Channel,
    incoming: Incoming,
    data: dict[str, Any],
    *,
    now: datetime | None,
) -> None:
    lang = data.get("lang", "da")
    user = incoming.sender.id
    try:
        course = await takeaways.add_course(
            db,
            name=data["name"],
            provider=data["provider"],
            starts_on=date.fromisoformat(data["starts"]),
            ends_on=date.fromisoformat(data["ends"]),
            level=data.get("level"),
            tenant_id=incoming.tenant_id,
            created_by=user,
        )
    except InvalidInput as exc:
        log.info("course refused: %s", exc)
        await takeaways.set_dialog(db, user, kind=KIND, step="name", data={"lang": lang})
        reply(channel, incoming, text("kb_course_refused", lang))
        return
    data["course"] = course.id
    if course.ends_on >= _local_today(now_utc(now)):
        enrolled = await checkins.enrol(db, user, course.id, now=now_utc(now))
        await takeaways.clear_dialog(db, user)
        dates = ", ".join(c.due_at.date().isoformat() for c in enrolled) or "–"
        reply(
            channel,
            incoming,
            text("kb_course_ahead", lang, course=escape_markdown(course.name), dates=dates),
        )
        return
    await takeaways.set_dialog(db, user, kind=KIND, step="point1", data=data)
    reply(channel, incoming, text("kb_ask_point", lang, n=1))


async def _visibility_chosen(
    db: Database, channel: Channel, incoming: Incoming, data: dict[str, Any], choice: str
) -> None:
    lang = data.get("lang", "da")
    user = incoming.sender.id
    points = list(data.get("points", []))
    if len(points) != 3:
        await takeaways.set_dialog(db, user, kind=KIND, step="point1", data=data)
        reply(channel, incoming, text("kb_ask_point", lang, n=1))
        return
    if data.get("edit"):
        try:
            saved = await takeaways.update_takeaway(
                db, int(data["edit"]), user, points=points, visibility=choice
            )
        except NotFound:
            await takeaways.clear_dialog(db, user)
            reply(channel, incoming, text("kb_not_yours", lang, number=data["edit"]))
            return
        await takeaways.clear_dialog(db, user)
        reply(channel, incoming, text("kb_edited", lang, number=saved.id))
        return
    saved = await takeaways.save_takeaway(
        db,
        course_id=int(data["course"]),
        user_id=user,
        points=points,
        visibility=choice,
        language=await _language_of(points, lang),
        consent=False,
        tenant_id=incoming.tenant_id,
    )
    data["takeaway"] = saved.id
    await takeaways.set_dialog(db, user, kind=KIND, step="consent", data=data)
    reply(channel, incoming, cards.consent_card(saved, lang))


async def _language_of(points: list[str], lang: str) -> str:
    """Danish or English, for the search's stemming (the person's language when unclear)."""
    import asyncio

    from analysis.language import answer_language

    found: str = await asyncio.to_thread(
        lambda: answer_language(" ".join(points), workshop="en" if lang == "en" else "da")
    )
    return found


async def _consent_given(
    db: Database,
    channel: Channel,
    incoming: Incoming,
    data: dict[str, Any],
    yes: bool,
    *,
    now: datetime | None,
) -> None:
    lang = data.get("lang", "da")
    user = incoming.sender.id
    takeaway_id = int(data.get("takeaway", 0) or 0)
    await takeaways.clear_dialog(db, user)
    if not takeaway_id:
        reply(channel, incoming, text("kb_cancelled", lang))
        return
    if yes:
        shared = await takeaways.publish_takeaway(db, takeaway_id, user)
        await _after_publish(db, shared, now=now)
        reply(
            channel,
            incoming,
            text("kb_shared", lang, who=text(f"kb_vis_{shared.visibility}", lang)),
        )
    else:
        reply(channel, incoming, text("kb_kept_private", lang, number=takeaway_id))


async def on_visibility(
    db: Database, channel: Channel, incoming: Incoming, *, now: datetime | None = None
) -> None:
    """The visibility card's button."""
    dialog = await takeaways.get_dialog(db, incoming.sender.id)
    value = incoming.value or {}
    lang = dialog.data.get("lang", "da") if dialog else sender_lang(incoming)
    choice = parse_visibility(str(value.get("v", "")))
    if dialog is None or dialog.kind != KIND or dialog.step != "visibility" or choice is None:
        reply(channel, incoming, text("kb_stale_card", lang))
        return
    await _visibility_chosen(db, channel, incoming, dict(dialog.data), choice)


async def on_consent(
    db: Database, channel: Channel, incoming: Incoming, *, now: datetime | None = None
) -> None:
    """The consent card's buttons. Only the author's own open dialog is answered: a card
    forwarded to someone else finds no dialog of theirs for that takeaway."""
    dialog = await takeaways.get_dialog(db, incoming.sender.id)
    value = incoming.value or {}
    lang = dialog.data.get("lang", "da") if dialog else sender_lang(incoming)
    if (
        dialog is None
        or dialog.kind != KIND
        or dialog.step != "consent"
        or dialog.data.get("takeaway") != value.get("takeaway")
    ):
        reply(channel, incoming, text("kb_stale_card", lang))
        return
    await _consent_given(
        db, channel, incoming, dict(dialog.data), value.get("yes") is True, now=now
    )
