"""The "what now" summary of a workshop: proposals, silences, new perspectives, next plan.

Pure functions over plain data (:mod:`analysis.summary.model`); no SQL, no Bot Framework.
"""

from __future__ import annotations

from analysis.summary.build import build_summary
from analysis.summary.model import (
    Adjustment,
    AnswerData,
    CorpusMapData,
    QuestionRunData,
    Summary,
    WorkshopData,
)

__all__ = [
    "Adjustment",
    "AnswerData",
    "CorpusMapData",
    "QuestionRunData",
    "Summary",
    "WorkshopData",
    "build_summary",
]
