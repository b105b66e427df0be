"""Each event as a teacher writes it: the symbolic formula, the same with numbers, a sentence.

The read order of every kind is fixed by the plan (e.g. a net input reads source, weight, source,
weight, ..., bias), and the functions below rely on it.

The writer never sees a number: the substitution it writes holds a *hole* for each, naming the
read it shows and how it is written (``fmt``, ``term`` ...). The same plan slot has the same
substitution in every iteration, so it is written once per slot (see ``templates``), and only the
holes are filled per event.
"""

from __future__ import annotations

import math
from typing import NamedTuple

from .notation import FUNCTION_NAMES, Symbols
from .numbers import fmt
from .quantities import Key, Kind, SampleNumber

_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
MAX_TERMS = 8  # sums longer than this are shown with an ellipsis in the middle


# A named tuple, not a frozen dataclass: as immutable, and defined at import (every start) in a
# tenth of the time (about 0.6 ms less).
class Reading(NamedTuple):
    """One value an event reads: what it is, whose sample, and where it is among the reads."""

    key: Key
    sample: SampleNumber  # None for parameters and batch-level values
    position: int  # index into the event's reads


# A hole in a substitution: HOLE, the read's position, its style, HOLE. Styles (see templates.STYLES):
# f: fmt(v), t: term(v), n: term(−v), v: the ReLU verdict on v.
HOLE = "\x00"


def _f(r: Reading) -> str:
    return f"{HOLE}{r.position}f{HOLE}"


def _t(r: Reading) -> str:
    return f"{HOLE}{r.position}t{HOLE}"


def _n(r: Reading) -> str:
    return f"{HOLE}{r.position}n{HOLE}"


def _v(r: Reading) -> str:
    return f"{HOLE}{r.position}v{HOLE}"


def _sample_symbol(symbol: str, sample: int) -> str:
    return f"{symbol}⁽{str(sample).translate(_SUP)}⁾"


def _join(parts: list[str], sep: str = " + ") -> str:
    if len(parts) > MAX_TERMS:
        parts = parts[: MAX_TERMS // 2] + ["…"] + parts[-(MAX_TERMS // 2) :]
    return sep.join(parts)


class FormulaWriter:
    """Writes each event's formula and substitution in the scenario's notation."""

    def __init__(self, symbols: Symbols, activations: dict[int, str], loss: str, learning_rate: float,
                 leaks: dict[int, float] | None = None, reduction: str = "mean") -> None:
        self.sym = symbols
        self.activations = activations  # layer -> activation name
        self.loss = loss
        self.learning_rate = learning_rate
        self.leaks = leaks or {}  # layer -> leaky ReLU's slope below 0
        self.reduction = reduction  # how a batch combines its samples: "mean" or "sum"

    def write(self, kind: Kind, key: Key, sample: SampleNumber, reads: list[Reading]) -> tuple[str, str]:
        """The formula, and the substitution with a hole for each number."""
        method = getattr(self, f"_{kind.value}")
        if kind in (Kind.WEIGHT_GRADIENT, Kind.BIAS_GRADIENT) and sample is None:
            method = self._average
        return method(key, reads)

    def s(self, reading: Reading) -> str:
        """The symbol of the quantity a read names."""
        return self.sym[reading.key]

    # -- forward ------------------------------------------------------------------------------

    def _net_input(self, key: Key, r: list[Reading]):
        pairs = [(r[n], r[n + 1]) for n in range(0, len(r) - len(r) % 2, 2)]
        bias = r[-1] if len(r) % 2 else None
        if self.sym.input_first:
            symbolic = [f"{self.s(x)}·{self.s(w)}" for x, w in pairs]
            numeric = [f"{_t(x)} × {_t(w)}" for x, w in pairs]
        else:
            symbolic = [f"{self.s(w)}·{self.s(x)}" for x, w in pairs]
            numeric = [f"{_t(w)} × {_t(x)}" for x, w in pairs]
        if bias is not None:
            symbolic.append(self.s(bias))
            numeric.append(_t(bias))
        return f"{self.sym[key]} = {_join(symbolic)}", _join(numeric)

    def _activation(self, key: Key, r: list[Reading]):
        z = r[0]
        name = self.activations[key.layer]
        written = self.sym.functions[key.layer]
        a = self.sym[key]
        if name == "linear":
            return f"{a} = {self.s(z)}", _f(z)
        if name == "softmax":  # reads e^{z_k}, the normaliser, then every net input of the layer
            exp, total = r[0], r[1]
            return f"{a} = {self.s(exp)} / {self.s(total)}", f"{_f(exp)} / {_f(total)}"
        call = f"{written}({self.s(z)})"
        standard = FUNCTION_NAMES[name]
        numeric = {
            "sigmoid": f"1 / (1 + e^{_n(z)})",
            "tanh": f"tanh({_f(z)})",
            "relu": f"max(0, {_f(z)})",
            "leaky_relu": f"max({fmt(self.leaks.get(key.layer, 0.01))} × {_f(z)}, {_f(z)})",
        }[name]
        if written != standard:  # the document's own name for it, e.g. f
            numeric = f"{standard}({_f(z)}) = {numeric}"
        elif name == "sigmoid":
            numeric = f"σ({_f(z)}) = {numeric}"
        return f"{a} = {call}", numeric

    def _exponential(self, key: Key, r: list[Reading]):
        return f"{self.sym[key]} = exp({self.s(r[0])})", f"exp({_f(r[0])})"

    def _normaliser(self, key: Key, r: list[Reading]):
        return f"{self.sym[key]} = {_join([self.s(e) for e in r])}", _join([_t(e) for e in r])

    # -- loss ---------------------------------------------------------------------------------

    def _squared(self, output: Reading, target: Reading) -> tuple[str, str]:
        o, t = self.s(output), self.s(target)
        if self.loss == "cross_entropy":
            return f"−{t}·ln {o}", f"−{_t(target)} × ln({_f(output)})"
        if self.loss == "binary_cross_entropy":
            return (f"−[{t}·ln {o} + (1 − {t})·ln(1 − {o})]",
                    f"−[{_t(target)} × ln({_f(output)}) + (1 − {_t(target)}) × ln(1 − {_t(output)})]")
        if self.loss == "half_squared_error":
            return (
                f"½({self.s(target)} − {self.s(output)})²",
                f"½ × ({_f(target)} − {_t(output)})²",
            )
        return (
            f"({self.s(output)} − {self.s(target)})²",
            f"({_f(output)} − {_t(target)})²",
        )

    def _loss_term(self, key: Key, r: list[Reading]):
        symbolic, numeric = self._squared(r[0], r[1])
        return f"{self.sym[key]} = {symbolic}", numeric

    def _loss_total(self, key: Key, r: list[Reading]):
        if len(r) == 2 and r[0].key.family.value == "a":
            return self._loss_term(key, r)
        return (
            f"{self.sym[key]} = {_join([self.s(t) for t in r])}",
            _join([_t(t) for t in r]),
        )

    def _loss_mean(self, key: Key, r: list[Reading]):
        loss = self.sym[key]
        if self.reduction == "sum":
            return f"{loss} = Σₛ {_sample_symbol(loss, 1).replace('⁽¹⁾', '⁽ˢ⁾')}", _join([_t(t) for t in r])
        return (
            f"{loss} = (1/{len(r)}) · Σₛ {_sample_symbol(loss, 1).replace('⁽¹⁾', '⁽ˢ⁾')}",
            f"({_join([_t(t) for t in r])}) / {len(r)}",
        )

    # -- backward -----------------------------------------------------------------------------

    def _output_error(self, key: Key, r: list[Reading]):
        output, target = r
        o, t = self.s(output), self.s(target)
        if self.loss == "cross_entropy":
            return f"{self.sym[key]} = −{t} / {o}", f"−{_t(target)} / {_f(output)}"
        if self.loss == "binary_cross_entropy":
            return (f"{self.sym[key]} = ({o} − {t}) / ({o}(1 − {o}))",
                    f"({_f(output)} − {_t(target)}) / ({_f(output)} × (1 − {_t(output)}))")
        if self.loss == "half_squared_error":
            return (
                f"{self.sym[key]} = {self.s(output)} − {self.s(target)}",
                f"{_f(output)} − {_t(target)}",
            )
        return (
            f"{self.sym[key]} = 2({self.s(output)} − {self.s(target)})",
            f"2 × ({_f(output)} − {_t(target)})",
        )

    def _backprop_sum(self, key: Key, r: list[Reading]):
        pairs = [(r[n], r[n + 1]) for n in range(0, len(r), 2)]
        return (
            f"{self.sym[key]} = {_join([f'{self.s(d)}·{self.s(w)}' for d, w in pairs])}",
            _join([f"{_t(d)} × {_t(w)}" for d, w in pairs]),
        )

    def _activation_derivative(self, key: Key, r: list[Reading]):
        local = r[0]
        name = self.activations[key.layer]
        d = self.sym[key]
        if name == "sigmoid":
            a = self.s(local)
            return f"{d} = {a}(1 − {a})", f"{_f(local)} × (1 − {_t(local)})"
        if name == "tanh":
            a = self.s(local)
            return f"{d} = 1 − {a}²", f"1 − {_t(local)}²"
        if name == "relu":
            z = self.s(local)
            return f"{d} = 1 if {z} > 0, else 0", f"{_f(local)} {_v(local)}"
        if name == "leaky_relu":
            z, leak = self.s(local), fmt(self.leaks.get(key.layer, 0.01))
            return f"{d} = 1 if {z} > 0, else {leak}", f"1 if {_f(local)} > 0, else {leak}"
        return f"{d} = 1", "1"

    def _jacobian(self, key: Key, r: list[Reading]):
        d = self.sym[key]
        if len(r) == 1:  # on the diagonal: ∂oₖ/∂zₖ
            o = r[0]
            return f"{d} = {self.s(o)}(1 − {self.s(o)})", f"{_f(o)} × (1 − {_t(o)})"
        oj, ok = r
        return f"{d} = −{self.s(oj)}·{self.s(ok)}", f"−{_t(oj)} × {_t(ok)}"

    def _delta(self, key: Key, r: list[Reading]):
        if r[0].key.family.value == "a":  # softmax with cross-entropy, sigmoid with binary cross-entropy
            output, target = r
            return f"{self.sym[key]} = {self.s(output)} − {self.s(target)}", f"{_f(output)} − {_t(target)}"
        if len(r) > 2:  # a softmax under another loss: the sum over the Jacobian's column
            pairs = [(r[n], r[n + 1]) for n in range(0, len(r), 2)]
            return (
                f"{self.sym[key]} = {_join([f'{self.s(e)}·{self.s(j)}' for e, j in pairs])}",
                _join([f"{_t(e)} × {_t(j)}" for e, j in pairs]),
            )
        de_da, da_dz = r
        return (
            f"{self.sym[key]} = {self.s(de_da)} · {self.s(da_dz)}",
            f"{_t(de_da)} × {_t(da_dz)}",
        )

    def _weight_gradient(self, key: Key, r: list[Reading]):
        delta, source = r
        return (
            f"{self.sym[key]} = {self.s(delta)} · {self.s(source)}",
            f"{_t(delta)} × {_t(source)}",
        )

    def _bias_gradient(self, key: Key, r: list[Reading]):
        delta = r[0]
        return f"{self.sym[key]} = {self.s(delta)} · 1", f"{_t(delta)} × 1"

    def _average(self, key: Key, r: list[Reading]):
        g = self.sym[key]
        if self.reduction == "sum":
            return f"{g} = Σₛ {g}⁽ˢ⁾", _join([_t(t) for t in r])
        return (
            f"{g} = (1/{len(r)}) · Σₛ {g}⁽ˢ⁾",
            f"({_join([_t(t) for t in r])}) / {len(r)}",
        )

    # -- update -------------------------------------------------------------------------------

    def _weight_update(self, key: Key, r: list[Reading]):
        old, gradient = r
        p = self.sym[key]
        eta = self.sym.learning_rate
        return (
            f"{p} ← {p} − {eta}·{self.s(gradient)}",
            f"{_f(old)} − {fmt(self.learning_rate)} × {_t(gradient)}",
        )

    _bias_update = _weight_update


# What each kind of event is called in a heading, before its symbol: "activation derivative
# ∂h₁/∂net_h₁", "error signal δ_o₁" (the symbol says δ; the name does not repeat it).
TITLES = {
    Kind.NET_INPUT: "net input",
    Kind.EXPONENTIAL: "exponential",
    Kind.NORMALISER: "softmax normaliser",
    Kind.ACTIVATION: "activation",
    Kind.LOSS_TERM: "loss term",
    Kind.LOSS_TOTAL: "loss",
    Kind.LOSS_MEAN: "batch loss",
    Kind.OUTPUT_ERROR: "output error",
    Kind.BACKPROP_SUM: "error from the next layer",
    Kind.ACTIVATION_DERIVATIVE: "activation derivative",
    Kind.JACOBIAN: "softmax Jacobian entry",
    Kind.DELTA: "error signal",
    Kind.WEIGHT_GRADIENT: "weight gradient",
    Kind.BIAS_GRADIENT: "bias gradient",
    Kind.WEIGHT_UPDATE: "weight update",
    Kind.BIAS_UPDATE: "bias update",
}


def title(kind: Kind, batch_level: bool) -> str:
    """What an event of this kind is called: "weight gradient", or "batch weight gradient" for a batch mean."""
    text = TITLES[kind]
    return f"batch {text}" if batch_level and kind in (Kind.WEIGHT_GRADIENT, Kind.BIAS_GRADIENT) else text


def heading(kind: Kind, batch_level: bool, symbol: str) -> str:
    """The event named as a sentence reads it: "loss E", "weight gradient ∂E/∂w₅"."""
    return f"{title(kind, batch_level)} {symbol}"


DIVERGED = (
    "This value is not a finite number: the updates overshoot and the values grow without bound. "
    "The learning rate is too large for this network; try a smaller one."
)


# One plain sentence per kind: what the number means, in a lecturer's words.
SENTENCES = {
    Kind.NET_INPUT: "Weighted sum of everything arriving at the neuron (plus its bias, if it has one).",
    Kind.EXPONENTIAL: "The first step of the softmax: e raised to this net input, always positive.",
    Kind.NORMALISER: "The softmax's normaliser: the sum of the layer's exponentials, so the outputs sum to 1.",
    Kind.ACTIVATION: "The neuron's output: its net input passed through the activation function.",
    Kind.LOSS_TERM: "How far this output is from its target, squared.",
    Kind.LOSS_TOTAL: "The total error of this sample: the number training tries to shrink.",
    Kind.LOSS_MEAN: "The batch loss: the mean of the {fan} per-sample losses.",
    Kind.OUTPUT_ERROR: "How wrong is the prediction? The slope of the loss at this output.",
    Kind.BACKPROP_SUM: "The error arriving from the {neurons} of the next layer, each through its weight, summed.",
    Kind.ACTIVATION_DERIVATIVE: "How sensitive is the neuron? The slope of its activation at its net input.",
    Kind.JACOBIAN: "How much this softmax output moves when that net input moves: every output depends on "
                   "every net input of the layer.",
    Kind.DELTA: "The error signal at the neuron's net input: how wrong × how sensitive.",
    Kind.WEIGHT_GRADIENT: "How much this weight contributed: the error signal × the input it carried.",
    Kind.BIAS_GRADIENT: "A bias carries a constant input of 1, so its gradient is the error signal itself.",
    Kind.WEIGHT_UPDATE: "Step downhill: move the weight against its gradient, scaled by the learning rate.",
    Kind.BIAS_UPDATE: "Step downhill: move the bias against its gradient, scaled by the learning rate.",
}


# What some events mean under a loss other than the squared errors.
LOSS_SENTENCES = {
    Kind.LOSS_TERM: "Minus the target times the natural log of the output: large when a target gets a small "
                    "probability (taken from the net inputs, so exact even where the output rounds to 0).",
    Kind.OUTPUT_ERROR: "How wrong is the prediction? The slope of the loss at this output.",
}
SOFTMAX_OUTPUT = ("The softmax output: this neuron's exponential over the sum of all of them. A probability; the "
                  "layer's outputs sum to 1, and each depends on every net input of the layer.")
DIRECT_DELTA = ("The error signal at the output's net input: output minus target. The loss's slope and the "
                "output's derivative (summed over the softmax's Jacobian) cancel to this.")
JACOBIAN_DELTA = ("The error signal at this net input: every output's error times how much that output moves "
                  "with this net input, summed (a softmax output depends on every net input).")

# Why a number is infinite where the reason is not divergence.
OVERFLOW = ("e to this net input overflows float64 (net inputs above 709.78): the exact number is too large to "
            "hold. The outputs do not suffer: they are computed as e^(z_k − m) / Σ e^(z_j − m), m the largest "
            "net input, which is the same fraction.")
CERTAIN_AND_WRONG = ("The network gives this target a probability of 0 (to float64 precision), and −ln 0 = ∞: "
                     "the loss is infinite, the network certain of a wrong answer. The error signal o − t is "
                     "still finite.")


def not_finite(kind: Kind, value: float, loss: str = "") -> str:
    """Why an event's value is not a finite number: an overflowing e^z, a probability of 0 under
    a cross-entropy, or (any other case) a run that has diverged."""
    if math.isinf(value) and kind in (Kind.EXPONENTIAL, Kind.NORMALISER):
        return OVERFLOW
    if math.isinf(value) and loss in ("cross_entropy", "binary_cross_entropy") and kind in (
            Kind.LOSS_TERM, Kind.LOSS_TOTAL, Kind.LOSS_MEAN):
        return CERTAIN_AND_WRONG
    return DIVERGED


def meaning(kind: Kind, batch_level: bool, symbols: Symbols, key: Key, fan: int, value: float = 0.0,
            loss: str = "half_squared_error", reduction: str = "mean", reads: tuple[str, ...] = ()) -> str:
    """The plain sentence saying what an event's number means, or why it is not finite."""
    if not math.isfinite(value):
        return not_finite(kind, value, loss)
    if batch_level and kind in (Kind.WEIGHT_GRADIENT, Kind.BIAS_GRADIENT):
        if reduction == "sum":
            return f"The batch gradient: the sum of the {fan} per-sample gradients of {symbols[key]}."
        return f"The batch gradient: the average of the {fan} per-sample gradients of {symbols[key]}."
    if kind is Kind.ACTIVATION and reads[:1] == ("exp",):
        return SOFTMAX_OUTPUT
    if kind is Kind.DELTA and reads[:1] == ("a",):
        return DIRECT_DELTA
    if kind is Kind.DELTA and len(reads) > 2:
        return JACOBIAN_DELTA
    if loss in ("cross_entropy", "binary_cross_entropy") and kind in LOSS_SENTENCES:
        return LOSS_SENTENCES[kind]
    sentence = SENTENCES[kind]
    if kind is Kind.LOSS_MEAN:
        if reduction == "sum":
            return f"The batch loss: the sum of the {fan} per-sample losses."
        return sentence.format(fan=fan)
    if kind is Kind.BACKPROP_SUM:
        if fan == 2:  # one neuron in the next layer: nothing to sum
            return "The error arriving from the next layer's only neuron, through the weight that connects them."
        return sentence.format(neurons=f"{fan // 2} neurons")
    return sentence
