"""`backprop-stepper serve`: sessions that end however their tab goes, a room limit, a page that needs no internet.

App processes are found by pid (the server's descendants, from /proc), never by name.
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import time

import aiohttp
import pytest

from .serving import ARROW_RIGHT, SESSION_ENV, Served, alive, descendants, free_port, open_tab, parents

pytestmark = [pytest.mark.slow,  # each test starts a server and its sessions
              pytest.mark.skipif(not os.path.isdir("/proc"), reason="finds processes through /proc (Linux)")]


@pytest.fixture
def served():
    room = Served("sigmoid-2-2-2")
    yield room
    room.stop()


async def test_serve_answers_on_localhost_and_a_tab_steps(served):
    assert f"ws://127.0.0.1:{served.port}/ws" in served.page  # bound to localhost, and browsers are told so
    async with aiohttp.ClientSession() as client:
        tab = await open_tab(client, served.port)
        assert await tab.until("event 1/39"), tab.seen[-500:]  # the stepper's own status line
        assert "Sigmoid 2-2-2" in tab.seen
        await tab.press(ARROW_RIGHT)
        assert await tab.until("event 2/39")
        assert len(served.app_processes()) == 1
        await tab.close()
    assert await served.app_processes_after(0, within=5) == set()


async def test_quitting_in_the_tab_ends_its_app_and_closes_the_tab(served):
    async with aiohttp.ClientSession() as client:
        tab = await open_tab(client, served.port)
        assert await tab.until("event 1/39")
        await tab.press("q")
        assert await tab.ws.receive(timeout=10) is not None  # what is left of the last frame, then the close
        while not tab.ws.closed:
            await tab.ws.receive(timeout=10)
        assert await served.app_processes_after(0, within=5) == set()


async def test_a_screenshot_taken_in_the_tab_downloads(served):
    # The app offers the file (a meta packet), the page fetches /download/KEY, the server asks the
    # app for it chunk by chunk (packed packets): the whole of Textual's file delivery.
    async with aiohttp.ClientSession() as client:
        tab = await open_tab(client, served.port)
        assert await tab.until("event 1/39")
        await tab.press("s")
        assert await tab.until('["deliver_file_start", "'), tab.seen[-300:]
        key = re.search(r'\["deliver_file_start", "([^"]+)"\]', tab.seen).group(1)
        async with client.get(f"{served.url}/download/{key}") as response:
            assert response.status == 200
            disposition = response.headers["Content-Disposition"]
            assert re.search(r'(inline|attachment); filename="?[^"]+event-1\.svg"?$', disposition), disposition
            svg = await response.text()
        assert svg.lstrip().startswith("<svg") and svg.rstrip().endswith("</svg>")
        assert "event 1/39" in svg.replace("&#160;", " ")  # the whole file: its status line too
        async with client.get(f"{served.url}/download/{key}") as response:
            assert response.status == 404  # fetched once
        await tab.close()


async def test_a_tab_dropped_mid_frame_ends_its_app(served):
    async with aiohttp.ClientSession() as client:
        tab = await open_tab(client, served.port)
        await tab.until("\x1b[", within=30)  # the first bytes of the first frame, and no more
        assert len(served.app_processes()) == 1
        tab.drop()
        assert await served.app_processes_after(0, within=5) == set()


async def test_a_tab_that_goes_silent_ends_its_app(served):
    # A shut laptop says nothing: its connection stays open, it just stops answering. The tab
    # here reads its first frame, then never reads again, so no pong answers the server's pings.
    async with aiohttp.ClientSession() as client:
        tab = await open_tab(client, served.port)
        assert await tab.until("event 1/39", within=30)
        assert len(served.app_processes()) == 1
        assert await served.app_processes_after(0, within=5) == set()
        await tab.close()


async def test_a_tab_closed_while_its_app_starts_ends_it(served):
    # A quit that reached the app while it was starting made it spin at 100% of a core for ever.
    async with aiohttp.ClientSession() as client:
        for _ in range(3):
            tab = await open_tab(client, served.port)
            await tab.ws.send_str('["resize", {"width": 142, "height": 44}]')
            await asyncio.sleep(0.05)
            await tab.close()
    assert await served.app_processes_after(0, within=5) == set()


async def test_sigterm_ends_every_session_the_server_started():
    room = Served("sigmoid-2-2-2")
    try:
        async with aiohttp.ClientSession() as client:
            tabs = [await open_tab(client, room.port) for _ in range(3)]
            for tab in tabs:
                assert await tab.until("event 1/39")
            started = descendants(room.pid)
            assert len(room.app_processes()) == 3
            room.process.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 5
            while alive(started) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            assert alive(started) == set(), "processes the server started outlived it by 5 s"
            assert room.process.wait(timeout=5) == 0
    finally:
        room.stop()


async def test_the_room_still_opens_if_the_session_forker_is_killed(served):
    forker = {child for child, parent in parents().items() if parent == served.pid}
    assert len(forker) == 1
    os.kill(forker.pop(), signal.SIGKILL)
    async with aiohttp.ClientSession() as client:
        tab = await open_tab(client, served.port)
        assert await tab.until("event 1/39"), tab.seen[-300:]  # in a fresh interpreter, then
        await tab.close()
    deadline = time.monotonic() + 5
    while descendants(served.pid) and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    assert descendants(served.pid) == set()


async def test_the_connection_beyond_the_limit_is_told_the_room_is_full():
    room = Served("sigmoid-2-2-2", "--max-sessions", "1")
    try:
        async with aiohttp.ClientSession() as client:
            first = await open_tab(client, room.port)
            assert await first.until("event 1/39")
            status, page = room.get("/")
            assert status == 503 and "The room is full" in page and "--max-sessions" in page
            second = await open_tab(client, room.port)
            assert await second.until("The room is full", within=5)
            assert await second.ws.receive(timeout=5) is not None and second.ws.closed
            assert second.ws.close_code == aiohttp.WSCloseCode.TRY_AGAIN_LATER
            assert len(room.app_processes()) == 1  # the refused tab started nothing
            await first.close()
            assert await room.app_processes_after(0, within=5) == set()
            assert room.get("/")[0] == 200  # a seat is free again
    finally:
        room.stop()


def test_the_page_loads_nothing_from_outside_the_server(served):
    page = served.page
    addresses = re.findall(r"\b(?:https?|wss?)://[^\s\"'<>)]+", page)
    assert addresses and all(address.startswith((served.url, f"ws://127.0.0.1:{served.port}/"))
                             for address in addresses), addresses
    assert "fonts.googleapis" not in page and "//" not in re.sub(r"\b(?:https?|wss?)://", "", page.split("<style>")[0])
    loaded = re.findall(r"(?:src|href)=\"([^\"]+)\"|url\(\"([^\"]+)\"\)", page)
    assets = [a or b for a, b in loaded]
    assert any("fonts/RobotoMono" in asset for asset in assets)  # the terminal's font, from here
    for asset in assets:
        assert served.get(asset.removeprefix(served.url))[0] == 200, asset


def test_serve_help_states_the_session_limit():
    result = subprocess.run([sys.executable, "-m", "backprop_stepper", "serve", "--help"],
                            capture_output=True, text=True, timeout=60)
    assert "--max-sessions N" in result.stdout and "default 40" in result.stdout


def test_serve_refuses_a_bad_scenario_before_serving(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("title = \n")
    result = subprocess.run([sys.executable, "-m", "backprop_stepper", "serve", str(bad), "--port", str(free_port())],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "TOML syntax error" in result.stderr and "Traceback" not in result.stderr


# -- the served app on its own: however its server goes, it exits ------------------------------


def start_served_app() -> subprocess.Popen:
    app = subprocess.Popen([sys.executable, "-m", "backprop_stepper", "sigmoid-2-2-2"], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=SESSION_ENV)
    output, deadline = b"", time.monotonic() + 30
    while b"event 1/39" not in output and time.monotonic() < deadline:
        chunk = os.read(app.stdout.fileno(), 65536)
        if not chunk:
            break
        output += chunk
    assert b"event 1/39" in output
    return app


def ends_within(app: subprocess.Popen, seconds: float) -> bool:
    try:
        app.wait(timeout=seconds)
        return True
    except subprocess.TimeoutExpired:
        app.kill()
        app.wait()
        return False


def test_a_served_app_exits_when_its_stdin_ends():
    app = start_served_app()
    app.stdin.close()  # the server went away
    assert ends_within(app, 5)


def test_a_served_app_exits_on_sigterm():
    app = start_served_app()
    app.send_signal(signal.SIGTERM)
    assert ends_within(app, 5)
