"""Saved expectations of every field of every event, for the scenarios the trace must reproduce exactly.

The files in tests/engine/data/events/ were written by the straightforward event builder (each event's
formula, substitution and meaning written from scratch) before events were built from per-slot
templates; tests/engine/test_event_templates.py compares today's events with them field by field.
Regenerate only deliberately (a change to what an event contains):

    .venv/bin/python -m tests.engine.event_expectations
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

from backprop_stepper.core import Trace, bundled, parse_scenario
from backprop_stepper.core.scaffold import new_scenario

FOLDER = Path(__file__).parent / "data" / "events"

# Generated networks beside the bundled scenarios: the benchmark's 4-8-8-3 batch, and every
# activation, loss, mode, update order and a diverging run (NaN and infinity in formulas).
GENERATED = {
    "relu-4-8-8-3-batch": dict(sizes=[4, 8, 8, 3], activation="relu", output_activation="linear", seed=1,
                               samples=4, iterations=2, learning_rate=0.1),
    "sigmoid-4-8-8-3-squared": dict(sizes=[4, 8, 8, 3], activation="sigmoid", loss="squared_error", seed=2,
                                    samples=4, iterations=1),
    "tanh-3-12-2-stochastic": dict(sizes=[3, 12, 2], activation="tanh", seed=3, samples=3, iterations=2,
                                   mode="stochastic"),
    "sigmoid-2-3-2-layerwise": dict(sizes=[2, 3, 2], activation="sigmoid", seed=4, samples=2, iterations=2,
                                    order="layerwise"),
    "tanh-2-2-1-no-biases": dict(sizes=[2, 2, 1], activation="tanh", seed=5, samples=1, iterations=2, biases=False),
    "linear-2-3-1-diverging": dict(sizes=[2, 3, 1], activation="linear", seed=6, samples=2, iterations=40,
                                   learning_rate=10.0),
}


def generated_text(name: str) -> str:
    options = dict(GENERATED[name])
    mode = options.pop("mode", None)
    order = options.pop("order", None)
    text = new_scenario(options.pop("sizes"), **options)
    extra = ([f'mode = "{mode}"'] if mode else []) + ([f'update_order = "{order}"'] if order else [])
    if extra:  # into [training], which starts before the first sample
        head, marker, rest = text.partition("[[training.samples]]")
        text = head + "\n".join(extra) + "\n" + marker + rest
    return text


def scenarios() -> dict[str, Trace]:
    traces = {b.name: Trace(b.load()) for b in bundled()}
    traces |= {name: Trace(parse_scenario(generated_text(name))) for name in GENERATED}
    return traces


def _number(value: float):
    return value if math.isfinite(value) else repr(value)  # JSON has no NaN: "nan", "inf", "-inf"


def _key(key) -> list:
    return [key.family.value, key.layer, key.j, key.i]


def record(event) -> dict:
    """Every field of an event, as JSON can hold it exactly."""
    return {
        "index": event.index, "iteration": event.iteration, "sample": event.sample, "step": event.update_step,
        "phase": event.phase.value, "kind": event.kind.value, "key": _key(event.key),
        "quantity": event.quantity, "symbol": event.symbol, "formula": event.formula,
        "substituted": event.substituted, "value": _number(event.value), "reads": list(event.reads),
        "read_samples": list(event.read_samples), "read_keys": [[_key(k), s] for k, s in event.read_keys],
        "read_values": [_number(v) for v in event.read_values], "meaning": event.meaning,
    }


def path_of(name: str) -> Path:
    return FOLDER / f"{name}.jsonl.gz"


def load(name: str) -> list[dict]:
    with gzip.open(path_of(name), "rt", encoding="utf-8") as stream:
        return [json.loads(line) for line in stream]


def main() -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    for name, trace in scenarios().items():
        with gzip.GzipFile(path_of(name), "wb", mtime=0) as raw:
            for index in range(len(trace)):
                line = json.dumps(record(trace[index]), ensure_ascii=False, allow_nan=False) + "\n"
                raw.write(line.encode("utf-8"))
        print(f"{path_of(name).name}: {len(trace)} events")


if __name__ == "__main__":
    main()
