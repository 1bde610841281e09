"""Question plans: the YAML format, its validation, built-in plans and pure edits.

>>> from dialogs.plans import get_builtin_plan
>>> plan = get_builtin_plan("default")
>>> plan.render("q1", "da", "HK")
'Hvad er HKs værdier?'

The file format is described in ``docs/plans.md``.
"""

from __future__ import annotations

from dialogs.errors import PlanError, PlanIssue, TemplateError, UnknownPlan
from dialogs.plans.builtins import (
    builtin_plan_ids,
    builtin_plan_text,
    get_builtin_plan,
    list_builtin_plans,
)
from dialogs.plans.edit import (
    add_question,
    copy_plan,
    drop_question,
    move_question,
    new_question_id,
    reorder_questions,
    reword_question,
)
from dialogs.plans.loader import (
    OPTION_PRESETS,
    dump_plan,
    load_plan,
    plan_from_data,
    plan_to_data,
    validate_plan,
    validate_plan_text,
)
from dialogs.plans.model import (
    FIVE_POINT_SCALE,
    KINDS,
    SUPPORTED_LANGUAGES,
    Kind,
    LocalizedText,
    Phase,
    Plan,
    Question,
    format_time_box,
    parse_time_box,
)
from dialogs.plans.templates import PLACEHOLDERS, fill

__all__ = [
    "FIVE_POINT_SCALE",
    "KINDS",
    "OPTION_PRESETS",
    "PLACEHOLDERS",
    "SUPPORTED_LANGUAGES",
    "Kind",
    "LocalizedText",
    "Phase",
    "Plan",
    "PlanError",
    "PlanIssue",
    "Question",
    "TemplateError",
    "UnknownPlan",
    "add_question",
    "builtin_plan_ids",
    "builtin_plan_text",
    "copy_plan",
    "drop_question",
    "dump_plan",
    "fill",
    "format_time_box",
    "get_builtin_plan",
    "list_builtin_plans",
    "load_plan",
    "move_question",
    "new_question_id",
    "parse_time_box",
    "plan_from_data",
    "plan_to_data",
    "reorder_questions",
    "reword_question",
    "validate_plan",
    "validate_plan_text",
]
