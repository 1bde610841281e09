"""A small round-robin reverse proxy on loopback, in front of several bot processes.

Every request goes to the next backend in turn (``POST /api/messages`` included), with
its body, headers and status passed through unchanged. A backend that refuses the
connection gets the request passed on to the next one (a bot that is restarting), so the
proxy answers 502 only when every backend is down.

Run: ``python bench/proxy.py --backend http://127.0.0.1:A --backend http://127.0.0.1:B
[--port N]``; prints ``READY {"url": ...}`` when it listens.
"""

from __future__ import annotations

import argparse
import itertools
import json
import socket
import sys

import aiohttp
from aiohttp import web

__all__ = ["create_proxy_app", "main"]

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "host", "content-length"}


def create_proxy_app(backends: list[str]) -> web.Application:
    """The proxy as an aiohttp application."""
    if not backends:
        raise ValueError("backends is empty; give at least one --backend URL")
    turn = itertools.cycle(range(len(backends)))
    key = web.AppKey("http", aiohttp.ClientSession)

    async def session(app: web.Application):  # type: ignore[no-untyped-def]
        app[key] = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=256, limit_per_host=128),
            timeout=aiohttp.ClientTimeout(total=60),
            auto_decompress=False,
        )
        yield
        await app[key].close()

    async def forward(request: web.Request) -> web.StreamResponse:
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _HOP_BY_HOP}
        first = next(turn)
        for step in range(len(backends)):
            backend = backends[(first + step) % len(backends)]
            try:
                async with request.app[key].request(
                    request.method, backend + request.path_qs, data=body, headers=headers
                ) as upstream:
                    payload = await upstream.read()
                    out = {
                        k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP
                    }
                    return web.Response(body=payload, status=upstream.status, headers=out)
            except aiohttp.ClientConnectorError:
                continue
        return web.json_response({"error": "no backend answered"}, status=502)

    app = web.Application(client_max_size=2 * 1024 * 1024)
    app.cleanup_ctx.append(session)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", action="append", required=True, help="a backend base URL")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    sock = socket.socket()
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]
    print("READY " + json.dumps({"url": f"http://127.0.0.1:{port}"}), flush=True)
    web.run_app(
        create_proxy_app([b.rstrip("/") for b in args.backend]),
        sock=sock,
        print=None,
        access_log=None,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
