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


def _documented_env() -> dict[str, str]:
    """The example settings file in docs/deploy.md, as a dict."""
    text = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    (block,) = [
        b for b in re.findall(r"```sh\n(.*?)```", text, flags=re.S) if "MICROSOFT_APP_ID=" in b
    ]
    env = {}
    for line in block.splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            env[key.strip()] = value.strip()
    return env


def test_documented_settings_file_builds_a_package_and_starts_the_bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.cli import main
    from bot.settings import Settings
    from bot.teams_package import SETTINGS

    env = _documented_env()
    for setting in SETTINGS.values():
        for name in setting.env:
            monkeypatch.delenv(name, raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "workshopbot.zip"
    assert main(["package", "--out", str(out), "--validate", "require"]) == 0
    assert out.is_file()
    settings = Settings.from_env(env)
    assert settings.APP_TYPE == "SingleTenant" and settings.APP_TENANTID
    assert settings.public_url == env["WORKSHOPBOT_PUBLIC_URL"]


def test_every_documented_variable_is_read_by_the_code() -> None:
    text = (REPO / "docs" / "deploy.md").read_text(encoding="utf-8")
    table = [line for line in text.splitlines() if line.startswith("| `")]
    names = {n for line in table for n in re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1])}
    assert {"MICROSOFT_APP_ID", "DATABASE_URL", "WORKSHOPBOT_RETENTION_DAYS"} <= names
    sources = "\n".join(
        p.read_text(encoding="utf-8")
        for package in ("bot", "storage", "dialogs", "analysis")
        for p in (REPO / package).rglob("*.py")
    )
    unread = sorted(name for name in names | set(_documented_env()) if f'"{name}"' not in sources)
    assert not unread, f"docs/deploy.md documents settings no code reads: {unread}"
