"""The "what now" summary of a workshop: fetch it from storage, compute it, build its card.

This module only *fetches* (through the storage package's repository functions), *calls*
the pure :mod:`analysis.summary` and *builds* the Adaptive Card (:mod:`dialogs.summary_card`).
It holds no SQL and knows no chat platform: :mod:`dialogs.conversation.outputs` sends the
card, the command line (``workshopbot summary``) writes files.

This is the one summary pipeline: the chat, the command line and the end of a workshop all
use :func:`make_summary`.

Transcript workshops: the importer (``workshopbot transcript``) logs the question times of
the recording as ``transcript.question`` events, because question runs are stamped with the
time of the import; :func:`load_workshop_data` reads them back.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal, cast
from zoneinfo import ZoneInfo

from analysis.errors import InvalidParameter
from analysis.summary import build_summary
from analysis.summary.mapdata import corpus_map_from_json
from analysis.summary.model import (
    AnswerData,
    Audience,
    CorpusMapData,
    QuestionRunData,
    Summary,
    WorkshopData,
)
from dialogs import outgoing
from dialogs.plans import load_plan
from dialogs.summary_card import KnowledgeSection, ProposalForms, summary_card
from storage import Database
from storage import answers as answers_repo
from storage import events as events_repo
from storage import maps as maps_repo
from storage import participants as participants_repo
from storage import plans as plans_repo
from storage import questions as questions_repo
from storage import series as series_repo
from storage import workshops as workshops_repo
from storage.errors import StorageError

__all__ = [
    "SUMMARY_BUILDER",
    "TRANSCRIPT_EVENT",
    "TRANSCRIPT_QUESTION_EVENT",
    "SummaryBundle",
    "build_summary_card",
    "load_corpus_map",
    "load_series_data",
    "load_workshop_data",
    "make_summary",
    "summary_card_for",
    "summary_map_url",
    "summary_markdown",
]

log = logging.getLogger(__name__)

#: Event kinds the transcript importer logs (question times and the recording's length).
TRANSCRIPT_EVENT = "transcript.imported"
TRANSCRIPT_QUESTION_EVENT = "transcript.question"


def _seconds(later: datetime | None, start: datetime | None) -> float | None:
    if later is None or start is None:
        return None
    return max(0.0, (later - start).total_seconds())


def _lang(value: str) -> Literal["da", "en"]:
    return "en" if value == "en" else "da"


async def load_workshop_data(db: Database, workshop_id: int) -> WorkshopData:
    """Read one workshop from storage as the summary's plain :class:`WorkshopData`.

    Withdrawn answers are left out. In anonymous workshops every answer is marked
    anonymous (the group never sees who wrote it).

    Raises:
        storage.errors.NotFound: No such workshop.
    """

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
    db: Database, workshop_id: int
) -> tuple[WorkshopData, tuple[WorkshopData, ...]]:
    """The workshop and the earlier workshops of its series (oldest first)."""

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


async def load_corpus_map(db: Database, map_id: int | None) -> CorpusMapData | None:
    """The workshop's network map as the summary needs it (None without one)."""
    if map_id is None:
        return None

    try:
        record = await maps_repo.get_map(db, map_id)
    except StorageError as exc:
        log.warning("map %s is gone (%s); summarising without it", map_id, exc)
        return None
    try:
        return corpus_map_from_json(record.data, name=record.name)
    except InvalidParameter as exc:
        log.warning("map %s has no clusters (%s); summarising without it", map_id, exc)
        return None


@dataclass(frozen=True)
class SummaryBundle:
    """A computed summary with what it was computed from (renderers need both)."""

    summary: Summary
    data: WorkshopData
    corpus_map: CorpusMapData | None


async def make_summary(
    db: Database, workshop_id: int, *, audience: Audience, lang: str | None = None
) -> SummaryBundle:
    """Fetch a workshop and its series and compute its summary off the event loop."""

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


async def summary_markdown(db: Database, workshop_id: int, bundle: SummaryBundle) -> str:
    """The summary as Markdown, with what the knowledge bank adds (issue 16): the follow-ups
    of the series' proposals with their owners' answers, and the organisation's transfer
    figures (distributions only). The bank's section is left out when it has nothing."""
    from analysis.summary.render_md import render_markdown
    from dialogs.knowledge.links import knowledge_section

    markdown = render_markdown(bundle.summary)
    workshop = await workshops_repo.get_workshop(db, workshop_id)
    section = await knowledge_section(
        db,
        series_id=workshop.series_id,
        workshop_id=workshop_id,
        org=workshop.tenant_id or workshop.org_name or None,
        lang=bundle.summary.lang,
    )
    if not section.strip():
        return markdown
    return markdown.rstrip("\n") + "\n\n" + section.rstrip("\n") + "\n"


async def summary_card_for(
    db: Database,
    workshop_id: int,
    *,
    audience: Audience,
    lang: str,
    media_url: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """The compact "what now" card of a workshop.

    The revisited map is stored as a map named ``summary-<workshop id>`` (with
    ``{"summary_of": id}``, so only the workshop's people may see it) and shown by its
    ``media_url`` when one is given.

    The knowledge bank adds (issue 16): takeaways shared with the whole organisation that
    match the top proposals, and the organisation's transfer figures; and on the
    facilitators' card, per proposal, the forms "make it a follow-up" and "make it a topic"
    (:mod:`dialogs.knowledge.summary_actions` carries them out).
    """
    bundle = await make_summary(db, workshop_id, audience=audience, lang=lang)
    image_url = await summary_map_url(db, workshop_id, bundle, media_url)
    return await _card(db, workshop_id, bundle, audience=audience, map_url=image_url)


async def _card(
    db: Database,
    workshop_id: int,
    bundle: SummaryBundle,
    *,
    audience: Audience,
    map_url: str | None,
) -> dict[str, Any]:
    """The card of ``bundle`` with the knowledge bank's parts (one path for a card made at
    once and for one made when the outbox sends it)."""
    forms, knowledge = await _knowledge_parts(db, workshop_id, bundle, audience=audience)
    return await asyncio.to_thread(
        functools.partial(
            summary_card,
            bundle.summary,
            map_url=map_url,
            workshop_id=workshop_id,
            forms=forms,
            knowledge=knowledge,
        )
    )


async def summary_map_url(
    db: Database,
    workshop_id: int,
    bundle: SummaryBundle,
    media_url: Callable[[str], str] | None,
) -> str | None:
    """Draw and store the summary's revisited map (``summary-<workshop id>``, a new token
    each time) and return its URL; None when there is no map or no ``media_url``."""
    if bundle.corpus_map is None or bundle.summary.map is None:
        return None
    # matplotlib comes along with the charts: only when a map is drawn.
    from analysis.summary.charts import revisited_map_png

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
    return media_url(record.token) if media_url is not None else None


async def build_summary_card(db: Database, args: dict[str, Any]) -> dict[str, Any]:
    """The outbox builder ``"workshop_summary"``: a workshop's card made when it is sent,
    from what is stored then, so that an answer withdrawn or a person forgotten while the
    card waited is not quoted. ``args``: ``workshop``, ``audience``, ``lang`` and the
    ``map_url`` drawn when the card was queued (or None)."""
    workshop_id = int(args["workshop"])
    audience = cast(Audience, args.get("audience") or "facilitator")
    bundle = await make_summary(db, workshop_id, audience=audience, lang=str(args["lang"]))
    map_url = args.get("map_url")
    return await _card(
        db, workshop_id, bundle, audience=audience, map_url=str(map_url) if map_url else None
    )


#: The outbox builder of a queued summary card.
SUMMARY_BUILDER = "workshop_summary"
outgoing.register_builder(SUMMARY_BUILDER, build_summary_card)


#: Participants offered as a follow-up's owner on the card at most.
MAX_OWNERS_ON_CARD = 40


async def _knowledge_parts(
    db: Database, workshop_id: int, bundle: SummaryBundle, *, audience: Audience
) -> tuple[ProposalForms | None, KnowledgeSection | None]:
    """The card's knowledge-bank parts; a failure there costs only those parts."""
    from dialogs.knowledge.links import card_section
    from dialogs.knowledge.proposal_forms import follow_up_owners, public_proposals

    forms = None
    knowledge = None
    try:
        workshop = await workshops_repo.get_workshop(db, workshop_id)
        if audience == "facilitator" and bundle.summary.proposals:
            today = datetime.now(ZoneInfo("Europe/Copenhagen")).date()
            forms = ProposalForms(
                # The list repeats under each proposal: a big workshop's card stays small
                # (the others are still accepted, and the command names anyone).
                owners=tuple((await follow_up_owners(db, workshop_id))[:MAX_OWNERS_ON_CARD]),
                first_date=(today + timedelta(days=1)).isoformat(),
                public=public_proposals(bundle.summary, bundle.data),
            )
        knowledge = await card_section(
            db,
            tenant_id=workshop.tenant_id,
            org=workshop.tenant_id or workshop.org_name or None,
            queries=[" ".join(p.lemmas[:8]) for p in bundle.summary.proposals[:3]],
            series_id=workshop.series_id,
            workshop_id=workshop_id,
            lang=bundle.summary.lang,
        )
    except StorageError as exc:
        log.warning("summary card of workshop %d without the knowledge bank (%s)", workshop_id, exc)
    return forms, knowledge
