"""Drive the Microsoft 365 Agents Playground from a test, without a browser.

The playground (npm ``@microsoft/m365agentsplayground``) is a web page plus an HTTP and
WebSocket API on one port; the page is only a client of that API. This module starts the
playground against a bot and speaks that API (read from the package's ``dist/index.js``,
version 0.2.28):

- ``GET  /_internal/v1/config``: the mock tenant (users, chats, team) from the config
  file; it also makes the playground wait for the bot's endpoint.
- ``GET  /_internal/v1/customActivities/template?conversationId=…&type=botAdded``: a
  correctly addressed activity for a conversation (service URL, conversation, channel data).
- ``POST /_internal/v1/customActivities``: sends ANY activity to the bot as it is: this is
  how a test speaks as any mock user (the chat route ``/_conversation/v1/conversations/
  {id}/messages`` always speaks as the config's current user).
- ``WS   /_ws/log/stream``: every call in either direction as a log item
  (``from``/``to`` "Microsoft 365 Agents Playground" / "User Application", the request
  body, the response status and body).
- ``WS   /_ws_conversation/v1/conversations/stream``: what the chat pane shows
  (``createMessage``/``updateMessage``… actions).

Like Teams, the playground delivers a group chat or channel message to the bot only when
it @mentions the bot; :meth:`Playground.send_message` adds the mention there by default.
It has no meetings: test meeting events with hand-built activities.

Example::

    async with Playground(bot_endpoint="http://127.0.0.1:3978/api/messages") as pg:
        sent = await pg.send_message("Anders", "hej", conversation="group")
        answer = await pg.wait_for_bot_activity(lambda call: call.text == "echo: hej")
        await pg.submit_card("Bente", {"answer": "7"}, reply_to_id=answer.message_id)
"""

from __future__ import annotations

import asyncio
import json
import logging
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import aiohttp
import pytest

from bot.cli.serve import playground_command, playground_environment, stop_process
from tests.support import free_port

__all__ = ["BotCall", "Playground", "PlaygroundError", "requires_playground"]

log = logging.getLogger(__name__)

T = TypeVar("T")

REPO_ROOT = Path(__file__).resolve().parents[2]
PLAYGROUND_NAME = "Microsoft 365 Agents Playground"
APP_NAME = "User Application"
PLAYGROUND_EXECUTABLE = REPO_ROOT / "node_modules" / ".bin" / "agentsplayground"


#: Mark for tests that start the playground: skipped when ``npm ci`` or node is missing.
requires_playground = pytest.mark.skipif(
    not PLAYGROUND_EXECUTABLE.exists() or shutil.which("node") is None,
    reason="the Agents Playground is not installed (run make setup)",
)


class PlaygroundError(RuntimeError):
    """The playground could not be started or did not answer as expected."""


@dataclass(frozen=True)
class BotCall:
    """One log item of the playground: a call in either direction.

    Attributes:
        direction: ``"to_bot"`` (an activity the playground sent to the bot) or
            ``"from_bot"`` (a call the bot made to the playground's connector).
        name: the playground's name of the call (``message``, ``invoke``, update calls…).
        conversation_id: the conversation it concerns.
        message_id: the activity id (for ``from_bot``: the id the playground gave it).
        request: the request body (an activity as JSON).
        status: the response status.
        response: the response body.
        raw: the whole log item.
    """

    direction: str
    name: str | None
    conversation_id: str | None
    message_id: str | None
    request: dict[str, Any]
    status: int | None
    response: Any
    raw: dict[str, Any]

    @property
    def text(self) -> str | None:
        """The activity's text, if any."""
        value = self.request.get("text")
        return value if isinstance(value, str) else None

    @property
    def type(self) -> str | None:
        """The activity's type (``message``, ``invoke``…)."""
        value = self.request.get("type")
        return value if isinstance(value, str) else None

    @property
    def cards(self) -> list[dict[str, Any]]:
        """The Adaptive Cards attached to the activity."""
        return [
            a.get("content") or {}
            for a in self.request.get("attachments") or []
            if a.get("contentType") == "application/vnd.microsoft.card.adaptive"
        ]

    @property
    def is_update(self) -> bool:
        """True for the bot's update of an activity it sent before (PUT: the body carries the
        activity's id; a new send carries none and is answered 201)."""
        return (
            self.direction == "from_bot"
            and bool(self.message_id)
            and (self.request.get("id") == self.message_id)
        )

    @property
    def recipient_id(self) -> str | None:
        recipient = self.request.get("recipient") or {}
        return recipient.get("id")


class Playground:
    """Runs the Agents Playground against a bot endpoint; an async context manager.

    Args:
        bot_endpoint: the bot's ``/api/messages`` URL.
        port: the playground's port (a free one by default).
        config: the mock tenant file (default: the project's ``.m365agentsplayground.yml``).
        executable: the ``agentsplayground`` program (default: ``node_modules/.bin``).
        log_file: where the playground writes its own log (default: a temporary path
            beside its stdout capture, under ``var/``).
        startup_timeout: seconds to wait for the playground and the bot endpoint.
    """

    def __init__(
        self,
        bot_endpoint: str,
        *,
        port: int | None = None,
        config: Path | None = None,
        executable: Path | None = None,
        log_file: Path | None = None,
        startup_timeout: float = 60.0,
    ) -> None:
        self.bot_endpoint = bot_endpoint
        self.port = port or free_port()
        self.config_path = config or REPO_ROOT / ".m365agentsplayground.yml"
        self.executable = executable or PLAYGROUND_EXECUTABLE
        run_dir = REPO_ROOT / "var" / "playground"
        self.log_file = log_file or run_dir / f"playground-{self.port}.log"
        self.output_file = self.log_file.with_suffix(".out")
        self.startup_timeout = startup_timeout
        #: Every log item, in arrival order, as :class:`BotCall`.
        self.calls: list[BotCall] = []
        #: Every action of the conversation stream (what the chat pane shows).
        self.chat_events: list[dict[str, Any]] = []
        #: Other log items (texts like "Connected.", warnings).
        self.notes: list[dict[str, Any]] = []
        self.tenant: dict[str, Any] = {}
        self._process: asyncio.subprocess.Process | None = None
        self._session: aiohttp.ClientSession | None = None
        self._readers: list[asyncio.Task[None]] = []
        self._changed = asyncio.Condition()
        self._templates: dict[str, dict[str, Any]] = {}

    # ------------------------------------------------------------------ lifecycle

    @property
    def url(self) -> str:
        """The playground's web page (open it in a browser to watch)."""
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> Playground:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> None:
        """Start the playground, connect to its streams, load the mock tenant."""
        if not self.executable.exists():
            raise PlaygroundError(f"{self.executable} is missing; run `make setup` (npm ci)")
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        with self.output_file.open("wb") as output:
            self._process = await asyncio.create_subprocess_exec(
                *playground_command(self.executable, bot_url=self.bot_endpoint, port=self.port),
                env=playground_environment(
                    self.config_path, open_browser=False, log_file=self.log_file
                ),
                stdin=asyncio.subprocess.DEVNULL,
                stdout=output,
                stderr=asyncio.subprocess.STDOUT,
                start_new_session=True,
            )
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        try:
            await self._wait_until_up()
            self._readers = [
                asyncio.create_task(self._read_stream("/_ws/log/stream", self._on_log)),
                asyncio.create_task(
                    self._read_stream("/_ws_conversation/v1/conversations/stream", self._on_chat)
                ),
            ]
            async with self._session.get(self.url + "/_internal/v1/config") as response:
                if response.status != 200:
                    raise PlaygroundError(f"GET /_internal/v1/config answered {response.status}")
                self.tenant = (await response.json())["config"]
        except BaseException:
            await self.stop()
            raise

    async def stop(self) -> None:
        """Close the streams and end the playground process (only the one started here)."""
        for reader in self._readers:
            reader.cancel()
        await asyncio.gather(*self._readers, return_exceptions=True)
        self._readers = []
        if self._session is not None:
            await self._session.close()
            self._session = None
        process, self._process = self._process, None
        if process is not None:
            await stop_process(process)

    async def _wait_until_up(self) -> None:
        assert self._session is not None and self._process is not None
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self._process.returncode is not None:
                raise PlaygroundError(
                    f"the playground exited with {self._process.returncode}; see {self.output_file}"
                )
            try:
                async with self._session.get(self.url + "/") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.2)
        raise PlaygroundError(f"the playground did not start in {self.startup_timeout:g} s")

    async def _read_stream(self, path: str, handle: Callable[[dict[str, Any]], None]) -> None:
        assert self._session is not None
        async with self._session.ws_connect(
            self.url.replace("http", "ws", 1) + path, timeout=aiohttp.ClientWSTimeout(ws_close=5)
        ) as socket:
            async for message in socket:
                if message.type != aiohttp.WSMsgType.TEXT:
                    continue
                try:
                    data = json.loads(message.data)
                except json.JSONDecodeError:
                    continue
                handle(data)
                async with self._changed:
                    self._changed.notify_all()

    def _on_log(self, data: dict[str, Any]) -> None:
        item = data.get("log") or {}
        if item.get("type") != "bot":
            self.notes.append(item)
            return
        request = (item.get("request") or {}).get("body") or {}
        response = item.get("response") or {}
        self.calls.append(
            BotCall(
                direction="to_bot" if item.get("from") == PLAYGROUND_NAME else "from_bot",
                name=item.get("activityName"),
                conversation_id=item.get("conversationId"),
                message_id=item.get("messageId"),
                request=request if isinstance(request, dict) else {},
                status=response.get("statusCode"),
                response=response.get("body"),
                raw=item,
            )
        )

    def _on_chat(self, data: dict[str, Any]) -> None:
        self.chat_events.append(data)

    # ------------------------------------------------------------------ the mock tenant

    def user(self, who: str) -> dict[str, Any]:
        """A mock user by id, given name or full name (case-insensitive)."""
        people = [self.tenant["currentUser"], *self.tenant["users"]]
        wanted = who.casefold()
        for person in people:
            names = {person["id"], person["name"], person.get("givenName", "")}
            if wanted in {n.casefold() for n in names if n}:
                return dict(person)
        known = ", ".join(p.get("givenName") or p["name"] for p in people)
        raise KeyError(f"no mock user {who!r}; the config has {known}")

    @property
    def bot(self) -> dict[str, Any]:
        """The bot's account (id, name) from the config."""
        return dict(self.tenant["bot"])

    def conversation_id(self, conversation: str) -> str:
        """The id of ``personal``, ``group``, ``team`` (its General channel) or a channel name.

        Any other value is taken as a conversation id.
        """
        if conversation == "personal":
            return str(self.tenant["personalChat"]["id"])
        if conversation == "group":
            return str(self.tenant["groupChats"][0]["id"])
        team = self.tenant["teams"][0]
        if conversation == "team":
            return str(team["id"])
        for channel in team["channels"]:
            if channel["name"].casefold() == conversation.casefold():
                return str(channel["id"])
        return conversation

    async def _template(self, conversation_id: str) -> dict[str, Any]:
        """A correctly addressed activity for the conversation (from the playground)."""
        if conversation_id not in self._templates:
            assert self._session is not None
            async with self._session.get(
                self.url + "/_internal/v1/customActivities/template",
                params={"conversationId": conversation_id, "type": "botAdded"},
            ) as response:
                if response.status != 200:
                    raise PlaygroundError(
                        f"no template for conversation {conversation_id!r}: {response.status} "
                        f"{await response.text()}"
                    )
                self._templates[conversation_id] = await response.json()
        return json.loads(json.dumps(self._templates[conversation_id]))

    # ------------------------------------------------------------------ speaking

    async def activity_for(
        self, user: str, *, conversation: str = "group", type: str = "message"
    ) -> dict[str, Any]:
        """A fresh activity from ``user`` in ``conversation``, addressed like Teams does."""
        template = await self._template(self.conversation_id(conversation))
        person = self.user(user)
        now = datetime.now(UTC)
        return {
            "type": type,
            "id": str(uuid.uuid4()),
            "timestamp": now.isoformat().replace("+00:00", "Z"),
            "localTimestamp": now.isoformat(),
            "serviceUrl": template["serviceUrl"],
            "channelId": template.get("channelId", "msteams"),
            "from": {
                "id": person["id"],
                "name": person["name"],
                "aadObjectId": person["aadObjectId"],
            },
            "conversation": template["conversation"],
            "recipient": template["recipient"],
            "channelData": template.get("channelData") or {},
            "locale": "da-DK",
            "entities": [],
        }

    async def send_activity(self, activity: dict[str, Any]) -> str:
        """Send any activity to the bot through the custom-activity route; returns its id."""
        assert self._session is not None
        activity.setdefault("id", str(uuid.uuid4()))
        async with self._session.post(
            self.url + "/_internal/v1/customActivities", json=activity
        ) as response:
            if response.status != 200:
                raise PlaygroundError(
                    f"custom activity refused: {response.status} {await response.text()}"
                )
        return str(activity["id"])

    async def send_message(
        self,
        user: str,
        text: str,
        *,
        conversation: str = "group",
        mention: bool | None = None,
        reply_to_id: str | None = None,
    ) -> str:
        """``user`` writes ``text`` in ``conversation``; returns the activity id.

        Args:
            user: a mock user (id, given name or full name).
            text: the message.
            conversation: ``group``, ``personal``, ``team`` or a channel name/id.
            mention: @mention the bot (default: yes outside the personal chat, because
                Teams and the playground deliver only mentioned messages there).
            reply_to_id: answer in the thread of this message.
        """
        activity = await self.activity_for(user, conversation=conversation)
        if mention is None:
            mention = activity["conversation"].get("conversationType") != "personal"
        if mention:
            tag = f"<at>{self.bot['name']}</at>"
            activity["text"] = f"{tag} {text}"
            activity["entities"].append({"type": "mention", "mentioned": self.bot, "text": tag})
        else:
            activity["text"] = text
        activity["textFormat"] = "plain"
        if reply_to_id:
            activity["replyToId"] = reply_to_id
        return await self.send_activity(activity)

    async def submit_card(
        self,
        user: str,
        value: dict[str, Any],
        *,
        conversation: str = "group",
        reply_to_id: str | None = None,
    ) -> str:
        """``user`` presses an ``Action.Submit`` button: a message with ``value``.

        Args:
            value: the card's inputs merged with the action's ``data``.
            reply_to_id: the id of the card's message (``BotCall.message_id``).
        """
        activity = await self.activity_for(user, conversation=conversation)
        activity["value"] = value
        activity["text"] = None
        if reply_to_id:
            activity["replyToId"] = reply_to_id
        return await self.send_activity(activity)

    async def execute_card(
        self,
        user: str,
        verb: str,
        data: dict[str, Any],
        *,
        conversation: str = "group",
        reply_to_id: str | None = None,
    ) -> str:
        """``user`` presses an ``Action.Execute`` button: an ``adaptiveCard/action`` invoke."""
        activity = await self.activity_for(user, conversation=conversation, type="invoke")
        activity["name"] = "adaptiveCard/action"
        activity["value"] = {
            "action": {"type": "Action.Execute", "verb": verb, "data": data},
            "trigger": "manual",
        }
        if reply_to_id:
            activity["replyToId"] = reply_to_id
        return await self.send_activity(activity)

    async def conversation_update(self, kind: str, *, conversation: str = "group") -> str:
        """Send one of the playground's built-in events (``botAdded``, ``userAdded``,
        ``install``, ``uninstall``…) for the conversation; returns the activity id."""
        assert self._session is not None
        async with self._session.get(
            self.url + "/_internal/v1/customActivities/template",
            params={"conversationId": self.conversation_id(conversation), "type": kind},
        ) as response:
            if response.status != 200:
                raise PlaygroundError(f"no {kind!r} template: {response.status}")
            activity = await response.json()
        return await self.send_activity(activity)

    # ------------------------------------------------------------------ waiting

    def mark(self) -> int:
        """The current number of calls; pass it as ``since`` to wait for newer ones."""
        return len(self.calls)

    async def wait_for_call(
        self, predicate: Callable[[BotCall], bool], *, timeout: float = 15.0, since: int = 0
    ) -> BotCall:
        """The first call (from index ``since``) that satisfies ``predicate``."""

        def find() -> BotCall | None:
            return next((c for c in self.calls[since:] if predicate(c)), None)

        found = await self._wait_until(find, timeout)
        if found is None:
            seen = [(c.direction, c.name, c.text) for c in self.calls[since:]]
            raise AssertionError(f"no matching call within {timeout:g} s; saw {seen}")
        return found

    async def wait_for_bot_activity(
        self, predicate: Callable[[BotCall], bool], *, timeout: float = 15.0, since: int = 0
    ) -> BotCall:
        """The first call the BOT made (send, reply, update…) that satisfies ``predicate``."""
        return await self.wait_for_call(
            lambda c: c.direction == "from_bot" and predicate(c), timeout=timeout, since=since
        )

    async def wait_for_turn(self, activity_id: str, *, timeout: float = 15.0) -> BotCall:
        """The bot's HTTP answer to the activity ``activity_id`` (status and body)."""
        return await self.wait_for_call(
            lambda c: c.direction == "to_bot" and c.message_id == activity_id, timeout=timeout
        )

    async def wait_for_note(self, text: str, *, timeout: float = 15.0) -> dict[str, Any]:
        """The first plain log line (not a call) that contains ``text``."""

        def find() -> dict[str, Any] | None:
            return next((n for n in self.notes if text in str(n.get("displayText"))), None)

        found = await self._wait_until(find, timeout)
        if found is None:
            seen = [n.get("displayText") for n in self.notes]
            raise AssertionError(f"no log line with {text!r} in {timeout:g} s; saw {seen}")
        return found

    async def _wait_until(self, find: Callable[[], T | None], timeout: float) -> T | None:
        """What ``find`` returns once it is not None, re-checked as items arrive; None when
        ``timeout`` seconds pass first."""

        async def wait() -> T:
            async with self._changed:
                await self._changed.wait_for(lambda: find() is not None)
            found = find()
            assert found is not None
            return found

        try:
            return await asyncio.wait_for(wait(), timeout)
        except TimeoutError:
            return None

    def bot_activities(self, since: int = 0) -> list[BotCall]:
        """Every call the bot made, from index ``since``."""
        return [c for c in self.calls[since:] if c.direction == "from_bot"]
