"""The dialogs package's exceptions: one base, messages written for people.

A :class:`PlanError` carries every problem found in a plan as a :class:`PlanIssue` with its
location (``questions[3].text.en``) and, when the plan came from a YAML text, its line.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

__all__ = ["CardError", "DialogError", "PlanError", "PlanIssue", "TemplateError", "UnknownPlan"]


class DialogError(Exception):
    """Base of every error the conversation code raises on purpose; its message names the fix."""


class CardError(ValueError):
    """A card could not be filled (unknown card, missing or unused value, too big).

    Not a :class:`DialogError`: it is the code's mistake, never a refusal shown to a person.
    """


@dataclass(frozen=True)
class PlanIssue:
    """One problem in a question plan.

    Attributes:
        location: Where the problem is, as a path into the plan: ``id``,
            ``questions[3].text.en``, ``phases[1].title``. Indexes count from 0. The empty
            string means the file as a whole.
        message: What is wrong and how to fix it.
        line: The 1-based line in the YAML text, when the plan was read from one.
    """

    location: str
    message: str
    line: int | None = None

    def __str__(self) -> str:
        prefix = f"line {self.line}: " if self.line is not None else ""
        where = f"{self.location}: " if self.location else ""
        return f"{prefix}{where}{self.message}"


class PlanError(DialogError, ValueError):
    """A plan is not valid; :attr:`issues` lists every problem found, each with its location.

    ``str(error)`` lists them all, one per line after a count.
    """

    def __init__(self, issues: Iterable[PlanIssue], *, source: str | None = None) -> None:
        self.issues: tuple[PlanIssue, ...] = tuple(issues)
        self.source = source
        super().__init__(self._describe())

    def _describe(self) -> str:
        count = len(self.issues)
        what = f"{count} problem" if count == 1 else f"{count} problems"
        origin = f" in {self.source}" if self.source else ""
        if count == 1:
            return f"plan{origin}: {self.issues[0]}"
        lines = [f"{what} in the plan{origin}:"]
        lines.extend(f"  - {issue}" for issue in self.issues)
        return "\n".join(lines)


class TemplateError(DialogError, ValueError):
    """A text could not be filled: an unknown placeholder, a lone brace or no organisation."""


class UnknownPlan(DialogError, LookupError):
    """No plan with the given id exists (the message lists the ones that do)."""
