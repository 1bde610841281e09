from __future__ import annotations

import asyncio

import pytest

from storage import botstate, events, maps, summaries, workshops
from storage.db import Database
from storage.errors import EtagConflict, InvalidInput, NotFound

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def test_maps_are_found_by_token_and_name(db: Database) -> None:
    saved = await maps.save_map(
        db,
        name="HK 2022",
        png=PNG,
        card_png=PNG,
        gexf="<gexf/>",
        terms_csv="term,weight\n",
        data={"nodes": 3},
    )
    assert len(saved.token) >= 32
    assert await maps.get_map_by_token(db, saved.token) == saved
    assert await maps.get_map_by_name(db, "HK 2022") == saved
    assert await maps.get_map(db, saved.id) == saved
    (info,) = await maps.list_maps(db)
    assert (info.name, info.token, info.has_card_png, info.has_svg, info.has_gexf) == (
        "HK 2022",
        saved.token,
        True,
        False,
        True,
    )
    with pytest.raises(NotFound):
        await maps.get_map_by_token(db, saved.token[:-1] + ("A" if saved.token[-1] != "A" else "B"))
    with pytest.raises(InvalidInput, match="exists already"):
        await maps.save_map(db, name="HK 2022", png=PNG)
    replaced = await maps.save_map(db, name="HK 2022", png=PNG, replace=True)
    assert replaced.token != saved.token
    with pytest.raises(NotFound):
        await maps.get_map_by_token(db, saved.token)


async def test_tokens_are_unique(db: Database) -> None:
    made = [await maps.save_map(db, name=f"m{i}", png=PNG) for i in range(20)]
    assert len({m.token for m in made}) == 20


async def test_map_refuses_non_png(db: Database) -> None:
    with pytest.raises(InvalidInput, match="not a PNG"):
        await maps.save_map(db, name="bad", png=b"GIF89a")
    assert await maps.list_maps(db) == ()


async def test_workshop_can_point_at_a_map(db: Database) -> None:
    m = await maps.save_map(db, name="map", png=PNG)
    w = await workshops.create_workshop(db, org_name="HK", map_id=m.id)
    assert w.map_id == m.id


async def test_summaries_latest_and_list(db: Database) -> None:
    w = await workshops.create_workshop(db, org_name="HK")
    assert await summaries.latest_summary(db, w.id) is None
    first = await summaries.save_summary(db, w.id, data={"v": 1}, markdown="# one")
    second = await summaries.save_summary(db, w.id, data={"v": 2}, markdown="# two")
    assert await summaries.latest_summary(db, w.id) == second
    assert await summaries.list_summaries(db, w.id) == (first, second)
    with pytest.raises(NotFound):
        await summaries.save_summary(db, 999, data={}, markdown="")


async def test_event_log(db: Database) -> None:
    w = await workshops.create_workshop(db, org_name="HK")
    e = await events.log_event(db, w.id, "question.opened", actor_user_id="29:f", data={"q": "q1"})
    assert (e.kind, e.actor_user_id, e.data) == ("question.opened", "29:f", {"q": "q1"})
    assert (await events.list_events(db, w.id))[-1] == e
    with pytest.raises(NotFound):
        await events.log_event(db, 999, "x")
    bot_wide = await events.log_event(db, None, "bot.started")
    assert bot_wide.workshop_id is None


async def test_botstate_primitives(db: Database) -> None:
    assert await botstate.read_state(db, []) == {}
    tags = await botstate.write_state(db, {"a": ('{"n": 1}', None), "ключ/💡 ' \" %_": ("[]", "*")})
    stored = await botstate.read_state(db, ["a", "ключ/💡 ' \" %_", "missing"])
    assert set(stored) == {"a", "ключ/💡 ' \" %_"}
    assert stored["a"] == ('{"n": 1}', tags["a"])
    new = await botstate.write_state(db, {"a": ('{"n": 2}', tags["a"])})
    assert new["a"] != tags["a"]
    with pytest.raises(EtagConflict):
        await botstate.write_state(db, {"a": ('{"n": 3}', tags["a"])})
    with pytest.raises(InvalidInput):
        await botstate.write_state(db, {"a": ("{}", "")})
    await botstate.delete_state(db, ["a", "never-there"])
    assert "a" not in await botstate.read_state(db, ["a"])


async def test_botstate_many_keys(db: Database) -> None:
    keys = [f"k{i}" for i in range(1200)]
    await botstate.write_state(db, {k: ("1", None) for k in keys})
    assert len(await botstate.read_state(db, keys)) == 1200
    await botstate.delete_state(db, keys)
    assert await botstate.read_state(db, keys) == {}


async def test_concurrent_botstate_writes_same_etag_one_winner(db: Database) -> None:
    tags = await botstate.write_state(db, {"k": ("0", None)})

    async def attempt(i: int) -> bool:
        try:
            await botstate.write_state(db, {"k": (str(i), tags["k"])})
        except EtagConflict:
            return False
        return True

    results = await asyncio.gather(*(attempt(i) for i in range(12)))
    assert results.count(True) == 1
    assert (await botstate.read_state(db, ["k"]))["k"][0] == str(results.index(True))


async def test_one_calls_conflict_does_not_undo_another_call_in_the_same_batch(
    db: Database,
) -> None:
    tags = await botstate.write_state(db, {"a": ("1", None), "b": ("1", None)})
    await botstate.write_state(db, {"b": ("2", None)})  # makes tags["b"] stale
    results = await asyncio.gather(
        botstate.write_state(db, {"a": ("9", tags["a"]), "b": ("9", tags["b"])}),
        botstate.write_state(db, {"c": ("3", None)}),
        botstate.write_state(db, {"a": ("5", tags["a"])}),
        return_exceptions=True,
    )
    assert isinstance(results[0], EtagConflict)
    assert not isinstance(results[1], BaseException) and not isinstance(results[2], BaseException)
    stored = await botstate.read_state(db, ["a", "b", "c"])
    assert {key: value for key, (value, _) in stored.items()} == {"a": "5", "b": "2", "c": "3"}


async def test_very_long_random_keys_work(db: Database) -> None:
    import secrets

    long_key = secrets.token_hex(4000) + "/é"
    other = long_key[:-1] + "x"
    tags = await botstate.write_state(db, {long_key: ("1", None), other: ("2", None)})
    stored = await botstate.read_state(db, [long_key, other])
    assert stored == {long_key: ("1", tags[long_key]), other: ("2", tags[other])}
    with pytest.raises(EtagConflict):
        await botstate.write_state(db, {long_key: ("3", "stale")})
    await botstate.delete_state(db, [long_key])
    assert set(await botstate.read_state(db, [long_key, other])) == {other}
