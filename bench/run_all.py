"""Run every benchmark in turn (``make bench``); each prints its figures and records them.

The benchmarks are independent scripts, run one after another in subprocesses so that none
skews another's memory or CPU figures. Results go to ``bench/results/*.md``.

Usage: ``python bench/run_all.py [NAME ...]`` (names: ingest, analysis, language, storage, summary,
connector_clients, load; default: all).
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ("ingest", "analysis", "language", "storage", "summary", "connector_clients", "load")


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    failed = []
    for i, name in enumerate(names, 1):
        print(f"\n=== [{i}/{len(names)}] bench/{name}.py ===", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / f"{name}.py")], cwd=HERE.parent)
        print(
            f"=== bench/{name}.py: exit {code} after {time.perf_counter() - start:.0f} s",
            flush=True,
        )
        if code:
            failed.append(name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
