"""``abonnér`` / ``subscribe`` and ``afmeld`` / ``unsubscribe`` (1:1 chat).

``abonnér @Anna`` follows a person, ``abonnér kursus Projektledelse`` a course,
``abonnér Excel`` (or ``abonnér emne Excel``) a topic. New takeaways that match arrive as
one digest card a day at most, in the 1:1 chat. ``afmeld`` lists the subscriptions;
``afmeld 3`` ends number 3; ``afmeld alle`` ends them all.
"""

from __future__ import annotations

from analysis.escape import escape_markdown
from dialogs.conversation.channel import Channel, Incoming
from dialogs.knowledge._common import remember, reply, sender_lang
from dialogs.texts import text
from storage.db import Database
from storage.errors import InvalidInput
from storage.knowledge import subscriptions

__all__ = ["subscribe", "unsubscribe"]

_COURSE_WORDS = ("kursus", "course")
_TOPIC_WORDS = ("emne", "topic")
_ALL_WORDS = frozenset({"alle", "all", "alt", "everything"})


async def _listing(db: Database, channel: Channel, incoming: Incoming, lang: str, key: str) -> None:
    mine = await subscriptions.subscriptions_of(db, incoming.sender.id)
    if not mine:
        reply(channel, incoming, text("kb_no_subscriptions", lang))
        return
    lines = [text(key, lang)]
    lines += [
        f"**{s.id}** · {text('kb_kind_' + s.kind, lang)}: {escape_markdown(s.label)}" for s in mine
    ]
    reply(channel, incoming, "\n\n".join(lines))


async def subscribe(
    db: Database,
    channel: Channel,
    incoming: Incoming,
    argument: str = "",
    *,
    lang: str | None = None,
) -> None:
    """The ``abonnér`` command."""
    language = sender_lang(incoming, lang)
    await remember(db, incoming, language)
    argument = argument.strip()
    if not argument:
        await _listing(db, channel, incoming, language, "kb_subscriptions_title")
        reply(channel, incoming, text("kb_subscribe_usage", language))
        return
    first, _, rest = argument.partition(" ")
    if incoming.mentions and argument.startswith("@"):
        user_id, name = incoming.mentions[0]
        if user_id == incoming.sender.id:
            reply(channel, incoming, text("kb_subscribe_self", language))
            return
        kind, value, label = "person", user_id, name or argument[1:]
    elif first.lower() in _COURSE_WORDS and rest.strip():
        kind, value, label = "course", rest.strip(), rest.strip()
    elif first.lower() in _TOPIC_WORDS and rest.strip():
        kind, value, label = "topic", rest.strip(), rest.strip()
    elif argument.startswith("@"):
        # "@Name" typed without Teams making it a mention: no id to follow.
        reply(channel, incoming, text("kb_mention_needed", language))
        return
    else:
        kind, value, label = "topic", argument, argument
    try:
        _, new = await subscriptions.subscribe(
            db, incoming.sender.id, kind, value, label=label, tenant_id=incoming.tenant_id
        )
    except InvalidInput:
        reply(channel, incoming, text("kb_subscribe_usage", language))
        return
    key = "kb_subscribed" if new else "kb_already_subscribed"
    reply(
        channel,
        incoming,
        text(key, language, kind=text("kb_kind_" + kind, language), label=escape_markdown(label)),
    )


async def unsubscribe(
    db: Database,
    channel: Channel,
    incoming: Incoming,
    argument: str = "",
    *,
    lang: str | None = None,
) -> None:
    """The ``afmeld`` command."""
    language = sender_lang(incoming, lang)
    argument = argument.strip().lstrip("#")
    if not argument:
        await _listing(db, channel, incoming, language, "kb_unsubscribe_which")
        return
    if argument.lower() in _ALL_WORDS:
        ended = await subscriptions.unsubscribe(db, incoming.sender.id, everything=True)
        reply(channel, incoming, text("kb_unsubscribed", language, count=ended))
        return
    mine = await subscriptions.subscriptions_of(db, incoming.sender.id)
    if argument.isdigit():
        chosen = [s for s in mine if s.id == int(argument)]
    else:
        wanted = argument.lower()
        chosen = [s for s in mine if s.label.lower() == wanted or s.value.lower() == wanted]
    if not chosen:
        reply(
            channel,
            incoming,
            text("kb_no_such_subscription", language, value=escape_markdown(argument[:60])),
        )
        return
    ended = 0
    for sub in chosen:
        ended += await subscriptions.unsubscribe(db, incoming.sender.id, subscription_id=sub.id)
    reply(channel, incoming, text("kb_unsubscribed", language, count=ended))
