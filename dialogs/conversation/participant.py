"""What anyone may ask for themselves: help, the open question again (``indhent``), a
private answer (``privat``), withdrawing their answers, and being forgotten (``glem mig``).

Everything here answers the person alone: privately in a group chat or channel.
"""

from __future__ import annotations

import logging

from dialogs import cards, permissions
from dialogs import workshop as flow
from dialogs.commands import ParsedCommand
from dialogs.conversation.question_cards import question_card
from dialogs.conversation.session import Caller, Session, require_workshop
from dialogs.state import PendingPrivate, UserProgress
from dialogs.texts import text
from dialogs.workshop import WorkshopStateError
from storage import privacy as privacy_repo
from storage import questions as questions_repo

__all__ = ["catch_up", "forget_me", "help_command", "private", "show_help", "withdraw"]

log = logging.getLogger(__name__)


def show_help(session: Session, caller: Caller, *, note: str = "", to_group: bool = False) -> None:
    """The help card for the caller's role and the workshop's phase, to the caller alone
    (privately in a group chat or channel); ``to_group`` when the bot introduces itself."""
    workshop = caller.workshop
    card = cards.help_card(
        lang=caller.lang,
        facilitator=caller.facilitator,
        scope=caller.scope,
        note=note,
        running=workshop is not None and workshop.status in ("running", "paused"),
    )
    if to_group:
        session.reply(caller, card)
    else:
        session.private(caller, card)


async def help_command(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``help``."""
    show_help(session, caller)


async def catch_up(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``catch up``: the open question's card again, privately."""
    await send_question_privately(session, caller, pending=False)


async def private(session: Session, caller: Caller, command: ParsedCommand | None = None) -> None:
    """``private`` (or the card's "answer privately"): the open question's card privately;
    the next 1:1 message is the private answer to it."""
    await send_question_privately(session, caller, pending=True)


async def send_question_privately(session: Session, caller: Caller, *, pending: bool) -> None:
    """Send the open question's card to the caller's 1:1 chat (a copy that closes with the
    question); ``pending``: their next 1:1 message answers it."""
    workshop = require_workshop(caller)
    # The question goes only to someone who may answer it (a member, from a 1:1 chat).
    await session.check_allowed(caller, workshop, permissions.may_answer_for)
    run = await questions_repo.current_question_run(session.db, workshop.id)
    progress = await caller.state.load()
    if run is None:
        session.private(caller, text("no_open_question_private", caller.lang))
        await caller.state.save(UserProgress(None, workshop.id))
        return
    view = await flow.question_view(session.db, workshop, run)
    sent = session.private(caller, question_card(view, workshop.language, private=True))
    session.cards.track_private(
        caller.channel,
        run.id,
        caller.where,
        None if caller.incoming.personal else caller.user_id,
        sent,
    )
    if pending:
        session.private(caller, text("private_prompt", caller.lang))
    kept = PendingPrivate(workshop.id, run.id) if pending else progress.pending_private
    await caller.state.save(UserProgress(kept, workshop.id))


async def withdraw(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``withdraw``: every answer of the caller in the workshop is withdrawn.

    Works in anonymous workshops too: storage keeps only a salted hash of the user id,
    enough to find one's own answers, never to show who wrote them.
    """
    if caller.workshop is None and caller.incoming.personal:
        # The 1:1 chat remembers no workshop (a group answer in an anonymous workshop
        # leaves no per-user state): every unfinished workshop the person answered in.
        found = await session.unfinished_workshops()
        if not found:
            raise WorkshopStateError("no_workshop")
        count = sum([await flow.withdraw(session.db, w, caller.user_id) for w in found])
    else:
        count = await flow.withdraw(session.db, require_workshop(caller), caller.user_id)
    session.private(caller, text("withdrawn", caller.lang, count=count))


async def forget_me(session: Session, caller: Caller, command: ParsedCommand) -> None:
    """``forget me``: the caller's answers, participations and stored state are deleted."""
    report = await privacy_repo.forget_user(session.db, caller.user_id)
    # forget_user deleted the stored state; drop this turn's copy too, so the end of the
    # turn neither writes the user id back nor fails on a stale eTag.
    await caller.state.forget()
    message = text(
        "forgotten", caller.lang, answers=report.answers, participants=report.participants
    )
    session.private(caller, message)
