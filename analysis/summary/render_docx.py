"""The summary as an editable Word document (python-docx): headings, quotes, the revisited
map and the charts as pictures."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from docx import Document as new_document
from docx.oxml import OxmlElement
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from analysis.summary.labels import label, nothing_to_compare
from analysis.summary.model import Summary
from analysis.summary.render_md import (
    adjustment_text,
    header_lines,
    signal_text,
    silence_text,
    support_text,
    theme_text,
)

__all__ = ["render_docx"]

_GREY = RGBColor(0x59, 0x59, 0x59)


class _Writer:
    """Appends paragraphs quickly.

    python-docx looks a style up by name (and scans every style for the default) on each
    ``add_paragraph(style=...)``, and finds the insertion point by XPath each time: for a
    workshop with thousands of quotes that is seconds. Styles are resolved once here and
    paragraphs are appended before the section properties directly.
    """

    def __init__(self, doc: Any) -> None:
        self.doc = doc
        self.body = doc._body
        self.anchor = doc.element.body.sectPr
        self.ids: dict[str, str] = {}

    def __call__(self, text: str = "", style: str | None = None) -> Any:
        p = OxmlElement("w:p")
        if self.anchor is not None:
            self.anchor.addprevious(p)
        else:
            self.doc.element.body.append(p)
        if style is not None:
            if style not in self.ids:
                self.ids[style] = self.doc.styles[style].style_id
            p.style = self.ids[style]
        para = Paragraph(p, self.body)
        if text:
            para.add_run(text)
        return para


def render_docx(summary: Summary, *, charts: Mapping[str, bytes] | None = None) -> bytes:
    """Render a summary as a .docx document.

    Args:
        summary: The summary.
        charts: PNG pictures by name (see :func:`analysis.summary.charts.summary_charts`):
            ``map`` goes under "the map, revisited", the others under "charts".

    Returns:
        The document's bytes.
    """
    lang = summary.lang
    pictures = dict(charts or {})
    doc = new_document()
    para_ = _Writer(doc)
    doc.core_properties.title = label(lang, "title", title=summary.header.title)
    doc.core_properties.language = lang
    doc.add_heading(label(lang, "title", title=summary.header.title), level=0)
    table = doc.add_table(rows=0, cols=2)
    for key, value in header_lines(summary):
        cells = table.add_row().cells
        cells[0].text = key
        cells[1].text = value
    if summary.empty:
        for note in summary.notes:
            para_(note)
        _footer(para_, summary)
        return _bytes(doc)

    doc.add_heading(label(lang, "proposals"), level=1)
    if not summary.proposals:
        para_(label(lang, "no_proposals"))
    for p in summary.proposals:
        para = para_(style="List Number")
        para.add_run(f"{p.id} ").bold = True
        para.add_run(p.text)
        who = support_text(p, lang)
        if p.new:
            who += f" ({label(lang, 'new')})"
        meta = para.add_run(f" — {who}")
        meta.italic = True
        for m in p.mentions[1:]:
            para_(f"{m.offset} {m.pseudonym}: {m.sentence}", style="Quote")

    doc.add_heading(label(lang, "silences"), level=1)
    if not summary.silences:
        para_(label(lang, "no_silences"))
    for s in summary.silences:
        para = para_(style="List Bullet")
        para.add_run(s.text).bold = True
        para.add_run(f" — {silence_text(s, lang)}")

    doc.add_heading(label(lang, "novelty"), level=1)
    nov = summary.novelty
    if not nov.compared_with:
        para_(nothing_to_compare(lang, summary.header.series))
    elif not (nov.new_terms or nov.new_proposals or nov.untouched_themes):
        para_(label(lang, "nothing_new"))
    else:
        if nov.new_terms:
            _pair(para_, label(lang, "new_terms"), "")
            for t in nov.new_terms:
                para_(theme_text(t, lang, bold=False), style="List Bullet")
        if nov.new_proposals:
            _pair(para_, label(lang, "new_proposals"), ", ".join(nov.new_proposals))
        if nov.untouched:
            _pair(para_, label(lang, "untouched"), "")
            for t in nov.untouched:
                para_(theme_text(t, lang, bold=False), style="List Bullet")
        elif nov.untouched_themes:
            _pair(para_, label(lang, "untouched"), ", ".join(nov.untouched_themes))

    doc.add_heading(label(lang, "adjustments"), level=1)
    if not summary.adjustments:
        para_(label(lang, "no_adjustments"))
    titles = {q.question_id: q.text for q in summary.questions}
    for a in summary.adjustments:
        para = para_(style="List Number")
        para.add_run(adjustment_text(a, lang)).bold = True
        para.add_run(f" — {titles.get(a.question_id, a.question_id) or label(lang, 'intro')}")
        reason = para_(a.reason)
        reason.paragraph_format.left_indent = Cm(1)

    doc.add_heading(label(lang, "per_question"), level=1)
    for q in summary.questions:
        doc.add_heading(f"{label(lang, 'question', n=q.position)}: {q.text}", level=2)
        facts = [label(lang, "answered", r=q.respondents, a=q.answers)]
        if q.private_answers and summary.audience == "group":
            facts.append(label(lang, "private_count", n=q.private_answers))
        info = para_().add_run("; ".join(facts))
        info.italic = True
        info.font.color.rgb = _GREY
        for quote in q.quotes:
            para = para_(style="Quote")
            stamp = para.add_run(f"{quote.offset} {quote.pseudonym}: ")
            stamp.bold = True
            para.add_run(quote.text)
        if q.distribution:
            _pair(
                para_,
                label(lang, "distribution"),
                ", ".join(f"{o}: {n}" for o, n in q.distribution),
            )
        if q.key_terms:
            _pair(para_, label(lang, "key_terms"), ", ".join(q.key_terms))
        for sig in q.signals:
            para_(signal_text(sig, lang), style="List Bullet")
        picture = pictures.get(f"scale-{q.question_id}")
        if picture:
            doc.add_picture(io.BytesIO(picture), width=Cm(12))

    part = summary.participation
    doc.add_heading(label(lang, "participation"), level=1)
    for person in part.people:
        para_(
            label(lang, "person_row", who=person.pseudonym, a=person.answers, w=person.words),
            style="List Bullet",
        )
    para_(label(lang, "gini", g_a=part.gini_answers, g_w=part.gini_words))
    if part.private_answers:
        para_(label(lang, "private_total", n=part.private_answers))

    if summary.map is not None:
        doc.add_heading(label(lang, "map"), level=1)
        if "map" in pictures:
            doc.add_picture(io.BytesIO(pictures["map"]), width=Cm(15))
        if summary.map.highlighted_terms:
            _pair(para_, label(lang, "map_used"), ", ".join(summary.map.highlighted_terms))
        if summary.map.blind_spots:
            _pair(para_, label(lang, "blind_spots"), ", ".join(summary.map.blind_spots))

    others = [k for k in ("timeline", "participation") if k in pictures]
    if others:
        doc.add_heading(label(lang, "charts"), level=1)
        for key in others:
            doc.add_picture(io.BytesIO(pictures[key]), width=Cm(15))
    _footer(para_, summary)
    return _bytes(doc)


def _pair(para_: _Writer, key: str, value: str) -> None:
    para = para_()
    para.add_run(f"{key}: ").bold = True
    para.add_run(value)


def _footer(para_: _Writer, summary: Summary) -> None:
    run = para_().add_run(label(summary.lang, "footer"))
    run.italic = True
    run.font.size = Pt(9)


def _bytes(doc: object) -> bytes:
    buffer = io.BytesIO()
    doc.save(buffer)  # type: ignore[attr-defined]
    return buffer.getvalue()
