"""Pure edits of a plan: each returns a NEW, validated plan and leaves the original as it was.

Used when a facilitator changes a plan from Teams between workshops (every change becomes a
new stored version) and when a summary's "accept adjustments" reorders or rewords questions.

>>> from dialogs.plans import get_builtin_plan
>>> plan = get_builtin_plan("default")
>>> moved = move_question(plan, "q0b", before="q0")
>>> moved.question_ids[:3], plan.question_ids[:3]
(('q0b', 'q0', 'q1'), ('q0', 'q1', 'q2'))
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping, Sequence

from dialogs.errors import PlanError, PlanIssue
from dialogs.plans.loader import validate_plan
from dialogs.plans.model import LocalizedText, Plan, Question

__all__ = [
    "add_question",
    "copy_plan",
    "drop_question",
    "move_question",
    "new_question_id",
    "reorder_questions",
    "reword_question",
]


def _checked(plan: Plan) -> Plan:
    issues = validate_plan(plan)
    if issues:
        raise PlanError(issues, source=f"plan {plan.id!r} after the change")
    return plan


def _fail(location: str, message: str) -> PlanError:
    return PlanError([PlanIssue(location, message)])


def _index(plan: Plan, qid: str) -> int:
    for index, question in enumerate(plan.questions):
        if question.id == qid:
            return index
    raise _fail(
        "questions",
        f"there is no question {qid!r}; the questions are {', '.join(plan.question_ids)}",
    )


def _with_questions(plan: Plan, questions: Sequence[Question]) -> Plan:
    return _checked(dataclasses.replace(plan, questions=tuple(questions)))


def move_question(
    plan: Plan,
    qid: str,
    *,
    to_index: int | None = None,
    before: str | None = None,
    after: str | None = None,
) -> Plan:
    """Move a question to another place in the asking order.

    Give exactly one of ``to_index`` (its 0-based position afterwards; negative counts from
    the end, -1 is last), ``before`` or ``after`` (another question's id).

    Args:
        plan: The plan.
        qid: The question to move.
        to_index: The position the question should have in the new plan.
        before: Put it directly before this question.
        after: Put it directly after this question.

    Returns:
        The new plan.

    Raises:
        PlanError: Unknown question ids, a position out of range, or not exactly one target.
    """
    given = [
        name
        for name, v in (("to_index", to_index), ("before", before), ("after", after))
        if v is not None
    ]
    if len(given) != 1:
        raise _fail(
            "questions",
            "say where to move the question with exactly one of to_index, before or after"
            + (f" (got {', '.join(given)})" if given else ""),
        )
    source = _index(plan, qid)
    rest = [q for q in plan.questions if q.id != qid]
    if to_index is not None:
        count = len(plan.questions)
        if not -count <= to_index < count:
            raise _fail(
                "questions",
                f"position {to_index} is out of range; the plan has {count} questions "
                f"(positions 0 to {count - 1})",
            )
        target = to_index % count
    else:
        anchor = before if before is not None else after
        assert anchor is not None
        if anchor == qid:
            raise _fail("questions", f"cannot move {qid!r} relative to itself")
        _index(plan, anchor)
        target = next(i for i, q in enumerate(rest) if q.id == anchor)
        if after is not None:
            target += 1
    rest.insert(target, plan.questions[source])
    return _with_questions(plan, rest)


def reorder_questions(plan: Plan, order: Sequence[str]) -> Plan:
    """Put the questions in the given order (a permutation of all question ids).

    Raises:
        PlanError: ``order`` misses ids, repeats one, or names one the plan lacks.
    """
    ids = list(plan.question_ids)
    unknown = [q for q in order if q not in ids]
    missing = [q for q in ids if q not in order]
    repeated = sorted({q for q in order if list(order).count(q) > 1})
    problems = []
    if unknown:
        problems.append(f"unknown: {', '.join(unknown)}")
    if missing:
        problems.append(f"missing: {', '.join(missing)}")
    if repeated:
        problems.append(f"repeated: {', '.join(repeated)}")
    if problems:
        raise _fail(
            "questions",
            "the new order must name every question once (" + "; ".join(problems) + ")",
        )
    by_id = {q.id: q for q in plan.questions}
    return _with_questions(plan, [by_id[q] for q in order])


def reword_question(plan: Plan, qid: str, lang: str, text: str) -> Plan:
    """Change a question's text in one language.

    Raises:
        PlanError: Unknown question or language, or a text that is empty or has an unknown
            placeholder.
    """
    index = _index(plan, qid)
    if lang not in plan.languages:
        raise _fail(
            f"questions[{index}].text.{lang}",
            f"the plan has no language {lang!r}; its languages are {', '.join(plan.languages)}",
        )
    questions = list(plan.questions)
    old = questions[index]
    questions[index] = dataclasses.replace(old, text=old.text.replace(lang, text.strip()))
    return _with_questions(plan, questions)


def add_question(plan: Plan, question: Question, *, index: int | None = None) -> Plan:
    """Insert a question (at the end, or at the 0-based ``index``).

    Raises:
        PlanError: The question's id is taken, its phase does not exist, a language is
            missing, or the index is out of range.
    """
    questions = list(plan.questions)
    if index is None:
        index = len(questions)
    if not -len(questions) - 1 <= index <= len(questions):
        raise _fail(
            "questions",
            f"position {index} is out of range; use 0 to {len(questions)} (or leave it out to "
            "add at the end)",
        )
    if index < 0:
        index = len(questions) + 1 + index
    questions.insert(index, question)
    return _with_questions(plan, questions)


def drop_question(plan: Plan, qid: str) -> Plan:
    """Remove a question.

    Raises:
        PlanError: Unknown question, or it is the plan's only question.
    """
    _index(plan, qid)
    if len(plan.questions) == 1:
        raise _fail("questions", f"{qid!r} is the plan's only question; a plan needs one")
    return _with_questions(plan, [q for q in plan.questions if q.id != qid])


def copy_plan(plan: Plan, *, new_id: str, new_name: str | Mapping[str, str]) -> Plan:
    """Copy a plan under a new id and name (e.g. to adapt a built-in plan).

    Args:
        plan: The plan to copy.
        new_id: The copy's id (lower-case letters, digits, - and _).
        new_name: The copy's name: one text for every language, or one per language.

    Raises:
        PlanError: The id or name is not valid.
    """
    name = LocalizedText.of(new_name, plan.languages)
    return _checked(dataclasses.replace(plan, id=new_id, name=name))


def new_question_id(plan: Plan, *, prefix: str = "q") -> str:
    """A question id the plan does not use yet: ``q13`` after ``q12``.

    >>> from dialogs.plans import get_builtin_plan
    >>> new_question_id(get_builtin_plan("default"))
    'q13'
    """
    pattern = re.compile(rf"^{re.escape(prefix)}(\d+)$")
    numbers = [int(m.group(1)) for q in plan.questions if (m := pattern.match(q.id))]
    candidate = max(numbers, default=0) + 1
    while f"{prefix}{candidate}" in plan.question_ids:
        candidate += 1
    return f"{prefix}{candidate}"
