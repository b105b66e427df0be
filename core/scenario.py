"""The validated, immutable description of one worked example.

A `Scenario` is what the loader returns: the network, the training set-up, the document's
notation, the values the document printed, and a teacher's notes. Nothing here computes; the
engine reads it.

The small value types (notation, printed values, notes) are named tuples, not frozen dataclasses:
as immutable and compared by value, and defined at import in a tenth of the time (every start
imports this module; as dataclasses these four took 3.3 ms of it). Those holding numpy arrays stay
dataclasses compared by identity.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import NamedTuple

import numpy as np

from .quantities import ANY_SAMPLE, AnySample, SampleNumber

ACTIVATIONS = ("sigmoid", "tanh", "relu", "leaky_relu", "linear", "softmax")
LOSSES = ("half_squared_error", "squared_error", "cross_entropy", "binary_cross_entropy")
REDUCTIONS = ("mean", "sum")  # how a batch's per-sample losses and gradients are combined
DEFAULT_LEAK = 0.01  # leaky ReLU's slope below 0 when the scenario names none


class UpdateOrder(str, Enum):
    """When the parameters are updated: after the whole backward pass, or layer by layer."""

    AFTER_BACKWARD = "after_backward"  # the correct order: all gradients first, then every update
    LAYERWISE = "layerwise"  # the classic slip: update a layer as soon as its gradients are known


class Mode(str, Enum):
    """Batch training (one update per iteration) or stochastic training (one update per sample)."""

    BATCH = "batch"  # one update per iteration from gradients averaged over all samples
    STOCHASTIC = "stochastic"  # one update per sample


class LayerNotation(NamedTuple):
    """Symbol templates for one layer; see `core.notation` for the placeholders."""

    net_input: str
    activation: str
    weight: str
    bias: str
    delta: str
    function: str  # how the activation function is written, e.g. "σ", "tanh", "f"


class Notation(NamedTuple):
    """Scenario-wide symbol templates, in the document's own style."""

    input: str = "x{i}"
    target: str = "y{k}"
    loss: str = "E"
    loss_term: str = "E{k}"
    gradient_loss: str = "E"  # the loss as written inside derivatives: ∂E/∂w₅
    learning_rate: str = "η"
    input_first: bool = False  # write products as I₁·w₁ (input first) instead of w₁·I₁


@dataclass(frozen=True, eq=False)  # compared by identity: numpy arrays have no ==
class Layer:
    """One layer of the network: its size, activation, starting weights and biases, and notation."""

    size: int
    activation: str
    weights: np.ndarray  # (size, previous size): weights[j, i] feeds neuron i into neuron j
    biases: np.ndarray | None  # (size,), or None for a layer without bias terms
    notation: LayerNotation
    leak: float = DEFAULT_LEAK  # leaky ReLU only: the slope for net inputs ≤ 0


@dataclass(frozen=True, eq=False)  # compared by identity: numpy arrays have no ==
class Sample:
    """One training sample: its inputs x and targets y."""

    x: np.ndarray
    y: np.ndarray


class PrintedValue(NamedTuple):
    """A number as the document printed it, kept as text so its precision is known."""

    quantity: str  # a quantity id such as "a[2][1]"
    text: str  # exactly as printed, e.g. "0.60635"
    iteration: int = 1
    sample: SampleNumber = 1  # None (BATCH) for a batch-level quantity (mean loss, averaged gradient)
    where: str = ""  # where in the document, e.g. "Part 3: matrix form"

    @property
    def value(self) -> float:
        """The printed number as a float."""
        return float(self.text.replace("−", "-"))

    @property
    def decimals(self) -> int:
        """How many decimals the document printed."""
        digits = self.text.replace("−", "-").lstrip("+-")
        return len(digits.split(".", 1)[1]) if "." in digits else 0


class Note(NamedTuple):
    """A teacher's narration attached to the event that computes a quantity."""

    at: str  # quantity id
    text: str
    iteration: int | None = None  # None: every iteration
    sample: SampleNumber | AnySample = ANY_SAMPLE  # one sample, the batch level (None), or every one


@dataclass(frozen=True, eq=False)  # compared by identity: numpy arrays have no ==
class Scenario:
    """One worked example: the network, the training set-up, the notation, printed values and notes."""

    title: str
    inputs: int
    layers: tuple[Layer, ...]
    loss: str
    learning_rate: float
    samples: tuple[Sample, ...]
    iterations: int = 1
    source: str = ""
    description: str = ""
    path: Path | None = None
    notation: Notation = field(default_factory=Notation)
    update_biases: bool = True
    update_order: UpdateOrder = UpdateOrder.AFTER_BACKWARD
    mode: Mode = Mode.BATCH
    batch_reduction: str = "mean"  # "mean" or "sum" of the per-sample losses and gradients
    printed: tuple[PrintedValue, ...] = ()
    notes: tuple[Note, ...] = ()
    warnings: tuple[str, ...] = ()  # unknown keys and other things worth telling the author

    @property
    def sizes(self) -> tuple[int, ...]:
        """Neurons per layer, the inputs first: (2, 2, 2)."""
        return (self.inputs, *(layer.size for layer in self.layers))

    @property
    def outputs(self) -> int:
        """The number of output neurons."""
        return self.layers[-1].size

    @property
    def shape_label(self) -> str:
        """The network's shape as a label: "2-2-2"."""
        return "-".join(str(n) for n in self.sizes)

    @property
    def output_delta(self) -> str:
        """How the output layer's error signal is formed: "direct" (δ = o − t, softmax with
        cross-entropy or sigmoid with binary cross-entropy), "jacobian" (a softmax output under any
        other loss: δₖ = Σⱼ ∂E/∂oⱼ · ∂oⱼ/∂zₖ) or "elementwise" (δ = ∂E/∂o · ∂o/∂z)."""
        activation = self.layers[-1].activation
        if (activation, self.loss) in (("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy")):
            return "direct"
        return "jacobian" if activation == "softmax" else "elementwise"

    @property
    def parameter_count(self) -> int:
        """The number of weights and biases."""
        return sum(
            layer.weights.size + (0 if layer.biases is None else layer.biases.size)
            for layer in self.layers
        )
