"""The Bot Connector stand-in as its own process, with a small control API.

The load benchmark runs the stand-in (``tests.support.connector.ConnectorStandIn``) in a
process of its own, so that the load generator's CPU use cannot delay the stand-in's
answers or the arrival times it records (and so the 429s it gives). Two stand-ins run here:

- ``throttled``: Teams' per-conversation limits (7/s, 8 per 2 s, 60 per 30 s) with 429 +
  ``Retry-After``; the workshop bot talks to it.
- ``open``: no limits; the bare echo bot replies to it (an echo bot answers every message,
  which no real Teams conversation would allow, so throttling it would measure nothing).

Control API on a third port (loopback only)::

    GET  /calls?which=throttled&since=N   recorded calls from index N (JSON list)
    GET  /activities?which=throttled&cid=ID   current activities of a conversation
    GET  /stats?which=throttled           counts by operation and status, violations
    POST /inject?which=throttled          JSON body: ConnectorStandIn.inject keywords
    POST /clear?which=throttled           forget injected faults

When everything listens it prints one line ``READY {"control": url, "throttled": url,
"open": url}`` on stdout. It stops on SIGTERM/SIGINT.

Run: ``python bench/connector_server.py`` (started by ``bench/load.py``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import signal
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from aiohttp import web  # noqa: E402

from tests.support.connector import Call, ConnectorStandIn  # noqa: E402

__all__ = ["call_to_json", "main"]


def call_to_json(call: Call, *, bodies: bool) -> dict[str, Any]:
    """A recorded call as JSON (the body only when ``bodies``)."""
    return {
        "at": call.at,
        "method": call.method,
        "operation": call.operation,
        "conversation_id": call.conversation_id,
        "activity_id": call.activity_id,
        "status": call.status,
        "body": call.body if bodies else None,
    }


def _control_app(stand_ins: dict[str, ConnectorStandIn]) -> web.Application:
    def pick(request: web.Request) -> ConnectorStandIn:
        which = request.query.get("which", "throttled")
        if which not in stand_ins:
            raise web.HTTPNotFound(text=f"no stand-in {which!r}")
        return stand_ins[which]

    async def calls(request: web.Request) -> web.Response:
        stand_in = pick(request)
        since = int(request.query.get("since", "0"))
        bodies = request.query.get("bodies", "1") == "1"
        return web.json_response([call_to_json(c, bodies=bodies) for c in stand_in.calls[since:]])

    async def activities(request: web.Request) -> web.Response:
        stand_in = pick(request)
        return web.json_response(stand_in.activities.get(request.query.get("cid", ""), {}))

    async def stats(request: web.Request) -> web.Response:
        stand_in = pick(request)
        by = Counter(f"{c.operation} {c.status}" for c in stand_in.calls)
        return web.json_response(
            {
                "calls": len(stand_in.calls),
                "by_operation_status": dict(by),
                "violations": len(stand_in.violations),
                "throttled_429": sum(1 for c in stand_in.calls if c.status == 429),
            }
        )

    async def inject(request: web.Request) -> web.Response:
        stand_in = pick(request)
        options = await request.json()
        if "operations" in options and options["operations"] is not None:
            options["operations"] = set(options["operations"])
        stand_in.inject(**options)
        return web.json_response({"faults": len(stand_in.faults)})

    async def clear(request: web.Request) -> web.Response:
        pick(request).faults.clear()
        return web.json_response({"faults": 0})

    app = web.Application()
    app.router.add_get("/calls", calls)
    app.router.add_get("/activities", activities)
    app.router.add_get("/stats", stats)
    app.router.add_post("/inject", inject)
    app.router.add_post("/clear", clear)
    return app


async def _serve() -> None:
    throttled = await ConnectorStandIn().start()
    open_ = await ConnectorStandIn(limits=None).start()
    runner = web.AppRunner(_control_app({"throttled": throttled, "open": open_}), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    ready = {"control": f"http://127.0.0.1:{port}", "throttled": throttled.url, "open": open_.url}
    print("READY " + json.dumps(ready), flush=True)
    await stop.wait()
    with contextlib.suppress(Exception):
        await runner.cleanup()
    await throttled.stop()
    await open_.stop()


def main() -> int:
    """Run until SIGTERM."""
    asyncio.run(_serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
