"""Proposals become owned follow-ups.

In the workshop's chat a facilitator writes ``opfølgning @Ole 15/1/2027: Videndeling på
afdelingsmøder`` (``follow up @Ole 2027-01-15: …``). At that date Ole is asked in his 1:1
chat "what happened with …?"; his answer is stored and shown in the next workshop's summary
of the series (:func:`storage.knowledge.checkins.follow_ups_of_series`).
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, time
from zoneinfo import ZoneInfo

from analysis.escape import escape_markdown
from dialogs.conversation.channel import Channel, Incoming
from dialogs.knowledge import cards
from dialogs.knowledge._common import now_utc, person_of, reply, sender_lang
from dialogs.knowledge.parse import parse_date
from dialogs.permissions import may_answer_checkin, may_create_follow_up
from dialogs.texts import text
from storage.db import Database
from storage.errors import InvalidInput, NotFound
from storage.knowledge import checkins, takeaways
from storage.knowledge.people import DEFAULT_TIME_ZONE
from storage.knowledge.records import DialogRecord, FollowUpRecord

__all__ = ["KIND", "continue_follow_up", "create_follow_up", "follow_up_question"]

log = logging.getLogger(__name__)

KIND = "followup"
_SHAPE = re.compile(r"^@(?P<name>.+?)\s+(?P<date>\S+)\s*:\s*(?P<proposal>.+)$", re.S)


def follow_up_question(follow_up: FollowUpRecord, lang: str, *, reminder: bool) -> str:
    prefix = text("kb_reminder", lang) + "\n\n" if reminder else ""
    return prefix + text("kb_follow_up_ask", lang, proposal=escape_markdown(follow_up.proposal))


async def create_follow_up(
    db: Database,
    channel: Channel,
    incoming: Incoming,
    argument: str = "",
    *,
    facilitator: bool,
    workshop_id: int | None = None,
    series_id: int | None = None,
    lang: str | None = None,
    now: datetime | None = None,
) -> FollowUpRecord | None:
    """The ``opfølgning`` command, in a workshop's chat.

    Args:
        facilitator: Whether the sender facilitates this workshop (the caller knows).
        workshop_id: The workshop the proposal came from.
        series_id: Its series: the answer appears in the series' next summary.
    """
    language = sender_lang(incoming, lang)
    if not may_create_follow_up(facilitator=facilitator):
        channel.send_private(
            incoming.destination, incoming.sender.id, text("kb_follow_up_refused", language)
        )
        return None
    match = _SHAPE.match(argument.strip())
    day = parse_date(match["date"]) if match else None
    if match is None or day is None or not incoming.mentions:
        reply(channel, incoming, text("kb_follow_up_usage", language))
        return None
    owner_id, owner_name = incoming.mentions[0]
    due = datetime.combine(day, time(10, 0), tzinfo=ZoneInfo(DEFAULT_TIME_ZONE))
    try:
        created = await checkins.add_follow_up(
            db,
            proposal=match["proposal"].strip(),
            owner_id=owner_id,
            owner_name=owner_name or match["name"],
            due_at=due,
            workshop_id=workshop_id,
            series_id=series_id,
            tenant_id=incoming.tenant_id,
            created_by=incoming.sender.id,
            origin=incoming.destination,
            now=now_utc(now),
        )
    except InvalidInput as exc:
        log.info("follow-up refused: %s", exc)
        reply(channel, incoming, text("kb_follow_up_date_past", language))
        return None
    reply(
        channel,
        incoming,
        cards.mention_card(
            text(
                "kb_follow_up_created",
                language,
                proposal=escape_markdown(created.proposal),
                date=day.isoformat(),
                mention="{mention}",
            ),
            owner_id,
            created.owner_name,
        ),
    )
    return created


async def continue_follow_up(
    db: Database,
    channel: Channel,
    incoming: Incoming,
    dialog: DialogRecord,
    *,
    now: datetime | None = None,
) -> None:
    """The owner's answer to "what happened with …?"."""
    lang = dialog.data.get("lang", "da")
    user = incoming.sender.id
    await takeaways.clear_dialog(db, user)
    try:
        follow_up = await checkins.get_follow_up(db, int(dialog.data.get("follow_up", 0) or 0))
    except (NotFound, InvalidInput):
        reply(channel, incoming, text("kb_checkin_closed", lang))
        return
    if not may_answer_checkin(
        person_of(incoming), owner_id=follow_up.owner_id, status=follow_up.status
    ):
        reply(channel, incoming, text("kb_checkin_closed", lang))
        return
    answer = incoming.text.strip()
    if not answer:
        await takeaways.set_dialog(db, user, kind=KIND, step="answer", data=dict(dialog.data))
        reply(channel, incoming, text("kb_checkin_text_empty", lang))
        return
    await checkins.answer_follow_up(db, follow_up.id, answer[:4000], now=now_utc(now))
    reply(channel, incoming, text("kb_follow_up_thanks", lang))
