"""Helpers shared by the CLI subcommand modules."""

from __future__ import annotations

from bot.cli import CommandError

__all__ = ["workshop_id_argument"]


def workshop_id_argument(value: str) -> int:
    """The workshop id given as a WORKSHOP argument.

    >>> workshop_id_argument(" 3 ")
    3

    Raises:
        CommandError: ``value`` is not a whole number of at least 1.
    """
    if not value.strip().isdigit() or int(value) < 1:
        raise CommandError(
            f"WORKSHOP {value!r} is not a workshop id; ids are whole numbers like 3 "
            "(list them with: workshopbot workshops)"
        )
    return int(value)
