"""Ingest on real files written by the tests (TXT, MD, DOCX, PDF) and on the sample corpus."""

from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import docx
import pytest
from docx.enum.style import WD_STYLE_TYPE
from matplotlib.figure import Figure
from pypdf import PdfReader, PdfWriter

from analysis.clean import CleanOptions
from analysis.documents import IngestReport
from analysis.errors import NoUsableDocuments, UnreadableInput
from analysis.ingest import ingest, read_metadata

# --- files the tests write -------------------------------------------------------------


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal valid PDF with one Helvetica text line per entry (WinAnsi: æøå work)."""
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    content_ids = []
    for lines in pages:
        ops = [b"BT /F1 11 Tf 14 TL 72 770 Td"]
        for line in lines:
            escaped = (
                line.encode("cp1252")
                .replace(b"\\", b"\\\\")
                .replace(b"(", b"\\(")
                .replace(b")", b"\\)")
            )
            ops.append(b"(" + escaped + b") Tj T*")
        ops.append(b"ET")
        stream = b"\n".join(ops)
        content_ids.append(
            add(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        )
    first_page = len(objects) + 1
    pages_id = first_page + len(pages)
    for content in content_ids:
        add(
            b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>"
            % (pages_id, font, content)
        )
    kids = b" ".join(b"%d 0 R" % (first_page + i) for i in range(len(pages)))
    add(b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % len(pages))
    catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        catalog,
        xref,
    )
    return bytes(out)


REPORT_PAGES = [
    [
        "Rapport om efteruddannelse i HK",
        "Kompetenceudvikling er vigtig for alle medarbejdere, og",
        "lederne skal følge op på kurser og virksomhe-",
        "dernes mål. Kontakt hanne@hk.dk for mere.",
        "Side 1",
    ],
    [
        "Rapport om efteruddannelse i HK",
        "Transfer af viden sker sjældent uden opfølgning.",
        "Medarbejderne ønsker sparring efter forløbet.",
        "Side 2",
    ],
    [
        "Rapport om efteruddannelse i HK",
        "Refleksion",
        "Jeg var personligt utilfreds med min chef Hanne Jensen.",
        "Side 3",
    ],
]


def write_report_pdf(path: Path) -> Path:
    path.write_bytes(make_pdf(REPORT_PAGES))
    return path


def write_encrypted_pdf(path: Path) -> Path:
    reader = PdfReader(io.BytesIO(make_pdf(REPORT_PAGES)))
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="hemmelig", owner_password="ejer")
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def write_image_pdf(path: Path) -> Path:
    """A PDF whose only page is a picture: matplotlib draws an image and no text."""
    figure = Figure(figsize=(2, 2))
    axes = figure.add_axes((0, 0, 1, 1))
    axes.imshow([[0, 1], [1, 0]])
    axes.set_axis_off()
    figure.savefig(path, format="pdf")
    return path


def write_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_heading("Opgave om kompetenceudvikling", level=1)
    document.add_paragraph("Medarbejdere i HK tager kurser på akademiniveau.")
    document.add_paragraph("Ring til 23 45 67 89 for at høre mere.")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "Niveau"
    table.cell(0, 1).text = "Fag"
    table.cell(1, 0).text = "Diplom"
    table.cell(1, 1).text = "Ledelse og organisation"
    merged = document.add_table(rows=1, cols=2)
    merged.cell(0, 0).merge(merged.cell(0, 1))
    merged.cell(0, 0).text = "Fælles celle"
    document.add_heading("Refleksion", level=1)
    document.add_paragraph("Min personlige oplevelse var svær.")
    document.add_heading("Litteraturliste", level=1)
    document.add_paragraph("Wahlgren (2009).")
    document.save(str(path))
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder with one of each readable kind, one unreadable of each kind, and noise."""
    root = tmp_path / "opgaver"
    (root / "akademi").mkdir(parents=True)
    (root / "akademi" / "a.txt").write_text(
        "Ledere og medarbejdere taler om efteruddannelse.\n", encoding="utf-8"
    )
    (root / "b.md").write_text(
        "# Overskrift\n\nEn **vigtig** tekst om [transfer](https://x.dk/y) og læring.\n",
        encoding="utf-8",
    )
    write_docx(root / "c.docx")
    write_report_pdf(root / "d.pdf")
    write_encrypted_pdf(root / "e-krypteret.pdf")
    write_image_pdf(root / "f-scannet.pdf")
    (root / "g-tom.txt").write_bytes(b"")
    (root / "h-i-stykker.docx").write_bytes(b"PK\x03\x04 not really a zip")
    (root / "i-i-stykker.pdf").write_bytes(b"%PDF-1.4\ngarbage")
    (root / "noter.csv").write_text("ignored,file\n", encoding="utf-8")
    (root / "billede.png").write_bytes(b"\x89PNG")
    (root / ".skjult.txt").write_text("hidden", encoding="utf-8")
    (root / "~$c.docx").write_bytes(b"lock")
    (root / "README.md").write_text("Om mappen.", encoding="utf-8")
    return root


@pytest.fixture
def report(folder: Path) -> IngestReport:
    return ingest([folder])


# --- reading each format ---------------------------------------------------------------


def test_reads_every_supported_format_in_sorted_order(report: IngestReport) -> None:
    assert [d.id for d in report.documents] == ["akademi/a.txt", "b.md", "c.docx", "d.pdf"]
    assert all(d.path is not None and d.path.is_file() for d in report.documents)


def test_skips_unusable_files_with_a_reason(folder: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="analysis.ingest"):
        report = ingest([folder])
    reasons = {item.path.name: item.reason for item in report.skipped}
    assert set(reasons) == {
        "e-krypteret.pdf",
        "f-scannet.pdf",
        "g-tom.txt",
        "h-i-stykker.docx",
        "i-i-stykker.pdf",
    }
    assert "encrypted" in reasons["e-krypteret.pdf"]
    assert "no extractable text" in reasons["f-scannet.pdf"]
    assert "empty" in reasons["g-tom.txt"]
    assert "Word" in reasons["h-i-stykker.docx"]
    assert "PDF" in reasons["i-i-stykker.pdf"]
    for name in reasons:
        assert any(name in record.getMessage() for record in caplog.records)


def test_ignores_other_files_in_folders_silently(report: IngestReport) -> None:
    names = {d.id for d in report.documents} | {s.path.name for s in report.skipped}
    assert not names & {"noter.csv", "billede.png", ".skjult.txt", "~$c.docx", "README.md"}


def test_a_named_file_of_another_type_is_skipped_with_a_reason(tmp_path: Path) -> None:
    good = tmp_path / "ok.txt"
    good.write_text("Tekst om kurser.", encoding="utf-8")
    other = tmp_path / "tal.xlsx"
    other.write_bytes(b"PK")
    report = ingest([good, other])
    assert [s.path.name for s in report.skipped] == ["tal.xlsx"]
    assert ".xlsx" in report.skipped[0].reason


def test_a_named_readme_is_read(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("Tekst om kurser.", encoding="utf-8")
    assert [d.id for d in ingest([readme]).documents] == ["README.md"]


def test_pdf_pages_lose_headers_and_page_numbers_and_keep_text(report: IngestReport) -> None:
    text = next(d for d in report.documents if d.id == "d.pdf").text
    assert "Rapport om efteruddannelse" not in text
    assert not re.search(r"Side \d", text)
    assert "virksomhedernes mål" in text
    assert "Transfer af viden" in text


def test_pdf_reflection_and_personal_data_are_removed(report: IngestReport) -> None:
    document = next(d for d in report.documents if d.id == "d.pdf")
    assert "utilfreds" not in document.text and "Hanne" not in document.text
    assert "hanne@hk.dk" not in document.text and "[e-mail]" in document.text
    assert any("reflection" in w for w in document.warnings)


def test_docx_paragraphs_tables_and_headings(report: IngestReport) -> None:
    text = next(d for d in report.documents if d.id == "c.docx").text
    paragraphs = text.split("\n\n")
    assert paragraphs[0] == "Opgave om kompetenceudvikling"
    assert "Medarbejdere i HK tager kurser på akademiniveau." in paragraphs
    assert {"Niveau", "Fag", "Diplom", "Ledelse og organisation"} <= set(paragraphs)
    assert paragraphs.count("Fælles celle") == 1
    assert "[telefon]" in text and "23 45" not in text
    assert "svær" not in text  # the reflection section
    assert "Wahlgren" not in text and "Litteraturliste" not in text  # the reference section


def test_markdown_syntax_is_removed(report: IngestReport) -> None:
    text = next(d for d in report.documents if d.id == "b.md").text
    assert text == "Overskrift\n\nEn vigtig tekst om transfer og læring."


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("Kursus i ledelse og læring på Århus.".encode(), "Kursus i ledelse og læring på Århus."),
        (b"\xef\xbb\xbf" + "Åbent kursus.".encode(), "Åbent kursus."),
        (
            "Kursus i ledelse – ÆØÅ æøå “citat”.".encode("cp1252"),
            'Kursus i ledelse – ÆØÅ æøå "citat".',
        ),
        ("\ufeffKursus på UTF-16.".encode("utf-16"), "Kursus på UTF-16."),
        (b"Linje et\r\nlinje to.\r\n", "Linje et linje to."),
    ],
    ids=["utf-8", "utf-8-bom", "windows-1252", "utf-16", "crlf"],
)
def test_text_encodings(tmp_path: Path, data: bytes, expected: str) -> None:
    file = tmp_path / "opgave.txt"
    file.write_bytes(data)
    (document,) = ingest([file]).documents
    assert document.text == expected


def test_binary_txt_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("Tekst.", encoding="utf-8")
    (tmp_path / "binær.txt").write_bytes(b"\x00\x01\x02" * 100)
    report = ingest([tmp_path])
    assert [s.path.name for s in report.skipped] == ["binær.txt"]
    assert "binary" in report.skipped[0].reason


def test_a_document_that_is_all_reflection_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("Tekst om kurser.", encoding="utf-8")
    (tmp_path / "refl.txt").write_text("Refleksion\n\nJeg lærte meget.", encoding="utf-8")
    report = ingest([tmp_path])
    assert [s.path.name for s in report.skipped] == ["refl.txt"]
    assert "reflection" in report.skipped[0].reason
    kept = ingest([tmp_path], clean_options=CleanOptions(keep_reflection=True))
    assert len(kept.documents) == 2


def test_clean_options_reach_every_document(folder: Path) -> None:
    report = ingest(
        [folder],
        clean_options=CleanOptions(redact_names=["Ledere", "Medarbejdere"], lang="en"),
    )
    text = next(d for d in report.documents if d.id == "akademi/a.txt").text
    assert text == "[name] og [name] taler om efteruddannelse."


def test_progress_counts_up_to_the_total(folder: Path) -> None:
    calls: list[tuple[int, int]] = []
    ingest([folder], progress=lambda done, total: calls.append((done, total)))
    totals = {total for _, total in calls}
    assert len(totals) == 1
    total = totals.pop()
    assert [done for done, _ in calls] == list(range(1, total + 1))
    assert total == 2 * 9  # nine candidate files, read and cleaned


def test_same_input_gives_same_output(folder: Path) -> None:
    assert ingest([folder]) == ingest([folder])


def test_a_file_given_twice_is_read_once(folder: Path) -> None:
    report = ingest([folder, folder / "b.md"])
    assert [d.id for d in report.documents].count("b.md") == 1


def test_same_names_in_two_folders_get_distinct_ids(tmp_path: Path) -> None:
    for name in ("x", "y"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "opgave.txt").write_text(f"Tekst {name}.", encoding="utf-8")
    ids = [d.id for d in ingest([tmp_path / "x", tmp_path / "y"]).documents]
    assert len(set(ids)) == 2 and ids[0] == "opgave.txt"


# --- failures --------------------------------------------------------------------------


def test_missing_path_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "findes-ikke"
    with pytest.raises(UnreadableInput, match="findes-ikke"):
        ingest([missing])


def test_no_input_is_refused() -> None:
    with pytest.raises(UnreadableInput, match="no input"):
        ingest([])


def test_nothing_usable_says_how_many_and_why(tmp_path: Path) -> None:
    write_encrypted_pdf(tmp_path / "a.pdf")
    (tmp_path / "b.txt").write_bytes(b"  \n")
    with pytest.raises(NoUsableDocuments) as raised:
        ingest([tmp_path])
    message = str(raised.value)
    assert "looked at 2 file(s)" in message
    assert "a.pdf: encrypted" in message and "b.txt: empty file" in message


def test_a_folder_without_documents_is_no_usable_documents(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("a,b\n", encoding="utf-8")
    with pytest.raises(NoUsableDocuments, match=r"no \.txt, \.md, \.docx or \.pdf"):
        ingest([tmp_path])


def test_pdf_with_empty_password_is_read(tmp_path: Path) -> None:
    reader = PdfReader(io.BytesIO(make_pdf(REPORT_PAGES)))
    writer = PdfWriter()
    for page in reader.pages:
        writer.add_page(page)
    writer.encrypt(user_password="", owner_password="ejer")
    path = tmp_path / "begrænset.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    (document,) = ingest([path]).documents
    assert "Transfer af viden" in document.text


def test_pdf_with_some_empty_pages_warns(tmp_path: Path) -> None:
    path = tmp_path / "blandet.pdf"
    path.write_bytes(make_pdf([["Tekst om kurser og ledere."], [], ["Mere tekst om transfer."]]))
    (document,) = ingest([path]).documents
    assert "kurser" in document.text and "transfer" in document.text
    assert any("1 of 3 PDF pages have no text" in w for w in document.warnings)


# --- metadata --------------------------------------------------------------------------


def test_metadata_joins_on_base_name_and_relative_path(
    folder: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    meta = tmp_path / "meta.csv"
    meta.write_text(
        "fil,niveau,afdeling\n"
        "akademi/a.txt,Akademi,HR\n"
        "c.docx,Diplom,IT\n"
        "d,Master,Politik\n"
        "findes-ikke.pdf,Fagprøve,Stab\n",
        encoding="utf-8",
    )
    with caplog.at_level(logging.WARNING, logger="analysis.ingest"):
        report = ingest([folder], meta=meta)
    metadata = {d.id: dict(d.metadata) for d in report.documents}
    assert metadata["akademi/a.txt"] == {"niveau": "Akademi", "afdeling": "HR"}
    assert metadata["c.docx"] == {"niveau": "Diplom", "afdeling": "IT"}
    assert metadata["d.pdf"] == {"niveau": "Master", "afdeling": "Politik"}
    assert metadata["b.md"] == {}
    messages = " ".join(r.getMessage() for r in caplog.records)
    assert "findes-ikke.pdf" in messages and "match no document" in messages
    assert "b.md" in messages


@pytest.mark.parametrize(
    ("content", "encoding"),
    [
        ("file;level\na.txt;Diplom\n", "utf-8"),
        ("file\tlevel\na.txt\tDiplom\n", "utf-8"),
        ("\ufefffile,level\r\na.txt,Diplom\r\n", "utf-8"),
        ("file,level\na.txt,Diplom\n", "cp1252"),
        ('"file","level"\n"a.txt","Diplom"\n\n', "utf-8"),
        ("file,level,note\na.txt,Diplom\n", "utf-8"),
        ("sep=;\nfile;level\na.txt;Diplom\n", "utf-8"),
    ],
    ids=["semicolon", "tab", "bom-crlf", "windows-1252", "quoted", "short-row", "excel-sep-line"],
)
def test_metadata_csv_dialects(tmp_path: Path, content: str, encoding: str) -> None:
    meta = tmp_path / "meta.csv"
    meta.write_bytes(content.encode(encoding))
    assert read_metadata(meta)["a.txt"]["level"] == "Diplom"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "empty"),
        ("a.txt,Diplom\nb.txt,Master\n", "lacks a header"),
        ("file\na.txt\n", "only one column"),
        ("file,level,level\na.txt,x,y\n", "repeats a column"),
        ("file,\na.txt,x\n", "lacks a header"),
        ("file,level\na.txt,x,y,z\n", "row 2"),
    ],
    ids=["empty", "no-header", "one-column", "duplicate-column", "unnamed-column", "ragged-row"],
)
def test_bad_metadata_csv_is_refused(tmp_path: Path, content: str, message: str) -> None:
    meta = tmp_path / "meta.csv"
    meta.write_text(content, encoding="utf-8")
    (tmp_path / "a.txt").write_text("Tekst.", encoding="utf-8")
    with pytest.raises(UnreadableInput, match=message):
        ingest([tmp_path / "a.txt"], meta=meta)


def test_missing_metadata_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Tekst.", encoding="utf-8")
    with pytest.raises(UnreadableInput, match="meta-mangler"):
        ingest([tmp_path / "a.txt"], meta=tmp_path / "meta-mangler.csv")


# --- the real corpus -------------------------------------------------------------------


@pytest.fixture(scope="module")
def corpus(corpus_dir: Path) -> IngestReport:
    return ingest([corpus_dir], meta=corpus_dir / "metadata.csv")


def test_corpus_gives_three_documents_with_metadata(corpus: IngestReport) -> None:
    assert [d.id for d in corpus.documents] == [
        "dagens-datavinkler-2023.txt",
        "hk-seks-pejlemaerker-2017.txt",
        "lederes-kompetencer-kortuddannede-2008.txt",
    ]
    assert corpus.skipped == ()
    years = {d.id: d.metadata["year"] for d in corpus.documents}
    assert years["hk-seks-pejlemaerker-2017.txt"] == "2017"
    assert all(set(d.metadata) == {"title", "kind", "year", "publisher"} for d in corpus.documents)


def test_corpus_is_clean(corpus: IngestReport, corpus_dir: Path) -> None:
    words = sum(len(d.text.split()) for d in corpus.documents)
    assert 25_000 < words < 30_000
    for document in corpus.documents:
        raw = (corpus_dir / document.id).read_text(encoding="utf-8")
        paragraphs = document.paragraphs
        assert paragraphs and all(p == p.strip() and "\n" not in p for p in paragraphs)
        assert not any(re.fullmatch(r"[\d\s.\-–/]+", p) for p in paragraphs)
        assert not re.search(r"\S+@\S+\.\w+|https?://|www\.", document.text)
        for broken in re.findall(r"([^\W\d_]{3,})[-‐] *\n+ *([a-zæøå]{3,})\b", raw):
            if broken[1] in {"og", "eller", "samt", "som", "til"}:
                continue
            assert broken[0] + broken[1] in document.text or "-".join(broken) in document.text


def test_pdf_paragraphs_are_rebuilt_from_line_lengths(tmp_path: Path) -> None:
    path = tmp_path / "afsnit.pdf"
    path.write_bytes(
        make_pdf(
            [
                [
                    "Første afsnit har en lang linje, som fylder hele bredden af siden",
                    "og fortsætter på næste linje, som også er ret lang her i teksten,",
                    "og slutter her.",
                    "Andet afsnit begynder med en lang linje, som fylder hele bredden",
                    "af siden og slutter så på denne lidt kortere linje.",
                    "Overskrift",
                    "Tredje afsnit står under en overskrift og har kun én lang linje.",
                ]
            ]
        )
    )
    (document,) = ingest([path]).documents
    assert [p.split()[0] for p in document.paragraphs] == [
        "Første",
        "Andet",
        "Overskrift",
        "Tredje",
    ]
    assert document.paragraphs[0].endswith("og slutter her.")


def test_listed_names_leave_document_ids_too(tmp_path: Path) -> None:
    for name in ("hanne-jensen-opgave.txt", "Hanne_Jensen_2.txt", "lars.txt", "andet.txt"):
        (tmp_path / name).write_text("Tekst om kurser.", encoding="utf-8")
    meta = tmp_path / "meta.csv"
    meta.write_text("fil,niveau\nhanne-jensen-opgave.txt,Diplom\n", encoding="utf-8")
    report = ingest(
        [tmp_path], meta=meta, clean_options=CleanOptions(redact_names=["Hanne Jensen", "Lars"])
    )
    ids = [d.id for d in report.documents]
    assert ids == ["[navn]_2.txt", "andet.txt", "[navn]-opgave.txt", "[navn].txt"]
    assert not any("hanne" in i.casefold() or "lars" in i.casefold() for i in ids)
    assert report.documents[2].metadata == {"niveau": "Diplom"}


def test_an_ole_file_named_docx_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "ok.txt").write_text("Tekst.", encoding="utf-8")
    (tmp_path / "låst.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    report = ingest([tmp_path])
    assert [s.path.name for s in report.skipped] == ["låst.docx"]
    assert "password-protected or an old .doc" in report.skipped[0].reason


def write_styled_docx(path: Path) -> Path:
    document = docx.Document()
    for level in (1, 2):
        document.styles.add_style(f"TOC {level}", WD_STYLE_TYPE.PARAGRAPH)
    document.add_paragraph("Indhold")
    document.add_paragraph("Analyse\t2", style="TOC 1")
    document.add_paragraph("Refleksion\t3", style="TOC 1")
    document.add_paragraph("Min læring\t3", style="TOC 2")
    document.add_heading("Analyse", level=1)
    document.add_paragraph("Ledere og medarbejdere taler om transfer.")
    document.add_heading("Refleksion", level=1)
    document.add_paragraph("Jeg var ked af forløbet.")
    document.add_heading("Min læring", level=2)
    document.add_paragraph("Min chef forstod mig ikke.")
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "Fortroligt skema"
    document.add_heading("Anbefalinger", level=1)
    document.add_paragraph("Organisationen bør følge op efter kurser.")
    document.add_heading("Diskussion", level=1)
    document.add_heading("Personlig refleksion", level=2)
    document.add_paragraph("Det var svært for mig.")
    document.add_heading("Næste skridt", level=2)
    document.add_paragraph("Flere workshops.")
    document.add_heading("Refleksion", level=1)
    document.add_paragraph("Jeg havde det hårdt.")
    document.add_paragraph("Litteraturliste").runs[0].bold = True
    document.add_paragraph("Wahlgren (2009).")
    document.save(str(path))
    return path


def test_docx_reflection_ends_at_the_next_heading_of_its_level(tmp_path: Path) -> None:
    path = write_styled_docx(tmp_path / "opgave.docx")
    (document,) = ingest([path]).documents
    for removed in ("ked af", "forstod mig", "Fortroligt", "svært for mig", "Min læring", "hårdt"):
        assert removed not in document.text
    for kept in ("transfer", "Anbefalinger", "følge op efter kurser", "Næste skridt", "Flere"):
        assert kept in document.text
    # The hand-set "Litteraturliste" ends the reflection section and starts a reference one.
    assert "Litteraturliste" not in document.text and "Wahlgren" not in document.text
    assert document.paragraphs[:2] == ["Indhold", "Analyse"]  # the contents are gone
    assert sum("reflection" in w for w in document.warnings) == 3
    (kept,) = ingest([path], clean_options=CleanOptions(keep_references=True)).documents
    assert kept.paragraphs[-2:] == ["Litteraturliste", "Wahlgren (2009)."]


def test_docx_reflection_is_kept_on_request(tmp_path: Path) -> None:
    path = write_styled_docx(tmp_path / "opgave.docx")
    report = ingest([path], clean_options=CleanOptions(keep_reflection=True))
    assert "ked af" in report.documents[0].text and "svært for mig" in report.documents[0].text


@pytest.mark.parametrize(
    ("name", "make", "reason"),
    [
        ("halv.pdf", lambda: make_pdf(REPORT_PAGES)[:400], "PDF"),
        ("tom.pdf", lambda: b"", "PDF"),
        ("zip.docx", lambda: _zip_bytes({"hej.txt": b"ikke Word"}), "Word"),
        ("xml.docx", lambda: _broken_docx_bytes(), "Word"),
    ],
    ids=["truncated-pdf", "empty-pdf", "zip-without-word-parts", "broken-xml"],
)
def test_broken_files_are_skipped_not_fatal(tmp_path: Path, name: str, make, reason: str) -> None:
    (tmp_path / "ok.txt").write_text("Tekst om kurser.", encoding="utf-8")
    (tmp_path / name).write_bytes(make())
    report = ingest([tmp_path])
    assert [d.id for d in report.documents] == ["ok.txt"]
    assert [s.path.name for s in report.skipped] == [name]
    assert reason in report.skipped[0].reason


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return buffer.getvalue()


def _broken_docx_bytes() -> bytes:
    """A real .docx whose main document part is not well-formed XML."""
    import zipfile

    source = io.BytesIO()
    document = docx.Document()
    document.add_paragraph("Tekst.")
    document.save(source)
    source.seek(0)
    with zipfile.ZipFile(source) as archive:
        files = {member: archive.read(member) for member in archive.namelist()}
    files["word/document.xml"] = b"<w:document><w:body><w:p>"
    return _zip_bytes(files)
