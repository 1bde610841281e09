"""Limits for files handed to the analysis (``analyze``, ``transcript import``).

A file a facilitator is given may be crafted: a 0.4 MB .docx can expand to 136 MB of XML
(python-docx and lxml then used 1.8 GB of memory and kept going), a PDF can declare
millions of objects, a VTT line can make a regular expression quadratic. Every reader checks
the file here first, in bounded memory and time, and refuses what exceeds a stated limit
with a :class:`FileLimitError` whose message names the limit (the caller adds the file):

- any input file: at most :data:`MAX_FILE_BYTES` on disk;
- a .docx (a zip package): at most :data:`MAX_DOCX_MEMBERS` parts, at most
  :data:`MAX_DOCX_XML_BYTES` of XML once decompressed (all parts together), at most
  :data:`MAX_DOCX_TOTAL_BYTES` decompressed in all, and no part over 1 MB that expands more
  than :data:`MAX_EXPANSION_RATIO` times. The sizes in the zip directory are checked first;
  then every XML part is decompressed as a stream, counted as it comes (a directory that
  lies about sizes is caught by the count, or by the zip's own CRC check), and searched for
  document type or entity declarations, which Word never writes and XML bombs need.

Nothing here imports python-docx or lxml: the check runs before either loads the file.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

__all__ = [
    "MAX_DOCX_MEMBERS",
    "MAX_DOCX_TOTAL_BYTES",
    "MAX_DOCX_XML_BYTES",
    "MAX_EXPANSION_RATIO",
    "MAX_FILE_BYTES",
    "FileLimitError",
    "check_docx_package",
    "check_file_size",
]

#: Largest input file read at all (a long report PDF with pictures is far below).
MAX_FILE_BYTES = 100 * 1024 * 1024
#: Most parts in a .docx package (a long thesis has about 50).
MAX_DOCX_MEMBERS = 2000
#: Most decompressed XML in a .docx, all parts together (a 300-page thesis: about 8 MB).
MAX_DOCX_XML_BYTES = 32 * 1024 * 1024
#: Most decompressed bytes in a .docx, pictures included.
MAX_DOCX_TOTAL_BYTES = 256 * 1024 * 1024
#: Most a part over 1 MB may expand (Word's XML: about 5 to 20 times; zip bombs: 300+).
MAX_EXPANSION_RATIO = 200
_RATIO_FLOOR = 1024 * 1024
_CHUNK = 1024 * 1024
_XML_SUFFIXES = (".xml", ".rels")
_DECLARATIONS = (b"<!DOCTYPE", b"<!ENTITY")


class FileLimitError(ValueError):
    """A file exceeds a safety limit; the message says which and what to do."""


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def check_file_size(path: Path, limit: int = MAX_FILE_BYTES) -> None:
    """Refuse a file larger than ``limit`` bytes.

    Raises:
        FileLimitError: the file is larger.
        OSError: it cannot be examined.
    """
    size = path.stat().st_size
    if size > limit:
        raise FileLimitError(
            f"the file is {_mb(size)}, more than the {_mb(limit)} this tool reads; "
            "split it or save only the text"
        )


def check_docx_package(path: Path) -> None:
    """Check a .docx package's sizes before python-docx loads it (see the module docstring).

    Raises:
        FileLimitError: a limit is exceeded, or an XML part declares a DTD or entities.
        zipfile.BadZipFile: not a zip file, or its data does not match its directory.
        OSError: it cannot be read.
    """
    check_file_size(path)
    with zipfile.ZipFile(path) as package:
        members = package.infolist()
        if len(members) > MAX_DOCX_MEMBERS:
            raise FileLimitError(
                f"the Word package has {len(members)} parts, more than {MAX_DOCX_MEMBERS}; "
                "it is not an ordinary document"
            )
        declared_total = sum(info.file_size for info in members)
        xml = [info for info in members if info.filename.casefold().endswith(_XML_SUFFIXES)]
        declared_xml = sum(info.file_size for info in xml)
        _check_totals(declared_total, declared_xml)
        for info in members:
            if info.file_size > _RATIO_FLOOR and info.file_size > MAX_EXPANSION_RATIO * max(
                info.compress_size, 1
            ):
                raise FileLimitError(
                    f"the Word part {info.filename} expands {info.file_size // max(info.compress_size, 1)}"
                    f" times (to {_mb(info.file_size)}); more than {MAX_EXPANSION_RATIO} times "
                    "is a zip bomb, not a document"
                )
        seen = 0
        for info in xml:
            seen = _stream_xml(package, info, seen)


def _check_totals(total: int, xml: int) -> None:
    if xml > MAX_DOCX_XML_BYTES:
        raise FileLimitError(
            f"the Word document holds {_mb(xml)} of XML once unpacked, more than the "
            f"{_mb(MAX_DOCX_XML_BYTES)} allowed; save it as PDF or split it"
        )
    if total > MAX_DOCX_TOTAL_BYTES:
        raise FileLimitError(
            f"the Word document unpacks to {_mb(total)}, more than the "
            f"{_mb(MAX_DOCX_TOTAL_BYTES)} allowed; remove large pictures or split it"
        )


def _stream_xml(package: zipfile.ZipFile, info: zipfile.ZipInfo, seen: int) -> int:
    """Decompress one XML part in chunks, counting; returns the XML bytes seen so far."""
    tail = b""
    with package.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            seen += len(chunk)
            if seen > MAX_DOCX_XML_BYTES:
                _check_totals(0, seen)
            window = tail + chunk
            if any(marker in window for marker in _DECLARATIONS):
                raise FileLimitError(
                    f"the Word part {info.filename} declares a document type or entities "
                    "(Word never does; an XML bomb does); the file is refused"
                )
            tail = chunk[-16:]
    return seen
