"""The facilitator's commands: start a workshop, move through its questions, change the
order, add a question, pause, resume, end, status, and name another facilitator.

Each use case takes the :class:`~dialogs.conversation.session.Session` and the
:class:`~dialogs.conversation.session.Caller`; who may steer was decided by the router
(:mod:`dialogs.conversation.routing`) before it runs. The rules of a move live in
:mod:`dialogs.workshop` (``advance``, ``pause``, ``resume``, ``end``); this module says
what the group sees.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any, cast

from dialogs import cards, permissions
from dialogs import workshop as flow
from dialogs.commands import ParsedCommand
from dialogs.conversation.channel import Channel, Destination
from dialogs.conversation.outputs import corpus_maps, post_map, schedule_summary
from dialogs.conversation.question_cards import stored_destination
from dialogs.conversation.session import Caller, Session, require_workshop
from dialogs.texts import text
from dialogs.workshop import WorkshopStateError
from storage import answers as answers_repo
from storage import maps as maps_repo
from storage import questions as questions_repo
from storage import series as series_repo
from storage import workshops as workshops_repo
from storage.records import QuestionRunRecord, WorkshopRecord

__all__ = [
    "add",
    "end",
    "end_workshop",
    "facilitator_add",
    "move",
    "pause",
    "reorder",
    "resume",
    "setup",
    "start",
    "status",
]

log = logging.getLogger(__name__)


async def start(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``start``: post the setup card (plan, series, map, organisation, language, mode)."""
    if caller.workshop is not None and caller.workshop.status != "draft":
        raise WorkshopStateError("already_running", id=caller.workshop.id)
    db = session.db
    plans = await flow.available_plans(db, caller.lang)
    # Only the series this person may add a workshop to are offered.
    series = [
        (str(s.id), s.name)
        for s in await series_repo.list_series(db)
        if permissions.may_join_series(
            caller.person, operators=session.operators, owners=(s.owner_id, *s.co_owner_ids)
        )
    ]
    maps = [(str(m.id), m.name) for m in corpus_maps(await maps_repo.list_maps(db))]
    card = cards.setup_card(
        lang=caller.lang,
        workshop_id=0,
        started_by=caller.name or caller.user_id,
        plans=plans,
        series=series,
        maps=maps,
        default_plan="default" if any(p == "default" for p, _ in plans) else None,
    )
    card["actions"][0]["data"]["starter"] = caller.user_id
    session.reply(caller, card)


async def setup(session: Session, caller: Caller, data: dict[str, Any]) -> None:
    """The setup card was submitted: launch the workshop, welcome the group, park the map,
    and tell the facilitator privately how to open the first question."""
    starter = str(data.get("starter") or "")
    incoming = caller.incoming
    if caller.user_id != starter and not await caller.channel.is_meeting_organiser(incoming):
        session.private(caller, text("setup_not_facilitator", caller.lang))
        return
    map_value = str(data.get("map") or "")
    choice = flow.SetupChoice(
        plan_key=str(data.get("plan") or "default"),
        series=str(data.get("series") or "new"),
        series_name=str(data.get("series_name") or ""),
        map_id=int(map_value) if map_value.isdigit() else None,
        org=str(data.get("org") or ""),
        language=str(data.get("language") or caller.lang),
        mode=str(data.get("mode") or "pseudonymous"),
    )
    workshop = await flow.launch(
        session.db,
        choice,
        conversation_id=incoming.conversation_id,
        reference=stored_destination(caller.where),
        facilitators=[starter, caller.user_id],
        channel_id=incoming.team_channel_id,
        meeting_id=incoming.meeting_id,
        tenant_id=incoming.tenant_id,
        person=caller.person,
        operators=session.operators,
    )
    lang = workshop.language
    if incoming.reply_to_id:
        # The setup card becomes a plain notice, so nobody submits it a second time.
        started = cards.notice_card(
            title=text("setup_title", lang),
            message=text("setup_done", lang, name=caller.name or caller.user_id, id=workshop.id),
        )
        caller.channel.update_card(caller.where, incoming.reply_to_id, lambda: started)
    session.reply(
        caller, cards.welcome_card(lang=lang, org=workshop.org_name, mode=workshop.answer_mode)
    )
    if workshop.map_id is not None:
        await post_map(session, caller.channel, workshop.map_id, caller.where, lang, parked=True)
    # The method parks the map and agrees the premise before the first question, so the
    # question waits for the facilitator; she is told, privately, how to open it.
    session.private(caller, text("setup_next", lang))


async def move(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``next``, ``back``, ``skip``, ``park`` and ``return [id]``."""
    workshop = require_workshop(caller)
    # One transaction: the move, the closed cards' updates, the new question's card and its
    # time box commit together, so an instance that dies in between leaves no question open
    # without its card or reminder (the outbox delivers after the commit).
    async with session.db.transaction():
        step = await flow.advance(
            session.db,
            workshop,
            cast(flow.Move, command.name),
            actor=caller.user_id,
            argument=command.argument,
        )
        workshop = await workshops_repo.get_workshop(session.db, workshop.id)
        for run in step.closed:
            await session.cards.refresh(caller.channel, workshop, run, closed=True)
        if step.opened is not None:
            await open_question(session, caller.channel, workshop, step.opened, caller.where)
    if step.notice:
        session.reply(caller, text(step.notice, workshop.language))
    if step.opened is None and step.all_done:
        session.reply(caller, text("all_done", workshop.language))


async def open_question(
    session: Session,
    channel: Channel,
    workshop: WorkshopRecord,
    run: QuestionRunRecord,
    where: Destination,
) -> None:
    """Post an opened question's card and set its time box."""
    view = await session.cards.post(channel, workshop, run, where)
    if view.time_box:
        await session.timeboxes.start(channel, workshop, run, view.time_box)


async def reorder(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``reorder q3 q1 …``: the rest of the plan in a new order."""
    workshop = require_workshop(caller)
    order = await flow.reorder(
        session.db, workshop, command.argument.replace(",", " ").split(), actor=caller.user_id
    )
    session.reply(caller, text("reordered", caller.lang, ids=", ".join(order)))


async def add(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``add <question>``: a question of the facilitator's own comes next."""
    workshop = require_workshop(caller)
    await flow.add_question(session.db, workshop, command.argument, actor=caller.user_id)
    session.reply(caller, text("added", caller.lang, text=command.argument[:200]))


async def pause(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``pause``: answers are refused until ``resume``."""
    await flow.pause(session.db, require_workshop(caller), actor=caller.user_id)
    session.reply(caller, text("paused", caller.lang))


async def resume(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``resume`` after a pause."""
    await flow.resume(session.db, require_workshop(caller), actor=caller.user_id)
    session.reply(caller, text("resumed", caller.lang))


async def end(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``end``: close the open question, end the workshop, summary to the facilitators."""
    await end_workshop(
        session, caller.channel, require_workshop(caller), caller.where, actor=caller.user_id
    )


async def end_workshop(
    session: Session,
    channel: Channel,
    workshop: WorkshopRecord,
    where: Destination,
    *,
    actor: str | None,
) -> None:
    """End ``workshop`` (by ``end`` or when its meeting ended): its open question's cards
    close, the group is told, and the facilitators get the summary privately."""
    # One transaction: the end, the closed card's update and the summary's job commit
    # together. A job, not a task of this process: any live instance sends the summary, once.
    async with session.db.transaction():
        ended, closed = await flow.end(session.db, workshop, actor=actor)
        if closed is not None:
            await session.cards.refresh(channel, ended, closed, closed=True)
        await schedule_summary(session.db, ended.id)
    session.timeboxes.cancel(workshop.id)
    channel.send(where, text("ended", ended.language))


async def status(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``status``: the workshop's state, question, counts, time and what is left."""
    workshop = require_workshop(caller)
    db, lang = session.db, caller.lang
    current = await questions_repo.current_question_run(db, workshop.id)
    upcoming, parked = await flow.remaining(db, workshop)
    total = await answers_repo.count_answers(db, workshop.id)
    listing = await workshops_repo.list_workshops(db, conversation_id=workshop.conversation_id)
    people = next(
        (item.participant_count for item in listing if item.workshop.id == workshop.id), 0
    )
    facts = [
        (text("status_workshop", lang), f"{workshop.id} · {workshop.title}"),
        (text("status_state", lang), text(f"state_{workshop.status}", lang)),
        (
            text("status_question", lang),
            f"{current.question_id}: {current.question_text[:80]}"
            if current
            else text("none", lang),
        ),
    ]
    if current is not None:
        count = await answers_repo.count_answers(db, workshop.id, current.id)
        facts.append((text("status_answers", lang), str(count)))
    facts += [
        (text("status_total", lang), str(total)),
        (text("status_participants", lang), str(people)),
        (text("status_elapsed", lang), flow.elapsed(workshop, datetime.now(UTC))),
        (text("status_remaining", lang), ", ".join(upcoming) or text("none", lang)),
        (text("status_parked", lang), ", ".join(parked) or text("none", lang)),
    ]
    session.reply(caller, cards.status_card(lang=lang, facts=facts))


async def facilitator_add(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``facilitator add @Name``: the people mentioned may steer too."""
    workshop = require_workshop(caller)
    added = []
    for user_id, name in caller.incoming.mentions:
        await workshops_repo.add_facilitator(session.db, workshop.id, user_id, display_name=name)
        added.append(name or user_id)
    if not added:
        session.reply(caller, text("facilitator_who", caller.lang))
        return
    for name in added:
        session.reply(caller, text("facilitator_added", caller.lang, name=name))
