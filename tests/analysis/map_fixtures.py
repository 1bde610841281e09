"""Shared, process-wide cached objects for the map tests (the spaCy pipeline, one corpus run).

Cached with ``functools.cache`` rather than session fixtures in a conftest, so any test module
can use them and they are built once per test process.
"""

from __future__ import annotations

import functools
import os
from pathlib import Path

from analysis.documents import Document
from analysis.pipeline import AnalysisOptions, AnalysisResult, run_analysis

#: The sample corpus, as the ``corpus_dir`` fixture finds it (override: WORKSHOPBOT_CORPUS).
CORPUS = Path(
    os.environ.get(
        "WORKSHOPBOT_CORPUS", Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
    )
)


@functools.cache
def corpus_result(corpus: Path = CORPUS) -> AnalysisResult:
    """The sample corpus analysed with default options (and its metadata)."""
    return run_analysis([corpus], options=AnalysisOptions(meta=corpus / "metadata.csv"))


def docs(*texts: str, metadata: list[dict[str, str]] | None = None) -> list[Document]:
    """Documents from texts (paragraphs separated by blank lines)."""
    return [
        Document(id=f"d{i}", text=text, metadata=(metadata[i] if metadata else {}))
        for i, text in enumerate(texts)
    ]
