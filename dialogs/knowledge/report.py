"""``transfer`` / ``transferrapport``: the transfer report as a card, for operators (every
team, or the one named) and managers (the teams their people are in), in the 1:1 chat.
Distributions only (:mod:`analysis.transfer`); the full report with its chart comes from
``workshopbot transfer report``."""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from analysis.escape import escape_markdown
from analysis.transfer import MIN_GROUP, QUESTIONS, SCALE, TransferData
from dialogs.conversation.channel import Channel, Incoming
from dialogs.knowledge import cards
from dialogs.knowledge._common import person_of, remember, reply, sender_lang
from dialogs.permissions import is_operator, may_see_transfer_report
from dialogs.texts import text
from storage.db import Database
from storage.knowledge import people
from storage.knowledge.stats import transfer_data

__all__ = ["report_card", "transfer_report"]

_BAR = "█"


def _bar(count: int, total: int, width: int = 10) -> str:
    return _BAR * round(width * count / total) if total else ""


def report_card(data: TransferData, lang: str) -> dict[str, Any]:
    """Per course and team: answered/sent, and each question's distribution as bars."""
    lang = "en" if lang == "en" else "da"
    body: list[dict[str, Any]] = [
        {
            "type": "TextBlock",
            "wrap": True,
            "weight": "Bolder",
            "size": "Medium",
            "text": text("kb_report_title", lang, scope=escape_markdown(data.scope(lang))),
        }
    ]
    for course in data.courses:
        team = f" · {escape_markdown(course.team)}" if course.team else ""
        body.append(
            {
                "type": "TextBlock",
                "wrap": True,
                "spacing": "Medium",
                "weight": "Bolder",
                "text": f"{escape_markdown(course.course)}{team} · {course.answered}/{course.sent}",
            }
        )
        for dist in course.distributions:
            name = QUESTIONS.get(dist.question_id, {}).get(lang, dist.question_id)
            if not dist.shown:
                line = f"{name}: n < {MIN_GROUP}"
            else:
                parts = [
                    f"{SCALE[lang][i]} {_bar(c, dist.respondents)} {c}"
                    for i, c in enumerate(dist.counts)
                    if c
                ]
                line = f"{name} (n={dist.respondents}): " + " · ".join(parts)
            body.append(
                {
                    "type": "TextBlock",
                    "wrap": True,
                    "spacing": "None",
                    "size": "Small",
                    "text": line,
                }
            )
    body.append(
        {
            "type": "TextBlock",
            "wrap": True,
            "isSubtle": True,
            "size": "Small",
            "text": f"{data.takeaways_shared} · {data.subscriptions} · {data.searches}",
        }
    )
    return {**cards.notice("", ""), "body": body}


async def transfer_report(
    db: Database,
    channel: Channel,
    incoming: Incoming,
    argument: str = "",
    *,
    operators: Collection[str] = (),
    lang: str | None = None,
) -> None:
    """The report card: an operator names a team (or none: every team); a manager gets the
    teams of the people the directory lists under them."""
    language = sender_lang(incoming, lang)
    me = await remember(db, incoming, language)
    team_of_reports = await people.teams_managed_by(db, incoming.sender.id)
    verdict = may_see_transfer_report(
        person_of(incoming), operators=operators, reports_to_them=len(team_of_reports)
    )
    if not verdict:
        reply(channel, incoming, text("kb_report_refused", language))
        return
    org = me.org or incoming.tenant_id or ""
    teams: list[str | None]
    if is_operator(person_of(incoming), operators):
        teams = [argument.strip() or None]
    else:
        # A manager sees the teams their people are in, never the whole organisation.
        teams = [t for t in sorted(t for t in team_of_reports if t)]
        if not teams:
            reply(channel, incoming, text("kb_report_refused", language))
            return
    for team in teams:
        data = await transfer_data(db, org=org, team=team)
        reply(channel, incoming, report_card(data, language))
