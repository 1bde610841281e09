"""PostgreSQL restarted under an open Database (issue 19), on a private server of the test's
own: transactions right after the restart get fresh connections instead of the dead pooled
ones, a transaction begun while the server is down waits for it (within
``PG_RECONNECT_S``), and the job listener hears NOTIFY again after the restart."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from storage import jobs
from storage.db import Database
from storage.migrate import upgrade
from tests.support.private_postgres import PrivatePostgres, private_postgres

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def server() -> Iterator[PrivatePostgres]:
    try:
        with private_postgres() as pg:
            upgrade(pg.url)
            yield pg
    except FileNotFoundError as exc:
        pytest.skip(str(exc))


async def _fill_pool(db: Database, n: int) -> None:
    async def hold() -> None:
        async with db.transaction() as tx:
            await tx.execute(text("SELECT pg_sleep(0.05)"))

    await asyncio.gather(*(hold() for _ in range(n)))


async def test_transactions_after_a_restart_use_fresh_connections(server: PrivatePostgres) -> None:
    db = Database.from_url(server.url)
    try:
        await _fill_pool(db, 6)  # six pooled connections, all killed by the restart
        await asyncio.to_thread(server.restart)
        for n in range(12):  # every one of them is met and replaced, none fails a call
            await jobs.schedule(db, "x", datetime.now(UTC), {"n": n})
        assert len(await jobs.list_jobs(db, kind="x")) == 12
    finally:
        await db.dispose()


async def test_a_transaction_waits_for_a_restarting_server(server: PrivatePostgres) -> None:
    db = Database.from_url(server.url)
    try:
        await _fill_pool(db, 3)
        await asyncio.to_thread(server.pg_ctl, "stop", "-m", "fast")
        # Started again 1.5 s later, from another thread, while the call below waits.
        timer = threading.Timer(1.5, server.pg_ctl, args=("start",))
        timer.start()
        try:
            job_id = await jobs.schedule(db, "waited", datetime.now(UTC), {})
        finally:
            timer.join()
        assert (await jobs.get_job(db, job_id)) is not None
    finally:
        await db.dispose()


async def test_the_listener_hears_again_after_a_restart(server: PrivatePostgres) -> None:
    listening = Database.from_url(server.url)
    scheduling = Database.from_url(server.url)
    heard = asyncio.Event()
    listener = jobs.listen(listening, heard.set)
    assert listener is not None
    try:
        await asyncio.wait_for(listener.listening.wait(), 10)
        await asyncio.to_thread(server.restart)
        await asyncio.sleep(0.5)
        await asyncio.wait_for(listener.listening.wait(), 15)
        heard.clear()
        await jobs.schedule(scheduling, "after", datetime.now(UTC), {})
        await asyncio.wait_for(heard.wait(), 5)
    finally:
        await listener.aclose()
        await listening.dispose()
        await scheduling.dispose()
