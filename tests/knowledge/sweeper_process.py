"""One "bot instance" for the two-instance test: runs the knowledge sweep on a database at a
given time, through a recording channel, and prints the conversations it sent to (JSON)."""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


async def main(url: str, at: str, start_file: str) -> None:
    from dialogs.knowledge import timed
    from storage.db import Database
    from tests.knowledge.fakes import Ctx, FakeChannel

    db = Database.from_url(url)
    channel = FakeChannel()
    try:
        # Both instances wait for the same moment, so their sweeps overlap.
        while not Path(start_file).exists():
            await asyncio.sleep(0.01)
        report = await timed.sweep(Ctx(db, channel, datetime.fromisoformat(at)))
    finally:
        await db.dispose()
    print(
        json.dumps({"sent": [s.conversation for s in channel.sent], "report": report.checkins_sent})
    )


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3]))
