"""A virtual terminal fed by what the app writes, through Textual's public driver interface.

`run_in_terminal(app, size)` runs the app under the pilot with a `RecordingDriver` instead of the
headless one: Textual then encodes every frame to escape codes and writes them to the driver, as
it would to a real terminal, and the driver applies them to a grid of cells. Each cell is its
character and the SGR codes it was written with, so two paints compare colours and attributes too.
"""

from __future__ import annotations

import asyncio
import os
import re
from contextlib import asynccontextmanager

from rich.color import ColorSystem
from textual import events
from textual.driver import Driver
from textual.geometry import Size
from textual.strip import Strip

# A control sequence (CSI, with its parameters and final letter) or one printable character.
TOKEN = re.compile(r"\x1b\[([0-9;?<>=]*)([A-Za-z])|\x1b\][^\x1b]*\x1b\\|([^\x1b])")


class VirtualTerminal:
    """A grid of (character, SGR codes) cells that applies cursor moves and styled text."""

    def __init__(self, width: int, height: int) -> None:
        self.resize(width, height)

    def resize(self, width: int, height: int) -> None:
        self.cells = [[(" ", "")] * width for _ in range(height)]
        self.x = self.y = 0
        self.sgr = ""

    def write(self, data: str) -> None:
        for match in TOKEN.finditer(data):
            parameters, final, char = match.groups()
            if char is not None:
                if char in "\r\n":
                    continue  # Textual positions every line with a cursor move
                if 0 <= self.y < len(self.cells) and 0 <= self.x < len(self.cells[self.y]):
                    self.cells[self.y][self.x] = (char, self.sgr)
                self.x += 1  # the stepper draws only single-width characters
            elif final == "H":  # cursor move: 1-based row;column
                row, _, column = (parameters or "1;1").partition(";")
                self.y, self.x = int(row or 1) - 1, int(column or 1) - 1
            elif final == "m":  # Textual writes each run as its codes, its text, then a reset
                self.sgr = "" if parameters in ("", "0") else parameters

    def region_cells(self, x: int, y: int, width: int, height: int) -> list[list[tuple[str, str]]]:
        return [row[x:x + width] for row in self.cells[y:y + height]]


def strip_cells(strip: Strip) -> list[tuple[str, str]]:
    """A strip as the cells a terminal would show, its styles encoded as Textual encodes them."""
    cells = []
    for text, style, _ in strip:
        sgr = ""
        if style is not None:
            rendered = Strip.render_style(style, "x", ColorSystem.TRUECOLOR)
            sgr = rendered[2:rendered.index("m")] if rendered.startswith("\x1b[") else ""
        cells.extend((char, sgr) for char in text)
    return cells


class RecordingDriver(Driver):
    """A driver that writes to a VirtualTerminal instead of a real one."""

    terminal: VirtualTerminal  # set on the class made for each app (see run_in_terminal)

    def __init__(self, app, *, debug: bool = False, mouse: bool = True, size: tuple[int, int] | None = None) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        self.terminal_size = size or (80, 24)

    def write(self, data: str) -> None:
        self.terminal.write(data)

    def start_application_mode(self) -> None:
        # As Textual's headless driver does: the first Resize tells the app its size.
        size = Size(*self.terminal_size)
        self.send_message(events.Resize(size, size))

    def disable_input(self) -> None:
        pass

    def stop_application_mode(self) -> None:
        pass


@asynccontextmanager
async def run_in_terminal(app_factory, size: tuple[int, int]):
    """Run an app (made by app_factory(driver_class=...)) under the pilot, its output written to
    a VirtualTerminal; yields (app, pilot, terminal)."""
    terminal = VirtualTerminal(*size)
    driver_class = type("Recording", (RecordingDriver,), {"terminal": terminal})
    # The app's console picks its colour system from the environment when the app is made:
    # a truecolor terminal, so colours reach the grid as they were painted.
    kept = os.environ.get("COLORTERM")
    os.environ["COLORTERM"] = "truecolor"
    try:
        app = app_factory(driver_class=driver_class)
    finally:
        if kept is None:
            del os.environ["COLORTERM"]
        else:
            os.environ["COLORTERM"] = kept
    async with app.run_test(size=size, headless=False) as pilot:
        await pilot.pause()
        await asyncio.sleep(0)
        yield app, pilot, terminal


async def resize(pilot, terminal: VirtualTerminal, width: int, height: int) -> None:
    """Resize the terminal and the app, as a terminal window's resize does."""
    terminal.resize(width, height)
    await pilot.resize_terminal(width, height)
    await pilot.pause()
