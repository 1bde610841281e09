"""The facilitation logic: plain async functions over ``storage`` and the question plans.

Nothing here knows about Teams. The conversation's use cases (:mod:`dialogs.conversation`)
call these functions and turn their results (:class:`Step`, :class:`QuestionView`, …) into
cards.

Why one module of ~800 lines: the agenda, the moves (``advance``, ``pause``, ``resume``,
``end``), their refusals and the rule for taking an answer (``record``) are one set of rules
that must be read together to be changed safely; split, each part would import the others'
privates (``_require_running``, the agenda's status).

The workshop's *agenda* is the order in which its questions will be asked: the plan's order
at the start, changed by ``reorder`` and by questions added on the fly. It is kept as the
newest ``agenda`` event of the workshop (so every change is logged with who made it and
when). What has been asked, parked and skipped follows from the question runs and the
agenda together:

- ``next`` closes the open question and opens the first agenda question that has not been
  asked, parked or skipped;
- ``back`` closes it and opens the previously asked question again (a new run);
- ``skip`` closes it (or, with none open, passes over the next one) and marks it skipped;
- ``park`` closes it as parked; ``return [id]`` opens a parked one again.

Refusals are :class:`WorkshopStateError` with a text key from :mod:`dialogs.texts`, so the
conversation can answer politely in the workshop's language.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from dialogs import permissions
from dialogs.errors import DialogError
from dialogs.plans.builtins import builtin_plan_ids, builtin_plan_text, get_builtin_plan
from dialogs.plans.loader import load_plan
from dialogs.plans.model import Plan, Question
from dialogs.texts import text
from storage import answers as answers_repo
from storage import events as events_repo
from storage import plans as plans_repo
from storage import questions as questions_repo
from storage import series as series_repo
from storage import workshops as workshops_repo
from storage.answers import MAX_ANSWER_CHARS
from storage.db import Database
from storage.errors import (
    AnswerTooLong,
    InvalidInput,
    NotFound,
    QuestionClosed,
    WorkshopEnded,
    WorkshopPaused,
)
from storage.records import (
    QuestionRunRecord,
    RecordedAnswer,
    SeriesRecord,
    WorkshopRecord,
    format_offset,
)

__all__ = [
    "MAX_ANSWER_CHARS",
    "Agenda",
    "Move",
    "QuestionView",
    "SetupChoice",
    "Step",
    "WorkshopStateError",
    "add_question",
    "advance",
    "available_plans",
    "base_conversation_id",
    "elapsed",
    "end",
    "launch",
    "load_agenda",
    "pause",
    "plan_of",
    "question_view",
    "record",
    "remaining",
    "reorder",
    "resume",
    "withdraw",
]

log = logging.getLogger(__name__)

# MAX_ANSWER_CHARS: storage's limit, the one definition (storage.answers); re-exported here.

Move = Literal["next", "back", "skip", "park", "return"]


class WorkshopStateError(DialogError):
    """A command that does not fit the workshop's state; :meth:`message` says why, politely.

    Attributes:
        key: The text key in :mod:`dialogs.texts` (a reason, e.g. ``"reason_no_more"``).
        values: The text's placeholder values.
    """

    def __init__(self, key: str, **values: Any) -> None:
        super().__init__(f"{key} {values}" if values else key)
        self.key = key
        self.values = values

    def message(self, lang: str) -> str:
        """The reply to the user in ``lang``."""
        body = text(self.key, lang, **self.values)
        if self.key.startswith("reason_"):
            return text("wrong_state", lang, reason=body)
        return body


def base_conversation_id(conversation_id: str) -> str:
    """A conversation id without its channel-thread suffix (``;messageid=…``).

    >>> base_conversation_id("19:abc@thread.tacv2;messageid=1700000000000")
    '19:abc@thread.tacv2'
    """
    return conversation_id.split(";messageid=", 1)[0]


# --- plans ------------------------------------------------------------------------------

_PLAN_CACHE: dict[int, Plan] = {}


async def plan_of(db: Database, workshop: WorkshopRecord) -> Plan | None:
    """The plan a workshop runs (None for a draft without one)."""
    if workshop.plan_version_id is None:
        return None
    cached = _PLAN_CACHE.get(workshop.plan_version_id)
    if cached is None:
        version = await plans_repo.get_plan_version(db, workshop.plan_version_id)
        cached = load_plan(version.text)
        _PLAN_CACHE[workshop.plan_version_id] = cached
    return cached


async def available_plans(db: Database, lang: str) -> list[tuple[str, str]]:
    """``(plan key, name)`` of every stored plan and built-in plan, stored ones first."""
    seen: dict[str, str] = {}
    for record in await plans_repo.list_plans(db):
        seen[record.key] = record.name
    for plan_id in builtin_plan_ids():
        if plan_id not in seen:
            plan = get_builtin_plan(plan_id)
            seen[plan_id] = plan.name.get(lang) or next(iter(plan.name.values()))
    return list(seen.items())


async def plan_version_for(db: Database, plan_key: str, *, author: str) -> int:
    """The id of the newest stored version of ``plan_key``; a built-in plan is stored first.

    Raises:
        WorkshopStateError: No stored or built-in plan has that key.
    """
    latest = await plans_repo.latest_plan_version(db, plan_key)
    if latest is not None:
        return latest.id
    if plan_key not in builtin_plan_ids():
        raise WorkshopStateError("plan_unknown", plan=plan_key)
    plan = get_builtin_plan(plan_key)
    saved = await plans_repo.save_plan_version(
        db,
        plan_key=plan_key,
        name=plan.name.get("da") or next(iter(plan.name.values())),
        text=builtin_plan_text(plan_key),
        author=author,
        note="built-in plan",
    )
    return saved.id


# --- the agenda -------------------------------------------------------------------------


@dataclass(frozen=True)
class Agenda:
    """The order of a workshop's questions and the ones added or skipped during it.

    Attributes:
        order: Question ids in asking order.
        added: Questions added on the fly: id → ``{"text": ..., "phase": ...}``.
        skipped: Ids the facilitator skipped.
    """

    order: tuple[str, ...]
    added: dict[str, dict[str, str]] = field(default_factory=dict)
    skipped: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The event data."""
        return {"order": list(self.order), "added": self.added, "skipped": list(self.skipped)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Agenda:
        """Read :meth:`to_json`'s output."""
        return cls(
            order=tuple(str(q) for q in data.get("order", ())),
            added={str(k): dict(v) for k, v in dict(data.get("added", {})).items()},
            skipped=tuple(str(q) for q in data.get("skipped", ())),
        )


AGENDA_EVENT = "agenda"


async def load_agenda(db: Database, workshop: WorkshopRecord) -> Agenda:
    """The workshop's current agenda (the plan's order when none was saved)."""
    found = await events_repo.list_events(db, workshop.id, kind=AGENDA_EVENT)
    if found:
        return Agenda.from_json(found[-1].data)
    plan = await plan_of(db, workshop)
    return Agenda(order=plan.question_ids if plan else ())


async def _save_agenda(
    db: Database, workshop: WorkshopRecord, agenda: Agenda, *, actor: str | None, why: str
) -> None:
    data = agenda.to_json()
    data["why"] = why
    await events_repo.log_event(db, workshop.id, AGENDA_EVENT, data=data, actor_user_id=actor)


# --- question views ---------------------------------------------------------------------


@dataclass(frozen=True)
class QuestionView:
    """Everything a question card shows, in the workshop's language."""

    workshop_id: int
    run_id: int
    question_id: str
    phase: str
    number: int
    total: int
    text: str
    kind: str
    options: tuple[str, ...]
    count: int
    is_open: bool
    added: bool
    time_box: int | None


def _question_of(plan: Plan | None, agenda: Agenda, qid: str) -> Question | None:
    if plan is None or qid in agenda.added:
        return None
    try:
        return plan.question(qid)
    except DialogError:
        return None


async def question_view(
    db: Database,
    workshop: WorkshopRecord,
    run: QuestionRunRecord,
    *,
    count: int | None = None,
    agenda: Agenda | None = None,
) -> QuestionView:
    """The card content of one question run (``count`` None: counted from storage)."""
    plan = await plan_of(db, workshop)
    agenda = agenda or await load_agenda(db, workshop)
    lang = workshop.language
    question = _question_of(plan, agenda, run.question_id)
    phase = ""
    kind = "text"
    options: tuple[str, ...] = ()
    time_box = None
    if plan is not None and question is not None:
        try:
            phase = plan.render_text(plan.phase(question.phase).title, lang, workshop.org_name)
        except DialogError:
            phase = question.phase
        kind = question.kind
        options = tuple(plan.render_options(question, lang, workshop.org_name))
        time_box = plan.time_box_for(question)
    elif run.question_id in agenda.added:
        phase = agenda.added[run.question_id].get("phase", "")
    number = agenda.order.index(run.question_id) + 1 if run.question_id in agenda.order else 0
    if count is None:
        count = await answers_repo.count_answers(db, workshop.id, run.id)
    return QuestionView(
        workshop_id=workshop.id,
        run_id=run.id,
        question_id=run.question_id,
        phase=phase,
        number=number,
        total=len(agenda.order),
        text=run.question_text,
        kind=kind,
        options=options,
        count=count,
        is_open=run.is_open,
        added=run.question_id in agenda.added,
        time_box=time_box,
    )


def _question_text(workshop: WorkshopRecord, plan: Plan | None, agenda: Agenda, qid: str) -> str:
    if qid in agenda.added:
        return agenda.added[qid]["text"]
    if plan is None:
        raise WorkshopStateError("reason_not_started")
    return plan.render(qid, workshop.language, workshop.org_name)


# --- setup ------------------------------------------------------------------------------


@dataclass(frozen=True)
class SetupChoice:
    """What a facilitator chose on the setup card.

    Attributes:
        plan_key: The plan (stored or built-in key).
        series: ``"new"`` or the id of an existing series.
        series_name: The new series' name (``series == "new"``); empty: no series.
        map_id: The stored network map to present, or None.
        org: The organisation's name (``{org}`` in the questions).
        language: ``"da"`` or ``"en"``.
        mode: ``"named"``, ``"pseudonymous"`` or ``"anonymous"``.
    """

    plan_key: str
    series: str = "new"
    series_name: str = ""
    map_id: int | None = None
    org: str = ""
    language: str = "da"
    mode: str = "pseudonymous"


async def launch(
    db: Database,
    choice: SetupChoice,
    *,
    conversation_id: str,
    reference: dict[str, Any] | None,
    facilitators: Sequence[str],
    channel_id: str | None = None,
    meeting_id: str | None = None,
    tenant_id: str | None = None,
    person: permissions.Person | None = None,
    operators: frozenset[str] = frozenset(),
) -> WorkshopRecord:
    """Create a workshop from the setup card's choices and start it.

    Args:
        db: The database.
        choice: The setup card's values.
        conversation_id: The Teams conversation (a channel thread's suffix is dropped).
        reference: The conversation reference (JSON) for proactive messages.
        facilitators: User ids allowed to steer it (the starter, the submitter).
        channel_id: The Teams channel, if any.
        meeting_id: The Teams meeting, if any.
        tenant_id: The tenant.
        person: Who starts it from Teams: joining an existing series needs their right to
            (:func:`dialogs.permissions.may_join_series`), a new series is theirs. None: an
            operator's own tool.
        operators: The operators' ids from the settings.

    Raises:
        WorkshopStateError: A workshop already runs here, or a choice is missing or invalid,
            or the person may not add a workshop to the chosen series.
    """
    lang: Literal["da", "en"] = "en" if choice.language == "en" else "da"
    base = base_conversation_id(conversation_id)
    active = await workshops_repo.find_active_workshop(db, base)
    if active is not None:
        raise WorkshopStateError("already_running", id=active.id)
    if not choice.org.strip():
        raise WorkshopStateError("setup_missing", field=text("setup_org", lang))
    if choice.mode not in ("named", "pseudonymous", "anonymous"):
        raise WorkshopStateError("setup_missing", field=text("setup_mode", lang))
    actor = facilitators[0] if facilitators else "workshopbot"
    # A built-in plan stored on first use is the bot's work, not the facilitator's (whose id
    # would outlive "forget me" there).
    version_id = await plan_version_for(db, choice.plan_key, author="workshopbot")
    series: SeriesRecord | None = None
    if choice.series and choice.series != "new":
        try:
            series = await series_repo.get_series(db, int(choice.series))
        except (ValueError, LookupError):
            raise WorkshopStateError("setup_missing", field=text("setup_series", lang)) from None
    elif choice.series_name.strip():
        # A name already taken is that series: the same rule as choosing it.
        series = await series_repo.get_or_create_series(
            db, choice.series_name.strip(), owner_id=person.user_id if person else None
        )
    if series is not None and person is not None:
        verdict = permissions.may_join_series(
            person, operators=operators, owners=(series.owner_id, *series.co_owner_ids)
        )
        if not verdict:
            raise WorkshopStateError(verdict.reason)
    series_id = series.id if series is not None else None
    created = await workshops_repo.create_workshop(
        db,
        org_name=choice.org.strip(),
        language=lang,
        answer_mode=choice.mode,  # type: ignore[arg-type]
        series_id=series_id,
        plan_version_id=version_id,
        title=choice.org.strip(),
        conversation_reference=reference,
        conversation_id=base,
        channel_id=channel_id,
        meeting_id=meeting_id,
        tenant_id=tenant_id,
        facilitators=list(dict.fromkeys(facilitators)),
        map_id=choice.map_id,
    )
    started = await workshops_repo.start_workshop(db, created.id, actor_user_id=actor)
    plan = await plan_of(db, started)
    await _save_agenda(
        db, started, Agenda(order=plan.question_ids if plan else ()), actor=actor, why="start"
    )
    return started


# --- moving through the questions -------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """What a facilitation command did.

    Attributes:
        closed: The runs it closed (their cards turn into closed cards).
        opened: The run it opened, if any (a new question card is posted).
        notice: A text key to tell the group (``"parked"``), or None.
        all_done: No question is left to ask.
    """

    closed: tuple[QuestionRunRecord, ...] = ()
    opened: QuestionRunRecord | None = None
    notice: str | None = None
    all_done: bool = False


def _require_running(workshop: WorkshopRecord) -> None:
    if workshop.status == "draft":
        raise WorkshopStateError("reason_not_started")
    if workshop.status == "paused":
        raise WorkshopStateError("reason_paused")
    if workshop.status == "ended":
        raise WorkshopStateError("no_workshop")


def _status_of_questions(
    runs: Sequence[QuestionRunRecord], agenda: Agenda
) -> tuple[set[str], set[str], QuestionRunRecord | None]:
    """(asked, parked, open run) from the runs: the newest run of each question decides."""
    newest: dict[str, QuestionRunRecord] = {}
    open_run = None
    for run in runs:
        newest[run.question_id] = run
        if run.is_open:
            open_run = run
    parked = {qid for qid, run in newest.items() if run.parked and not run.is_open}
    asked = {qid for qid, run in newest.items() if not run.parked}
    return asked, parked, open_run


def _upcoming(agenda: Agenda, asked: set[str], parked: set[str]) -> list[str]:
    skipped = set(agenda.skipped)
    return [q for q in agenda.order if q not in asked and q not in parked and q not in skipped]


async def advance(
    db: Database, workshop: WorkshopRecord, move: Move, *, actor: str | None, argument: str = ""
) -> Step:
    """Carry out ``next``, ``back``, ``skip``, ``park`` or ``return``.

    Args:
        db: The database.
        workshop: The running workshop.
        move: What to do.
        actor: The facilitator's user id (logged).
        argument: For ``return``: the parked question's id (default: the newest parked).

    Raises:
        WorkshopStateError: The move does not fit (paused, nothing left, nothing parked …).
    """
    _require_running(workshop)
    plan = await plan_of(db, workshop)
    agenda = await load_agenda(db, workshop)
    runs = await questions_repo.list_question_runs(db, workshop.id)
    asked, parked, open_run = _status_of_questions(runs, agenda)
    closed: list[QuestionRunRecord] = []
    target: str | None = None
    notice: str | None = None

    if move == "next":
        upcoming = _upcoming(agenda, asked, parked)
        if not upcoming:
            raise WorkshopStateError("reason_no_more")
        target = upcoming[0]
    elif move == "back":
        # The questions in the order they were first asked: "back" steps through them, so
        # going back twice from q2 gives q1, then q0.
        sequence = list(dict.fromkeys(r.question_id for r in runs))
        if open_run is not None:
            index = sequence.index(open_run.question_id)
            if index == 0:
                raise WorkshopStateError("reason_no_previous")
            target = sequence[index - 1]
        elif sequence:
            target = sequence[-1]
        else:
            raise WorkshopStateError("reason_no_previous")
    elif move == "skip":
        if open_run is not None:
            skipped_id = open_run.question_id
        else:
            upcoming = _upcoming(agenda, asked, parked)
            if not upcoming:
                raise WorkshopStateError("reason_no_more")
            skipped_id = upcoming[0]
        agenda = Agenda(agenda.order, agenda.added, (*agenda.skipped, skipped_id))
        await _save_agenda(db, workshop, agenda, actor=actor, why=f"skip {skipped_id}")
        upcoming = _upcoming(
            agenda, asked | ({open_run.question_id} if open_run else set()), parked
        )
        target = upcoming[0] if upcoming else None
    elif move == "park":
        if open_run is None:
            raise WorkshopStateError("reason_no_open")
        closed.append(await questions_repo.close_question(db, open_run.id, parked=True))
        notice = "parked"
        upcoming = _upcoming(
            agenda, asked - {open_run.question_id}, parked | {open_run.question_id}
        )
        target = upcoming[0] if upcoming else None
        open_run = None
    elif move == "return":
        if not parked:
            raise WorkshopStateError("reason_nothing_parked")
        wanted = argument.strip()
        if wanted:
            if wanted not in parked:
                raise WorkshopStateError(
                    "reason_unknown_question", id=wanted, ids=", ".join(sorted(parked))
                )
            target = wanted
        else:
            parked_runs = [r for r in runs if r.question_id in parked]
            target = parked_runs[-1].question_id
    if open_run is not None:
        closed.append(await questions_repo.close_question(db, open_run.id))
    if target is None:
        return Step(closed=tuple(closed), opened=None, notice=notice, all_done=True)
    question_text = _question_text(workshop, plan, agenda, target)
    position = agenda.order.index(target) + 1 if target in agenda.order else None
    opened = await questions_repo.open_question(db, workshop.id, target, question_text, position)
    await events_repo.log_event(
        db,
        workshop.id,
        f"question.{move}",
        data={"question": target, "run": opened.id},
        actor_user_id=actor,
    )
    return Step(closed=tuple(closed), opened=opened, notice=notice)


async def pause(db: Database, workshop: WorkshopRecord, *, actor: str | None) -> WorkshopRecord:
    """Pause a running workshop: answers are refused until :func:`resume`.

    Raises:
        WorkshopStateError: It is paused already, or not running.
    """
    if workshop.status == "paused":
        raise WorkshopStateError("reason_paused")
    _require_running(workshop)
    return await workshops_repo.pause_workshop(db, workshop.id, actor_user_id=actor)


async def resume(db: Database, workshop: WorkshopRecord, *, actor: str | None) -> WorkshopRecord:
    """Resume a paused workshop.

    Raises:
        WorkshopStateError: It is not paused.
    """
    if workshop.status != "paused":
        raise WorkshopStateError("reason_not_paused")
    return await workshops_repo.resume_workshop(db, workshop.id, actor_user_id=actor)


async def end(
    db: Database, workshop: WorkshopRecord, *, actor: str | None
) -> tuple[WorkshopRecord, QuestionRunRecord | None]:
    """End a workshop: close the open question (if any), then the workshop.

    Returns:
        The ended workshop and the question run it closed (None when none was open).
    """
    current = await questions_repo.current_question_run(db, workshop.id)
    closed = None
    if current is not None:
        closed = await questions_repo.close_question(db, current.id)
    ended = await workshops_repo.end_workshop(db, workshop.id, actor_user_id=actor)
    return ended, closed


async def reorder(
    db: Database, workshop: WorkshopRecord, ids: Sequence[str], *, actor: str | None
) -> list[str]:
    """Put the remaining questions in a new order: ``ids`` first, the rest after them.

    Returns:
        The remaining questions in their new order.

    Raises:
        WorkshopStateError: An id is not among the remaining questions.
    """
    if workshop.status == "ended":
        raise WorkshopStateError("no_workshop")
    agenda = await load_agenda(db, workshop)
    runs = await questions_repo.list_question_runs(db, workshop.id)
    asked, parked, _ = _status_of_questions(runs, agenda)
    upcoming = _upcoming(agenda, asked, parked)
    wanted = [i.strip().strip(",") for i in ids if i.strip().strip(",")]
    for qid in wanted:
        if qid not in upcoming:
            raise WorkshopStateError(
                "reason_unknown_question",
                id=qid,
                ids=", ".join(upcoming) or text("none", workshop.language),
            )
    new_upcoming = list(dict.fromkeys(wanted)) + [q for q in upcoming if q not in wanted]
    done = [q for q in agenda.order if q not in upcoming]
    agenda = Agenda(tuple(done + new_upcoming), agenda.added, agenda.skipped)
    await _save_agenda(db, workshop, agenda, actor=actor, why="reorder")
    return new_upcoming


async def add_question(
    db: Database, workshop: WorkshopRecord, question_text: str, *, actor: str | None
) -> str:
    """Add a question on the fly; it comes next. Returns its id (``x1``, ``x2`` …).

    Raises:
        WorkshopStateError: The workshop has ended or the text is empty or too long.
    """
    if workshop.status == "ended":
        raise WorkshopStateError("no_workshop")
    cleaned = question_text.strip()
    if not cleaned:
        raise WorkshopStateError("empty_answer")
    if len(cleaned) > MAX_ANSWER_CHARS:
        raise WorkshopStateError("too_long", length=len(cleaned), limit=MAX_ANSWER_CHARS)
    agenda = await load_agenda(db, workshop)
    runs = await questions_repo.list_question_runs(db, workshop.id)
    asked, parked, open_run = _status_of_questions(runs, agenda)
    number = len(agenda.added) + 1
    new_id = f"x{number}"
    while new_id in agenda.order:
        number += 1
        new_id = f"x{number}"
    upcoming = _upcoming(agenda, asked, parked)
    order = list(agenda.order)
    insert_at = order.index(upcoming[0]) if upcoming else len(order)
    if open_run is not None and open_run.question_id in order:
        insert_at = (
            min(insert_at, order.index(open_run.question_id) + 1) if upcoming else len(order)
        )
    order.insert(insert_at, new_id)
    phase = text("added_question_label", workshop.language)
    added = {**agenda.added, new_id: {"text": cleaned, "phase": phase}}
    await _save_agenda(
        db, workshop, Agenda(tuple(order), added, agenda.skipped), actor=actor, why="add"
    )
    return new_id


async def remaining(db: Database, workshop: WorkshopRecord) -> tuple[list[str], list[str]]:
    """(upcoming question ids, parked question ids)."""
    agenda = await load_agenda(db, workshop)
    runs = await questions_repo.list_question_runs(db, workshop.id)
    asked, parked, _ = _status_of_questions(runs, agenda)
    return _upcoming(agenda, asked, parked), sorted(parked)


def elapsed(workshop: WorkshopRecord, now: datetime) -> str:
    """Time since the workshop's start as ``hh:mm:ss`` (``00:00:00`` before the start)."""
    if workshop.started_at is None:
        return format_offset(0)
    return format_offset(int((now - workshop.started_at).total_seconds()))


# --- answers ----------------------------------------------------------------------------


async def record(
    db: Database,
    workshop: WorkshopRecord,
    *,
    user_id: str,
    display_name: str | None,
    answer_text: str,
    source: Literal["card", "chat", "private"],
    run_id: int | None = None,
    card_workshop_id: int | None = None,
    value: Any = None,
    activity_id: str | None = None,
    private: bool = False,
) -> RecordedAnswer:
    """Store one answer after checking that it fits: open question, this workshop, ≤ 4000.

    Args:
        db: The database.
        workshop: The workshop the answer is for.
        user_id: The Teams user id (hashed by storage; not kept in anonymous mode).
        display_name: The Teams name (not kept in anonymous mode).
        answer_text: The text.
        source: How it came: card submit, chat message or private 1:1 message.
        run_id: The question run (None: the open one, or open discussion when none is open).
        card_workshop_id: The workshop id a card submit carried (checked against ``workshop``).
        value: A scale point or choice.
        activity_id: The Teams activity id (a redelivery is stored once).
        private: Never shown in the group.

    Raises:
        WorkshopStateError: Too long, empty, a closed question or another workshop's card.
    """
    if workshop.status == "ended":
        raise WorkshopStateError("workshop_ended")
    if card_workshop_id is not None and card_workshop_id != workshop.id:
        raise WorkshopStateError("other_workshop")
    # NUL first (PostgreSQL cannot store it; storage drops it), then the edges: "0 \x00"
    # is stored as "0", as its text reads, not with a trailing space.
    cleaned = answer_text.replace("\x00", "").strip()
    if len(cleaned) > MAX_ANSWER_CHARS:
        raise WorkshopStateError("too_long", length=len(cleaned), limit=MAX_ANSWER_CHARS)
    if not cleaned and value is None:
        raise WorkshopStateError("empty_answer")
    # Storage checks in the transaction that stores the answer that the workshop has not
    # ended and that the run is open (and, for a run the caller names, such as a card's
    # payload, that it exists and is this workshop's): no read before, and a change made
    # by another bot instance a moment ago is still refused.
    named_run = run_id is not None
    if not cleaned and value is not None:
        cleaned = str(value)
    try:
        return await answers_repo.record_answer(
            db,
            workshop_id=workshop.id,
            user_id=user_id,
            text=cleaned,
            source=source,
            display_name=None if workshop.answer_mode == "anonymous" else display_name,
            activity_id=activity_id,
            question_run_id=run_id,
            private=private,
            value=value,
            open_only=True,
            # No run named: storage resolves the open run when it stores the answer.
            current_run=not named_run,
        )
    except AnswerTooLong:
        raise WorkshopStateError("too_long", length=len(cleaned), limit=MAX_ANSWER_CHARS) from None
    except WorkshopEnded:
        raise WorkshopStateError("workshop_ended") from None
    except WorkshopPaused:
        raise WorkshopStateError("answer_paused") from None
    except QuestionClosed:
        raise WorkshopStateError("stale_question") from None
    except (NotFound, InvalidInput):
        if named_run:  # no such run, or another workshop's
            raise WorkshopStateError("other_workshop") from None
        raise


async def withdraw(db: Database, workshop: WorkshopRecord, user_id: str) -> int:
    """Withdraw every answer of ``user_id`` in the workshop; returns how many.

    Works in anonymous workshops too (storage finds a person by a salted hash of the id).
    """
    from storage import participants as participants_repo

    person = await participants_repo.find_participant(db, workshop.id, user_id)
    if person is None:
        return 0
    answers = await answers_repo.answers_for_workshop(db, workshop.id)
    count = 0
    for answer in answers:
        if answer.participant_id == person.id and not answer.withdrawn:
            await answers_repo.withdraw_answer(db, answer.id, user_id=user_id)
            count += 1
    await events_repo.log_event(db, workshop.id, "answers.withdrawn", data={"count": count})
    return count
