"""Reference sections (literature lists, references, source lists) are removed by default."""

from __future__ import annotations

from pathlib import Path

import docx
import pytest

from analysis.clean import (
    CleanOptions,
    clean_text,
    ends_reference_section,
    is_reference_heading,
)
from analysis.ingest import ingest
from analysis.pipeline import AnalysisOptions, run_analysis

BODY = (
    "Indledning\n\nOpgaven handler om kompetenceudvikling for medarbejdere.\n\n"
    "Konklusion\n\nLederen skal følge op på kurser.\n\n"
)
DANISH = (
    "Illeris, K. (2015). Læring. 3. udgave. Frederiksberg: Samfundslitteratur.\n\n"
    "Wahlgren, B. (2009). Transfer mellem uddannelse og arbejde. Gyldendal."
)
ENGLISH = (
    "Wenger, E. (1998). Communities of practice. Cambridge University Press.\n\n"
    "Kolb, D. A. (1984). Experiential learning. Prentice Hall."
)
AUTHORS = ("Illeris", "Wahlgren", "Samfundslitteratur", "Wenger", "Kolb", "Prentice")


def clean(text: str, **options: object):  # type: ignore[no-untyped-def]
    return clean_text([text], options=CleanOptions(**options))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("heading", "entries"),
    [
        ("Litteraturliste", DANISH),
        ("Litteratur", DANISH),
        ("Litteratur:", DANISH),
        ("LITTERATURFORTEGNELSE", DANISH),
        ("Referencer", DANISH),
        ("Kildeliste", DANISH),
        ("Anvendt litteratur", DANISH),
        ("Kilder og litteratur", DANISH),
        ("7. Litteraturliste", DANISH),
        ("7 Litteraturliste", DANISH),
        ("Bilag 3: Litteraturliste", DANISH),
        ("References", ENGLISH),
        ("Bibliography", ENGLISH),
        ("Reference list", ENGLISH),
        ("Works cited", ENGLISH),
    ],
)
def test_reference_sections_are_removed(heading: str, entries: str) -> None:
    result = clean(f"{BODY}{heading}\n\n{entries}")
    assert "kompetenceudvikling" in result.text and "følge op på kurser" in result.text
    assert heading not in result.text
    assert not any(name in result.text for name in AUTHORS)
    assert result.counts["reference_sections"] == 1
    assert result.counts["reference_lines"] == 3  # the heading and two entries
    assert result.counts["reference_words"] > 10
    (warning,) = [w for w in result.warnings if "reference section" in w]
    assert "keep_references" in warning and "3 lines" in warning
    assert "Illeris" not in warning  # counts, never the removed text


def test_keep_references_keeps_the_section() -> None:
    result = clean(f"{BODY}Litteraturliste\n\n{DANISH}", keep_references=True)
    assert "Litteraturliste" in result.text and "Illeris" in result.text
    assert not result.counts["reference_sections"]
    assert not any("reference" in w for w in result.warnings)


def test_an_appendix_after_the_references_is_kept() -> None:
    text = f"{BODY}7. Litteraturliste\n\n{DANISH}\n\nBilag 1\n\nSkema over kurser og forløb."
    result = clean(text)
    assert "Illeris" not in result.text and "Litteraturliste" not in result.text
    assert "Bilag 1" in result.text and "Skema over kurser og forløb." in result.text
    assert "up to the heading on line" in result.warnings[0]


@pytest.mark.parametrize(
    ("after", "kept"),
    [
        ("Noter\n\n1. Se kapitel 2.", ["Noter", "Se kapitel 2."]),
        ("Appendix A\n\nOur own survey form.", ["Appendix A", "Our own survey form."]),
        ("8. Handleplan\n\nVi starter i maj.", ["8. Handleplan", "Vi starter i maj."]),
        ("8 Opfølgning hos os\n\nVi starter i maj.", ["Opfølgning hos os", "Vi starter i maj."]),
        ("Refleksion\n\nJeg lærte meget.", []),  # a reflection section of its own
    ],
    ids=["notes", "appendix", "standard-heading", "next-numbered-heading", "reflection"],
)
def test_the_section_ends_at_the_next_heading_of_another_kind(after: str, kept: list[str]) -> None:
    result = clean(f"{BODY}7. Litteraturliste\n\n{DANISH}\n\n{after}")
    assert "Illeris" not in result.text and "Wahlgren" not in result.text
    assert all(k in result.text for k in kept)


def test_a_numbered_entry_does_not_end_a_numbered_section() -> None:
    entries = "8. Illeris K 2015 Læring\n\n9. Wenger E 1998 Communities of practice"
    result = clean(f"{BODY}7. Litteraturliste\n\n{entries}")
    assert "Illeris" not in result.text and "Wenger" not in result.text


def test_more_reference_sections_and_sub_headings() -> None:
    text = (
        f"{BODY}Litteratur\n\nBøger\n\n{DANISH}\n\nInternetkilder\n\n[url]\n\n"
        f"Bilag 2: Kildeliste\n\n{ENGLISH}\n\nBilag 3\n\nVores egen tjekliste."
    )
    result = clean(text)
    assert not any(name in result.text for name in AUTHORS)
    assert "Bøger" not in result.text and "Internetkilder" not in result.text
    assert "Vores egen tjekliste." in result.text
    assert result.counts["reference_sections"] == 2


@pytest.mark.parametrize(
    "line",
    [
        "I litteraturen ser man flere modeller for transfer.",
        "litteratur",  # a small letter: no heading
        "Litteraturen peger på, at ledere er vigtige for transfer af læring i hverdagen.",
        "Kilder: samtaler med kolleger og egne notater fra kurset i foråret.",
        "References to the literature are many.",
    ],
    ids=["running-text", "small-letter", "sentence", "label-with-text", "english-sentence"],
)
def test_a_mention_in_running_text_is_not_a_heading(line: str) -> None:
    result = clean(f"Tekst om kurser.\n\n{line}\n\nMere tekst om Illeris og transfer.")
    assert line in result.text and "Mere tekst om Illeris" in result.text
    assert not result.counts["reference_sections"]


def test_a_heading_followed_by_prose_is_still_removed() -> None:
    # The heading decides: a line that is only "Litteratur" starts a reference section,
    # whatever follows it (keep_references keeps it).
    prose = "Jeg har læst meget om læring. Det hjalp mig med at forstå mine kolleger."
    assert "forstå mine kolleger" not in clean(f"{BODY}Litteratur\n\n{prose}").text
    assert (
        "forstå mine kolleger" in clean(f"{BODY}Litteratur\n\n{prose}", keep_references=True).text
    )


def test_a_table_of_contents_entry_does_not_start_a_section() -> None:
    text = (
        "Indhold\n\n1. Indledning\n\n2. Litteraturliste\n\nForord\n\n"
        "Vores afdeling har arbejdet med transfer.\n\n"
        f"2. Litteraturliste\n\n{DANISH}"
    )
    result = clean(text)
    assert "Vores afdeling har arbejdet med transfer." in result.text
    assert "Illeris" not in result.text
    assert result.counts["reference_sections"] == 1


def test_a_pure_reading_list_leaves_nothing_and_is_skipped(tmp_path: Path) -> None:
    assert clean(f"Litteraturliste\n\n{DANISH}").text == ""
    (tmp_path / "liste.txt").write_text(f"Litteraturliste\n\n{DANISH}", encoding="utf-8")
    (tmp_path / "opgave.txt").write_text(BODY, encoding="utf-8")
    report = ingest([tmp_path])
    assert [s.path.name for s in report.skipped] == ["liste.txt"]
    assert "reference list" in report.skipped[0].reason
    assert "keep_references" in report.skipped[0].reason
    kept = ingest([tmp_path], clean_options=CleanOptions(keep_references=True))
    assert len(kept.documents) == 2


@pytest.mark.parametrize(
    ("line", "starts", "ends"),
    [
        ("Litteraturliste", True, False),
        ("5.1 Referencer:", True, False),
        ("Bilag 1", False, True),
        ("Konklusion", False, True),
        ("Refleksion", False, True),
        ("Illeris, K. (2015). Læring.", False, False),
    ],
)
def test_heading_predicates(line: str, starts: bool, ends: bool) -> None:
    assert is_reference_heading(line) is starts
    assert ends_reference_section(line) is ends


# --- Word documents --------------------------------------------------------------------


def write_docx(path: Path, *, hand_set: bool = False) -> Path:
    document = docx.Document()
    document.add_heading("Kompetenceudvikling i afdelingen", level=1)
    document.add_paragraph("Medarbejderne tager kurser, og lederen følger op.")
    if hand_set:
        document.add_paragraph("Litteraturliste").runs[0].bold = True
    else:
        document.add_heading("Litteraturliste", level=1)
    document.add_heading("Bøger", level=2)  # a lower level: still the list
    document.add_paragraph("Illeris, K. (2015). Læring. Samfundslitteratur.")
    document.add_paragraph("Wenger, E. (1998). Communities of practice.")
    # A heading of the same level that is no standard heading ends the section.
    document.add_heading("Vores egne skemaer", level=1)
    document.add_paragraph("Skemaet bruger vi hver måned.")
    document.save(str(path))
    return path


def test_docx_references_with_a_word_heading_style_are_removed(tmp_path: Path) -> None:
    (document,) = ingest([write_docx(tmp_path / "opgave.docx")]).documents
    for removed in ("Litteraturliste", "Bøger", "Illeris", "Samfundslitteratur", "Wenger"):
        assert removed not in document.text
    for kept in ("lederen følger op", "Vores egne skemaer", "Skemaet bruger vi"):
        assert kept in document.text
    (note,) = [w for w in document.warnings if "reference section" in w]
    assert "Word heading of its level" in note and "keep_references" in note


def test_docx_references_are_kept_on_request(tmp_path: Path) -> None:
    path = write_docx(tmp_path / "opgave.docx")
    report = ingest([path], clean_options=CleanOptions(keep_references=True))
    assert "Illeris" in report.documents[0].text and "Bøger" in report.documents[0].text


def test_docx_hand_set_reference_heading_is_removed_by_the_text_rule(tmp_path: Path) -> None:
    (document,) = ingest([write_docx(tmp_path / "opgave.docx", hand_set=True)]).documents
    assert "Illeris" not in document.text and "Litteraturliste" not in document.text
    # Without a style nothing says where a bold heading's section ends: to the end.
    assert "Skemaet bruger vi" not in document.text


def test_docx_that_is_only_a_reading_list_is_skipped(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Litteratur", level=1)
    document.add_paragraph("Illeris, K. (2015). Læring.")
    document.save(str(tmp_path / "liste.docx"))
    (tmp_path / "opgave.txt").write_text(BODY, encoding="utf-8")
    report = ingest([tmp_path])
    assert [s.path.name for s in report.skipped] == ["liste.docx"]
    assert "reference section" in report.skipped[0].reason
    assert "keep_references" in report.skipped[0].reason


# --- terms -----------------------------------------------------------------------------


def test_author_names_are_no_longer_terms(tmp_path: Path) -> None:
    texts = [
        "Medarbejderne tager kurser i kommunikation. Lederen følger op på kurserne.",
        "Transfer af læring kræver, at lederen følger op efter kurser.",
        "Kurser i kommunikation hjælper medarbejderne i hverdagen med borgerne.",
    ]
    for number, text in enumerate(texts):
        (tmp_path / f"opgave{number}.txt").write_text(
            f"{text}\n\nLitteraturliste\n\n{DANISH}\n\n{ENGLISH}\n", encoding="utf-8"
        )

    def labels(**options: bool) -> set[str]:
        result = run_analysis([tmp_path], options=AnalysisOptions(max_terms=100, **options))
        return {term.label.casefold() for term in result.terms}

    default = labels()
    assert "kursus" in default  # one-word terms are labelled by their base form
    for name in ("illeris", "wahlgren", "wenger", "kolb", "samfundslitteratur"):
        assert not any(name in label for label in default), (name, sorted(default))
    # The check can fail: with the list kept, the names are terms.
    assert any("illeris" in label for label in labels(keep_references=True))
