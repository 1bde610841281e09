"""Suggested adjustments applied to a real plan with the plans package's edits."""

from __future__ import annotations

from analysis.summary.model import Adjustment
from dialogs.plan_adjustments import apply_adjustments, plan_changes
from dialogs.plans import get_builtin_plan


def test_adjustments_become_plan_edits() -> None:
    plan = get_builtin_plan("default")
    adjustments = [
        Adjustment("move", "q1", "silent late", to_position=1),
        Adjustment(
            "reword",
            "q2",
            "hard",
            text="Med udgangspunkt i din egen afdeling: hvilke værdier har I?",
        ),
        Adjustment("shorten", "q8", "answers stopped early", time_box_seconds=120),
        Adjustment(
            "add_follow_up",
            "q8",
            "new",
            text="Hvordan kan vi arbejde videre med databasen?",
            after_question_id="q8",
        ),
        Adjustment("keep", "q9", "proposals"),
        Adjustment("shorten_intro", "", "intro too long", time_box_seconds=600),
        Adjustment("move", "gone", "not in this plan", to_position=2),
    ]
    new = apply_adjustments(plan, adjustments, lang="da")
    assert new.question_ids[0] == "q1"
    assert new.question("q2").text["da"].startswith("Med udgangspunkt")
    assert new.time_box_for("q8") == 120
    index = new.index_of("q8")
    assert new.questions[index + 1].text["da"] == "Hvordan kan vi arbejde videre med databasen?"
    assert len(new.questions) == len(plan.questions) + 1
    # The old plan is unchanged.
    assert (
        plan.question_ids[0] != "q1"
        or plan.question_ids == new.question_ids[: len(plan.question_ids)]
    )
    changes = plan_changes(plan, new, lang="da")
    assert "move q1" in changes
    assert "reword q2" in changes
    assert "shorten q8" in changes
    assert "add_follow_up q8" in changes
    assert not any(c.startswith("drop") for c in changes)
