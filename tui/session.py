"""One browser tab's session: its app process, started (forked or fresh), relayed to and from the tab, stopped.

The app runs with tui.served.ServedDriver, Textual's web driver, which talks over the process's
stdin and stdout in packets. After a first line `__GANGLION__`, the app writes packets of one type
byte, a 4-byte big-endian length and the payload:

- b"D": terminal output, sent to the tab as a binary websocket message;
- b"M": a JSON meta message: "exit" (the app has ended: the tab's connection closes), "open_url",
  "deliver_file_start" (a file for the tab: tui/session_files.py);
- b"P": a packed message, a chunk of such a file.

The server writes the same framing to the app's stdin: b"D" with the tab's keys, b"M" with
"resize", "focus", "blur", "quit" and "deliver_chunk_request". The tab's page (textual-serve's
textual.js) sends JSON arrays: ["stdin", text], ["resize", {"width", "height"}], ["ping", x]
(answered ["pong", x]), ["focus"], ["blur"].

A session ends within STOP_GRACE seconds of its stop(), however its app behaves: "quit", its stdin
closed, then killed.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import sys
from importlib.metadata import version
from typing import TYPE_CHECKING

from aiohttp import WSMsgType, web

from .session_files import Deliveries

if TYPE_CHECKING:
    from .room import Forker

log = logging.getLogger("backprop-stepper.serve")

DRIVER = "backprop_stepper.tui.served:ServedDriver"
STOP_GRACE = 3.0  # seconds a session has to end after its "quit" before it is killed
PRELUDE = b"__GANGLION__\n"  # the web driver's first line: what follows is packets
PRELUDE_LINES = 10  # lines an app may print before its prelude (warnings, say)


def session_environment(columns: int, rows: int) -> dict[str, str]:
    """An app process's environment: Textual's web driver (ours), truecolor, the tab's size."""
    environment = dict(os.environ)
    environment.update(TEXTUAL_DRIVER=DRIVER, TEXTUAL_FPS="60", TEXTUAL_COLOR_SYSTEM="truecolor",
                       TERM_PROGRAM="textual", TERM_PROGRAM_VERSION=version("textual-serve"),
                       COLUMNS=str(columns), ROWS=str(rows))
    return environment


def packet(kind: bytes, payload: bytes) -> bytes:
    return kind + len(payload).to_bytes(4, "big") + payload


class Session:
    """One tab's app process. Subclasses open the process and know how to wait for it and kill it."""

    def __init__(self, tab: web.WebSocketResponse, files: Deliveries) -> None:
        self.tab = tab
        self.files = files
        self.pid: int | None = None
        self.stdin: asyncio.StreamWriter | None = None
        self.pump: asyncio.Task[None] | None = None
        self.stopping: asyncio.Future[None] | None = None
        self.tab_gone = False

    async def open(self, columns: int, rows: int) -> tuple[asyncio.StreamReader, asyncio.StreamReader]:
        """Start the app process; set pid and stdin; return its stdout and stderr."""
        raise NotImplementedError

    async def exited(self) -> None:
        """Return once the app process has ended."""
        raise NotImplementedError

    def kill(self) -> None:
        raise NotImplementedError

    async def start(self, columns: int, rows: int) -> None:
        stdout, stderr = await self.open(columns, rows)
        self.pump = asyncio.create_task(self.from_app(stdout, stderr))

    # -- the tab to the app -------------------------------------------------------------------------

    async def send(self, kind: bytes, payload: bytes) -> bool:
        """Write one packet to the app's stdin; False if it can no longer be written."""
        if self.stdin is None or self.stdin.is_closing():
            return False
        try:
            self.stdin.write(packet(kind, payload))
            await self.stdin.drain()
        except (OSError, RuntimeError):
            return False
        return True

    async def send_meta(self, message: dict) -> bool:
        return await self.send(b"M", json.dumps(message).encode())

    async def from_tab(self) -> None:
        """Relay the tab's messages to the app until the tab's connection ends."""
        async for message in self.tab:
            if message.type != WSMsgType.TEXT:
                continue
            try:
                kind, *arguments = json.loads(message.data)
                if kind == "stdin":
                    await self.send(b"D", str(arguments[0]).encode())
                elif kind == "resize":
                    size = arguments[0]
                    await self.send_meta({"type": "resize", "width": int(size["width"]), "height": int(size["height"])})
                elif kind == "ping":
                    await self.tab.send_json(["pong", arguments[0]])
                elif kind in ("focus", "blur"):
                    await self.send_meta({"type": kind})
            except (ValueError, TypeError, KeyError, IndexError):
                log.warning("session %s: a message from its tab could not be read: %.80r", self.pid, message.data)

    # -- the app to the tab -------------------------------------------------------------------------

    async def from_app(self, stdout: asyncio.StreamReader, stderr: asyncio.StreamReader) -> None:
        """Relay the app's packets to the tab until the app's output ends; then close the tab."""
        errors = asyncio.create_task(stderr.read())
        try:
            if await self.prelude(stdout):
                while True:
                    header = await stdout.readexactly(5)
                    payload = await stdout.readexactly(int.from_bytes(header[1:], "big"))
                    await self.to_tab(header[:1], payload)
            else:
                log.error("session %s: the app did not start", self.pid)
        except (asyncio.IncompleteReadError, ConnectionResetError):
            pass  # the app's output has ended
        finally:
            await self.close_tab()
            try:
                text = await asyncio.wait_for(errors, STOP_GRACE)
            except TimeoutError:
                text = b""
            if text:
                sys.stderr.write(text.decode("utf-8", "replace"))

    @staticmethod
    async def prelude(stdout: asyncio.StreamReader) -> bool:
        for _ in range(PRELUDE_LINES):
            line = await stdout.readline()
            if line == PRELUDE:
                return True
            if not line:
                break
        return False

    async def to_tab(self, kind: bytes, payload: bytes) -> None:
        if kind == b"P":
            self.files.received(payload)
            return
        if self.tab_gone:
            return  # keep reading, so that the app is never stuck writing, until it ends
        try:
            if kind == b"D":
                await self.tab.send_bytes(payload)
            elif kind == b"M":
                await self.on_meta(json.loads(payload))
        except ConnectionResetError:
            self.tab_gone = True

    async def on_meta(self, message: dict) -> None:
        kind = message.get("type")
        if kind == "exit":
            await self.close_tab()
        elif kind == "open_url":
            await self.tab.send_json(["open_url", {"url": message["url"], "new_tab": message["new_tab"]}])
        elif kind == "deliver_file_start":
            key = self.files.offer(self, self.send_meta, message)
            await self.tab.send_json(["deliver_file_start", key])
        else:
            log.warning("session %s: unknown meta message %r", self.pid, kind)

    async def close_tab(self) -> None:
        self.tab_gone = True
        await self.tab.close()

    # -- the end ------------------------------------------------------------------------------------

    async def stop(self) -> None:
        """End the session: "quit", stdin closed, killed after STOP_GRACE s. Shared, so that the
        server's shutdown and the tab's handler can both wait for it."""
        if self.stopping is None:
            self.stopping = asyncio.ensure_future(self.end())
        await asyncio.shield(self.stopping)

    async def end(self) -> None:
        if self.pump is None:
            return  # never started
        self.files.cancel(self)
        await self.send_meta({"type": "quit"})
        try:
            self.stdin.close()
        except (OSError, RuntimeError):
            pass
        try:
            await asyncio.wait_for(self.exited(), STOP_GRACE)
        except TimeoutError:
            log.warning("session %s did not end within %.0f s of its quit: killed", self.pid, STOP_GRACE)
            self.kill()
            await asyncio.wait_for(self.exited(), STOP_GRACE)
        try:
            await asyncio.wait_for(self.pump, STOP_GRACE)  # its output's end, now the process is gone
        except TimeoutError:
            self.pump.cancel()


class SpawnedSession(Session):
    """A session in a fresh interpreter (where fork is missing, or to compare start-up times)."""

    def __init__(self, tab: web.WebSocketResponse, files: Deliveries, *, argv: list[str]) -> None:
        super().__init__(tab, files)
        self.argv = argv
        self.process: asyncio.subprocess.Process | None = None

    async def open(self, columns: int, rows: int) -> tuple[asyncio.StreamReader, asyncio.StreamReader]:
        # Started directly, not through /bin/sh -c, so that the pid we kill is the app's.
        self.process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=session_environment(columns, rows))
        self.stdin, self.pid = process.stdin, process.pid
        return process.stdout, process.stderr

    async def exited(self) -> None:
        await self.process.wait()

    def kill(self) -> None:
        self.process.kill()


class ForkedSession(SpawnedSession):
    """A session forked from the room's forker (tui/forker.py): no interpreter start-up.

    If the forker has ended (killed, say), the session starts a fresh interpreter instead."""

    def __init__(self, tab: web.WebSocketResponse, files: Deliveries, *, forker: Forker, argv: list[str]) -> None:
        super().__init__(tab, files, argv=argv)
        self.forker = forker
        self.forked = False

    async def open(self, columns: int, rows: int) -> tuple[asyncio.StreamReader, asyncio.StreamReader]:
        ours, theirs = socket.socketpair()
        errors_ours, errors_theirs = socket.socketpair()
        try:
            self.pid = await self.forker.fork(theirs.fileno(), errors_theirs.fileno(), columns, rows)
        except (OSError, RuntimeError, TimeoutError):
            ours.close()
            errors_ours.close()
            log.warning("the session forker has ended: this session starts a fresh interpreter")
            return await super().open(columns, rows)
        finally:
            theirs.close()  # the child has its own copies now; ours must not keep its ends open
            errors_theirs.close()
        self.forked = True
        stdout, self.stdin = await asyncio.open_unix_connection(sock=ours)
        stderr, errors_writer = await asyncio.open_unix_connection(sock=errors_ours)
        errors_writer.write_eof()
        return stdout, stderr

    async def exited(self) -> None:
        if self.forked:
            await self.forker.exited(self.pid)
        else:
            await super().exited()

    def kill(self) -> None:
        if self.forked:
            self.forker.kill(self.pid)
        else:
            super().kill()
