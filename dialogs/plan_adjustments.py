"""From a summary back to the plan: apply its suggested adjustments, describe how a plan
changed between two workshops, and the series report that compares them.

Pure plan edits come from :mod:`dialogs.plans`; storage is read and written through its
repository functions; nothing here knows a chat platform.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Sequence

from analysis.summary import build_summary
from analysis.summary.model import Adjustment, Summary, WorkshopData
from analysis.summary.series import SeriesReport, build_series_report
from dialogs.errors import DialogError
from dialogs.plans import (
    LocalizedText,
    Question,
    add_question,
    dump_plan,
    load_plan,
    move_question,
    new_question_id,
    reword_question,
)
from dialogs.plans.model import Plan
from dialogs.summaries import _lang, load_corpus_map, load_workshop_data, make_summary
from storage import Database
from storage import plans as plans_repo
from storage import series as series_repo
from storage import workshops as workshops_repo
from storage.records import PlanVersionRecord

__all__ = ["accept_adjustments", "apply_adjustments", "load_series_report", "plan_changes"]

log = logging.getLogger(__name__)


def apply_adjustments(plan: Plan, adjustments: Sequence[Adjustment], *, lang: str) -> Plan:
    """Apply suggested adjustments to a plan with the plans package's pure edits.

    ``keep`` changes nothing; ``move`` uses the 1-based ``to_position``; ``reword`` sets the
    text in ``lang``; ``shorten`` sets the question's time box; ``add_follow_up`` adds a
    free-text question after ``after_question_id``. Adjustments naming a question the plan
    no longer has are skipped.

    Returns:
        The new plan (the old one is unchanged).
    """
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
    db: Database,
    workshop_id: int,
    *,
    author: str,
    only: Sequence[int] | None = None,
) -> PlanVersionRecord:
    """Create the next version of the workshop's plan with the suggested adjustments.

    Args:
        db: The database.
        workshop_id: The summarised workshop.
        author: Who accepted (stored with the version).
        only: 0-based indices of the adjustments to apply (default: all).

    Returns:
        The stored plan version record.

    Raises:
        DialogError: The workshop has no plan, or there is nothing to adjust.
    """
    workshop = await workshops_repo.get_workshop(db, workshop_id)
    if workshop.plan_version_id is None:
        raise DialogError(f"workshop {workshop_id} has no question plan to adjust")
    bundle = await make_summary(db, workshop_id, audience="facilitator")
    chosen = [a for i, a in enumerate(bundle.summary.adjustments) if only is None or i in set(only)]
    if not chosen:
        raise DialogError(f"the summary of workshop {workshop_id} suggests no adjustments")
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


def plan_changes(previous: Plan, current: Plan, *, lang: str) -> tuple[str, ...]:
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


async def load_series_report(
    db: Database, series_name: str, *, lang: str | None = None
) -> SeriesReport:
    """Build the series report of the series called ``series_name``.

    Raises:
        DialogError: No such series, or it has no workshops.
    """
    series = await series_repo.get_series_by_name(db, series_name)
    if series is None:
        names = ", ".join(s.name for s in await series_repo.list_series(db)) or "none yet"
        raise DialogError(f"there is no series {series_name!r}; the series are: {names}")
    workshops = await series_repo.workshops_in_series(db, series.id)
    if not workshops:
        raise DialogError(f"the series {series_name!r} has no workshops yet")
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
