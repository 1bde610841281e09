"""What a workshop gives back: the network map, the summary, and the next plan version the
summary's adjustments make.

The summary is built by the one pipeline (:mod:`dialogs.summaries`, the "what now" card);
a stored map is read by the one reader (:func:`analysis.summary.mapdata.corpus_map_from_json`).
Outputs drawn from a workshop's answers go only to its people (:mod:`dialogs.permissions`).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from analysis.errors import InvalidParameter
from analysis.summary.mapdata import corpus_map_from_json
from analysis.summary.model import Audience
from dialogs import cards, outgoing, permissions, plan_editing
from dialogs import workshop as flow
from dialogs.commands import ParsedCommand
from dialogs.conversation.channel import Channel, Destination
from dialogs.conversation.session import Caller, Session
from dialogs.errors import DialogError
from dialogs.jobs import JobContext, job
from dialogs.plan_adjustments import accept_adjustments
from dialogs.summaries import (
    SUMMARY_BUILDER,
    make_summary,
    summary_map_url,
)
from dialogs.texts import text
from dialogs.workshop import WorkshopStateError
from storage import jobs as jobs_repo
from storage import maps as maps_repo
from storage import workshops as workshops_repo
from storage.db import Database
from storage.errors import StorageError
from storage.records import MapInfo, MapRecord, WorkshopRecord

__all__ = [
    "ACCEPT_SUBMIT",
    "accept",
    "corpus_maps",
    "map_command",
    "plan",
    "post_map",
    "post_summary",
    "summary",
    "summary_to_facilitators",
]

log = logging.getLogger(__name__)

#: The card submit kind of the summary card's "accept adjustments" button.
ACCEPT_SUBMIT = "summary-accept"


def corpus_maps(maps: Iterable[MapInfo]) -> list[MapInfo]:
    """The maps of assignment corpora, without the summaries' revisited maps."""
    return [m for m in maps if not (isinstance(m.data, dict) and m.data.get("summary_of"))]


def _clusters(record: MapRecord) -> list[tuple[str, str]]:
    """``(name, main terms)`` of a stored map's first clusters, as its card lists them."""
    try:
        corpus = corpus_map_from_json(record.data, name=record.name)
    except InvalidParameter:
        return []
    shown = []
    for name, nodes in list(corpus.clusters.items())[:8]:
        terms = ", ".join(corpus.labels.get(node, node) for node in nodes[:6])
        shown.append((name, terms or "-"))
    return shown


async def post_map(
    session: Session, channel: Channel, map_id: int, where: Destination, lang: str, *, parked: bool
) -> None:
    """Post a stored map's card in ``where`` (``parked``: with the note that it waits)."""
    record = await maps_repo.get_map(session.db, map_id)
    card = cards.map_card(
        lang=lang,
        name=record.name,
        image_url=channel.media_url(record.token, "card" if record.card_png else "full"),
        full_url=channel.media_url(record.token),
        clusters=_clusters(record),
    )
    channel.send(where, card)
    if parked:
        channel.send(where, text("map_parked", lang))


async def map_command(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``map [name]``: the workshop's map, or a stored corpus map by name."""
    known = await maps_repo.list_maps(session.db)
    if not known:
        session.reply(caller, text("map_none_stored", caller.lang))
        return
    name = command.argument.strip()
    if not name and caller.workshop is not None and caller.workshop.map_id is not None:
        match = next((m for m in known if m.id == caller.workshop.map_id), None)
    elif name:
        match = next((m for m in known if m.name.lower() == name.lower()), None)
    else:
        match = next(iter(corpus_maps(known)), None)
    if match is None:
        listed = ", ".join(m.name for m in corpus_maps(known)) or "-"
        session.reply(caller, text("map_unknown", caller.lang, name=name, known=listed))
        return
    summary_of = match.data.get("summary_of") if isinstance(match.data, dict) else None
    if summary_of is not None:  # drawn from a workshop's answers: its people only
        try:
            source = await workshops_repo.get_workshop(session.db, int(summary_of))
        except (StorageError, TypeError, ValueError):
            raise WorkshopStateError("outputs_not_member") from None
        await session.check_allowed(caller, source, permissions.may_see_outputs)
    await post_map(session, caller.channel, match.id, caller.where, caller.lang, parked=False)


async def summary(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``summary [id]``: the summary card, to the group (in the group) or to the facilitator
    alone (in the 1:1 chat, with private answers); facilitators only, also after the end."""
    workshop = caller.workshop or await _latest_here(session, caller, command.argument)
    if workshop is None:
        raise WorkshopStateError("no_workshop")
    if caller.user_id not in workshop.facilitators:
        refusal = text("refusal", caller.lang, command=command.spec.title(caller.lang))
        session.refuse(caller, refusal)
        return
    await session.check_allowed(caller, workshop, permissions.may_see_outputs)
    audience: Audience = "facilitator" if caller.incoming.personal else "group"
    channel, where, workshop_id, lang = caller.channel, caller.where, workshop.id, workshop.language

    async def build_and_send() -> None:
        card = await session.summary_card(
            workshop_id, audience=audience, lang=lang, channel=channel
        )
        channel.send(where, card)

    channel.spawn(build_and_send(), name="summary")


async def _latest_here(session: Session, caller: Caller, argument: str) -> WorkshopRecord | None:
    if argument.strip().isdigit():
        try:
            return await workshops_repo.get_workshop(session.db, int(argument.strip()))
        except StorageError:
            return None
    if not caller.incoming.conversation_id:
        return None
    listing = await workshops_repo.list_workshops(
        session.db, conversation_id=flow.base_conversation_id(caller.incoming.conversation_id)
    )
    return listing[0].workshop if listing else None


async def summary_to_facilitators(
    session: Session, channel: Channel, workshop: WorkshopRecord, where: Destination
) -> None:
    """Send the facilitators' summary card to each facilitator privately."""
    card = await session.summary_card(
        workshop.id, audience="facilitator", lang=workshop.language, channel=channel
    )
    for user_id in workshop.facilitators:
        channel.send_private(where, user_id, card)


#: The job that sends the facilitators' summary after a workshop's end.
SUMMARY_JOB = "workshop.summary"


def summary_key(workshop_id: int) -> str:
    """The key of a workshop's end-summary job (and, with the recipient, of its messages)."""
    return f"summary:{workshop_id}"


async def schedule_summary(db: Database, workshop_id: int, *, tx: Any = None) -> int:
    """Schedule the facilitators' summary of an ended workshop: whichever instance is
    alive builds it and queues it in the durable outbox, once. Returns the job's id."""
    return await jobs_repo.schedule(
        db,
        SUMMARY_JOB,
        datetime.now(UTC),
        {"workshop": workshop_id},
        key=summary_key(workshop_id),
        tx=tx,
    )


@job(SUMMARY_JOB)
async def summary_job(ctx: JobContext, payload: dict[str, Any]) -> None:
    """Queue the summary privately for each facilitator, completing the job in the same
    transaction. The revisited map is drawn now (its URL must stay the same for every
    card); the card itself is made when it is sent (the outbox builder
    :data:`~dialogs.summaries.SUMMARY_BUILDER`), so that a person forgotten or an answer
    withdrawn while it waited is not quoted in it."""
    workshop_id = int(payload["workshop"])
    workshop = await workshops_repo.get_workshop(ctx.db, workshop_id)
    where = workshop.conversation_reference
    map_url = None
    if where is not None and workshop.facilitators:
        bundle = await make_summary(
            ctx.db, workshop_id, audience="facilitator", lang=workshop.language
        )
        map_url = await summary_map_url(ctx.db, workshop_id, bundle, ctx.channel.media_url)
    async with ctx.db.transaction() as tx:
        if where is not None:
            for user_id in workshop.facilitators:
                await outgoing.post_private(
                    ctx.db,
                    where,
                    user_id,
                    builder=SUMMARY_BUILDER,
                    args={
                        "workshop": workshop_id,
                        "audience": "facilitator",
                        "lang": workshop.language,
                        "map_url": map_url,
                    },
                    key=f"{summary_key(workshop_id)}:{user_id}",
                    tx=tx,
                )
        if not await ctx.complete_in(tx):
            raise RuntimeError(f"the summary job of workshop {workshop_id} was taken over")


async def post_summary(
    session: Session, channel: Channel, workshop_id: int, *, to_group: bool
) -> None:
    """Send a workshop's summary card proactively: to its chat, or to its facilitators.

    Raises:
        DialogError: The workshop has no stored conversation to post to.
    """
    workshop = await workshops_repo.get_workshop(session.db, workshop_id)
    where = workshop.conversation_reference
    if where is None:
        raise DialogError(f"workshop {workshop_id} has no Teams conversation to post to")
    if not to_group:
        await summary_to_facilitators(session, channel, workshop, where)
        return
    card = await session.summary_card(
        workshop_id, audience="group", lang=workshop.language, channel=channel
    )
    channel.send(where, card)


async def accept(session: Session, caller: Caller, data: dict[str, Any]) -> None:
    """The summary card's "accept adjustments": the next version of the workshop's plan."""
    workshop_id = data.get("workshop")
    try:
        workshop = await workshops_repo.get_workshop(session.db, int(workshop_id or 0))
    except (StorageError, TypeError, ValueError):
        raise WorkshopStateError("other_workshop") from None
    lang = workshop.language
    if caller.user_id not in workshop.facilitators:
        message = (
            "Only a facilitator can accept the adjustments."
            if lang == "en"
            else "Kun en facilitator kan godkende justeringerne."
        )
        session.refuse(caller, message)
        return
    try:
        record = await accept_adjustments(session.db, workshop.id, author=caller.user_id)
    except DialogError as exc:
        session.reply(caller, str(exc))
        return
    message = (
        f"Plan {record.plan_key} version {record.version} is ready for the next workshop."
        if lang == "en"
        else f"Spørgeplanen {record.plan_key} version {record.version} er klar til næste workshop."
    )
    session.reply(caller, message)


async def plan(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``plans``, ``plan show|copy|move|reword|add|drop|share …``: edit question plans
    (who may is decided when a plan is saved, by :mod:`dialogs.permissions`)."""
    mentioned: Sequence[tuple[str, str]] = caller.incoming.mentions
    title, message = await plan_editing.run(
        session.db,
        command.name,
        command.argument,
        author=caller.name or caller.user_id,
        lang=caller.lang,
        actor=caller.person,
        operators=session.operators,
        mentioned=tuple(mentioned),
    )
    session.reply(caller, cards.notice_card(title=title, message=message))
