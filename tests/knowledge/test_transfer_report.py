"""The transfer report: counts from the database (both backends), distributions only,
small groups held back, named answers only with consent; Markdown, CSV, Word and a PNG
chart, and the command line writing them as files."""

from __future__ import annotations

import csv
import io
import os
import struct
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import docx

from analysis.transfer import MIN_GROUP, render_csv, render_docx, render_markdown, transfer_chart
from storage.db import Database
from storage.knowledge import checkins, people, search, subscriptions, takeaways
from storage.knowledge.search import Viewer
from storage.knowledge.stats import transfer_data
from storage.migrate import upgrade

NOW = datetime(2027, 1, 1, tzinfo=UTC)


async def _answered(
    db: Database, user: str, course_id: int, choices: tuple[int, int, int], *, share: bool = False
) -> None:
    (c,) = await checkins.enrol(db, user, course_id, now=NOW, stages=("weeks_after_2",))
    await checkins.advance_checkin(db, c.id, from_status=["pending"], to_status="sent", now=NOW)
    for qid, choice in zip(("expectations-met", "equipped", "teach-others"), choices, strict=True):
        await checkins.record_checkin_answer(db, c.id, qid, choice=choice)
    await checkins.record_checkin_answer(db, c.id, "comment", text=f"kommentar fra {user}")
    await checkins.set_share_answers(db, c.id, share)
    await checkins.advance_checkin(db, c.id, from_status=["sent"], to_status="answered", now=NOW)


async def _fixture(db: Database) -> None:
    for n in range(5):
        await people.set_directory(
            db, f"29:l{n}", display_name=f"Løn {n}", org="HK", team="Løn", tenant_id="t1"
        )
    for n in range(2):
        await people.set_directory(
            db, f"29:i{n}", display_name=f"IT {n}", org="HK", team="IT", tenant_id="t1"
        )
    await people.set_directory(db, "29:x", org="Andet", team="Løn", tenant_id="t2")
    course = await takeaways.add_course(
        db,
        name="Projektledelse",
        provider="Akademi",
        starts_on=date(2027, 3, 1),
        ends_on=date(2027, 3, 2),
    )
    for n, choices in enumerate([(0, 1, 2), (0, 1, 2), (1, 1, 4), (0, 0, 0), (4, 4, 4)]):
        await _answered(db, f"29:l{n}", course.id, choices, share=n == 0)
    for n in range(2):
        await _answered(db, f"29:i{n}", course.id, (3, 3, 3))
    await _answered(db, "29:x", course.id, (2, 2, 2))
    await checkins.enrol(
        db, "29:i0", course.id, now=NOW, stages=("months_after_3",)
    )  # pending: not counted
    t = await takeaways.save_takeaway(
        db,
        course_id=course.id,
        user_id="29:l1",
        points=("Excel", "b", "c"),
        visibility="org",
        language="da",
        consent=True,
        tenant_id="t1",
    )
    await subscriptions.subscribe(db, "29:l2", "topic", "excel")
    await subscriptions.queue_for_subscribers(db, t)
    await search.search_takeaways(db, Viewer("29:l3", "t1"), "excel", log=True)
    await search.log_search(db, Viewer("29:l3", "t1"), 0)


async def test_counts_distributions_and_privacy(db: Database) -> None:
    await _fixture(db)
    data = await transfer_data(db, org="HK", now=NOW)
    groups = {(c.team, c.stage): c for c in data.courses}
    assert set(groups) == {("Løn", "weeks_after_2"), ("IT", "weeks_after_2")}
    lon = groups[("Løn", "weeks_after_2")]
    assert (lon.sent, lon.answered) == (5, 5)
    met = {d.question_id: d for d in lon.distributions}["expectations-met"]
    assert met.counts == (3, 1, 0, 0, 1) and met.shown
    it = groups[("IT", "weeks_after_2")]
    assert all(not d.shown for d in it.distributions) and MIN_GROUP > 2  # two answers: held back
    assert data.takeaways_shared == 1 and data.subscriptions == 1
    assert (data.searches, data.searches_with_results) == (2, 1)
    # Only the one who agreed is named, with their comment verbatim.
    assert {a.name for a in data.shared_answers} == {"Løn 0"}
    assert "kommentar fra 29:l0" in {a.text for a in data.shared_answers}
    markdown = render_markdown(data, lang="da", chart_name="c.png")
    assert "for få svar" in markdown and "Løn 0" in markdown
    assert "kommentar fra 29:l1" not in markdown and "Løn 1" not in markdown
    assert "Andet" not in markdown  # the other organisation's answer is not counted
    rows = list(csv.DictReader(io.StringIO(render_csv(data))))
    assert {r["shown"] for r in rows if r["team"] == "IT"} == {"no"}
    assert all(r["count"] == "" for r in rows if r["team"] == "IT")
    team_only = await transfer_data(db, org="HK", team="IT", now=NOW)
    assert {c.team for c in team_only.courses} == {"IT"} and team_only.takeaways_shared == 0


async def test_chart_and_docx_are_real_files(db: Database) -> None:
    await _fixture(db)
    data = await transfer_data(db, org="t1", now=NOW)  # by tenant id too
    png = transfer_chart(data, lang="en")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    assert 300 < width <= 1024 and 100 < height <= 1024
    document = docx.Document(io.BytesIO(render_docx(data, lang="en", chart=png)))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Transfer report" in text and "too few answers" in text
    assert len(document.inline_shapes) == 1


def test_cli_writes_the_report_files(tmp_path: Path, repo_root: Path) -> None:
    db_file = tmp_path / "wb.sqlite3"
    upgrade(f"sqlite:///{db_file}")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db_file}"}
    directory = tmp_path / "people.csv"
    directory.write_text(
        "user_id,display_name,org,team,manager_id,time_zone,quiet_hours\n"
        "29:a,Anna,HK,Løn,29:m,Europe/Copenhagen,20-8\n29:m,Mette,HK,Ledelse,,,\n",
        encoding="utf-8",
    )

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", *args],
            cwd=repo_root,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    loaded = run("transfer", "people", str(directory))
    assert loaded.returncode == 0, loaded.stderr
    assert "2 people" in loaded.stdout
    bad = run("transfer", "person", "29:a", "--time-zone", "Mars/Olympus")
    assert bad.returncode == 2 and "time zone" in bad.stderr and "Traceback" not in bad.stderr
    report = run("transfer", "report", "--org", "HK", "--out", str(tmp_path / "out"))
    assert report.returncode == 0, report.stderr
    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert names == ["transfer-HK.csv", "transfer-HK.docx", "transfer-HK.md", "transfer-HK.png"]
    exported = run("transfer", "export", "--user", "29:a", "--out", str(tmp_path / "out"))
    assert exported.returncode == 0, exported.stderr
    assert '"team": "Løn"' in (tmp_path / "out" / "knowledge-29_a.json").read_text(encoding="utf-8")


async def test_summary_section_lists_follow_ups_and_transfer(db: Database) -> None:
    from datetime import timedelta

    from dialogs.knowledge.links import knowledge_section
    from storage import series as series_repo

    await _fixture(db)
    made = await series_repo.create_series(db, "Transfer 2027")
    fu = await checkins.add_follow_up(
        db,
        proposal="Videndeling *på* møder",
        owner_id="29:o",
        owner_name="Ole",
        due_at=NOW + timedelta(days=10),
        series_id=made.id,
        now=NOW,
    )
    await checkins.add_follow_up(
        db,
        proposal="Mentorordning",
        owner_id="29:p",
        owner_name="Pia",
        due_at=NOW + timedelta(days=10),
        series_id=made.id,
        now=NOW,
    )
    await checkins.advance_follow_up(db, fu.id, from_status=["open"], to_status="asked", now=NOW)
    await checkins.answer_follow_up(db, fu.id, "Vi gør det nu")
    section = await knowledge_section(db, series_id=made.id, org="HK")
    assert "Videndeling \\*på\\* møder** (Ole): “Vi gør det nu”" in section
    assert "Mentorordning** (Pia): venter til" in section
    assert "Forventninger indfriet: 4 af 5" in section  # Løn only: IT's two are held back
    assert await knowledge_section(db, series_id=None) == ""


async def test_the_workshop_summary_carries_the_knowledge_bank_section(db: Database) -> None:
    """The "what now" Markdown (what `workshopbot summary` writes and stores) ends with the
    series' follow-ups and the organisation's transfer figures; a workshop of an
    organisation the bank knows nothing of gets no such section."""
    from datetime import timedelta

    from dialogs.summaries import make_summary, summary_markdown
    from storage import series as series_repo
    from storage import workshops as workshops_repo

    await _fixture(db)
    made = await series_repo.create_series(db, "Transfer 2028")
    workshop = await workshops_repo.create_workshop(db, org_name="HK", series_id=made.id)
    await checkins.add_follow_up(
        db,
        proposal="Tre nøglepunkter efter hvert kursus",
        owner_id="29:o",
        owner_name="Ole",
        due_at=NOW + timedelta(days=10),
        series_id=made.id,
        now=NOW,
    )
    bundle = await make_summary(db, workshop.id, audience="facilitator")
    markdown = await summary_markdown(db, workshop.id, bundle)
    assert markdown.startswith(render_summary_head(bundle))
    assert "## Opfølgning på forslag" in markdown
    assert "Tre nøglepunkter efter hvert kursus** (Ole): venter til" in markdown
    assert "## Fra videnbanken" in markdown and "Forventninger indfriet: 4 af 5" in markdown

    other = await workshops_repo.create_workshop(db, org_name="Ingen Data A/S")
    plain = await make_summary(db, other.id, audience="facilitator")
    text = await summary_markdown(db, other.id, plain)
    assert "Opfølgning" not in text and "videnbanken" not in text


def render_summary_head(bundle: object) -> str:
    """The first line of the summary as the summary renderer alone writes it."""
    from analysis.summary.render_md import render_markdown

    return render_markdown(bundle.summary).splitlines()[0]  # type: ignore[attr-defined]
