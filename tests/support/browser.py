"""Look at the Agents Playground as a person would: headless Chromium, driven over the
Chrome DevTools Protocol, takes screenshots of the playground's page.

Not used by the test suite (CI has no browser); a developer's tool for checking how cards
render. Needs Debian's ``chromium`` (``apt-get install chromium``). Example::

    async with Playground(bot_url) as pg, PlaygroundPage(pg.url) as page:
        await page.open_chat("Workshop-gruppen")
        await pg.send_message("Fie", "start")
        await asyncio.sleep(2)
        await page.screenshot(Path("var/setup-card.png"))
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import itertools
import json
import shutil
from pathlib import Path
from typing import Any

import aiohttp

from tests.support import free_port

__all__ = ["PlaygroundPage"]

_CLICK_TEXT = """(() => {
  const hits = [...document.querySelectorAll('*')]
    .filter(e => e.children.length === 0 && e.textContent.trim() === %s);
  if (!hits.length) return false;
  hits[0].click();
  return true;
})()"""


class PlaygroundPage:
    """The playground's web page in headless Chromium; an async context manager.

    Args:
        url: the playground's address (``Playground.url``).
        width: window width in pixels.
        height: window height in pixels.
    """

    def __init__(self, url: str, *, width: int = 1400, height: int = 1100) -> None:
        self.url = url
        self.size = f"{width},{height}"
        self._process: asyncio.subprocess.Process | None = None
        self._http: aiohttp.ClientSession | None = None
        self._ws: aiohttp.ClientWebSocketResponse | None = None
        self._ids = itertools.count(1)

    async def __aenter__(self) -> PlaygroundPage:
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        if chromium is None:
            raise RuntimeError("chromium is not installed; run: apt-get install chromium")
        port = free_port()
        self._process = await asyncio.create_subprocess_exec(
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            f"--window-size={self.size}",
            f"--remote-debugging-port={port}",
            "about:blank",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        self._http = aiohttp.ClientSession()
        targets: list[dict[str, Any]] = []
        for _ in range(100):
            try:
                async with self._http.get(f"http://127.0.0.1:{port}/json") as response:
                    targets = await response.json()
                    break
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
        page = next(t for t in targets if t.get("type") == "page")
        self._ws = await self._http.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        await self._call("Page.enable")
        await self._call("Page.navigate", url=self.url)
        await asyncio.sleep(4)  # the page loads its config and opens its web sockets
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._http is not None:
            await self._http.close()
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.terminate()
            await self._process.wait()

    async def _call(self, method: str, **params: Any) -> dict[str, Any]:
        assert self._ws is not None
        call_id = next(self._ids)
        await self._ws.send_json({"id": call_id, "method": method, "params": params})
        async for message in self._ws:
            data = json.loads(message.data)
            if data.get("id") == call_id:
                return dict(data.get("result") or {})
        raise RuntimeError("the browser closed the DevTools connection")

    async def click_text(self, text: str) -> bool:
        """Click the first element whose whole text is ``text``; False when there is none."""
        result = await self._call(
            "Runtime.evaluate", expression=_CLICK_TEXT % json.dumps(text), returnByValue=True
        )
        return bool(result.get("result", {}).get("value"))

    async def open_chat(self, name: str) -> None:
        """Show a chat or channel by its name in the left pane (e.g. ``Workshop-gruppen``)."""
        if not await self.click_text(name):
            raise LookupError(f"no chat named {name!r} on the page")
        await asyncio.sleep(1)

    async def screenshot(self, path: Path) -> Path:
        """Save the visible page as a PNG."""
        result = await self._call("Page.captureScreenshot", format="png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(result["data"]))
        return path
