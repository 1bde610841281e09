"""Personal data: forget a person, export a workshop, purge old workshops.

``forget_user`` removes one person everywhere: their participant rows and answers in every
workshop (found by the salted hash, so anonymous workshops too), their quotes in stored
summaries (JSON objects that carry one of their answer ids or their pseudonym/name are
dropped; Markdown lines that name them or quote them are dropped), their facilitator rows,
their user id in the event log, their Bot Framework user state, and everything the knowledge
bank holds about them (:mod:`storage.knowledge.privacy`).
"""

from __future__ import annotations

import io
import json
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from analysis.escape import csv_writer
from storage import outbox_store
from storage._base import (
    answer_from_row,
    answer_select,
    answer_t,
    as_utc,
    bot_state_t,
    check_text,
    event_t,
    facilitator_t,
    load_workshop,
    map_t,
    participant_from_row,
    participant_order,
    participant_t,
    plan_t,
    plan_version_t,
    pseudonym_label,
    question_run_from_row,
    question_run_t,
    series_t,
    summary_t,
    utcnow,
    workshop_t,
)
from storage.db import Database
from storage.errors import InvalidInput
from storage.events import _record as _event_record
from storage.knowledge.privacy import forget_in as forget_knowledge_in
from storage.participants import user_hash
from storage.records import ForgetReport, PurgeReport, WorkshopExport
from storage.summaries import _record as _summary_record

__all__ = [
    "REMOVED",
    "export_workshop",
    "forget_user",
    "purge_older_than",
    "retention_days_from_env",
    "scrub_summary",
    "write_export",
]

log = logging.getLogger(__name__)

#: What replaces a removed quote inside a kept text.
REMOVED = "[fjernet]"
#: Answer texts shorter than this are not searched for inside summary prose (too common).
MIN_QUOTE_CHARS = 12
#: Keys whose value names who said something in a summary's JSON.
_WHO_KEYS = frozenset(
    {"pseudonym", "speaker", "participant", "author", "display_name", "name", "who"}
)


class _Drop:
    pass


_DROP = _Drop()


def _name_pattern(names: set[str]) -> re.Pattern[str] | None:
    names = {name for name in names if name and name.strip()}
    if not names:
        return None
    alternatives = "|".join(re.escape(name) for name in sorted(names, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


def scrub_summary(
    data: Any, markdown: str, *, answer_ids: set[int], names: set[str], texts: set[str]
) -> tuple[Any, str, bool]:
    """Remove one person's quotes and mentions from a summary.

    Args:
        data: The summary JSON.
        markdown: The summary Markdown.
        answer_ids: The person's answer ids (JSON objects with such an ``answer_id`` go).
        names: Their pseudonym and display name (objects naming them go; mentions in
            Markdown lines drop the line).
        texts: Their answer texts (quoted passages are replaced or their lines dropped).

    Returns:
        ``(data, markdown, changed)``.
    """
    pattern = _name_pattern(names)
    quotes = sorted(
        {t.strip() for t in texts if len(t.strip()) >= MIN_QUOTE_CHARS}, key=len, reverse=True
    )
    changed = False

    def scrub_text(value: str) -> str:
        nonlocal changed
        new = value
        for quote in quotes:
            new = new.replace(quote, REMOVED)
        if pattern is not None:
            new = pattern.sub(REMOVED, new)
        if new != value:
            changed = True
        return new

    def walk(node: Any) -> Any:
        nonlocal changed
        if isinstance(node, dict):
            answer_id = node.get("answer_id")
            ids = node.get("answer_ids")
            if isinstance(answer_id, int) and answer_id in answer_ids:
                changed = True
                return _DROP
            if isinstance(ids, list) and any(isinstance(i, int) and i in answer_ids for i in ids):
                node = {**node, "answer_ids": [i for i in ids if i not in answer_ids]}
                changed = True
            target = node.get("target_answer_id")
            if isinstance(target, int) and target in answer_ids:
                # Someone else's reply to the forgotten answer stays, without the link.
                node = {**node, "target_answer_id": None}
                changed = True
            for key in _WHO_KEYS:
                value = node.get(key)
                if isinstance(value, str) and value.strip() in names:
                    changed = True
                    return _DROP
            out: dict[str, Any] = {}
            for key, value in node.items():
                new = walk(value)
                if new is not _DROP:
                    out[key] = new
            return out
        if isinstance(node, list):
            kept = []
            for value in node:
                if isinstance(value, str) and value.strip() in names:
                    changed = True  # e.g. the list of participants' pseudonyms
                    continue
                item = walk(value)
                if item is not _DROP:
                    kept.append(item)
            return kept
        if isinstance(node, str):
            return scrub_text(node)
        return node

    new_data = walk(data)
    lines = []
    for line in markdown.splitlines(keepends=True):
        mentions = pattern is not None and pattern.search(line) is not None
        quoted = any(quote in line for quote in quotes)
        if mentions or quoted:
            changed = True
            continue
        lines.append(line)
    return new_data, "".join(lines), changed


#: What a forgotten person's name becomes in a plan version's author.
FORGOTTEN_AUTHOR = "(forgotten)"


async def _forget_ownership(session: AsyncConnection, user_id: str, names: set[str]) -> None:
    """Drop ``user_id`` as owner or co-owner of plans and series (an ownerless plan or
    series is the operators'), and as the author of plan versions (by id or known name)."""
    for table in (plan_t, series_t):
        await session.execute(
            update(table).where(table.c.owner_id == user_id).values(owner_id=None)
        )
        rows = (await session.execute(select(table.c.id, table.c.co_owner_ids))).all()
        for row in rows:
            co_owners = list(row.co_owner_ids or ())
            if user_id in co_owners:
                await session.execute(
                    update(table)
                    .where(table.c.id == row.id)
                    .values(co_owner_ids=[c for c in co_owners if c != user_id])
                )
    await session.execute(
        update(plan_version_t)
        .where(plan_version_t.c.author.in_([user_id, *names]))
        .values(author=FORGOTTEN_AUTHOR)
    )


async def forget_user(db: Database, user_id: str) -> ForgetReport:
    """Delete one person's answers and identity everywhere (one transaction).

    Also: their bot state (per-user rows, their 1:1 chat's dialog state, any state naming
    them), their place as owner or co-owner of plans and series (an ownerless one is the
    operators'), and their name as author of plan versions. On SQLite the deleted rows are
    zeroed in the file (``secure_delete``) and the write-ahead log is truncated, so no copy
    of their words stays in any file of the database (:meth:`Database.erase_deleted`).

    Args:
        user_id: The Teams user id (``29:…``) as the bot saw it.

    Returns:
        What was removed. Forgetting an unknown user removes nothing and is not an error.
    """
    user_id = check_text(user_id, "user id", max_len=300).strip()
    async with db.transaction() as session:
        workshops = (
            await session.execute(select(workshop_t.c.id, workshop_t.c.salt, workshop_t.c.language))
        ).all()
        by_workshop = {w.id: w for w in workshops}
        hashes = [(w.id, user_hash(w.salt, user_id)) for w in workshops]
        people: list[Any] = []
        for start in range(0, len(hashes), 200):
            chunk = hashes[start : start + 200]
            conditions = [
                (participant_t.c.workshop_id == wid) & (participant_t.c.user_hash == hashed)
                for wid, hashed in chunk
            ]
            people.extend(
                (await session.execute(select(participant_t).where(or_(*conditions)))).all()
            )
        answers_removed = 0
        summaries_scrubbed = 0
        for person in people:
            workshop = by_workshop[person.workshop_id]
            rows = (
                await session.execute(
                    select(answer_t.c.id, answer_t.c.text).where(
                        answer_t.c.participant_id == person.id
                    )
                )
            ).all()
            answer_ids = {row.id for row in rows}
            texts = {row.text for row in rows if row.text}
            names = {
                pseudonym_label(person.pseudonym_number, workshop.language) or "",
                person.display_name or "",
            }
            names.discard("")
            summaries = (
                await session.execute(
                    select(summary_t).where(summary_t.c.workshop_id == person.workshop_id)
                )
            ).all()
            for summary in summaries:
                data, markdown, changed = scrub_summary(
                    summary.data or {},
                    summary.markdown,
                    answer_ids=answer_ids,
                    names=names,
                    texts=texts,
                )
                if changed:
                    await session.execute(
                        update(summary_t)
                        .where(summary_t.c.id == summary.id)
                        .values(data=data, markdown=markdown, scrubbed_at=utcnow())
                    )
                    summaries_scrubbed += 1
            await session.execute(delete(answer_t).where(answer_t.c.participant_id == person.id))
            await session.execute(delete(participant_t).where(participant_t.c.id == person.id))
            answers_removed += len(answer_ids)
        names_seen = {
            row.display_name
            for row in await session.execute(
                select(facilitator_t.c.display_name).where(facilitator_t.c.user_id == user_id)
            )
            if row.display_name
        } | {p.display_name for p in people if p.display_name}
        await _forget_ownership(session, user_id, names_seen)
        facilitators = await session.execute(
            delete(facilitator_t).where(facilitator_t.c.user_id == user_id)
        )
        events = await session.execute(
            update(event_t).where(event_t.c.actor_user_id == user_id).values(actor_user_id=None)
        )
        escaped = user_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        # The state kept under the person's own keys, and any other state that holds their
        # id as a JSON string value (a dialog in progress, a conversation's state that
        # names them): state is only a working memory, so deleting it is safe.
        as_json = json.dumps(user_id, ensure_ascii=False)
        json_escaped = as_json.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        state = await session.execute(
            delete(bot_state_t).where(
                or_(
                    bot_state_t.c.key.like(f"%/users/{escaped}", escape="\\"),
                    bot_state_t.c.key.like(f"%/users/{escaped}/%", escape="\\"),
                    bot_state_t.c.data.like(f"%{json_escaped}%", escape="\\"),
                )
            )
        )
        # Messages still waiting to reach them privately (sent ones hold no content).
        outgoing = await outbox_store.forget_user(session, user_id)
        # The knowledge bank: takeaways, subscriptions, check-ins, follow-ups (issue 16).
        knowledge_rows = await forget_knowledge_in(session, user_id)
        report = ForgetReport(
            participants=len(people),
            answers=answers_removed,
            summaries_scrubbed=summaries_scrubbed,
            facilitator_rows=int(facilitators.rowcount),
            events_anonymised=int(events.rowcount),
            bot_state_keys=int(state.rowcount),
            outbox_messages=outgoing,
            knowledge_rows=knowledge_rows,
        )
    # The rows are zeroed where they lay (secure_delete); the write-ahead log still holds
    # the pages as they were, until this.
    await db.erase_deleted()
    log.info(
        "forgot a user: %d participant rows, %d answers, %d summaries scrubbed",
        report.participants,
        report.answers,
        report.summaries_scrubbed,
    )
    return report


async def export_workshop(db: Database, workshop_id: int) -> WorkshopExport:
    """Everything stored about one workshop, withdrawn answers included.

    Raises:
        NotFound: No such workshop.
    """
    async with db.transaction(write=False) as session:
        workshop = await load_workshop(session, workshop_id)
        runs = await session.execute(
            select(question_run_t)
            .where(question_run_t.c.workshop_id == workshop_id)
            .order_by(question_run_t.c.opened_at, question_run_t.c.id)
        )
        people = await session.execute(
            select(participant_t)
            .where(participant_t.c.workshop_id == workshop_id)
            .order_by(*participant_order())
        )
        answers = await session.execute(
            answer_select()
            .where(answer_t.c.workshop_id == workshop_id)
            .order_by(answer_t.c.created_at, answer_t.c.id)
        )
        events = await session.execute(
            select(event_t)
            .where(event_t.c.workshop_id == workshop_id)
            .order_by(event_t.c.created_at, event_t.c.id)
        )
        summaries = await session.execute(
            select(summary_t)
            .where(summary_t.c.workshop_id == workshop_id)
            .order_by(summary_t.c.created_at, summary_t.c.id)
        )
        return WorkshopExport(
            workshop=workshop,
            question_runs=tuple(question_run_from_row(row) for row in runs),
            participants=tuple(participant_from_row(row, workshop.language) for row in people),
            answers=tuple(answer_from_row(row) for row in answers),
            events=tuple(_event_record(row) for row in events),
            summaries=tuple(_summary_record(row) for row in summaries),
            exported_at=utcnow(),
        )


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


#: Columns of the answers CSV, in order.
CSV_COLUMNS = (
    "answer_id",
    "offset",
    "created_at",
    "question_position",
    "question_id",
    "question_text",
    "participant",
    "display_name",
    "source",
    "private",
    "text",
    "value",
    "edited_at",
    "withdrawn_at",
)


def write_export(export: WorkshopExport, out_dir: Path | str) -> tuple[Path, Path]:
    """Write an export as ``workshop-<id>.json`` (everything) and ``workshop-<id>-answers.csv``.

    The CSV has one row per answer (UTF-8 with BOM so spreadsheet programs read ``æøå``).

    Returns:
        The JSON path and the CSV path.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    wid = export.workshop.id
    payload = _jsonable(asdict(export))
    for answer, out_answer in zip(export.answers, payload["answers"], strict=True):
        out_answer["offset"] = answer.offset
    json_path = out / f"workshop-{wid}.json"
    json_path.write_text(json.dumps(payload, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    runs = {run.id: run for run in export.question_runs}
    buffer = io.StringIO()
    writer = csv_writer(buffer)  # formula-like cells neutralised (CSV injection)
    writer.writerow(CSV_COLUMNS)
    for answer in export.answers:
        run = runs.get(answer.question_run_id) if answer.question_run_id is not None else None
        writer.writerow(
            [
                answer.id,
                answer.offset,
                answer.created_at.isoformat(),
                "" if run is None else run.position,
                answer.question_id or "",
                "" if run is None else run.question_text,
                answer.pseudonym or "",
                answer.display_name or "",
                answer.source,
                "yes" if answer.private else "no",
                answer.text,
                "" if answer.value is None else json.dumps(answer.value, ensure_ascii=False),
                "" if answer.edited_at is None else answer.edited_at.isoformat(),
                "" if answer.withdrawn_at is None else answer.withdrawn_at.isoformat(),
            ]
        )
    csv_path = out / f"workshop-{wid}-answers.csv"
    csv_path.write_text(buffer.getvalue(), encoding="utf-8-sig", newline="")
    return json_path, csv_path


def retention_days_from_env(env: Mapping[str, str] | None = None) -> int | None:
    """``WORKSHOPBOT_RETENTION_DAYS`` as a number of days (None when unset or empty).

    Raises:
        InvalidInput: It is set but not a whole number >= 1.
    """
    env = os.environ if env is None else env
    raw = env.get("WORKSHOPBOT_RETENTION_DAYS", "").strip()
    if not raw:
        return None
    try:
        days = int(raw)
    except ValueError:
        days = 0
    if days < 1:
        raise InvalidInput(
            f"WORKSHOPBOT_RETENTION_DAYS={raw!r} is invalid; set it to a whole number of days >= 1 or unset it"
        )
    return days


async def purge_older_than(db: Database, days: int, *, now: datetime | None = None) -> PurgeReport:
    """Delete workshops (with their answers, participants, …) older than ``days`` days.

    A workshop's age counts from its end, or from its creation if it never ended. The maps
    drawn for its summaries (``data["summary_of"]`` is its id) go with it. Bot Framework
    state not written for ``days`` days goes too.

    Raises:
        InvalidInput: ``days`` is not a whole number >= 1.
    """
    if isinstance(days, bool) or not isinstance(days, int) or days < 1:
        raise InvalidInput(f"days = {days!r} is invalid; it must be a whole number >= 1")
    cutoff = (as_utc(now) if now is not None else utcnow()) - timedelta(days=days)
    async with db.transaction() as session:
        ids = [
            row.id
            for row in await session.execute(
                select(workshop_t.c.id).where(
                    or_(
                        workshop_t.c.ended_at < cutoff,
                        workshop_t.c.ended_at.is_(None) & (workshop_t.c.created_at < cutoff),
                    )
                )
            )
        ]
        # Bot Framework state nobody touched for as long (dialog stacks, per-user progress).
        stale_state = await session.execute(
            delete(bot_state_t).where(bot_state_t.c.updated_at < cutoff)
        )
        n_state = int(stale_state.rowcount)
        if not ids:
            return PurgeReport(workshops=0, answers=0, participants=0, bot_state_keys=n_state)
        n_answers = (
            await session.execute(
                select(func.count()).select_from(answer_t).where(answer_t.c.workshop_id.in_(ids))
            )
        ).scalar_one()
        n_people = (
            await session.execute(
                select(func.count())
                .select_from(participant_t)
                .where(participant_t.c.workshop_id.in_(ids))
            )
        ).scalar_one()
        for table in (answer_t, participant_t, question_run_t, event_t, summary_t, facilitator_t):
            await session.execute(delete(table).where(table.c.workshop_id.in_(ids)))
        map_ids = await _summary_map_ids(session, set(ids))
        if map_ids:
            # SQLite may run without foreign keys: do what ON DELETE SET NULL would.
            await session.execute(
                update(workshop_t).where(workshop_t.c.map_id.in_(map_ids)).values(map_id=None)
            )
            await session.execute(delete(map_t).where(map_t.c.id.in_(map_ids)))
        await session.execute(delete(workshop_t).where(workshop_t.c.id.in_(ids)))
    await db.erase_deleted()
    log.info(
        "purged %d workshops older than %d days (and %d summary maps)",
        len(ids),
        days,
        len(map_ids),
    )
    return PurgeReport(
        workshops=len(ids),
        answers=int(n_answers),
        participants=int(n_people),
        workshop_ids=tuple(ids),
        bot_state_keys=n_state,
        summary_maps=len(map_ids),
    )


async def _summary_map_ids(session: AsyncConnection, workshop_ids: set[int]) -> list[int]:
    """The maps drawn for these workshops' summaries (``data["summary_of"]`` is one of them).

    The JSON is read in Python: the same query on SQLite's and PostgreSQL's JSON is awkward,
    and maps are few.
    """
    rows = await session.execute(select(map_t.c.id, map_t.c.data))
    found = []
    for row in rows:
        data = row.data
        if isinstance(data, str):  # pragma: no cover - the JSON column decodes it
            data = json.loads(data)
        owner = data.get("summary_of") if isinstance(data, dict) else None
        if isinstance(owner, int) and not isinstance(owner, bool) and owner in workshop_ids:
            found.append(row.id)
    return found
