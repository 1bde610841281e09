"""An injectable clock for the Agents Playground and end-to-end tests, never for a real bot.

Check-ins are due weeks after a course and digests wait for the end of quiet hours: to see
them fire in the Playground, the bot's time must move. With ``WORKSHOPBOT_LOCAL_CLOCK``
(``now`` or an ISO time such as ``2027-01-04T02:00:00+01:00``) ``workshopbot serve --local``
runs on a :class:`LocalClock`: it starts there, runs on at the real pace, and jumps forward
when told::

    curl -X POST http://127.0.0.1:3978/_local/clock -d '{"to": "2027-01-04T10:00:00+01:00"}'
    curl -X POST http://127.0.0.1:3978/_local/clock -d '{"advance_seconds": 3600}'
    curl http://127.0.0.1:3978/_local/clock

The durable job runner (check-ins, reminders, follow-ups, digests: the ``kb_sweep`` job) and
the knowledge bank's dialogs read this clock; a move wakes the runner, so what became due
runs at once.

Safety (an attacker must never be able to move a production bot's time), in three layers:

1. :class:`bot.settings.Settings` refuses the variable unless local mode is on, the bot
   listens on a loopback interface and no Teams app credentials are configured; a real bot
   then does not start at all.
2. The route exists only when the clock is on: a real bot answers 404.
3. The route answers only requests from a loopback address (403 otherwise).

Time only moves forward (leases and due times assume so); a move back is refused.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from bot.settings import is_loopback

__all__ = ["CLOCK_PATH", "LocalClock", "clock_handler"]

log = logging.getLogger(__name__)

CLOCK_PATH = "/_local/clock"
#: The largest single jump (a check-in three months after a course is well inside).
MAX_JUMP = timedelta(days=3 * 366)


class LocalClock:
    """The real time shifted by an offset that only grows.

    >>> clock = LocalClock(datetime(2027, 1, 4, 1, 0, tzinfo=UTC))
    >>> clock.advance(timedelta(hours=9)).hour
    10
    """

    def __init__(
        self, start: datetime, *, real: Callable[[], datetime] = lambda: datetime.now(UTC)
    ) -> None:
        if start.tzinfo is None:
            raise ValueError("start has no time zone; give an aware datetime")
        self._real = real
        self._offset = start - real()

    def now(self) -> datetime:
        return self._real() + self._offset

    def advance(self, delta: timedelta) -> datetime:
        """Move forward by ``delta``; returns the new time.

        Raises:
            ValueError: ``delta`` is not positive or longer than :data:`MAX_JUMP`.
        """
        if delta <= timedelta(0):
            raise ValueError(
                f"advance_seconds = {delta.total_seconds():g} is invalid; the clock only "
                "moves forward: give a positive number of seconds"
            )
        if delta > MAX_JUMP:
            raise ValueError(
                f"advance_seconds = {delta.total_seconds():g} is too far; move at most "
                f"{MAX_JUMP.days} days at a time"
            )
        self._offset += delta
        return self.now()

    def move_to(self, when: datetime) -> datetime:
        """Move forward to ``when`` (aware); returns the new time.

        Raises:
            ValueError: ``when`` has no zone, lies in the clock's past, or too far ahead.
        """
        if when.tzinfo is None:
            raise ValueError(f"to = {when.isoformat()!r} has no time zone; add one, e.g. +01:00")
        current = self.now()
        if when < current:
            raise ValueError(
                f"to = {when.isoformat()} lies before the clock's time "
                f"{current.isoformat()}; the clock only moves forward"
            )
        if when - current > MAX_JUMP:
            raise ValueError(
                f"to = {when.isoformat()} is too far ahead; move at most {MAX_JUMP.days} days "
                "at a time"
            )
        self._offset += when - current
        return self.now()


def _error(status: int, message: str) -> web.Response:
    return web.json_response({"error": message}, status=status)


def clock_handler(clock: LocalClock, *, moved: Callable[[], None]) -> Callable[[web.Request], Any]:
    """The ``GET``/``POST /_local/clock`` handler: read the time, or move it forward with
    ``{"advance_seconds": N}`` or ``{"to": "ISO time with zone"}``; ``moved`` is called
    after a move (it wakes the job runner)."""

    async def handle(request: web.Request) -> web.Response:
        if not is_loopback(request.remote or ""):
            log.warning("refused a clock request from %s", request.remote)
            return _error(403, "the local clock answers only this machine (127.0.0.1 or ::1)")
        if request.method == "GET":
            return web.json_response({"now": clock.now().isoformat()})
        try:
            body = await request.json()
        except ValueError:
            return _error(
                400,
                'the body is not JSON; send {"advance_seconds": 3600} or '
                '{"to": "2027-01-04T10:00:00+01:00"}',
            )
        if not isinstance(body, dict) or len(body.keys() & {"advance_seconds", "to"}) != 1:
            return _error(400, 'give exactly one of "advance_seconds" (a positive number) or "to"')
        try:
            if "to" in body:
                value = body["to"]
                if not isinstance(value, str):
                    raise ValueError(f"to = {value!r} is invalid; give an ISO time with its zone")
                try:
                    when = datetime.fromisoformat(value)
                except ValueError:
                    raise ValueError(
                        f"to = {value[:60]!r} is invalid; give an ISO time with its zone, "
                        "e.g. 2027-01-04T10:00:00+01:00"
                    ) from None
                now = clock.move_to(when)
            else:
                seconds = body["advance_seconds"]
                if isinstance(seconds, bool) or not isinstance(seconds, (int, float)):
                    raise ValueError(
                        f"advance_seconds = {str(seconds)[:40]!r} is invalid; give a number of "
                        "seconds"
                    )
                if not math.isfinite(seconds) or seconds > MAX_JUMP.total_seconds():
                    raise ValueError(
                        f"advance_seconds = {seconds:g} is too far; move at most "
                        f"{MAX_JUMP.days} days at a time"
                    )
                now = clock.advance(timedelta(seconds=seconds))
        except (ValueError, OverflowError) as exc:
            return _error(400, str(exc))
        log.info("local clock moved to %s", now.isoformat())
        moved()
        return web.json_response({"now": now.isoformat()})

    return handle
