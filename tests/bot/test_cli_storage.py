"""The storage commands end to end: db, workshops, data, maps — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import csv
import json
import struct
import zlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.cli import main
from storage import answers, maps, series, summaries, workshops
from storage.db import Database
from tests.storage.dbutil import create_postgres_database, drop_postgres_database, truncate_all


def tiny_png(width: int = 3, height: int = 2) -> bytes:
    """A real, decodable RGB PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture(scope="module")
def pg_cli_url(postgres_url: str) -> Iterator[str]:
    url = create_postgres_database(postgres_url, prefix="wsb_cli")
    yield url
    drop_postgres_database(postgres_url, url)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    else:
        url = request.getfixturevalue("pg_cli_url")
        asyncio.run(_with_db(url, truncate_all))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("WORKSHOPBOT_RETENTION_DAYS", raising=False)
    return url


async def _with_db(url: str, work):  # type: ignore[no-untyped-def]
    db = Database.from_url(url)
    try:
        return await work(db)
    finally:
        await db.dispose()


async def _populate(db: Database) -> int:
    s = await series.get_or_create_series(db, "HK 2026")
    w = await workshops.create_workshop(db, org_name="HK", series_id=s.id, title="Værdier")
    await workshops.start_workshop(db, w.id)
    for user, words in [
        ("29:ann", "Viden skal deles på tværs"),
        ("29:bo", "Lederen skal følge op"),
        ("29:ann", "Og tid"),
    ]:
        await answers.record_answer(db, workshop_id=w.id, user_id=user, text=words, source="chat")
    await summaries.save_summary(
        db,
        w.id,
        data={"quotes": [{"pseudonym": "Deltager A", "text": "Viden skal deles på tværs"}]},
        markdown="- Deltager A\n",
    )
    return w.id


def test_db_commands_and_schema_check(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if database_url.startswith("sqlite"):
        assert main(["db", "current"]) == 1
        assert "run: workshopbot db upgrade" in capsys.readouterr().out
        assert main(["workshops"]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and "run: workshopbot db upgrade" in err[0]
    assert main(["db", "upgrade"]) == 0
    assert main(["db", "current"]) == 0
    assert "up to date" in capsys.readouterr().out
    assert main(["workshops"]) == 0
    assert "no workshops yet" in capsys.readouterr().out


def test_workshops_export_forget_purge(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    workshop_id = asyncio.run(_with_db(database_url, _populate))
    capsys.readouterr()

    assert main(["workshops", "--json"]) == 0
    (row,) = json.loads(capsys.readouterr().out)
    assert (row["id"], row["series"], row["status"], row["answers"], row["participants"]) == (
        workshop_id,
        "HK 2026",
        "running",
        3,
        2,
    )
    assert main(["workshops"]) == 0
    table = capsys.readouterr().out
    assert "HK 2026 #1" in table and "running" in table

    out = tmp_path / "export"
    assert main(["data", "export", str(workshop_id), "--out", str(out)]) == 0
    payload = json.loads((out / f"workshop-{workshop_id}.json").read_text(encoding="utf-8"))
    assert len(payload["answers"]) == 3
    with (out / f"workshop-{workshop_id}-answers.csv").open(
        encoding="utf-8-sig", newline=""
    ) as handle:
        assert [r["text"] for r in csv.DictReader(handle)] == [
            "Viden skal deles på tværs",
            "Lederen skal følge op",
            "Og tid",
        ]
    assert main(["data", "export", "999", "--out", str(out)]) == 2
    assert "no workshop 999" in capsys.readouterr().err

    assert main(["data", "forget", "--user", "29:ann"]) == 0
    assert "2 answers" in capsys.readouterr().out

    async def check_forgotten(db: Database) -> None:
        left = await answers.answers_for_workshop(db, workshop_id)
        assert [a.text for a in left] == ["Lederen skal følge op"]
        summary = await summaries.latest_summary(db, workshop_id)
        assert summary is not None
        assert "Viden skal deles" not in json.dumps(summary.data) + summary.markdown

    asyncio.run(_with_db(database_url, check_forgotten))

    assert main(["data", "purge"]) == 2
    assert "WORKSHOPBOT_RETENTION_DAYS" in capsys.readouterr().err
    assert main(["data", "purge", "--older-than", "30"]) == 0
    out = capsys.readouterr().out
    assert "purged 0 workshops" in out and "0 summary maps" in out

    async def age(db: Database) -> None:
        await workshops.end_workshop(db, workshop_id)
        w = await workshops.get_workshop(db, workshop_id)
        assert w.ended_at is not None
        async with db.transaction() as session:
            await session.execute(
                text("UPDATE workshop SET ended_at = :t, created_at = :t WHERE id = :id"),
                {"t": w.ended_at - timedelta(days=40), "id": workshop_id},
            )

    asyncio.run(_with_db(database_url, age))
    import os

    os.environ["WORKSHOPBOT_RETENTION_DAYS"] = "30"
    try:
        assert main(["data", "purge"]) == 0
    finally:
        del os.environ["WORKSHOPBOT_RETENTION_DAYS"]
    assert "purged 1 workshops" in capsys.readouterr().out
    assert main(["workshops", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_maps_add_and_list(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    folder = tmp_path / "analysis"
    assert main(["maps", "add", "hk", str(folder)]) == 2
    assert "not a folder" in capsys.readouterr().err
    folder.mkdir()
    assert main(["maps", "add", "hk", str(folder)]) == 2
    assert "network.png is missing" in capsys.readouterr().err
    png, card = tiny_png(6, 4), tiny_png(3, 2)
    (folder / "network.png").write_bytes(png)
    (folder / "network-card.png").write_bytes(card)
    (folder / "network.gexf").write_text("<gexf/>", encoding="utf-8")
    (folder / "terms.csv").write_text("term,weight\nviden,3\n", encoding="utf-8")
    (folder / "network.json").write_text(json.dumps({"stats": {"nodes": 1}}), encoding="utf-8")
    assert main(["maps", "add", "hk", str(folder)]) == 0
    capsys.readouterr()
    assert main(["maps", "add", "hk", str(folder)]) == 2
    assert "exists already" in capsys.readouterr().err
    assert main(["maps", "list", "--json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["name"] == "hk"
    assert listed["files"] == {"card_png": True, "svg": False, "gexf": True, "terms_csv": True}

    async def fetch(db: Database) -> None:
        stored = await maps.get_map_by_token(db, listed["token"])
        assert stored.png == png and stored.card_png == card
        assert stored.terms_csv == "term,weight\nviden,3\n"
        assert stored.data == {"stats": {"nodes": 1}}

    asyncio.run(_with_db(database_url, fetch))
    assert main(["maps", "list"]) == 0
    assert "hk" in capsys.readouterr().out


def test_unreachable_database_is_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql://postgres:secret@127.0.0.1:1/none")
    assert main(["workshops"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert "cannot use the database" in err[0] and "secret" not in err[0]
