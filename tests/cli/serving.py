"""Helpers for the `serve` tests: a server in a subprocess, its app processes found by pid, a websocket tab."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import aiohttp


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parents() -> dict[int, int]:
    """Every live process's parent, from /proc (a zombie counts as live: it has not been reaped)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            found[int(entry.name)] = int(stat.rpartition(")")[2].split()[1])
    return found


def descendants(pid: int) -> set[int]:
    tree = parents()
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in tree.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pids: set[int]) -> set[int]:
    return {pid for pid in pids if Path(f"/proc/{pid}").exists()}


class Served:
    """`backprop-stepper serve` in a subprocess."""

    def __init__(self, *arguments: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [sys.executable, "-m", "backprop_stepper", "serve", *arguments, "--port", str(self.port)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.pid = self.process.pid
        deadline = time.monotonic() + 30
        while True:
            try:
                self.page = self.get("/")[1]
                return
            except OSError as error:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise AssertionError(self.process.stdout.read().decode()) from error
                time.sleep(0.2)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(self.url + path, timeout=5) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def app_processes(self) -> set[int]:
        """The sessions' processes: the server's grandchildren (its one child is the session forker)."""
        children = [child for child, parent in parents().items() if parent == self.pid]
        return set().union(*(descendants(child) for child in children))

    async def app_processes_after(self, count: int, within: float) -> set[int]:
        """The app processes once there are `count` of them, or when `within` seconds have passed.

        It waits on the event loop, so that the tabs' own closing (on the same loop) goes on."""
        deadline = time.monotonic() + within
        while len(found := self.app_processes()) != count and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        return found

    def stop(self) -> None:
        if self.process.poll() is None:
            end(self.process)


def end(process: subprocess.Popen) -> None:
    """SIGTERM, and SIGKILL if it has not ended within 10 s."""
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Tab:
    """A browser tab's side of the websocket: what it has been sent, and keys to send."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.seen = ""

    async def until(self, text: str, within: float = 30) -> bool:
        deadline = time.monotonic() + within
        while text not in self.seen and time.monotonic() < deadline:
            try:
                message = await self.ws.receive(timeout=max(0.1, deadline - time.monotonic()))
            except TimeoutError:
                break
            if message.type == aiohttp.WSMsgType.BINARY:
                self.seen += message.data.decode("utf-8", "replace")
            elif message.type == aiohttp.WSMsgType.TEXT:
                self.seen += message.data
            else:
                break  # closed
        return text in self.seen

    async def press(self, keys: str) -> None:
        await self.ws.send_str(json.dumps(["stdin", keys]))

    async def close(self) -> None:
        """The tab closes (a closing handshake), given at most 10 s before the connection is dropped."""
        try:
            await asyncio.wait_for(self.ws.close(), 10)
        except TimeoutError:
            self.drop()

    def drop(self) -> None:
        """The connection goes without a closing handshake (a killed browser, a dropped network).

        aiohttp has no public call for that: its transport is aborted, as the kernel does when a
        browser is killed."""
        transport = self.ws._response.connection.transport
        assert transport is not None
        transport.abort()


async def open_tab(session: aiohttp.ClientSession, port: int, width: int = 100, height: int = 30) -> Tab:
    ws = await asyncio.wait_for(session.ws_connect(f"ws://127.0.0.1:{port}/ws?width={width}&height={height}"), 30)
    await ws.send_str(json.dumps(["resize", {"width": width, "height": height}]))
    return Tab(ws)


ARROW_RIGHT = "\x1b[C"
SESSION_ENV = dict(os.environ, TEXTUAL_DRIVER="backprop_stepper.tui.served:ServedDriver",
                   COLUMNS="100", ROWS="30")
