"""The rules of dialogs.permissions, one table each (the attacks through the app are in
tests/hostile/test_plan_owners.py and tests/hostile/test_membership.py)."""

from __future__ import annotations

import pytest

from dialogs.permissions import (
    Person,
    is_operator,
    may_answer_for,
    may_edit_plan,
    may_follow_up_from_summary,
    may_join_series,
    may_make_topic,
    may_see_outputs,
    may_use_summary_forms,
    parse_operators,
)

ANNA = Person("29:anna", "aad-anna")
BO = Person("29:bo", "aad-bo")
OPS = frozenset({"aad-ops", "aad-bo-not"})


@pytest.mark.parametrize(
    ("person", "owners", "builtin", "operators", "reason"),
    [
        (ANNA, ("29:anna",), False, frozenset(), ""),
        (ANNA, ("29:bo", "aad-anna"), False, frozenset(), ""),  # co-owner by Entra id
        (BO, ("29:anna",), False, frozenset(), "plan_not_owner"),
        (BO, (None,), False, frozenset(), "plan_no_owner"),
        (BO, None, False, frozenset(), ""),  # a new plan
        (BO, None, True, frozenset(), "plan_builtin_refused"),
        (ANNA, ("29:anna",), True, frozenset(), "plan_builtin_refused"),
        (BO, ("29:anna",), True, frozenset({"29:bo"}), ""),
        (Person("", None), ("",), False, frozenset({""}), "plan_no_owner"),
    ],
)
def test_who_may_edit_a_plan(
    person: Person,
    owners: tuple[str | None, ...] | None,
    builtin: bool,
    operators: frozenset[str],
    reason: str,
) -> None:
    verdict = may_edit_plan(person, operators=operators, owners=owners, builtin=builtin)
    assert bool(verdict) is (reason == "") and verdict.reason == reason


def test_series_operators_and_parsing() -> None:
    assert may_join_series(ANNA, operators=frozenset(), owners=("29:anna",))
    assert (
        may_join_series(BO, operators=frozenset(), owners=("29:anna",)).reason == "series_not_owner"
    )
    assert may_join_series(BO, operators=frozenset(), owners=(None,)).reason == "series_no_owner"
    assert parse_operators(" aad-1,,29:x ") == frozenset({"aad-1", "29:x"})
    assert not is_operator(Person(""), frozenset({""}))


@pytest.mark.parametrize(
    ("same", "private", "member", "answer", "outputs"),
    [
        (True, False, None, "", ""),
        (False, True, True, "", ""),
        (False, True, False, "not_member", "outputs_not_member"),
        (False, True, None, "member_unknown", "member_unknown"),
        (False, False, True, "", "outputs_not_member"),  # another group chat: never outputs
    ],
)
def test_answers_and_outputs_follow_the_roster(
    same: bool, private: bool, member: bool | None, answer: str, outputs: str
) -> None:
    assert may_answer_for(same_conversation=same, private=private, member=member).reason == answer
    assert may_see_outputs(same_conversation=same, private=private, member=member).reason == outputs


@pytest.mark.parametrize(
    ("person", "proposal", "owner", "reason"),
    [
        pytest.param(Person("29:anna"), True, True, "", id="facilitator"),
        pytest.param(Person("29:x", "aad-anna"), True, True, "", id="facilitator-by-entra-id"),
        pytest.param(Person("29:bo"), True, True, "follow_up_not_facilitator", id="participant"),
        pytest.param(Person(""), True, True, "follow_up_not_facilitator", id="nobody"),
        pytest.param(Person("29:anna"), False, True, "follow_up_unknown_proposal", id="proposal"),
        pytest.param(Person("29:anna"), True, False, "follow_up_unknown_owner", id="owner"),
        pytest.param(Person("29:bo"), False, False, "follow_up_not_facilitator", id="all-wrong"),
    ],
)
def test_follow_up_from_the_summary_card(
    person: Person, proposal: bool, owner: bool, reason: str
) -> None:
    verdict = may_follow_up_from_summary(
        person,
        facilitators=("29:anna", "aad-anna"),
        proposal_in_summary=proposal,
        owner_among_participants=owner,
    )
    assert bool(verdict) is (reason == "") and verdict.reason == reason
    topic = may_make_topic(
        person, facilitators=("29:anna", "aad-anna"), proposal_in_summary=proposal
    )
    assert bool(topic) is (reason in ("", "follow_up_unknown_owner"))
    gate = may_use_summary_forms(person, facilitators=("29:anna", "aad-anna"))
    assert bool(gate) is (reason != "follow_up_not_facilitator")
