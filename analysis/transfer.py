"""The transfer report: did what was learnt on courses reach the workplace?

Pure: takes a :class:`TransferData` (counted by :func:`storage.knowledge.stats.transfer_data`)
and renders it as Markdown, CSV, Word, and a chart (PNG, drawn with
:class:`matplotlib.figure.Figure`, never pyplot). Only distributions are shown: a group of
fewer than :data:`MIN_GROUP` answers is left out (its distribution would say what one or
two people answered), and a person's own answer appears only when they agreed
(:class:`SharedAnswer`).
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from analysis.escape import csv_writer, escape_markdown

__all__ = [
    "MIN_GROUP",
    "SCALE",
    "CourseTransfer",
    "Distribution",
    "SharedAnswer",
    "TransferData",
    "render_csv",
    "render_docx",
    "render_markdown",
    "transfer_chart",
]

Lang = Literal["da", "en"]
#: Fewer answers than this in a group: the distribution is not shown.
MIN_GROUP = 3
#: The five-point scale of the after-course plan, best first.
SCALE: dict[str, tuple[str, ...]] = {
    "da": ("I meget høj grad", "I høj grad", "I nogen grad", "I ringe grad", "I meget ringe grad"),
    "en": (
        "To a very high degree",
        "To a high degree",
        "To some degree",
        "To a low degree",
        "To a very low degree",
    ),
}
QUESTIONS: dict[str, dict[str, str]] = {
    "expectations-met": {"da": "Forventninger indfriet", "en": "Expectations met"},
    "equipped": {"da": "Rustet til at anvende", "en": "Ready to apply"},
    "teach-others": {"da": "Lyst til at lære kolleger", "en": "Willing to teach colleagues"},
}
STAGES: dict[str, dict[str, str]] = {
    "weeks_after_2": {"da": "2 uger efter", "en": "2 weeks after"},
    "months_after_3": {"da": "3 måneder efter", "en": "3 months after"},
    "week_before": {"da": "1 uge før", "en": "1 week before"},
}
_LABELS: dict[str, dict[str, str]] = {
    "title": {"da": "Transfer-rapport: {scope}", "en": "Transfer report: {scope}"},
    "generated": {"da": "Lavet {when}", "en": "Made {when}"},
    "courses": {"da": "Kurser", "en": "Courses"},
    "checkins": {
        "da": "{answered} af {sent} opfølgninger besvaret",
        "en": "{answered} of {sent} check-ins answered",
    },
    "too_few": {
        "da": "for få svar til at vise (under {n})",
        "en": "too few answers to show (under {n})",
    },
    "activity": {"da": "Videndeling", "en": "Knowledge sharing"},
    "shared": {"da": "Delte nøglepunkter", "en": "Key points shared"},
    "subscriptions": {"da": "Abonnementer", "en": "Subscriptions"},
    "searches": {
        "da": "Søgninger ('hvem ved'): {n}, heraf {hits} med fund",
        "en": "Searches ('who knows'): {n}, {hits} of them with results",
    },
    "follow_ups": {"da": "Opfølgninger på forslag", "en": "Follow-ups of proposals"},
    "named": {
        "da": "Svar, som deltagerne har sagt ja til at vise",
        "en": "Answers their authors agreed to show",
    },
    "nothing": {"da": "Ingen data endnu.", "en": "No data yet."},
    "team_all": {"da": "alle teams", "en": "all teams"},
    "note": {
        "da": "Fordelinger, ikke domme over personer: materiale til drøftelse.",
        "en": "Distributions, not verdicts about people: material for discussion.",
    },
}
_STATUS = {
    "open": {"da": "venter", "en": "waiting"},
    "asked": {"da": "spurgt", "en": "asked"},
    "reminded": {"da": "påmindet", "en": "reminded"},
    "answered": {"da": "besvaret", "en": "answered"},
    "stopped": {"da": "ikke besvaret", "en": "not answered"},
}


def _l(key: str, lang: str, **values: object) -> str:
    return _LABELS[key]["en" if lang == "en" else "da"].format(**values)


@dataclass(frozen=True)
class Distribution:
    """How many picked each point of the scale for one question (best first)."""

    question_id: str
    counts: tuple[int, int, int, int, int]

    @property
    def respondents(self) -> int:
        return sum(self.counts)

    @property
    def shown(self) -> bool:
        return self.respondents >= MIN_GROUP


@dataclass(frozen=True)
class CourseTransfer:
    """One course, one team, one stage: check-ins sent and answered, and distributions."""

    course: str
    provider: str
    team: str | None
    stage: str
    sent: int
    answered: int
    distributions: tuple[Distribution, ...]
    takeaways: int = 0


@dataclass(frozen=True)
class SharedAnswer:
    """An answer whose author agreed that it may be shown."""

    name: str
    course: str
    question_id: str
    choice: int | None
    text: str | None


@dataclass(frozen=True)
class TransferData:
    org: str
    team: str | None
    generated_at: datetime
    courses: tuple[CourseTransfer, ...] = ()
    takeaways_shared: int = 0
    subscriptions: int = 0
    searches: int = 0
    searches_with_results: int = 0
    follow_ups: dict[str, int] = field(default_factory=dict)
    shared_answers: tuple[SharedAnswer, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.courses or self.takeaways_shared or self.searches or self.follow_ups)

    def scope(self, lang: str) -> str:
        return f"{self.org} – {self.team or _l('team_all', lang)}"


def _question(qid: str, lang: str) -> str:
    return QUESTIONS.get(qid, {}).get("en" if lang == "en" else "da", qid)


def _stage(stage: str, lang: str) -> str:
    return STAGES.get(stage, {}).get("en" if lang == "en" else "da", stage)


def _percent(count: int, total: int) -> str:
    return f"{round(100 * count / total)} %" if total else "–"


def render_markdown(data: TransferData, *, lang: Lang = "da", chart_name: str | None = None) -> str:
    """The report as Markdown (participants' words escaped)."""
    scale = SCALE[lang]
    lines = [
        f"# {escape_markdown(_l('title', lang, scope=data.scope(lang)))}",
        "",
        f"_{_l('generated', lang, when=data.generated_at.strftime('%Y-%m-%d %H:%M UTC'))}_ · "
        f"{_l('note', lang)}",
        "",
    ]
    if data.empty:
        return "\n".join([*lines, _l("nothing", lang), ""])
    if chart_name:
        lines += [f"![]({chart_name})", ""]
    lines += [f"## {_l('courses', lang)}", ""]
    for course in data.courses:
        head = f"{course.course} ({course.provider})"
        team = f" · {course.team}" if course.team else ""
        lines.append(
            f"### {escape_markdown(head)}{escape_markdown(team)} · {_stage(course.stage, lang)}"
        )
        lines.append("")
        lines.append(_l("checkins", lang, answered=course.answered, sent=course.sent))
        lines.append("")
        shown = [d for d in course.distributions if d.shown]
        if shown:
            lines.append("| | " + " | ".join(scale) + " | n |")
            lines.append("|---" * (len(scale) + 2) + "|")
            for dist in shown:
                cells = [f"{c} ({_percent(c, dist.respondents)})" for c in dist.counts]
                lines.append(
                    f"| {_question(dist.question_id, lang)} | "
                    + " | ".join(cells)
                    + f" | {dist.respondents} |"
                )
        hidden = [d for d in course.distributions if not d.shown]
        if hidden:
            lines.append("")
            lines.append(
                ", ".join(_question(d.question_id, lang) for d in hidden)
                + ": "
                + _l("too_few", lang, n=MIN_GROUP)
            )
        lines.append("")
    lines += [f"## {_l('activity', lang)}", ""]
    lines.append(f"- {_l('shared', lang)}: {data.takeaways_shared}")
    lines.append(f"- {_l('subscriptions', lang)}: {data.subscriptions}")
    lines.append(f"- {_l('searches', lang, n=data.searches, hits=data.searches_with_results)}")
    if data.follow_ups:
        parts = ", ".join(
            f"{_STATUS.get(k, {}).get(lang, k)}: {v}" for k, v in sorted(data.follow_ups.items())
        )
        lines.append(f"- {_l('follow_ups', lang)}: {parts}")
    if data.shared_answers:
        lines += ["", f"## {_l('named', lang)}", ""]
        for answer in data.shared_answers:
            value = scale[answer.choice] if answer.choice is not None else ""
            said = f" – “{escape_markdown(answer.text)}”" if answer.text else ""
            lines.append(
                f"- **{escape_markdown(answer.name)}** ({escape_markdown(answer.course)}), "
                f"{_question(answer.question_id, lang)}: {value}{said}"
            )
    lines.append("")
    return "\n".join(lines)


def render_csv(data: TransferData, *, lang: Lang = "da") -> str:
    """One row per course, team, stage, question and point of the scale (suppressed groups
    have empty counts). Formula-like cells are neutralised."""
    buffer = io.StringIO()
    writer = csv_writer(buffer)
    writer.writerow(
        [
            "course",
            "provider",
            "team",
            "stage",
            "question",
            "answer",
            "count",
            "respondents",
            "shown",
        ]
    )
    for course in data.courses:
        for dist in course.distributions:
            for i, label in enumerate(SCALE[lang]):
                writer.writerow(
                    [
                        course.course,
                        course.provider,
                        course.team or "",
                        course.stage,
                        dist.question_id,
                        label,
                        dist.counts[i] if dist.shown else "",
                        dist.respondents if dist.shown else "",
                        "yes" if dist.shown else "no",
                    ]
                )
    return buffer.getvalue()


def transfer_chart(data: TransferData, *, lang: Lang = "da", width_px: int = 900) -> bytes:
    """Stacked bars: for each question (all shown groups together), the share of each
    point of the scale. PNG bytes."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    totals: dict[str, list[int]] = {}
    for course in data.courses:
        for dist in course.distributions:
            if dist.shown:
                row = totals.setdefault(dist.question_id, [0, 0, 0, 0, 0])
                for i, c in enumerate(dist.counts):
                    row[i] += c
    questions = [q for q in QUESTIONS if q in totals] + [q for q in totals if q not in QUESTIONS]
    height = 1.2 + 0.6 * max(1, len(questions))
    fig = Figure(figsize=(width_px / 100, height), dpi=100)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    colours = ("#2b8a3e", "#69db7c", "#ced4da", "#ffa8a8", "#e03131")
    if not questions:
        ax.text(0.5, 0.5, _l("nothing", lang), ha="center", va="center")
        ax.set_axis_off()
    else:
        for y, qid in enumerate(questions):
            counts = totals[qid]
            total = sum(counts) or 1
            left = 0.0
            for i, count in enumerate(counts):
                share = 100 * count / total
                ax.barh(
                    y, share, left=left, color=colours[i], label=SCALE[lang][i] if y == 0 else None
                )
                if share >= 8:
                    ax.text(
                        left + share / 2,
                        y,
                        f"{round(share)}%",
                        ha="center",
                        va="center",
                        fontsize=8,
                    )
                left += share
        ax.set_yticks(range(len(questions)))
        ax.set_yticklabels([_question(q, lang) for q in questions])
        ax.invert_yaxis()
        ax.set_xlim(0, 100)
        ax.set_xlabel("%")
        ax.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.35), ncol=5, fontsize=7, frameon=False
        )
    ax.set_title(_l("title", lang, scope=data.scope(lang)), fontsize=10)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    return buffer.getvalue()


def render_docx(data: TransferData, *, lang: Lang = "da", chart: bytes | None = None) -> bytes:
    """The report as an editable Word document, the chart as a picture."""
    from docx import Document as new_document
    from docx.shared import Cm

    doc = new_document()
    doc.core_properties.title = _l("title", lang, scope=data.scope(lang))
    doc.core_properties.language = lang
    doc.add_heading(_l("title", lang, scope=data.scope(lang)), level=0)
    doc.add_paragraph(
        _l("generated", lang, when=data.generated_at.strftime("%Y-%m-%d %H:%M UTC"))
        + " · "
        + _l("note", lang)
    )
    if data.empty:
        doc.add_paragraph(_l("nothing", lang))
    else:
        if chart:
            doc.add_picture(io.BytesIO(chart), width=Cm(16))
        doc.add_heading(_l("courses", lang), level=1)
        for course in data.courses:
            team = f" · {course.team}" if course.team else ""
            doc.add_heading(
                f"{course.course} ({course.provider}){team} · {_stage(course.stage, lang)}", level=2
            )
            doc.add_paragraph(_l("checkins", lang, answered=course.answered, sent=course.sent))
            shown = [d for d in course.distributions if d.shown]
            if shown:
                table = doc.add_table(rows=1, cols=len(SCALE[lang]) + 2)
                header = table.rows[0].cells
                header[0].text = ""
                for i, label in enumerate(SCALE[lang]):
                    header[i + 1].text = label
                header[-1].text = "n"
                for dist in shown:
                    cells = table.add_row().cells
                    cells[0].text = _question(dist.question_id, lang)
                    for i, c in enumerate(dist.counts):
                        cells[i + 1].text = f"{c} ({_percent(c, dist.respondents)})"
                    cells[-1].text = str(dist.respondents)
            for dist in course.distributions:
                if not dist.shown:
                    doc.add_paragraph(
                        f"{_question(dist.question_id, lang)}: {_l('too_few', lang, n=MIN_GROUP)}"
                    )
        doc.add_heading(_l("activity", lang), level=1)
        doc.add_paragraph(f"{_l('shared', lang)}: {data.takeaways_shared}", style="List Bullet")
        doc.add_paragraph(f"{_l('subscriptions', lang)}: {data.subscriptions}", style="List Bullet")
        doc.add_paragraph(
            _l("searches", lang, n=data.searches, hits=data.searches_with_results),
            style="List Bullet",
        )
        if data.shared_answers:
            doc.add_heading(_l("named", lang), level=1)
            for answer in data.shared_answers:
                value = SCALE[lang][answer.choice] if answer.choice is not None else ""
                said = f" – “{answer.text}”" if answer.text else ""
                doc.add_paragraph(
                    f"{answer.name} ({answer.course}), {_question(answer.question_id, lang)}: "
                    f"{value}{said}",
                    style="List Bullet",
                )
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
