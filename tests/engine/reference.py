"""An independent reference: scalar reverse-mode autodiff, written from scratch for the tests.

It shares no code with `core` (not even numpy): every forward value is a plain float expression,
and every derivative comes from the chain rule applied node by node, micrograd-style. The engine's
trace must agree with it to float64 rounding.
"""

from __future__ import annotations

import math


class Node:
    __slots__ = ("value", "grad", "parents")

    def __init__(self, value: float, parents=()):
        self.value = value
        self.grad = 0.0
        self.parents = parents  # ((node, local derivative), ...)

    def __add__(self, other):
        other = other if isinstance(other, Node) else Node(other)
        return Node(self.value + other.value, ((self, 1.0), (other, 1.0)))

    __radd__ = __add__

    def __mul__(self, other):
        other = other if isinstance(other, Node) else Node(other)
        return Node(self.value * other.value, ((self, other.value), (other, self.value)))

    __rmul__ = __mul__

    def __sub__(self, other):
        return self + (-1.0) * other

    def square(self):
        return Node(self.value**2, ((self, 2.0 * self.value),))

    def apply(self, name: str):
        z = self.value
        if name == "sigmoid":
            a = 1.0 / (1.0 + math.exp(-z)) if z >= 0 else math.exp(z) / (1.0 + math.exp(z))
            return Node(a, ((self, a * (1.0 - a)),))
        if name == "tanh":
            a = math.tanh(z)
            return Node(a, ((self, 1.0 - a * a),))
        if name == "relu":
            return Node(max(z, 0.0), ((self, 1.0 if z > 0 else 0.0),))
        return Node(z, ((self, 1.0),))

    def backward(self):
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent, _ in node.parents:
                    visit(parent)
                order.append(node)

        visit(self)
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in node.parents:
                parent.grad += local * node.grad


def local_slope(name: str, z: float) -> float:
    """da/dz of an activation, by the textbook formulas."""
    if name == "sigmoid":
        a = 1.0 / (1.0 + math.exp(-z))
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - math.tanh(z) ** 2
    if name == "relu":
        return 1.0 if z > 0 else 0.0
    return 1.0


def sample_pass(layers, loss, x, y):
    """Forward and backward for one sample. `layers`: [(activation, W rows, b or None)].

    Returns a dict keyed by the trace's quantity ids (z, a, E[k], E, dE/da, da/dz, delta, dE/dW,
    dE/db) with plain floats.
    """
    weights = [[[Node(w) for w in row] for row in W] for _, W, _ in layers]
    biases = [None if b is None else [Node(v) for v in b] for _, _, b in layers]
    out: dict[str, float] = {}
    acts = [Node(v) for v in x]
    zs_all, as_all = [], []
    for l, (name, W, _) in enumerate(layers, start=1):
        zs, as_ = [], []
        for j in range(len(W)):
            z = Node(0.0)
            for i, a_prev in enumerate(acts):
                z = z + weights[l - 1][j][i] * a_prev
            if biases[l - 1] is not None:
                z = z + biases[l - 1][j]
            zs.append(z)
            as_.append(z.apply(name))
        zs_all.append(zs)
        as_all.append(as_)
        acts = as_
    scale = 0.5 if loss == "half_squared_error" else 1.0
    terms = [scale * (Node(t) - o).square() for o, t in zip(acts, y, strict=True)]
    total = Node(0.0)
    for term in terms:
        total = total + term
    total.backward()
    for l, (name, W, b) in enumerate(layers, start=1):
        for j in range(len(W)):
            z, a = zs_all[l - 1][j], as_all[l - 1][j]
            out[f"z[{l}][{j + 1}]"] = z.value
            out[f"a[{l}][{j + 1}]"] = a.value
            out[f"dE/da[{l}][{j + 1}]"] = a.grad
            out[f"da/dz[{l}][{j + 1}]"] = local_slope(name, z.value)
            out[f"delta[{l}][{j + 1}]"] = z.grad
            for i in range(len(W[j])):
                out[f"dE/dW[{l}][{j + 1}][{i + 1}]"] = weights[l - 1][j][i].grad
            if b is not None:
                out[f"dE/db[{l}][{j + 1}]"] = biases[l - 1][j].grad
    for k, term in enumerate(terms, start=1):
        out[f"E[{k}]"] = term.value
    out["E"] = total.value
    return out


def batch_loss(layers, loss, samples) -> float:
    """Mean over samples of the per-sample loss, by plain float arithmetic (for finite differences)."""
    scale = 0.5 if loss == "half_squared_error" else 1.0
    total = 0.0
    for x, y in samples:
        acts = list(x)
        for name, W, biases in layers:
            nxt = []
            for j, row in enumerate(W):
                z = sum(w * a for w, a in zip(row, acts, strict=True)) + (biases[j] if biases is not None else 0.0)
                nxt.append(Node(z).apply(name).value)
            acts = nxt
        total += sum(scale * (t - o) ** 2 for o, t in zip(acts, y, strict=True))
    return total / len(samples)
