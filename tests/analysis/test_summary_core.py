"""The "what now" summary on invented Danish and English workshops."""

from __future__ import annotations

import dataclasses
import json

import pytest

from analysis.errors import InvalidParameter
from analysis.summary import build_summary
from analysis.summary.agreement import marker_of
from analysis.summary.export import to_csv, to_json
from analysis.summary.model import AnswerData, QuestionRunData, Summary, WorkshopData
from analysis.summary.participation import gini
from analysis.summary.proposals import group_lemma_sets, is_proposal
from analysis.summary.render_md import render_markdown
from analysis.summary.silences import is_hard
from tests.analysis.summary_fixtures import (
    danish_earlier,
    danish_workshop,
    english_workshop,
)


@pytest.fixture(scope="module")
def da_summary() -> Summary:
    return build_summary(danish_workshop(), earlier=[danish_earlier()], audience="facilitator")


@pytest.fixture(scope="module")
def da_group() -> Summary:
    return build_summary(danish_workshop(), earlier=[danish_earlier()], audience="group")


@pytest.fixture(scope="module")
def en_summary() -> Summary:
    return build_summary(english_workshop(), audience="facilitator")


@pytest.mark.parametrize(
    ("sentence", "lang"),
    [
        ("Vi skal samle opgaverne.", "da"),
        ("Man burde have en mentor.", "da"),
        ("Vi bør tale om det.", "da"),
        ("Det kunne være en god idé at holde møder.", "da"),
        ("Jeg foreslår en podcast.", "da"),
        ("Hvad med at lave en video?", "da"),
        ("We should share summaries.", "en"),
        ("I suggest a newsletter.", "en"),
        ("We could invite the authors.", "en"),
        ("Why don't we meet monthly?", "en"),
    ],
    ids=lambda v: v if len(v) == 2 else v[:24],
)
def test_proposal_patterns_match(sentence: str, lang: str) -> None:
    assert is_proposal(sentence, lang) is not None  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("sentence", "lang"),
    [("Det ved jeg ikke.", "da"), ("Vi har mange opgaver.", "da"), ("I don't know.", "en")],
)
def test_statements_are_not_proposals(sentence: str, lang: str) -> None:
    assert is_proposal(sentence, lang) is None  # type: ignore[arg-type]


def test_same_proposal_in_other_words_is_grouped(da_summary: Summary) -> None:
    database = [p for p in da_summary.proposals if "database" in p.lemmas]
    assert len(database) == 1, [p.text for p in da_summary.proposals]
    group = database[0]
    assert {m.answer_id for m in group.mentions} == {"q8-1", "q8-3"}
    assert group.proposers == ("Deltager A", "Deltager C")
    # B backed it ("bakker op"), so two people besides A stand behind it.
    assert group.supporters == ("Deltager B",)
    assert group.support_count == 2
    assert "q8-2" in group.supporting_answer_ids
    # Most supported first.
    assert da_summary.proposals[0] is group


def test_different_proposals_stay_apart(da_summary: Summary) -> None:
    texts = [p.text for p in da_summary.proposals]
    assert any("fyraftensmøde" in t for t in texts)
    assert any("mentorordning" in t for t in texts)
    assert any("podcast" in t for t in texts)
    ids = [p.id for p in da_summary.proposals]
    assert len(ids) == len(set(ids))


def test_english_proposals_grouped_and_supported(en_summary: Summary) -> None:
    intranet = [p for p in en_summary.proposals if "intranet" in p.lemmas]
    assert len(intranet) == 1
    assert set(intranet[0].proposers) == {"Participant A", "Participant C"}
    assert intranet[0].supporters == ("Participant B",)
    invite = [p for p in en_summary.proposals if "invite" in p.lemmas]
    assert invite and invite[0].support_count == 0  # C disagreed: no support


def test_grouping_threshold_is_checked() -> None:
    with pytest.raises(InvalidParameter, match="threshold"):
        group_lemma_sets([frozenset({"a"})], threshold=0)
    assert group_lemma_sets(
        [frozenset({"a", "b"}), frozenset({"a", "b", "c"}), frozenset({"x"})], threshold=0.5
    ) == [0, 0, 1]


def test_agreement_attributed_to_speaker_and_target(da_summary: Summary) -> None:
    q0 = next(q for q in da_summary.questions if q.question_id == "q0")
    by_answer = {s.answer_id: s for s in q0.signals}
    assert by_answer["q0-2"].kind == "agree"
    assert by_answer["q0-2"].speaker == "Deltager B"
    assert by_answer["q0-2"].target == "Deltager A"
    assert by_answer["q0-3"].kind == "disagree"
    assert by_answer["q0-3"].speaker == "Deltager C"
    # "Ja, …" opening the question agrees with nobody.
    assert "q0-1" not in by_answer
    q8 = next(q for q in da_summary.questions if q.question_id == "q8")
    plus_one = next(s for s in q8.signals if s.answer_id == "q8-5")
    assert (plus_one.speaker, plus_one.target) == ("Deltager A", "Deltager D")


def test_english_agreement_names_the_person(en_summary: Summary) -> None:
    q = en_summary.questions[0]
    agree = next(s for s in q.signals if s.kind == "agree")
    assert (agree.speaker, agree.target, agree.target_answer_id) == (
        "Participant B",
        "Participant A",
        "en-1",
    )
    disagree = next(s for s in q.signals if s.kind == "disagree")
    assert (disagree.speaker, disagree.target) == ("Participant C", "Participant B")


@pytest.mark.parametrize(
    ("text", "lang", "kind"),
    [
        ("Jeg er enig", "da", "agree"),
        ("Jeg er uenig", "da", "disagree"),
        ("Det er jeg ikke enig i", "da", "disagree"),
        ("Jeg bakker op", "da", "agree"),
        ("+1", "da", "agree"),
        ("I agree", "en", "agree"),
        ("I don't agree at all", "en", "disagree"),
    ],
)
def test_markers(text: str, lang: str, kind: str) -> None:
    found = marker_of(text, lang)  # type: ignore[arg-type]
    assert found is not None and found[0] == kind


def test_silent_question_flagged_and_compared_with_series(da_summary: Summary) -> None:
    silent = {s.question_id: s for s in da_summary.silences}
    assert "q1" in silent
    assert "hard" in silent["q1"].reasons
    assert set(silent["q1"].hard_answer_ids) == {"q1-1", "q1-2"}
    assert silent["q1"].earlier and silent["q1"].earlier[0].workshop_id == "w1"
    assert silent["q1"].earlier[0].flagged
    assert "q8" not in silent


def test_unanswered_question_flagged() -> None:
    data = danish_workshop()
    empty = QuestionRunData(
        "q5", "Hvordan sikrer vi mening?", position=5, opened_offset=3300, closed_offset=3500
    )
    summary = build_summary(dataclasses.replace(data, questions=(*data.questions, empty)))
    silence = next(s for s in summary.silences if s.question_id == "q5")
    assert silence.reasons == ("no_answers",)


def test_hard_markers() -> None:
    assert is_hard("Det er virkelig svært", "da")
    assert is_hard("Ved ikke", "da")
    assert is_hard("Hard to say, honestly", "en")
    assert not is_hard("Vi skal dele opgaverne", "da")


def test_term_new_to_series_reported(da_summary: Summary) -> None:
    new_terms = {t.term: t for t in da_summary.novelty.new_terms}
    assert "database" in new_terms
    assert set(new_terms["database"].answer_ids) >= {"q8-1", "q8-3"}
    # "opgave" was used in workshop 1 already.
    assert "opgave" not in new_terms
    assert da_summary.novelty.compared_with == 1
    assert "kompetenceudvikling" in da_summary.novelty.untouched_themes


def test_proposal_made_before_is_not_new() -> None:
    again = danish_earlier()
    summary = build_summary(danish_workshop(), earlier=[again, danish_workshop()])
    assert summary.novelty.new_proposals == ()
    assert not any(p.new for p in summary.proposals)


def test_first_workshop_has_nothing_to_compare(en_summary: Summary) -> None:
    assert en_summary.novelty.compared_with == 0
    assert en_summary.novelty.new_terms == ()


def test_participation_counts_without_ranking(da_summary: Summary) -> None:
    part = da_summary.participation
    names = [p.pseudonym for p in part.people]
    assert names == sorted(names)
    counts = {p.pseudonym: p.answers for p in part.people}
    assert counts == {"Deltager A": 5, "Deltager B": 4, "Deltager C": 3, "Deltager D": 3}
    assert part.private_answers == 1
    assert 0 <= part.gini_answers < 0.5
    assert gini([1, 1, 1, 1]) == 0
    assert gini([0, 0, 0, 10]) > 0.7


def test_late_answers_counted() -> None:
    data = danish_workshop()
    q = data.questions[0]
    late = AnswerData(
        "late-1", "Deltager D", "Vi skal huske det.", offset_seconds=(q.closed_offset or 0) + 60
    )
    data = dataclasses.replace(
        data, questions=(dataclasses.replace(q, answers=(*q.answers, late)), *data.questions[1:])
    )
    part = build_summary(data).participation
    assert part.late_answers == 1
    assert next(p for p in part.people if p.pseudonym == "Deltager D").late_answers == 1


def _every_string(value: object) -> str:
    return (
        json.dumps(json.loads(to_json(value)), ensure_ascii=False)
        if isinstance(value, Summary)
        else str(value)
    )


def test_group_summary_never_exposes_private_or_anonymous(
    da_group: Summary, da_summary: Summary
) -> None:
    secret = "demotiverende"
    anonymous_text = "podcast om opgaverne"
    outputs = [render_markdown(da_group), to_json(da_group), to_csv(da_group)]
    for out in outputs:
        assert secret not in out
        assert "q8-6" not in out  # not even the private answer's id
    # The anonymous answer's content may show, but never its author.
    md = render_markdown(da_group)
    line = next(line for line in md.splitlines() if anonymous_text in line and line.startswith(">"))
    assert "Deltager B" not in line and "Anonym" in line
    podcast = next(p for p in da_group.proposals if "podcast" in p.lemmas)
    assert podcast.proposers == ("Anonym",)
    assert all(
        "Deltager B" not in q.pseudonym
        for sec in da_group.questions
        for q in sec.quotes
        if q.answer_id == "q9-1"
    )
    # The private answer is still counted, and the facilitator sees it all.
    q8 = next(q for q in da_group.questions if q.question_id == "q8")
    assert q8.private_answers == 1 and q8.answers == 7
    assert secret in render_markdown(da_summary)
    assert "Deltager B" in next(
        q.pseudonym for sec in da_summary.questions for q in sec.quotes if q.answer_id == "q9-1"
    )


def test_workshop_without_answers_gives_friendly_summary() -> None:
    data = WorkshopData(
        id="w9",
        title="Tom workshop",
        lang="da",
        participants=("Deltager A",),
        questions=(QuestionRunData("q0", "Hvad er HKs værdier?", 1, 0, 600),),
    )
    summary = build_summary(data, audience="group")
    assert summary.empty
    md = render_markdown(summary)
    assert "ingen svar" in md.lower()
    assert len(md.splitlines()) < 20
    assert json.loads(to_json(summary))["empty"] is True
    english = build_summary(dataclasses.replace(data, lang="en", questions=()))
    assert "No answers" in render_markdown(english)


def test_adjustments_rest_on_answers_and_follow_the_method(da_summary: Summary) -> None:
    kinds = {(a.kind, a.question_id) for a in da_summary.adjustments}
    assert ("reword", "q1") in kinds
    assert ("keep", "q8") in kinds
    assert ("add_follow_up", "q8") in kinds
    for a in da_summary.adjustments:
        assert a.reason
        assert a.answer_ids, a
    reword = next(a for a in da_summary.adjustments if a.kind == "reword")
    assert reword.text and "Hvad er HKs værdier?" in reword.text
    assert "tidligere workshops" in reword.reason  # silent in workshop 1 too


def test_bad_options_are_refused() -> None:
    with pytest.raises(InvalidParameter, match="audience"):
        build_summary(danish_workshop(), audience="everyone")  # type: ignore[arg-type]
    with pytest.raises(InvalidParameter, match="lang"):
        build_summary(danish_workshop(), lang="de")  # type: ignore[arg-type]


def test_markdown_quotes_with_offset_and_pseudonym(en_summary: Summary) -> None:
    md = render_markdown(en_summary)
    assert "> 00:02:30 Participant A: We should publish" in md
    assert "## Proposals" in md and "## Silences and hard questions" in md


def test_csv_has_one_row_per_answer(da_summary: Summary) -> None:
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(to_csv(da_summary))))
    assert len(rows) == 15
    row = next(r for r in rows if r["answer_id"] == "q8-1")
    assert row["offset"] == "00:25:20" and "P1" in row["in_proposals"]


def test_question_asked_twice_keeps_its_runs_apart() -> None:
    data = danish_workshop()
    q8 = data.questions[2]
    again = dataclasses.replace(
        q8,
        position=5,
        opened_offset=3300,
        closed_offset=3500,
        answers=(
            AnswerData(
                "r-1", "Deltager B", "Vi skal have en fælles database til opgaverne nu.", 3320
            ),
            AnswerData("r-2", "Deltager D", "Enig med Deltager B.", 3340),
        ),
    )
    summary = build_summary(dataclasses.replace(data, questions=(*data.questions, again)))
    runs = [q for q in summary.questions if q.question_id == "q8"]
    assert [len(r.quotes) for r in runs] == [7, 2]
    second = {s.answer_id: s for s in runs[1].signals}
    assert second["r-2"].target == "Deltager B"
    assert not any(s.answer_id == "r-2" for s in runs[0].signals)
    database = next(p for p in summary.proposals if "database" in p.lemmas)
    assert "r-1" in {m.answer_id for m in database.mentions}
    assert "Deltager D" in database.supporters
    kinds = [(a.kind, a.question_id) for a in summary.adjustments]
    assert len(kinds) == len(set(kinds))


def test_scale_answers_counted_by_their_picked_option() -> None:
    from analysis.summary.build import scale_distribution

    run = QuestionRunData(
        "s1",
        "Føler du dig rustet?",
        1,
        kind="scale",
        options=("I meget høj grad", "I høj grad", "I nogen grad"),
        answers=(
            AnswerData("1", "Deltager A", "", 10, value="I høj grad"),
            AnswerData("2", "Deltager B", "men kun lidt", 20, value="I nogen grad"),
            AnswerData("3", "Deltager C", "1", 30),
            AnswerData("4", "Deltager D", "måske", 40),
            AnswerData("5", "Deltager E", "I høj grad", 50, private=True),
        ),
    )
    assert scale_distribution(run, include_private=True) == (
        ("I meget høj grad", 1),
        ("I høj grad", 2),
        ("I nogen grad", 1),
        ("?", 1),
    )
    assert dict(scale_distribution(run, include_private=False))["I høj grad"] == 1


def test_english_summary_of_a_danish_workshop_still_reads_danish_answers() -> None:
    summary = build_summary(danish_workshop(), lang="en")
    assert summary.lang == "en"
    assert any("database" in p.lemmas for p in summary.proposals)
    md = render_markdown(summary)
    assert "## Proposals" in md and "Proposed by Deltager A" in md
