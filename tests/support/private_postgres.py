"""A private PostgreSQL server for one test: its own cluster in a temporary folder, on a
free port, which the test may stop and restart (the machine's shared server, which other
tests use, is never touched).

The binaries come from ``/usr/lib/postgresql/<version>/bin`` (Debian) or ``PATH``. PostgreSQL
refuses to run as root; run as root, the cluster belongs to the ``postgres`` user and every
command runs as that user (``runuser``).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.support import free_port

__all__ = ["PrivatePostgres", "find_postgres_bin", "private_postgres"]


def find_postgres_bin() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (the newest version), or None."""
    candidates = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    for folder in reversed(candidates):
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    found = shutil.which("pg_ctl")
    if found and shutil.which("initdb"):
        return Path(found).parent
    return None


@dataclass
class PrivatePostgres:
    """A running private cluster: ``url`` names its database ``workshopbot``."""

    bin: Path
    folder: Path
    port: int
    run_as: str | None

    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/workshopbot"

    def run(self, program: str, *args: str, timeout: float = 60.0) -> str:
        """Run one of the server's programs (as the cluster's owner); returns its output."""
        command = [str(self.bin / program), *args]
        if self.run_as is not None:
            command = ["runuser", "-u", self.run_as, "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"{program} {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def pg_ctl(self, action: str, *options: str) -> float:
        """``pg_ctl <action> -w`` on this cluster; returns the seconds it took."""
        started = time.monotonic()
        self.run(
            "pg_ctl",
            action,
            "-D",
            str(self.data),
            "-w",
            "-t",
            "60",
            "-l",
            str(self.folder / "server.log"),
            "-o",
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder}",
            *options,
        )
        return time.monotonic() - started

    def restart(self) -> float:
        """Restart the server in fast mode (open connections are closed), as an operator
        would; returns how long the server was away, in seconds."""
        return self.pg_ctl("restart", "-m", "fast")

    def log(self) -> str:
        with contextlib.suppress(OSError):
            return (self.folder / "server.log").read_text(errors="replace")
        return ""


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """Create, start and (at the end) stop and delete a private cluster.

    Raises:
        FileNotFoundError: No PostgreSQL server binaries on this machine (the message says
            which folders were searched).
    """
    bin_folder = find_postgres_bin()
    if bin_folder is None:
        raise FileNotFoundError(
            "no PostgreSQL server binaries (initdb, pg_ctl) in /usr/lib/postgresql/*/bin or "
            "on PATH; install the postgresql package"
        )
    run_as: str | None = None
    # Not under pytest's tmp_path: as root that is a 0700 folder the postgres user cannot enter.
    folder = Path(tempfile.mkdtemp(prefix="wsb-private-pg-"))
    if os.geteuid() == 0:
        run_as = "postgres"
        owner = pwd.getpwnam(run_as)
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    server = PrivatePostgres(bin_folder, folder, free_port(), run_as)
    try:
        server.run(
            "initdb",
            "-D",
            str(server.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
            "-E",
            "UTF8",
            "--locale",
            "C",
        )
        server.pg_ctl("start")
        server.run(
            "createdb", "-h", "127.0.0.1", "-p", str(server.port), "-U", "postgres", "workshopbot"
        )
        yield server
    finally:
        with contextlib.suppress(Exception):
            server.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(folder, ignore_errors=True)
