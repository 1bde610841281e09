"""The series report: every workshop of a series side by side, what changed between them
and which adjustments were made to the plan."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from analysis.summary.labels import label
from analysis.summary.model import Lang, Summary, WorkshopData
from analysis.summary.render_md import duration_text

__all__ = ["SeriesReport", "SeriesRow", "build_series_report", "render_series_markdown"]


@dataclass(frozen=True)
class SeriesRow:
    """One workshop in the series report."""

    workshop_id: str
    number: int | None
    title: str
    date: str
    duration_seconds: float | None
    plan_version: int | None
    participants: int
    answers: int
    proposals: int
    supported_proposals: int
    silent_questions: tuple[str, ...]
    new_terms: tuple[str, ...]
    plan_changes: tuple[str, ...]
    adjustments_suggested: tuple[str, ...]
    adjustments_made: tuple[str, ...]


@dataclass(frozen=True)
class SeriesReport:
    """The whole series."""

    series: str
    lang: Lang
    rows: tuple[SeriesRow, ...]


def _describe(kind: str, question_id: str) -> str:
    return f"{kind} {question_id}"


def build_series_report(
    workshops: Sequence[WorkshopData], summaries: Sequence[Summary], *, lang: Lang
) -> SeriesReport:
    """Line the workshops of a series up with their summaries.

    An adjustment counts as *made* when the next workshop's plan changes (``changes``, as
    ``"move q1"``, ``"reword q1"``, …) include the same kind of change to the same question.

    Args:
        workshops: The workshops, oldest first (``changes`` filled by the caller from the
            plan versions).
        summaries: Their summaries (facilitator audience), same order.
        lang: The report's language.

    Returns:
        The :class:`SeriesReport`.
    """
    rows: list[SeriesRow] = []
    for i, (w, s) in enumerate(zip(workshops, summaries, strict=True)):
        suggested = tuple(_describe(a.kind, a.question_id) for a in s.adjustments)
        following = workshops[i + 1].changes if i + 1 < len(workshops) else ()
        made = tuple(x for x in suggested if x in following and not x.startswith("keep"))
        rows.append(
            SeriesRow(
                workshop_id=w.id,
                number=w.number_in_series,
                title=w.title,
                date=s.header.date,
                duration_seconds=s.header.duration_seconds,
                plan_version=w.plan_version,
                participants=s.header.participants,
                answers=s.header.answers,
                proposals=len(s.proposals),
                supported_proposals=sum(1 for p in s.proposals if p.support_count > 0),
                silent_questions=tuple(x.text for x in s.silences),
                new_terms=tuple(t.term for t in s.novelty.new_terms[:8]),
                plan_changes=w.changes,
                adjustments_suggested=suggested,
                adjustments_made=made,
            )
        )
    series = workshops[0].series if workshops else ""
    return SeriesReport(series=series, lang=lang, rows=tuple(rows))


def render_series_markdown(report: SeriesReport) -> str:
    """The series report as Markdown."""
    lang = report.lang
    en = lang == "en"
    lines = [f"# {label(lang, 'series_title', series=report.series)}", ""]
    lines += [f"## {label(lang, 'series_overview')}", ""]
    head = (
        "| # | Workshop | Date | Duration | Plan v. | Participants | Answers | Proposals | Silent questions |"
        if en
        else "| # | Workshop | Dato | Varighed | Plan v. | Deltagere | Svar | Forslag | Tavse spørgsmål |"
    )
    lines += [head, "|" + "---|" * 9]
    for r in report.rows:
        lines.append(
            f"| {r.number or ''} | {r.title} | {r.date} | {duration_text(r.duration_seconds)} | "
            f"{r.plan_version or ''} | {r.participants} | {r.answers} | {r.proposals} | "
            f"{len(r.silent_questions)} |"
        )
    lines.append("")
    for r in report.rows:
        lines += [f"## {label(lang, 'series_workshop', n=r.number or '?', title=r.title)}", ""]
        if r.plan_changes:
            lines.append(f"- **{label(lang, 'series_changes')}:** {', '.join(r.plan_changes)}")
        if r.silent_questions:
            lines.append(f"- **{label(lang, 'silences')}:** {'; '.join(r.silent_questions)}")
        if r.new_terms:
            lines.append(f"- **{label(lang, 'new_terms')}:** {', '.join(r.new_terms)}")
        lines.append(
            f"- **{label(lang, 'proposals')}:** {r.proposals}"
            + (f" ({r.supported_proposals} " + ("supported" if en else "med opbakning") + ")")
        )
        if r.adjustments_suggested:
            made = set(r.adjustments_made)
            shown = ", ".join(f"{x} ✓" if x in made else x for x in r.adjustments_suggested)
            word = (
                "Suggested adjustments (✓ = made)"
                if en
                else "Foreslåede justeringer (✓ = gennemført)"
            )
            lines.append(f"- **{word}:** {shown}")
        lines.append("")
    return "\n".join(lines)
