"""What a facilitator does with a proposal from the "what now" summary card (issue 16, items
6 and 7).

- **Make it a follow-up**: the card's form per proposal (an owner among the workshop's
  participants, a follow-up date) creates the same follow-up as ``opfølgning @navn dato:
  forslag``; on that date the owner is asked what happened (:mod:`dialogs.knowledge.timed`).
- **Make it a topic**: the proposal's words (shortened by the facilitator) become a
  subscription topic. The bot posts a card in the workshop's chat with a "Subscribe" button;
  whoever presses it subscribes in their own name (the same subscription as ``abonnér
  <emne>``), so new takeaways on that topic reach them in the daily digest.

Every value of the submitted card may be forged: the workshop is looked up, the sender must
be one of its facilitators, the proposal is looked up in the summary computed again from
the stored answers (its words are never taken from the card), and the owner must be one of
the workshop's participants (:func:`dialogs.permissions.may_follow_up_from_summary`).
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from analysis.escape import escape_markdown
from dialogs.conversation.channel import Channel, Incoming
from dialogs.knowledge import cards
from dialogs.knowledge._common import now_utc, person_of, remember, reply, sender_lang
from dialogs.knowledge.parse import parse_date
from dialogs.knowledge.proposal_forms import follow_up_owners, public_proposals
from dialogs.permissions import may_follow_up_from_summary, may_make_topic, may_use_summary_forms
from dialogs.texts import text
from storage import workshops as workshops_repo
from storage.db import Database
from storage.errors import InvalidInput, StorageError
from storage.knowledge import checkins, subscriptions
from storage.knowledge.people import DEFAULT_TIME_ZONE
from storage.records import WorkshopRecord

__all__ = [
    "FOLLOW_UP_SUBMIT",
    "SUBSCRIBE_SUBMIT",
    "TOPIC_SUBMIT",
    "follow_up_owners",
    "on_summary_follow_up",
    "on_summary_topic",
    "on_topic_subscribe",
    "public_proposals",
]

log = logging.getLogger(__name__)

FOLLOW_UP_SUBMIT = "kb_summary_follow_up"
TOPIC_SUBMIT = "kb_summary_topic"
SUBSCRIBE_SUBMIT = "kb_topic_subscribe"
#: A follow-up further ahead than this is a typo (2072 for 2027), not a plan.
LATEST = timedelta(days=2 * 366)
MAX_TOPIC = 100


def _workshop(value: dict[str, Any]) -> int | None:
    raw = value.get("workshop")
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 < raw < 2**31:
        return None
    return raw


async def _proposal_text(db: Database, workshop: WorkshopRecord, proposal_id: object) -> str | None:
    """The proposal's public words from the summary computed again (None: not in the
    summary, or proposed only in private answers)."""
    if not isinstance(proposal_id, str) or not 0 < len(proposal_id) <= 12:
        return None
    from dialogs.summaries import make_summary

    bundle = await make_summary(db, workshop.id, audience="facilitator", lang=workshop.language)
    return public_proposals(bundle.summary, bundle.data).get(proposal_id)


async def _load(
    db: Database, channel: Channel, incoming: Incoming, lang: str
) -> WorkshopRecord | None:
    workshop_id = _workshop(incoming.value or {})
    workshop = None
    if workshop_id is not None:
        try:
            workshop = await workshops_repo.get_workshop(db, workshop_id)
        except StorageError:
            workshop = None
    if workshop is None:
        reply(channel, incoming, text("kb_stale_card", lang))
    return workshop


def _due_date(raw: object, today: date) -> date | None:
    """The form's date (``Input.Date`` sends YYYY-MM-DD; typed forms are read too)."""
    if not isinstance(raw, str) or not raw.strip() or len(raw) > 40:
        return None
    day = parse_date(raw.strip())
    if day is None or day <= today or day - today > LATEST:
        return None
    return day


async def on_summary_follow_up(
    db: Database, channel: Channel, incoming: Incoming, *, now: datetime | None = None
) -> None:
    """The summary card's follow-up form, submitted (see the module docstring)."""
    value = incoming.value or {}
    lang = sender_lang(incoming)
    workshop = await _load(db, channel, incoming, lang)
    if workshop is None:
        return
    lang = workshop.language
    proposal_id = value.get("proposal")
    person = person_of(incoming)
    if not may_use_summary_forms(person, facilitators=workshop.facilitators):
        # Refused before any work: the summary is not computed for someone else.
        reply(channel, incoming, text("kb_follow_up_refused", lang))
        return
    proposal = await _proposal_text(db, workshop, proposal_id)
    owner = value.get(f"owner_{proposal_id}") if isinstance(proposal_id, str) else None
    owners = dict(await follow_up_owners(db, workshop.id))
    verdict = may_follow_up_from_summary(
        person,
        facilitators=workshop.facilitators,
        proposal_in_summary=proposal is not None,
        owner_among_participants=isinstance(owner, str) and owner in owners,
    )
    if not verdict:
        key = {
            "follow_up_unknown_proposal": "kb_summary_unknown_proposal",
            "follow_up_unknown_owner": "kb_summary_pick_owner",
        }.get(verdict.reason, "kb_follow_up_refused")
        reply(channel, incoming, text(key, lang))
        return
    assert proposal is not None and isinstance(owner, str)
    zone = ZoneInfo(DEFAULT_TIME_ZONE)
    when = now_utc(now)
    day = _due_date(value.get(f"due_{proposal_id}"), when.astimezone(zone).date())
    if day is None:
        reply(channel, incoming, text("kb_summary_bad_date", lang, days=LATEST.days))
        return
    try:
        created = await checkins.add_follow_up(
            db,
            proposal=proposal,
            owner_id=owner,
            owner_name=owners[owner],
            due_at=datetime.combine(day, time(10, 0), tzinfo=zone),
            workshop_id=workshop.id,
            series_id=workshop.series_id,
            tenant_id=workshop.tenant_id or incoming.tenant_id,
            created_by=incoming.sender.id,
            origin=workshop.conversation_reference,
            now=when,
        )
    except InvalidInput as exc:
        log.info("follow-up from the summary refused: %s", exc)
        reply(channel, incoming, text("kb_follow_up_date_past", lang))
        return
    card = cards.mention_card(
        text(
            "kb_follow_up_created",
            lang,
            proposal=escape_markdown(created.proposal),
            date=day.isoformat(),
            mention="{mention}",
        ),
        owner,
        created.owner_name,
    )
    # As with the command: the workshop's chat (and so the owner) hears it; the
    # facilitator gets the same card where the form was.
    if workshop.conversation_reference:
        channel.send(workshop.conversation_reference, card)
    reply(channel, incoming, card)


def _topic_card(topic: str, workshop_id: int, lang: str) -> dict[str, Any]:
    return {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": "1.5",
        "msteams": {"width": "Full"},
        "body": [
            {
                "type": "TextBlock",
                "wrap": True,
                "weight": "Bolder",
                "text": text("kb_topic_title", lang, topic=escape_markdown(topic)),
            },
            {"type": "TextBlock", "wrap": True, "text": text("kb_topic_body", lang)},
        ],
        "actions": [
            {
                "type": "Action.Submit",
                "title": text("kb_topic_subscribe", lang),
                "data": {"wb": SUBSCRIBE_SUBMIT, "topic": topic, "workshop": workshop_id},
            }
        ],
    }


async def on_summary_topic(
    db: Database, channel: Channel, incoming: Incoming, *, now: datetime | None = None
) -> None:
    """The summary card's "make it a topic": the card with a Subscribe button goes to the
    workshop's chat (or, without one, back to the facilitator)."""
    value = incoming.value or {}
    lang = sender_lang(incoming)
    workshop = await _load(db, channel, incoming, lang)
    if workshop is None:
        return
    lang = workshop.language
    person = person_of(incoming)
    if not may_use_summary_forms(person, facilitators=workshop.facilitators):
        reply(channel, incoming, text("kb_follow_up_refused", lang))
        return
    proposal_id = value.get("proposal")
    proposal = await _proposal_text(db, workshop, proposal_id)
    verdict = may_make_topic(
        person, facilitators=workshop.facilitators, proposal_in_summary=proposal is not None
    )
    if not verdict:
        reply(channel, incoming, text("kb_summary_unknown_proposal", lang))
        return
    raw = value.get(f"topic_{proposal_id}")
    topic = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not topic or len(topic) > MAX_TOPIC:
        reply(channel, incoming, text("kb_topic_bad", lang, limit=MAX_TOPIC))
        return
    card = _topic_card(topic, workshop.id, lang)
    if workshop.conversation_reference:
        channel.send(workshop.conversation_reference, card)
        reply(channel, incoming, text("kb_topic_posted", lang, topic=escape_markdown(topic)))
    else:
        reply(channel, incoming, card)


async def on_topic_subscribe(
    db: Database, channel: Channel, incoming: Incoming, *, now: datetime | None = None
) -> None:
    """Someone pressed "Subscribe" on a topic card: they subscribe, in their own name; the
    confirmation reaches them alone. The topic is only a search word (whatever the card
    says, it can only subscribe the presser to words)."""
    value = incoming.value or {}
    lang = sender_lang(incoming)
    raw = value.get("topic")
    topic = " ".join(raw.split()) if isinstance(raw, str) else ""
    if not topic or len(topic) > MAX_TOPIC:
        reply(channel, incoming, text("kb_stale_card", lang))
        return
    person = await remember(db, incoming, lang)
    try:
        await subscriptions.subscribe(
            db, incoming.sender.id, "topic", topic, label=topic, tenant_id=incoming.tenant_id
        )
    except InvalidInput as exc:
        log.info("topic subscription refused: %s", exc)
        reply(channel, incoming, text("kb_stale_card", lang))
        return
    # A digest goes to the 1:1 chat: until the person has written there once, say so.
    key = "kb_topic_subscribed" if person.destination else "kb_topic_subscribed_say_hello"
    channel.send_private(
        incoming.destination, incoming.sender.id, text(key, lang, topic=escape_markdown(topic))
    )
