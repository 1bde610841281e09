"""Placeholders in plan texts: ``{org}`` is the organisation's name.

A text may contain ``{org}``; ``{{`` and ``}}`` stand for literal braces. Anything else in
braces is an error, both when a plan is validated (:func:`template_problems`) and when a text
is filled (:func:`fill`): no placeholder is ever left silently unfilled.

Danish genitive: ``"{org}s værdier"`` becomes ``"HKs værdier"``; for a name that ends in
s, x or z the Danish genitive is an apostrophe, so with ``org="Novo Nordisk"`` it becomes
``"Novo Nordisk' værdier"``.

>>> fill("Hvad er {org}s værdier?", {"org": "HK"}, lang="da")
'Hvad er HKs værdier?'
>>> fill("What are {org}'s values?", {"org": "HK"}, lang="en")
"What are HK's values?"
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from dialogs.errors import TemplateError

__all__ = ["PLACEHOLDERS", "fill", "placeholders_in", "template_problems"]

#: The placeholders a plan text may use.
PLACEHOLDERS: frozenset[str] = frozenset({"org"})

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def _known() -> str:
    return ", ".join("{" + name + "}" for name in sorted(PLACEHOLDERS))


def template_problems(text: str) -> list[str]:
    """Describe every placeholder problem in ``text`` (empty when the text is fine).

    Args:
        text: A plan text.

    Returns:
        One message per problem: unknown placeholders and lone braces.
    """
    problems: list[str] = []
    for match in _TOKEN.finditer(text):
        token = match.group(0)
        if token in ("{{", "}}"):
            continue
        name = match.group(1)
        if name is None:
            problems.append(
                f"a lone {token!r} at character {match.start() + 1}; "
                f"write {token * 2} for a literal brace, or use {_known()}"
            )
        elif name not in PLACEHOLDERS:
            problems.append(f"unknown placeholder {{{name}}}; the only placeholder is {_known()}")
    return problems


def placeholders_in(text: str) -> set[str]:
    """Return the names of the well-formed placeholders used in ``text``.

    >>> sorted(placeholders_in("{org} og {{org}}"))
    ['org']
    """
    return {m.group(1) for m in _TOKEN.finditer(text) if m.group(1) is not None}


def fill(text: str, values: Mapping[str, str], *, lang: str) -> str:
    """Fill the placeholders in ``text``.

    Args:
        text: A plan text, e.g. ``"Hvad er {org}s værdier?"``.
        values: The placeholder values, e.g. ``{"org": "HK"}``.
        lang: The text's language; Danish applies the genitive rule for names ending in
            s, x or z.

    Returns:
        The filled text.

    Raises:
        TemplateError: An unknown placeholder, a placeholder with no value, or a lone brace.
    """
    out: list[str] = []
    pos = 0
    danish = lang.split("-")[0] == "da"
    for match in _TOKEN.finditer(text):
        if match.start() < pos:
            continue  # the "s" of a genitive was already consumed
        out.append(text[pos : match.start()])
        pos = match.end()
        token = match.group(0)
        if token in ("{{", "}}"):
            out.append(token[0])
            continue
        name = match.group(1)
        if name is None:
            raise TemplateError(
                f"a lone {token!r} in {text!r}; write {token * 2} for a literal brace"
            )
        if name not in PLACEHOLDERS:
            raise TemplateError(
                f"unknown placeholder {{{name}}} in {text!r}; the only placeholder is {_known()}"
            )
        value = values.get(name)
        if value is None or not str(value).strip():
            raise TemplateError(
                f"no value for {{{name}}} in {text!r}; give the organisation's name (org=...)"
            )
        value = str(value).strip()
        follows_genitive_s = (
            danish
            and text[pos : pos + 1] == "s"
            and not text[pos + 1 : pos + 2].isalpha()
            and value[-1].lower() in "sxz"
        )
        if follows_genitive_s:
            out.append(value + "'")
            pos += 1
        else:
            out.append(value)
    out.append(text[pos:])
    return "".join(out)
