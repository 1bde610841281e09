"""Suggested adjustments follow what the method's facilitator changed between workshops."""

from __future__ import annotations

import dataclasses

from analysis.summary import build_summary
from analysis.summary.model import AnswerData
from analysis.summary.render_md import render_markdown
from tests.analysis.summary_fixtures import danish_workshop, english_workshop


def test_long_intro_gets_shortened() -> None:
    data = danish_workshop()
    late = tuple(
        dataclasses.replace(
            q,
            opened_offset=(q.opened_offset or 0) + 1000,
            closed_offset=(q.closed_offset or 0) + 1000,
            answers=tuple(
                dataclasses.replace(a, offset_seconds=a.offset_seconds + 1000) for a in q.answers
            ),
        )
        for q in data.questions
    )
    summary = build_summary(dataclasses.replace(data, questions=late, ended_at=None))
    intro = [a for a in summary.adjustments if a.kind == "shorten_intro"]
    assert len(intro) == 1
    assert "22 min" in intro[0].reason
    assert summary.adjustments[0].kind == "shorten_intro"
    assert "Kort introduktionen ned" in render_markdown(summary)
    assert not any(a.kind == "shorten_intro" for a in build_summary(data).adjustments)


def test_facilitator_talking_much_is_flagged() -> None:
    data = dataclasses.replace(english_workshop(), facilitator_seconds=900.0)
    summary = build_summary(data)
    intro = next(a for a in summary.adjustments if a.kind == "shorten_intro")
    assert "spoke for 15 of" in intro.reason


def test_identity_question_met_with_silence_is_moved_and_reworded() -> None:
    summary = build_summary(danish_workshop())
    kinds = [(a.kind, a.question_id) for a in summary.adjustments]
    assert ("reword", "q1") in kinds
    move = next(a for a in summary.adjustments if a.kind == "move")
    # q1 is last in the next plan's order: move it earlier.
    assert move.question_id == "q1" and move.to_position == 1


def test_moves_are_capped() -> None:
    data = danish_workshop()
    silent = tuple(
        dataclasses.replace(
            q,
            question_id=f"s{i}",
            position=10 + i,
            opened_offset=4000 + 100 * i,
            closed_offset=4090 + 100 * i,
            answers=(),
        )
        for i, q in enumerate(data.questions * 2)
    )
    data = dataclasses.replace(data, questions=(*data.questions, *silent), plan_question_ids=())
    summary = build_summary(data)
    assert sum(1 for a in summary.adjustments if a.kind == "move") <= 3


def test_anonymous_workshop_hides_pseudonyms_of_the_silent_from_the_group() -> None:
    data = danish_workshop()
    anon = tuple(
        dataclasses.replace(
            q, answers=tuple(dataclasses.replace(a, anonymous=True) for a in q.answers)
        )
        for q in data.questions
    )
    data = dataclasses.replace(
        data, questions=anon, participants=(*data.participants, "Deltager E")
    )
    group = build_summary(data, audience="group")
    assert group.participation.silent_participants == ()
    assert [p.pseudonym for p in group.participation.people] == ["Anonym"]
    md = render_markdown(group)
    for name in ("Deltager A", "Deltager B", "Deltager C", "Deltager D", "Deltager E"):
        assert name not in md.replace("Enig med Deltager A", "")
    facilitator = build_summary(data)
    assert facilitator.participation.silent_participants == ("Deltager E",)


def test_support_counts_people_not_labels_in_the_group_view() -> None:
    data = danish_workshop()
    q = data.questions[2]
    extra = AnswerData(
        "q8-x", "Deltager D", "Jeg bakker op om en database til opgaverne.", 1900, anonymous=True
    )
    answers = (*(dataclasses.replace(a, anonymous=a.id == "q8-2") for a in q.answers), extra)
    data = dataclasses.replace(
        data, questions=(data.questions[0], dataclasses.replace(q, answers=answers))
    )
    group = build_summary(data, audience="group")
    database = next(p for p in group.proposals if "database" in p.lemmas)
    assert database.supporters == ("Anonym",)
    assert database.support_count == 3  # C proposed too; B and D supported, both anonymous
