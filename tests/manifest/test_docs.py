"""The operator documents only name `workshopbot` commands the command line really has."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from bot.cli import build_parser

REPO = Path(__file__).resolve().parents[2]

_MENTION = re.compile(r"(?<![@\w])workshopbot((?:[ \t]+[a-z][a-z-]*)+)")


def _commands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _mentions(path: Path) -> list[list[str]]:
    """The words after each ``workshopbot`` in the document's code spans and blocks."""
    text = path.read_text(encoding="utf-8")
    code = re.findall(r"```.*?```|`[^`\n]+`", text, flags=re.S)
    found = []
    for snippet in code:
        for line in snippet.splitlines():
            for match in _MENTION.finditer(line):
                found.append(match.group(1).split())
    return found


@pytest.mark.parametrize("document", ["docs/deploy.md", "PRIVACY.md", "TERMS.md"])
def test_documented_commands_exist(document: str) -> None:
    mentions = _mentions(REPO / document)
    if document == "docs/deploy.md":
        assert len(mentions) >= 3
    parser = build_parser()
    missing = []
    for words in mentions:
        level = _commands(parser)
        first = words[0]
        if first not in level:
            missing.append(" ".join(words))
            continue
        sub = _commands(level[first])
        if sub and len(words) > 1 and words[1] not in sub:
            missing.append(" ".join(words[:2]))
    assert not missing, f"{document} names commands the CLI does not have: {sorted(set(missing))}"


def _make_targets() -> set[str]:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    return {
        name
        for line in makefile.splitlines()
        if (m := re.match(r"^([A-Za-z][\w.-]*)\s*:(?!=)", line))
        for name in [m.group(1)]
    }


@pytest.mark.parametrize("document", ["docs/deploy.md"])
def test_documented_make_targets_exist(document: str) -> None:
    text = (REPO / document).read_text(encoding="utf-8")
    named = set(re.findall(r"`make ([a-z][\w-]*)`|^\s*make ([a-z][\w-]*)", text, flags=re.M))
    targets = {a or b for a, b in named}
    assert "setup" in targets
    assert targets <= _make_targets(), targets - _make_targets()
