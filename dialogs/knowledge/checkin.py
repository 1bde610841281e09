"""Check-ins before and after a course, in the person's 1:1 chat.

After a course (the transfer check): one card, each question on the five-point scale, a
comment, and a switch "my answers may be shown" (they are counted either way). Before a
course (expectations): the questions come one at a time as text and the person answers in
the chat. Only the person a check-in was sent to can answer it
(:func:`dialogs.permissions.may_answer_checkin`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from analysis.escape import escape_markdown
from dialogs.conversation.channel import Channel, Content, Incoming
from dialogs.knowledge import cards
from dialogs.knowledge._common import now_utc, person_of, reply, sender_lang
from dialogs.permissions import may_answer_checkin
from dialogs.plans.builtins import get_builtin_plan
from dialogs.texts import text
from storage.db import Database
from storage.errors import InvalidInput, NotFound
from storage.knowledge import checkins, takeaways
from storage.knowledge.records import CheckinRecord, DialogRecord

__all__ = [
    "KIND",
    "checkin_message",
    "continue_checkin",
    "on_checkin_submit",
    "scale_questions",
    "text_questions",
]

log = logging.getLogger(__name__)

KIND = "checkin"


def scale_questions(plan_key: str, lang: str) -> list[tuple[str, str, list[str]]]:
    """``(id, text, options)`` of the plan's scale questions in ``lang``."""
    plan = get_builtin_plan(plan_key)
    return [
        (q.id, plan.render(q, lang, org="-"), plan.render_options(q, lang, org="-"))
        for q in plan.questions
        if q.kind == "scale"
    ]


def text_questions(plan_key: str, lang: str) -> list[tuple[str, str]]:
    """``(id, text)`` of the plan's free-text questions in ``lang``."""
    plan = get_builtin_plan(plan_key)
    return [(q.id, plan.render(q, lang, org="-")) for q in plan.questions if q.kind == "text"]


def checkin_message(checkin: CheckinRecord, lang: str, *, reminder: bool) -> Content:
    """What the bot writes when a check-in is due: the card, or the first text question."""
    if scale_questions(checkin.plan_key, lang):
        return cards.checkin_card(
            checkin, scale_questions(checkin.plan_key, lang), lang, reminder=reminder
        )
    questions = text_questions(checkin.plan_key, lang)
    intro = text(
        "kb_checkin_before_intro",
        lang,
        course=escape_markdown(checkin.course.name),
        count=len(questions),
    )
    prefix = text("kb_reminder", lang) + "\n\n" if reminder else ""
    return f"{prefix}{intro}\n\n**1.** {escape_markdown(questions[0][1])}"


async def on_checkin_submit(
    db: Database,
    channel: Channel,
    incoming: Incoming,
    *,
    lang: str | None = None,
    now: datetime | None = None,
) -> None:
    """The transfer card's "Send"."""
    language = sender_lang(incoming, lang)
    value = incoming.value or {}
    raw = value.get("checkin")
    checkin = None
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        try:
            checkin = await checkins.get_checkin(db, raw)
        except NotFound:
            checkin = None
    if checkin is None:
        reply(channel, incoming, text("kb_stale_card", language))
        return
    verdict = may_answer_checkin(
        person_of(incoming), owner_id=checkin.user_id, status=checkin.status
    )
    if not verdict:
        key = "kb_checkin_closed" if verdict.reason == "checkin_closed" else "kb_stale_card"
        reply(channel, incoming, text(key, language))
        return
    questions = scale_questions(checkin.plan_key, language)
    choices: dict[str, int] = {}
    for qid, _question, options in questions:
        picked = value.get(f"q_{qid}")
        if not isinstance(picked, str) or not picked.isdigit() or int(picked) >= len(options):
            reply(channel, incoming, text("kb_checkin_incomplete", language))
            return
        choices[qid] = int(picked)
    comment = value.get("comment")
    comment = comment.strip()[:2000] if isinstance(comment, str) else ""
    when = now_utc(now)
    for qid, choice in choices.items():
        await checkins.record_checkin_answer(db, checkin.id, qid, choice=choice, now=when)
    if comment:
        await checkins.record_checkin_answer(db, checkin.id, "comment", text=comment, now=when)
    await checkins.set_share_answers(db, checkin.id, value.get("share") == "true")
    await checkins.advance_checkin(
        db, checkin.id, from_status=["sent", "reminded"], to_status="answered", now=when
    )
    reply(channel, incoming, text("kb_checkin_thanks", language))


async def continue_checkin(
    db: Database,
    channel: Channel,
    incoming: Incoming,
    dialog: DialogRecord,
    *,
    now: datetime | None = None,
) -> None:
    """An answer typed in the chat to a before-course question; the next question follows."""
    lang = dialog.data.get("lang", "da")
    checkin_id = int(dialog.data.get("checkin", 0) or 0)
    user = incoming.sender.id
    try:
        checkin = await checkins.get_checkin(db, checkin_id)
    except (NotFound, InvalidInput):
        await takeaways.clear_dialog(db, user)
        reply(channel, incoming, text("kb_checkin_closed", lang))
        return
    if not may_answer_checkin(person_of(incoming), owner_id=checkin.user_id, status=checkin.status):
        await takeaways.clear_dialog(db, user)
        reply(channel, incoming, text("kb_checkin_closed", lang))
        return
    questions: Sequence[tuple[str, str]] = text_questions(checkin.plan_key, lang)
    index = int(dialog.step) if dialog.step.isdigit() else 0
    answer = incoming.text.strip()
    if not answer:
        reply(channel, incoming, text("kb_checkin_text_empty", lang))
        return
    when = now_utc(now)
    await checkins.record_checkin_answer(
        db, checkin.id, questions[index][0], text=answer[:4000], now=when
    )
    if index + 1 < len(questions):
        await takeaways.set_dialog(db, user, kind=KIND, step=str(index + 1), data=dict(dialog.data))
        reply(channel, incoming, f"**{index + 2}.** {escape_markdown(questions[index + 1][1])}")
        return
    await takeaways.clear_dialog(db, user)
    await checkins.advance_checkin(
        db, checkin.id, from_status=["sent", "reminded"], to_status="answered", now=when
    )
    reply(channel, incoming, text("kb_checkin_thanks", lang))
