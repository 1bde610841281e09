"""The "what now" summary in the bot and the command line: fetch, compute, post, accept.

This module only *fetches* (through the storage package's repository functions), *calls*
the pure :mod:`analysis.summary` and *delivers* (files, cards). It holds no SQL.

Hooking it into the Teams handler (``bot.handler.WorkshopBot``)::

    from bot.summaries import install
    bot = WorkshopBot(services)
    install(bot, services)   # the rich summary card + the "accept adjustments" submit

or pass ``bot_factory=bot.summaries.summary_bot_factory`` to ``bot.app.create_app``.

Transcript workshops: the importer (``bot.cli.transcript``) logs the question times of the
recording as ``transcript.question`` events, because question runs are stamped with the
time of the import; :func:`load_workshop_data` reads them back.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from analysis.summary import build_summary
from analysis.summary.mapdata import corpus_map_from_json
from analysis.summary.model import (
    Adjustment,
    AnswerData,
    Audience,
    CorpusMapData,
    QuestionRunData,
    Summary,
    WorkshopData,
)
from bot.errors import BotError

__all__ = [
    "TRANSCRIPT_EVENT",
    "TRANSCRIPT_QUESTION_EVENT",
    "SummaryBundle",
    "accept_adjustments",
    "apply_adjustments",
    "install",
    "load_series_data",
    "load_workshop_data",
    "make_summary",
    "make_summary_builder",
    "post_summary",
    "summary_bot_factory",
]

log = logging.getLogger(__name__)

#: Event kinds the transcript importer logs (question times and the recording's length).
TRANSCRIPT_EVENT = "transcript.imported"
TRANSCRIPT_QUESTION_EVENT = "transcript.question"

#: The Action.Submit kind of the summary card's "accept adjustments" button.
ACCEPT_SUBMIT = "summary-accept"


def _seconds(later: datetime | None, start: datetime | None) -> float | None:
    if later is None or start is None:
        return None
    return max(0.0, (later - start).total_seconds())


def _lang(value: str) -> Literal["da", "en"]:
    return "en" if value == "en" else "da"


async def load_workshop_data(db: Any, workshop_id: int) -> WorkshopData:
    """Read one workshop from storage as the summary's plain :class:`WorkshopData`.

    Withdrawn answers are left out. In anonymous workshops every answer is marked
    anonymous (the group never sees who wrote it).

    Raises:
        storage.errors.NotFound: No such workshop.
    """
    from storage import answers as answers_repo
    from storage import events as events_repo
    from storage import participants as participants_repo
    from storage import plans as plans_repo
    from storage import questions as questions_repo
    from storage import workshops as workshops_repo

    workshop = await workshops_repo.get_workshop(db, workshop_id)
    runs = await questions_repo.list_question_runs(db, workshop_id)
    answers = await answers_repo.answers_for_workshop(db, workshop_id)
    people = await participants_repo.list_participants(db, workshop_id)
    lang = _lang(workshop.language)
    plan = None
    plan_name, plan_key, plan_version = "", "", None
    if workshop.plan_version_id is not None:
        version = await plans_repo.get_plan_version(db, workshop.plan_version_id)
        plan_name, plan_key, plan_version = version.plan_name, version.plan_key, version.version
        try:
            from dialogs.plans import load_plan

            plan = load_plan(version.text)
        except Exception as exc:
            log.warning("plan version %s cannot be read (%s)", workshop.plan_version_id, exc)
    start = workshop.started_at or workshop.created_at
    transcript_times: dict[int, tuple[float, float | None]] = {}
    transcript_remarks: dict[int, tuple[tuple[float, str], ...]] = {}
    duration: float | None = None
    facilitator_seconds: float | None = None
    for event in await events_repo.list_events(db, workshop_id):
        if event.kind == TRANSCRIPT_QUESTION_EVENT:
            run_id = int(event.data.get("run_id", 0))
            closed = event.data.get("closed_offset")
            transcript_times[run_id] = (
                float(event.data.get("opened_offset", 0.0)),
                None if closed is None else float(closed),
            )
            transcript_remarks[run_id] = tuple(
                (float(at), str(words)) for at, words in event.data.get("remarks", ())
            )
        elif event.kind == TRANSCRIPT_EVENT:
            duration = float(event.data.get("duration", 0.0)) or None
            talk = event.data.get("facilitator_seconds")
            facilitator_seconds = None if talk is None else float(talk)

    anonymous = workshop.answer_mode == "anonymous"
    fallback_names: dict[int, str] = {}

    def who(participant_id: int, pseudonym: str | None) -> str:
        if pseudonym:
            return pseudonym
        prefix = "Anonymous" if lang == "en" else "Anonym"
        return fallback_names.setdefault(participant_id, f"{prefix} {len(fallback_names) + 1}")

    by_run: dict[int | None, list[AnswerData]] = {}
    for a in answers:
        text = a.text if a.text.strip() else ("" if a.value is None else str(a.value))
        by_run.setdefault(a.question_run_id, []).append(
            AnswerData(
                id=str(a.id),
                pseudonym=who(a.participant_id, a.pseudonym),
                text=text,
                offset_seconds=float(a.offset_seconds),
                created_at=a.created_at,
                source=a.source,
                private=a.private,
                anonymous=anonymous,
                value=None if a.value is None else str(a.value),
            )
        )
    question_runs: list[QuestionRunData] = []
    for position, run in enumerate(runs, start=1):
        question = None
        if plan is not None:
            question = next((q for q in plan.questions if q.id == run.question_id), None)
        opened, closed = transcript_times.get(
            run.id, (_seconds(run.opened_at, start) or 0.0, _seconds(run.closed_at, start))
        )
        options: tuple[str, ...] = ()
        kind: Literal["text", "scale", "choice"] = "text"
        time_box = None
        phase = ""
        if question is not None and plan is not None:
            kind = question.kind
            options = tuple(o.get(lang) or next(iter(o.values()), "") for o in question.options)
            time_box = plan.time_box_for(question)
            phase = question.phase
        question_runs.append(
            QuestionRunData(
                question_id=run.question_id,
                text=run.question_text,
                position=position,
                opened_offset=opened,
                closed_offset=closed,
                answers=tuple(by_run.get(run.id, ())),
                kind=kind,
                options=options,
                time_box_seconds=time_box,
                phase=phase,
                opened_at=run.opened_at,
                closed_at=run.closed_at,
                facilitator_remarks=transcript_remarks.get(run.id, ()),
            )
        )
    participants = tuple(who(p.id, p.pseudonym) for p in people if p.first_answer_at or p.pseudonym)
    ended = workshop.ended_at
    started = workshop.started_at
    if duration is not None and started is not None:
        from datetime import timedelta

        ended = started + timedelta(seconds=duration)
    return WorkshopData(
        id=str(workshop.id),
        title=workshop.title or f"Workshop {workshop.id}",
        lang=lang,
        series=workshop.series_name or "",
        number_in_series=workshop.number_in_series,
        started_at=started,
        ended_at=ended,
        plan_name=plan_name,
        plan_id=plan_key,
        plan_version=plan_version,
        org=workshop.org_name,
        participants=participants,
        questions=tuple(question_runs),
        open_discussion=tuple(by_run.get(None, ())),
        plan_question_ids=plan.question_ids if plan is not None else (),
        facilitator_seconds=facilitator_seconds,
    )


async def load_series_data(
    db: Any, workshop_id: int
) -> tuple[WorkshopData, tuple[WorkshopData, ...]]:
    """The workshop and the earlier workshops of its series (oldest first)."""
    from storage import series as series_repo
    from storage import workshops as workshops_repo

    workshop = await workshops_repo.get_workshop(db, workshop_id)
    data = await load_workshop_data(db, workshop_id)
    if workshop.series_id is None:
        return data, ()
    earlier: list[WorkshopData] = []
    for other in await series_repo.workshops_in_series(db, workshop.series_id):
        if other.id == workshop.id:
            break
        earlier.append(await load_workshop_data(db, other.id))
    return data, tuple(earlier)


async def load_corpus_map(db: Any, map_id: int | None) -> CorpusMapData | None:
    """The workshop's network map as the summary needs it (None without one)."""
    if map_id is None:
        return None
    from storage import maps as maps_repo
    from storage.errors import StorageError

    try:
        record = await maps_repo.get_map(db, map_id)
    except StorageError as exc:
        log.warning("map %s is gone (%s); summarising without it", map_id, exc)
        return None
    try:
        return corpus_map_from_json(record.data, name=record.name)
    except ValueError as exc:
        log.warning("map %s has no clusters (%s); summarising without it", map_id, exc)
        return None


@dataclass(frozen=True)
class SummaryBundle:
    """A computed summary with what it was computed from (renderers need both)."""

    summary: Summary
    data: WorkshopData
    corpus_map: CorpusMapData | None


async def make_summary(
    db: Any, workshop_id: int, *, audience: Audience, lang: str | None = None
) -> SummaryBundle:
    """Fetch a workshop and its series and compute its summary off the event loop."""
    from storage import workshops as workshops_repo

    workshop = await workshops_repo.get_workshop(db, workshop_id)
    data, earlier = await load_series_data(db, workshop_id)
    corpus_map = await load_corpus_map(db, workshop.map_id)
    language = _lang(lang or data.lang)
    summary = await asyncio.to_thread(
        build_summary,
        data,
        earlier=earlier,
        corpus_map=corpus_map,
        lang=language,
        audience=audience,
    )
    return SummaryBundle(summary, data, corpus_map)


# ------------------------------------------------------------------ adjustments → plan


def apply_adjustments(plan: Any, adjustments: Sequence[Adjustment], *, lang: str) -> Any:
    """Apply suggested adjustments to a plan with the plans package's pure edits.

    ``keep`` changes nothing; ``move`` uses the 1-based ``to_position``; ``reword`` sets the
    text in ``lang``; ``shorten`` sets the question's time box; ``add_follow_up`` adds a
    free-text question after ``after_question_id``. Adjustments naming a question the plan
    no longer has are skipped.

    Returns:
        The new plan (the old one is unchanged).
    """
    import dataclasses

    from dialogs.plans import (
        LocalizedText,
        Question,
        add_question,
        move_question,
        new_question_id,
        reword_question,
    )

    for adj in adjustments:
        if adj.question_id not in plan.question_ids:
            log.info("skipped %s of %r: not in the plan", adj.kind, adj.question_id)
            continue
        if adj.kind == "move" and adj.to_position:
            index = min(len(plan.questions), max(1, adj.to_position)) - 1
            plan = move_question(plan, adj.question_id, to_index=index)
        elif adj.kind == "reword" and adj.text:
            plan = reword_question(plan, adj.question_id, lang, adj.text)
        elif adj.kind == "shorten" and adj.time_box_seconds:
            questions = tuple(
                dataclasses.replace(q, time_box=adj.time_box_seconds)
                if q.id == adj.question_id
                else q
                for q in plan.questions
            )
            plan = dataclasses.replace(plan, questions=questions)
        elif adj.kind == "add_follow_up" and adj.text:
            anchor = plan.question(adj.after_question_id or adj.question_id)
            texts = LocalizedText({code: adj.text for code in plan.languages})
            question = Question(
                id=new_question_id(plan), phase=anchor.phase, text=texts, kind="text"
            )
            plan = add_question(plan, question, index=plan.index_of(anchor.id) + 1)
    return plan


async def accept_adjustments(
    db: Any,
    workshop_id: int,
    *,
    author: str,
    only: Sequence[int] | None = None,
) -> Any:
    """Create the next version of the workshop's plan with the suggested adjustments.

    Args:
        db: The database.
        workshop_id: The summarised workshop.
        author: Who accepted (stored with the version).
        only: 0-based indices of the adjustments to apply (default: all).

    Returns:
        The stored plan version record.

    Raises:
        BotError: The workshop has no plan, or there is nothing to adjust.
    """
    from dialogs.plans import dump_plan, load_plan
    from storage import plans as plans_repo
    from storage import workshops as workshops_repo

    workshop = await workshops_repo.get_workshop(db, workshop_id)
    if workshop.plan_version_id is None:
        raise BotError(f"workshop {workshop_id} has no question plan to adjust")
    bundle = await make_summary(db, workshop_id, audience="facilitator")
    chosen = [a for i, a in enumerate(bundle.summary.adjustments) if only is None or i in set(only)]
    if not chosen:
        raise BotError(f"the summary of workshop {workshop_id} suggests no adjustments")
    version = await plans_repo.get_plan_version(db, workshop.plan_version_id)
    latest = await plans_repo.latest_plan_version(db, version.plan_key)
    plan = load_plan((latest or version).text)
    adjusted = apply_adjustments(plan, chosen, lang=workshop.language)
    note = "; ".join(f"{a.kind} {a.question_id}" for a in chosen)
    return await plans_repo.save_plan_version(
        db,
        plan_key=version.plan_key,
        name=version.plan_name,
        text=dump_plan(adjusted),
        author=author,
        note=f"summary of workshop {workshop_id}: {note}"[:500],
    )


# ------------------------------------------------------------------ Teams


SummaryBuilder = Callable[..., Awaitable[dict[str, Any]]]


def make_summary_builder(services: Any) -> SummaryBuilder:
    """A ``summary_builder`` for ``WorkshopBot``: the compact "what now" card.

    The revisited map is stored as a map named ``summary-<workshop id>`` so the bot's
    ``/media/<token>.png`` route can serve it to Teams.
    """

    async def builder(
        db: Any, workshop_id: int, *, audience: Audience, lang: str
    ) -> dict[str, Any]:
        from bot.summary_card import summary_card

        bundle = await make_summary(db, workshop_id, audience=audience, lang=lang)
        image_url = await _revisited_map_url(services, db, bundle, workshop_id)
        return await asyncio.to_thread(
            summary_card, bundle.summary, map_url=image_url, workshop_id=workshop_id
        )

    return builder


async def _revisited_map_url(
    services: Any, db: Any, bundle: SummaryBundle, workshop_id: int
) -> str | None:
    if bundle.corpus_map is None or bundle.summary.map is None:
        return None
    from analysis.summary.charts import revisited_map_png
    from storage import maps as maps_repo

    png = await asyncio.to_thread(
        revisited_map_png, bundle.corpus_map, bundle.summary.map, lang=bundle.summary.lang
    )
    record = await maps_repo.save_map(
        db,
        name=f"summary-{workshop_id}",
        png=png,
        data={"summary_of": workshop_id},
        replace=True,
    )
    media_url = getattr(services, "media_url", None)
    return media_url(record.token) if callable(media_url) else None


def summary_bot_factory(services: Any) -> Any:
    """A bot factory for ``bot.app.create_app``: ``WorkshopBot`` with the "what now" summary."""
    from bot.handler import WorkshopBot

    bot = WorkshopBot(services)
    install(bot, services)
    return bot


def install(bot: Any, services: Any) -> None:
    """Give a ``WorkshopBot`` the rich summary card and the "accept adjustments" submit."""
    bot.summary_builder = make_summary_builder(services)
    bot.register_submit(ACCEPT_SUBMIT, _accept_submit_handler(bot, services))


def _accept_submit_handler(bot: Any, services: Any) -> Callable[..., Awaitable[None]]:
    async def handle(turn_context: Any, data: dict[str, Any], caller: Any) -> None:
        from botbuilder.core import TurnContext

        from storage import workshops as workshops_repo

        # Replies go through the outbox (throttling, retries), like every other reply.
        reference = TurnContext.get_conversation_reference(turn_context.activity)
        workshop_id = int(data.get("workshop") or 0)
        workshop = await workshops_repo.get_workshop(bot.db, workshop_id)
        lang = workshop.language
        if caller.user_id not in workshop.facilitators:
            message = (
                "Only a facilitator can accept the adjustments."
                if lang == "en"
                else "Kun en facilitator kan godkende justeringerne."
            )
            services.outbox.send_private(reference, caller.user_id, message)
            return
        try:
            record = await accept_adjustments(bot.db, workshop_id, author=caller.user_id)
        except BotError as exc:
            services.outbox.send(reference, str(exc))
            return
        message = (
            f"Plan {record.plan_key} version {record.version} is ready for the next workshop."
            if lang == "en"
            else f"Spørgeplanen {record.plan_key} version {record.version} er klar til næste workshop."
        )
        services.outbox.send(reference, message)

    return handle


async def post_summary(services: Any, workshop_id: int, *, to_group: bool) -> None:
    """Send the summary card: to the facilitators privately, or to the workshop's chat.

    Uses the stored conversation reference and ``services.outbox`` (``send`` for the group,
    ``send_private`` per facilitator).
    """
    from botbuilder.core import CardFactory, MessageFactory
    from botbuilder.schema import ConversationReference

    from storage import workshops as workshops_repo

    db = services.db
    workshop = await workshops_repo.get_workshop(db, workshop_id)
    if workshop.conversation_reference is None:
        raise BotError(f"workshop {workshop_id} has no Teams conversation to post to")
    reference = ConversationReference().deserialize(workshop.conversation_reference)
    builder = make_summary_builder(services)
    audience: Audience = "group" if to_group else "facilitator"
    card = await builder(db, workshop_id, audience=audience, lang=workshop.language)
    activity = MessageFactory.attachment(CardFactory.adaptive_card(card))
    if to_group:
        services.outbox.send(reference, activity)
        return
    for user_id in workshop.facilitators:
        services.outbox.send_private(reference, user_id, activity)


# ------------------------------------------------------------------ series


def plan_changes(previous: Any, current: Any, *, lang: str) -> tuple[str, ...]:
    """Describe how a plan changed between two workshops ("move q1", "reword q1", …).

    The names match :class:`analysis.summary.model.Adjustment` kinds, so the series report
    can tell which suggested adjustments were made.
    """
    changes: list[str] = []
    before = list(previous.question_ids)
    after = list(current.question_ids)
    common_before = [q for q in before if q in after]
    common_after = [q for q in after if q in before]
    # Questions outside the longest common order are the ones that were moved. Of several
    # equally long orders keep the one starting latest, so "q1 to the front" reads as a
    # move of q1, not of everything it jumped over.
    rank = {q: i for i, q in enumerate(common_before)}
    seq = [rank[q] for q in common_after]
    n = len(seq)
    longest = [1] * n
    for i in range(n - 1, -1, -1):
        for j in range(i + 1, n):
            if seq[j] > seq[i] and longest[j] + 1 > longest[i]:
                longest[i] = longest[j] + 1
    keep: set[str] = set()
    if n:
        need = max(longest)
        at = max(i for i in range(n) if longest[i] == need)
        keep.add(common_after[at])
        while longest[at] > 1:
            at = next(
                j for j in range(at + 1, n) if seq[j] > seq[at] and longest[j] == longest[at] - 1
            )
            keep.add(common_after[at])
    for q in common_after:
        if q not in keep:
            changes.append(f"move {q}")
    for q in common_after:
        old, new = previous.question(q), current.question(q)
        if old.text.get(lang) != new.text.get(lang):
            changes.append(f"reword {q}")
        old_box, new_box = previous.time_box_for(q), current.time_box_for(q)
        if new_box is not None and (old_box is None or new_box < old_box):
            changes.append(f"shorten {q}")
    for i, q in enumerate(after):
        if q not in before:
            changes.append(f"add {q}")
            if i > 0:
                changes.append(f"add_follow_up {after[i - 1]}")
    changes += [f"drop {q}" for q in before if q not in after]
    return tuple(changes)


async def load_series_report(db: Any, series_name: str, *, lang: str | None = None) -> Any:
    """Build the series report of the series called ``series_name``.

    Raises:
        BotError: No such series, or it has no workshops.
    """
    import dataclasses

    from analysis.summary.series import build_series_report
    from dialogs.plans import load_plan
    from storage import plans as plans_repo
    from storage import series as series_repo

    series = await series_repo.get_series_by_name(db, series_name)
    if series is None:
        names = ", ".join(s.name for s in await series_repo.list_series(db)) or "none yet"
        raise BotError(f"there is no series {series_name!r}; the series are: {names}")
    workshops = await series_repo.workshops_in_series(db, series.id)
    if not workshops:
        raise BotError(f"the series {series_name!r} has no workshops yet")
    language = _lang(lang or workshops[-1].language)
    datas: list[WorkshopData] = []
    summaries: list[Summary] = []
    previous_plan = None
    for record in workshops:
        data = await load_workshop_data(db, record.id)
        plan = None
        if record.plan_version_id is not None:
            version = await plans_repo.get_plan_version(db, record.plan_version_id)
            plan = load_plan(version.text)
        if plan is not None and previous_plan is not None and plan.id == previous_plan.id:
            data = dataclasses.replace(
                data, changes=plan_changes(previous_plan, plan, lang=language)
            )
        previous_plan = plan or previous_plan
        corpus_map = await load_corpus_map(db, record.map_id)
        summary = await asyncio.to_thread(
            build_summary,
            data,
            earlier=tuple(datas),
            corpus_map=corpus_map,
            lang=language,
            audience="facilitator",
        )
        datas.append(data)
        summaries.append(summary)
    return build_series_report(datas, summaries, lang=language)
