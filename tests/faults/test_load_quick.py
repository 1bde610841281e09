"""The load benchmark's quick mode, as a correctness check (never a timing check): under
50 participants × 2 questions with redelivered activities, every acknowledged answer is
stored exactly once, no request fails, no outgoing call goes beyond Teams' limits, and the
question card's counter ends at the final count."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.e2e


def _run_quick(configs: str, tmp_path: Path) -> dict:
    out = tmp_path / "load.json"
    completed = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "load.py"),
            "--quick",
            "--configs",
            configs,
            "--no-record",
            "--warm-up-wait",
            "0",
            "--json",
            str(out),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=400,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(out.read_text())


@pytest.mark.parametrize(
    "config",
    [
        pytest.param("sqlite", id="sqlite"),
        pytest.param("postgres", id="postgres-2-processes", marks=pytest.mark.postgres),
    ],
)
def test_quick_load_stores_every_answer_once_within_limits(
    config: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    if config == "postgres":
        request.getfixturevalue("postgres_url")  # skips (or fails under CI) without a server
    figures = _run_quick(config, tmp_path)
    assert figures["errors"] == {}
    result = figures[config]
    assert result["answers_acknowledged"] == 100  # 50 participants × 2 questions
    assert result["activities_posted"] > result["answers_acknowledged"]  # redeliveries sent
    assert result["failed_requests"] == 0
    assert result["missing"] == 0 and result["duplicates"] == 0 and result["unexpected"] == 0
    assert result["answers_stored"] == 100
    assert result["beyond_limits"] == 0
    assert result["counter_never_final"] == 0
    if config == "postgres":
        assert result["summary_answers"] == 100
