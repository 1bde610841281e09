"""The plan format: loading, located validation, rendering {org}, dumping and pure edits."""

from __future__ import annotations

import copy
import dataclasses
import doctest
import pickle
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import dialogs.errors
import dialogs.plans
import dialogs.plans.builtins
import dialogs.plans.edit
import dialogs.plans.loader
import dialogs.plans.model
import dialogs.plans.templates
from dialogs.errors import DialogError, PlanError, PlanIssue, TemplateError
from dialogs.plans import (
    FIVE_POINT_SCALE,
    LocalizedText,
    Phase,
    Plan,
    Question,
    add_question,
    copy_plan,
    drop_question,
    dump_plan,
    fill,
    format_time_box,
    get_builtin_plan,
    load_plan,
    move_question,
    new_question_id,
    parse_time_box,
    plan_from_data,
    plan_to_data,
    reorder_questions,
    reword_question,
    validate_plan,
    validate_plan_text,
)

BASE = textwrap.dedent(
    """\
    id: test-plan
    name: {da: Testplan, en: Test plan}
    languages: [da, en]
    time_box: 5m
    phases:
      - id: identity
        title: {da: Identitet, en: Identity}
      - id: values
        title: {da: Værdier, en: Values}
      - id: levels
        title: {da: Niveauer, en: Levels}
      - id: practice
        title: {da: Konkret praksis, en: Concrete practice}
    questions:
      - id: q1
        phase: identity
        text:
          da: Hvad er {org}s værdier?
          en: What are {org}'s values?
      - id: q2
        phase: values
        kind: scale
        options: five-point
        text:
          da: Giver det mening?
          en: Does it make sense?
      - id: q3
        phase: levels
        kind: choice
        time_box: 90s
        anonymous_allowed: false
        options:
          da: [Ja, Nej]
          en: ["Yes", "No"]
        text:
          da: Er I enige?
          en: Do you agree?
        follow_up:
          da: ["Hvorfor?"]
          en: ["Why?"]
      - id: q4
        phase: practice
        text:
          da: Hvordan kan viden deles?
          en: How can knowledge be shared?
    """
)


def base_data() -> dict[str, Any]:
    return yaml.safe_load(BASE)


def locations(issues: list[PlanIssue]) -> list[str]:
    return [i.location for i in issues]


# -- loading -----------------------------------------------------------------------------


def test_base_plan_loads_into_frozen_values() -> None:
    plan = load_plan(BASE)
    assert plan.id == "test-plan"
    assert plan.languages == ("da", "en")
    assert plan.question_ids == ("q1", "q2", "q3", "q4")
    assert [p.id for p in plan.phases] == ["identity", "values", "levels", "practice"]
    q2, q3 = plan.question("q2"), plan.question("q3")
    assert q2.kind == "scale" and q2.options == FIVE_POINT_SCALE
    assert q3.time_box == 90 and q3.anonymous_allowed is False
    assert plan.time_box_for(q3) == 90 and plan.time_box_for("q1") == 300
    assert plan.render_options("q3", "en") == ["Yes", "No"]
    assert plan.render_follow_up("q3", "da") == ["Hvorfor?"]
    with pytest.raises(AttributeError):
        plan.id = "other"  # type: ignore[misc]
    with pytest.raises(TypeError):
        plan.question("q1").text["da"] = "x"  # type: ignore[index]
    assert hash(plan) == hash(load_plan(BASE))


def test_load_plan_reads_a_path_and_a_path_string(tmp_path: Path) -> None:
    file = tmp_path / "plan.yaml"
    file.write_text(BASE, encoding="utf-8")
    assert load_plan(file) == load_plan(str(file)) == load_plan(BASE)


def test_load_plan_names_a_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(PlanError) as info:
        load_plan(str(missing))
    assert "cannot read" in str(info.value) and str(missing) in str(info.value)


def test_plain_name_applies_to_every_language_and_one_language_plans_take_plain_texts() -> None:
    text = textwrap.dedent(
        """\
        id: solo
        name: Kun dansk
        languages: [da]
        phases: [{id: p, title: Fase}]
        questions:
          - {id: a, phase: p, text: "Hvad nu?", follow_up: ["Og så?"]}
          - {id: b, phase: p, kind: choice, text: "Vælg", options: [Ja, Nej]}
        """
    )
    plan = load_plan(text)
    assert plan.name == {"da": "Kun dansk"}
    assert plan.question("a").follow_up == (LocalizedText({"da": "Og så?"}),)
    assert plan.render_options("b", "da") == ["Ja", "Nej"]
    two = load_plan(BASE.replace("name: {da: Testplan, en: Test plan}", "name: Fælles navn"))
    assert two.name == {"da": "Fælles navn", "en": "Fælles navn"}


def test_dump_round_trips_and_writes_readable_yaml() -> None:
    plan = load_plan(BASE)
    text = dump_plan(plan)
    assert load_plan(text) == plan
    assert "Hvad er {org}s værdier?" in text  # Danish letters and braces as written
    assert "languages: [da, en]" in text
    assert "time_box: 1m30s" in text
    assert validate_plan_text(text) == []


def test_plan_from_data_and_plan_to_data_agree() -> None:
    plan = load_plan(BASE)
    assert plan_from_data(plan_to_data(plan)) == plan
    with pytest.raises(PlanError):
        plan_from_data({"id": "x"})


def test_localized_text_is_an_immutable_hashable_picklable_mapping() -> None:
    text = LocalizedText({"da": "Hej", "en": "Hi"})
    assert text == {"da": "Hej", "en": "Hi"}
    assert text == LocalizedText([("en", "Hi"), ("da", "Hej")])
    assert hash(text) == hash(LocalizedText({"en": "Hi", "da": "Hej"}))
    assert pickle.loads(pickle.dumps(text)) == text
    changed = text.replace("en", "Hello")
    assert changed["en"] == "Hello" and text["en"] == "Hi"


def test_plans_pickle_for_state_storage() -> None:
    plan = load_plan(BASE)
    assert pickle.loads(pickle.dumps(plan)) == plan


# -- validation: every kind of error at its location --------------------------------------


def _drop(path: list[Any]) -> Any:
    def mutate(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def _set(path: list[Any], value: Any) -> Any:
    def mutate(data: dict[str, Any]) -> None:
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


CASES = [
    pytest.param(
        _drop(["questions", 3, "text", "en"]),
        "questions[3].text.en",
        "missing (the plan declares languages da, en)",
        id="missing-translation",
    ),
    pytest.param(
        _set(["questions", 3, "phase"], "valuez"),
        "questions[3].phase",
        "\"valuez\" is not a phase (did you mean 'values'?); phases are identity, "
        "values, levels, practice",
        id="unknown-phase",
    ),
    pytest.param(
        _set(["questions", 2, "id"], "q1"),
        "questions[2].id",
        '"q1" is used twice (also questions[0])',
        id="duplicate-question-id",
    ),
    pytest.param(
        _set(["phases", 1, "id"], "identity"),
        "phases[1].id",
        "'identity' is used twice",
        id="duplicate-phase-id",
    ),
    pytest.param(
        _set(["questions", 0, "kind"], "essay"),
        "questions[0].kind",
        "'essay' is not a kind",
        id="unknown-kind",
    ),
    pytest.param(
        _drop(["questions", 2, "options"]),
        "questions[2].options",
        "missing; a choice question needs its options",
        id="choice-without-options",
    ),
    pytest.param(
        _drop(["questions", 1, "options"]),
        "questions[1].options",
        "missing; a scale question needs its options",
        id="scale-without-options",
    ),
    pytest.param(
        _set(["questions", 1, "options"], "seven-point"),
        "questions[1].options",
        "'seven-point' is not a named option list",
        id="unknown-option-preset",
    ),
    pytest.param(
        _set(["questions", 2, "options"], {"da": ["Ja"], "en": ["Yes"]}),
        "questions[2].options",
        "needs at least 2 options",
        id="one-option",
    ),
    pytest.param(
        _set(["questions", 2, "options"], {"da": ["Ja", "Nej", "Måske"], "en": ["Yes", "No"]}),
        "questions[2].options.en",
        "has 2 options but da has 3",
        id="option-count-differs",
    ),
    pytest.param(
        _set(["questions", 2, "options"], {"da": ["Ja", "Ja"], "en": ["Yes", "No"]}),
        "questions[2].options.da",
        "'Ja' appears twice",
        id="duplicate-option",
    ),
    pytest.param(
        _set(["questions", 0, "options"], {"da": ["a", "b"], "en": ["a", "b"]}),
        "questions[0].options",
        "a text question takes no options",
        id="text-with-options",
    ),
    pytest.param(
        _set(["questions", 0, "time_box"], "5 minutes"),
        "questions[0].time_box",
        "'5 minutes' is not a time box",
        id="bad-time-box",
    ),
    pytest.param(
        _set(["questions", 0, "time_box"], 0),
        "questions[0].time_box",
        "0 seconds is not allowed",
        id="zero-time-box",
    ),
    pytest.param(_set(["time_box"], "9h"), "time_box", "between 10s and 3h", id="long-time-box"),
    pytest.param(
        _set(["questions", 0, "text", "en"], "What are {organisation}'s values?"),
        "questions[0].text.en",
        "unknown placeholder {organisation}",
        id="unknown-placeholder",
    ),
    pytest.param(
        _set(["questions", 0, "text", "da"], "Hvad er {org s værdier?"),
        "questions[0].text.da",
        "a lone '{'",
        id="lone-brace",
    ),
    pytest.param(
        _set(["phases", 0, "title", "en"], "{x}"),
        "phases[0].title.en",
        "unknown placeholder {x}",
        id="placeholder-in-title",
    ),
    pytest.param(
        _set(["questions", 2, "follow_up", "en"], ["{who}?"]),
        "questions[2].follow_up.en[0]",
        "unknown placeholder {who}",
        id="placeholder-in-follow-up",
    ),
    pytest.param(
        _set(["questions", 0, "text", "de"], "Was?"),
        "questions[0].text.de",
        "'de' is not one of the plan's languages",
        id="undeclared-language-text",
    ),
    pytest.param(
        _set(["questions", 0, "text"], "Hvad?"),
        "questions[0].text",
        "a single text, but the plan declares languages da, en",
        id="plain-text-two-languages",
    ),
    pytest.param(
        _set(["questions", 0, "text", "da"], "  "), "questions[0].text.da", "empty", id="empty-text"
    ),
    pytest.param(
        _set(["questions", 0, "text", "da"], 42),
        "questions[0].text.da",
        "must be text; found the number 42",
        id="number-as-text",
    ),
    pytest.param(
        _set(["questions", 0, "anonymous_allowed"], "yes"),
        "questions[0].anonymous_allowed",
        "must be true or false",
        id="anonymous-not-bool",
    ),
    pytest.param(
        _set(["questions", 0, "txt"], "x"),
        "questions[0].txt",
        "unknown key (did you mean 'text'?)",
        id="unknown-question-key",
    ),
    pytest.param(_set(["titel"], "x"), "titel", "unknown key", id="unknown-plan-key"),
    pytest.param(
        _drop(["questions", 0, "phase"]),
        "questions[0].phase",
        "missing",
        id="question-without-phase",
    ),
    pytest.param(_drop(["name"]), "name", "missing", id="plan-without-name"),
    pytest.param(_set(["id"], "Min Plan"), "id", "not a valid id", id="bad-plan-id"),
    pytest.param(
        _set(["questions", 0, "id"], "Q 1!"),
        "questions[0].id",
        "not a valid id",
        id="bad-question-id",
    ),
    pytest.param(
        _set(["languages"], ["da", "de"]),
        "languages[1]",
        "'de' is not a supported language; use da, en",
        id="unsupported-language",
    ),
    pytest.param(
        _set(["languages"], ["da", "da"]), "languages[1]", "listed twice", id="language-twice"
    ),
    pytest.param(_set(["languages"], []), "languages", "empty", id="no-languages"),
    pytest.param(
        _set(["questions"], []),
        "questions",
        "empty; a plan needs at least one question",
        id="no-questions",
    ),
    pytest.param(
        _set(["phases"], "identity"), "phases", "must be a list of phases", id="phases-not-a-list"
    ),
    pytest.param(
        _set(["questions", 0], "Hvad er værdier?"),
        "questions[0]",
        "must be a question",
        id="question-not-a-mapping",
    ),
    pytest.param(
        _set(["organisation"], "{HK}"),
        "organisation",
        "cannot contain braces",
        id="braces-in-organisation",
    ),
]


@pytest.mark.parametrize(("mutate", "location", "message"), CASES)
def test_validation_reports_the_error_at_its_location(
    mutate: Any, location: str, message: str
) -> None:
    data = base_data()
    mutate(data)
    text = yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    issues = validate_plan_text(text)
    matching = [i for i in issues if i.location == location]
    assert matching, f"no issue at {location}; got {[str(i) for i in issues]}"
    assert any(message in i.message for i in matching), [str(i) for i in matching]
    assert all(i.line is not None for i in issues), "every issue from a text has a line"
    with pytest.raises(PlanError) as info:
        load_plan(text)
    assert location in str(info.value)


def test_valid_base_has_no_issues() -> None:
    assert validate_plan_text(BASE) == []


def test_reports_every_error_at_once_with_lines() -> None:
    text = textwrap.dedent(
        """\
        id: many
        name: Mange fejl
        languages: [da, en]
        phases:
          - id: values
            title: {da: Værdier, en: Values}
        questions:
          - id: q1
            phase: valuez
            text:
              da: Hvad er {org}s værdier?
          - id: q1
            phase: values
            kind: scales
            text: {da: a, en: b}
          - id: q3
            phase: values
            kind: scale
            time_box: 5 minutter
            text: {da: "{orgg}", en: b}
        """
    )
    issues = validate_plan_text(text)
    got = {(i.location, i.line) for i in issues}
    assert got == {
        ("questions[0].phase", 9),
        ("questions[0].text.en", 10),
        ("questions[1].id", 12),
        ("questions[1].kind", 14),
        ("questions[2].options", 16),
        ("questions[2].time_box", 19),
        ("questions[2].text.da", 20),
    }
    assert [i.line for i in issues] == sorted(i.line or 0 for i in issues)
    with pytest.raises(PlanError) as info:
        load_plan(text)
    message = str(info.value)
    assert message.startswith("7 problems in the plan:")
    for issue in issues:
        assert str(issue) in message


def test_duplicate_yaml_keys_are_reported_not_silently_overwritten() -> None:
    text = BASE.replace("  - id: q4\n", "  - id: q4\n    id: q5\n")
    issues = validate_plan_text(text)
    assert [(i.location, "twice" in i.message) for i in issues] == [("questions[3].id", True)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("id: [x\nname: y\n", "not valid YAML", id="syntax"),
        pytest.param("", "the plan is empty", id="empty"),
        pytest.param("- id: x\n", "must be a plan", id="list-at-top"),
        pytest.param("just text\n", "must be a plan", id="scalar-at-top"),
        pytest.param("id: a\n---\nid: b\n", "not valid YAML", id="two-documents"),
    ],
)
def test_broken_files_give_one_clear_issue(text: str, expected: str) -> None:
    issues = validate_plan_text(text)
    assert len(issues) >= 1
    assert expected in issues[0].message


def test_syntax_error_has_its_line() -> None:
    text = BASE.replace("      da: Er I enige?", "      da: [Er I enige?")
    (issue,) = validate_plan_text(text)
    assert (
        issue.line is not None
        and abs(issue.line - BASE.splitlines().index("      da: Er I enige?") - 1) <= 2
    )


def test_validate_plan_checks_plans_built_in_code() -> None:
    plan = load_plan(BASE)
    bad = Plan(
        id=plan.id,
        name=plan.name,
        languages=plan.languages,
        phases=plan.phases,
        questions=(
            *plan.questions,
            Question(id="q9", phase="nowhere", text={"da": "x"}, kind="scale"),
        ),
    )
    got = set(locations(validate_plan(bad)))
    assert {"questions[4].phase", "questions[4].text.en", "questions[4].options"} <= got
    assert all(i.line is None for i in validate_plan(bad))


def test_plan_error_message_lists_one_issue_on_one_line() -> None:
    error = PlanError([PlanIssue("questions[0].kind", "'x' is not a kind", 7)])
    assert str(error) == "plan: line 7: questions[0].kind: 'x' is not a kind"
    assert isinstance(error, DialogError)


# -- rendering ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "org", "lang", "expected"),
    [
        pytest.param(
            "Hvad er {org}s værdier?", "HK", "da", "Hvad er HKs værdier?", id="da-genitive"
        ),
        pytest.param(
            "Hvad er {org}s værdier?", "Mols", "da", "Hvad er Mols' værdier?", id="da-genitive-s"
        ),
        pytest.param(
            "Hvad er {org}s værdier?",
            "Novo Nordisk",
            "da",
            "Hvad er Novo Nordisks værdier?",
            id="da-genitive-k",
        ),
        pytest.param("{org}sk praksis", "Mols", "da", "Molssk praksis", id="da-s-inside-word"),
        pytest.param("What are {org}'s values?", "Mols", "en", "What are Mols's values?", id="en"),
        pytest.param("Har {org} et ansvar?", "HK", "da", "Har HK et ansvar?", id="plain"),
        pytest.param("{{org}} er {org}", "HK", "da", "{org} er HK", id="escaped-braces"),
        pytest.param("{org}", "{evil}", "da", "{evil}", id="value-not-reinterpreted"),
    ],
)
def test_fill(template: str, org: str, lang: str, expected: str) -> None:
    assert fill(template, {"org": org}, lang=lang) == expected


@pytest.mark.parametrize(
    ("template", "values", "expected"),
    [
        pytest.param("Hvad er {orgg}?", {"org": "HK"}, "unknown placeholder {orgg}", id="unknown"),
        pytest.param("Hvad er {org}?", {}, "no value for {org}", id="no-org"),
        pytest.param("Hvad er {org}?", {"org": "  "}, "no value for {org}", id="blank-org"),
        pytest.param("Hvad er {org?", {"org": "HK"}, "a lone '{'", id="lone-brace"),
        pytest.param("Hvad er org}?", {"org": "HK"}, "a lone '}'", id="lone-closing-brace"),
    ],
)
def test_fill_never_leaves_a_placeholder_silently(
    template: str, values: dict[str, str], expected: str
) -> None:
    with pytest.raises(
        TemplateError, match=expected.replace("{", r"\{").replace("}", r"\}").replace("?", r"\?")
    ):
        fill(template, values, lang="da")


def test_render_uses_the_plan_organisation_unless_one_is_given() -> None:
    plan = load_plan(BASE.replace("languages: [da, en]", "languages: [da, en]\norganisation: HK"))
    assert plan.organisation == "HK"
    assert plan.render("q1", "da") == "Hvad er HKs værdier?"
    assert plan.render("q1", "en", "Mols") == "What are Mols's values?"
    assert plan.render(plan.questions[0], None) == "Hvad er HKs værdier?"  # default language


def test_render_errors_are_clear() -> None:
    plan = load_plan(BASE)
    with pytest.raises(TemplateError, match="give the organisation's name"):
        plan.render("q1", "da")
    with pytest.raises(DialogError, match="no texts in 'de'"):
        plan.render("q1", "de", "HK")
    with pytest.raises(DialogError, match=r"no question 'q99'.*q1, q2, q3, q4"):
        plan.render("q99", "da", "HK")


# -- time boxes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("5m", 300),
        ("5 min", 300),
        ("90s", 90),
        ("1m30s", 90),
        ("1h", 3600),
        (300, 300),
        ("300", 300),
        ("2h 5m", 7500),
    ],
)
def test_parse_time_box(value: object, seconds: int) -> None:
    assert parse_time_box(value) == seconds


@pytest.mark.parametrize(
    "value", ["", "5", "fem minutter", "5x", 5, 3 * 3600 + 1, -60, True, 2.5, None]
)
def test_parse_time_box_rejects(value: object) -> None:
    with pytest.raises(ValueError, match="time box"):
        parse_time_box(value)


@given(st.integers(min_value=10, max_value=3 * 3600))
def test_time_box_format_round_trips(seconds: int) -> None:
    assert parse_time_box(format_time_box(seconds)) == seconds


# -- property: any generated plan round-trips through dump/load ---------------------------

_words = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_characters="{}", exclude_categories=("Cs", "Cc", "Zl", "Zp")
    ),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() != "" and s == s.strip())
_ids = st.from_regex(r"[a-z0-9][a-z0-9_-]{0,10}", fullmatch=True)


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    langs = draw(st.sampled_from([("da",), ("en",), ("da", "en"), ("en", "da")]))

    def text() -> LocalizedText:
        return LocalizedText({lang: draw(_words) for lang in langs})

    phase_ids = draw(st.lists(_ids, min_size=1, max_size=3, unique=True))
    phases = tuple(Phase(id=p, title=text()) for p in phase_ids)
    qids = draw(st.lists(_ids, min_size=1, max_size=5, unique=True))
    questions = []
    for qid in qids:
        kind = draw(st.sampled_from(["text", "scale", "choice"]))
        n = 0 if kind == "text" else draw(st.integers(2, 4))
        options = tuple(
            LocalizedText({lang: f"{draw(_words)} {i}" for lang in langs}) for i in range(n)
        )
        questions.append(
            Question(
                id=qid,
                phase=draw(st.sampled_from(phase_ids)),
                text=text(),
                kind=kind,
                options=options,
                time_box=draw(st.none() | st.integers(10, 3 * 3600)),
                anonymous_allowed=draw(st.booleans()),
                follow_up=tuple(text() for _ in range(draw(st.integers(0, 2)))),
            )
        )
    return Plan(
        id=draw(_ids),
        name=text(),
        languages=langs,
        phases=phases,
        questions=tuple(questions),
        description=draw(st.just(LocalizedText()) | st.builds(text)),
        organisation=draw(st.none() | _words),
        time_box=draw(st.none() | st.integers(10, 3 * 3600)),
    )


@settings(max_examples=60, deadline=None)
@given(plans())
def test_any_valid_plan_round_trips(plan: Plan) -> None:
    assert validate_plan(plan) == []
    assert load_plan(dump_plan(plan)) == plan


# -- edit operations -------------------------------------------------------------------------


@pytest.fixture
def plan() -> Plan:
    return load_plan(BASE)


def _assert_valid_and_unique(result: Plan) -> None:
    assert validate_plan(result) == []
    assert len(set(result.question_ids)) == len(result.question_ids)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        pytest.param({"to_index": 0}, ("q3", "q1", "q2", "q4"), id="to-start"),
        pytest.param({"to_index": -1}, ("q1", "q2", "q4", "q3"), id="to-end"),
        pytest.param({"to_index": 3}, ("q1", "q2", "q4", "q3"), id="to-last-index"),
        pytest.param({"before": "q2"}, ("q1", "q3", "q2", "q4"), id="before"),
        pytest.param({"after": "q4"}, ("q1", "q2", "q4", "q3"), id="after"),
        pytest.param({"after": "q1"}, ("q1", "q3", "q2", "q4"), id="after-first"),
        pytest.param({"to_index": 2}, ("q1", "q2", "q3", "q4"), id="same-place"),
    ],
)
def test_move_question(plan: Plan, kwargs: dict[str, Any], expected: tuple[str, ...]) -> None:
    before = copy.deepcopy(plan)
    moved = move_question(plan, "q3", **kwargs)
    assert moved.question_ids == expected
    assert plan == before and plan.question_ids == ("q1", "q2", "q3", "q4")
    assert moved.question("q3") == plan.question("q3")
    _assert_valid_and_unique(moved)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({}, "exactly one of", id="no-target"),
        pytest.param({"before": "q1", "after": "q2"}, "exactly one of", id="two-targets"),
        pytest.param({"to_index": 4}, "out of range", id="index-too-big"),
        pytest.param({"before": "q99"}, "no question 'q99'", id="unknown-anchor"),
        pytest.param({"before": "q3"}, "relative to itself", id="self"),
    ],
)
def test_move_question_errors(plan: Plan, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(PlanError, match=message):
        move_question(plan, "q3", **kwargs)


def test_move_unknown_question(plan: Plan) -> None:
    with pytest.raises(PlanError, match="no question 'q9'; the questions are q1, q2, q3, q4"):
        move_question(plan, "q9", to_index=0)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["q1", "q2", "q3", "q4"]), st.integers(-4, 3)), max_size=8)
)
def test_any_sequence_of_moves_keeps_the_same_questions(moves: list[tuple[str, int]]) -> None:
    original = load_plan(BASE)
    current = original
    for qid, index in moves:
        current = move_question(current, qid, to_index=index)
        assert current.question_ids[index] == qid
    assert sorted(current.questions, key=lambda q: q.id) == sorted(
        original.questions, key=lambda q: q.id
    )
    _assert_valid_and_unique(current)


def test_reorder_questions(plan: Plan) -> None:
    result = reorder_questions(plan, ["q4", "q3", "q2", "q1"])
    assert result.question_ids == ("q4", "q3", "q2", "q1")
    assert plan.question_ids == ("q1", "q2", "q3", "q4")
    with pytest.raises(PlanError, match=r"unknown: q9; missing: q1"):
        reorder_questions(plan, ["q9", "q2", "q3", "q4"])
    with pytest.raises(PlanError, match="repeated: q2"):
        reorder_questions(plan, ["q2", "q2", "q3", "q4", "q1"])


def test_reword_question(plan: Plan) -> None:
    result = reword_question(plan, "q1", "en", "Which values does {org} stand for?")
    assert result.render("q1", "en", "HK") == "Which values does HK stand for?"
    assert result.question("q1").text["da"] == plan.question("q1").text["da"]
    assert plan.question("q1").text["en"] == "What are {org}'s values?"
    _assert_valid_and_unique(result)


@pytest.mark.parametrize(
    ("qid", "lang", "text", "message"),
    [
        pytest.param("q1", "de", "Was?", "no language 'de'", id="unknown-language"),
        pytest.param("q1", "da", "{orgg}?", "unknown placeholder", id="bad-placeholder"),
        pytest.param("q1", "da", "   ", "empty", id="empty"),
        pytest.param("q7", "da", "x", "no question 'q7'", id="unknown-question"),
    ],
)
def test_reword_question_errors(plan: Plan, qid: str, lang: str, text: str, message: str) -> None:
    with pytest.raises(PlanError, match=message):
        reword_question(plan, qid, lang, text)


def test_add_question(plan: Plan) -> None:
    qid = new_question_id(plan)
    assert qid == "q5"
    question = Question(id=qid, phase="practice", text={"da": "Hvad mere?", "en": "What else?"})
    appended = add_question(plan, question)
    assert appended.question_ids == ("q1", "q2", "q3", "q4", "q5")
    first = add_question(plan, question, index=0)
    assert first.question_ids[0] == "q5"
    assert add_question(plan, question, index=-1).question_ids[-1] == "q5"
    assert len(plan.questions) == 4
    _assert_valid_and_unique(appended)


@pytest.mark.parametrize(
    ("question", "index", "location"),
    [
        pytest.param(
            Question(id="q1", phase="practice", text={"da": "a", "en": "b"}),
            None,
            "questions[4].id",
            id="duplicate-id",
        ),
        pytest.param(
            Question(id="q5", phase="nowhere", text={"da": "a", "en": "b"}),
            None,
            "questions[4].phase",
            id="unknown-phase",
        ),
        pytest.param(
            Question(id="q5", phase="practice", text={"da": "a"}),
            None,
            "questions[4].text.en",
            id="missing-language",
        ),
        pytest.param(
            Question(id="q5", phase="practice", text={"da": "a", "en": "b"}, kind="scale"),
            1,
            "questions[1].options",
            id="scale-without-options",
        ),
        pytest.param(
            Question(id="q5", phase="practice", text={"da": "a", "en": "b"}),
            9,
            "questions",
            id="index-out-of-range",
        ),
    ],
)
def test_add_question_errors(
    plan: Plan, question: Question, index: int | None, location: str
) -> None:
    with pytest.raises(PlanError) as info:
        add_question(plan, question, index=index)
    assert location in locations(list(info.value.issues))


def test_drop_question(plan: Plan) -> None:
    result = drop_question(plan, "q2")
    assert result.question_ids == ("q1", "q3", "q4")
    assert plan.question_ids == ("q1", "q2", "q3", "q4")
    with pytest.raises(PlanError, match="no question 'q9'"):
        drop_question(plan, "q9")
    single = drop_question(drop_question(result, "q1"), "q3")
    with pytest.raises(PlanError, match="only question"):
        drop_question(single, "q4")


def test_copy_plan(plan: Plan) -> None:
    copied = copy_plan(plan, new_id="hk-2026", new_name="HK efterår 2026")
    assert copied.id == "hk-2026"
    assert copied.name == {"da": "HK efterår 2026", "en": "HK efterår 2026"}
    assert copied.questions == plan.questions and plan.id == "test-plan"
    named = copy_plan(plan, new_id="x", new_name={"da": "Kopi", "en": "Copy"})
    assert named.display_name("en") == "Copy"
    with pytest.raises(PlanError, match="not a valid id"):
        copy_plan(plan, new_id="Ny Plan", new_name="x")
    with pytest.raises(PlanError, match=r"name\.en"):
        copy_plan(plan, new_id="x", new_name={"da": "Kopi"})


def test_edits_compose_on_a_builtin_plan_without_touching_it() -> None:
    default = get_builtin_plan("default")
    snapshot = dump_plan(default)
    plan = copy_plan(default, new_id="hk-2026", new_name="HK")
    plan = move_question(plan, "q0b", before="q0")
    plan = reword_question(plan, "q1", "da", "Hvad står {org} for?")
    plan = drop_question(plan, "q11")
    plan = add_question(
        plan,
        Question(
            id=new_question_id(plan), phase="practice", text={"da": "Hvad nu?", "en": "What now?"}
        ),
    )
    _assert_valid_and_unique(plan)
    assert plan.question_ids[:2] == ("q0b", "q0") and "q11" not in plan.question_ids
    assert plan.question_ids[-1] == "q13"
    assert dump_plan(get_builtin_plan("default")) == snapshot
    assert load_plan(dump_plan(plan)) == plan


# -- documentation examples run ---------------------------------------------------------------


@pytest.mark.parametrize(
    "module",
    [
        dialogs.errors,
        dialogs.plans,
        dialogs.plans.builtins,
        dialogs.plans.edit,
        dialogs.plans.loader,
        dialogs.plans.model,
        dialogs.plans.templates,
    ],
    ids=lambda m: m.__name__,
)
def test_doctests(module: Any) -> None:
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0


def test_the_example_in_docs_is_a_valid_plan(repo_root: Path) -> None:
    import re

    doc = (repo_root / "docs" / "plans.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(.*?)```", doc, re.S)
    assert example is not None
    assert validate_plan_text(example.group(1)) == []
    plan = load_plan(example.group(1))
    assert f"OK: {len(plan.questions)} questions, languages da, en" in doc
    assert plan.render("q0", "da") == (
        "Har HK et særligt ansvar for selv at efteruddanne sine medarbejdere og sikre transfer "
        "af viden?"
    )


def test_pure_python_yaml_gives_the_same_issues(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = BASE.replace("phase: values", "phase: valuez").replace("kind: choice", "kind: pick")
    broken += "  - id: q5\n    phase: practice\n    text: {da: [x\n"
    fast = validate_plan_text(broken.replace("text: {da: [x\n", "text: {da: x}\n"))
    fast_syntax = validate_plan_text(broken)
    monkeypatch.setattr(dialogs.plans.loader, "_LOADER", yaml.SafeLoader)
    assert validate_plan_text(broken.replace("text: {da: [x\n", "text: {da: x}\n")) == fast
    assert len(fast) >= 3
    (pure_syntax,) = validate_plan_text(broken)
    assert fast_syntax[0].line == pure_syntax.line


def test_question_accepts_options_and_prompts_as_lists_per_language(plan: Plan) -> None:
    question = Question(
        id="q5",
        phase="practice",
        text={"da": "Hvilken?", "en": "Which?"},
        kind="choice",
        options={"da": ["Rød", "Blå"], "en": ["Red", "Blue"]},
        follow_up={"da": ["Hvorfor?"], "en": ["Why?"]},
    )
    assert question.options == (
        LocalizedText({"da": "Rød", "en": "Red"}),
        LocalizedText({"da": "Blå", "en": "Blue"}),
    )
    assert add_question(plan, question).render_options("q5", "en") == ["Red", "Blue"]
    uneven = dataclasses.replace(question, options={"da": ["Rød", "Blå"], "en": ["Red"]})
    with pytest.raises(PlanError) as info:
        add_question(plan, uneven)
    assert "questions[4].options.en" in locations(list(info.value.issues))
    with pytest.raises(TypeError):
        Question(id="x", phase="p", text={"da": "x"}, options="Rød, Blå")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
                for i in range(8)
            ),
            "too large",
            id="alias-bomb",
        ),
        pytest.param("id: " + "[" * 40 + "]" * 40 + "\n", "nested more than", id="deep"),
        pytest.param("id: x\n" + "# " + "x" * 200_001 + "\n", "at most 200000", id="huge"),
    ],
)
def test_hostile_files_are_refused_quickly(text: str, expected: str) -> None:
    (issue,) = validate_plan_text(text)
    assert expected in issue.message
