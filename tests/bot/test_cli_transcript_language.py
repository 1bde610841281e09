"""`workshopbot transcript import` without --lang: the participants' speech decides (issue 18).

Real WebVTT files, a real SQLite database (migrated with `workshopbot db upgrade`) and the
real summary: an English meeting imported without --lang gives the same summary as with
--lang en; a German one is refused with a message naming German; a Danish one stays Danish.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main

ENGLISH_VTT = """WEBVTT

00:00:03.000 --> 00:00:12.000
<v Karen Miles>Welcome, everyone. First question: how can the knowledge from our courses be shared effectively?</v>

00:00:30.000 --> 00:00:41.000
<v Tom Reed>I think we should hold after-work meetings where the people who took a course present what they learned.</v>

00:00:45.000 --> 00:00:55.000
<v Priya Shah>I agree with Tom, after-work meetings would work, and we could record them for those who cannot come.</v>

00:01:00.000 --> 00:01:12.000
<v Lars Holm>We should also put the written assignments on the intranet so that colleagues can read them.</v>

00:02:00.000 --> 00:02:08.000
<v Karen Miles>Next question: what are the values of the organisation?</v>

00:02:30.000 --> 00:02:36.000
<v Tom Reed>That is hard to say. I am not sure we agree on them.</v>

00:02:40.000 --> 00:02:52.000
<v Priya Shah>For me it is solidarity and that we take care of each other when the work gets busy.</v>
"""

GERMAN_VTT = """WEBVTT

00:00:03.000 --> 00:00:12.000
<v Karin Müller>Willkommen. Erste Frage: Wie kann das Wissen aus unseren Kursen wirksam geteilt werden?</v>

00:00:30.000 --> 00:00:41.000
<v Thomas Weber>Ich finde, wir sollten Treffen nach Feierabend machen, bei denen die Kollegen erzählen, was sie gelernt haben.</v>

00:00:45.000 --> 00:00:55.000
<v Anna Schmidt>Das sehe ich auch so, und wir könnten die Treffen aufnehmen für alle, die nicht kommen können.</v>

00:01:00.000 --> 00:01:12.000
<v Jonas Becker>Wir sollten auch die schriftlichen Arbeiten ins Intranet stellen, damit die Kollegen sie lesen können.</v>
"""

DANISH_VTT = """WEBVTT

00:00:03.000 --> 00:00:09.000
<v Mette Hansen>Velkommen. Spørgsmålet er: Hvordan kan den viden formidles effektfuldt?</v>

00:00:30.000 --> 00:00:40.000
<v Ali Khan>Vi skal holde fyraftensmøder, hvor forfatterne fortæller om opgaverne.</v>

00:00:45.000 --> 00:00:55.000
<v Jonas Berg>Jeg bakker op om fyraftensmøder, de giver opfølgning.</v>

00:01:00.000 --> 00:01:10.000
<v Sara Lind>Good idea, but who is going to pay for the cake?</v>
"""

ARGS = ("--plan", "default", "--org", "HK", "--date", "2026-11-02T10:00+01:00")


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'wb.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0
    return url


def _import(path: Path, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["transcript", "import", str(path), *ARGS, *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    return int(captured.out.strip().splitlines()[-1]), captured.err


def _summary(workshop: int, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    assert main(["summary", str(workshop), "--format", "json", "--no-store"]) == 0
    return dict(json.loads(capsys.readouterr().out))


def _without_ids(value: Any) -> Any:
    """The summary with database ids left out (two imports get different ids)."""
    if isinstance(value, dict):
        return {
            k: _without_ids(v)
            for k, v in value.items()
            if not (k.endswith("_id") or k.endswith("_ids"))
        }
    if isinstance(value, list):
        return [_without_ids(v) for v in value]
    return value


def test_an_english_transcript_without_lang_gives_the_summary_of_lang_en(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "meeting.vtt"
    path.write_text(ENGLISH_VTT, encoding="utf-8")
    detected, err = _import(path, capsys)
    assert "language: English (detected from the participants' speech" in err
    forced, _ = _import(path, capsys, "--lang", "en")
    assert forced != detected
    first = _summary(detected, capsys)
    second = _summary(forced, capsys)
    assert first["lang"] == "en"
    assert _without_ids(first) == _without_ids(second)
    # The summary is English all through: English pseudonyms, English plan questions.
    quotes = [q for section in first["questions"] for q in section["quotes"]]
    assert quotes and all(q["pseudonym"].startswith("Participant") for q in quotes)
    assert "Tom" not in json.dumps(first)


def test_a_german_transcript_is_refused_naming_german(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "besprechung.vtt"
    path.write_text(GERMAN_VTT, encoding="utf-8")
    capsys.readouterr()
    assert main(["transcript", "import", str(path), *ARGS]) == 2
    err = capsys.readouterr().err
    message = err.strip().splitlines()[-1]
    assert "besprechung.vtt" in message and "German" in message
    assert "Danish and English" in message and "--lang" in message
    assert "Traceback" not in err
    # Nothing was stored: the summary of workshop 1 does not exist.
    assert main(["summary", "1"]) == 2
    capsys.readouterr()
    # Forced, it is imported as the user says.
    wid, _ = _import(path, capsys, "--lang", "da")
    assert _summary(wid, capsys)["lang"] == "da"


def test_a_danish_transcript_with_an_english_remark_stays_danish(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "moede.vtt"
    path.write_text(DANISH_VTT, encoding="utf-8")
    wid, err = _import(path, capsys)
    assert "language: Danish" in err
    data = _summary(wid, capsys)
    assert data["lang"] == "da"
    quotes = [q for section in data["questions"] for q in section["quotes"]]
    assert any("Good idea" in q["text"] for q in quotes)  # stored and quoted verbatim
    assert all(q["pseudonym"].startswith("Deltager") for q in quotes)
