"""`workshopbot transcript import` then `workshopbot summary`, end to end on a real SQLite db."""

from __future__ import annotations

import csv
import io
import json
import time
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from bot.cli import main

VTT_1 = """WEBVTT

00:00:03.000 --> 00:00:09.000
<v Mette Hansen>Velkommen. Første spørgsmål: Hvad er HKs værdier?</v>

00:02:40.000 --> 00:02:44.000
<v Jonas Berg>Det er svært.</v>

00:02:50.000 --> 00:02:53.000
<v Sara Lind>Ved ikke.</v>

00:04:00.000 --> 00:04:08.000
<v Mette Hansen>Næste spørgsmål: Hvordan kan den viden formidles effektfuldt?</v>

00:04:20.000 --> 00:04:30.000
<v Jonas Berg>Vi burde lave en podcast om opgaverne.</v>

00:04:40.000 --> 00:04:50.000
<v Sara Lind>Enig med Jonas, en podcast om opgaverne vil virke.</v>
"""

VTT_2 = """WEBVTT

00:00:03.000 --> 00:00:09.000
<v Mette Hansen>Spørgsmålet er: Hvordan kan den viden formidles effektfuldt?</v>

00:00:30.000 --> 00:00:40.000
<v Ali Khan>Vi skal holde fyraftensmøder hvor forfatterne fortæller om opgaverne.</v>

00:00:45.000 --> 00:00:55.000
<v Jonas Berg>Jeg bakker op om fyraftensmøder, de giver opfølgning.</v>

00:01:00.000 --> 00:01:10.000
<v Mette Hansen>Og så: Hvad er HKs værdier?</v>

00:03:30.000 --> 00:03:35.000
<v Ali Khan>Svært at sige.</v>
"""


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'wb.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_database(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The e2e test runs on SQLite and on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield request.getfixturevalue("database")
        return
    from tests.storage.dbutil import create_postgres_database, drop_postgres_database

    base = request.getfixturevalue("postgres_url")
    url = create_postgres_database(base, prefix="wsb_summary")
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        yield url
    finally:
        drop_postgres_database(base, url)


def _import(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> int:
    capsys.readouterr()
    code = main(["transcript", "import", str(path), *extra])
    out = capsys.readouterr().out.strip()
    assert code == 0, out
    return int(out.splitlines()[-1])


def test_transcript_import_then_summary_end_to_end(
    any_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = tmp_path / "ws1.vtt"
    first.write_text(VTT_1, encoding="utf-8")
    second = tmp_path / "ws2.vtt"
    second.write_text(VTT_2, encoding="utf-8")
    args = (
        "--series",
        "Transfer",
        "--plan",
        "default",
        "--facilitator",
        "Mette Hansen",
        "--org",
        "HK",
    )
    w1 = _import(first, capsys, *args)
    w2 = _import(second, capsys, *args)
    assert w2 != w1

    assert main(["summary", str(w2), "--format", "json", "--no-store"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["header"]["series"] == "Transfer"
    assert data["header"]["number_in_series"] == 2
    questions = [q["question_id"] for q in data["questions"]]
    assert questions == ["q9", "q1"]  # the order they were asked, not the plan's
    quotes = [quote for q in data["questions"] for quote in q["quotes"]]
    # Pseudonyms in order of appearance; no real name stored or shown.
    assert [q["pseudonym"] for q in quotes] == ["Deltager A", "Deltager B", "Deltager A"]
    text = json.dumps(data, ensure_ascii=False)
    for name in ("Jonas", "Sara", "Ali", "Mette"):
        assert name not in text
    # The podcast was workshop 1's idea; the after-work meetings are new.
    new_terms = {t["term"] for t in data["novelty"]["new_terms"]}
    # Shown as the participants wrote it (the lemma "fyraftensmøde" is never written here).
    assert "fyraftensmøder" in new_terms and "podcast" not in new_terms
    proposal = data["proposals"][0]
    assert "fyraftensmøder" in proposal["text"] and proposal["support_count"] == 1
    assert proposal["new"] is True
    values = next(s for s in data["silences"] if s["question_id"] == "q1")
    assert "hard" in values["reasons"] or "few_answers" in values["reasons"]
    assert values["earlier"][0]["flagged"] is True
    first_q = data["questions"][0]
    # Silence counts from the end of the asking (00:00:09) to the first answer (00:00:30).
    assert first_q["first_answer_seconds"] == pytest.approx(21, abs=1)

    # Markdown quotes with the transcript's offsets.
    assert main(["summary", str(w1), "--format", "md", "--no-store"]) == 0
    md = capsys.readouterr().out
    assert "00:02:40 Deltager A: Det er svært." in md
    assert "Enig med Deltager A" in md  # the name said aloud became the pseudonym

    out = tmp_path / "s.csv"
    assert main(["summary", str(w1), "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert {r["offset"] for r in rows} >= {"00:02:40", "00:04:20"}

    docx_path = tmp_path / "s.docx"
    assert main(["summary", str(w2), "--format", "docx", "--out", str(docx_path)]) == 0
    doc = Document(str(docx_path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert any("Forslag" in h for h in headings)
    with zipfile.ZipFile(docx_path) as zf:
        media = [n for n in zf.namelist() if n.startswith("word/media/")]
    assert len(media) >= 2  # timeline and participation charts

    assert main(["summary", "--series", "Transfer"]) == 0
    report = capsys.readouterr().out
    assert "Serierapport: Transfer" in report
    assert report.count("| ") > 10


def test_summary_errors_are_one_line(
    database: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert main(["summary", "abc"]) == 2
    assert "not a workshop id" in capsys.readouterr().err
    assert main(["summary", "999"]) == 2
    assert "999" in capsys.readouterr().err
    assert main(["summary", "--series", "Nothing"]) == 2
    assert "no series 'Nothing'" in capsys.readouterr().err
    bad = tmp_path / "bad.vtt"
    bad.write_text("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nhej\n", encoding="utf-8")
    assert main(["transcript", "import", str(bad)]) == 2
    err = capsys.readouterr().err.strip()
    assert "line 4" in err and "voice tag" in err and len(err.splitlines()) == 1
    good = tmp_path / "good.vtt"
    good.write_text(VTT_1, encoding="utf-8")
    assert main(["transcript", "import", str(good), "--facilitator", "Nobody"]) == 2
    assert "does not speak" in capsys.readouterr().err


def test_docx_transcript_imports_and_group_summary_hides_private(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.analysis.test_transcript import ROWS, write_teams_docx

    path = write_teams_docx(tmp_path / "meeting.docx", ROWS)
    wid = _import(path, capsys, "--plan", "default", "--org", "HK")
    assert main(["summary", str(wid), "--format", "json", "--audience", "group", "--no-store"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["audience"] == "group"
    quotes = [quote for q in data["questions"] for quote in q["quotes"]]
    assert [q["pseudonym"] for q in quotes] == ["Deltager A", "Deltager B"]
    assert "podcast" in quotes[0]["text"]


def test_empty_workshop_summary_is_friendly(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from storage.db import Database
    from storage.open import run_with_database
    from storage.workshops import create_workshop

    async def make(db: Database) -> int:
        return (await create_workshop(db, org_name="HK", language="en", title="Quiet")).id

    wid = run_with_database(make)
    assert main(["summary", str(wid)]) == 0
    out = capsys.readouterr().out
    assert "No answers came in" in out


def test_accepting_adjustments_creates_next_plan_version(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dialogs.plan_adjustments import accept_adjustments
    from dialogs.plans import load_plan
    from storage.db import Database
    from storage.open import run_with_database
    from storage.plans import latest_plan_version

    path = tmp_path / "ws.vtt"
    path.write_text(VTT_1, encoding="utf-8")
    wid = _import(path, capsys, "--plan", "default", "--facilitator", "Mette Hansen", "--org", "HK")

    async def accept(db: Database) -> tuple[int, object]:
        record = await accept_adjustments(db, wid, author="tester")
        latest = await latest_plan_version(db, "default")
        assert latest is not None
        return record.version, load_plan(latest.text)

    version, plan = run_with_database(accept)
    assert version == 2
    q1 = plan.question("q1")  # type: ignore[attr-defined]
    assert "egen afdeling" in q1.text["da"]  # reworded after the silence


def test_forgetting_a_speaker_scrubs_the_stored_summary(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dialogs.transcript_import import speaker_id as _speaker_id
    from storage.db import Database
    from storage.open import run_with_database
    from storage.privacy import forget_user
    from storage.summaries import latest_summary

    path = tmp_path / "ws.vtt"
    path.write_text(VTT_1, encoding="utf-8")
    wid = _import(path, capsys, "--plan", "default", "--facilitator", "Mette Hansen", "--org", "HK")
    assert main(["summary", str(wid), "--format", "json"]) == 0  # stored as well
    stored = json.loads(capsys.readouterr().out)
    podcast_id = next(
        quote["answer_id"]
        for q in stored["questions"]
        for quote in q["quotes"]
        if "podcast" in quote["text"] and quote["pseudonym"] == "Deltager A"
    )
    assert isinstance(podcast_id, int)

    async def forget(db: Database) -> dict[str, object]:
        await forget_user(db, _speaker_id(path.name, "Jonas Berg"))
        record = await latest_summary(db, wid)
        assert record is not None
        return {"data": record.data, "markdown": record.markdown}

    after = run_with_database(forget)
    text = json.dumps(after, ensure_ascii=False)
    assert "Vi burde lave en podcast om opgaverne" not in text
    assert "Det er svært." not in text
    assert "Ved ikke" in text  # Sara's answer stays


def test_import_without_plan_keeps_everything_as_open_discussion(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "free.vtt"
    path.write_text(VTT_1, encoding="utf-8")
    assert main(["transcript", "import", str(path)]) == 2
    assert "--org NAME" in capsys.readouterr().err
    capsys.readouterr()
    assert main(["transcript", "import", str(path), "--org", "HK"]) == 0
    captured = capsys.readouterr()
    wid = int(captured.out.strip().splitlines()[-1])
    # The facilitator is the one who asks; the import says so, and how many runs it made.
    assert "facilitator: Mette Hansen (leads the meeting" in captured.err
    assert "2 question runs (0 from the plan, 2 ad hoc)" in captured.err
    assert main(["summary", str(wid), "--format", "json", "--no-store"]) == 0
    data = json.loads(capsys.readouterr().out)
    asked = [q["text"] for q in data["questions"]]
    assert len(asked) == 2 and "Hvad er HKs værdier?" in asked[0]
    assert "formidles effektfuldt" in asked[1]
    quotes = [(q["pseudonym"], q["text"]) for q in data["questions"][1]["quotes"]]
    assert ("Deltager A", "Vi burde lave en podcast om opgaverne.") in quotes
    assert data["open_discussion"] == []
    assert main(["summary", str(wid), "--no-store"]) == 0
    md = capsys.readouterr().out
    assert "hører ikke til en serie" in md
    assert "Mette" not in md and "Jonas" not in md


def test_series_report_shows_the_adjustments_that_were_made(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from dialogs.plan_adjustments import accept_adjustments
    from storage.open import run_with_database

    args = ("--series", "Loop", "--plan", "default", "--facilitator", "Mette Hansen", "--org", "HK")
    first = tmp_path / "ws1.vtt"
    first.write_text(VTT_1, encoding="utf-8")
    w1 = _import(first, capsys, *args)

    run_with_database(lambda db: accept_adjustments(db, w1, author="facilitator"))
    # The reworded question is asked in its new words next time.
    second = tmp_path / "ws2.vtt"
    second.write_text(
        VTT_2.replace(
            "Og så: Hvad er HKs værdier?",
            "Med udgangspunkt i din egen afdeling: Hvad er HKs værdier?",
        ),
        encoding="utf-8",
    )
    _import(second, capsys, *args)
    assert main(["summary", "--series", "Loop", "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    rows = report["rows"]
    assert [r["plan_version"] for r in rows] == [1, 2]
    assert "reword q1" in rows[1]["plan_changes"]
    assert "reword q1" in rows[0]["adjustments_made"]
    assert main(["summary", "--series", "Loop"]) == 0
    assert "reword q1 ✓" in capsys.readouterr().out


@pytest.fixture
def copenhagen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This machine's local zone is Danish time (a POSIX rule: no tz database needed)."""
    monkeypatch.setenv("TZ", "CET-1CEST,M3.5.0,M10.5.0/3")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _stored_times(
    wid: int,
) -> tuple[
    datetime | None, datetime | None, list[tuple[datetime, datetime | None]], dict[str, datetime]
]:
    """The workshop's start and end, its runs' (opened, closed) and answers' times by text."""
    from storage import answers, questions, workshops
    from storage.db import Database
    from storage.open import run_with_database

    async def read(db: Database) -> Any:
        w = await workshops.get_workshop(db, wid)
        runs = await questions.list_question_runs(db, wid)
        stored = await answers.answers_for_workshop(db, wid)
        return (
            w.started_at,
            w.ended_at,
            [(r.opened_at, r.closed_at) for r in runs],
            {a.text: a.created_at for a in stored},
        )

    return run_with_database(read)  # type: ignore[no-any-return]


def _import_with_date(
    path: Path, capsys: pytest.CaptureFixture[str], *extra: str
) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["transcript", "import", str(path), "--org", "HK", *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return int(captured.out.strip().splitlines()[-1]), captured.err


def test_docx_header_dates_the_workshop_its_runs_and_answers(
    any_database: str, copenhagen: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.analysis.test_transcript import ROWS, write_teams_docx

    path = write_teams_docx(tmp_path / "meeting.docx", ROWS)  # header: 2. marts 2026, 09:00AM
    wid, err = _import_with_date(path, capsys, "--plan", "default")
    assert "meeting date: 2026-03-02 09:00 CET (from the transcript's header)" in err
    start = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)  # 09:00 in Copenhagen
    started, ended, runs, answers = _stored_times(wid)
    assert started == start
    assert ended == start + timedelta(seconds=3730)  # the last utterance
    # Mette asks the question 3 s in; it stays open until the recording ends.
    assert runs == [(start + timedelta(seconds=3), start + timedelta(seconds=3730))]
    jonas = next(t for t in answers if t.startswith("Vi burde lave en podcast"))
    assert answers[jonas] == start + timedelta(seconds=40)
    assert answers["Enig, det er en god idé."] == start + timedelta(seconds=65)

    assert main(["summary", str(wid), "--format", "json", "--no-store"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["header"]["date"] == "2026-03-02"


def test_date_option_overrides_the_docx_header(
    database: str, copenhagen: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.analysis.test_transcript import ROWS, write_teams_docx

    path = write_teams_docx(tmp_path / "meeting.docx", ROWS)
    wid, err = _import_with_date(path, capsys, "--plan", "default", "--date", "2026-02-10T14:30")
    assert "meeting date: 2026-02-10 14:30 CET (from --date)" in err
    start = datetime(2026, 2, 10, 13, 30, tzinfo=UTC)
    started, _, runs, answers = _stored_times(wid)
    assert started == start
    assert runs[0][0] == start + timedelta(seconds=3)
    assert answers["Enig, det er en god idé."] == start + timedelta(seconds=65)


def test_vtt_takes_the_date_option_with_its_offset(
    database: str, copenhagen: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ws.vtt"
    path.write_text(VTT_1, encoding="utf-8")
    args = (
        "--plan",
        "default",
        "--facilitator",
        "Mette Hansen",
        "--date",
        "2026-06-01 10:00+00:00",
    )
    wid, err = _import_with_date(path, capsys, *args)
    assert "meeting date: 2026-06-01 10:00 UTC (from --date)" in err
    start = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
    started, ended, runs, answers = _stored_times(wid)
    assert started == start and ended == start + timedelta(seconds=290)
    # q1 at 3 s until q9 at 240 s, q9 until the end (290 s).
    assert runs == [
        (start + timedelta(seconds=3), start + timedelta(seconds=240)),
        (start + timedelta(seconds=240), start + timedelta(seconds=290)),
    ]
    assert answers["Det er svært."] == start + timedelta(seconds=160)


def test_vtt_without_a_date_ended_now(
    database: str, copenhagen: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "ws.vtt"
    path.write_text(VTT_1, encoding="utf-8")
    before = datetime.now(UTC)
    wid, err = _import_with_date(path, capsys, "--facilitator", "Mette Hansen")
    after = datetime.now(UTC)
    assert "(none given and the transcript states none: it ended now; give --date)" in err
    started, ended, _, answers = _stored_times(wid)
    assert started is not None and ended is not None
    assert before - timedelta(seconds=291) <= started <= after - timedelta(seconds=290)
    assert ended == started + timedelta(seconds=290) and ended <= after
    assert max(answers.values()) <= after


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("23/11/2026", "--date '23/11/2026' is not an ISO date"),
        ("i går", "--date 'i går' is not an ISO date"),
        ("2026-02-30T10:00", "--date '2026-02-30T10:00' is not an ISO date"),
        ("2099-01-01T10:00", "--date '2099-01-01T10:00': the meeting would end at 2099-01-01"),
    ],
    ids=["slashes", "words", "no-such-day", "future"],
)
def test_bad_date_option_names_it_and_stores_nothing(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, expected: str
) -> None:
    from storage.db import Database
    from storage.open import run_with_database
    from storage.workshops import list_workshops

    path = tmp_path / "ws.vtt"
    path.write_text(VTT_1, encoding="utf-8")
    capsys.readouterr()
    assert main(["transcript", "import", str(path), "--org", "HK", "--date", value]) == 2
    err = capsys.readouterr().err.strip()
    assert expected in err and len(err.splitlines()) == 2, err  # facilitator line + error

    async def count(db: Database) -> int:
        return len(await list_workshops(db))

    assert run_with_database(count) == 0


def test_a_header_date_in_the_future_is_refused(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    doc = Document()
    doc.add_paragraph("Workshop")
    doc.add_paragraph("23. november 2099 10.03")
    doc.add_paragraph("Mette Hansen   0:03")
    doc.add_paragraph("Velkommen.")
    doc.add_paragraph("Jonas Berg   0:10")
    doc.add_paragraph("Hej.")
    path = tmp_path / "future.docx"
    doc.save(str(path))
    capsys.readouterr()
    assert main(["transcript", "import", str(path), "--org", "HK"]) == 2
    err = capsys.readouterr().err
    assert "the transcript's header date 2099-11-23 10:03" in err and "--date" in err
    assert main(["transcript", "import", str(path), "--org", "HK", "--date", "2026-01-05"]) == 0
    assert "meeting date: 2026-01-05 00:00" in capsys.readouterr().err


def test_an_import_that_fails_half_way_stores_nothing(
    any_database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from sqlalchemy import func, select

    from storage._base import answer_t, event_t, participant_t, question_run_t, series_t, workshop_t
    from storage.db import Database
    from storage.errors import InvalidInput
    from storage.imports import ImportedAnswer, ImportedRun, MeetingImport, import_meeting
    from storage.open import run_with_database

    start = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    at = lambda s: start + timedelta(seconds=s)  # noqa: E731
    runs = [ImportedRun("q1", "Hvad er HKs værdier?", at(10), at(100), {"opened_offset": 12})]
    answers = [
        ImportedAnswer("transcript:a", "Det er svært.", at(20), "transcript:3:0", 0),
        ImportedAnswer("transcript:b", "Ved ikke.", at(30), "transcript:4:0", 0),
        # The third answer is refused only after the series, workshop, run, two
        # participants and two answers were written in the same transaction.
        ImportedAnswer("transcript:c", "x" * 5000, at(40), "transcript:5:0", 0),
    ]
    meeting = MeetingImport("HK", "da", "ws", start, at(120), runs, answers, series_name="Rollback")

    async def attempt(db: Database) -> dict[str, int]:
        with pytest.raises(InvalidInput, match="answer text"):
            await import_meeting(db, meeting)
        counts = {}
        async with db.transaction(write=False) as session:
            for table in (series_t, workshop_t, question_run_t, participant_t, answer_t, event_t):
                counts[table.name] = (
                    await session.execute(select(func.count()).select_from(table))
                ).scalar_one()
        return counts

    assert set(run_with_database(attempt).values()) == {0}

    async def succeed(db: Database) -> int:
        ok = MeetingImport(
            "HK", "da", "ws", start, at(120), runs, answers[:2], series_name="Rollback"
        )
        return await import_meeting(db, ok)

    wid = run_with_database(succeed)
    assert main(["summary", str(wid), "--format", "json", "--no-store"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["header"]["series"] == "Rollback" and data["header"]["number_in_series"] == 1
    assert [q["pseudonym"] for q in data["questions"][0]["quotes"]] == ["Deltager A", "Deltager B"]
    assert data["questions"][0]["first_answer_seconds"] == pytest.approx(8)


def test_a_thesis_style_voice_workshop_gets_its_question_runs(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.analysis.test_summary_voice import W2

    path = tmp_path / "w2.vtt"
    path.write_text(W2, encoding="utf-8")
    capsys.readouterr()
    assert main(["transcript", "import", str(path), "--plan", "default", "--org", "HK"]) == 0
    captured = capsys.readouterr()
    assert "facilitator: Bruger F (leads the meeting" in captured.err
    assert "2 question runs (2 from the plan, 0 ad hoc)" in captured.err
    wid = int(captured.out.strip().splitlines()[-1])
    assert main(["summary", str(wid), "--no-store"]) == 0
    md = capsys.readouterr().out
    assert "Ja så blev der meget stille." in md and "Nej, jeg kan ikke…" in md
    assert "Ingen spørgsmål mødte tavshed" not in md
    assert "Pointerne burde også rapporteres opad." in md
    assert "Per måned bruger HK mange penge på kurser." in md  # "bruger", "Per" intact
    assert "Åben snak" not in md


@pytest.mark.postgres
def test_kill_9_in_the_middle_of_an_import_leaves_nothing_behind(
    postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real ``kill -9`` of ``workshopbot transcript import`` while its transaction is
    writing (seen in pg_stat_activity): the server rolls it back, nothing is stored."""
    import asyncio
    import os
    import signal
    import subprocess
    import sys

    import asyncpg

    from tests.storage.dbutil import create_postgres_database, drop_postgres_database

    url = create_postgres_database(postgres_url, prefix="wsb_kill_import")
    monkeypatch.setenv("DATABASE_URL", url)
    try:
        assert main(["db", "upgrade"]) == 0
        lines = ["WEBVTT", ""]
        for i in range(20000):
            speaker = "Mette Hansen" if i % 40 == 0 else f"Deltager {i % 9}"
            said = (
                f"Hvordan kan viden fra kursus nummer {i} deles i afdelingen?"
                if speaker == "Mette Hansen"
                else f"Vi burde dele opgave {i} på intranettet og tale om den på møderne."
            )
            t = 3 * i
            lines += [
                f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}.000 --> "
                f"{t // 3600:02d}:{t // 60 % 60:02d}:{t % 60:02d}.900",
                f"<v {speaker}>{said}</v>",
                "",
            ]
        big = tmp_path / "big.vtt"
        big.write_text("\n".join(lines), encoding="utf-8")
        dsn = url.replace("postgresql+asyncpg://", "postgresql://")
        env = {**os.environ, "DATABASE_URL": url}
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from bot.cli import main; raise SystemExit(main())",
                "transcript",
                "import",
                str(big),
                "--org",
                "HK",
                "--date",
                "2026-01-05T10:00",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

        async def kill_while_writing() -> dict[str, int]:
            watcher = await asyncpg.connect(dsn)
            try:
                database = await watcher.fetchval("select current_database()")
                writing = False
                for _ in range(6000):  # up to 60 s
                    if process.poll() is not None:
                        break
                    writing = bool(
                        await watcher.fetchval(
                            "select count(*) from pg_stat_activity where datname = $1 and "
                            "pid <> pg_backend_pid() and xact_start is not null and "
                            "query ilike '%insert into answer%'",
                            database,
                        )
                    )
                    if writing:
                        process.send_signal(signal.SIGKILL)
                        break
                    await asyncio.sleep(0.01)
                process.wait(timeout=30)
                assert writing, "the import finished (or never wrote) before it could be killed"
                # The server notices the dropped connection and rolls the transaction back.
                for _ in range(500):
                    open_ = await watcher.fetchval(
                        "select count(*) from pg_stat_activity where datname = $1 and "
                        "pid <> pg_backend_pid() and xact_start is not null",
                        database,
                    )
                    if not open_:
                        break
                    await asyncio.sleep(0.02)
                return {
                    table: await watcher.fetchval(f"select count(*) from {table}")
                    for table in ("workshop", "question_run", "participant", "answer", "event")
                }
            finally:
                await watcher.close()

        counts = asyncio.run(kill_while_writing())
        assert process.returncode == -signal.SIGKILL
        assert set(counts.values()) == {0}, counts
    finally:
        drop_postgres_database(postgres_url, url)
