"""Text PostgreSQL cannot hold: a NUL character in an answer (PostgreSQL text has none,
SQLite stores it). The answer must not cause a 5xx or a half-stored answer, and the user
must hear about it; ideally it is kept without the NUL."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest

from tests.hostile.conftest import BackgroundBot

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def postgres_bot(
    postgres_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BackgroundBot]:
    parsed = urlparse(postgres_url)
    name = f"wsb_hostile_{os.getpid()}"
    where = ["-h", parsed.hostname or "127.0.0.1", "-p", str(parsed.port or 5432)]
    where += ["-U", parsed.username or "postgres"]
    subprocess.run(["dropdb", *where, "--if-exists", name], capture_output=True, timeout=60)
    subprocess.run(["createdb", *where, name], check=True, capture_output=True, timeout=60)
    bot = BackgroundBot(
        tmp_path_factory.mktemp("pg"), database_url=parsed._replace(path=f"/{name}").geturl()
    )
    yield bot
    bot.stop()
    subprocess.run(["dropdb", *where, "--force", name], capture_output=True, timeout=60)


@pytest.mark.parametrize("via", ["card", "chat"])
def test_a_nul_in_an_answer_is_no_crash_and_no_half_answer(
    postgres_bot: BackgroundBot, via: str
) -> None:
    assert postgres_bot.card is not None
    answer = "før\x00efter"
    activity = postgres_bot.driver.answer_activity(postgres_bot.card, 30, via=via, text=answer)  # type: ignore[arg-type]
    before = {a.id for a in postgres_bot.all_answers()}
    status, body = postgres_bot.post(activity)
    assert status < 500, body
    new = [a for a in postgres_bot.all_answers() if a.id not in before]
    assert [a.text for a in new] in ([], ["førefter"], [answer])
    postgres_bot.drain()
    if not new:  # refused: the user was told something
        assert postgres_bot.sent_texts(postgres_bot.driver.conversation_id)


def test_a_nul_in_an_answer_is_stored_without_it(postgres_bot: BackgroundBot) -> None:
    assert postgres_bot.card is not None
    activity = postgres_bot.driver.answer_activity(
        postgres_bot.card, 31, via="card", text="Vi deler\x00 viden"
    )
    before = {a.id for a in postgres_bot.all_answers()}
    assert postgres_bot.post(activity)[0] == 200
    new = [a for a in postgres_bot.all_answers() if a.id not in before]
    assert len(new) == 1 and "\x00" not in new[0].text
