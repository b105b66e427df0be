"""The session forker: one process that has imported everything, and forks each served session.

A fresh interpreter per browser tab spends ~0.5 s of CPU importing Textual, numpy and the app
before its first frame; thirty tabs opened at once on a two-core laptop would queue for ~15 s.
This process does that import once; each session is then a fork() of it (copy-on-write: the
imported modules are shared until written), which starts its app in a fraction of that time.

    python -m backprop_stepper.tui.forker CONTROL_FD [APP ARGUMENTS...]

It is started by the server (tui/room.py) with one end of a socket pair as CONTROL_FD, over which:

- the server sends {"session": id, "columns": w, "rows": h} with two file descriptors attached
  (a socket for the app's stdin and stdout, and one for its stderr); the forker forks, the child
  runs the app on them, and the forker answers {"session": id, "pid": pid};
- the forker reports each session's end as {"exited": pid};
- the server may send {"kill": pid}: the forker kills only a child it has not yet reaped, so a
  pid that has been reused by some other process is never signalled;
- when the server's end closes (the server ended, however it ended), the forker ends every
  session still running (SIGTERM, then SIGKILL after a grace) and exits.

Linux and macOS (os.fork); the server starts a fresh interpreter per session where fork is missing.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import sys
import time

REAP_INTERVAL = 0.1  # seconds between looks for ended sessions
SHUTDOWN_GRACE = 2.0  # seconds sessions get to end on SIGTERM before SIGKILL, when the server goes


def preload(app_argv: list[str]) -> None:
    """Import what a session needs before its first frame, once, before any fork."""
    from backprop_stepper.tui.launch import collector_paused

    with collector_paused():  # and gc.freeze(): the children's collections skip all this
        from textual.widgets import Footer, Static  # noqa: F401  (loaded lazily by Textual otherwise)

        from backprop_stepper.tui import app, cli, served  # noqa: F401  (Textual, numpy, the widgets)

        if app_argv and not app_argv[0].startswith("-"):
            cli._load(app_argv[0])  # the scenario's own modules (TOML, the engine)


def run_session(control: socket.socket, channel: int, errors: int, columns: int, rows: int,
                app_argv: list[str]) -> None:
    """In the forked child: become the session's app process. Never returns."""
    code = 1
    try:
        control.close()
        for each in (signal.SIGINT, signal.SIGTERM, signal.SIGCHLD):
            signal.signal(each, signal.SIG_DFL)
        # Its own process group: the lecturer's Ctrl+C reaches the server, which ends sessions in order.
        os.setpgid(0, 0)
        os.dup2(channel, 0)
        os.dup2(channel, 1)
        os.dup2(errors, 2)
        os.close(channel)
        os.close(errors)
        os.environ["COLUMNS"], os.environ["ROWS"] = str(columns), str(rows)
        from backprop_stepper.tui import cli

        code = cli.main(list(app_argv))
        sys.stdout.flush()
    except BaseException:  # noqa: BLE001  (a child must never return into the forker's loop)
        import traceback

        traceback.print_exc()
    finally:
        os._exit(code)


class Forker:
    def __init__(self, control: socket.socket, app_argv: list[str]) -> None:
        self.control = control
        self.app_argv = app_argv
        self.children: set[int] = set()

    def send(self, message: dict) -> None:
        try:
            self.control.send(json.dumps(message).encode())
        except OSError:
            pass  # the server has gone; the loop sees the end of the socket next

    def serve(self) -> None:
        try:
            self.loop()
        finally:
            self.end_all()

    def loop(self) -> None:
        while True:
            ready, _, _ = select.select([self.control], [], [], REAP_INTERVAL)
            self.reap()
            if not ready:
                continue
            try:
                data, fds, _, _ = socket.recv_fds(self.control, 4096, 2)
            except OSError:
                data, fds = b"", []
            if not data:
                return  # the server's end closed
            self.handle(json.loads(data), fds)

    def handle(self, request: dict, fds: list[int]) -> None:
        if "kill" in request:
            if request["kill"] in self.children:  # not yet reaped: the pid is still that session's
                os.kill(request["kill"], signal.SIGKILL)
            return
        channel, errors = fds
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            run_session(self.control, channel, errors, request["columns"], request["rows"], self.app_argv)
        # The forker keeps no copy of a session's descriptors: its ends must close when it exits.
        os.close(channel)
        os.close(errors)
        self.children.add(pid)
        self.send({"session": request["session"], "pid": pid})

    def reap(self) -> None:
        for pid in list(self.children):
            try:
                done, _ = os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                done = pid
            if done:
                self.children.discard(pid)
                self.send({"exited": pid})

    def end_all(self) -> None:
        for pid in self.children:
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + SHUTDOWN_GRACE
        while self.children and time.monotonic() < deadline:
            time.sleep(REAP_INTERVAL)
            self.reap()
        for pid in self.children:
            os.kill(pid, signal.SIGKILL)
        for pid in list(self.children):
            os.waitpid(pid, 0)


def main(argv: list[str]) -> int:
    control = socket.socket(fileno=int(argv[0]))
    # Ctrl+C in the lecturer's terminal reaches this process group too; the server decides.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # and end the sessions on the way out
    preload(argv[1:])
    Forker(control, argv[1:]).serve()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
