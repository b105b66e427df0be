"""A room at once: K browser tabs open the served stepper together, each gets its first frame and steps.

    .venv/bin/python benchmarks/serve_sessions.py               # K = 1, 10, 30, forked sessions
    .venv/bin/python benchmarks/serve_sessions.py --baseline    # also a fresh interpreter per tab

For each K, a fresh `backprop-stepper serve sigmoid-2-2-2` is started; K websocket clients (what
the page's script does: connect, send its size, read frames, send keys) connect at the same
moment. Per tab: the time from connecting to the stepper's status line ("event 1/39") in its
first frame, and from pressing → to "event 2/39". With all K open, each app process's memory:
PSS (its share of pages, the shared copy-on-write pages divided among those sharing them) and
RSS; and the CPU time each has used by then (to its first frame and one step: what a session
costs whatever the machine's load). Then every tab closes, and the time until the server has no
app process left is measured (processes found by pid, from /proc: the server's grandchildren,
or its children with --no-fork). Exit status 1 if 30 forked sessions miss the goal: each first
frame under 5 s, none left 10 s after all closed.

The machine's load average is recorded before each run: on a shared machine the figures move
with it. Results are printed as a table and written to benchmarks/results/serve.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import aiohttp

RESULTS = Path(__file__).resolve().parent / "results"
SCENARIO, EVENTS = "sigmoid-2-2-2", 39
ARROW_RIGHT = "\x1b[C"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parents() -> dict[int, int]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                found[int(entry.name)] = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
            except OSError:
                pass
    return found


def app_processes(pid: int, fork: bool) -> set[int]:
    """A server's sessions: its grandchildren when they are forked (its one child is the forker),
    else its children."""
    tree = parents()
    children = {child for child, parent in tree.items() if parent == pid}
    return {child for child, parent in tree.items() if parent in children} if fork else children


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) a process has used: what a session costs, whatever the load."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def memory_kib(pid: int) -> tuple[int, int]:
    """(PSS, RSS) of a process in KiB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, _, value = line.partition(":")
        fields[name] = int(value.split()[0])
    return fields["Pss"], fields["Rss"]


async def tab(port: int, start: asyncio.Event, record: dict) -> None:
    await start.wait()
    began = time.monotonic()
    seen = ""
    async with aiohttp.ClientSession() as client:
        ws = await client.ws_connect(f"ws://127.0.0.1:{port}/ws?width=100&height=30")
        await ws.send_str(json.dumps(["resize", {"width": 100, "height": 30}]))

        async def until(text: str) -> None:
            nonlocal seen
            while text not in seen:
                message = await ws.receive(timeout=120)
                if message.type == aiohttp.WSMsgType.BINARY:
                    seen += message.data.decode("utf-8", "replace")
                elif message.type != aiohttp.WSMsgType.TEXT:
                    raise RuntimeError(f"connection ended before {text!r}: {seen[-200:]!r}")

        await until(f"event 1/{EVENTS}")
        record["first_frame"] = time.monotonic() - began
        pressed = time.monotonic()
        await ws.send_str(json.dumps(["stdin", ARROW_RIGHT]))
        await until(f"event 2/{EVENTS}")
        record["step"] = time.monotonic() - pressed
        record["ready"].set()
        await record["close"].wait()
        await ws.close()


async def run_room(k: int, fork: bool) -> dict:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "backprop_stepper", "serve", SCENARIO, "--port", str(port),
                               "--max-sessions", str(max(k, 40))] + ([] if fork else ["--no-fork"]),
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2).read()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)
        await asyncio.sleep(1.0)  # the forker's imports (done once, before any tab) are not a tab's cost
        load = os.getloadavg()
        start, close = asyncio.Event(), asyncio.Event()
        records = [{"ready": asyncio.Event(), "close": close} for _ in range(k)]
        tasks = [asyncio.create_task(tab(port, start, record)) for record in records]
        start.set()
        await asyncio.wait_for(asyncio.gather(*(record["ready"].wait() for record in records)), 180)
        apps = app_processes(server.pid, fork)
        memory = [memory_kib(pid) for pid in apps]
        cpu = [cpu_seconds(pid) for pid in apps]
        close.set()
        await asyncio.gather(*tasks)
        closed = time.monotonic()
        while app_processes(server.pid, fork) and time.monotonic() - closed < 30:
            await asyncio.sleep(0.05)
        left = app_processes(server.pid, fork)
        first = sorted(record["first_frame"] for record in records)
        steps = sorted(record["step"] for record in records)
        return {
            "sessions": k, "fork": fork, "load_before": [round(x, 2) for x in load],
            "app_processes_while_open": len(apps),
            "first_frame_median_s": round(statistics.median(first), 3), "first_frame_worst_s": round(first[-1], 3),
            "step_median_s": round(statistics.median(steps), 3), "step_worst_s": round(steps[-1], 3),
            "cpu_per_session_s": round(statistics.median(cpu), 3),
            "pss_per_session_mib": round(statistics.mean(m[0] for m in memory) / 1024, 1),
            "rss_per_session_mib": round(statistics.mean(m[1] for m in memory) / 1024, 1),
            "all_ended_after_close_s": round(time.monotonic() - closed, 2),
            "app_processes_left": len(left),
        }
    finally:
        server.terminate()
        server.wait(timeout=30)


def table(rows: list[dict]) -> str:
    lines = ["| sessions | start | first frame median / worst | step median / worst | CPU per session "
             "| memory per session (PSS / RSS) | all ended after close | load before |",
             "|---:|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['sessions']} | {'forked' if r['fork'] else 'fresh interpreter'} "
                     f"| {r['first_frame_median_s']:.2f} s / {r['first_frame_worst_s']:.2f} s "
                     f"| {r['step_median_s'] * 1000:.0f} ms / {r['step_worst_s'] * 1000:.0f} ms "
                     f"| {r['cpu_per_session_s']:.2f} s "
                     f"| {r['pss_per_session_mib']:.0f} MiB / {r['rss_per_session_mib']:.0f} MiB "
                     f"| {r['all_ended_after_close_s']:.1f} s ({r['app_processes_left']} left) "
                     f"| {r['load_before'][0]:.1f} |")
    return "\n".join(lines)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", default="1,10,30", help="the K to measure (default 1,10,30)")
    parser.add_argument("--baseline", action="store_true", help="also a fresh interpreter per tab (--no-fork)")
    args = parser.parse_args()
    rows = []
    for fork in ([True, False] if args.baseline else [True]):
        for k in (int(n) for n in args.sessions.split(",")):
            rows.append(await run_room(k, fork))
            print(json.dumps(rows[-1]), flush=True)
    print(f"\n{os.cpu_count()} cores, {platform.python_implementation()} {platform.python_version()}\n")
    print(table(rows))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "serve.json").write_text(json.dumps({"cores": os.cpu_count(), "runs": rows}, indent=2) + "\n")
    goal = [r for r in rows if r["fork"] and r["sessions"] == 30]
    return 0 if all(r["first_frame_worst_s"] < 5 and r["app_processes_left"] == 0 and r["all_ended_after_close_s"] <= 10
                    for r in goal) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
