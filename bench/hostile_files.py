"""What a hostile file costs before it is refused (issue 15; limits in docs/security.md).

Builds a zip-bomb .docx (about 0.2 MB expanding to 40 MB of XML), a VTT with a 100 KB line
of ``<v `` and one just under the 20 000-character cue limit, and measures wall time, CPU
and peak memory (tracemalloc) of ``analysis.file_limits.check_docx_package`` and
``analysis.transcript.parse_vtt``; for comparison, the old voice-tag expression on lines of
growing length (it was quadratic). Prints the figures and appends them to
``bench/results/hostile_files.md``.

Run: ``.venv/bin/python bench/hostile_files.py``
"""

from __future__ import annotations

import platform
import random
import re
import sys
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analysis.file_limits import FileLimitError, check_docx_package
from analysis.transcript import MAX_CUE_CHARS, TranscriptError, parse_vtt
from bench._record import append_result

OLD_VOICE = re.compile(r"<v(?:\.[^ >]*)?\s+([^>]+)>(.*?)(?:</v>|$)", re.DOTALL)
PARAGRAPH = b"<w:p><w:r><w:t>Vi deler viden paa tvaers af afdelingerne.</w:t></w:r></w:p>"


def _bomb(path: Path, xml_mb: int = 40) -> None:
    body = PARAGRAPH * ((xml_mb * 1024 * 1024) // len(PARAGRAPH))
    xml = (
        b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/'
        b'wordprocessingml/2006/main"><w:body>' + body + b"</w:body></w:document>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as package:
        package.writestr("[Content_Types].xml", b"<Types/>")
        package.writestr("word/document.xml", xml)


def _largest_accepted(path: Path, xml_mb: int = 30) -> None:
    """A .docx with 30 MB of varied XML (packs about 4x): passes every limit, so the
    package check streams all of it; the worst case an ordinary-looking file costs."""
    rng = random.Random(15)
    words = [
        bytes(rng.choices(b"abcdefghijklmnopqrstuvwxyz", k=rng.randint(2, 11))) for _ in range(5000)
    ]
    parts: list[bytes] = []
    size = 0
    while size < xml_mb * 1024 * 1024:
        text = b" ".join(rng.choices(words, k=12))
        parts.append(b"<w:p><w:r><w:t>" + text + b"</w:t></w:r></w:p>")
        size += len(parts[-1])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as package:
        package.writestr("[Content_Types].xml", b"<Types/>")
        package.writestr(
            "word/document.xml",
            b"<w:document><w:body>" + b"".join(parts) + b"</w:body></w:document>",
        )


def _measure(action: Callable[[], Any]) -> tuple[float, float, int, str]:
    tracemalloc.start()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        action()
        outcome = "accepted"
    except (FileLimitError, TranscriptError) as exc:
        outcome = f"refused: {str(exc)[:70]}"
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    _, peak = tracemalloc.get_traced_memory()  # every allocation here is Python's own
    tracemalloc.stop()
    return wall, cpu, peak // 1024, outcome


def main() -> None:
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        bomb = Path(tmp) / "bombe.docx"
        _bomb(bomb)
        size = bomb.stat().st_size
        wall, cpu, grew, outcome = _measure(lambda: check_docx_package(bomb))
        rows.append(
            f"| zip-bomb .docx ({size / 1024:.0f} KB → 40 MB XML), package check | "
            f"{wall:.3f} | {cpu:.3f} | {grew / 1024:.1f} | {outcome} |"
        )
        big = Path(tmp) / "stor.docx"
        _largest_accepted(big)
        size = big.stat().st_size
        wall, cpu, grew, outcome = _measure(lambda: check_docx_package(big))
        rows.append(
            f"| varied .docx ({size / 1024 / 1024:.1f} MB → 30 MB XML), package check | "
            f"{wall:.3f} | {cpu:.3f} | {grew / 1024:.1f} | {outcome} |"
        )
    header = "WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n"
    long_line = header + "<v " * 34_000 + "\n"
    wall, cpu, grew, outcome = _measure(lambda: parse_vtt(long_line))
    rows.append(
        f"| VTT, 100 KB line of '<v ' | {wall:.3f} | {cpu:.3f} | {grew / 1024:.1f} | {outcome} |"
    )
    near = header + "<v " * ((MAX_CUE_CHARS - 40) // 3) + "<v Mette Hansen>Hej.</v>\n"
    wall, cpu, grew, outcome = _measure(lambda: parse_vtt(near))
    rows.append(
        f"| VTT, {MAX_CUE_CHARS // 1000} K-character line of '<v ' (under the limit) | "
        f"{wall:.3f} | {cpu:.3f} | {grew / 1024:.1f} | {outcome} |"
    )
    old: list[str] = []
    for chars in (2_500, 5_000, 10_000, 20_000):
        text = "<v " * (chars // 3)
        started = time.perf_counter()
        OLD_VOICE.findall(text)
        old.append(f"{chars}: {time.perf_counter() - started:.2f} s")
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    report = (
        f"\n## {stamp} ({platform.python_implementation()} {platform.python_version()}, "
        f"{platform.machine()})\n\n"
        "| input | wall s | CPU s | peak allocated MB (tracemalloc) | outcome |\n|---|---|---|---|---|\n"
        + "\n".join(rows)
        + "\n\nThe old voice-tag expression on one line of '<v ' (characters: seconds): "
        + ", ".join(old)
        + " — quadratic; the new one is bounded per match.\n"
    )
    print(report)
    append_result("hostile_files", report)


if __name__ == "__main__":
    main()
