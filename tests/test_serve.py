"""`backprop-stepper serve`: the page answers on localhost and the app runs behind its websocket."""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
import urllib.request

import aiohttp
import pytest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "backprop_stepper", "serve", "sigmoid-2-2-2", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as response:
                    page = response.read().decode()
                break
            except OSError as error:
                if time.monotonic() > deadline or process.poll() is not None:
                    output = process.stdout.read().decode() if process.poll() is not None else "no answer"
                    raise AssertionError(output) from error
                time.sleep(0.3)
        yield port, page
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_answers_on_localhost_and_runs_the_app(server):
    port, page = server
    assert f"ws://127.0.0.1:{port}/ws" in page  # bound to localhost, and browsers are told so

    async def first_frame() -> str:
        seen = ""
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(f"ws://127.0.0.1:{port}/ws") as ws:
                await ws.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline and "event 1/39" not in seen:
                    try:
                        message = await ws.receive(timeout=5)
                    except TimeoutError:
                        continue
                    if message.type == aiohttp.WSMsgType.BINARY:
                        seen += message.data.decode("utf-8", "replace")
                    elif message.type == aiohttp.WSMsgType.TEXT:
                        seen += message.data
                    elif message.type in (aiohttp.WSMsgType.CLOSED, aiohttp.WSMsgType.ERROR):
                        break
        return seen

    output = asyncio.run(first_frame())
    assert "event 1/39" in output  # the stepper's own status line, rendered in the served app
    assert "Sigmoid 2-2-2" in output


def test_serve_refuses_a_bad_scenario_before_serving(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text("title = \n")
    result = subprocess.run([sys.executable, "-m", "backprop_stepper", "serve", str(bad), "--port", str(free_port())],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "TOML syntax error" in result.stderr and "Traceback" not in result.stderr
