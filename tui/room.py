"""`backprop-stepper serve`: a lecture hall's server, on aiohttp, with textual-serve's page files.

Each browser tab gets its own app process (a session, tui/session.py), which ends however its tab
goes, within seconds; at most max_sessions at once (the next tab is told the room is full); each
forked from a process that has imported the app already (tui/forker.py), so a room opens at once.

The page is textual-serve's, made self-contained (tui/templates/app_index.html): its script, the
terminal's styles and fonts are the files textual-serve ships in its static folder, served from
here. That folder is all this module uses of textual-serve: the server, the sessions and their
protocol (Textual's web driver's packets, see tui/session.py) are ours, so a textual-serve upgrade
that changes its internals changes nothing here, and one that moves its files is reported at start.
(textual-serve's own Server starts each app through /bin/sh and never kills one that does not end,
bounds nothing, and its page loads a font from the internet: tests/cli/test_serve.py covers each.)
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import sys
from importlib.resources import files
from pathlib import Path

import jinja2
from aiohttp import WSCloseCode, web

from .session import STOP_GRACE, ForkedSession, Session, SpawnedSession, session_environment
from .session_files import Deliveries

log = logging.getLogger("backprop-stepper.serve")

TEMPLATES = Path(__file__).parent / "templates"
# textual-serve's static files, and those of them the page loads (tui/templates/app_index.html).
STATIC = Path(str(files("textual_serve") / "static"))
PAGE_FILES = ("js/textual.js", "css/xterm.css", "fonts/RobotoMono-VariableFont_wght.ttf",
              "fonts/RobotoMono-Italic-VariableFont_wght.ttf", "images/background.png")
FORK_TIMEOUT = 30.0  # seconds the forker has to answer a request for a session (it takes milliseconds)
# Seconds between websocket pings. aiohttp closes a connection whose pong has not come within half
# that, so a browser that vanished without a word (a shut laptop) is noticed within 3 s; its app,
# sent "quit", then ends at once or by its own 2 s watchdog (served.py): within 5 s in all.
HEARTBEAT = 2.0


def missing_page_files(static: Path = STATIC) -> list[str]:
    """The page's files that are not in textual-serve's static folder (a release that moved them)."""
    return [name for name in PAGE_FILES if not (static / name).is_file()]


def whole_number(text: str | None, default: int) -> int:
    try:
        return int(text) if text is not None else default
    except ValueError:
        return default


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


class Room:
    """The server: a page, a websocket per tab with its session, files for download; a session limit."""

    def __init__(self, app_argv: list[str], *, max_sessions: int, fork: bool = True, host: str = "127.0.0.1",
                 port: int = 8000, title: str = "backprop-stepper", public_url: str | None = None) -> None:
        self.argv = [sys.executable, "-m", "backprop_stepper", *app_argv]
        self.max_sessions = max_sessions
        self.host, self.port, self.title = host, port, title
        if public_url is None:
            public_url = {80: f"http://{host}", 443: f"https://{host}"}.get(port, f"http://{host}:{port}")
        self.public_url = public_url.rstrip("/")
        self.forker = Forker(app_argv) if fork and hasattr(os, "fork") else None
        self.sessions: set[Session] = set()
        self.files = Deliveries()
        self.pages = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True)

    def application(self) -> web.Application:
        app = web.Application()
        app.add_routes([web.get("/", self.handle_index), web.get("/ws", self.handle_websocket),
                        web.get("/download/{key}", self.files.handle), web.static("/static", STATIC)])
        app.on_startup.append(self.on_startup)
        app.on_shutdown.append(self.on_shutdown)
        return app

    def serve(self) -> None:
        """Serve until SIGINT or SIGTERM (aiohttp turns either into a graceful exit: on_shutdown)."""
        if missing := missing_page_files():
            raise SystemExit(f"backprop-stepper serve: the installed textual-serve lacks the page's files "
                             f"{', '.join(missing)} under {STATIC}; install a release that has them "
                             "(pip install 'textual-serve>=1.1.3,<2')")
        logging.basicConfig(level=logging.INFO, format="%(message)s")
        web.run_app(self.application(), host=self.host, port=self.port, print=None,
                     access_log=None)  # a room's worth of lines otherwise

    async def on_startup(self, app: web.Application) -> None:
        if self.forker is not None:
            await self.forker.start()
        print(f"Serving backprop-stepper at {self.public_url} for up to {self.max_sessions} sessions "
              "(Ctrl+C stops)", file=sys.stderr, flush=True)

    async def on_shutdown(self, app: web.Application) -> None:
        sessions = list(self.sessions)
        await asyncio.gather(*(session.stop() for session in sessions), return_exceptions=True)
        await asyncio.gather(*(session.tab.close(code=WSCloseCode.GOING_AWAY, message=b"server stopped")
                               for session in sessions), return_exceptions=True)
        if self.forker is not None:
            await self.forker.stop()

    @property
    def full(self) -> bool:
        return len(self.sessions) >= self.max_sessions

    def room_full_text(self) -> str:
        return (f"The room is full: {self.max_sessions} of {self.max_sessions} sessions in use.\n"
                "Try again when someone leaves, or ask the lecturer to raise --max-sessions.")

    def page(self, template: str, status: int = 200, **context: object) -> web.Response:
        html = self.pages.get_template(template).render(application={"name": self.title}, **context)
        return web.Response(text=html, status=status, content_type="text/html")

    async def handle_index(self, request: web.Request) -> web.Response:
        if self.full:
            return self.page("room_full.html", 503, message=self.room_full_text())
        websocket_url = self.public_url.replace("https:", "wss:", 1).replace("http:", "ws:", 1) + "/ws"
        return self.page("app_index.html", font_size=whole_number(request.query.get("fontsize"), 16),
                         app_websocket_url=websocket_url, config={"static": {"url": f"{self.public_url}/static/"}})

    def new_session(self, tab: web.WebSocketResponse) -> Session:
        if self.forker is not None:
            return ForkedSession(tab, self.files, forker=self.forker, argv=self.argv)
        return SpawnedSession(tab, self.files, argv=self.argv)

    async def handle_websocket(self, request: web.Request) -> web.WebSocketResponse:
        tab = web.WebSocketResponse(heartbeat=HEARTBEAT)
        columns = whole_number(request.query.get("width"), 80)
        rows = whole_number(request.query.get("height"), 24)
        await tab.prepare(request)
        if self.full:
            # Shown in the page's terminal, then the connection closes ("try again later").
            await tab.send_bytes(("\r\n  " + self.room_full_text().replace("\n", "\r\n  ") + "\r\n").encode())
            await tab.close(code=WSCloseCode.TRY_AGAIN_LATER, message=b"the room is full")
            return tab
        session = self.new_session(tab)
        self.sessions.add(session)
        try:
            await session.start(columns, rows)
            await session.from_tab()
        except asyncio.CancelledError:
            await tab.close()
        except Exception as error:  # noqa: BLE001  (one tab's failure is logged; the room goes on)
            log.exception(error)
        finally:
            try:
                await session.stop()
            finally:
                self.sessions.discard(session)
        return tab
