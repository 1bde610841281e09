"""Read assignments from files and folders: stage 1 of the pipeline.

:func:`ingest` reads ``.txt``, ``.md``, ``.docx`` and ``.pdf`` files, given one by one or as
folders (searched recursively, in sorted order), cleans and redacts them with
:func:`analysis.clean.clean_documents`, and attaches the variables of an optional metadata
CSV.
A file that cannot be used (unreadable, encrypted, empty, a PDF of scanned images) is
skipped with a warning naming the file and the reason; only when nothing is usable does
ingest fail.

Text comes out already redacted: nothing later in the pipeline sees personal data.
"""

from __future__ import annotations

import csv
import io
import logging
import re
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from analysis.clean import (
    CleanOptions,
    clean_documents,
    ends_reference_section,
    is_reference_heading,
    is_reflection_heading,
    is_section_heading,
    split_text_pages,
)
from analysis.documents import Document, IngestReport, SkippedFile
from analysis.errors import NoUsableDocuments, UnreadableInput
from analysis.file_limits import FileLimitError, check_docx_package, check_file_size
from analysis.redact import Redactor

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table
    from docx.text.paragraph import Paragraph
    from pypdf import PdfReader

__all__ = ["SUPPORTED_EXTENSIONS", "ingest", "read_metadata"]

log = logging.getLogger(__name__)

#: File endings ingest reads; other files inside folders are ignored.
SUPPORTED_EXTENSIONS: frozenset[str] = frozenset({".txt", ".md", ".docx", ".pdf"})

ProgressCallback = Callable[[int, int], None]


# What a parser may raise on a broken or hostile file (besides its own error types): such
# a file is skipped with a reason, never allowed to stop the run.
_PARSER_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    KeyError,
    IndexError,
    TypeError,
    AttributeError,
    AssertionError,
    RecursionError,
    OSError,
    zlib.error,
    struct.error,
)


class _Skip(Exception):
    """A file cannot be used; the message is the reason shown to the user."""


@dataclass(frozen=True)
class _Source:
    path: Path
    doc_id: str


# --- finding files ---------------------------------------------------------------------


def _is_hidden(relative: Path) -> bool:
    return any(part.startswith((".", "~$", "__")) for part in relative.parts)


def _is_readme(path: Path) -> bool:
    return path.stem.casefold() == "readme"


def _collect(paths: Sequence[Path | str]) -> tuple[list[_Source], list[SkippedFile]]:
    sources: list[_Source] = []
    skipped: list[SkippedFile] = []
    seen: set[Path] = set()
    used_ids: set[str] = set()

    def add(path: Path, doc_id: str) -> None:
        resolved = path.resolve()
        if resolved in seen:
            return
        seen.add(resolved)
        if doc_id in used_ids:
            # Two folders with the same file names: fall back to the full path.
            doc_id = path.as_posix()
        used_ids.add(doc_id)
        sources.append(_Source(path=path, doc_id=doc_id))

    for given in paths:
        path = Path(given)
        if not path.exists():
            raise UnreadableInput(f"{path} does not exist; check the path (files or folders)")
        if path.is_dir():
            found: list[tuple[str, Path]] = []
            try:
                for file in path.rglob("*"):
                    relative = file.relative_to(path)
                    if _is_hidden(relative) or not file.is_file():
                        continue
                    if file.suffix.casefold() not in SUPPORTED_EXTENSIONS:
                        continue
                    found.append((relative.as_posix(), file))
            except OSError as exc:
                raise UnreadableInput(f"folder {path} cannot be read: {exc.strerror}") from None
            for relative_name, file in sorted(found):
                if _is_readme(file):
                    # A README describes the folder; it is no assignment. Named on its own,
                    # it is read like any other file.
                    log.info("ignoring %s: a README describes its folder", file)
                    continue
                add(file, relative_name)
        elif path.suffix.casefold() not in SUPPORTED_EXTENSIONS:
            skipped.append(
                SkippedFile(
                    path,
                    f"unsupported file type {path.suffix or '(no extension)'!r}; "
                    "use .txt, .md, .docx or .pdf",
                )
            )
        else:
            add(path, path.name)
    return sources, skipped


# --- reading one file ------------------------------------------------------------------


def _decode(data: bytes) -> str:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise _Skip("broken UTF-16 text") from None
    if b"\x00" in data[:4096]:
        raise _Skip("binary data, not text (is it really a text file?)")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        # Windows-1252 leaves five bytes undefined; such a file is not text either way.
        try:
            return data.decode("cp1252")
        except UnicodeDecodeError:
            raise _Skip("neither UTF-8 nor Windows-1252 text") from None


_MD_HEADING = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)[ \t]*#*[ \t]*$", re.MULTILINE)
_MD_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)]+)\)")
_MD_EMPHASIS = re.compile(r"(\*\*|__|\*|_|`)(?=\S)(.+?)(?<=\S)\1")
_MD_RULE = re.compile(r"^ {0,3}(?:[-*_] *){3,}$", re.MULTILINE)
_MD_QUOTE = re.compile(r"^ {0,3}> ?", re.MULTILINE)


def _strip_markdown(text: str) -> str:
    """Markdown to plain text: headings stay lines of their own, links keep their text."""
    text = _MD_IMAGE.sub("", text)
    text = _MD_LINK.sub(r"\1", text)  # the target is an address, not content
    text = _MD_HEADING.sub(r"\1", text)
    text = _MD_RULE.sub("", text)
    text = _MD_QUOTE.sub("", text)
    return _MD_EMPHASIS.sub(r"\2", text)


def _read_text(path: Path, *, markdown: bool) -> list[str]:
    try:
        check_file_size(path)
    except FileLimitError as exc:
        raise _Skip(f"refused: {exc}") from None
    text = _decode(path.read_bytes())
    if markdown:
        text = _strip_markdown(text)
    if not text.strip():
        raise _Skip("empty file")
    return split_text_pages(text)


_HEADING_STYLE = re.compile(r"(?:heading|overskrift)\s*(\d)", re.IGNORECASE)
# Word's table of contents: headings again, with page numbers.
_CONTENTS_STYLE = re.compile(r"(?:toc|indholdsfortegnelse)\s*\d", re.IGNORECASE)


def _heading_level(paragraph: Paragraph) -> int | None:
    """The outline level of a Word heading (1 for "Heading 1"), ``None`` for body text."""
    style = paragraph.style
    name = style.name if style is not None and style.name else ""
    match = _HEADING_STYLE.fullmatch(name.strip())
    if match:
        return int(match.group(1))
    return 0 if name.strip().casefold() == "title" else None


def _read_docx(
    path: Path, *, keep_reflection: bool, keep_references: bool = False
) -> tuple[list[str], list[str]]:
    import docx
    from docx.opc.exceptions import PackageNotFoundError

    with path.open("rb") as handle:
        if handle.read(8) == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
            raise _Skip("password-protected or an old .doc file; save it as .docx without password")
    errors: tuple[type[Exception], ...] = (
        PackageNotFoundError,
        zipfile.BadZipFile,
        SyntaxError,  # lxml's XMLSyntaxError
        *_PARSER_ERRORS,
    )
    try:
        check_docx_package(path)
    except FileLimitError as exc:
        raise _Skip(f"refused: {exc}") from None
    except zipfile.BadZipFile as exc:
        raise _Skip(f"not a readable Word file (the zip package is damaged: {exc})") from None
    try:
        document = docx.Document(str(path))
        return _docx_blocks(
            document, keep_reflection=keep_reflection, keep_references=keep_references
        )
    except errors as exc:
        raise _Skip(f"not a readable Word file ({type(exc).__name__})") from None


_SKIPPED_KINDS = {
    "reflection": ("reflection section", "keep_reflection"),
    "references": ("reference section", "keep_references"),
}


def _skip_note(kind: str, words: int, where: str) -> str:
    what, option = _SKIPPED_KINDS[kind]
    return f"removed a {what} ({words} words, {where}); use {option} to keep it"


def _docx_blocks(
    document: DocxDocument, *, keep_reflection: bool, keep_references: bool = False
) -> tuple[list[str], list[str]]:
    from docx.table import Table

    blocks: list[str] = []
    notes: list[str] = []
    # A reflection or reference heading with a heading style: its section ends at the next
    # heading of the same or a higher level, which Word knows even when the text does not.
    skipping: int | None = None
    kind = ""
    removed_words = 0
    removed: set[str] = set()
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            texts = list(_table_texts(item))
        elif item.style is not None and _CONTENTS_STYLE.fullmatch((item.style.name or "").strip()):
            continue
        else:
            level = _heading_level(item)
            if skipping is not None:
                ends = level is not None and level <= skipping
                # A standard heading set in bold by hand ends it too ("Litteraturliste",
                # "Bilag 1").
                if not ends and level is None:
                    ends = (
                        is_section_heading(item.text)
                        if kind == "reflection"
                        else ends_reference_section(item.text)
                    )
                if ends:
                    notes.append(
                        _skip_note(kind, removed_words, "up to the next Word heading of its level")
                    )
                    skipping, removed_words = None, 0
            if skipping is None and level is not None:
                if not keep_reflection and is_reflection_heading(item.text):
                    skipping, kind = level, "reflection"
                elif not keep_references and is_reference_heading(item.text):
                    skipping, kind = level, "references"
                if skipping is not None:
                    removed.add(kind)
            texts = [item.text]
        if skipping is not None:
            removed_words += sum(len(t.split()) for t in texts)
            continue
        blocks.extend(texts)
    if skipping is not None:
        notes.append(_skip_note(kind, removed_words, "to the end of the document"))
    # Every Word paragraph is a paragraph of its own.
    text = "\n\n".join(block for block in blocks if block.strip())
    if not text.strip():
        if removed:
            raise _Skip(_nothing_left(removed))
        raise _Skip("no text in the document")
    return [text], notes


def _nothing_left(kinds: set[str]) -> str:
    """Why a Word document was emptied: "no text left after removing the reference section
    (keep_references keeps it)"."""
    ordered = sorted(kinds, reverse=True)  # reflection first
    what = " and the ".join(_SKIPPED_KINDS[kind][0] for kind in ordered)
    options = " and ".join(_SKIPPED_KINDS[kind][1] for kind in ordered)
    verb = "keeps" if len(ordered) == 1 else "keep"
    return f"no text left after removing the {what} ({options} {verb} it)"


def _table_texts(table: Table) -> Iterator[str]:
    # A merged cell is returned once per grid position: keep it once. The cell elements
    # are kept alive so their ids cannot be reused.
    seen_cells: dict[int, object] = {}
    for row in table.rows:
        for cell in row.cells:
            element = cell._tc
            if id(element) in seen_cells:
                continue
            seen_cells[id(element)] = element
            yield from (p.text for p in cell.paragraphs)


def _read_pdf(path: Path) -> tuple[list[str], list[str]]:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PdfReadError, PyPdfError

    errors: tuple[type[Exception], ...] = (PdfReadError, *_PARSER_ERRORS)
    try:
        check_file_size(path)
    except FileLimitError as exc:
        raise _Skip(f"refused: {exc}") from None
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            # Many PDFs are "encrypted" with an empty password only to restrict printing.
            try:
                if not reader.decrypt(""):
                    raise _Skip("encrypted (password-protected PDF); remove the password")
            except (NotImplementedError, FileNotDecryptedError):
                raise _Skip("encrypted (password-protected PDF); remove the password") from None
        pages, broken = _extract_pages(reader)
    except _Skip:
        raise
    except FileNotDecryptedError:
        raise _Skip("encrypted (password-protected PDF); remove the password") from None
    except LimitReachedError as exc:
        # pypdf's own safety limits (declared sizes, decompression output, loops).
        raise _Skip(f"refused: the PDF exceeds a safety limit of the PDF reader ({exc})") from None
    except errors as exc:
        raise _Skip(f"not a readable PDF ({type(exc).__name__})") from None
    except PyPdfError as exc:  # any other pypdf failure: this file only, never the run
        raise _Skip(f"not a readable PDF ({type(exc).__name__})") from None
    if not pages:
        raise _Skip("a PDF without pages")
    if broken == len(pages):
        raise _Skip("not a readable PDF (no page could be read)")
    empty = sum(1 for page in pages if not page.strip()) - broken
    if empty + broken == len(pages):
        raise _Skip("no extractable text (scanned images only?); run OCR on it first")
    notes = []
    if empty:
        notes.append(f"{empty} of {len(pages)} PDF pages have no text (images?) and were skipped")
    if broken:
        notes.append(f"{broken} of {len(pages)} PDF pages could not be read and were skipped")
    return pages, notes


def _extract_pages(reader: PdfReader) -> tuple[list[str], int]:
    """The text of every page; a page pypdf cannot read counts as broken, not fatal."""
    from pypdf.errors import PdfReadError

    errors: tuple[type[Exception], ...] = (PdfReadError, *_PARSER_ERRORS)
    pages: list[str] = []
    broken = 0
    for page in reader.pages:
        try:
            pages.append(page.extract_text() or "")
        except errors as exc:
            log.debug("PDF page unreadable: %r", exc)
            pages.append("")
            broken += 1
    return pages, broken


def _read_pages(
    path: Path, *, keep_reflection: bool = False, keep_references: bool = False
) -> tuple[list[str], list[str]]:
    suffix = path.suffix.casefold()
    try:
        if suffix == ".pdf":
            return _read_pdf(path)
        if suffix == ".docx":
            return _read_docx(
                path, keep_reflection=keep_reflection, keep_references=keep_references
            )
        return _read_text(path, markdown=suffix == ".md"), []
    except PermissionError:
        raise _Skip("permission denied") from None
    except OSError as exc:
        raise _Skip(f"cannot be read ({exc.strerror or exc})") from None


# --- metadata --------------------------------------------------------------------------


def read_metadata(path: Path | str) -> dict[str, dict[str, str]]:
    """Read a metadata CSV: the first column names the file, the others are variables.

    The delimiter (comma, semicolon or tab) is detected; the file may be UTF-8 (with or
    without BOM) or Windows-1252, as spreadsheet programs write it.

    Args:
        path: The CSV file.

    Returns:
        A mapping from the file name as written in the CSV to its variables.

    Raises:
        UnreadableInput: If the file is missing, cannot be parsed, or lacks a header row.
    """
    file = Path(path)
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise UnreadableInput(
            f"metadata file {file} does not exist; check the --meta path"
        ) from None
    except OSError as exc:
        raise UnreadableInput(f"metadata file {file} cannot be read: {exc.strerror}") from None
    try:
        text = _decode(data)
    except _Skip as exc:
        raise UnreadableInput(f"metadata file {file} is not a CSV text file: {exc}") from None
    if not text.strip():
        raise UnreadableInput(
            f"metadata file {file} is empty; it needs a header row such as 'file,level,subject'"
        )
    first_line, _, rest = text.partition("\n")
    delimiter: str | None = None
    if first_line.strip().casefold().startswith("sep=") and len(first_line.strip()) == 5:
        # Excel's "sep=;" line names the delimiter.
        delimiter, text = first_line.strip()[4], rest
    try:
        if delimiter is not None:
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
        else:
            rows = list(csv.reader(io.StringIO(text), _sniff(text)))
        rows = [row for row in rows if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise UnreadableInput(f"metadata file {file} cannot be parsed as CSV: {exc}") from None
    header = [cell.strip() for cell in rows[0]]
    if len(header) < 2:
        raise UnreadableInput(
            f"metadata file {file} has only one column; it needs a header row such as "
            "'file,level,subject' (comma, semicolon or tab between columns)"
        )
    first = header[0]
    if Path(first).suffix.casefold() in SUPPORTED_EXTENSIONS or not all(header):
        raise UnreadableInput(
            f"metadata file {file} lacks a header row (the first row is {','.join(header)!r}); "
            "add one such as 'file,level,subject' with a name for every column"
        )
    if len(set(header)) != len(header):
        raise UnreadableInput(
            f"metadata file {file} repeats a column name in its header {header}; "
            "give every column its own name"
        )
    table: dict[str, dict[str, str]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header) :]):
            raise UnreadableInput(
                f"metadata file {file}, row {number}, has {len(row)} cells but the header "
                f"has {len(header)}; check the delimiters and quotes"
            )
        name = row[0].strip()
        if not name:
            log.warning("metadata file %s, row %d: no file name; row ignored", file, number)
            continue
        values = {
            column: (row[i].strip() if i < len(row) else "")
            for i, column in enumerate(header[1:], start=1)
        }
        if name in table:
            log.warning("metadata file %s names %r twice; the last row wins", file, name)
        table[name] = values
    return table


def _sniff(text: str) -> type[csv.Dialect] | csv.Dialect:
    try:
        return csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        return csv.excel


def _name_key(name: str) -> str:
    return name.strip().replace("\\", "/").removeprefix("./").casefold()


def _join_metadata(
    documents: list[Document], table: Mapping[str, Mapping[str, str]], source: Path
) -> list[Document]:
    by_id: dict[str, int] = {}
    by_base: dict[str, list[int]] = {}
    by_stem: dict[str, list[int]] = {}
    for index, document in enumerate(documents):
        by_id[_name_key(document.id)] = index
        base = _name_key(Path(document.id).name)
        by_base.setdefault(base, []).append(index)
        by_stem.setdefault(_name_key(Path(document.id).stem), []).append(index)
    metadata: dict[int, dict[str, str]] = {}
    unmatched: list[str] = []
    for name, values in table.items():
        key = _name_key(name)
        if key in by_id:
            matches = [by_id[key]]
        elif key in by_base:
            matches = by_base[key]
        elif not Path(key).suffix and key in by_stem:
            matches = by_stem[key]
        else:
            unmatched.append(name)
            continue
        for index in matches:
            metadata.setdefault(index, {}).update(values)
    if unmatched:
        shown = ", ".join(repr(n) for n in unmatched[:5]) + (" …" if len(unmatched) > 5 else "")
        log.warning(
            "metadata file %s: %d row(s) match no document: %s", source, len(unmatched), shown
        )
    missing = [documents[i].id for i in range(len(documents)) if i not in metadata]
    if missing:
        log.warning(
            "metadata file %s has no row for %d document(s): %s",
            source,
            len(missing),
            ", ".join(missing[:5]) + (" …" if len(missing) > 5 else ""),
        )
    return [
        Document(
            id=d.id,
            text=d.text,
            metadata=metadata.get(i, {}),
            path=d.path,
            warnings=d.warnings,
        )
        for i, d in enumerate(documents)
    ]


# --- the stage -------------------------------------------------------------------------


def ingest(
    paths: Sequence[Path | str],
    *,
    meta: Path | str | None = None,
    clean_options: CleanOptions | None = None,
    progress: ProgressCallback | None = None,
) -> IngestReport:
    """Read, clean and redact the documents in ``paths``.

    Args:
        paths: Files and folders. Folders are searched recursively; files in them with
            other endings than ``.txt``, ``.md``, ``.docx`` and ``.pdf`` (and hidden files,
            Word lock files and README files) are left out silently.
        meta: A CSV whose first column names a file (its base name or its path relative to
            the folder given) and whose other columns are variables (level, subject, …).
        clean_options: What cleaning removes (reflection and reference sections, names to
            redact, language).
        progress: Called as ``progress(done, total)`` as work advances: one step for
            reading and one for cleaning each file, so ``total`` is twice the file count.

    Returns:
        The usable documents (sorted by path within each given folder, in the order the
        paths were given) and the skipped files with their reasons.

    Raises:
        UnreadableInput: If a path does not exist or the metadata CSV cannot be used.
        NoUsableDocuments: If no file gave a usable document.
    """
    if isinstance(paths, (str, Path)):
        paths = [paths]
    if not paths:
        raise UnreadableInput("no input given; name at least one file or folder")
    options = clean_options or CleanOptions()
    table = read_metadata(meta) if meta is not None else None
    sources, skipped = _collect(paths)

    # One step for reading and one for cleaning each file.
    total = 2 * len(sources)
    done = 0

    def step() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    read: list[tuple[_Source, list[str], list[str]]] = []
    for source in sources:
        try:
            pages, notes = _read_pages(
                source.path,
                keep_reflection=options.keep_reflection,
                keep_references=options.keep_references,
            )
        except _Skip as exc:
            skipped.append(SkippedFile(source.path, str(exc)))
            step()
            step()  # nothing to clean either
            continue
        read.append((source, pages, notes))
        step()

    reading_steps = done
    results = clean_documents(
        [pages for _, pages, _ in read],
        options=options,
        progress=(lambda n: progress(reading_steps + n, total)) if progress is not None else None,
    )
    documents: list[Document] = []
    for (source, _, notes), result in zip(read, results, strict=True):
        if not result.text.strip():
            reason = "no text left after cleaning"
            if result.counts["reflection_sections"]:
                reason += " (it was all a reflection section; keep_reflection keeps it)"
            elif result.counts["reference_sections"]:
                # A pure reading list: no words of the writer's own.
                reason += " (it was all a reference list; keep_references keeps it)"
            skipped.append(SkippedFile(source.path, reason))
            continue
        documents.append(
            Document(
                id=source.doc_id,
                text=result.text,
                path=source.path,
                warnings=tuple(notes) + result.warnings,
            )
        )

    for item in skipped:
        log.warning("skipped %s: %s", item.path, item.reason)
    if not documents:
        raise NoUsableDocuments(_nothing_usable(skipped))
    if table is not None and meta is not None:
        documents = _join_metadata(documents, table, Path(meta))
    if options.redact_names:
        documents = _redact_ids(documents, Redactor(names=options.redact_names, lang=options.lang))
    return IngestReport(documents=tuple(documents), skipped=tuple(skipped))


def _redact_ids(documents: list[Document], redactor: Redactor) -> list[Document]:
    """Take listed names out of document ids too: ids are shown and stored like the text."""
    used: set[str] = set()
    result: list[Document] = []
    for document in documents:
        new_id = redactor.redact_file_name(document.id)
        if new_id != document.id:
            base, number = new_id, 2
            while new_id in used:
                new_id, number = f"{base} ({number})", number + 1
        used.add(new_id)
        result.append(replace(document, id=new_id))
    return result


def _nothing_usable(skipped: list[SkippedFile]) -> str:
    if not skipped:
        return "no usable documents: found no .txt, .md, .docx or .pdf files in the given paths"
    reasons = "; ".join(f"{item.path.name}: {item.reason}" for item in skipped[:5])
    more = f"; and {len(skipped) - 5} more" if len(skipped) > 5 else ""
    return (
        f"no usable documents: looked at {len(skipped)} file(s) and skipped all of them "
        f"({reasons}{more})"
    )
