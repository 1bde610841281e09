from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from bot.cli import main


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["analyze", *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_analyze_writes_the_outputs_and_reports(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    code, stdout, _ = _run(
        [
            str(corpus_dir),
            "--out",
            str(out),
            "--meta",
            str(corpus_dir / "metadata.csv"),
            "--variable",
            "kind",
            "--seed",
            "3",
        ],
        capsys,
    )
    assert code == 0
    for name in (
        "network.png",
        "network-card.png",
        "network.svg",
        "network.gexf",
        "network.graphml",
        "terms.csv",
        "network.json",
    ):
        assert (out / name).is_file(), name
    assert "Analysed 3 documents (0 skipped)" in stdout
    assert "clusters" in stdout and "1. " in stdout
    assert "variable kind:" in stdout
    for stage in ("ingest", "terms", "network", "layout", "render", "export"):
        assert f"{stage} " in stdout
    data = json.loads((out / "network.json").read_text(encoding="utf-8"))
    assert data["parameters"]["seed"] == 3
    assert data["parameters"]["variable"] == "kind"


def test_stop_terms_and_synonyms_files(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stops = tmp_path / "stop.txt"
    stops.write_text("projekt\n", encoding="utf-8")
    synonyms = tmp_path / "syn.txt"
    synonyms.write_text("ledere = chefer\n", encoding="utf-8")
    out = tmp_path / "out"
    code, _, _ = _run(
        [
            str(corpus_dir / "hk-seks-pejlemaerker-2017.txt"),
            str(corpus_dir / "lederes-kompetencer-kortuddannede-2008.txt"),
            "--out",
            str(out),
            "--stop-terms",
            str(stops),
            "--synonyms",
            str(synonyms),
            "--unit",
            "document",
            "--weight",
            "jaccard",
            "--max-terms",
            "60",
        ],
        capsys,
    )
    assert code == 0
    rows = list(csv.DictReader((out / "terms.csv").open(encoding="utf-8-sig")))
    terms = [r["term"] for r in rows]
    assert len(rows) <= 60
    assert "projektet" not in terms and "projekt" not in terms
    assert "chefer" in terms


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--max-terms", "0"], "max_terms = 0 is invalid; it must be between 1 and 2000"),
        (
            ["--unit", "bogus"],
            "unit = 'bogus' is not valid; use one of document, paragraph, sentence",
        ),
        (["--weight", "x"], "weight = 'x' is not valid"),
        (["--lang", "sv"], "lang = 'sv' is not supported"),
        (["--stop-terms", "/no/such/file"], "--stop-terms /no/such/file: no such file"),
        (["--model", "xx_missing_model"], "spaCy model 'xx_missing_model' is not installed"),
    ],
    ids=["max-terms", "unit", "weight", "lang", "stop-terms", "model"],
)
def test_bad_input_is_one_line_with_exit_code_2(
    corpus_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    code, _, stderr = _run([str(corpus_dir), "--out", str(tmp_path / "o"), *args], capsys)
    assert code == 2
    lines = [line for line in stderr.splitlines() if "error" in line]
    assert len(lines) == 1
    assert lines[0].startswith("workshopbot analyze: error: ")
    assert message in lines[0]


def test_no_usable_documents(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, stderr = _run([str(empty), "--out", str(tmp_path / "o")], capsys)
    assert code == 2
    assert "error: no usable documents" in stderr


def test_missing_path(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, stderr = _run([str(tmp_path / "nope"), "--out", str(tmp_path / "o")], capsys)
    assert code == 2
    assert "nope" in stderr and "error" in stderr


def test_store_saves_the_map_in_the_database(
    corpus_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from storage.maps import get_map_by_name
    from storage.migrate import upgrade
    from storage.open import run_with_database

    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    code, stdout, _ = _run(
        [
            str(corpus_dir / "hk-seks-pejlemaerker-2017.txt"),
            "--out",
            str(tmp_path / "o"),
            "--store",
            "pejlemærker",
        ],
        capsys,
    )
    assert code == 0
    assert "Stored as map 'pejlemærker'" in stdout

    record = run_with_database(lambda db: get_map_by_name(db, "pejlemærker"), url=url)
    assert record.png == (tmp_path / "o" / "network.png").read_bytes()  # type: ignore[attr-defined]
    assert record.data["format"] == "workshopbot-network/1"  # type: ignore[attr-defined]
    code, _, stderr = _run(
        [
            str(corpus_dir / "hk-seks-pejlemaerker-2017.txt"),
            "--out",
            str(tmp_path / "o"),
            "--store",
            "pejlemærker",
        ],
        capsys,
    )
    assert code == 2 and "exists already" in stderr and "--replace" in stderr


def test_progress_bars_draw_one_bar_per_stage() -> None:
    import io

    from analysis.pipeline import run_analysis
    from bot.cli.analyze import ProgressBars
    from tests.analysis.map_fixtures import docs

    stream = io.StringIO()
    bars = ProgressBars(stream, enabled=True)
    run_analysis(docs("Lederen og medarbejderen.\n\nLederen og medarbejderen igen."), progress=bars)
    bars.close()
    text = stream.getvalue()
    for stage in ("ingest", "terms", "network", "layout"):
        assert stage in text
    assert "100%" in text
    quiet = io.StringIO()
    ProgressBars(quiet, enabled=False)("terms", 1, 2)
    assert quiet.getvalue() == ""


def test_keep_references_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "opgaver"
    folder.mkdir()
    for number in range(3):
        (folder / f"o{number}.txt").write_text(
            "Medarbejderne tager kurser, og lederen følger op på kurser.\n\n"
            "Litteraturliste\n\nIlleris, K. (2015). Læring. Samfundslitteratur.\n",
            encoding="utf-8",
        )

    def terms(*flags: str) -> list[str]:
        out = tmp_path / ("out" + "".join(flags))
        code, _, _ = _run([str(folder), "--out", str(out), *flags], capsys)
        assert code == 0
        rows = csv.DictReader((out / "terms.csv").open(encoding="utf-8-sig"))
        return [r["term"].casefold() for r in rows]

    assert not any("illeris" in term for term in terms())
    assert any("illeris" in term for term in terms("--keep-references"))


# --------------------------------------------------------------------------- languages


def test_analyze_reports_the_languages_it_found(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.analysis.language_material import ENGLISH_ANSWERS, THESIS_ABSTRACT, write_thesis_docx

    folder = tmp_path / "mixed"
    folder.mkdir()
    for path in corpus_dir.glob("*.txt"):
        (folder / path.name).write_bytes(path.read_bytes())
    write_thesis_docx(folder / "speciale.docx")
    (folder / "english-report.txt").write_text(
        "\n\n".join([*THESIS_ABSTRACT, *ENGLISH_ANSWERS]), encoding="utf-8"
    )
    code, stdout, _ = _run([str(folder), "--out", str(tmp_path / "o")], capsys)
    assert code == 0
    lines = stdout.splitlines()
    found = next(line for line in lines if line.startswith("Languages: "))
    assert found.startswith("Languages: 5 documents: 4 Danish, 1 English; ")
    assert "English paragraphs" in found and "in Danish documents" in found
    assert "Map in Danish (detected; --lang da or --lang en forces a language)." in lines
    assert any(line.startswith("  left out english-report.txt") for line in lines)
    assert any(line.startswith("  left out of the Danish map: ") for line in lines)
    assert "Analysed 4 documents" in stdout
    data = json.loads((tmp_path / "o" / "network.json").read_text(encoding="utf-8"))
    assert data["parameters"]["lang"] == "da"
    assert data["language"]["forced"] is False
    assert {d["id"]: d["on_map"] for d in data["language"]["documents"]}[
        "english-report.txt"
    ] is False

    code, stdout, _ = _run([str(folder), "--out", str(tmp_path / "f"), "--lang", "da"], capsys)
    assert code == 0
    assert "Map in Danish: forced with --lang da; every text is read as Danish." in stdout
    assert "English text is read as Danish too" in stdout
    assert "Analysed 5 documents" in stdout


def test_analyze_without_lang_maps_an_english_corpus_in_english(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.analysis.language_material import THESIS_ABSTRACT, THESIS_BLOCK_QUOTES

    folder = tmp_path / "english"
    folder.mkdir()
    for i, text in enumerate([*THESIS_ABSTRACT, *THESIS_BLOCK_QUOTES]):
        (folder / f"text{i}.txt").write_text(text + "\n\n" + text, encoding="utf-8")
    code, stdout, _ = _run([str(folder), "--out", str(tmp_path / "o")], capsys)
    assert code == 0
    assert "Languages: 4 documents: 4 English." in stdout
    assert "Map in English (detected" in stdout
    terms = [
        r["term"] for r in csv.DictReader((tmp_path / "o" / "terms.csv").open(encoding="utf-8-sig"))
    ]
    assert terms and not {"the", "of", "and", "that", "to"} & set(terms)


def test_analyze_refuses_a_german_folder_naming_german(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from tests.analysis.language_material import GERMAN_LONG

    folder = tmp_path / "deutsch"
    folder.mkdir()
    (folder / "bericht.txt").write_text(GERMAN_LONG + "\n\n" + GERMAN_LONG, encoding="utf-8")
    code, _, stderr = _run([str(folder), "--out", str(tmp_path / "o")], capsys)
    assert code == 2
    error = [line for line in stderr.splitlines() if "error" in line]
    assert len(error) == 1 and "1 German" in error[0] and "--lang da" in error[0]


def test_help_says_the_language_is_detected_and_how_to_force_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    for command in (["analyze", "--help"], ["transcript", "import", "--help"]):
        with pytest.raises(SystemExit):
            main(command)
        text = " ".join(capsys.readouterr().out.split())
        assert "detected" in text and "--lang" in text
