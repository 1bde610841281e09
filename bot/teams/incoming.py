"""A Teams activity as the conversation sees it: an :class:`~dialogs.conversation.channel.Incoming`.

The bot's @mention and markup are stripped from the text (other people's mentions stay as
``@Name``), the scope is read from the conversation type, and the tenant, meeting and team
channel ids from the channel data. The activity was authenticated and its tenant checked by
``bot.app`` before it gets here.
"""

from __future__ import annotations

import re
from typing import Any

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

from bot.teams.references import reference_dict
from dialogs import workshop as flow
from dialogs.cards import SUBMIT_KEY
from dialogs.conversation.channel import Incoming, Scope, Sender

__all__ = ["incoming_of", "mentions", "mentions_bot", "plain_answer"]

_AT_TAG = re.compile(r"<at>([^<]*)</at>", re.IGNORECASE)
_TAGS = re.compile(r"<[^>]+>")


def mentions(activity: Activity) -> list[tuple[str, str]]:
    """``(user id, name)`` of everyone @mentioned in the activity."""
    found = []
    for entity in activity.entities or []:
        if getattr(entity, "type", None) != "mention":
            continue
        mentioned: Any = getattr(entity, "mentioned", None)
        if mentioned is None:
            mentioned = (getattr(entity, "additional_properties", None) or {}).get("mentioned")
        if isinstance(mentioned, dict):
            user_id, name = mentioned.get("id"), mentioned.get("name")
        else:
            user_id, name = getattr(mentioned, "id", None), getattr(mentioned, "name", None)
        if user_id:
            found.append((str(user_id), str(name or "")))
    return found


def mentions_bot(activity: Activity) -> bool:
    """Whether the activity @mentions the bot (an ``<at>`` tag without entities counts)."""
    recipient = activity.recipient.id if activity.recipient else None
    return any(user_id == recipient for user_id, _ in mentions(activity) if recipient) or bool(
        activity.text and _AT_TAG.search(activity.text) and not activity.entities
    )


def _scope(activity: Activity) -> Scope:
    kind = (activity.conversation.conversation_type or "") if activity.conversation else ""
    return "personal" if kind == "personal" else "team" if kind == "channel" else "groupChat"


def _channel_data(activity: Activity) -> dict[str, Any]:
    data = activity.channel_data
    return data if isinstance(data, dict) else {}


def incoming_of(activity: Activity, *, value: dict[str, Any] | None = None) -> Incoming:
    """The activity as an :class:`Incoming` (``value``: a card submit's data, when it came
    another way than ``activity.value``, as an ``adaptiveCard/action`` invoke's does)."""
    if value is None and isinstance(activity.value, dict) and activity.value.get(SUBMIT_KEY):
        value = activity.value
    sender = activity.from_property
    recipient = activity.recipient
    mentioned = mentions_bot(activity)
    text = ""
    if value is None:
        raw = activity.text or ""
        if mentioned:
            raw = TurnContext.remove_recipient_mention(activity) or ""
        text = _TAGS.sub(" ", _AT_TAG.sub(r"@\1", raw)).replace("&nbsp;", " ").strip()
        bot_name = f"@{recipient.name}" if recipient and recipient.name else ""
        if mentioned and bot_name and text.lower().startswith(bot_name.lower()):
            text = text[len(bot_name) :].strip()
    data = _channel_data(activity)
    meeting = data.get("meeting")
    conversation = activity.conversation
    return Incoming(
        sender=Sender(
            id=(sender.id or "") if sender else "",
            aad_object_id=sender.aad_object_id if sender else None,
            name=(sender.name or "") if sender else "",
        ),
        conversation_id=flow.base_conversation_id(conversation.id or "") if conversation else "",
        scope=_scope(activity),
        destination=reference_dict(TurnContext.get_conversation_reference(activity)),
        text=text,
        value=value,
        mentions_bot=mentioned,
        mentions=tuple(m for m in mentions(activity) if not recipient or m[0] != recipient.id),
        activity_id=activity.id,
        tenant_id=(data.get("tenant") or {}).get("id")
        or (conversation.tenant_id if conversation else None)
        or None,
        meeting_id=meeting.get("id") if isinstance(meeting, dict) else None,
        recipient_name=(recipient.name or "") if recipient else "",
        locale=activity.locale,
        reply_to_id=activity.reply_to_id,
        team_channel_id=(data.get("channel") or {}).get("id"),
    )


def plain_answer(activity: Activity) -> bool:
    """Whether a message may be a plain group answer for the fast path: a message with an id
    and a sender, in a group chat or channel, with no markup, entities or mentions (those are
    the full turn's to clean up), or an answer card's submit."""
    sender, conversation = activity.from_property, activity.conversation
    if (
        activity.type != "message"
        or not activity.id
        or sender is None
        or not sender.id
        or conversation is None
        or not conversation.id
        or conversation.conversation_type == "personal"
    ):
        return False
    if isinstance(activity.value, dict):
        return activity.value.get(SUBMIT_KEY) == "answer"
    if activity.value is not None:
        return False
    raw = activity.text or ""
    return not (
        "<" in raw
        or "&" in raw
        or any(getattr(entity, "type", None) == "mention" for entity in activity.entities or [])
    )
