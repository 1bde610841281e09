"""The house's layering, checked on the source: botbuilder (the Teams SDK) is imported only
in ``bot/``, so a move to the Microsoft 365 Agents SDK rewrites ``bot/`` alone; sqlalchemy
and asyncpg only in ``storage/``."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize(
    ("library", "home"),
    [("botbuilder", "bot"), ("sqlalchemy", "storage"), ("asyncpg", "storage")],
    ids=["botbuilder-in-bot", "sqlalchemy-in-storage", "asyncpg-in-storage"],
)
def test_a_library_is_imported_only_in_its_room(library: str, home: str) -> None:
    outside = [
        str(path.relative_to(ROOT))
        for package in ("analysis", "bot", "dialogs", "storage")
        if package != home
        for path in sorted((ROOT / package).rglob("*.py"))
        if library in _imports(path)
    ]
    assert not outside, f"{library} is imported outside {home}/: {outside}"


def test_the_check_sees_an_import(tmp_path: Path) -> None:
    """The check above can fail: it finds a plain and a from-import."""
    probe = tmp_path / "probe.py"
    probe.write_text("import botbuilder.core\nfrom sqlalchemy import text\n", encoding="utf-8")
    assert {"botbuilder", "sqlalchemy"} <= _imports(probe)
