"""Fixtures shared by every test package.

PostgreSQL: tests marked ``postgres`` use :func:`postgres_url`. Outside CI they skip with a
message naming what is missing; under ``CI=true`` a missing server is a failure, because CI
promises to run them.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from urllib.parse import urlparse

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]

# The server secret that keys the hashes of Teams ids (storage/secret.py): one for the whole
# test run (and its subprocesses), so no test writes a key file into the repository.
os.environ.setdefault("WORKSHOPBOT_SECRET_KEY", "tests-only-secret-" + "0123456789abcdef" * 2)
SHARED = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The real Danish sample corpus in ``../shared/corpus`` (override: WORKSHOPBOT_CORPUS)."""
    path = Path(os.environ.get("WORKSHOPBOT_CORPUS", SHARED / "corpus"))
    if not path.is_dir():
        pytest.fail(f"sample corpus not found at {path}; set WORKSHOPBOT_CORPUS")
    return path


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """A SQLAlchemy URL for the test PostgreSQL database (env DATABASE_TEST_URL)."""
    url = os.environ.get("DATABASE_TEST_URL", "postgresql://postgres@127.0.0.1:5432/test")
    parsed = urlparse(url)
    host, port = parsed.hostname or "127.0.0.1", parsed.port or 5432
    if not _reachable(host, port):
        message = (
            f"PostgreSQL is not reachable at {host}:{port} (DATABASE_TEST_URL={url}); start it "
            "with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture(scope="session")
def postgres_database_url(postgres_url: str):  # type: ignore[no-untyped-def]
    """A fresh PostgreSQL database for this test session, migrated to the newest schema
    and dropped afterwards (so parallel runs never share rows). Empty it between tests with
    ``tests.storage.dbutil.truncate_all(db)`` if a test needs a clean slate."""
    from tests.storage.dbutil import create_postgres_database, drop_postgres_database

    url = create_postgres_database(postgres_url, prefix="wsb_session")
    yield url
    drop_postgres_database(postgres_url, url)


@pytest.fixture
def sqlite_database_url(tmp_path: Path) -> str:
    """A SQLite file for this test, migrated to the newest schema."""
    from storage.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'workshopbot.sqlite3'}"
    upgrade(url)
    return url
