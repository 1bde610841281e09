"""The counts the transfer report is made of (:mod:`analysis.transfer` renders them).

Scope: the people whose directory entry names the organisation (``org``) or whose tenant is
``org``, optionally only one team. Only after-course check-ins count towards the
distributions; a person's own answers are listed only when they agreed (``share_answers``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select

from analysis.transfer import CourseTransfer, Distribution, SharedAnswer, TransferData
from storage._base import check_text, utcnow
from storage.db import Database
from storage.knowledge.tables import (
    checkin_answer_t,
    checkin_t,
    course_t,
    follow_up_t,
    person_t,
    search_log_t,
    subscription_t,
    takeaway_t,
)

__all__ = ["transfer_data"]

SCALE_QUESTIONS = ("expectations-met", "equipped", "teach-others")


async def transfer_data(
    db: Database, *, org: str, team: str | None = None, now: datetime | None = None
) -> TransferData:
    """Count check-ins, answers, takeaways, subscriptions, searches and follow-ups of an
    organisation (and team).

    Args:
        org: The organisation's name in the directory, or its tenant id.
        team: Only this team (as the directory names it).
    """
    org = check_text(org, "organisation", max_len=300).strip()
    if team is not None:
        team = check_text(team, "team", max_len=200).strip() or None
    async with db.transaction(write=False) as session:
        people_q = select(
            person_t.c.user_id, person_t.c.team, person_t.c.tenant_id, person_t.c.display_name
        ).where(or_(person_t.c.org == org, person_t.c.tenant_id == org))
        if team is not None:
            people_q = people_q.where(person_t.c.team == team)
        people = {row.user_id: row for row in await session.execute(people_q)}
        tenants = {row.tenant_id for row in people.values() if row.tenant_id} | {org}
        ids = list(people)
        checkin_rows = (
            await session.execute(
                select(checkin_t, course_t.c.name.label("course_name"), course_t.c.provider)
                .join(course_t, course_t.c.id == checkin_t.c.course_id)
                .where(
                    checkin_t.c.user_id.in_(ids),
                    checkin_t.c.plan_key == "after-course",
                    checkin_t.c.status != "pending",
                )
            )
        ).all()
        answers = (
            await session.execute(
                select(checkin_answer_t).where(
                    checkin_answer_t.c.checkin_id.in_([r.id for r in checkin_rows])
                )
            )
        ).all()
        takeaway_rows = (
            await session.execute(
                select(takeaway_t.c.user_id, takeaway_t.c.course_id).where(
                    takeaway_t.c.user_id.in_(ids),
                    takeaway_t.c.consent_at.is_not(None),
                    takeaway_t.c.withdrawn_at.is_(None),
                )
            )
        ).all()
        n_subscriptions = (
            await session.execute(
                select(func.count())
                .select_from(subscription_t)
                .where(subscription_t.c.user_id.in_(ids))
            )
        ).scalar_one()
        searches = select(search_log_t.c.results).where(search_log_t.c.tenant_id.in_(tenants))
        if team is not None:
            searches = searches.where(search_log_t.c.team == team)
        search_rows = (await session.execute(searches)).all()
        follow_q = select(follow_up_t.c.status, func.count()).where(
            follow_up_t.c.tenant_id.in_(tenants)
        )
        if team is not None:
            follow_q = follow_q.where(follow_up_t.c.owner_id.in_(ids))
        follow_ups = {
            status: int(n)
            for status, n in await session.execute(follow_q.group_by(follow_up_t.c.status))
        }
    by_checkin: dict[int, list[Any]] = defaultdict(list)
    for answer in answers:
        by_checkin[answer.checkin_id].append(answer)
    groups: dict[tuple[str, str, str | None, str], list[Any]] = defaultdict(list)
    for row in checkin_rows:
        key = (row.course_name, row.provider, people[row.user_id].team, row.stage)
        groups[key].append(row)
    takeaways_by_course: Counter[tuple[int, str | None]] = Counter(
        (t.course_id, people[t.user_id].team) for t in takeaway_rows
    )
    courses = []
    for (name, provider, team_name, stage), rows in sorted(
        groups.items(), key=lambda item: (item[0][0], item[0][2] or "", item[0][3])
    ):
        counts: dict[str, list[int]] = {q: [0, 0, 0, 0, 0] for q in SCALE_QUESTIONS}
        for row in rows:
            for answer in by_checkin.get(row.id, []):
                if answer.question_id in counts and answer.choice is not None:
                    counts[answer.question_id][answer.choice] += 1
        course_ids = {row.course_id for row in rows}
        courses.append(
            CourseTransfer(
                course=name,
                provider=provider,
                team=team_name,
                stage=stage,
                sent=len(rows),
                answered=sum(1 for row in rows if row.status == "answered"),
                distributions=tuple(
                    Distribution(q, (c[0], c[1], c[2], c[3], c[4])) for q, c in counts.items()
                ),
                takeaways=sum(takeaways_by_course[(cid, team_name)] for cid in course_ids),
            )
        )
    shared = []
    for row in checkin_rows:
        if not row.share_answers:
            continue
        name = people[row.user_id].display_name or row.user_id
        for answer in by_checkin.get(row.id, []):
            shared.append(
                SharedAnswer(
                    name=name,
                    course=row.course_name,
                    question_id=answer.question_id,
                    choice=answer.choice,
                    text=answer.text,
                )
            )
    return TransferData(
        org=org,
        team=team,
        generated_at=now or utcnow(),
        courses=tuple(courses),
        takeaways_shared=len(takeaway_rows),
        subscriptions=int(n_subscriptions),
        searches=len(search_rows),
        searches_with_results=sum(1 for r in search_rows if r.results > 0),
        follow_ups=follow_ups,
        shared_answers=tuple(shared),
    )
