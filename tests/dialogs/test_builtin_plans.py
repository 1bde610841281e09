"""The built-in plans: valid in Danish and English, faithful to the method, independent of cwd."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dialogs.errors import UnknownPlan
from dialogs.plans import (
    FIVE_POINT_SCALE,
    Plan,
    builtin_plan_ids,
    builtin_plan_text,
    dump_plan,
    get_builtin_plan,
    list_builtin_plans,
    load_plan,
    validate_plan,
    validate_plan_text,
)
from dialogs.plans import builtins as builtins_module

EXPECTED_IDS = (
    "default",
    "adjusted",
    "funktionskaede",
    "before-course",
    "after-course",
    "six-core-needs",
    "network-meeting",
)
ORGS = ("HK", "Mols", "Novo Nordisk")

#: The method's questions, Danish originals verbatim (../shared/METHOD.md).
METHOD_QUESTIONS = {
    "q0": "Har {org} et særligt ansvar for selv at efteruddanne sine medarbejdere og sikre "
    "transfer af viden?",
    "q0b": "Hvorfor sker transfer ikke hos os, og hvad skal vi gøre for at ændre den praksis?",
    "q1": "Hvad er {org}s værdier?",
    "q2": "Hvad er den enkelte ansattes værdier?",
    "q3": "Hvilke værdier giver mening i forhold til efteruddannelse?",
    "q4": "Når {org} har politiske holdninger til efteruddannelse, har det så en indflydelse på "
    "vores egne værdier i forhold til efteruddannelse?",
    "q5": "Hvordan sikrer vi, at efteruddannelse giver mening på individuelt niveau?",
    "q6": "Hvordan sikres en sammenhæng mellem efteruddannelse og afdelingens/sektorens mål?",
    "q7": "Forandringen skal også give mening på det organisatoriske niveau; man skal kunne se en "
    "sammenhæng med {org}s mission, vision og strategi. Hvordan skabes det?",
    "q8": "Hvordan kan viden fra efteruddannelse indsamles, kategoriseres og analyseres?",
    "q9": "Hvordan kan den viden formidles effektfuldt?",
    "q10": "Hvordan kan opgaver med kontroversielt indhold bearbejdes tillidsfuldt?",
    "q11": "Hvordan kan opgaver med fortroligt eller semifortroligt indhold bearbejdes "
    "tillidsfuldt?",
    "q12": "Hvordan kan {org}s udfordringer konverteres til aktuelle problemformuleringer?",
}


def all_texts(plan: Plan) -> list[dict[str, str]]:
    """Every per-language text of a plan."""
    texts = [dict(plan.name), *(dict(p.title) for p in plan.phases)]
    if plan.description:
        texts.append(dict(plan.description))
    for q in plan.questions:
        texts.append(dict(q.text))
        texts.extend(dict(o) for o in q.options)
        texts.extend(dict(f) for f in q.follow_up)
    return texts


def test_the_promised_plans_ship_in_order() -> None:
    assert builtin_plan_ids() == EXPECTED_IDS
    assert [p.id for p in list_builtin_plans()] == list(EXPECTED_IDS)


@pytest.mark.parametrize("plan_id", EXPECTED_IDS)
def test_builtin_plan_is_valid_in_danish_and_english(plan_id: str) -> None:
    text = builtin_plan_text(plan_id)
    assert validate_plan_text(text) == []
    plan = get_builtin_plan(plan_id)
    assert plan.id == plan_id, "the file name is the plan's id"
    assert plan.languages == ("da", "en")
    assert validate_plan(plan) == []
    for item in all_texts(plan):
        assert set(item) == {"da", "en"}
        assert all(value.strip() for value in item.values())
    assert all(plan.time_box_for(q) for q in plan.questions), "every question has a time box"
    assert all(60 <= (plan.time_box_for(q) or 0) <= 15 * 60 for q in plan.questions)


@pytest.mark.parametrize("plan_id", EXPECTED_IDS)
@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("org", ORGS)
def test_builtin_plan_renders_without_leftover_braces(plan_id: str, lang: str, org: str) -> None:
    plan = get_builtin_plan(plan_id)
    rendered = [plan.render(q, lang, org) for q in plan.questions]
    rendered += [o for q in plan.questions for o in plan.render_options(q, lang, org)]
    rendered += [f for q in plan.questions for f in plan.render_follow_up(q, lang, org)]
    rendered += [plan.display_name(lang, org), plan.render_text(plan.description, lang, org)]
    rendered += [plan.render_text(p.title, lang, org) for p in plan.phases]
    for text in rendered:
        assert "{" not in text and "}" not in text, text
    uses_org = [q for q in plan.questions if "{org}" in q.text[lang]]
    for q in uses_org:
        assert org in plan.render(q, lang, org)


@pytest.mark.parametrize("plan_id", EXPECTED_IDS)
def test_builtin_plan_round_trips(plan_id: str) -> None:
    plan = get_builtin_plan(plan_id)
    assert load_plan(dump_plan(plan)) == plan
    assert load_plan(builtin_plan_text(plan_id)) == plan


def test_default_plan_follows_the_method() -> None:
    plan = get_builtin_plan("default")
    assert [p.id for p in plan.phases] == ["identity", "values", "levels", "practice"]
    assert {q.id: q.text["da"] for q in plan.questions} == METHOD_QUESTIONS
    assert plan.question_ids == (
        "q0", "q1", "q2", "q3", "q4", "q5", "q6", "q7", "q0b", "q8", "q9", "q10", "q11", "q12",
    )  # fmt: skip
    phases = {q.id: q.phase for q in plan.questions}
    assert phases["q0"] == "identity" and phases["q0b"] == "practice"
    assert [phases[f"q{i}"] for i in range(1, 13)] == (
        ["identity"] * 2 + ["values"] * 2 + ["levels"] * 3 + ["practice"] * 5
    )
    assert plan.render("q1", "da", "HK") == "Hvad er HKs værdier?"
    assert plan.render("q1", "en", "HK") == "What are HK's values?"
    assert plan.render("q12", "da", "HK") == (
        "Hvordan kan HKs udfordringer konverteres til aktuelle problemformuleringer?"
    )
    total = sum(plan.time_box_for(q) or 0 for q in plan.questions)
    assert 40 * 60 <= total <= 55 * 60, "the questions fit a one-hour workshop with its intro"


def test_adjusted_plan_has_the_order_the_method_arrived_at() -> None:
    default, adjusted = get_builtin_plan("default"), get_builtin_plan("adjusted")
    assert {q.id: q.text for q in adjusted.questions} == {q.id: q.text for q in default.questions}
    assert adjusted.questions[0].id == "q0"
    assert adjusted.phase(adjusted.questions[0].phase).title["da"] == "Særligt ansvar"
    order = [q.phase for q in adjusted.questions]
    first_practice = order.index("practice")
    last_identity_or_values = max(i for i, p in enumerate(order) if p in ("identity", "values"))
    first_identity_or_values = min(i for i, p in enumerate(order) if p in ("identity", "values"))
    assert first_practice == 1
    assert first_identity_or_values > max(i for i, p in enumerate(order) if p == "practice")
    assert last_identity_or_values == len(order) - 1
    assert set(order[first_identity_or_values:]) == {"identity", "values"}


def test_after_course_uses_the_five_point_scale() -> None:
    plan = get_builtin_plan("after-course")
    assert len(plan.questions) == 3
    for q in plan.questions:
        assert q.kind == "scale"
        assert q.options == FIVE_POINT_SCALE
    assert plan.render_options(plan.questions[0], "da") == [
        "I meget høj grad",
        "I høj grad",
        "I nogen grad",
        "I ringe grad",
        "I meget ringe grad",
    ]
    assert (
        plan.questions[0].text["da"]
        == "Har du fået indfriet dine forventninger til læringsforløbet?"
    )


def test_six_core_needs_has_one_round_per_need() -> None:
    plan = get_builtin_plan("six-core-needs")
    needs = ["Tryghed", "Inklusion", "Status", "Kontrol", "Kompetencer", "Retfærdighed"]
    assert [p.title["da"] for p in plan.phases] == needs
    for phase, need in zip(plan.phases, needs, strict=True):
        questions = plan.questions_in(phase.id)
        assert len(questions) == 2
        assert questions[0].text["da"] == (
            f"{need}: Hvordan møder vores forandringsproces opfyldelsen af dette behov?"
        )
        assert questions[1].text["da"] == (
            f"{need}: Hvad skal vi øge eller ændre på, så vi minimerer modstanden og øger "
            "engagementet?"
        )


@pytest.mark.parametrize(
    ("plan_id", "danish"),
    [
        ("funktionskaede", "Hvem er jeres kunder (internt såvel som eksternt)?"),
        ("funktionskaede", "Hvordan er relationerne i afdelingen, og hvordan kan disse bidrage til "
         "kompetencer for at løse opgaverne?"),
        ("before-course", "Hvad skal jeg kunne?"),
        ("before-course", "Hvordan bidrager det til organisationens målsætning?"),
        ("network-meeting", "Siden sidst – hvad blev aftalt sidste gang?"),
        ("network-meeting", "Hvad lærte vi, og hvad kan vi bruge det til?"),
    ],
)  # fmt: skip
def test_optional_plans_keep_the_danish_originals(plan_id: str, danish: str) -> None:
    assert danish in [q.text["da"] for q in get_builtin_plan(plan_id).questions]


def test_english_texts_are_translations_not_copies() -> None:
    for plan in list_builtin_plans():
        for q in plan.questions:
            assert q.text["da"] != q.text["en"], (plan.id, q.id)
            danish_letters = re.search(r"[æøåÆØÅ]", q.text["en"])
            assert danish_letters is None, (plan.id, q.id, q.text["en"])


def test_builtin_plans_load_from_the_package_not_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    get_builtin_plan.cache_clear()
    builtins_module.builtin_plan_ids.cache_clear()
    assert get_builtin_plan("default").id == "default"
    assert builtin_plan_ids() == EXPECTED_IDS


def test_unknown_builtin_plan_names_the_ones_that_exist() -> None:
    with pytest.raises(UnknownPlan, match="no built-in plan 'defualt'; built-in plans are default"):
        get_builtin_plan("defualt")
