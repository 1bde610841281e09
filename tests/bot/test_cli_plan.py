"""`workshopbot plan`: validate, list, show, export, and import into a real SQLite database."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.cli import main
from dialogs.plans import (
    builtin_plan_text,
    copy_plan,
    dump_plan,
    get_builtin_plan,
    load_plan,
    move_question,
)

BAD = textwrap.dedent(
    """\
    id: bad
    name: Dårlig
    languages: [da, en]
    phases:
      - id: values
        title: {da: Værdier, en: Values}
    questions:
      - id: q1
        phase: valuez
        text:
          da: Hvad er {org}s værdier?
      - id: q1
        phase: values
        kind: scale
        time_box: 5 minutter
        text: {da: "{orgg}", en: b}
    """
)


@pytest.fixture
def bad_file(tmp_path: Path) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(BAD, encoding="utf-8")
    return path


@pytest.fixture
def good_file(tmp_path: Path) -> Path:
    path = tmp_path / "good.yaml"
    path.write_text(builtin_plan_text("default"), encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def no_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point DATABASE_URL at a file that does not exist, so no test sees a developer's database."""
    url = f"sqlite:///{tmp_path / 'absent' / 'none.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


# -- validate -----------------------------------------------------------------------------


def test_validate_ok(good_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "validate", str(good_file)]) == 0
    assert capsys.readouterr().out.strip() == f"{good_file}: OK: 14 questions, languages da, en"


def test_validate_prints_every_error_with_file_line_and_location(
    bad_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "validate", str(bad_file)]) == 2
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines == [
        f"{bad_file}:9: questions[0].phase: \"valuez\" is not a phase (did you mean 'values'?); "
        "phases are values",
        f"{bad_file}:10: questions[0].text.en: missing (the plan declares languages da, en)",
        f'{bad_file}:12: questions[1].id: "q1" is used twice (also questions[0]); question ids '
        "must be unique",
        f"{bad_file}:12: questions[1].options: missing; a scale question needs its options (per "
        "language, or options: five-point for the five-point scale)",
        f"{bad_file}:15: questions[1].time_box: '5 minutter' is not a time box; write minutes and "
        "seconds like 5m, 90s or 1m30s, or a whole number of seconds",
        f"{bad_file}:16: questions[1].text.da: unknown placeholder {{orgg}}; the only placeholder "
        "is {org}",
    ]


def test_validate_several_files_fails_if_any_fails(
    good_file: Path, bad_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "missing.yaml"
    assert main(["plan", "validate", str(good_file), str(bad_file), str(missing)]) == 2
    captured = capsys.readouterr()
    assert f"{good_file}: OK: 14 questions" in captured.out
    assert f"{missing}: cannot read" in captured.out
    assert "2 of 3 files have problems" in captured.err


def test_validate_reads_stdin(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO(builtin_plan_text("after-course")))
    assert main(["plan", "validate", "-"]) == 0
    assert "-: OK: 3 questions, languages da, en" in capsys.readouterr().out


def test_validate_through_the_console_script(bad_file: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "plan", "validate", str(bad_file)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert f"{bad_file}:9: questions[0].phase:" in proc.stdout
    assert "Traceback" not in proc.stderr


# -- list, show, export (built-in) ------------------------------------------------------------


def test_list_shows_every_builtin_plan(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "list"]) == 0
    out = capsys.readouterr().out
    for plan_id in ("default", "adjusted", "funktionskaede", "after-course", "network-meeting"):
        assert plan_id in out
    assert "Standardplan" in out
    assert main(["plan", "list", "--json", "--lang", "en"]) == 0
    rows = json.loads(capsys.readouterr().out)
    default = next(r for r in rows if r["id"] == "default")
    assert default == {
        "id": "default",
        "source": "built-in",
        "version": None,
        "name": "Default plan (the method's order)",
        "questions": 14,
        "languages": ["da", "en"],
    }


def test_list_does_not_create_a_database(no_database: str, tmp_path: Path) -> None:
    assert main(["plan", "list"]) == 0
    assert not (tmp_path / "absent").exists()


def test_show_renders_the_questions_for_an_organisation(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "show", "default", "--org", "HK", "--lang", "da"]) == 0
    out = capsys.readouterr().out
    assert "(q1) Hvad er HKs værdier?" in out
    assert "Konkret praksis" in out
    assert "{org}" not in out
    assert main(["plan", "show", "after-course", "--lang", "en"]) == 0
    assert "- To a very low degree" in capsys.readouterr().out


def test_export_builtin_to_stdout_and_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "export", "adjusted"]) == 0
    assert capsys.readouterr().out == builtin_plan_text("adjusted")
    out = tmp_path / "adjusted.yaml"
    assert main(["plan", "export", "adjusted", "--out", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == builtin_plan_text("adjusted")
    assert load_plan(out) == get_builtin_plan("adjusted")


def test_export_unknown_plan_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["plan", "export", "defualt"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "there is no plan 'defualt'; built-in plans are default, adjusted" in err[0]


# -- import and export through a real SQLite database -------------------------------------------


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    storage_migrate = pytest.importorskip("storage.migrate")
    url = f"sqlite:///{tmp_path / 'workshopbot.sqlite3'}"
    storage_migrate.upgrade(url)
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def _stored_rows(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    capsys.readouterr()
    assert main(["plan", "list", "--json"]) == 0
    return [r for r in json.loads(capsys.readouterr().out) if r["source"] == "stored"]


def test_import_then_export_round_trips_versions(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    plan = move_question(
        copy_plan(get_builtin_plan("default"), new_id="hk-2026", new_name="HK 2026"),
        "q0b",
        before="q0",
    )
    first = tmp_path / "hk-2026.yaml"
    first.write_text("# our own plan\n" + dump_plan(plan), encoding="utf-8")
    assert main(["plan", "import", str(first), "--author", "Anna", "--note", "first"]) == 0
    assert "stored plan hk-2026 version 1: 14 questions" in capsys.readouterr().out

    second = tmp_path / "hk-2026-v2.yaml"
    second.write_text(dump_plan(move_question(plan, "q12", to_index=0)), encoding="utf-8")
    assert main(["plan", "import", str(second), "--name", "HK efterår"]) == 0
    assert "version 2" in capsys.readouterr().out

    assert main(["plan", "export", "hk-2026"]) == 0
    assert capsys.readouterr().out == second.read_text(encoding="utf-8")
    exported = tmp_path / "v1.yaml"
    assert main(["plan", "export", "hk-2026", "--version", "1", "--out", str(exported)]) == 0
    assert exported.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
    assert load_plan(exported) == plan, "the stored text keeps the plan exactly"

    rows = _stored_rows(capsys)
    assert rows == [
        {
            "id": "hk-2026",
            "source": "stored",
            "version": 2,
            "name": "HK efterår",
            "questions": 14,
            "languages": ["da", "en"],
        }
    ]
    assert main(["plan", "export", "hk-2026", "--version", "7"]) == 2
    assert "has no version 7; it has versions 1, 2" in capsys.readouterr().err


def test_import_of_an_invalid_plan_stores_nothing(
    database: str, bad_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["plan", "import", str(bad_file)]) == 2
    err = capsys.readouterr().err
    assert f"{bad_file}:9: questions[0].phase:" in err
    assert "6 problem(s) (listed above); nothing was stored" in err
    assert _stored_rows(capsys) == []


def test_stored_plan_with_a_builtin_id_is_exported_unless_builtin_is_asked(
    database: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    changed = move_question(get_builtin_plan("default"), "q12", to_index=0)
    path = tmp_path / "default.yaml"
    path.write_text(dump_plan(changed), encoding="utf-8")
    assert main(["plan", "import", str(path)]) == 0
    assert "used instead of the built-in plan" in capsys.readouterr().out
    assert main(["plan", "export", "default"]) == 0
    assert load_plan(capsys.readouterr().out) == changed
    assert main(["plan", "export", "default", "--builtin"]) == 0
    assert capsys.readouterr().out == builtin_plan_text("default")
    assert main(["plan", "show", "default", "--org", "HK"]) == 0
    assert "1. (q12) Hvordan kan HKs udfordringer" in capsys.readouterr().out


def test_import_into_a_database_without_tables_says_how_to_fix_it(
    tmp_path: Path,
    good_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    pytest.importorskip("storage.db")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    assert main(["plan", "import", str(good_file)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("workshopbot plan: error:")
    assert "workshopbot db upgrade" in err[-1]


def test_an_unreachable_database_is_one_line_not_a_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("storage.db")
    # Port 9 on loopback: nothing listens there, so the connection is refused at once.
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres:secret@127.0.0.1:9/none")
    assert main(["plan", "export", "hk-2026"]) == 2
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert err.startswith("workshopbot plan: error: cannot use the database postgresql://")
    assert "secret" not in err and "check DATABASE_URL" in err
    assert main(["plan", "list"]) == 0
    captured = capsys.readouterr()
    assert "stored plans not listed" in captured.err
    assert "default" in captured.out


def test_plan_owner_shows_and_sets_who_may_change_a_plan(
    database: str, good_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An imported plan has no owner (operators only) unless given one; `plan owner` shows
    the owners and every version with its author, and sets them."""
    assert main(["plan", "import", str(good_file), "--author", "Ops", "--note", "start"]) == 0
    capsys.readouterr()
    assert main(["plan", "owner", "default"]) == 0
    out = capsys.readouterr().out
    assert "owner: (none: operators only)" in out and "v1 " in out and "Ops: start" in out
    assert main(["plan", "owner", "default", "--owner", "29:anna", "--co-owner", "29:bo"]) == 0
    out = capsys.readouterr().out
    assert "owner: 29:anna" in out and "co-owners: 29:bo" in out
    assert main(["plan", "owner", "default", "--no-owner"]) == 0
    assert "owner: (none" in capsys.readouterr().out
    assert main(["plan", "owner", "nope"]) == 2
    assert "no stored plan 'nope'" in capsys.readouterr().err


def test_series_owner_shows_and_sets_who_may_add_workshops(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    import asyncio

    from storage.db import Database
    from storage.series import create_series

    async def make() -> None:
        db = Database.from_url(database)
        try:
            await create_series(db, "HK 2026")  # as from before owners: none
        finally:
            await db.dispose()

    asyncio.run(make())
    assert main(["series", "list"]) == 0
    assert "HK 2026\towner: (none: operators only)" in capsys.readouterr().out
    assert main(["series", "owner", "HK 2026", "--owner", "29:anna", "--co-owner", "29:bo"]) == 0
    assert "owner: 29:anna\tco-owners: 29:bo" in capsys.readouterr().out
    assert main(["series", "owner", "1", "--no-owner"]) == 0
    assert "owner: (none" in capsys.readouterr().out
    assert main(["series", "owner", "Ukendt"]) == 2
    assert "no series 'Ukendt'" in capsys.readouterr().err
