"""Where the benchmark scripts keep their figures: ``bench/results/<name>.md``, appended."""

from __future__ import annotations

from pathlib import Path

__all__ = ["RESULTS_DIR", "append_result"]

RESULTS_DIR = Path(__file__).resolve().parent / "results"


def append_result(name: str, text: str) -> Path:
    """Append ``text`` as it is to ``bench/results/<name>.md`` (created when missing).

    Args:
        name: The benchmark's name, e.g. ``"storage"``.
        text: What to append, line ends included.

    Returns:
        The results file.
    """
    path = RESULTS_DIR / f"{name}.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)
    return path
