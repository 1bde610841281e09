"""How much of a bare echo turn goes into building HTTP clients, and what reuse saves.

botbuilder 4.17's ``CloudAdapter`` builds a new ``ConnectorClient`` (msrest pipeline plus an
``aiohttp.ClientSession``) and a new ``UserTokenClient`` for every turn. This script runs
the same echo turns (``adapter.process_activity`` with a reply to the local Bot Connector
stand-in on loopback) once with the SDK's ``ConfigurationBotFrameworkAuthentication`` as
it is and once wrapped in ``bot.adapter.ClientCachingAuthentication``, and prints turns
per second and milliseconds per turn. Results are appended to
``bench/results/connector_clients.md``.

Run: ``python bench/connector_clients.py [--turns 1000]``
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import time
import warnings
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from botbuilder.core import ActivityHandler, TurnContext  # noqa: E402
from botbuilder.integration.aiohttp import (  # noqa: E402
    CloudAdapter,
    ConfigurationBotFrameworkAuthentication,
)
from botbuilder.schema import Activity  # noqa: E402

from bot.adapter import ClientCachingAuthentication, sdk_configuration  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.support import teams_message  # noqa: E402
from tests.support.connector import ConnectorStandIn  # noqa: E402


class Echo(ActivityHandler):
    async def on_message_activity(self, turn_context: TurnContext) -> None:
        await turn_context.send_activity(f"echo: {turn_context.activity.text}")


async def run(mode: str, turns: int, connector: ConnectorStandIn) -> float:
    inner = ConfigurationBotFrameworkAuthentication(sdk_configuration(Settings(local=True)))
    auth = ClientCachingAuthentication(inner) if mode == "reused clients" else inner
    adapter = CloudAdapter(auth)
    bot = Echo()
    activities = [
        Activity().deserialize(teams_message(connector.url, f"m{i}", conversation_id=f"c{i % 50}"))
        for i in range(turns)
    ]
    gc.collect()
    started = time.perf_counter()
    for activity in activities:
        await adapter.process_activity("", activity, bot.on_turn)
    elapsed = time.perf_counter() - started
    if isinstance(auth, ClientCachingAuthentication):
        await auth.close()
    return elapsed


async def main(turns: int) -> list[str]:
    warnings.simplefilter("ignore")  # the SDK's clients leave sessions unclosed
    lines = []
    async with ConnectorStandIn(limits=None) as connector:
        await run("reused clients", 50, connector)  # warm up imports and the loopback
        results = {}
        for mode in ("SDK as it is", "reused clients"):
            elapsed = await run(mode, turns, connector)
            results[mode] = elapsed
            line = (
                f"{mode:15s}: {turns} echo turns in {elapsed:.2f} s = "
                f"{turns / elapsed:7.1f} turns/s, {1000 * elapsed / turns:.2f} ms/turn"
            )
            print(line)
            lines.append(line)
        ratio = results["SDK as it is"] / results["reused clients"]
        line = f"speed-up: x{ratio:.2f}"
        print(line)
        lines.append(line)
    return lines


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=1000)
    args = parser.parse_args()
    lines = asyncio.run(main(args.turns))
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    with (results / "connector_clients.md").open("a", encoding="utf-8") as out:
        out.write(f"\n## {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {args.turns} turns\n\n")
        out.writelines(f"    {line}\n" for line in lines)
