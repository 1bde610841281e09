"""Crafted files handed to the facilitator: every one is refused or skipped with a message
naming the file, in bounded memory and time, and never stops the run for the others.

The files are built here: a zip-bomb .docx (a few hundred KB expanding to 40 MB of XML),
a .docx with an entity-declaring XML part, a .docx with malformed XML, a .docx whose zip
directory lies about a part's size, a PDF that trips pypdf's ``LimitReachedError``, a VTT
with a 100 KB line of ``<v `` and VTTs with impossible timestamps. ``analyze`` runs through
the real CLI (``bot.cli.main``) on the real Danish corpus plus the hostile files; the
transcript reader is the one ``transcript import`` uses (``parse_transcript``).
"""

from __future__ import annotations

import io
import json
import shutil
import struct
import subprocess
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import docx
import pytest

from analysis.file_limits import MAX_DOCX_XML_BYTES
from analysis.transcript import MAX_CUE_CHARS, TranscriptError, parse_transcript
from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]
PARAGRAPH = (
    "<w:p><w:r><w:t>Vi deler viden på tværs af afdelingerne, og det virker.</w:t></w:r></w:p>"
)


def _docx_bytes(text: str = "Et helt almindeligt dokument om samarbejde.") -> bytes:
    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def _with_document_xml(xml: bytes) -> bytes:
    """A real .docx whose word/document.xml is replaced by ``xml``."""
    source = zipfile.ZipFile(io.BytesIO(_docx_bytes()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = xml if info.filename == "word/document.xml" else source.read(info)
            target.writestr(info.filename, data)
    return out.getvalue()


def _document_xml(body: bytes, prolog: bytes = b"") -> bytes:
    return (
        b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        + prolog
        + b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        + b"<w:body>"
        + body
        + b"</w:body></w:document>"
    )


def zip_bomb_docx() -> bytes:
    """About 0.2 MB on disk, 40 MB of XML unpacked (the same shape as the reported bomb)."""
    count = (40 * 1024 * 1024) // len(PARAGRAPH.encode())
    return _with_document_xml(_document_xml(PARAGRAPH.encode() * count))


def entity_bomb_docx() -> bytes:
    entities = b'<!ENTITY a "hahahahahahahahahaha">' + b"".join(
        b'<!ENTITY %s "%s">' % (bytes([98 + i]), (b"&%s;" % bytes([97 + i])) * 10) for i in range(8)
    )
    return _with_document_xml(
        _document_xml(b"<w:p><w:r><w:t>&i;</w:t></w:r></w:p>", b"<!DOCTYPE w [" + entities + b"]>")
    )


def malformed_docx() -> bytes:
    return _with_document_xml(_document_xml(b"<w:p><w:r><w:t>Halvt afsluttet")[:-20])


def lying_docx() -> bytes:
    """A .docx whose zip directory says document.xml is 100 bytes: it is 2 MB."""
    data = bytearray(_with_document_xml(_document_xml(PARAGRAPH.encode() * 25_000)))
    name = b"word/document.xml"
    for signature, size_at in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (at := data.find(signature, start)) >= 0:
            name_at = at + (30 if signature == b"PK\x03\x04" else 46)
            if data[name_at : name_at + len(name)] == name:
                struct.pack_into("<I", data, at + size_at, 100)
            start = at + 4
    return bytes(data)


def limit_pdf() -> bytes:
    """A small PDF whose cross-reference table declares 50 million entries: pypdf refuses it
    with ``LimitReachedError`` (which is not one of its ``PdfReadError`` types)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 50000000\n0000000000 65535 f \n"
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size 4 /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


HOSTILE = {
    "bombe.docx": (zip_bomb_docx, "of XML once unpacked"),
    "entiteter.docx": (entity_bomb_docx, "declares a document type or entities"),
    "halvt.docx": (malformed_docx, "not a readable Word file"),
    "loegn.docx": (lying_docx, "not a readable Word file"),
    "graense.pdf": (limit_pdf, "exceeds a safety limit"),
}


def test_the_zip_bomb_really_is_one() -> None:
    data = zip_bomb_docx()
    unpacked = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    assert len(data) < 400_000 and unpacked > MAX_DOCX_XML_BYTES


def test_analyze_skips_each_hostile_file_by_name_and_maps_the_rest(
    corpus_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    inputs = tmp_path / "in"
    shutil.copytree(corpus_dir, inputs)
    (inputs / "metadata.csv").unlink()
    for name, (build, _) in HOSTILE.items():
        (inputs / name).write_bytes(build())
    started = time.monotonic()
    code = main(["analyze", str(inputs), "--out", str(tmp_path / "out"), "--seed", "1"])
    took = time.monotonic() - started
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "Traceback" not in out + err
    assert "Analysed 3 documents (5 skipped)" in out
    for name, (_, reason) in HOSTILE.items():
        line = next((x for x in out.splitlines() if f"skipped {inputs / name}:" in x), None)
        assert line is not None, f"{name} not reported:\n{out}"
        assert reason in line, line
    assert (tmp_path / "out" / "network.png").is_file()
    assert took < 120, took


_MEASURE = """
import json, resource, sys, time
from pathlib import Path
from typing import Any
from analysis.ingest import ingest
from analysis.errors import NoUsableDocuments
import docx, pypdf  # the readers' own weight is the baseline
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.process_time()
try:
    ingest([Path(sys.argv[1])])
    reason = None
except NoUsableDocuments as exc:
    reason = str(exc)
print(json.dumps({
    "cpu": time.process_time() - started,
    "grew_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before,
    "reason": reason,
}))
"""


@pytest.mark.parametrize("name", ["bombe.docx", "entiteter.docx", "loegn.docx", "graense.pdf"])
def test_a_hostile_file_costs_little_memory_and_time(tmp_path: Path, name: str) -> None:
    build, reason = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(build())
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert figures["reason"] and reason in figures["reason"] and name in figures["reason"]
    assert figures["grew_kb"] < 100 * 1024, f"{name}: memory grew {figures['grew_kb']} KB"
    assert figures["cpu"] < 5.0, f"{name}: {figures['cpu']:.1f} s CPU"


@pytest.mark.parametrize("name", ["bombe.docx", "entiteter.docx", "halvt.docx", "loegn.docx"])
def test_a_hostile_docx_transcript_is_refused_naming_the_file(tmp_path: Path, name: str) -> None:
    build, _ = HOSTILE[name]
    path = tmp_path / name
    path.write_bytes(build())
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(path)
    assert str(caught.value).startswith(str(path))


def _vtt(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "moede.vtt"
    path.write_text("WEBVTT\n\n" + body, encoding="utf-8")
    return path


def test_a_100_kb_voice_line_is_refused_fast_with_its_line(tmp_path: Path) -> None:
    path = _vtt(tmp_path, "00:00:01.000 --> 00:00:04.000\n" + "<v " * 34_000 + "\n")
    started = time.process_time()
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(path)
    assert time.process_time() - started < 1.0
    message = str(caught.value)
    assert message.startswith(str(path)) and "line 4" in message
    assert str(MAX_CUE_CHARS) in message


def test_a_voice_line_just_under_the_limit_is_linear(tmp_path: Path) -> None:
    line = "<v " * ((MAX_CUE_CHARS - 40) // 3) + "<v Mette Hansen>Vi deler viden.</v>"
    assert len(line) <= MAX_CUE_CHARS
    path = _vtt(tmp_path, "00:00:01.000 --> 00:00:04.000\n" + line + "\n")
    started = time.process_time()
    transcript = parse_transcript(path)
    assert time.process_time() - started < 1.0
    assert [u.speaker for u in transcript.utterances] == ["Mette Hansen"]
    assert transcript.utterances[0].text == "Vi deler viden."


@pytest.mark.parametrize(
    "timing",
    [
        "00:99:99.000 --> 00:99:99.500",
        "00:00:01.000 --> 00:00:75.000",
        "99:10.000 --> 99:12.000",
        "01:60:00.000 --> 01:60:05.000",
    ],
)
def test_impossible_timestamps_are_refused_with_the_cue_line(tmp_path: Path, timing: str) -> None:
    good = "00:00:01.000 --> 00:00:02.000\n<v Mette Hansen>Velkommen.</v>\n\n"
    path = _vtt(tmp_path, good + f"cue-2\n{timing}\n<v Jens Berg>Tak.</v>\n")
    with pytest.raises(TranscriptError) as caught:
        parse_transcript(path)
    message = str(caught.value)
    assert message.startswith(str(path))
    assert "line 7" in message and "impossible timestamp" in message


def test_possible_timestamps_still_parse(tmp_path: Path) -> None:
    path = _vtt(
        tmp_path,
        "00:59:59.000 --> 01:00:01.000\n<v Mette Hansen>Sidste ord.</v>\n\n"
        "59:58.000 --> 59:59.999\n<v Jens Berg>Tak.</v>\n",
    )
    transcript = parse_transcript(path)
    assert [u.start for u in transcript.utterances] == [3599.0, 3598.0]


@pytest.mark.parametrize(
    ("name", "build", "reason"),
    [
        ("bombe.docx", zip_bomb_docx, "of XML once unpacked"),
        ("halvt.docx", malformed_docx, "malformed XML"),
        ("loegn.docx", lying_docx, "not a readable .docx file"),
        (
            "lang.vtt",
            lambda: ("WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n" + "<v " * 34_000).encode(),
            "line 4",
        ),
        (
            "tid.vtt",
            lambda: b"WEBVTT\n\n00:99:99.000 --> 00:99:99.500\n<v A>Hej.</v>\n",
            "line 3: impossible timestamp",
        ),
    ],
)
def test_transcript_import_refuses_a_hostile_file_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, build: Any, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(build())
    started = time.process_time()
    code = main(["transcript", "import", str(path)])
    assert time.process_time() - started < 5.0
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and "Traceback" not in err[0], err
    assert str(path) in err[0] and reason in err[0], err[0]
