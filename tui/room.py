"""`backprop-stepper serve`: a lecture hall's server, on textual-serve.

textual-serve's Server runs one app process per browser connection. Left as it is, it does not
fit a room (tests/test_serve.py reproduces each point):

- it starts each app through `/bin/sh -c` and, when the tab goes, sends a "quit" and awaits the
  app with no timeout and no kill, so an app that does not end is never reaped, and outlives
  the server;
- every connection pays a fresh interpreter's start-up (~0.5 s of CPU), which a room opening the
  page at once turns into a queue;
- nothing bounds the number of processes;
- its page template loads a font from a public font service.

Room keeps textual-serve's page, websocket protocol and static files (its public Server API:
the command, templates_path) and changes how sessions start and end. It overrides
`handle_websocket` and `handle_index` (the session limit is decided there: textual-serve has no
hook for it) and subclasses AppService, whose `_open_app_process` is the one place a session's
process is made; both are textual-serve 1.1.3 internals, pinned in pyproject.toml.

Each session's app runs with tui.served.ServedDriver, which ends its process however its tab goes.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import WSCloseCode, web
from textual_serve.app_service import AppService
from textual_serve.server import Server, to_int

log = logging.getLogger("textual-serve")

DRIVER = "backprop_stepper.tui.served:ServedDriver"
TEMPLATES = Path(__file__).parent / "templates"
STOP_GRACE = 3.0  # seconds a session has to end after its "quit" before it is killed
FORK_TIMEOUT = 30.0  # seconds the forker has to answer a request for a session (it takes milliseconds)
# Seconds between websocket pings. aiohttp closes a connection whose pong has not come within half
# that, so a browser that vanished without a word (a shut laptop) is noticed within 3 s; its app,
# sent "quit", then ends at once or by its own 2 s watchdog (served.py): within 5 s in all.
HEARTBEAT = 2.0


def session_environment(columns: int, rows: int) -> dict[str, str]:
    """What textual-serve gives an app process, with our driver instead of Textual's."""
    environment = dict(os.environ)
    environment.update(TEXTUAL_DRIVER=DRIVER, TEXTUAL_FPS="60", TEXTUAL_COLOR_SYSTEM="truecolor",
                       TERM_PROGRAM="textual", TERM_PROGRAM_VERSION=version("textual-serve"),
                       COLUMNS=str(columns), ROWS=str(rows))
    return environment


class Session(AppService):
    """One browser tab's app process, which ends within STOP_GRACE seconds of its stop()."""

    pid: int | None = None

    async def _exited(self) -> None:
        raise NotImplementedError

    async def _kill(self) -> None:
        raise NotImplementedError

    async def stop(self) -> None:
        # textual-serve's stop() sends "quit" and waits for the app for ever; this one closes the
        # app's stdin too, waits STOP_GRACE seconds, then kills. Shared, so that the server's
        # shutdown and the websocket handler can both wait for it.
        if getattr(self, "_stopping", None) is None:
            self._stopping = asyncio.ensure_future(self._stop())
        await asyncio.shield(self._stopping)

    async def _stop(self) -> None:
        if self._task is None:
            return
        await self._download_manager.cancel_app_downloads(app_service_id=self.app_service_id)
        await self.send_meta({"type": "quit"})
        try:
            self.stdin.close()
        except (OSError, RuntimeError):
            pass
        try:
            await asyncio.wait_for(self._exited(), STOP_GRACE)
        except TimeoutError:
            log.warning("session %s did not end within %.0f s of its quit: killed", self.pid, STOP_GRACE)
            await self._kill()
            await asyncio.wait_for(self._exited(), STOP_GRACE)
        try:
            await asyncio.wait_for(self._task, STOP_GRACE)  # its output's end, now the process is gone
        except TimeoutError:
            self._task.cancel()


class _Pipes:
    """What AppService.run needs of a process: its stdout and stderr readers."""

    def __init__(self, stdout: asyncio.StreamReader, stderr: asyncio.StreamReader) -> None:
        self.stdout, self.stderr = stdout, stderr


class SpawnedSession(Session):
    """A session in a fresh interpreter (where fork is missing, or to compare start-up times)."""

    def __init__(self, command: str, *, argv: list[str], **kwargs: Any) -> None:
        super().__init__(command, **kwargs)
        self.argv = argv

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        # Started directly, not through /bin/sh -c, so that the pid we kill is the app's.
        self._process = process = await asyncio.create_subprocess_exec(
            *self.argv, stdin=asyncio.subprocess.PIPE, stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE, env=session_environment(width, height))
        self._stdin, self.pid = process.stdin, process.pid
        return process

    async def _exited(self) -> None:
        await self._process.wait()

    async def _kill(self) -> None:
        self._process.kill()


class ForkedSession(SpawnedSession):
    """A session forked from the room's forker (tui/forker.py): no interpreter start-up.

    If the forker has ended (killed, say), the session starts a fresh interpreter instead."""

    def __init__(self, command: str, *, forker: Forker, argv: list[str], **kwargs: Any) -> None:
        super().__init__(command, argv=argv, **kwargs)
        self.forker = forker
        self.forked = False

    async def _open_app_process(self, width: int = 80, height: int = 24) -> Any:
        ours, theirs = socket.socketpair()
        errors_ours, errors_theirs = socket.socketpair()
        try:
            self.pid = await self.forker.fork(theirs.fileno(), errors_theirs.fileno(), width, height)
        except (OSError, RuntimeError, TimeoutError):
            ours.close()
            errors_ours.close()
            log.warning("the session forker has ended: this session starts a fresh interpreter")
            return await super()._open_app_process(width, height)
        finally:
            theirs.close()  # the child has its own copies now; ours must not keep its ends open
            errors_theirs.close()
        self.forked = True
        stdout, self._stdin = await asyncio.open_unix_connection(sock=ours)
        errors, errors_writer = await asyncio.open_unix_connection(sock=errors_ours)
        errors_writer.write_eof()
        self._process = _Pipes(stdout, errors)
        return self._process

    async def _exited(self) -> None:
        if self.forked:
            await self.forker.exited(self.pid)
        else:
            await super()._exited()

    async def _kill(self) -> None:
        if self.forked:
            self.forker.kill(self.pid)
        else:
            await super()._kill()


class Forker:
    """The server's side of tui/forker.py: start it, ask it for sessions, hear of their ends."""

    def __init__(self, app_argv: list[str]) -> None:
        self.app_argv = app_argv
        self.process: asyncio.subprocess.Process | None = None
        self.control: socket.socket | None = None
        self.pending: dict[int, asyncio.Future[int]] = {}
        self.ended: dict[int, asyncio.Event] = {}
        self.next_session = 0
        self.listener: asyncio.Task[None] | None = None

    async def start(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "backprop_stepper.tui.forker", str(theirs.fileno()), *self.app_argv,
            pass_fds=[theirs.fileno()], env=session_environment(80, 24))
        theirs.close()
        ours.setblocking(False)
        self.control = ours
        self.listener = asyncio.create_task(self.listen())

    async def listen(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while True:
                try:
                    data = await loop.sock_recv(self.control, 4096)
                except OSError:  # a killed forker's end may reset rather than close
                    data = b""
                if not data:
                    break
                message = json.loads(data)
                if "exited" in message:
                    self.ended.setdefault(message["exited"], asyncio.Event()).set()
                elif (future := self.pending.pop(message["session"], None)) is not None:
                    future.set_result(message["pid"])
        finally:
            # Nothing waits for ever on a forker that has gone.
            for future in self.pending.values():
                if not future.done():
                    future.set_exception(RuntimeError("the session forker has ended"))
            self.pending.clear()
            for event in self.ended.values():  # it ended its children on its way out
                event.set()

    @property
    def running(self) -> bool:
        return self.listener is not None and not self.listener.done()

    async def fork(self, channel: int, errors: int, columns: int, rows: int) -> int:
        if not self.running:
            raise RuntimeError("the session forker has ended")
        self.next_session += 1
        future = self.pending[self.next_session] = asyncio.get_running_loop().create_future()
        request = json.dumps({"session": self.next_session, "columns": columns, "rows": rows}).encode()
        socket.send_fds(self.control, [request], [channel, errors])
        pid = await asyncio.wait_for(future, FORK_TIMEOUT)
        self.ended.setdefault(pid, asyncio.Event())
        return pid

    async def exited(self, pid: int) -> None:
        await self.ended.setdefault(pid, asyncio.Event()).wait()
        self.ended.pop(pid, None)

    def kill(self, pid: int) -> None:
        try:
            self.control.send(json.dumps({"kill": pid}).encode())
        except OSError:
            pass  # the forker has gone, and ended its sessions on its way out

    async def stop(self) -> None:
        if self.process is None:
            return
        self.control.close()  # the forker ends what is left and exits
        try:
            await asyncio.wait_for(self.process.wait(), STOP_GRACE)
        except TimeoutError:
            self.process.kill()
            await self.process.wait()
        if self.listener is not None:
            self.listener.cancel()


class Room(Server):
    """textual-serve's Server, for a room: at most max_sessions sessions, each one reaped."""

    def __init__(self, app_argv: list[str], *, max_sessions: int, fork: bool = True, **kwargs: Any) -> None:
        self.argv = [sys.executable, "-m", "backprop_stepper", *app_argv]
        super().__init__(" ".join(self.argv), templates_path=TEMPLATES, **kwargs)
        self.max_sessions = max_sessions
        self.forker = Forker(app_argv) if fork and hasattr(os, "fork") else None
        self.sessions: set[Session] = set()
        self.websockets: set[web.WebSocketResponse] = set()

    async def on_startup(self, app: web.Application) -> None:
        if self.forker is not None:
            await self.forker.start()
        print(f"Serving backprop-stepper at {self.public_url} for up to {self.max_sessions} sessions "
              "(Ctrl+C stops)", file=sys.stderr, flush=True)

    async def on_shutdown(self, app: web.Application) -> None:
        await asyncio.gather(*(session.stop() for session in list(self.sessions)), return_exceptions=True)
        await asyncio.gather(*(ws.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")
                               for ws in list(self.websockets)), return_exceptions=True)
        if self.forker is not None:
            await self.forker.stop()

    def initialize_logging(self) -> None:
        super().initialize_logging()
        logging.getLogger("aiohttp.access").setLevel(logging.WARNING)  # a room's worth of lines otherwise

    @property
    def full(self) -> bool:
        return len(self.sessions) >= self.max_sessions

    def room_full_text(self) -> str:
        return (f"The room is full: {self.max_sessions} of {self.max_sessions} sessions in use.\n"
                "Try again when someone leaves, or ask the lecturer to raise --max-sessions.")

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        if self.full:
            context = {"message": self.room_full_text(), "application": {"name": self.title}}
            response = aiohttp_jinja2.render_template("room_full.html", request, context)
            response.set_status(503)
            return response
        return await super().handle_index(request)

    def new_session(self) -> Session:
        common = dict(write_bytes=None, write_str=None, close=None, download_manager=self.download_manager,
                      debug=self.debug)
        if self.forker is not None:
            return ForkedSession(self.command, forker=self.forker, argv=self.argv, **common)
        return SpawnedSession(self.command, argv=self.argv, **common)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        # textual-serve's handler, with the session limit, a quicker heartbeat, and our sessions.
        websocket = web.WebSocketResponse(heartbeat=HEARTBEAT)
        width = to_int(request.query.get("width", "80"), 80)
        height = to_int(request.query.get("height", "24"), 24)
        await websocket.prepare(request)
        if self.full:
            # Shown in the page's terminal, then the connection closes ("try again later").
            await websocket.send_bytes(("\r\n  " + self.room_full_text().replace("\n", "\r\n  ") + "\r\n").encode())
            await websocket.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"the room is full")
            return websocket
        session = self.new_session()
        session.remote_write_bytes, session.remote_write_str = websocket.send_bytes, websocket.send_str
        session.remote_close = websocket.close
        self.sessions.add(session)
        self.websockets.add(websocket)
        try:
            await session.start(width, height)
            await self._process_messages(websocket, session)
        except asyncio.CancelledError:
            await websocket.close()
        except Exception as error:  # noqa: BLE001  (as textual-serve: one tab's failure is logged)
            log.exception(error)
        finally:
            try:
                await session.stop()
            finally:
                self.sessions.discard(session)
                self.websockets.discard(websocket)
        return websocket
