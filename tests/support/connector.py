"""A local stand-in for the Bot Connector service (what Teams' ``serviceUrl`` points at).

It runs an aiohttp server on ``127.0.0.1:<free port>`` and implements the routes the bot
calls::

    POST /v3/conversations                                  create a 1:1 chat
    POST /v3/conversations/{id}/activities                  send
    POST /v3/conversations/{id}/activities/{activityId}     reply in a thread
    PUT  /v3/conversations/{id}/activities/{activityId}     update
    DELETE /v3/conversations/{id}/activities/{activityId}   delete
    GET  /v3/conversations/{id}/members                     roster
    GET  /v3/conversations/{id}/pagedmembers                paged roster
    GET  /v3/conversations/{id}/members/{memberId}          one member

Every call is recorded (:class:`Call`: time, method, path, conversation, body, status).
Teams' per-conversation limits (7 operations/s, 8 per 2 s, 60 per 30 s) are enforced:
a call beyond them gets 429 with ``Retry-After`` and is counted as a violation
(:attr:`ConnectorStandIn.violations`). Faults can be injected for later calls
(:meth:`ConnectorStandIn.inject`): a status (429/500/502/504…) or a timeout (the answer is
held back for ``delay`` seconds).

Use it as an async context manager::

    async with ConnectorStandIn() as connector:
        activity["serviceUrl"] = connector.url
        ...
        sent = connector.sent_activities("conv-1")
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

__all__ = ["Call", "ConnectorStandIn", "Fault"]

TEAMS_LIMITS: tuple[tuple[float, int], ...] = ((1.0, 7), (2.0, 8), (30.0, 60))


@dataclass(frozen=True)
class Call:
    """One request the bot made.

    Attributes:
        at: ``time.monotonic()`` when it arrived.
        method: HTTP method.
        path: request path.
        operation: ``send``, ``reply``, ``update``, ``delete``, ``create``, ``members``.
        conversation_id: the conversation in the path ("" for create).
        activity_id: the activity in the path, if any.
        body: the parsed JSON body (None for GET/DELETE).
        status: the status answered.
        authorization: the Authorization header, if any.
    """

    at: float
    method: str
    path: str
    operation: str
    conversation_id: str
    activity_id: str | None
    body: Any
    status: int
    authorization: str | None = None


@dataclass
class Fault:
    """An injected failure: answer ``status`` (or hold the answer ``delay`` seconds)."""

    status: int = 500
    delay: float = 0.0
    retry_after: float | None = None
    times: int = 1
    operations: frozenset[str] | None = None
    conversation_id: str | None = None

    def matches(self, operation: str, conversation_id: str) -> bool:
        if self.times <= 0:
            return False
        if self.operations is not None and operation not in self.operations:
            return False
        return self.conversation_id is None or self.conversation_id == conversation_id


@dataclass
class _Window:
    stamps: deque[float] = field(default_factory=deque)


class ConnectorStandIn:
    """The Bot Connector stand-in; see the module docstring.

    Args:
        limits: per-conversation (window seconds, max operations); None disables throttling.
        retry_after: seconds announced in ``Retry-After`` of a throttling 429.
        members: the roster answered by the member routes (Teams account dicts) for every
            conversation without a roster of its own (:meth:`set_roster`). When neither is
            given, the stand-in answers a lookup of any member id with that member: tests
            that are not about membership need no roster.
        host: interface to bind (loopback).
    """

    def __init__(
        self,
        *,
        limits: tuple[tuple[float, int], ...] | None = TEAMS_LIMITS,
        retry_after: float = 1.0,
        members: list[dict[str, Any]] | None = None,
        host: str = "127.0.0.1",
    ) -> None:
        self.limits = limits
        self.retry_after = retry_after
        self.members = members if members is not None else []
        #: Conversation id -> its members (Teams account dicts); see :meth:`set_roster`.
        self.rosters: dict[str, list[dict[str, Any]]] = {}
        self.host = host
        self.calls: list[Call] = []
        self.violations: list[Call] = []
        self.faults: list[Fault] = []
        self.activities: dict[str, dict[str, dict[str, Any]]] = {}
        self._windows: dict[str, _Window] = {}
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()
        self.port = 0
        #: Requests being answered right now, and the most there ever were at once.
        self.in_flight = 0
        self.max_in_flight = 0

    # ----------------------------------------------------------------- lifecycle

    @property
    def url(self) -> str:
        """The service URL to put in activities (``http://127.0.0.1:<port>/``)."""
        return f"http://{self.host}:{self.port}/"

    async def start(self) -> ConnectorStandIn:
        app = web.Application(client_max_size=4 * 1024 * 1024)
        base = "/v3/conversations"
        app.router.add_post(base, self._create)
        app.router.add_post(base + "/{cid}/activities", self._send)
        app.router.add_post(base + "/{cid}/activities/{aid}", self._reply)
        app.router.add_put(base + "/{cid}/activities/{aid}", self._update)
        app.router.add_delete(base + "/{cid}/activities/{aid}", self._delete)
        app.router.add_get(base + "/{cid}/members", self._members)
        app.router.add_get(base + "/{cid}/pagedmembers", self._paged_members)
        app.router.add_get(base + "/{cid}/members/{mid}", self._member)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets  # type: ignore[union-attr]
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> ConnectorStandIn:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    # ----------------------------------------------------------------- test helpers

    def inject(
        self,
        status: int = 500,
        *,
        times: int = 1,
        delay: float = 0.0,
        retry_after: float | None = None,
        operations: set[str] | None = None,
        conversation_id: str | None = None,
    ) -> Fault:
        """Make the next ``times`` matching calls fail with ``status`` (after ``delay`` s).

        A ``delay`` longer than the bot's attempt timeout plays a timeout.
        """
        fault = Fault(
            status=status,
            delay=delay,
            retry_after=retry_after,
            times=times,
            operations=frozenset(operations) if operations else None,
            conversation_id=conversation_id,
        )
        self.faults.append(fault)
        return fault

    def set_roster(self, conversation_id: str, members: list[dict[str, Any]]) -> None:
        """The members of one conversation, as Teams lists them (``id``, ``name``,
        ``aadObjectId`` …); a lookup of anyone else there answers 404 as Teams does."""
        self.rosters[conversation_id] = members

    def _roster(self, conversation_id: str) -> list[dict[str, Any]] | None:
        """A conversation's roster, or None when the stand-in has none (everyone is in)."""
        if conversation_id in self.rosters:
            return self.rosters[conversation_id]
        return self.members or None

    def calls_of(
        self, operation: str | None = None, conversation_id: str | None = None
    ) -> list[Call]:
        """Recorded calls, filtered by operation and conversation."""
        return [
            c
            for c in self.calls
            if (operation is None or c.operation == operation)
            and (conversation_id is None or c.conversation_id == conversation_id)
        ]

    def sent_activities(self, conversation_id: str | None = None) -> list[dict[str, Any]]:
        """Bodies of successful sends and replies, in arrival order."""
        return [
            c.body
            for c in self.calls
            if c.operation in ("send", "reply")
            and c.status < 300
            and (conversation_id is None or c.conversation_id == conversation_id)
        ]

    async def wait_for(
        self, predicate: Callable[[ConnectorStandIn], bool], *, timeout: float = 10.0
    ) -> None:
        """Wait until ``predicate(self)`` is true (checked after every call)."""

        async def _wait() -> None:
            async with self._changed:
                await self._changed.wait_for(lambda: predicate(self))

        await asyncio.wait_for(_wait(), timeout)

    # ----------------------------------------------------------------- handlers

    def _throttled(self, conversation_id: str) -> bool:
        if self.limits is None:
            return False
        window = self._windows.setdefault(conversation_id.split(";messageid=")[0], _Window())
        now = time.monotonic()
        longest = max(w for w, _ in self.limits)
        while window.stamps and window.stamps[0] <= now - longest:
            window.stamps.popleft()
        for seconds, allowed in self.limits:
            if sum(1 for s in window.stamps if s > now - seconds) >= allowed:
                return True
        window.stamps.append(now)
        return False

    async def _record(
        self,
        request: web.Request,
        operation: str,
        body: Any,
        ok: Callable[[], web.Response],
    ) -> web.Response:
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            return await self._answer(request, operation, body, ok)
        finally:
            self.in_flight -= 1

    async def _answer(
        self,
        request: web.Request,
        operation: str,
        body: Any,
        ok: Callable[[], web.Response],
    ) -> web.Response:
        conversation_id = request.match_info.get("cid", "")
        activity_id = request.match_info.get("aid")
        status = 200
        response: web.Response
        fault = next((f for f in self.faults if f.matches(operation, conversation_id)), None)
        throttled = operation != "members" and self._throttled(conversation_id)
        if fault is not None:
            fault.times -= 1
            if fault.delay:
                await asyncio.sleep(fault.delay)
            status = fault.status
            headers = {"Retry-After": f"{fault.retry_after:g}"} if fault.retry_after else {}
            response = web.json_response(
                {"error": {"code": "Injected", "message": f"injected {status}"}},
                status=status,
                headers=headers,
            )
        elif throttled:
            status = 429
            response = web.json_response(
                {"error": {"code": "Throttled", "message": "too many requests"}},
                status=429,
                headers={"Retry-After": f"{self.retry_after:g}"},
            )
        else:
            response = ok()
            status = response.status
        call = Call(
            at=time.monotonic(),
            method=request.method,
            path=request.path,
            operation=operation,
            conversation_id=conversation_id,
            activity_id=activity_id,
            body=body,
            status=status,
            authorization=request.headers.get("Authorization"),
        )
        self.calls.append(call)
        if throttled and fault is None:
            self.violations.append(call)
        async with self._changed:
            self._changed.notify_all()
        return response

    def _store(self, conversation_id: str, body: dict[str, Any], activity_id: str) -> None:
        self.activities.setdefault(conversation_id, {})[activity_id] = body

    async def _send(self, request: web.Request) -> web.Response:
        return await self._new_activity(request, "send")

    async def _reply(self, request: web.Request) -> web.Response:
        return await self._new_activity(request, "reply")

    async def _new_activity(self, request: web.Request, operation: str) -> web.Response:
        """A sent or replied activity: stored under a fresh id, which is the answer."""
        body = await request.json()
        activity_id = f"act-{next(self._ids)}"

        def ok() -> web.Response:
            self._store(request.match_info["cid"], body, activity_id)
            return web.json_response({"id": activity_id})

        return await self._record(request, operation, body, ok)

    async def _update(self, request: web.Request) -> web.Response:
        body = await request.json()
        activity_id = request.match_info["aid"]

        def ok() -> web.Response:
            known = self.activities.get(request.match_info["cid"], {})
            if activity_id not in known:
                return web.json_response(
                    {"error": {"code": "NotFound", "message": "unknown activity"}}, status=404
                )
            known[activity_id] = body
            return web.json_response({"id": activity_id})

        return await self._record(request, "update", body, ok)

    async def _delete(self, request: web.Request) -> web.Response:
        def ok() -> web.Response:
            self.activities.get(request.match_info["cid"], {}).pop(request.match_info["aid"], None)
            return web.Response(status=200)

        return await self._record(request, "delete", None, ok)

    async def _create(self, request: web.Request) -> web.Response:
        body = await request.json()
        members = body.get("members") or [{}]
        conversation_id = f"a:1on1-{members[0].get('id', 'unknown')}"

        def ok() -> web.Response:
            self.activities.setdefault(conversation_id, {})
            return web.json_response({"id": conversation_id, "serviceUrl": self.url})

        return await self._record(request, "create", body, ok)

    async def _members(self, request: web.Request) -> web.Response:
        roster = self._roster(request.match_info["cid"]) or []
        return await self._record(request, "members", None, lambda: web.json_response(roster))

    async def _paged_members(self, request: web.Request) -> web.Response:
        roster = self._roster(request.match_info["cid"]) or []
        return await self._record(
            request, "members", None, lambda: web.json_response({"members": roster})
        )

    async def _member(self, request: web.Request) -> web.Response:
        wanted = request.match_info["mid"]
        roster = self._roster(request.match_info["cid"])

        def ok() -> web.Response:
            if roster is None:
                return web.json_response({"id": wanted, "name": wanted})
            for member in roster:
                if wanted in (member.get("id"), member.get("aadObjectId")):
                    return web.json_response(member)
            return web.json_response(
                {"error": {"code": "MemberNotFoundInConversation", "message": "not a member"}},
                status=404,
            )

        return await self._record(request, "members", None, ok)
