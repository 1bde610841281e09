"""A separate process that records answers (used by test_processes.py and nothing else).

Usage: python -m tests.storage.writer_process URL WORKSHOP_ID NAME COUNT START_FILE
Each answer n (0 ≤ n < COUNT) comes from user ``29:u{n % 25}``; activity ids ``{NAME}-{n}``
are this process's own, ``shared-{n}`` are "redelivered" by both processes.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

from storage.answers import record_answer
from storage.db import Database


async def main(url: str, workshop_id: int, name: str, count: int, start_file: Path) -> None:
    deadline = time.monotonic() + 30
    while not start_file.exists() and time.monotonic() < deadline:
        await asyncio.sleep(0.005)
    db = Database.from_url(url)
    created = 0
    try:
        queue: asyncio.Queue[int] = asyncio.Queue()
        for n in range(count):
            queue.put_nowait(n)

        async def worker() -> None:
            nonlocal created
            while not queue.empty():
                n = queue.get_nowait()
                activity = f"shared-{n}" if n % 4 == 0 else f"{name}-{n}"
                got = await record_answer(
                    db,
                    workshop_id=workshop_id,
                    user_id=f"29:u{n % 25}",
                    text=f"answer {n} from {name}",
                    source="chat",
                    activity_id=activity,
                )
                created += got.created

        await asyncio.gather(*(worker() for _ in range(8)))
    finally:
        await db.dispose()
    print(json.dumps({"created": created}))


if __name__ == "__main__":
    asyncio.run(
        main(sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), Path(sys.argv[5]))
    )
