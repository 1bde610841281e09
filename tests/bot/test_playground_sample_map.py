"""`workshopbot playground` gives a newcomer a map to pick: the sample corpus, stored once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli.serve import SAMPLE_MAP_NAME, ensure_sample_map
from storage.maps import list_maps
from storage.migrate import upgrade
from storage.open import run_with_database


def test_stores_the_sample_map_once(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = f"sqlite:///{tmp_path / 'wb.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    upgrade(url)
    assert ensure_sample_map(url, corpus_dir, out_dir=tmp_path / "map") is True
    maps = run_with_database(list_maps, url=url)
    assert [m.name for m in maps] == [SAMPLE_MAP_NAME]
    assert (tmp_path / "map" / "network-card.png").is_file()
    # A second start finds the stored map and analyses nothing.
    assert ensure_sample_map(url, corpus_dir, out_dir=tmp_path / "again") is False
    assert not (tmp_path / "again").exists()


def test_missing_corpus_is_skipped(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'wb.sqlite3'}"
    upgrade(url)
    assert ensure_sample_map(url, tmp_path / "nowhere") is False
    assert len(run_with_database(list_maps, url=url)) == 0
