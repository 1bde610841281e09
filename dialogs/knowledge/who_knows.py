"""``hvem ved <emne>`` / ``who knows <topic>``: search the takeaways one may see, and be put
in touch with a colleague by a mention (never an e-mail address)."""

from __future__ import annotations

import logging

from analysis.escape import escape_markdown
from dialogs.conversation.channel import Channel, Incoming
from dialogs.knowledge import cards
from dialogs.knowledge._common import person_of, remember, reply, sender_lang
from dialogs.permissions import may_see_takeaway
from dialogs.texts import text
from storage.db import Database
from storage.errors import NotFound
from storage.knowledge import people, search, subscriptions, takeaways
from storage.knowledge.records import PersonRecord, TakeawayRecord
from storage.knowledge.search import Viewer

__all__ = ["on_contact", "on_follow", "who_knows"]

log = logging.getLogger(__name__)


async def who_knows(
    db: Database,
    channel: Channel,
    incoming: Incoming,
    argument: str = "",
    *,
    lang: str | None = None,
) -> None:
    """The ``hvem ved`` command."""
    language = sender_lang(incoming, lang)
    await remember(db, incoming, language)
    query = argument.strip()
    if not search.query_words(query):
        reply(channel, incoming, text("kb_who_knows_usage", language))
        return
    viewer = Viewer(incoming.sender.id, incoming.tenant_id)
    hits = await search.search_takeaways(db, viewer, query[:300], limit=10)
    # Counted for the transfer report after the answer is on its way (never the words).
    channel.spawn(search.log_search(db, viewer, len(hits)), name="kb-search-log")
    if not hits:
        reply(channel, incoming, text("kb_no_results", language, query=escape_markdown(query[:80])))
        return
    reply(channel, incoming, cards.results_card(query[:80], hits, language))


async def _visible_takeaway(
    db: Database, incoming: Incoming
) -> tuple[TakeawayRecord, PersonRecord | None] | None:
    """The takeaway a card's button names, if the sender may see it (checked again: a card
    may be old, or forwarded), with its author's directory entry."""
    value = incoming.value or {}
    raw = value.get("takeaway")
    takeaway = None
    if isinstance(raw, int) and not isinstance(raw, bool) and raw > 0:
        try:
            takeaway = await takeaways.get_takeaway(db, raw)
        except NotFound:
            takeaway = None
    if takeaway is None:
        return None
    found = await people.get_people(db, [incoming.sender.id, takeaway.user_id])
    me, author = found.get(incoming.sender.id), found.get(takeaway.user_id)
    verdict = may_see_takeaway(
        person_of(incoming),
        viewer_tenant=incoming.tenant_id,
        viewer_team=me.team if me else None,
        author_id=takeaway.user_id,
        author_tenant=takeaway.tenant_id,
        author_team=author.team if author else None,
        author_manager=author.manager_id if author else None,
        visibility=takeaway.visibility,
        published=takeaway.published,
    )
    return (takeaway, author) if verdict else None


async def on_contact(
    db: Database, channel: Channel, incoming: Incoming, *, lang: str | None = None
) -> None:
    """ "Put me in touch": the asker gets the author's mention; the author, in their 1:1
    chat, gets the asker's."""
    language = sender_lang(incoming, lang)
    seen = await _visible_takeaway(db, incoming)
    if seen is None:
        reply(channel, incoming, text("kb_stale_card", language))
        return
    takeaway, author = seen
    if takeaway.user_id == incoming.sender.id:
        reply(channel, incoming, text("kb_contact_self", language))
        return
    author_name = takeaway.author_name or text("kb_someone", language)
    course = escape_markdown(takeaway.course.name)
    reply(
        channel,
        incoming,
        cards.mention_card(
            text("kb_contact_to_asker", language, course=course, mention="{mention}"),
            takeaway.user_id,
            author_name,
        ),
    )
    if author is not None and author.destination:
        author_lang = author.language
        channel.send(
            author.destination,
            cards.mention_card(
                text("kb_contact_to_author", author_lang, course=course, mention="{mention}"),
                incoming.sender.id,
                incoming.sender.name or text("kb_someone", author_lang),
            ),
        )
    else:
        log.info(
            "takeaway %d: its author has no 1:1 chat with the bot; only the asker was told",
            takeaway.id,
        )


async def on_follow(
    db: Database, channel: Channel, incoming: Incoming, *, lang: str | None = None
) -> None:
    """ "Follow this person" on a search result: subscribe to the author (whose id the
    sender never sees)."""
    language = sender_lang(incoming, lang)
    seen = await _visible_takeaway(db, incoming)
    if seen is None:
        reply(channel, incoming, text("kb_stale_card", language))
        return
    takeaway, _author = seen
    if takeaway.user_id == incoming.sender.id:
        reply(channel, incoming, text("kb_subscribe_self", language))
        return
    name = takeaway.author_name or text("kb_someone", language)
    _, new = await subscriptions.subscribe(
        db, incoming.sender.id, "person", takeaway.user_id, label=name, tenant_id=incoming.tenant_id
    )
    key = "kb_subscribed" if new else "kb_already_subscribed"
    reply(
        channel,
        incoming,
        text(key, language, kind=text("kb_kind_person", language), label=escape_markdown(name)),
    )
