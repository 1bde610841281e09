"""A map drawn for a workshop's summary pictures its answers: it goes when the workshop goes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from storage import answers, maps, privacy, workshops
from storage.db import Database
from storage.errors import NotFound

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _workshop_with_an_answer(db: Database) -> int:
    w = await workshops.create_workshop(db, org_name="HK")
    await workshops.start_workshop(db, w.id)
    await answers.record_answer(
        db, workshop_id=w.id, user_id="29:a", text="Vi deler viden", source="chat"
    )
    return w.id


async def test_purge_deletes_the_purged_workshops_summary_maps_only(db: Database) -> None:
    old_id = await _workshop_with_an_answer(db)
    await workshops.end_workshop(db, old_id)
    old = await workshops.get_workshop(db, old_id)
    assert old.ended_at is not None
    # The corpus map the workshops present is the operator's, not the workshop's.
    corpus = await maps.save_map(db, name="HK 2022", png=PNG, data={"nodes": 12})
    new = await workshops.create_workshop(db, org_name="HK", map_id=corpus.id)
    old_summary = await maps.save_map(
        db, name=f"summary-{old_id}", png=PNG, data={"summary_of": old_id}
    )
    new_summary = await maps.save_map(
        db, name=f"summary-{new.id}", png=PNG, data={"summary_of": new.id}
    )
    # A look-alike that names the workshop only as text is not taken for its summary map.
    text_owner = await maps.save_map(db, name="note", png=PNG, data={"summary_of": str(old_id)})

    report = await privacy.purge_older_than(
        db, 30, now=old.ended_at + timedelta(days=30, seconds=-1)
    )
    assert report.workshop_ids == () and report.summary_maps == 0
    assert (await maps.get_map(db, old_summary.id)).name == f"summary-{old_id}"

    # The cutoff falls between the old workshop's end and the new one's creation.
    report = await privacy.purge_older_than(db, 30, now=new.created_at + timedelta(days=30))
    assert report.workshop_ids == (old_id,)
    assert report.summary_maps == 1
    with pytest.raises(NotFound):
        await maps.get_map(db, old_summary.id)
    with pytest.raises(NotFound):
        await maps.get_map_by_token(db, old_summary.token)
    for kept in (corpus, new_summary, text_owner):
        assert (await maps.get_map(db, kept.id)).token == kept.token
    assert (await workshops.get_workshop(db, new.id)).map_id == corpus.id


async def test_purging_a_workshop_whose_summary_map_another_workshop_presents(
    db: Database,
) -> None:
    """A later workshop may present an earlier one's summary map; it loses the map, not itself."""
    old_id = await _workshop_with_an_answer(db)
    await workshops.end_workshop(db, old_id)
    old = await workshops.get_workshop(db, old_id)
    assert old.ended_at is not None
    summary = await maps.save_map(
        db, name=f"summary-{old_id}", png=PNG, data={"summary_of": old_id}
    )
    follow_up = await workshops.create_workshop(db, org_name="HK", map_id=summary.id)
    # The cutoff falls between the old workshop's end and the follow-up's creation.
    report = await privacy.purge_older_than(db, 30, now=follow_up.created_at + timedelta(days=30))
    assert report.workshop_ids == (old_id,) and report.summary_maps == 1
    with pytest.raises(NotFound):
        await maps.get_map(db, summary.id)
    assert (await workshops.get_workshop(db, follow_up.id)).map_id is None
