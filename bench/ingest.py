"""Benchmark stages 1-2 (ingest and clean) on the sample corpus and on raw generated corpora.

Unlike the whole-pipeline benchmark, the generated corpora here are made of *raw* blocks of
the sample corpus (hyphenated line ends, page headers, letter-spaced slides), so every
cleaning rule does its full work. Prints wall and CPU time and words per second, and
appends the figures to ``bench/results/ingest.md``. CPU time is the figure to trust on a
shared machine.

Usage: ``python bench/ingest.py [--sizes 100000,300000,1000000]``
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analysis.ingest import ingest  # noqa: E402

CORPUS = Path(os.environ.get("WORKSHOPBOT_CORPUS", ROOT.parent / "shared" / "corpus"))
RESULTS = ROOT / "bench" / "results" / "ingest.md"


def raw_blocks() -> list[str]:
    """Blocks of raw text (split at blank lines) from the sample corpus, uncleaned."""
    blocks: list[str] = []
    for path in sorted(CORPUS.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        blocks.extend(block for block in text.split("\n\n") if block.strip())
    return blocks


def generate(folder: Path, words: int, *, doc_words: int = 3400, seed: int = 1) -> int:
    """Write about ``words`` words of raw blocks as documents of about ``doc_words`` words."""
    rng = random.Random(seed)
    blocks = raw_blocks()
    total = 0
    number = 0
    while total < words:
        chunk: list[str] = []
        size = 0
        while size < doc_words:
            block = rng.choice(blocks)
            chunk.append(block)
            size += len(block.split())
        # Two empty lines now and then: page breaks, so header detection has pages to see.
        text = "".join(b + ("\n\n\n\n" if i % 12 == 11 else "\n\n") for i, b in enumerate(chunk))
        (folder / f"doc{number:04d}.txt").write_text(text, encoding="utf-8")
        total += size
        number += 1
    return total


def measure(paths: list[Path], meta: Path | None = None) -> tuple[float, float, int, int]:
    wall = time.perf_counter()
    cpu = time.process_time()
    report = ingest(paths, meta=meta)
    cpu = time.process_time() - cpu
    wall = time.perf_counter() - wall
    words = sum(len(d.text.split()) for d in report.documents)
    return wall, cpu, words, len(report.documents)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000,1000000")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]

    lines = [
        f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load average {os.getloadavg()[0]:.1f}\n",
        "| corpus | documents | words out | wall s | CPU s | words/s (CPU) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    runs = [measure([CORPUS], CORPUS / "metadata.csv") for _ in range(5)]
    wall = statistics.median(r[0] for r in runs)
    cpu = statistics.median(r[1] for r in runs)
    _, _, words, docs = runs[0]
    lines.append(
        f"| sample corpus (median of 5) | {docs} | {words:,} | {wall:.3f} | {cpu:.3f} | "
        f"{words / cpu:,.0f} |"
    )
    print(lines[-1], flush=True)
    for size in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            generate(folder, size)
            wall, cpu, words, docs = measure([folder])
        lines.append(
            f"| raw blocks, {size:,} words in | {docs} | {words:,} | {wall:.2f} | {cpu:.2f} | "
            f"{words / cpu:,.0f} |"
        )
        print(lines[-1], flush=True)
    if sizes:
        # One long document: nothing per document may grow faster than its length.
        size = max(sizes)
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            generate(folder, size, doc_words=size)
            wall, cpu, words, docs = measure([folder])
        lines.append(
            f"| raw blocks, one document of {size:,} words | {docs} | {words:,} | {wall:.2f} | "
            f"{cpu:.2f} | {words / cpu:,.0f} |"
        )
        print(lines[-1], flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a", encoding="utf-8") as handle:
        if handle.tell() == 0:
            handle.write(
                "# Ingest and clean (stages 1-2)\n\nWritten by `python bench/ingest.py`.\n"
            )
        handle.write("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
