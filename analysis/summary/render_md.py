"""The summary as Markdown: the "Hvad så?" section a facilitator used to write by hand."""

from __future__ import annotations

from analysis.escape import escape_markdown
from analysis.summary.labels import label, nothing_to_compare
from analysis.summary.model import (
    Adjustment,
    AgreementSignal,
    Lang,
    NewTerm,
    Proposal,
    Silence,
    Summary,
    format_offset,
)

__all__ = [
    "adjustment_text",
    "duration_text",
    "header_lines",
    "proposal_line",
    "render_markdown",
    "signal_text",
    "silence_text",
    "support_text",
    "theme_text",
]


def duration_text(seconds: float | None) -> str:
    """``hh:mm:ss``, or ``--:--:--`` when unknown."""
    return format_offset(seconds)


def signal_text(signal: AgreementSignal, lang: Lang) -> str:
    """One agreement or disagreement, in words."""
    if signal.target:
        return label(
            lang, signal.kind, who=signal.speaker, target=signal.target, marker=signal.marker
        )
    return label(lang, f"{signal.kind}_open", who=signal.speaker, marker=signal.marker)


def silence_text(silence: Silence, lang: Lang) -> str:
    """Why a question was flagged, and how it fared before."""
    reasons = ", ".join(label(lang, f"reason_{r}") for r in silence.reasons)
    text = f"{reasons}"
    if silence.gap_seconds is not None:
        text += f"; {label(lang, 'gap_seconds', s=round(silence.gap_seconds))}"
    elif silence.first_answer_seconds is not None:
        text += f"; {label(lang, 'first_answer', t=duration_text(silence.first_answer_seconds))}"
    if silence.evidence:
        text += ": " + "; ".join(f"«{e}»" for e in silence.evidence)
    if silence.earlier:
        runs = "; ".join(
            label(
                lang,
                "earlier_run",
                title=e.workshop_title,
                a=e.answers,
                flag=label(lang, "also_silent") if e.flagged else "",
            )
            for e in silence.earlier
        )
        text += ". " + label(lang, "earlier_runs", runs=runs)
    return text


def theme_text(theme: NewTerm, lang: Lang, *, bold: bool = True) -> str:
    """A theme with the sentence that carries it, quoted verbatim, and who said it."""
    text = f"**{theme.term}**" if bold else theme.term
    if theme.sentence:
        who = ", ".join(x for x in (theme.pseudonym, theme.workshop_title) if x)
        text += f" — «{theme.sentence}»" + (f" ({who})" if who else "")
    return text


def adjustment_text(adjustment: Adjustment, lang: Lang) -> str:
    """What an adjustment does, in words."""
    if adjustment.kind == "move":
        return label(lang, "kind_move", pos=adjustment.to_position)
    if adjustment.kind == "reword":
        return label(lang, "kind_reword", text=adjustment.text or "")
    if adjustment.kind == "shorten":
        return label(lang, "kind_shorten", min=round((adjustment.time_box_seconds or 0) / 60))
    if adjustment.kind == "shorten_intro":
        return label(
            lang, "kind_shorten_intro", min=round((adjustment.time_box_seconds or 600) / 60)
        )
    if adjustment.kind == "add_follow_up":
        return label(lang, "kind_add_follow_up", text=adjustment.text or "")
    return label(lang, "kind_keep")


def support_text(proposal: Proposal, lang: Lang) -> str:
    """Who made a proposal, who backed it, and how many stand behind it besides the proposer.

    >>> from analysis.summary.model import Proposal
    >>> p = Proposal("P1", "Vi skal …", (), (), ("Deltager A", "Deltager C"), ("Deltager B",), (), (), 2)
    >>> support_text(p, "da")
    'Foreslået af Deltager A, Deltager C · bakket op af Deltager B · 2 ud over forslagsstilleren står bag'
    """
    parts = [label(lang, "proposal_by", who=", ".join(proposal.proposers))]
    if proposal.supporters:
        parts.append(label(lang, "backed_by", who=", ".join(proposal.supporters)))
    if proposal.support_count:
        parts.append(label(lang, "support_total", n=proposal.support_count))
    return " · ".join(parts)


def proposal_line(proposal: Proposal, lang: Lang) -> str:
    """One proposal with who made it and how many supported it."""
    line = f"**{proposal.id}** {_quote_text(proposal.text)} — {support_text(proposal, lang)}"
    if proposal.new:
        line += f" *({label(lang, 'new')})*"
    return line


def header_lines(summary: Summary) -> list[tuple[str, str]]:
    """The header as (label, value) rows."""
    lang, h = summary.lang, summary.header
    rows: list[tuple[str, str]] = []
    if h.series:
        series = h.series
        if h.number_in_series:
            series += f" ({label(lang, 'number', n=h.number_in_series)})"
        rows.append((label(lang, "series"), series))
    if h.date:
        rows.append((label(lang, "date"), h.date))
    if h.duration_seconds is not None:
        rows.append((label(lang, "duration"), duration_text(h.duration_seconds)))
    if h.plan_name:
        plan = h.plan_name
        if h.plan_version is not None:
            plan += f", {label(lang, 'version', v=h.plan_version)}"
        rows.append((label(lang, "plan"), plan))
    rows.append((label(lang, "participants"), str(h.participants)))
    rows.append((label(lang, "answers"), str(h.answers)))
    return rows


def _ids(ids: tuple[str, ...], limit: int = 12) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f", … (+{len(ids) - limit})" if len(ids) > limit else "")


def _quote_text(text: str) -> str:
    """A participant's words on one line, Markdown escaped (shown as written, never as
    links, emphasis or HTML)."""
    return escape_markdown(" ".join(text.split()))


def render_markdown(summary: Summary) -> str:
    """Render a summary as Markdown.

    Args:
        summary: A summary from :func:`analysis.summary.build.build_summary`.

    Returns:
        The Markdown text (UTF-8, ends with a newline).
    """
    lang = summary.lang
    lines: list[str] = [f"# {label(lang, 'title', title=summary.header.title)}", ""]
    for key, value in header_lines(summary):
        lines.append(f"- **{key}:** {value}")
    lines.append("")
    if summary.empty:
        lines.extend([*summary.notes, "", f"_{label(lang, 'footer')}_", ""])
        return "\n".join(lines)

    lines += [f"## {label(lang, 'proposals')}", ""]
    if summary.proposals:
        for p in summary.proposals:
            lines.append(f"- {proposal_line(p, lang)}")
            for m in p.mentions[1:]:
                lines.append(f"  - {m.offset} {m.pseudonym}: {_quote_text(m.sentence)}")
            lines.append(f"  - _{label(lang, 'based_on', ids=_ids(p.answer_ids))}_")
    else:
        lines.append(label(lang, "no_proposals"))
    lines.append("")

    lines += [f"## {label(lang, 'silences')}", ""]
    if summary.silences:
        for s in summary.silences:
            lines.append(f"- **{s.text}** — {silence_text(s, lang)}")
            if s.hard_answer_ids:
                lines.append(f"  - _{label(lang, 'based_on', ids=_ids(s.hard_answer_ids))}_")
    else:
        lines.append(label(lang, "no_silences"))
    lines.append("")

    lines += [f"## {label(lang, 'novelty')}", ""]
    nov = summary.novelty
    if not nov.compared_with:
        lines.append(nothing_to_compare(lang, summary.header.series))
    elif not (nov.new_terms or nov.new_proposals or nov.untouched_themes):
        lines.append(label(lang, "nothing_new"))
    else:
        if nov.new_terms:
            lines.append(f"- **{label(lang, 'new_terms')}:**")
            lines += [f"  - {theme_text(t, lang)} ({_ids(t.answer_ids, 4)})" for t in nov.new_terms]
        if nov.new_proposals:
            lines.append(f"- **{label(lang, 'new_proposals')}:** {', '.join(nov.new_proposals)}")
        if nov.untouched:
            lines.append(f"- **{label(lang, 'untouched')}:**")
            lines += [f"  - {theme_text(t, lang)}" for t in nov.untouched]
        elif nov.untouched_themes:
            lines.append(f"- **{label(lang, 'untouched')}:** {', '.join(nov.untouched_themes)}")
    lines.append("")

    lines += [f"## {label(lang, 'adjustments')}", ""]
    if summary.adjustments:
        titles = {q.question_id: q.text for q in summary.questions}
        for i, a in enumerate(summary.adjustments, start=1):
            where = titles.get(a.question_id, a.question_id) or label(lang, "intro")
            lines.append(f"{i}. **{adjustment_text(a, lang)}** — {where}")
            lines.append(f"   {a.reason}")
            if a.answer_ids:
                lines.append(f"   _{label(lang, 'based_on', ids=_ids(a.answer_ids))}_")
    else:
        lines.append(label(lang, "no_adjustments"))
    lines.append("")

    lines += [f"## {label(lang, 'per_question')}", ""]
    for q in summary.questions:
        lines.append(f"### {label(lang, 'question', n=q.position)}: {q.text}")
        lines.append("")
        facts = [label(lang, "answered", r=q.respondents, a=q.answers)]
        if q.first_answer_seconds is not None:
            facts.append(label(lang, "first_answer", t=duration_text(q.first_answer_seconds)))
        if q.private_answers and summary.audience == "group":
            facts.append(label(lang, "private_count", n=q.private_answers))
        lines.append("_" + "; ".join(facts) + "_")
        lines.append("")
        for quote in q.quotes:
            lines.append(f"> {quote.offset} {quote.pseudonym}: {_quote_text(quote.text)}")
            lines.append(">")
        if q.quotes:
            lines.pop()
            lines.append("")
        if q.distribution:
            dist = ", ".join(f"{option}: {n}" for option, n in q.distribution)
            lines.append(f"- **{label(lang, 'distribution')}:** {dist}")
        if q.key_terms:
            lines.append(f"- **{label(lang, 'key_terms')}:** {', '.join(q.key_terms)}")
        if q.signals:
            lines.append(f"- **{label(lang, 'signals')}:**")
            for sig in q.signals:
                lines.append(f"  - {signal_text(sig, lang)} [{sig.answer_id}]")
        lines.append("")
    if summary.open_discussion:
        lines += [f"### {label(lang, 'open_discussion')}", ""]
        for quote in summary.open_discussion:
            lines.append(f"> {quote.offset} {quote.pseudonym}: {_quote_text(quote.text)}")
        lines.append("")

    part = summary.participation
    lines += [f"## {label(lang, 'participation')}", ""]
    for person in part.people:
        row = label(lang, "person_row", who=person.pseudonym, a=person.answers, w=person.words)
        if person.late_answers:
            row += f", {label(lang, 'late', n=person.late_answers)}"
        lines.append(f"- {row}")
    lines.append(f"- {label(lang, 'gini', g_a=part.gini_answers, g_w=part.gini_words)}")
    if part.private_answers:
        lines.append(f"- {label(lang, 'private_total', n=part.private_answers)}")
    if part.anonymous_answers:
        lines.append(f"- {label(lang, 'anonymous_total', n=part.anonymous_answers)}")
    if part.late_answers:
        lines.append(f"- {label(lang, 'late', n=part.late_answers)}")
    if part.silent_participants:
        lines.append(f"- {label(lang, 'silent_people', who=', '.join(part.silent_participants))}")
    lines.append("")

    if summary.map is not None:
        revisited = summary.map
        lines += [f"## {label(lang, 'map')}", ""]
        if revisited.highlighted_terms:
            used = ", ".join(revisited.highlighted_terms)
            lines.append(f"- **{label(lang, 'map_used')}:** {used}")
        if revisited.blind_spots:
            lines.append(f"- **{label(lang, 'blind_spots')}:**")
            for name in revisited.blind_spots:
                terms = ", ".join(revisited.blind_spot_terms.get(name, ())[:6])
                lines.append(f"  - {name}" + (f" ({terms})" if terms else ""))
        lines.append("")
    lines += [f"_{label(lang, 'footer')}_", ""]
    return "\n".join(lines)
