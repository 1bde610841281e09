"""The server secret that keys the hashes of Teams ids (storage/secret.py), and migration
0003 that rekeys the hashes already stored, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
import hmac
import stat
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage import participants as participants_repo
from storage.db import Database
from storage.errors import InvalidInput
from storage.migrate import alembic_config, head_revision, upgrade_async
from storage.secret import KEY_FILE_NAME, load_secret


def test_the_embedded_setup_makes_a_private_key_file_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'workshopbot.sqlite3'}"
    first = load_secret(url, env={})
    path = tmp_path / "var" / KEY_FILE_NAME
    assert path.is_file() and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_secret(url, env={}) == first, "the same secret on the next start"
    assert len(first) >= 32


def test_postgresql_needs_a_configured_secret(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="WORKSHOPBOT_SECRET_KEY"):
        load_secret("postgresql://postgres@127.0.0.1/x", env={})
    with pytest.raises(InvalidInput, match="at least 32"):
        load_secret("postgresql://postgres@127.0.0.1/x", env={"WORKSHOPBOT_SECRET_KEY": "kort"})
    with pytest.raises(InvalidInput, match="does not exist"):
        load_secret("postgresql://x/y", env={"WORKSHOPBOT_SECRET_FILE": str(tmp_path / "no")})
    key_file = tmp_path / "k"
    key_file.write_text("f" * 64, encoding="utf-8")
    assert load_secret("postgresql://x/y", env={"WORKSHOPBOT_SECRET_FILE": str(key_file)}) == (
        b"f" * 64
    )


def _downgrade(connection: Connection, revision: str) -> None:
    config = alembic_config()
    config.attributes["connection"] = connection
    command.downgrade(config, revision)


def _old_user_hash(salt: str, user_id: str) -> str:
    return hmac.new(salt.encode(), user_id.encode(), hashlib.sha256).hexdigest()


def _old_activity_hash(salt: str, activity_id: str) -> str:
    digest = hmac.new(salt.encode(), f"activity:{activity_id}".encode(), hashlib.sha256)
    return "h:" + digest.hexdigest()


async def test_stored_hashes_are_rekeyed_and_still_find_their_person(db: Database) -> None:
    async with db.write_engine.connect() as conn:
        await conn.run_sync(_downgrade, "0002")
        await conn.commit()
    salt = "0f" * 16
    async with db.transaction() as session:
        await session.execute(
            text(
                "INSERT INTO workshop (language, org_name, answer_mode, status, salt, created_at,"
                " title) VALUES ('da', 'HK', 'anonymous', 'running', :s, CURRENT_TIMESTAMP, '')"
            ),
            {"s": salt},
        )
        wid = (await session.execute(text("SELECT id FROM workshop"))).scalar_one()
        for number, user in enumerate(("29:bo", "29:carl"), start=1):
            await session.execute(
                text(
                    "INSERT INTO participant (workshop_id, user_hash, pseudonym_number, "
                    "created_at) VALUES (:w, :h, :n, CURRENT_TIMESTAMP)"
                ),
                {"w": wid, "h": _old_user_hash(salt, user), "n": number},
            )
        pid = (await session.execute(text("SELECT min(id) FROM participant"))).scalar_one()
        await session.execute(
            text(
                "INSERT INTO answer (workshop_id, participant_id, text, source, activity_id, "
                "private, created_at, offset_seconds) VALUES (:w, :p, 'Et svar', 'chat', :a, "
                "false, CURRENT_TIMESTAMP, 0)"
            ),
            {"w": wid, "p": pid, "a": _old_activity_hash(salt, "1700000000123")},
        )
        await session.execute(
            text(
                "INSERT INTO bot_state (key, data, etag, updated_at) VALUES "
                "('msteams/conversations/a:1on1-bo', '{}', 'e', CURRENT_TIMESTAMP), "
                "('msteams/conversations/19:group', '{}', 'e', CURRENT_TIMESTAMP)"
            )
        )
    assert await upgrade_async(db) == head_revision()
    async with db.transaction(write=False) as session:
        hashes = {r[0] for r in await session.execute(text("SELECT user_hash FROM participant"))}
        activity = (await session.execute(text("SELECT activity_id FROM answer"))).scalar_one()
        keys = [r[0] for r in await session.execute(text("SELECT key FROM bot_state"))]
    # Someone with the database alone (salt and rows) cannot test a user id any more ...
    assert _old_user_hash(salt, "29:bo") not in hashes
    assert activity != _old_activity_hash(salt, "1700000000123")
    # ... while the bot, with the secret, still finds Bo and the redelivered activity.
    found = await participants_repo.find_participant(db, wid, "29:bo")
    assert found is not None and found.id == pid
    assert activity == participants_repo.activity_hash(salt, "1700000000123")
    assert keys == ["msteams/conversations/19:group"], "old 1:1 dialog stacks are gone"


@pytest.mark.postgres
async def test_the_bot_does_not_open_postgresql_without_a_secret(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from storage.open import open_database

    monkeypatch.delenv("WORKSHOPBOT_SECRET_KEY", raising=False)
    monkeypatch.delenv("WORKSHOPBOT_SECRET_FILE", raising=False)
    with pytest.raises(InvalidInput, match="WORKSHOPBOT_SECRET_KEY"):
        await open_database(postgres_url, check_schema=False)
