"""Names for what the trace computes: phases, event kinds, and quantity ids.

A quantity is addressed by a small key ``(family, layer, j, i)`` with 1-based neuron numbers, and
written as the ids of the trace format: ``x[i]``, ``z[l][j]``, ``dE/dW[l][j][i]``, ``E`` ...

A sample is named one way (`SampleNumber`) by every public interface of the engine: events,
the plan's lookups, readings, printed values, notes and the ledger.
"""

from __future__ import annotations

import re
from enum import Enum
from functools import lru_cache
from typing import NamedTuple

SampleNumber = int | None
"""How the engine names a sample: its 1-based number in the scenario (as the status line and the
trace format count them), or None (`BATCH`) for a batch-level value: the batch-mean loss, an
averaged gradient, a batch update, a parameter. The plan's numpy column keeps its own storage
encoding, converted in `core.plan` only."""

BATCH: SampleNumber = None


class AnySample(Enum):
    """A filter that matches every sample and the batch level (a note without a `sample`, or a
    lookup of every event computing a quantity)."""

    ANY = "any sample"


ANY_SAMPLE = AnySample.ANY


class Scope(str, Enum):
    """Which value of a quantity a row of the value table holds: the sample on show's, the
    batch's (mean loss, averaged gradients), or a parameter's (one value for every sample)."""

    SAMPLE = "sample"
    BATCH = "batch"
    PARAMETER = "parameter"

    @staticmethod
    def of(key: Key, sample: SampleNumber) -> Scope:
        """The scope of the value an event computes for `sample` (parameters have no sample)."""
        if key.family in PARAMETER_FAMILIES:
            return Scope.PARAMETER
        return Scope.BATCH if sample is None else Scope.SAMPLE


class Phase(str, Enum):
    """The four phases of an iteration: forward, loss, backward and update."""

    FORWARD = "forward"
    LOSS = "loss"
    BACKWARD = "backward"
    UPDATE = "update"


PHASES: tuple[Phase, ...] = tuple(Phase)


class Kind(str, Enum):
    """What an event computes: a net input, an activation, a loss term ... a weight or bias update."""

    NET_INPUT = "net_input"
    ACTIVATION = "activation"
    LOSS_TERM = "loss_term"
    LOSS_TOTAL = "loss_total"
    LOSS_MEAN = "loss_mean"  # batch-level: mean of the per-sample losses
    OUTPUT_ERROR = "output_error"
    BACKPROP_SUM = "backprop_sum"
    ACTIVATION_DERIVATIVE = "activation_derivative"
    DELTA = "delta"
    WEIGHT_GRADIENT = "weight_gradient"
    BIAS_GRADIENT = "bias_gradient"
    WEIGHT_UPDATE = "weight_update"
    BIAS_UPDATE = "bias_update"


KINDS: tuple[Kind, ...] = tuple(Kind)

PHASE_OF_KIND: dict[Kind, Phase] = {
    Kind.NET_INPUT: Phase.FORWARD,
    Kind.ACTIVATION: Phase.FORWARD,
    Kind.LOSS_TERM: Phase.LOSS,
    Kind.LOSS_TOTAL: Phase.LOSS,
    Kind.LOSS_MEAN: Phase.LOSS,
    Kind.OUTPUT_ERROR: Phase.BACKWARD,
    Kind.BACKPROP_SUM: Phase.BACKWARD,
    Kind.ACTIVATION_DERIVATIVE: Phase.BACKWARD,
    Kind.DELTA: Phase.BACKWARD,
    Kind.WEIGHT_GRADIENT: Phase.BACKWARD,
    Kind.BIAS_GRADIENT: Phase.BACKWARD,
    Kind.WEIGHT_UPDATE: Phase.UPDATE,
    Kind.BIAS_UPDATE: Phase.UPDATE,
}


class Family(str, Enum):
    """The kind of quantity a key names (x, z, a, δ, ∂E/∂W, W ...), as written in quantity ids."""

    X = "x"
    Y = "y"
    Z = "z"
    A = "a"
    LOSS_TERM = "E[k]"
    LOSS = "E"
    DE_DA = "dE/da"
    DA_DZ = "da/dz"
    DELTA = "delta"
    DE_DW = "dE/dW"
    DE_DB = "dE/db"
    W = "W"
    B = "b"


class Key(NamedTuple):
    """A quantity of the network; layer 0 is the input layer, neurons count from 1."""

    family: Family
    layer: int = 0
    j: int = 0
    i: int = 0


PARAMETER_FAMILIES = frozenset({Family.W, Family.B})

FAMILY_OF_KIND: dict[Kind, Family] = {
    Kind.NET_INPUT: Family.Z,
    Kind.ACTIVATION: Family.A,
    Kind.LOSS_TERM: Family.LOSS_TERM,
    Kind.LOSS_TOTAL: Family.LOSS,
    Kind.LOSS_MEAN: Family.LOSS,
    Kind.OUTPUT_ERROR: Family.DE_DA,
    Kind.BACKPROP_SUM: Family.DE_DA,
    Kind.ACTIVATION_DERIVATIVE: Family.DA_DZ,
    Kind.DELTA: Family.DELTA,
    Kind.WEIGHT_GRADIENT: Family.DE_DW,
    Kind.BIAS_GRADIENT: Family.DE_DB,
    Kind.WEIGHT_UPDATE: Family.W,
    Kind.BIAS_UPDATE: Family.B,
}


@lru_cache(maxsize=65536)  # bounded by the network's size, not by the run's length
def quantity_id(key: Key) -> str:
    """The trace format's id of a quantity: ``x[1]``, ``z[2][1]``, ``dE/dW[2][1][1]``, ``E`` ..."""
    f, l, j, i = key
    if f is Family.X:
        return f"x[{j}]"
    if f is Family.Y:
        return f"y[{j}]"
    if f is Family.LOSS_TERM:
        return f"E[{j}]"
    if f is Family.LOSS:
        return "E"
    if f in (Family.DE_DW, Family.W):
        return f"{f.value}[{l}][{j}][{i}]"
    return f"{f.value}[{l}][{j}]"


_ID = re.compile(
    r"^(?P<family>x|y|z|a|E|dE/da|da/dz|delta|dE/dW|dE/db|W|b)"
    r"(?:\[(?P<n1>\d+)\])?(?:\[(?P<n2>\d+)\])?(?:\[(?P<n3>\d+)\])?$"
)
_ARITY = {
    "x": 1, "y": 1, "z": 2, "a": 2, "dE/da": 2, "da/dz": 2, "delta": 2,
    "dE/dW": 3, "dE/db": 2, "W": 3, "b": 2,
}  # fmt: skip


def parse_quantity_id(text: str) -> Key | None:
    """The key for an id such as ``W[2][1][2]``; None if the text is not a well-formed id."""
    m = _ID.match(text.strip())
    if not m:
        return None
    name = m["family"]
    numbers = [int(n) for n in (m["n1"], m["n2"], m["n3"]) if n is not None]
    if name == "E":
        if not numbers:
            return Key(Family.LOSS)
        if len(numbers) == 1:
            return Key(Family.LOSS_TERM, 0, numbers[0])
        return None
    if len(numbers) != _ARITY[name] or any(n < 0 for n in numbers):
        return None
    family = Family(name)
    if family in (Family.X, Family.Y):
        return Key(family, 0, numbers[0])
    return Key(family, *numbers)
