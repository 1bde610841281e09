"""The server-side secret that keys every hash of a Teams identity.

An anonymous answer must not be traceable to its author from the database alone. The
database keeps a salt per workshop (so one person's rows in two workshops do not match),
but the hashes are keyed with a secret that is **not** in the database:

    user_hash     = HMAC-SHA256(secret, HMAC-SHA256(workshop salt, user id))
    activity_hash = "h:" + HMAC-SHA256(secret, HMAC-SHA256(salt, "activity:" + id))

Whoever has a copy of the database (a backup, a stolen file, a curious DBA) but not the
secret cannot test "did user X write this?". The bot, which has both, can still find a
person's own rows: their answers stay one pseudonym, withdraw and "forget me" work.

Where the secret comes from (:func:`load_secret`), first match wins:

1. ``WORKSHOPBOT_SECRET_KEY``: the secret itself (at least 32 characters; generate one with
   ``python -c "import secrets; print(secrets.token_hex(32))"``).
2. ``WORKSHOPBOT_SECRET_FILE``: a file holding it (must exist).
3. The embedded SQLite setup only: ``workshopbot.key`` next to the database file (in
   ``var/`` by default), created on first use with a random secret and mode 0600.

With PostgreSQL one of the first two is required: :func:`load_secret` refuses to guess.
Losing the secret breaks the link to earlier rows (the same person gets a new pseudonym;
"forget me" no longer finds their anonymous answers): back it up, apart from the database.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.engine import make_url

from storage.errors import InvalidInput, StorageError

__all__ = [
    "FILE_ENV",
    "KEY_ENV",
    "KEY_FILE_NAME",
    "keyed",
    "load_secret",
    "server_key",
    "use_secret",
]

log = logging.getLogger(__name__)

KEY_ENV = "WORKSHOPBOT_SECRET_KEY"
FILE_ENV = "WORKSHOPBOT_SECRET_FILE"
KEY_FILE_NAME = "workshopbot.key"
#: The shortest secret accepted (characters).
MIN_KEY_CHARS = 32

_key: bytes | None = None


def _checked(value: str, where: str) -> bytes:
    value = value.strip()
    if len(value) < MIN_KEY_CHARS:
        raise InvalidInput(
            f"{where} holds a secret of {len(value)} characters; give at least "
            f'{MIN_KEY_CHARS}, e.g. python -c "import secrets; print(secrets.token_hex(32))"'
        )
    return value.encode("utf-8")


def _sqlite_folder(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database).resolve().parent


def load_secret(url: str, env: Mapping[str, str] | None = None) -> bytes:
    """The server secret for the database at ``url`` (see the module docstring).

    Raises:
        InvalidInput: The secret is too short, its file is missing or unreadable, or the
            database is PostgreSQL and no secret is configured.
    """
    env = os.environ if env is None else env
    if env.get(KEY_ENV, "").strip():
        return _checked(env[KEY_ENV], KEY_ENV)
    named = env.get(FILE_ENV, "").strip()
    folder = _sqlite_folder(url)
    if not named and folder is None:
        raise InvalidInput(
            f"{KEY_ENV} (or {FILE_ENV}) is not set; with PostgreSQL the server secret that "
            "keys the hashes of Teams ids must be given, kept apart from the database: "
            'generate one with python -c "import secrets; print(secrets.token_hex(32))" '
            "(docs/security-data.md)"
        )
    path = Path(named) if named else folder / KEY_FILE_NAME  # type: ignore[operator]
    if not path.exists():
        if named:
            raise InvalidInput(f"{FILE_ENV} = {named!r} does not exist; create it or fix the path")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it just now
            pass
        else:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.write(secrets.token_hex(32) + "\n")
            log.warning(
                "made a new server secret in %s (back it up, apart from the database)", path
            )
    try:
        return _checked(path.read_text(encoding="utf-8"), str(path))
    except OSError as exc:
        raise InvalidInput(f"cannot read the server secret {path}: {exc.strerror or exc}") from None


def use_secret(key: bytes) -> None:
    """Make ``key`` the secret of this process (done when the database is opened)."""
    global _key
    _key = key


def server_key() -> bytes:
    """This process's secret: the one :func:`use_secret` set, else ``WORKSHOPBOT_SECRET_KEY``.

    Raises:
        StorageError: None is configured.
    """
    if _key is not None:
        return _key
    value = os.environ.get(KEY_ENV, "")
    if value.strip():
        return _checked(value, KEY_ENV)
    raise StorageError(
        f"no server secret is configured; open the database with storage.open.open_database "
        f"or set {KEY_ENV} (docs/security-data.md)"
    )


def keyed(inner_hex: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 of an inner (salted) hash under the server secret, in hex."""
    return hmac.new(key or server_key(), inner_hex.encode(), hashlib.sha256).hexdigest()
