"""The performance budget, measured: ratios against baselines timed side by side in one run.

    .venv/bin/python benchmarks/run.py           # about four minutes
    .venv/bin/python benchmarks/run.py --quick   # fewer repetitions, for a smoke test
    .venv/bin/python benchmarks/run.py --only trace   # one part (latency, startup or trace)

The trace part needs micrograd, a benchmark-only dependency: pip install -e ".[bench]".

Three figures, each divided by a baseline measured in the same run on the same machine:

1. Step latency: from a key press (a Key event handed to the app's driver) to the repainted
   screen (the compositor's update rendered to the escape codes a terminal would receive), over
   hundreds of steps of a document scenario and of a 6-10-10-4 network, against the minimal app in
   minimal_app.py. Headless, so no terminal's own drawing time is included (for either app). The
   three apps run side by side in one process and are stepped in turn, one key each, so that the
   machine's slow spells fall on all three alike.
   Measured twice, each in its own process: with Textual's 60 fps frame clock (what a user sees:
   a repaint waits for the next frame tick, up to 16.7 ms), and with the clock at 1000 fps, which
   leaves the work of a step alone (the fairer ratio: the tick's wait is not the app's doing).
2. Startup: from spawning the process in a pseudo-terminal to the first painted frame on its screen,
   launched as a user launches it (python -m backprop_stepper SCENARIO, the backprop-stepper command), against
   the minimal app; and a 10,000-iteration scenario against a one-iteration one (the trace must
   stay lazy).
3. Trace cost: generating and walking the whole trace of 300 iterations of a 4-8-8-3 network
   (relu, relu, linear) on a batch of 4, and `trace --json` of it to a file, against a plain numpy
   loop doing the same training without tracing and against micrograd training the same network
   (every intermediate value a Python object, as in the trace); and peak memory.

Results are printed and written to benchmarks/results/latest.json.
"""

from __future__ import annotations

import argparse
import asyncio
import compileall
import contextlib
import fcntl
import gc
import json
import math
import os
import platform
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import numpy as np  # noqa: E402
import textual  # noqa: E402
from textual import events  # noqa: E402
from textual.driver import Driver  # noqa: E402
from textual.geometry import Size  # noqa: E402

from backprop_stepper.core import Trace, parse_scenario, resolve  # noqa: E402
from backprop_stepper.core.activations import activate, slope  # noqa: E402
from backprop_stepper.core.losses import loss_terms, output_error  # noqa: E402
from backprop_stepper.core.scaffold import new_scenario  # noqa: E402

SIZE = (120, 40)


# -- 1. step latency ----------------------------------------------------------------------------

class FrameDriver(Driver):
    """Stands in for a terminal (through Textual's public Driver interface): the app encodes each
    frame to the escape codes a terminal would receive and writes them here, and this notes when.
    Headless, so no terminal's own drawing time is included (for any app)."""

    stepper: Stepper  # set on the class made for each app (see Stepper)

    def __init__(self, app, *, debug: bool = False, mouse: bool = True, size: tuple[int, int] | None = None) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        self.stepper.driver = self

    def write(self, data: str) -> None:
        # The moment the frame is written: whatever the app goes on to do before the stepper's
        # coroutine is scheduled again (e.g. Textual rebuilding the footer after the key
        # bindings changed) is not part of what the user waits for.
        self.stepper.painted_at = time.perf_counter()
        self.stepper.painted.set()

    def start_application_mode(self) -> None:
        size = Size(*SIZE)
        self.send_message(events.Resize(size, size))  # as a terminal's first size report

    def disable_input(self) -> None:
        pass

    def stop_application_mode(self) -> None:
        pass


class Stepper:
    """One app under test: presses a key and waits until the repainted screen is written."""

    def __init__(self, app) -> None:
        self.app = app
        self.painted = asyncio.Event()
        self.painted_at = 0.0
        self.driver: FrameDriver | None = None
        app.driver_class = type("Frames", (FrameDriver,), {"stepper": self})

    def run(self):
        """The app running under the pilot, writing its frames to this stepper's driver."""
        return self.app.run_test(size=SIZE, headless=False)

    async def step(self, pilot) -> float:
        """Seconds from a press of → to the repainted screen."""
        app, driver = self.app, self.driver
        if getattr(app, "event_index", 0) == len(getattr(app, "trace", None) or ()) - 1:
            driver.send_message(events.Key("home", None))  # wrap around, untimed
            await pilot.pause()
        self.painted.clear()
        start = time.perf_counter()
        driver.send_message(events.Key("right", None))
        await asyncio.wait_for(self.painted.wait(), timeout=5)
        seconds = self.painted_at - start
        await pilot.pause()
        return seconds


async def step_latencies(makers: dict, steps: int, warmup: int = 10) -> dict[str, list[float]]:
    """Every app running at once, idle but for the one being stepped, stepped in turn: this
    machine's speed drifts over seconds, and a slow spell then hits every app alike instead of
    deciding one app's figure."""
    async with contextlib.AsyncExitStack() as stack:
        steppers, pilots = {}, {}
        for name, make in makers.items():
            stepper = steppers[name] = Stepper(make())
            pilots[name] = await stack.enter_async_context(stepper.run())
            await pilots[name].pause()
        for pilot in pilots.values():  # let start-up work (e.g. the loss curve) finish
            await pilot.pause(0.5)
        # As the backprop-stepper command does once started (tui.launch): what start-up built is
        # set aside from the cycle collector. Here that is all three apps, so a collection in one
        # app's step does not walk the other two.
        gc.collect()
        gc.freeze()
        times: dict[str, list[float]] = {name: [] for name in steppers}
        for n in range(warmup + steps):
            for name, stepper in steppers.items():
                seconds = await stepper.step(pilots[name])
                if n >= warmup:
                    times[name].append(seconds)
    return times


def summary(times: list[float]) -> dict:
    ordered = sorted(times)
    return {"median_ms": statistics.median(ordered) * 1000, "p95_ms": ordered[int(len(ordered) * 0.95) - 1] * 1000,
            "n": len(ordered)}


def bench_steps(steps: int) -> dict:
    from minimal_app import MinimalApp

    from backprop_stepper.tui.app import StepperApp

    makers = {
        "minimal app": lambda: MinimalApp(),
        "sigmoid 2-2-2 (document 002)": lambda: StepperApp(trace=Trace(resolve("sigmoid-2-2-2"))),
        "wide 6-10-10-4": lambda: StepperApp(trace=Trace(resolve("wide-6-10-10-4"))),
    }
    times = asyncio.run(step_latencies(makers, steps))
    results = {name: summary(t) for name, t in times.items()}
    base = results["minimal app"]
    for result in results.values():
        result["ratio_median"] = result["median_ms"] / base["median_ms"]
        result["ratio_p95"] = result["p95_ms"] / base["p95_ms"]
    return results


# -- 2. startup ---------------------------------------------------------------------------------

def first_frame_seconds(command: list[str], marker: bytes) -> float:
    """Seconds from spawning `command` in a 120×40 pseudo-terminal to `marker` on its screen.

    Each app is launched exactly as a user launches it, so whatever its entry point does on the
    way (argument parsing, loading the scenario, the terminal driver) counts."""
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
    environment = dict(os.environ, TERM="xterm-256color", COLORTERM="truecolor")
    start = time.perf_counter()
    process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, cwd=ROOT, env=environment,
                               start_new_session=True)
    os.close(slave)
    screen, seconds = b"", float("nan")
    try:
        while time.perf_counter() - start < 30:
            if select.select([master], [], [], 1)[0]:
                try:
                    screen += os.read(master, 1 << 16)
                except OSError:  # the app exited
                    break
                if marker in screen:
                    seconds = time.perf_counter() - start
                    break
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        os.close(master)
    if seconds != seconds:
        raise RuntimeError(f"{' '.join(command)} never showed {marker!r}: {screen[-400:]!r}")
    return seconds


def bench_startup(repeats: int) -> dict:
    # Installed packages run from compiled bytecode; compile the source tree the same way, so the
    # stepper is not charged for compiling itself (PYTHONDONTWRITEBYTECODE would make that happen
    # on every run).
    compileall.compile_dir(str(ROOT / "core"), quiet=1)
    compileall.compile_dir(str(ROOT / "tui"), quiet=1)
    compileall.compile_dir(str(ROOT / "benchmarks"), quiet=1, maxlevels=0)
    with tempfile.TemporaryDirectory() as folder:
        short = Path(folder, "one-iteration.toml")
        long = Path(folder, "ten-thousand.toml")
        short.write_text(new_scenario([4, 8, 8, 3], activation="tanh", seed=1, samples=4, iterations=1))
        long.write_text(new_scenario([4, 8, 8, 3], activation="tanh", seed=1, samples=4, iterations=10_000))
        stepper = [sys.executable, "-m", "backprop_stepper"]  # what the backprop-stepper command runs
        launches = {  # (command, text on its first frame: the counter each app shows)
            "minimal app": ([sys.executable, str(ROOT / "benchmarks" / "minimal_app.py")], b"event 0"),
            "sigmoid 2-2-2 (document 002)": ([*stepper, "sigmoid-2-2-2"], b"event 1/"),
            "4-8-8-3, 1 iteration": ([*stepper, str(short)], b"event 1/"),
            "4-8-8-3, 10,000 iterations": ([*stepper, str(long)], b"event 1/"),
        }
        times: dict[str, list[float]] = {name: [] for name in launches}
        for _ in range(repeats):  # interleaved, so a slow moment of the machine hits every app alike
            for name, (command, marker) in launches.items():
                times[name].append(first_frame_seconds(command, marker))
    results = {name: statistics.median(t) for name, t in times.items()}
    base = results["minimal app"]
    return {name: {"seconds": s, "ratio": s / base} for name, s in results.items()} | {
        "lazy_ratio": results["4-8-8-3, 10,000 iterations"] / results["4-8-8-3, 1 iteration"]
    }


# -- 3. trace cost ------------------------------------------------------------------------------

def plain_numpy_training(scenario) -> list[np.ndarray]:
    """The same training as the trace, with no tracing: the baseline."""
    X = np.stack([s.x for s in scenario.samples])
    Y = np.stack([s.y for s in scenario.samples])
    W = [layer.weights.copy() for layer in scenario.layers]
    b = [layer.biases.copy() for layer in scenario.layers]
    names = [layer.activation for layer in scenario.layers]
    eta = scenario.learning_rate
    for _ in range(scenario.iterations):
        acts, nets = [X], []
        for w, bias, name in zip(W, b, names, strict=True):
            z = acts[-1] @ w.T + bias
            nets.append(z)
            acts.append(activate(name, z))
        loss_terms(scenario.loss, acts[-1], Y)
        grad = output_error(scenario.loss, acts[-1], Y)
        grads = []
        for l in range(len(W) - 1, -1, -1):
            delta = grad * slope(names[l], nets[l], acts[l + 1])
            grads.append((delta.T @ acts[l] / len(X), delta.mean(axis=0)))
            grad = delta @ W[l]
        for l, (gw, gb) in zip(range(len(W) - 1, -1, -1), grads, strict=True):
            W[l] -= eta * gw
            b[l] -= eta * gb
    return W


def micrograd_training(scenario):
    """The same training with micrograd (a scalar autograd engine in pure Python: every value of
    the run a Python object, as in our trace): the network built from the scenario's weights,
    half squared error averaged over the batch, plain gradient descent."""
    from micrograd.engine import Value
    from micrograd.nn import MLP

    sizes = [len(scenario.samples[0].x)] + [layer.size for layer in scenario.layers]
    model = MLP(sizes[0], sizes[1:])  # ReLU on every layer but the last, which is linear
    for layer, spec in zip(model.layers, scenario.layers, strict=True):
        for j, neuron in enumerate(layer.neurons):
            neuron.w = [Value(float(v)) for v in spec.weights[j]]
            neuron.b = Value(float(spec.biases[j]))
    parameters = model.parameters()
    X = [[float(v) for v in sample.x] for sample in scenario.samples]
    Y = [[float(v) for v in sample.y] for sample in scenario.samples]
    for _ in range(scenario.iterations):
        total = Value(0.0)
        for x, y in zip(X, Y, strict=True):
            total = total + sum(((t - o) ** 2 * 0.5 for o, t in zip(model(x), y, strict=True)), Value(0.0))
        loss = total * (1.0 / len(X))
        model.zero_grad()
        loss.backward()
        for p in parameters:
            p.data -= scenario.learning_rate * p.grad
    return [np.array([[w.data for w in n.w] for n in layer.neurons]) for layer in model.layers]


BENCH_NETWORK = dict(activation="relu", output_activation="linear", seed=1, samples=4, learning_rate=0.1)


def bench_trace(iterations: int, repeats: int) -> dict:
    """The trace of a relu-relu-linear 4-8-8-3 network on a batch of 4 against a plain numpy loop
    and micrograd training the same network, each timed `repeats` times in turn (medians)."""
    text = new_scenario([4, 8, 8, 3], iterations=iterations, **BENCH_NETWORK)
    scenario = parse_scenario(text)
    times: dict[str, list[float]] = {name: [] for name in ("numpy", "micrograd", "values", "walk", "json")}
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder, "bench.toml")
        source.write_text(text)
        for _ in range(repeats):
            # The numpy loop and the values take tens of milliseconds, where one timing is at the
            # mercy of a scheduler tick: the best of five of each, in every round.
            best = math.inf
            for _ in range(5):
                start = time.perf_counter()
                expected = plain_numpy_training(scenario)
                best = min(best, time.perf_counter() - start)
            times["numpy"].append(best)

            start = time.perf_counter()
            by_micrograd = micrograd_training(scenario)
            times["micrograd"].append(time.perf_counter() - start)

            best = math.inf
            for _ in range(5):
                start = time.perf_counter()
                trace = Trace(scenario)
                for n in range(1, trace.iterations + 1):
                    trace.iteration_values(n)
                best = min(best, time.perf_counter() - start)
            times["values"].append(best)
            final = [w for w, _ in trace.training.final_params()]
            assert all(np.allclose(w, e, rtol=1e-12, atol=1e-14)
                       for w, e in zip(final, expected, strict=True)), "numpy disagrees"
            assert all(np.allclose(w, e, rtol=1e-9, atol=1e-12) for w, e in zip(final, by_micrograd, strict=True)), \
                "micrograd disagrees"

            start = time.perf_counter()
            trace = Trace(scenario)
            count = 0
            for _event in trace:  # every Event, formulas and all, built and dropped
                count += 1
            times["walk"].append(time.perf_counter() - start)

            # The command as a user runs it, output to a file: start-up, loading and writing count.
            start = time.perf_counter()
            with open(Path(folder, "trace.jsonl"), "w") as out:
                subprocess.run([sys.executable, "-m", "backprop_stepper", "trace", str(source), "--json"],
                               stdout=out, check=True, cwd=ROOT)
            times["json"].append(time.perf_counter() - start)
            json_bytes = Path(folder, "trace.jsonl").stat().st_size
    seconds = {name: statistics.median(t) for name, t in times.items()}
    plain, micrograd = seconds["numpy"], seconds["micrograd"]
    memory = walk_memory(iterations)
    # A tenth of the run, walked the same way: the peak must not depend on the run's length.
    memory["peak_rss_walked_tenth_mb"] = walk_memory(max(1, iterations // 10))["peak_rss_walked_mb"]
    return {
        "events": count,
        "repeats": repeats,
        "plain_numpy_seconds": plain,
        "micrograd_seconds": micrograd,
        "trace_values_seconds": seconds["values"],
        "trace_values_ratio": seconds["values"] / plain,
        "walk_events_seconds": seconds["walk"],
        "walk_events_ratio": seconds["walk"] / plain,
        "walk_events_per_second": count / seconds["walk"],
        "walk_events_speedup_over_micrograd": micrograd / seconds["walk"],
        "trace_json_seconds": seconds["json"],
        "trace_json_bytes": json_bytes,
        "trace_json_per_second": count / seconds["json"],
        "trace_json_speedup_over_micrograd": micrograd / seconds["json"],
        "micrograd_per_second": count / micrograd,
        **memory,
    }


MEMORY = """
import resource, sys
sys.path.insert(0, {root!r})
from backprop_stepper.core import Trace, parse_scenario
from backprop_stepper.core.scaffold import new_scenario
def peak_mb():
    # VmHWM, this process's own peak: Linux carries ru_maxrss over from the parent through fork and
    # exec, so after a large parent (micrograd's graph) it would report the parent's peak.
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
text = new_scenario([4, 8, 8, 3], iterations={iterations}, **{network!r})
trace = Trace(parse_scenario(text))
trace[0]
opened = peak_mb()
for event in trace:
    pass
print(opened, peak_mb())
"""


def walk_memory(iterations: int) -> dict:
    """Peak resident memory of a fresh process after opening the trace and after walking it all."""
    code = MEMORY.format(root=str(ROOT), iterations=iterations, network=BENCH_NETWORK)
    opened, walked = map(float, subprocess.check_output([sys.executable, "-c", code], text=True).split())
    return {"peak_rss_opened_mb": opened, "peak_rss_walked_mb": walked}


# -- report -------------------------------------------------------------------------------------

def latency_in_subprocess(steps: int, fps: int) -> dict:
    """Textual reads its frame rate when it is imported: each rate needs a process of its own."""
    # A truecolor terminal: each app encodes its frames for one, as the user's would.
    environment = dict(os.environ, TEXTUAL_FPS=str(fps), TERM="xterm-256color", COLORTERM="truecolor")
    output = subprocess.check_output([sys.executable, __file__, "--latency", str(steps)], env=environment, text=True)
    return json.loads(output)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer steps and repeats (a smoke test)")
    parser.add_argument("--latency", type=int, metavar="STEPS", help=argparse.SUPPRESS)  # the subprocess
    parser.add_argument("--only", choices=("latency", "startup", "trace"), help="run one part of the benchmark")
    args = parser.parse_args()
    if args.latency:
        print(json.dumps(bench_steps(args.latency)))
        return
    steps, repeats, iterations, trace_repeats = (60, 2, 300, 1) if args.quick else (600, 9, 300, 3)
    os.environ.setdefault("TEXTUAL_ANIMATIONS", "none")

    header = (f"backprop-stepper benchmark · {time.strftime('%Y-%m-%d')} · Python {platform.python_version()} · "
              f"Textual {textual.__version__} · numpy {np.__version__} · {os.cpu_count()} CPUs · {platform.machine()}")
    print(header)
    results: dict = {"machine": header}

    if args.only in (None, "latency"):
        print(f"\n1. Step latency: key press → repainted screen, headless {SIZE[0]}×{SIZE[1]}, {steps} steps")
        for fps, label in ((60, "frame clock 60 fps (Textual's default: what a user sees)"),
                           (1000, "frame clock 1000 fps (the work of a step alone)")):
            results[f"step_{fps}fps"] = step = latency_in_subprocess(steps, fps)
            print(f"   {label}")
            print(f"   {'':32}{'median':>9}{'p95':>9}{'× median':>10}{'× p95':>8}   goal: < 2")
            for name, r in step.items():
                print(f"   {name:32}{r['median_ms']:7.2f}ms{r['p95_ms']:7.2f}ms"
                      f"{r['ratio_median']:10.2f}{r['ratio_p95']:8.2f}")

    if args.only in (None, "startup"):
        print(f"\n2. Startup: process start → first painted frame, median of {repeats}")
        results["startup"] = bench_startup(repeats)
        for name, r in results["startup"].items():
            if isinstance(r, dict):
                print(f"   {name:32}{r['seconds']:7.3f} s   × {r['ratio']:.2f}   goal: < 1.5")
        print(f"   10,000 iterations ÷ 1 iteration: × {results['startup']['lazy_ratio']:.2f}   (lazy: should be ≈ 1)")

    if args.only in (None, "trace"):
        print(f"\n3. Trace cost: {iterations} iterations of 4-8-8-3 (relu, relu, linear), batch of 4, "
              f"median of {trace_repeats}")
        r = results["trace"] = bench_trace(iterations, trace_repeats)
        events = r["events"]
        print(f"   events                            {events:,}")
        print(f"   plain numpy loop                  {r['plain_numpy_seconds']:8.3f} s")
        print(f"   micrograd, training               {r['micrograd_seconds']:8.3f} s   "
              f"({r['micrograd_per_second']:,.0f} events/s)")
        print(f"   trace, every value (numpy)        {r['trace_values_seconds']:8.3f} s   "
              f"× {r['trace_values_ratio']:.1f} the numpy loop   goal: < 5")
        print(f"   trace, every Event object         {r['walk_events_seconds']:8.3f} s   "
              f"({r['walk_events_per_second']:,.0f} events/s)   "
              f"{r['walk_events_speedup_over_micrograd']:.1f}× faster than micrograd   goal: ≥ 3")
        print(f"   trace --json to a file (command)  {r['trace_json_seconds']:8.3f} s   "
              f"({r['trace_json_per_second']:,.0f} events/s, {r['trace_json_bytes'] / 1e6:.0f} MB)   "
              f"{r['trace_json_speedup_over_micrograd']:.1f}× faster than micrograd   goal: ≥ 2")
        print(f"   peak memory (RSS) once open       {r['peak_rss_opened_mb']:8.1f} MB")
        print(f"   peak memory (RSS) after the walk  {r['peak_rss_walked_mb']:8.1f} MB   "
              f"(a tenth of the run: {r['peak_rss_walked_tenth_mb']:.1f} MB; flat: nothing per event is kept)")

    out = ROOT / "benchmarks" / "results"
    out.mkdir(exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2))
    print(f"\nwritten to {out / 'latest.json'}")


if __name__ == "__main__":
    main()
