"""Local mode runs WITHOUT authentication, so it may listen on loopback only: ``workshopbot
serve --local`` (or ``WORKSHOPBOT_LOCAL=1``) with any other ``--host``/``HOST`` refuses to
start with a one-line error naming the host and the fix, and never opens the port."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from bot.errors import SettingsError
from bot.settings import Settings
from tests.support import free_port

ROOT = Path(__file__).resolve().parents[2]


def _serve(args: list[str], env: dict[str, str], tmp_path: Path) -> tuple[int | None, str]:
    """Run ``workshopbot serve`` on an up-to-date database; (exit code or None if it was
    still serving after 20 s, stderr)."""
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'bind.sqlite3'}"
    upgrade(url)
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith(("MICROSOFT", "HOST"))}
    clean.pop("WORKSHOPBOT_LOCAL", None)
    clean["DATABASE_URL"] = url
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", *args],
        env={**clean, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    try:
        _, err = proc.communicate(timeout=20)
        return proc.returncode, err
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        return None, err


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.parametrize(
    ("args", "env"),
    [
        pytest.param(["--local", "--host", "0.0.0.0"], {}, id="flag-all-interfaces"),
        pytest.param(["--local", "--host", "::"], {}, id="flag-ipv6-any"),
        pytest.param(["--local", "--host", "192.168.1.20"], {}, id="flag-lan-address"),
        pytest.param([], {"WORKSHOPBOT_LOCAL": "1", "HOST": "0.0.0.0"}, id="env-all-interfaces"),
        pytest.param(["--local"], {"HOST": "bot.example.org"}, id="flag-with-env-name"),
    ],
)
def test_local_mode_refuses_a_host_that_is_not_loopback(
    args: list[str], env: dict[str, str], tmp_path: Path
) -> None:
    port = free_port()
    code, err = _serve([*args, "--port", str(port)], env, tmp_path)
    assert code is not None, f"local mode served on {args} {env} without authentication"
    assert code != 0
    assert "Traceback" not in err
    assert "not a loopback address" in err and "127.0.0.1" in err, err
    assert len(err.strip().splitlines()) == 1, err
    assert not _listening(port)


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_local_mode_accepts_loopback(host: str) -> None:
    assert Settings(local=True, host=host).host == host


def test_authenticated_mode_may_bind_every_interface() -> None:
    settings = Settings(
        APP_ID="app", APP_PASSWORD="pw", APP_TENANTID="t", host="0.0.0.0", local=False
    )
    assert settings.authenticated and settings.host == "0.0.0.0"
    with pytest.raises(SettingsError, match=re.escape("HOST = '0.0.0.0'")):
        Settings.from_env({"WORKSHOPBOT_LOCAL": "1", "HOST": "0.0.0.0"})
