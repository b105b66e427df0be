"""The validated, immutable description of one worked example.

A `Scenario` is what the loader returns: the network, the training set-up, the document's
notation, the values the document printed, and a teacher's notes. Nothing here computes; the
engine reads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import numpy as np

from .quantities import ANY_SAMPLE, AnySample, SampleNumber

ACTIVATIONS = ("sigmoid", "tanh", "relu", "linear")
LOSSES = ("half_squared_error", "squared_error")


class UpdateOrder(str, Enum):
    """When the parameters are updated: after the whole backward pass, or layer by layer."""

    AFTER_BACKWARD = "after_backward"  # the correct order: all gradients first, then every update
    LAYERWISE = "layerwise"  # the classic slip: update a layer as soon as its gradients are known


class Mode(str, Enum):
    """Batch training (one update per iteration) or stochastic training (one update per sample)."""

    BATCH = "batch"  # one update per iteration from gradients averaged over all samples
    STOCHASTIC = "stochastic"  # one update per sample


@dataclass(frozen=True)
class LayerNotation:
    """Symbol templates for one layer; see `core.notation` for the placeholders."""

    net_input: str
    activation: str
    weight: str
    bias: str
    delta: str
    function: str  # how the activation function is written, e.g. "σ", "tanh", "f"


@dataclass(frozen=True)
class Notation:
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


@dataclass(frozen=True, eq=False)  # compared by identity: numpy arrays have no ==
class Sample:
    """One training sample: its inputs x and targets y."""

    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class PrintedValue:
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


@dataclass(frozen=True)
class Note:
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
    def parameter_count(self) -> int:
        """The number of weights and biases."""
        return sum(
            layer.weights.size + (0 if layer.biases is None else layer.biases.size)
            for layer in self.layers
        )
