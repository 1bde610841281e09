"""What the knowledge bank adds to a workshop's "what now" summary (issue 16, item 7): the
follow-ups of the series' earlier proposals, with their owners' answers, and the
organisation's transfer figures (distributions only). The summary code appends
:func:`knowledge_section` to its Markdown; the "what now" card gets :func:`card_section`:
the takeaways shared with the whole organisation that match the top proposals (visibility
decided in the search's SQL, ``org_only``) and the same transfer figures."""

from __future__ import annotations

from collections.abc import Sequence

from analysis.escape import escape_markdown
from analysis.transfer import QUESTIONS, SCALE, TransferData
from dialogs.knowledge.cards import course_line
from dialogs.summary_card import KnowledgeSection
from storage.db import Database
from storage.knowledge.checkins import follow_ups_of_series
from storage.knowledge.records import FollowUpRecord
from storage.knowledge.search import Viewer, search_takeaways
from storage.knowledge.stats import transfer_data

__all__ = ["card_section", "knowledge_section"]

#: Takeaways the card lists at most.
CARD_TAKEAWAYS = 3
#: Follow-ups the card lists at most (the Markdown lists them all).
CARD_FOLLOW_UPS = 5

_T = {
    "follow_ups": {"da": "Opfølgning på forslag", "en": "Follow-up of proposals"},
    "waiting": {"da": "venter til {date}", "en": "due {date}"},
    "asked": {"da": "spurgt, intet svar endnu", "en": "asked, no answer yet"},
    "stopped": {"da": "ikke besvaret", "en": "not answered"},
    "bank": {"da": "Fra videnbanken", "en": "From the knowledge bank"},
    "shared": {
        "da": "{n} delte nøglepunkter i organisationen; {s} søgninger ('hvem ved').",
        "en": "{n} key points shared in the organisation; {s} searches ('who knows').",
    },
    "takeaway": {"da": "{course} · {name}: {point}", "en": "{course} · {name}: {point}"},
    "someone": {"da": "en kollega", "en": "a colleague"},
    "transfer": {
        "da": "{question}: {top} af {n} svarede «{best}» eller «{good}»",
        "en": "{question}: {top} of {n} answered “{best}” or “{good}”",
    },
}


def _t(key: str, lang: str, **values: object) -> str:
    return _T[key]["en" if lang == "en" else "da"].format(**values)


async def knowledge_section(
    db: Database,
    *,
    series_id: int | None,
    workshop_id: int | None = None,
    org: str | None = None,
    lang: str = "da",
) -> str:
    """Markdown for the summary; empty when there is nothing to say.

    Args:
        series_id: The workshop's series (its follow-ups are listed), or None.
        workshop_id: Without a series: this workshop's follow-ups.
        org: The organisation (directory name or tenant id) whose transfer figures to add.
    """
    lang = "en" if lang == "en" else "da"
    lines: list[str] = []
    if series_id is not None or workshop_id is not None:
        follow_ups = await follow_ups_of_series(db, series_id, workshop_id=workshop_id)
        if follow_ups:
            lines += [f"## {_t('follow_ups', lang)}", ""]
            lines += [f"- {_follow_up_line(fu, lang)}" for fu in follow_ups]
            lines.append("")
    if org:
        data = await transfer_data(db, org=org)
        if not data.empty:
            lines += [f"## {_t('bank', lang)}", ""]
            lines.append(_t("shared", lang, n=data.takeaways_shared, s=data.searches))
            lines += [f"- {line}" for line in _transfer_lines(data, lang)]
            lines.append("")
    return "\n".join(lines)


def _follow_up_line(fu: FollowUpRecord, lang: str) -> str:
    """A follow-up, its owner and what became of it (the owner's words quoted verbatim)."""
    head = f"**{escape_markdown(fu.proposal)}** ({escape_markdown(fu.owner_name)})"
    if fu.status == "answered" and fu.answer:
        return f"{head}: “{escape_markdown(fu.answer)}”"
    if fu.status == "open":
        return f"{head}: {_t('waiting', lang, date=fu.due_at.date().isoformat())}"
    if fu.status == "stopped":
        return f"{head}: {_t('stopped', lang)}"
    return f"{head}: {_t('asked', lang)}"


def _transfer_lines(data: TransferData, lang: str) -> list[str]:
    """Per transfer question: how many of all shown answers were in the top two points
    (groups too small to show are left out, as in the report)."""
    totals: dict[str, list[int]] = {}
    for course in data.courses:
        for dist in course.distributions:
            if dist.shown:
                row = totals.setdefault(dist.question_id, [0] * 5)
                for i, c in enumerate(dist.counts):
                    row[i] += c
    return [
        _t(
            "transfer",
            lang,
            question=QUESTIONS.get(qid, {}).get(lang, qid),
            top=counts[0] + counts[1],
            n=sum(counts),
            best=SCALE[lang][0],
            good=SCALE[lang][1],
        )
        for qid, counts in totals.items()
    ]


async def card_section(
    db: Database,
    *,
    tenant_id: str | None,
    org: str | None,
    queries: Sequence[str],
    series_id: int | None = None,
    workshop_id: int | None = None,
    lang: str = "da",
) -> KnowledgeSection | None:
    """The knowledge bank's part of the "what now" card; None when it has nothing.

    Args:
        tenant_id: The workshop's tenant: only takeaways shared with its whole organisation
            are listed (the card's readers differ; team- and manager-only takeaways never).
        org: The organisation (directory name or tenant id) of the transfer figures.
        queries: What to look for, best first (the top proposals' content words).
        series_id: The workshop's series: its follow-ups (with the owners' answers) come
            first; ``workshop_id`` without a series.
    """
    lang = "en" if lang == "en" else "da"
    lines: list[str] = []
    if series_id is not None or workshop_id is not None:
        # The series' follow-ups first: what became of earlier proposals.
        follow_ups = await follow_ups_of_series(db, series_id, workshop_id=workshop_id)
        # Answered ones first (what became of a proposal), then the oldest.
        ordered = sorted(follow_ups, key=lambda fu: fu.status != "answered")
        lines += [_follow_up_line(fu, lang) for fu in ordered[:CARD_FOLLOW_UPS]]
    seen: set[int] = set()
    viewer = Viewer(user_id="", tenant_id=tenant_id)
    for query in queries:
        if len(seen) >= CARD_TAKEAWAYS or not query.strip():
            continue
        for hit in await search_takeaways(db, viewer, query[:300], limit=3, org_only=True):
            takeaway = hit.takeaway
            if takeaway.id in seen or len(seen) >= CARD_TAKEAWAYS:
                continue
            seen.add(takeaway.id)
            lines.append(
                _t(
                    "takeaway",
                    lang,
                    course=f"**{course_line(takeaway)}**",
                    name=escape_markdown(takeaway.author_name or _t("someone", lang)),
                    point=escape_markdown(takeaway.points[0]),
                )
            )
    if org:
        lines += _transfer_lines(await transfer_data(db, org=org), lang)
    if not lines:
        return None
    return KnowledgeSection(heading=_t("bank", lang), lines=tuple(lines))
