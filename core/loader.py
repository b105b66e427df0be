"""Read a scenario file (TOML) into a validated `Scenario`.

The file is data only: it is parsed with the standard library's tomllib and checked key by key.
Every problem raises `ScenarioError` naming the file, the place (TOML line and column, or a key
path such as ``network.layers[1].weights``) and what was expected. Unknown keys are not fatal but
are reported as warnings, so a typo such as ``learning_rat`` does not go unnoticed.
"""

from __future__ import annotations

import math
import re
import tomllib
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ScenarioError
from .notation import ALLOWED_FIELDS, count, default_layer_notation, template_problem
from .plan import check_size
from .quantities import ANY_SAMPLE, BATCH, AnySample, Family, Key, SampleNumber, parse_quantity_id
from .scenario import (
    ACTIVATIONS,
    LOSSES,
    Layer,
    LayerNotation,
    Mode,
    Notation,
    Note,
    PrintedValue,
    Sample,
    Scenario,
    UpdateOrder,
)

# Limits keep a typo (iterations = 1e9, size = 5000) from freezing a lecture. They are generous for
# teaching networks and named in the message when exceeded.
MAX_FILE_BYTES = 2_000_000
MAX_LAYERS = 12
MAX_LAYER_SIZE = 64
MAX_SAMPLES = 1_000
MAX_ITERATIONS = 100_000
MAX_ABS_NUMBER = 1e12

_TOP_KEYS = ("title", "source", "description", "network", "training", "notation", "printed", "notes")
_NETWORK_KEYS = ("inputs", "layers")
_LAYER_KEYS = ("size", "activation", "weights", "biases", "notation")
_TRAINING_KEYS = (
    "loss", "learning_rate", "iterations", "samples", "update_biases", "update_order", "mode",
)  # fmt: skip
_SAMPLE_KEYS = ("x", "y")
_NOTATION_KEYS = (
    "input", "target", "loss", "loss_term", "gradient_loss", "learning_rate", "product_order",
)  # fmt: skip
_LAYER_NOTATION_KEYS = ("net_input", "activation", "weight", "bias", "delta", "function")
_PRINTED_KEYS = ("iteration", "sample", "where", "values")
_NOTE_KEYS = ("at", "text", "iteration", "sample")

_TOML_TYPE = {
    str: "a string", int: "an integer", float: "a number", bool: "true/false",
    list: "an array", dict: "a table",
}  # fmt: skip
_SYNTAX_PLACE = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file; raises `ScenarioError` and nothing else."""
    path = Path(path)
    name = str(path)
    try:
        if path.is_dir():
            raise ScenarioError(name, "", "this is a directory, not a scenario file")
        data = path.read_bytes()
    except FileNotFoundError:
        raise ScenarioError(name, "", "no such file") from None
    except PermissionError:
        raise ScenarioError(name, "", "permission denied: the file cannot be read") from None
    except OSError as exc:
        raise ScenarioError(name, "", f"cannot be read ({exc.strerror or exc})") from None
    return parse_scenario(data, name=name, path=path)


def parse_scenario(data: bytes | str, name: str = "<scenario>", path: Path | None = None) -> Scenario:
    """Validate scenario text (or bytes) that did not necessarily come from a file."""
    if isinstance(data, bytes):
        if len(data) > MAX_FILE_BYTES:
            raise ScenarioError(
                name, "", f"the file is {len(data):,} bytes; a scenario may be at most "
                f"{MAX_FILE_BYTES:,} bytes"
            )
        if b"\x00" in data:
            raise ScenarioError(name, "", "this is not a text file (it contains NUL bytes)")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ScenarioError(
                name, f"byte {exc.start}", f"this is not UTF-8 text (byte 0x{data[exc.start]:02x})"
            ) from None
    else:
        text = data
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        m = _SYNTAX_PLACE.search(message)
        place = f"line {m[1]}, column {m[2]}" if m else ""
        problem = _SYNTAX_PLACE.sub("", message) if m else message
        raise ScenarioError(name, place, f"TOML syntax error: {problem}") from None
    except RecursionError:
        raise ScenarioError(name, "", "TOML syntax error: nesting is too deep") from None
    scenario = _Reader(name).scenario(document, path)
    check_size(scenario, name)
    return scenario


def _describe(value: Any) -> str:
    kind = _TOML_TYPE.get(type(value), type(value).__name__)
    shown = repr(value)
    if len(shown) > 40:
        shown = shown[:37] + "..."
    return f"{kind} ({shown})" if not isinstance(value, (list, dict)) else kind


class _Reader:
    def __init__(self, file: str) -> None:
        self.file = file
        self.warnings: list[str] = []

    # -- primitives -------------------------------------------------------------------------

    def fail(self, place: str, problem: str) -> ScenarioError:
        return ScenarioError(self.file, place, problem, tuple(self.warnings))

    def keys(self, table: dict, allowed: tuple[str, ...], place: str) -> None:
        for key in table:
            if key not in allowed:
                import difflib  # only for typos: keep it out of start-up

                where = f"{place}.{key}" if place else key
                close = difflib.get_close_matches(key, allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.warnings.append(f"{self.file}: {where}: unknown key, ignored{hint}")

    def table(self, parent: dict, key: str, place: str, required: bool = True) -> dict | None:
        path = f"{place}.{key}" if place else key
        if key not in parent:
            if required:
                raise self.fail(path, f"missing table [{path}]")
            return None
        value = parent[key]
        if not isinstance(value, dict):
            raise self.fail(path, f"expected a table, found {_describe(value)}")
        return value

    def string(self, parent: dict, key: str, place: str, default: str | None = None) -> str:
        path = f"{place}.{key}" if place else key
        if key not in parent:
            if default is None:
                raise self.fail(path, "missing required key (expected a string)")
            return default
        value = parent[key]
        if not isinstance(value, str):
            raise self.fail(path, f"expected a string, found {_describe(value)}")
        return value

    def integer(
        self, parent: dict, key: str, place: str, *, low: int, high: int, default: int | None = None,
        what: str = "",
    ) -> int:
        path = f"{place}.{key}" if place else key
        if key not in parent:
            if default is None:
                raise self.fail(path, "missing required key (expected an integer)")
            return default
        value = parent[key]
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                raise self.fail(path, f"expected an integer, found {value!r} (write it without '.0')")
            raise self.fail(path, f"expected an integer, found {_describe(value)}")
        if value < low:
            raise self.fail(path, f"must be at least {low}, found {value}")
        if value > high:
            raise self.fail(path, f"{value:,} is more than the limit of {high:,}{what}")
        return value

    def number(self, value: Any, path: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(path, f"expected a number, found {_describe(value)}")
        number = float(value)
        if not math.isfinite(number):
            raise self.fail(path, f"expected a finite number, found {value!r}")
        if abs(number) > MAX_ABS_NUMBER:
            raise self.fail(path, f"{value!r} is too large (the limit is ±{MAX_ABS_NUMBER:g})")
        return number

    def choice(self, parent: dict, key: str, place: str, options: tuple[str, ...], default: str | None = None) -> str:
        path = f"{place}.{key}" if place else key
        value = self.string(parent, key, place, default)
        if value not in options:
            import difflib

            close = difflib.get_close_matches(value, options, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise self.fail(path, f"unknown value '{value}': expected one of {', '.join(options)}{hint}")
        return value

    def vector(self, value: Any, path: str, length: int, what: str) -> np.ndarray:
        if not isinstance(value, list):
            raise self.fail(path, f"expected an array of {count(length, 'number')} ({what}), found {_describe(value)}")
        if len(value) != length:
            raise self.fail(path, f"expected {count(length, 'number')} ({what}), found {len(value)}")
        return np.array([self.number(v, f"{path}[{n}]") for n, v in enumerate(value)], dtype=np.float64)

    def matrix(self, value: Any, path: str, rows: int, cols: int, what: str) -> np.ndarray:
        shape = f"{count(rows, 'row')} x {count(cols, 'column')} ({what})"
        if not isinstance(value, list):
            raise self.fail(path, f"expected {shape}, found {_describe(value)}")
        if value and not any(isinstance(row, list) for row in value):
            example = "[[" + ", ".join(["0.1"] * min(cols, 3)) + "]" + (", [...]" if rows > 1 else "") + "]"
            raise self.fail(path, f"expected an array of rows such as {example} ({shape}), found a flat array")
        if len(value) != rows:
            raise self.fail(path, f"expected {shape}, found {count(len(value), 'row')}")
        out = np.empty((rows, cols), dtype=np.float64)
        for r, row in enumerate(value):
            # Rows are counted in words, from 1, as layers and neurons are ("layer 2 ... row 1"),
            # so the place is the matrix, not a 0-based index into it.
            if not isinstance(row, list):
                raise self.fail(path, f"row {r + 1}: expected a row of {count(cols, 'number')}, found {_describe(row)}")
            if len(row) != cols:
                raise self.fail(path, f"expected {shape}: row {r + 1} has {count(len(row), 'number')}")
            for c, v in enumerate(row):
                out[r, c] = self.number(v, f"{path}[{r}][{c}]")
        return out

    def template(self, parent: dict, key: str, place: str, default: str) -> str:
        text = self.string(parent, key, place, default)
        # A linear layer's function has no name (ŷ = z₃), so that one template may be empty.
        problem = template_problem(text, ALLOWED_FIELDS[key], may_be_empty=key == "function")
        if problem:
            raise self.fail(f"{place}.{key}", problem)
        return text

    # -- sections ---------------------------------------------------------------------------

    def scenario(self, doc: dict, path: Path | None) -> Scenario:
        self.keys(doc, _TOP_KEYS, "")
        title = self.string(doc, "title", "")
        if not title.strip():
            raise self.fail("title", "the title cannot be empty")
        source = self.string(doc, "source", "", "")
        description = self.string(doc, "description", "", "")

        network = self.table(doc, "network", "")
        self.keys(network, _NETWORK_KEYS, "network")
        inputs = self.integer(network, "inputs", "network", low=1, high=MAX_LAYER_SIZE, what=" neurons per layer")
        layers = self.layers(network, inputs)
        sizes = (inputs, *(layer.size for layer in layers))

        training = self.table(doc, "training", "")
        self.keys(training, _TRAINING_KEYS, "training")
        loss = self.choice(training, "loss", "training", LOSSES)
        if "learning_rate" not in training:
            raise self.fail("training.learning_rate", "missing required key (expected a positive number)")
        learning_rate = self.number(training["learning_rate"], "training.learning_rate")
        if learning_rate <= 0:
            raise self.fail("training.learning_rate", f"must be greater than 0, found {learning_rate:g}")
        iterations = self.integer(
            training, "iterations", "training", low=1, high=MAX_ITERATIONS, default=1, what=" iterations"
        )
        samples = self.samples(training, sizes)
        update_biases = training.get("update_biases", True)
        if not isinstance(update_biases, bool):
            raise self.fail("training.update_biases", f"expected true or false, found {_describe(update_biases)}")
        order = UpdateOrder(
            self.choice(training, "update_order", "training", tuple(o.value for o in UpdateOrder), "after_backward")
        )
        mode = Mode(self.choice(training, "mode", "training", tuple(m.value for m in Mode), "batch"))

        notation = self.notation(doc)
        printed = self.printed(doc, sizes, layers, iterations, len(samples))
        notes = self.notes(doc, sizes, layers, iterations, len(samples))
        return Scenario(
            title=title.strip(),
            source=source,
            description=description.strip(),
            path=path,
            inputs=inputs,
            layers=layers,
            loss=loss,
            learning_rate=learning_rate,
            iterations=iterations,
            samples=samples,
            notation=notation,
            update_biases=update_biases,
            update_order=order,
            mode=mode,
            printed=printed,
            notes=notes,
            warnings=tuple(self.warnings),
        )

    def layers(self, network: dict, inputs: int) -> tuple[Layer, ...]:
        if "layers" not in network:
            raise self.fail("network.layers", "missing: add at least one [[network.layers]] table")
        raw = network["layers"]
        if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
            raise self.fail("network.layers", "expected [[network.layers]] tables (an array of tables)")
        if not raw:
            raise self.fail("network.layers", "at least one layer is needed")
        if len(raw) > MAX_LAYERS:
            raise self.fail("network.layers", f"{len(raw)} layers is more than the limit of {MAX_LAYERS}")
        layers = []
        previous = inputs
        for n, table in enumerate(raw):
            place = f"network.layers[{n}]"
            label = f"layer {n + 1}"
            self.keys(table, _LAYER_KEYS, place)
            size = self.integer(table, "size", place, low=1, high=MAX_LAYER_SIZE, what=" neurons per layer")
            activation = self.choice(table, "activation", place, ACTIVATIONS)
            if "weights" not in table:
                raise self.fail(f"{place}.weights",
                                f"missing ({label}: {count(size, 'row')} x {count(previous, 'column')})")
            weights = self.matrix(
                table["weights"], f"{place}.weights", size, previous,
                f"{label}: one row per neuron, one column per neuron of the previous layer",
            )
            biases = None
            if "biases" in table:
                biases = self.vector(table["biases"], f"{place}.biases", size, f"one per neuron of {label}")
            notation = self.layer_notation(table, place, n + 1, size, previous, activation)
            layers.append(Layer(size, activation, weights, biases, notation))
            previous = size
        return tuple(layers)

    def layer_notation(self, table: dict, place: str, l: int, size: int, previous: int,
                       activation: str) -> LayerNotation:
        default = default_layer_notation(l, size, previous, activation)
        given = self.table(table, "notation", place, required=False)
        if given is None:
            return default
        where = f"{place}.notation"
        self.keys(given, _LAYER_NOTATION_KEYS, where)
        return LayerNotation(
            **{key: self.template(given, key, where, getattr(default, key)) for key in _LAYER_NOTATION_KEYS}
        )

    def samples(self, training: dict, sizes: tuple[int, ...]) -> tuple[Sample, ...]:
        if "samples" not in training:
            raise self.fail("training.samples", "missing: add at least one [[training.samples]] table with x and y")
        raw = training["samples"]
        if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
            raise self.fail("training.samples", "expected [[training.samples]] tables (an array of tables)")
        if not raw:
            raise self.fail("training.samples", "at least one sample is needed")
        if len(raw) > MAX_SAMPLES:
            raise self.fail("training.samples", f"{len(raw):,} samples is more than the limit of {MAX_SAMPLES:,}")
        samples = []
        for n, table in enumerate(raw):
            place = f"training.samples[{n}]"
            self.keys(table, _SAMPLE_KEYS, place)
            for key in _SAMPLE_KEYS:
                if key not in table:
                    raise self.fail(f"{place}.{key}", "missing required key")
            x = self.vector(table["x"], f"{place}.x", sizes[0], "one per input neuron")
            y = self.vector(table["y"], f"{place}.y", sizes[-1], "one target per output neuron")
            samples.append(Sample(x, y))
        return tuple(samples)

    def notation(self, doc: dict) -> Notation:
        given = self.table(doc, "notation", "", required=False)
        default = Notation()
        if given is None:
            return default
        self.keys(given, _NOTATION_KEYS, "notation")
        order = self.choice(given, "product_order", "notation", ("weight_first", "input_first"), "weight_first")
        loss = self.template(given, "loss", "notation", default.loss)
        return Notation(
            input=self.template(given, "input", "notation", default.input),
            target=self.template(given, "target", "notation", default.target),
            loss=loss,
            loss_term=self.template(given, "loss_term", "notation", default.loss_term),
            gradient_loss=self.template(given, "gradient_loss", "notation", loss),
            learning_rate=self.template(given, "learning_rate", "notation", default.learning_rate),
            input_first=order == "input_first",
        )

    def sample_ref(self, table: dict, place: str, n_samples: int,
                   default: SampleNumber | AnySample) -> SampleNumber | AnySample:
        """A 1-based sample number, or BATCH for "batch" (the batch-level value: mean loss,
        averages); `default` when the table names no sample."""
        if table.get("sample") == "batch":
            return BATCH
        if "sample" not in table:
            return default
        if "sample" in table and not isinstance(table["sample"], int):
            raise self.fail(f"{place}.sample",
                            f"expected a sample number or \"batch\", found {_describe(table['sample'])}")
        return self.integer(table, "sample", place, low=1, high=n_samples, default=1,
                            what=" (the scenario's samples)")

    def quantity(self, text: str, place: str, sizes: tuple[int, ...], layers: tuple[Layer, ...]) -> Key:
        key = parse_quantity_id(text)
        if key is None:
            raise self.fail(place, f"'{text}' is not a quantity id (examples: a[1][2], dE/dW[2][1][1], E[1], E)")
        problem = _key_problem(key, sizes, layers)
        if problem:
            raise self.fail(place, f"'{text}': {problem}")
        return key

    def printed(self, doc: dict, sizes, layers, iterations: int, n_samples: int) -> tuple[PrintedValue, ...]:
        raw = doc.get("printed", [])
        if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
            raise self.fail("printed", "expected [[printed]] tables (an array of tables)")
        values = []
        for n, table in enumerate(raw):
            place = f"printed[{n}]"
            self.keys(table, _PRINTED_KEYS, place)
            iteration = self.integer(table, "iteration", place, low=1, high=iterations, default=1,
                                     what=" (the scenario's iterations)")
            sample = self.sample_ref(table, place, n_samples, default=1)
            where = self.string(table, "where", place, "")
            entries = self.table(table, "values", place)
            for text, value in entries.items():
                path = f'{place}.values."{text}"'
                self.quantity(text, path, sizes, layers)
                if isinstance(value, bool) or not isinstance(value, (str, int, float)):
                    raise self.fail(path, "expected the printed number as a string such as \"0.8005\", "
                                          f"found {_describe(value)}")
                shown = value if isinstance(value, str) else repr(value)
                try:
                    number = float(shown.replace("−", "-"))
                except ValueError:
                    raise self.fail(path, f"'{shown}' is not a number") from None
                if not math.isfinite(number):
                    raise self.fail(path, f"expected a finite number, found '{shown}'")
                if not isinstance(value, str):
                    self.warnings.append(
                        f"{self.file}: {path}: write printed values as strings (\"{shown}\") so their printed "
                        "precision is kept (trailing zeros are lost in a TOML number)"
                    )
                values.append(PrintedValue(text, shown.strip(), iteration, sample, where))
        return tuple(values)

    def notes(self, doc: dict, sizes, layers, iterations: int, n_samples: int) -> tuple[Note, ...]:
        raw = doc.get("notes", [])
        if not isinstance(raw, list) or not all(isinstance(t, dict) for t in raw):
            raise self.fail("notes", "expected [[notes]] tables (an array of tables)")
        notes = []
        for n, table in enumerate(raw):
            place = f"notes[{n}]"
            self.keys(table, _NOTE_KEYS, place)
            at = self.string(table, "at", place)
            self.quantity(at, f"{place}.at", sizes, layers)
            text = self.string(table, "text", place)
            iteration = self.integer(table, "iteration", place, low=1, high=iterations, default=0) or None
            sample = self.sample_ref(table, place, n_samples, default=ANY_SAMPLE)
            notes.append(Note(at, text.strip(), iteration, sample))
        return tuple(notes)


def _key_problem(key: Key, sizes: tuple[int, ...], layers: tuple[Layer, ...]) -> str | None:
    family, l, j, i = key
    last = len(sizes) - 1
    if family is Family.LOSS:
        return None
    if family is Family.X:
        return None if 1 <= j <= sizes[0] else f"the network has {sizes[0]} inputs"
    if family in (Family.Y, Family.LOSS_TERM):
        return None if 1 <= j <= sizes[-1] else f"the network has {sizes[-1]} outputs"
    if not 1 <= l <= last:
        return f"layer {l} does not exist (layers are numbered 1 to {last})"
    if not 1 <= j <= sizes[l]:
        return f"layer {l} has {sizes[l]} neurons"
    if family in (Family.W, Family.DE_DW) and not 1 <= i <= sizes[l - 1]:
        return f"layer {l} has {sizes[l - 1]} incoming connections per neuron"
    if family in (Family.B, Family.DE_DB) and layers[l - 1].biases is None:
        return f"layer {l} has no biases"
    return None
