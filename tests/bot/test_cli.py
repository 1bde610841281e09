from __future__ import annotations

import subprocess
import sys

import pytest

from bot.cli import CommandError, build_parser, main


def test_help_lists_only_registered_commands(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "usage: workshopbot" in out
    parser = build_parser()
    registered = set(parser._subparsers._group_actions[0].choices)  # type: ignore[union-attr]
    for name in registered:
        assert name in out


def test_unknown_command_exits_non_zero() -> None:
    with pytest.raises(SystemExit) as info:
        main(["no-such-command"])
    assert info.value.code == 2


def test_console_script_runs_as_module() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "--help"], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert "workshopbot" in proc.stdout


def test_command_error_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import argparse

    def failing(_: argparse.Namespace) -> int:
        raise CommandError("the thing is wrong; do this instead")

    parser = build_parser()
    monkeypatch.setattr("bot.cli.build_parser", lambda: parser)
    sub = parser._subparsers._group_actions[0]  # type: ignore[union-attr]
    p = sub.add_parser("explode")
    p.set_defaults(func=failing)
    assert main(["explode"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["workshopbot explode: error: the thing is wrong; do this instead"]
