"""Two processes writing answers to the same database at once lose nothing."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from storage import answers, participants, workshops
from storage.db import Database
from tests.conftest import REPO_ROOT

COUNT = 240


async def test_two_processes_lose_no_answer(db: Database, tmp_path: Path) -> None:
    w = await workshops.create_workshop(db, org_name="HK")
    await workshops.start_workshop(db, w.id)
    start = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.storage.writer_process",
                db.url,
                str(w.id),
                name,
                str(COUNT),
                str(start),
            ],
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name in ("p1", "p2")
    ]
    time.sleep(0.5)  # let both import and wait at the start line
    start.touch()
    outputs = [proc.communicate(timeout=120) for proc in procs]
    for proc, (_, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
    created = [json.loads(out)["created"] for out, _ in outputs]

    shared = len(range(0, COUNT, 4))
    expected = 2 * COUNT - shared  # each shared activity is stored once
    assert sum(created) == expected
    assert await answers.count_answers(db, w.id) == expected
    stored = await answers.answers_for_workshop(db, w.id)
    assert len({a.activity_id for a in stored}) == expected
    people = await participants.list_participants(db, w.id)
    assert len(people) == 25
    assert sorted(p.pseudonym_number or 0 for p in people) == list(range(1, 26))
