"""Write a new, valid, commented scenario file: the starting point for a student's own network.

Weights are drawn with a seeded generator at the Xavier/Glorot scale, √(2/(fan_in + fan_out)),
and rounded to four decimals so the file stays readable; what is written is exactly what the
engine uses.
"""

from __future__ import annotations

import numpy as np

from .loader import MAX_LAYER_SIZE, MAX_LAYERS, MAX_SAMPLES, parse_scenario
from .notation import count
from .scenario import ACTIVATIONS, LOSSES

_OUTPUT_FOR_LOSS = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}
_LOSS_COMMENT = {
    "half_squared_error": "E = Σ ½(t − o)²",
    "squared_error": "L = Σ (ŷ − y)²",
    "cross_entropy": "E = −Σ t ln o (targets one-hot)",
    "binary_cross_entropy": "E = −Σ [t ln o + (1 − t) ln(1 − o)]",
}


def _row(values) -> str:
    return "[" + ", ".join(f"{v:.4f}" for v in values) + "]"


def _matrix(rows: np.ndarray, indent: str) -> str:
    if len(rows) == 1:
        return "[" + _row(rows[0]) + "]"
    inner = (",\n" + indent).join(_row(r) for r in rows)
    return "[" + inner + "]"


def new_scenario(
    sizes: list[int],
    activation: str = "sigmoid",
    output_activation: str | None = None,
    loss: str = "half_squared_error",
    seed: int = 0,
    samples: int = 1,
    iterations: int = 1,
    learning_rate: float = 0.5,
    biases: bool = True,
    title: str | None = None,
    file: str = "<new scenario>",
) -> str:
    """TOML text of a scenario for a network with the given layer sizes (inputs first), checked
    by the loader as `file` before it is written: `new` never writes what `check` rejects
    (raises ScenarioError, with the loader's message)."""
    if len(sizes) < 2:
        raise ValueError("give at least two layer sizes: inputs and outputs, e.g. 2,3,1")
    if len(sizes) - 1 > MAX_LAYERS or any(not 1 <= n <= MAX_LAYER_SIZE for n in sizes):
        raise ValueError(f"layer sizes must be 1 to {MAX_LAYER_SIZE}, "
                         f"with at most {MAX_LAYERS} layers after the inputs")
    if not 1 <= samples <= MAX_SAMPLES:
        raise ValueError(f"samples must be 1 to {MAX_SAMPLES}")
    # A cross-entropy needs outputs in (0, 1): unless told otherwise, the output layer it is taught with.
    output_activation = output_activation or _OUTPUT_FOR_LOSS.get(loss, activation)
    for name in (activation, output_activation):
        if name not in ACTIVATIONS:
            raise ValueError(f"unknown activation '{name}': expected one of {', '.join(ACTIVATIONS)}")
    if activation == "softmax" and len(sizes) > 2:
        raise ValueError("softmax is for the output layer only: use --output-activation softmax "
                         "(and --activation for the hidden layers)")
    if loss not in LOSSES:
        raise ValueError(f"unknown loss '{loss}': expected one of {', '.join(LOSSES)}")
    rng = np.random.default_rng(seed)
    shape = "-".join(str(n) for n in sizes)
    lines = [
        f"# A {shape} network written by `backprop-stepper new` (seed {seed}).",
        "# Edit anything: the app reloads this file when it changes. Weights are Xavier/Glorot-scaled:",
        "# normal with standard deviation √(2/(fan_in + fan_out)), rounded to 4 decimals.",
        "",
        f'title = "{title or f"My {shape} network"}"',
        f'description = "A {shape} network with {activation} activations, generated with seed {seed}."',
        "",
        "[network]",
        f"inputs = {sizes[0]}",
    ]
    for l in range(1, len(sizes)):
        fan_in, fan_out = sizes[l - 1], sizes[l]
        scale = np.sqrt(2.0 / (fan_in + fan_out))
        weights = np.round(rng.normal(0.0, scale, size=(fan_out, fan_in)), 4)
        name = output_activation if l == len(sizes) - 1 else activation
        role = "output layer" if l == len(sizes) - 1 else f"hidden layer {l}"
        lines += [
            "",
            f"[[network.layers]]               # {role}",
            f"size = {fan_out}",
            f'activation = "{name}"              # sigmoid, tanh, relu, leaky_relu, linear (softmax: output only)',
            f"# {count(fan_out, 'row')} (one per neuron) x {count(fan_in, 'column')} "
            "(one per neuron of the previous layer)",
            f"weights = {_matrix(weights, ' ' * 11)}",
        ]
        if biases:
            lines.append(f"biases = {_row(np.zeros(fan_out))}   # delete this line for a layer without biases")
    lines += [
        "",
        "[training]",
        f'loss = "{loss}"    # {_LOSS_COMMENT[loss]}; also ' + ", ".join(other for other in LOSSES if other != loss),
        f"learning_rate = {learning_rate}",
        f"iterations = {iterations}",
        '# mode = "stochastic"             # one update per sample instead of one per batch',
        '# batch_reduction = "sum"         # sum the batch\'s losses and gradients instead of averaging',
        "",
    ]
    low, high = (0.1, 0.9) if output_activation in ("sigmoid", "softmax") else (-0.8, 0.8)
    for _ in range(samples):
        x = np.round(rng.uniform(-1.0, 1.0, size=sizes[0]), 2)
        if loss == "cross_entropy":  # a class, one-hot
            y = np.eye(sizes[-1])[rng.integers(sizes[-1])]
        elif loss == "binary_cross_entropy":  # each output a yes/no label
            y = rng.integers(0, 2, size=sizes[-1]).astype(float)
        else:
            y = np.round(rng.uniform(low, high, size=sizes[-1]), 2)
        lines += ["[[training.samples]]", f"x = {_row(x)}", f"y = {_row(y)}", ""]
    text = "\n".join(lines)
    parse_scenario(text, name=file)
    return text
