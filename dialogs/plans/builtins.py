"""The plans that ship with workshopbot, read from ``dialogs/plans/builtin/*.yaml``.

Files are found through :mod:`importlib.resources`, never relative to the current
directory, and parsed once (plans are immutable, so the cached objects are safe to share).
"""

from __future__ import annotations

import functools
from importlib import resources

from dialogs.errors import UnknownPlan
from dialogs.plans.loader import load_plan
from dialogs.plans.model import Plan

__all__ = [
    "BUILTIN_ORDER",
    "builtin_plan_ids",
    "builtin_plan_text",
    "get_builtin_plan",
    "list_builtin_plans",
]

#: The order built-in plans are listed in (others, if any, follow alphabetically).
BUILTIN_ORDER = (
    "default",
    "adjusted",
    "funktionskaede",
    "before-course",
    "after-course",
    "six-core-needs",
    "network-meeting",
)

_PACKAGE = "dialogs.plans.builtin"


@functools.cache
def builtin_plan_ids() -> tuple[str, ...]:
    """The ids of the built-in plans, in listing order."""
    names = {
        entry.name.removesuffix(".yaml")
        for entry in resources.files(_PACKAGE).iterdir()
        if entry.is_file() and entry.name.endswith(".yaml")
    }
    ordered = [pid for pid in BUILTIN_ORDER if pid in names]
    return tuple(ordered + sorted(names - set(ordered)))


def builtin_plan_text(plan_id: str) -> str:
    """The YAML text of a built-in plan, comments included.

    Raises:
        UnknownPlan: No built-in plan has that id (the message lists those that do).
    """
    if plan_id not in builtin_plan_ids():
        raise UnknownPlan(
            f"there is no built-in plan {plan_id!r}; built-in plans are "
            + ", ".join(builtin_plan_ids())
        )
    return resources.files(_PACKAGE).joinpath(f"{plan_id}.yaml").read_text(encoding="utf-8")


@functools.cache
def get_builtin_plan(plan_id: str) -> Plan:
    """Return a built-in plan by id, e.g. ``get_builtin_plan("default")``.

    Raises:
        UnknownPlan: No built-in plan has that id (the message lists those that do).
    """
    return load_plan(builtin_plan_text(plan_id))


def list_builtin_plans() -> list[Plan]:
    """Every built-in plan, in listing order (default first)."""
    return [get_builtin_plan(pid) for pid in builtin_plan_ids()]
