"""Document-style symbols: templates such as ``"net_h{j}"`` rendered to ``net_h₁``.

Placeholders: ``{l}`` layer, ``{j}`` neuron, ``{i}`` source neuron, ``{k}`` output, ``{n}`` running
weight number across the whole network (w₁…w₈). A bare placeholder renders as subscript digits,
``{^l}`` as superscript and ``{=j}`` as plain digits. Templates are data: they are substituted by a
regular expression, never formatted or evaluated.
"""

from __future__ import annotations

import re

from .quantities import Family, Key
from .scenario import LayerNotation, Scenario


def count(n: int, word: str) -> str:
    """"1 sample", "4 samples", "10,000 iterations": a number and its noun, agreeing."""
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"


_SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUP = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
_TO_ASCII = str.maketrans("₀₁₂₃₄₅₆₇₈₉⁰¹²³⁴⁵⁶⁷⁸⁹", "01234567890123456789")
FIELD = re.compile(r"\{([\^=]?)([a-z])\}")
BRACE = re.compile(r"[{}]")

FUNCTION_NAMES = {"sigmoid": "σ", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "LReLU", "linear": "",
                  "softmax": "softmax"}

# Which placeholders each template may use; the loader reports any other.
ALLOWED_FIELDS = {
    "input": "i",
    "target": "k",
    "loss_term": "k",
    "loss": "",
    "gradient_loss": "",
    "learning_rate": "",
    "net_input": "lj",
    "activation": "lj",
    "bias": "lj",
    "delta": "lj",
    "weight": "ljin",
    "function": "",
}


def template_problem(template: str, allowed: str, may_be_empty: bool = False) -> str | None:
    """Why a template cannot be used, or None if it can."""
    for m in FIELD.finditer(template):
        if m.group(2) not in allowed:
            shown = ", ".join(f"{{{c}}}" for c in allowed) or "none"
            return f"placeholder {m.group(0)} is not available here (available: {shown})"
    if BRACE.search(FIELD.sub("", template)):
        return "unmatched '{' or '}' (placeholders look like {j}, {^l} or {=i})"
    if not template.strip() and not may_be_empty:
        return "a symbol cannot be empty"
    return None


def render(template: str, **numbers: int) -> str:
    """The template with each placeholder replaced by its number, in subscript, superscript or plain digits."""
    def substitute(m: re.Match[str]) -> str:
        style, name = m.groups()
        text = str(numbers[name])
        if style == "=":
            return text
        return text.translate(_SUP if style == "^" else _SUB)

    return FIELD.sub(substitute, template)


def ascii_digits(text: str) -> str:
    """``w₅`` → ``w5``: lets a search for "w5" or "δ_o1" find document symbols."""
    return text.translate(_TO_ASCII)


def default_layer_notation(layer: int, size: int, previous: int, activation: str) -> LayerNotation:
    """The symbols of a layer whose scenario names none: z⁽ˡ⁾ⱼ, a⁽ˡ⁾ⱼ, w⁽ˡ⁾ⱼᵢ, b⁽ˡ⁾ⱼ, δ⁽ˡ⁾ⱼ."""
    # A separator keeps two-digit neuron numbers readable: w⁽²⁾₁₀,₂ rather than w⁽²⁾₁₀₂.
    pair = "{j}{i}" if size < 10 and previous < 10 else "{j},{i}"
    return LayerNotation(
        net_input="z⁽{^l}⁾{j}",
        activation="a⁽{^l}⁾{j}",
        weight="w⁽{^l}⁾" + pair,
        bias="b⁽{^l}⁾{j}",
        delta="δ⁽{^l}⁾{j}",
        function=FUNCTION_NAMES[activation],
    )


class Symbols:
    """Every symbol of one scenario, rendered once."""

    def __init__(self, scenario: Scenario) -> None:
        n = scenario.notation
        self.loss = n.loss
        self.gradient_loss = n.gradient_loss
        self.learning_rate = n.learning_rate
        self.input_first = n.input_first
        self._table: dict[Key, str] = {}
        t = self._table
        for i in range(1, scenario.inputs + 1):
            t[Key(Family.X, 0, i)] = render(n.input, i=i)
        for k in range(1, scenario.outputs + 1):
            t[Key(Family.Y, 0, k)] = render(n.target, k=k)
            t[Key(Family.LOSS_TERM, 0, k)] = render(n.loss_term, k=k)
        t[Key(Family.LOSS)] = n.loss
        weight_number = 0
        previous = scenario.inputs
        self.functions: dict[int, str] = {}
        for l, layer in enumerate(scenario.layers, start=1):
            ln = layer.notation
            self.functions[l] = ln.function
            if layer.activation == "softmax":
                # The normaliser is written as the sum it is (one word, as symbols are): Σⱼe^z⁽²⁾ⱼ.
                t[Key(Family.EXP_SUM, l)] = f"Σⱼe^{render(ln.net_input, l=l, j='ⱼ')}"
                for j in range(1, layer.size + 1):
                    t[Key(Family.EXP, l, j)] = f"e^{render(ln.net_input, l=l, j=j)}"
                    for k in range(1, layer.size + 1):
                        a, z = render(ln.activation, l=l, j=j), render(ln.net_input, l=l, j=k)
                        t[Key(Family.DA_DZ, l, j, k)] = f"∂{a}/∂{z}"
            for j in range(1, layer.size + 1):
                z = t[Key(Family.Z, l, j)] = render(ln.net_input, l=l, j=j)
                a = t[Key(Family.A, l, j)] = render(ln.activation, l=l, j=j)
                t[Key(Family.DE_DA, l, j)] = f"∂{n.gradient_loss}/∂{a}"
                t[Key(Family.DA_DZ, l, j)] = f"∂{a}/∂{z}"
                t[Key(Family.DELTA, l, j)] = render(ln.delta, l=l, j=j)
                b = t[Key(Family.B, l, j)] = render(ln.bias, l=l, j=j)
                t[Key(Family.DE_DB, l, j)] = f"∂{n.gradient_loss}/∂{b}"
                for i in range(1, previous + 1):
                    weight_number += 1
                    w = render(ln.weight, l=l, j=j, i=i, n=weight_number)
                    t[Key(Family.W, l, j, i)] = w
                    t[Key(Family.DE_DW, l, j, i)] = f"∂{n.gradient_loss}/∂{w}"
            previous = layer.size

    def __getitem__(self, key: Key) -> str:
        return self._table[key]

    def items(self):
        """Every (key, symbol) pair of the scenario."""
        return self._table.items()

    def source(self, layer: int, i: int) -> str:
        """The symbol of the value neuron i of the layer before `layer` sends forward."""
        family = Family.X if layer == 1 else Family.A
        return self._table[Key(family, 0 if layer == 1 else layer - 1, i)]
