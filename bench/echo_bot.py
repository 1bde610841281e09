"""A bare botbuilder 4.17 echo bot, the yardstick of the load benchmark.

Exactly what the official samples do, without authentication: ``CloudAdapter`` on
``ConfigurationBotFrameworkAuthentication`` (so every turn builds its own connector
client), an ``ActivityHandler`` that replies ``echo: <text>`` through the Bot Connector
(the stand-in named by the activity's ``serviceUrl``), aiohttp on loopback. No storage.

Run: ``python bench/echo_bot.py [--port N]``; prints ``READY {"url": ...}`` when it listens.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import warnings
from types import SimpleNamespace

from aiohttp import web
from botbuilder.core import ActivityHandler, MessageFactory, TurnContext
from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botbuilder.schema import Activity

__all__ = ["EchoBot", "create_echo_app", "main"]

warnings.filterwarnings("ignore", category=DeprecationWarning)


class EchoBot(ActivityHandler):  # type: ignore[misc]
    """Replies with the text it got."""

    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(MessageFactory.text(f"echo: {turn_context.activity.text}"))


def create_echo_app() -> web.Application:
    """The sample's app: one route, the adapter's own ``process``."""
    config = SimpleNamespace(APP_ID="", APP_PASSWORD="", APP_TYPE="MultiTenant", APP_TENANTID="")
    adapter = CloudAdapter(ConfigurationBotFrameworkAuthentication(config))
    bot = EchoBot()

    async def messages(request: web.Request) -> web.Response:
        response = await adapter.process(request, bot)
        return response or web.Response(status=200)

    async def healthz(request: web.Request) -> web.Response:
        return web.json_response({"status": "ok"})

    app = web.Application()
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    return app


def main(argv: list[str] | None = None) -> int:
    """Serve until SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    import socket

    sock = socket.socket()
    sock.bind(("127.0.0.1", args.port))
    port = sock.getsockname()[1]
    print("READY " + json.dumps({"url": f"http://127.0.0.1:{port}"}), flush=True)
    web.run_app(create_echo_app(), sock=sock, print=None, access_log=None)
    return 0


_ = Activity  # the sample imports it; kept so the module reads like the sample

if __name__ == "__main__":
    sys.exit(main())
