"""The one exception hierarchy of the ``bot`` package.

Every error a person can fix (a bad setting, a missing database) is a :class:`BotError`; the
command line prints it as one line with exit code 2, and the bot never shows it to a Teams
user as a stack trace.
"""

from __future__ import annotations

__all__ = ["BotError", "SettingsError", "StartupError"]


class BotError(Exception):
    """Base class of the bot's errors; the message is written for people and names the fix."""


class SettingsError(BotError):
    """An environment variable is missing or invalid; the message names it and the fix."""


class StartupError(BotError):
    """The bot cannot start (database unreachable, schema out of date, port in use)."""
