"""Helpers shared by the knowledge bank's use cases."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from dialogs.conversation.channel import Channel, Content, Incoming
from dialogs.permissions import Person
from dialogs.texts import Language, language_of
from storage.db import Database
from storage.knowledge import people
from storage.knowledge.records import PersonRecord

__all__ = ["now_utc", "person_of", "remember", "reply", "sender_lang"]

log = logging.getLogger(__name__)


def now_utc(now: datetime | None = None) -> datetime:
    """``now`` (tests pass their own), or the current time, in UTC."""
    return (now or datetime.now(UTC)).astimezone(UTC)


def person_of(incoming: Incoming) -> Person:
    return Person(incoming.sender.id, incoming.sender.aad_object_id)


def sender_lang(incoming: Incoming, lang: str | None = None) -> Language:
    """The language to answer in: the command's (Danish phrase → da), else the client's."""
    if lang in ("da", "en"):
        return lang  # type: ignore[return-value]
    return language_of(incoming.locale)


def reply(channel: Channel, incoming: Incoming, content: Content) -> None:
    """Answer in the conversation the message came from (a 1:1 chat for every knowledge
    command: nothing of the bank is posted in a group)."""
    channel.send(incoming.destination, content)


async def remember(db: Database, incoming: Incoming, lang: str | None = None) -> PersonRecord:
    """Record who wrote; from their 1:1 chat also where to reach them later."""
    return await people.remember_person(
        db,
        user_id=incoming.sender.id,
        aad_object_id=incoming.sender.aad_object_id,
        display_name=incoming.sender.name or None,
        tenant_id=incoming.tenant_id,
        destination=incoming.destination if incoming.personal else None,
        language=lang,
    )
