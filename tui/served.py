"""The driver a served session runs with: Textual's web driver, made to end when its browser does.

The room (tui/room.py, tui/session.py) runs each browser tab's app as a process that talks over its
stdin and stdout through Textual's WebDriver. Two ways that process outlived its tab (reproduced
with a real browser, tests/cli/test_serve.py):

- When the app's stdin ends (the server went away, or closed the pipe), WebDriver's input thread
  simply returns: nothing tells the app, which runs on with no one to talk to.
- A "quit" that arrives while the app is still starting (a tab closed in its first second, or a
  headless browser that loads the page and leaves) makes Textual 8.2.8 post Resize events to the
  default screen over and over while it shuts down: the process spins at ~100% of a core and
  never ends; SIGTERM only posts the same exit again.

So every way out here (quit, stdin's end, SIGTERM, SIGINT) asks the app to exit and also starts
a watchdog: a served session has nothing to save, and if the app has not finished within
EXIT_GRACE seconds the process ends itself. The server also kills a session that outlives its
stop (tui/session.py); this makes the process safe on its own, whatever started it.
"""

from __future__ import annotations

import asyncio
import os
import signal
import threading
from typing import Any

from textual import messages
from textual.drivers.web_driver import WebDriver

EXIT_GRACE = 2.0  # seconds an exiting session may take before it ends itself


class ServedDriver(WebDriver):
    """WebDriver whose every way out ends the process within EXIT_GRACE seconds."""

    _leaving = False

    def leave(self) -> None:
        """Ask the app to exit, and make sure the process ends even if the app cannot."""
        if not self._leaving:
            self._leaving = True
            watchdog = threading.Timer(EXIT_GRACE, os._exit, (0,))
            watchdog.daemon = True
            watchdog.start()
        self.process_message(messages.ExitApp())

    def start_application_mode(self) -> None:
        super().start_application_mode()
        # WebDriver's own SIGINT/SIGTERM handlers only post ExitApp, which a stuck shutdown ignores.
        loop = asyncio.get_running_loop()
        for each in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(each, self.leave)

    def on_meta(self, packet_type: str, payload: dict[str, Any]) -> None:
        if packet_type == "quit":
            self.leave()
        else:
            super().on_meta(packet_type, payload)

    def run_input_thread(self) -> None:
        super().run_input_thread()
        # The input loop returns either because the app is stopping (exit_event) or because
        # stdin has ended: then no one is left to talk to.
        if not self.exit_event.is_set():
            self.leave()
