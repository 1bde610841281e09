"""What PRIVACY.md promises, checked through the real app (loopback HTTP, a real migrated
SQLite database, the SQL state storage, the Bot Connector stand-in).

Each test looks where the data could end up: every log record of the process (at DEBUG,
libraries included), and every row of every table of the database file."""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage import answers as answers_repo
from tests.support import teams_activity, teams_message
from tests.support.workshop_bot import (
    ANNA,
    BO,
    CARL,
    GROUP,
    Bot,
    card_of,
    launch,
    mention_message,
    running_bot,
)

PERSONAL_BO = {"conversation_id": "a:1on1-29:bo", "conversation_type": "personal"}


@pytest.fixture
async def app_db(tmp_path: Path) -> AsyncIterator[tuple[Bot, Path]]:
    async with running_bot(tmp_path) as bot:
        yield bot, tmp_path / "bot.sqlite3"


def rows_containing(path: Path, needle: str) -> list[str]:
    """``table: row`` of every stored row whose text (keys included) contains ``needle``."""
    found = []
    with sqlite3.connect(path) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        for table in tables:
            for row in conn.execute(f'SELECT * FROM "{table}"'):
                as_text = " ".join(
                    v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in row
                )
                if needle in as_text:
                    found.append(f"{table}: {as_text[:200]}")
    return found


def logged(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every record as a handler would write it, arguments and tracebacks included."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    out = []
    for record in caplog.records:
        if record.name.startswith("tests."):
            continue  # the test's own stand-ins
        out.append(formatter.format(record))
    return out


async def test_answer_texts_never_reach_the_log(
    app_db: tuple[Bot, Path], caplog: pytest.LogCaptureFixture
) -> None:
    bot, _ = app_db
    caplog.set_level(logging.DEBUG)
    url = bot.connector.url
    wid = await launch(bot)
    await bot.post(mention_message(url, "næste", who=ANNA))
    await bot.settle()
    run_data = card_of(bot.group()[-1])["actions"][0]["data"]  # type: ignore[index]
    secret_chat = "Zebrafinke-svar-i-chatten"
    secret_card = "Zebrafinke-svar-paa-kortet"
    secret_private = "Zebrafinke-privat-svar"
    secret_long = "Zebrafinke-for-langt " + "x" * 4001
    secret_outside = "Zebrafinke-uden-workshop"
    await bot.post(teams_message(url, secret_chat, conversation_id=GROUP, **BO))
    await bot.post(
        teams_activity(url, conversation_id=GROUP, value={**run_data, "answer": secret_card}, **BO)
    )
    await bot.post(
        teams_activity(
            url,
            conversation_id=GROUP,
            value={"wb": "private", "workshop": wid, "run": run_data["run"]},
            **BO,
        )
    )
    await bot.settle()
    await bot.post(teams_message(url, secret_private, **PERSONAL_BO, **BO))
    await bot.post(teams_message(url, secret_long, conversation_id=GROUP, **BO))
    await bot.post(
        teams_message(url, secret_outside, conversation_id="19:elsewhere@thread.v2", **BO)
    )
    await bot.settle()
    stored = {a.text for a in await answers_repo.answers_for_workshop(bot.db, wid)}
    assert {secret_chat, secret_card, secret_private} <= stored, "the answers went through"
    await bot.post(mention_message(url, "træk tilbage", who=BO))
    # Carl's answer stays: the summary the facilitator gets at the end quotes it.
    await bot.post(teams_message(url, "Zebrafinke-carls-svar", conversation_id=GROUP, **CARL))
    await bot.post(mention_message(url, "afslut", who=ANNA))
    await bot.settle()
    assert "Hvad så?" in str(bot.private(ANNA["user_id"])), "the summary was sent"
    records = logged(caplog)
    assert records, "the app logs something at DEBUG, so the check below can fail"
    leaks = [r[:300] for r in records if "Zebrafinke" in r]
    assert not leaks, f"answer text in the log: {leaks}"


async def test_messages_outside_a_workshop_are_not_stored(app_db: tuple[Bot, Path]) -> None:
    bot, path = app_db
    url = bot.connector.url
    await bot.post(
        teams_message(url, "Pelikan i gruppen uden workshop", conversation_id=GROUP, **BO)
    )
    await bot.post(mention_message(url, "Pelikan med omtale uden workshop", who=BO))
    await bot.post(teams_message(url, "Pelikan privat uden workshop", **PERSONAL_BO, **BO))
    await bot.settle()
    # A workshop runs in the group now, but a message in another chat is still not kept.
    await launch(bot)
    await bot.post(
        teams_message(url, "Pelikan i en anden chat", conversation_id="19:other@thread.v2", **BO)
    )
    await bot.settle()
    assert bot.group(), "the bot did answer (help cards), so the messages were read"
    assert rows_containing(path, "Pelikan") == []


async def test_forget_me_leaves_no_trace_of_the_user_id(
    app_db: tuple[Bot, Path], caplog: pytest.LogCaptureFixture
) -> None:
    bot, path = app_db
    url = bot.connector.url
    wid = await launch(bot)
    await bot.post(mention_message(url, "næste", who=ANNA))
    await bot.post(teams_message(url, "Et svar der skal glemmes", conversation_id=GROUP, **BO))
    await bot.post(mention_message(url, "indhent", who=BO))
    await bot.settle()
    assert rows_containing(path, BO["user_id"]), "the user state knows Bo before"
    await bot.post(teams_message(url, "glem mig", **PERSONAL_BO, **BO))
    await bot.settle()
    assert await answers_repo.count_answers(bot.db, wid) == 0
    assert "Du er glemt" in str(bot.private(BO["user_id"]))
    assert rows_containing(path, BO["user_id"]) == []
    assert rows_containing(path, BO["user_name"]) == []
    assert rows_containing(path, "Et svar der skal glemmes") == []
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors == [], "forgetting is no failure"


async def test_anonymous_group_answers_leave_no_identity(app_db: tuple[Bot, Path]) -> None:
    bot, path = app_db
    url = bot.connector.url
    wid = await launch(bot, mode="anonymous")
    await bot.post(mention_message(url, "næste", who=ANNA))
    await bot.post(teams_message(url, "Et anonymt svar", conversation_id=GROUP, **BO))
    await bot.settle()
    run_data = card_of(bot.group()[-1])["actions"][0]["data"]  # type: ignore[index]
    await bot.post(
        teams_activity(
            url, conversation_id=GROUP, value={**run_data, "answer": "Et anonymt kortsvar"}, **BO
        )
    )
    await bot.settle()
    assert await answers_repo.count_answers(bot.db, wid) == 2
    for identity in (BO["user_id"], BO["user_name"], BO["aad_object_id"]):
        assert rows_containing(path, identity) == [], identity
    # Bo can still withdraw (the salted hash finds his answers).
    await bot.post(mention_message(url, "træk tilbage", who=BO))
    await bot.settle()
    assert await answers_repo.count_answers(bot.db, wid) == 0
    assert rows_containing(path, BO["user_id"]) == []


async def test_group_summary_does_not_give_away_who_answered_privately(
    app_db: tuple[Bot, Path],
) -> None:
    bot, _ = app_db
    url = bot.connector.url
    wid = await launch(bot)
    await bot.post(mention_message(url, "næste", who=ANNA))
    await bot.settle()
    run_data = card_of(bot.group()[-1])["actions"][0]["data"]  # type: ignore[index]
    # Bo answers q0 privately, Carl openly; on q1 both answer openly.
    await bot.post(
        teams_activity(
            url,
            conversation_id=GROUP,
            value={"wb": "private", "workshop": wid, "run": run_data["run"]},
            **BO,
        )
    )
    await bot.settle()
    await bot.post(teams_message(url, "Bos hemmelige svar", **PERSONAL_BO, **BO))
    await bot.post(teams_message(url, "Carls åbne svar", conversation_id=GROUP, **CARL))
    await bot.post(mention_message(url, "næste", who=ANNA))
    await bot.settle()
    await bot.post(teams_message(url, "Bo siger noget åbent", conversation_id=GROUP, **BO))
    await bot.post(teams_message(url, "Carl siger noget åbent", conversation_id=GROUP, **CARL))
    await bot.post(mention_message(url, "afslut", who=ANNA))
    await bot.settle()
    await bot.post(mention_message(url, "opsummering", who=ANNA))
    await bot.settle()
    card = card_of(bot.group()[-1])
    dumped = json.dumps(card, ensure_ascii=False)
    assert card is not None and "Hvad så?" in dumped
    # The group's card quotes no private answer and names nobody (not even by pseudonym),
    # so it cannot tell the group that Bo wrote the private answer.
    assert "Bos hemmelige svar" not in dumped
    assert "Deltager A" not in dumped and "Bo Deltager" not in dumped


def test_group_markdown_summary_does_not_count_private_answers_per_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main
    from storage import questions as questions_repo
    from storage import workshops as workshops_repo
    from storage.db import Database

    url = f"sqlite:///{tmp_path / 'summary.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert main(["db", "upgrade"]) == 0

    async def hold_workshop() -> int:
        db = Database.from_url(url)
        try:
            ws = await workshops_repo.create_workshop(
                db,
                org_name="HK",
                language="da",
                answer_mode="pseudonymous",
                title="HK",
                facilitators=["29:anna"],
            )
            await workshops_repo.start_workshop(db, ws.id)
            for position, (qid, said) in enumerate(
                [
                    (
                        "q0",
                        [
                            ("29:bo", "Bos hemmelige lange svar om tillid og ledelse", True),
                            ("29:carl", "Carls åbne svar om faglighed", False),
                        ],
                    ),
                    (
                        "q1",
                        [
                            ("29:bo", "Bo siger noget åbent", False),
                            ("29:carl", "Carl siger noget åbent", False),
                        ],
                    ),
                ],
                start=1,
            ):
                run = await questions_repo.open_question(
                    db, ws.id, qid, f"Spørgsmål {qid}?", position
                )
                for user, answer, private in said:
                    await answers_repo.record_answer(
                        db,
                        workshop_id=ws.id,
                        user_id=user,
                        text=answer,
                        question_run_id=run.id,
                        source="private" if private else "chat",
                        private=private,
                    )
                await questions_repo.close_question(db, run.id)
            await workshops_repo.end_workshop(db, ws.id)
            return ws.id
        finally:
            await db.dispose()

    wid = asyncio.run(hold_workshop())
    assert main(["summary", str(wid), "--audience", "group", "--no-store"]) == 0
    out = capsys.readouterr().out
    assert "Bos hemmelige" not in out and "Deltager A: Bo siger noget åbent" in out
    # Bo (Deltager A) is quoted once; a count of 2 answers (or 12 words) says the hidden
    # private answer is his.
    assert "Deltager A: 2 svar" not in out


async def test_withdraw_in_the_1to1_chat_finds_an_anonymous_workshop(
    app_db: tuple[Bot, Path],
) -> None:
    bot, path = app_db
    url = bot.connector.url
    wid = await launch(bot, mode="anonymous")
    # A second workshop runs elsewhere, so "the only running workshop" cannot be the guess.
    other = "19:other-workshop@thread.v2"
    await bot.post(mention_message(url, "start", who=ANNA, conversation_id=other))
    await bot.settle()
    setup = card_of(bot.connector.sent_activities(other)[-1])
    assert setup is not None
    data = dict(setup["actions"][0]["data"])
    data.update(
        plan="default", series="new", series_name="", map="", org="HK", language="da", mode="named"
    )
    await bot.post(teams_activity(url, conversation_id=other, value=data, **ANNA))
    await bot.post(mention_message(url, "næste", who=ANNA))
    await bot.settle()
    await bot.post(teams_message(url, "Et anonymt svar jeg fortryder", conversation_id=GROUP, **BO))
    await bot.settle()
    assert await answers_repo.count_answers(bot.db, wid) == 1
    await bot.post(teams_message(url, "træk tilbage", **PERSONAL_BO, **BO))
    await bot.settle()
    assert await answers_repo.count_answers(bot.db, wid) == 0
    assert "trukket tilbage (1)" in str(bot.private(BO["user_id"]))
    # Writing in the 1:1 chat gives Bo a (Bot Framework) state row, but it never says
    # which anonymous workshop he took part in.
    for row in rows_containing(path, BO["user_id"]):
        assert f'"last_workshop_id":{wid}' not in row.replace(" ", ""), row


async def test_forget_me_removes_a_facilitator_everywhere(app_db: tuple[Bot, Path]) -> None:
    bot, path = app_db
    url = bot.connector.url
    await launch(bot)
    await bot.post(mention_message(url, "næste", who=ANNA))
    await bot.post(mention_message(url, "pause", who=ANNA))
    await bot.settle()
    assert rows_containing(path, ANNA["user_id"])
    await bot.post(
        teams_message(
            url, "glem mig", conversation_id="a:1on1-anna", conversation_type="personal", **ANNA
        )
    )
    await bot.settle()
    for identity in (ANNA["user_id"], ANNA["user_name"], ANNA["aad_object_id"]):
        left = rows_containing(path, identity)
        assert left == [], (identity, [row.split(":", 1)[0] for row in left])


async def test_a_bare_withdraw_in_the_group_withdraws(app_db: tuple[Bot, Path]) -> None:
    """PRIVACY.md: write `withdraw` / `træk tilbage` in the workshop's chat. Without the
    @mention it must not be taken for one more answer (the person would think it done)."""
    bot, path = app_db
    url = bot.connector.url
    wid = await launch(bot)
    await bot.post(mention_message(url, "næste", who=ANNA))
    await bot.post(teams_message(url, "Et svar jeg fortryder", conversation_id=GROUP, **BO))
    await bot.settle()
    assert await answers_repo.count_answers(bot.db, wid) == 1
    before = len(bot.group())
    await bot.post(teams_message(url, "træk tilbage", conversation_id=GROUP, **BO))
    await bot.settle()
    assert await answers_repo.count_answers(bot.db, wid) == 0
    assert rows_containing(path, "Et svar jeg fortryder") == []
    assert "trukket tilbage (1)" in str(bot.private(BO["user_id"]))
    assert len(bot.group()) == before, "the reply is private"


async def test_a_private_answer_in_an_anonymous_workshop_leaves_no_user_state(
    app_db: tuple[Bot, Path],
) -> None:
    bot, path = app_db
    url = bot.connector.url
    wid = await launch(bot, mode="anonymous")
    await bot.post(mention_message(url, "næste", who=ANNA))
    await bot.settle()
    run_data = card_of(bot.group()[-1])["actions"][0]["data"]  # type: ignore[index]
    await bot.post(
        teams_activity(
            url,
            conversation_id=GROUP,
            value={"wb": "private", "workshop": wid, "run": run_data["run"]},
            **BO,
        )
    )
    await bot.settle()
    assert any(
        '"pending_private":{' in r.replace(" ", "") for r in rows_containing(path, BO["user_id"])
    )
    await bot.post(teams_message(url, "Et anonymt privat svar", **PERSONAL_BO, **BO))
    await bot.settle()
    stored = await answers_repo.answers_for_workshop(bot.db, wid)
    assert [(a.text, a.private) for a in stored] == [("Et anonymt privat svar", True)]
    # A state row under Bo's id, written when his answer was stored, would say it is his.
    assert [
        r for r in rows_containing(path, BO["user_id"]) if r.startswith("bot_state: msteams/users/")
    ] == []
