"""The served page in a real headless browser (Debian's `chromium`), driven over its DevTools protocol.

The terminal draws on a canvas, so the test reads what the page's websocket received (the
browser's own record of its frames) and presses keys as a user's keyboard would.
Install the browser with `apt-get install chromium`; without one, these tests skip.
"""

from __future__ import annotations

import asyncio
import base64
import itertools
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import aiohttp
import pytest

from .serving import Served, end

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(BROWSER is None, reason="no chromium on this machine (apt-get install chromium)")]


class Browser:
    """A headless chromium and its DevTools connection to one page."""

    def __init__(self, profile: Path) -> None:
        self.process = subprocess.Popen(
            [BROWSER, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--window-size=1280,800",
             "--remote-debugging-port=0", f"--user-data-dir={profile}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.profile = profile
        self.ids = itertools.count(1)
        self.answers: dict[int, asyncio.Future] = {}
        self.received = ""  # what the page's websocket has been sent, decoded

    async def connect(self, client: aiohttp.ClientSession) -> None:
        port_file, deadline = self.profile / "DevToolsActivePort", time.monotonic() + 30
        while not port_file.exists() or not port_file.read_text().strip():
            assert time.monotonic() < deadline and self.process.poll() is None, "chromium did not start"
            await asyncio.sleep(0.1)
        port = port_file.read_text().split()[0]
        async with client.get(f"http://127.0.0.1:{port}/json/list") as response:
            page = next(target for target in await response.json() if target["type"] == "page")
        self.ws = await client.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0)
        self.listener = asyncio.create_task(self.listen())

    async def listen(self) -> None:
        async for message in self.ws:
            data = message.json()
            if "id" in data and data["id"] in self.answers:
                self.answers.pop(data["id"]).set_result(data)
            elif data.get("method") == "Network.webSocketFrameReceived":
                response = data["params"]["response"]
                payload = response["payloadData"]
                if response["opcode"] == 2:
                    payload = base64.b64decode(payload).decode("utf-8", "replace")
                self.received += payload

    async def call(self, method: str, **params) -> dict:
        number = next(self.ids)
        self.answers[number] = answer = asyncio.get_running_loop().create_future()
        await self.ws.send_json({"id": number, "method": method, "params": params})
        return await asyncio.wait_for(answer, 30)

    async def until(self, text: str, within: float = 30) -> bool:
        deadline = time.monotonic() + within
        while text not in self.received and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return text in self.received

    async def press(self, key: str, code: int) -> None:
        for kind in ("keyDown", "keyUp"):
            await self.call("Input.dispatchKeyEvent", type=kind, key=key, code=key,
                            windowsVirtualKeyCode=code, nativeVirtualKeyCode=code)

    def close(self) -> None:
        end(self.process)


@contextmanager
def room_stopped(room: Served):
    try:
        yield room
    finally:
        room.stop()


async def test_the_stepper_runs_and_steps_in_a_real_browser():
    room = Served("sigmoid-2-2-2")
    with tempfile.TemporaryDirectory() as profile, room_stopped(room):
        browser = Browser(Path(profile))
        try:
            async with aiohttp.ClientSession() as client:
                await browser.connect(client)
                await browser.call("Network.enable")
                await browser.call("Page.navigate", url=room.url + "/")
                assert await browser.until("event 1/39"), browser.received[-300:]  # the status line
                shown = await browser.call("Runtime.evaluate",
                                           expression="document.body.classList.contains('-first-byte')")
                assert shown["result"]["result"]["value"] is True  # the terminal has drawn it
                assert len(room.app_processes()) == 1
                await browser.call("Runtime.evaluate",
                                   expression="document.querySelector('.xterm-helper-textarea').focus()")
                await browser.press("ArrowRight", 39)
                assert await browser.until("event 2/39"), browser.received[-300:]
                browser.listener.cancel()
        finally:
            browser.close()
        # The browser has gone: so has its tab's app process.
        deadline = time.monotonic() + 5
        while room.app_processes() and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        assert room.app_processes() == set()
