"""The summary meets the issue's goals on the hand-labelled evaluation set.

``bench/summary_eval.py`` prints and records the figures; this test keeps them from sliding
back: proposals recall >= 80 % and precision >= 70 %, every labelled silence flagged,
every labelled new perspective shown, each voice transcript's facilitator and question runs
found — over all workshops and over the held-out ones alone. A set marked ``measure_only``
(written by an author who saw no rule, scorer or earlier workshop, and never tuned on) is
the measure of unseen material: it is held to the proposal goals only, and its other
figures are reported, not asserted.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from analysis.summary import build_summary  # noqa: E402
from bench.summary_eval import (  # noqa: E402
    EVAL_DIR,
    Score,
    load,
    score_novelty,
    score_proposals,
    score_silences,
)


@pytest.fixture(scope="module")
def scores() -> dict[str, dict[str, Score]]:
    labels = json.loads((EVAL_DIR / "labels.json").read_text(encoding="utf-8"))
    loaded = [(e, *load(e, labels["plans"])) for e in labels["workshops"]]
    totals: dict[str, dict[str, Score]] = {"all": {}, "held out": {}, "never tuned": {}}
    for entry, data, facts in loaded:
        earlier = sorted(
            (
                d
                for e, d, _ in loaded
                if entry["series"]
                and e["series"] == entry["series"]
                and e["number"] < entry["number"]
            ),
            key=lambda d: d.number_in_series or 0,
        )
        summary = build_summary(data, earlier=earlier)
        if entry.get("measure_only"):
            # Kept untuned to measure unseen material (bench/results/summary_eval.md): held to
            # the proposal goals below, not to every goal of the tuned sets.
            totals["never tuned"].setdefault("proposals", Score()).add(
                score_proposals(summary, entry)
            )
            continue
        if facts:
            assert facts["facilitator"] == (entry["facilitator"],), entry["name"]
            assert facts["runs"] == entry["question_runs"], entry["name"]
        found = {
            "proposals": score_proposals(summary, entry),
            "silences": score_silences(summary, entry),
            "novelty": score_novelty(summary, entry),
        }
        for split in ("all", "held out") if entry["split"] != "tune" else ("all",):
            for cat, sc in found.items():
                totals[split].setdefault(cat, Score()).add(sc)
    return totals


@pytest.mark.parametrize("split", ["all", "held out"])
def test_goals_are_met(scores: dict[str, dict[str, Score]], split: str) -> None:
    s = scores[split]
    assert s["proposals"].tp + s["proposals"].fn >= 20  # a real sample, not a handful
    assert s["proposals"].recall >= 0.8
    assert s["proposals"].precision >= 0.7
    assert s["silences"].recall == 1.0
    assert s["novelty"].recall == 1.0


def test_never_tuned_workshops_meet_the_proposal_goals(scores: dict[str, dict[str, Score]]) -> None:
    # Workshops by an author who saw no rule, scorer or earlier workshop, never tuned on.
    s = scores["never tuned"]["proposals"]
    assert s.tp + s.fn >= 20
    assert s.recall >= 0.8
    assert s.precision >= 0.7
