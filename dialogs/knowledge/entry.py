"""Where the knowledge bank meets the conversation: one function per command, plus the
dialog and card-submit hooks. The message handler calls, in this order:

1. In a 1:1 chat, :func:`continue_dialog` first: True means a guided dialog (``kursus``, a
   before-course check-in, a follow-up question) took the message.
2. For a card submit whose ``wb`` starts with ``kb_``, :func:`on_submit`.
3. For a parsed command whose name is in :data:`COMMAND_NAMES`, :func:`handle_command`
   (or the single function :data:`COMMANDS` names, each ``(db, channel, incoming,
   argument, *, lang)``).

Every reply goes to the conversation the message came from; the knowledge commands are
1:1-chat commands (``opfølgning`` excepted: it is said in the workshop's chat), so nothing
of the bank is posted in a group.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from types import MappingProxyType
from typing import Any

from dialogs.commands import ParsedCommand, parse_command
from dialogs.conversation.channel import Channel, Incoming
from dialogs.knowledge import (
    checkin,
    course,
    follow_up,
    report,
    subscribe,
    summary_actions,
    who_knows,
)
from dialogs.knowledge._common import reply, sender_lang
from dialogs.knowledge.parse import CANCEL_WORDS
from dialogs.texts import Language, text
from storage.db import Database
from storage.knowledge import takeaways

__all__ = [
    "COMMANDS",
    "COMMAND_NAMES",
    "SUBMIT_KINDS",
    "command_language",
    "continue_dialog",
    "handle_command",
    "on_submit",
]

log = logging.getLogger(__name__)

Handler = Callable[..., Awaitable[Any]]
#: Exact command words that leave an open dialog to the command.
_PASS_THROUGH = frozenset({"help", "forget me", "course"})

#: The 1:1-chat commands and their use cases.
COMMANDS: MappingProxyType[str, Handler] = MappingProxyType(
    {
        "course": course.start_course,
        "subscribe": subscribe.subscribe,
        "unsubscribe": subscribe.unsubscribe,
        "who knows": who_knows.who_knows,
        "transfer report": report.transfer_report,
    }
)
#: Every knowledge command, the workshop-chat one (``follow up``) included.
COMMAND_NAMES = frozenset({*COMMANDS, "follow up"})
#: The ``wb`` kinds of the knowledge cards' submits (:func:`on_submit`).
SUBMIT_KINDS = frozenset(
    {
        "kb_visibility",
        "kb_consent",
        "kb_contact",
        "kb_follow",
        "kb_checkin",
        summary_actions.FOLLOW_UP_SUBMIT,
        summary_actions.TOPIC_SUBMIT,
        summary_actions.SUBSCRIBE_SUBMIT,
    }
)


def command_language(command: ParsedCommand, fallback: str | None = None) -> Language:
    """Answer in the language of the phrase typed: ``kursus`` Danish, ``course`` English."""
    if command.phrase == command.spec.name and command.spec.aliases:
        return "en"
    if command.phrase in {a.lower() for a in command.spec.aliases}:
        return "da"
    return "en" if fallback == "en" else "da"


async def handle_command(
    db: Database,
    channel: Channel,
    incoming: Incoming,
    command: ParsedCommand,
    *,
    facilitator: bool = False,
    workshop_id: int | None = None,
    series_id: int | None = None,
    operators: frozenset[str] = frozenset(),
    now: datetime | None = None,
) -> bool:
    """Run a knowledge command; False when ``command`` is not one.

    Args:
        facilitator: The sender facilitates the workshop of this chat (``follow up``).
        workshop_id: That workshop, and ``series_id`` its series (``follow up``).
        operators: The operators named in the settings (``transfer report``).
    """
    name = command.name
    if name not in COMMAND_NAMES:
        return False
    lang = command_language(command)
    if name == "follow up":
        await follow_up.create_follow_up(
            db,
            channel,
            incoming,
            command.argument,
            facilitator=facilitator,
            workshop_id=workshop_id,
            series_id=series_id,
            lang=lang,
            now=now,
        )
        return True
    if not incoming.personal:
        # Searching, subscribing and sharing belong in the 1:1 chat: say so privately.
        channel.send_private(
            incoming.destination, incoming.sender.id, text("kb_personal_only", lang)
        )
        return True
    if name == "course":
        await course.start_course(db, channel, incoming, command.argument, lang=lang, now=now)
    elif name == "transfer report":
        await report.transfer_report(
            db, channel, incoming, command.argument, operators=operators, lang=lang
        )
    else:
        await COMMANDS[name](db, channel, incoming, command.argument, lang=lang)
    return True


async def continue_dialog(
    db: Database, channel: Channel, incoming: Incoming, *, now: datetime | None = None
) -> bool:
    """Give a typed 1:1 message to the person's dialog in progress; False when none is."""
    if not incoming.personal or incoming.value is not None:
        return False
    dialog = await takeaways.get_dialog(db, incoming.sender.id)
    if dialog is None:
        return False
    typed = parse_command(incoming.text)
    if typed is not None and typed.name in _PASS_THROUGH and not typed.argument:
        # "hjælp", "glem mig" and "kursus" (start afresh) are never taken for an answer.
        return False
    if dialog.kind != course.KIND and incoming.text.strip().lower() in CANCEL_WORDS:
        await takeaways.clear_dialog(db, incoming.sender.id)
        reply(channel, incoming, text("kb_cancelled", dialog.data.get("lang", "da")))
        return True
    if dialog.kind == course.KIND:
        await course.continue_course(db, channel, incoming, dialog, now=now)
    elif dialog.kind == checkin.KIND:
        await checkin.continue_checkin(db, channel, incoming, dialog, now=now)
    elif dialog.kind == follow_up.KIND:
        await follow_up.continue_follow_up(db, channel, incoming, dialog, now=now)
    else:  # pragma: no cover - a dialog of a newer version: let it go
        await takeaways.clear_dialog(db, incoming.sender.id)
        return False
    return True


async def on_submit(
    db: Database, channel: Channel, incoming: Incoming, *, now: datetime | None = None
) -> bool:
    """Handle a knowledge card's submit; False when the submit is not one of them."""
    kind = (incoming.value or {}).get("wb")
    if not isinstance(kind, str) or not kind.startswith("kb_"):
        return False
    if kind == "kb_visibility":
        await course.on_visibility(db, channel, incoming, now=now)
    elif kind == "kb_consent":
        await course.on_consent(db, channel, incoming, now=now)
    elif kind == "kb_contact":
        await who_knows.on_contact(db, channel, incoming)
    elif kind == "kb_follow":
        await who_knows.on_follow(db, channel, incoming)
    elif kind == "kb_checkin":
        await checkin.on_checkin_submit(db, channel, incoming, now=now)
    elif kind == summary_actions.FOLLOW_UP_SUBMIT:
        await summary_actions.on_summary_follow_up(db, channel, incoming, now=now)
    elif kind == summary_actions.TOPIC_SUBMIT:
        await summary_actions.on_summary_topic(db, channel, incoming, now=now)
    elif kind == summary_actions.SUBSCRIBE_SUBMIT:
        await summary_actions.on_topic_subscribe(db, channel, incoming, now=now)
    else:
        reply(channel, incoming, text("kb_stale_card", sender_lang(incoming)))
    return True
