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

    def __rsub__(self, other):
        return Node(other) - self

    def square(self):
        return Node(self.value**2, ((self, 2.0 * self.value),))

    def exp(self):
        e = math.exp(self.value)
        return Node(e, ((self, e),))

    def log(self):
        v = self.value
        return Node(math.log(v) if v > 0 else -math.inf, ((self, 1.0 / v if v else math.inf),))

    def reciprocal(self):
        return Node(1.0 / self.value, ((self, -1.0 / self.value**2),))

    def apply(self, name: str, leak: float = 0.01):
        z = self.value
        if name == "leaky_relu":
            return Node(z if z > 0 else leak * z, ((self, 1.0 if z > 0 else leak),))
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
        """Gradients of this node with respect to every node it depends on (earlier gradients
        of the same graph are cleared first, so one graph can be differentiated several times)."""
        order, seen = [], set()

        def visit(node):
            if id(node) not in seen:
                seen.add(id(node))
                for parent, _ in node.parents:
                    visit(parent)
                order.append(node)

        visit(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in node.parents:
                parent.grad += local * node.grad


def softmax(zs):
    """Softmax as autograd frameworks build it: e^(z − m) / Σ e^(z − m), m the largest net input
    (a constant: the shift changes nothing but overflow)."""
    m = max(z.value for z in zs)
    exps = [(z - m).exp() for z in zs]
    total = Node(0.0)
    for e in exps:
        total = total + e
    inverse = total.reciprocal()
    return [e * inverse for e in exps]


def log_softmax(zs):
    """ln softmax(z) = z − m − ln Σ e^(z − m), as PyTorch's cross-entropy computes it."""
    m = max(z.value for z in zs)
    total = Node(0.0)
    for z in zs:
        total = total + (z - m).exp()
    lse = total.log() + m
    return [z - lse for z in zs]


def _exp(z: float) -> float:
    try:
        return math.exp(z)
    except OverflowError:
        return math.inf


def local_slope(name: str, z: float, leak: float = 0.01) -> float:
    """da/dz of an activation, by the textbook formulas."""
    if name == "leaky_relu":
        return 1.0 if z > 0 else leak
    if name == "sigmoid":
        a = 1.0 / (1.0 + math.exp(-z))
        return a * (1.0 - a)
    if name == "tanh":
        return 1.0 - math.tanh(z) ** 2
    if name == "relu":
        return 1.0 if z > 0 else 0.0
    return 1.0


def _forward(layers, x):
    """Nodes of every layer's parameters, net inputs and activations for one input."""
    weights = [[[Node(w) for w in row] for row in W] for _, W, _, *_ in layers]
    biases = [None if b is None else [Node(v) for v in b] for _, _, b, *_ in layers]
    acts = [Node(v) for v in x]
    zs_all, as_all = [], []
    for l, (name, W, _, *leak) in enumerate(layers, start=1):
        zs = []
        for j in range(len(W)):
            z = Node(0.0)
            for i, a_prev in enumerate(acts):
                z = z + weights[l - 1][j][i] * a_prev
            if biases[l - 1] is not None:
                z = z + biases[l - 1][j]
            zs.append(z)
        as_ = softmax(zs) if name == "softmax" else [z.apply(name, *leak) for z in zs]
        zs_all.append(zs)
        as_all.append(as_)
        acts = as_
    return weights, biases, zs_all, as_all


def _terms(loss, output_activation, zs, outputs, y):
    """Each output's loss term as a node. Cross-entropy on a softmax is taken from the net inputs
    (log-softmax), as PyTorch does; every other loss from the outputs."""
    if loss == "cross_entropy":
        logs = log_softmax(zs) if output_activation == "softmax" else [o.log() for o in outputs]
        return [(-t) * log if t else Node(0.0) for log, t in zip(logs, y, strict=True)]
    if loss == "binary_cross_entropy":
        terms = []
        for o, t in zip(outputs, y, strict=True):
            term = Node(0.0)
            if t:
                term = term + (-t) * o.log()
            if 1 - t:
                term = term + (-(1 - t)) * (1.0 - o).log()
            terms.append(term)
        return terms
    scale = 0.5 if loss == "half_squared_error" else 1.0
    return [scale * (Node(t) - o).square() for o, t in zip(outputs, y, strict=True)]


def _loss(terms):
    total = Node(0.0)
    for term in terms:
        total = total + term
    return total


def sample_pass(layers, loss, x, y):
    """Forward and backward for one sample. `layers`: [(activation, W rows, b or None[, leak])].

    Returns a dict keyed by the trace's quantity ids (z, a, exp, expsum, E[k], E, dE/da, da/dz,
    delta, dE/dW, dE/db) with plain floats.
    """
    weights, biases, zs_all, as_all = _forward(layers, x)
    out: dict[str, float] = {}
    L = len(layers)
    output_activation = layers[-1][0]
    if output_activation == "softmax":
        # A softmax's Jacobian, each row by differentiating one output.
        for j, o in enumerate(as_all[-1], start=1):
            o.backward()
            for k, z in enumerate(zs_all[-1], start=1):
                out[f"da/dz[{L}][{j}][{k}]"] = z.grad
        exps = [_exp(z.value) for z in zs_all[-1]]
        for k, e in enumerate(exps, start=1):
            out[f"exp[{L}][{k}]"] = e
        out[f"expsum[{L}]"] = sum(exps)
    terms = _terms(loss, output_activation, zs_all[-1], as_all[-1], y)
    total = _loss(terms)
    total.backward()
    for l, (name, W, b, *leak) in enumerate(layers, start=1):
        for j in range(len(W)):
            z, a = zs_all[l - 1][j], as_all[l - 1][j]
            out[f"z[{l}][{j + 1}]"] = z.value
            out[f"a[{l}][{j + 1}]"] = a.value
            out[f"dE/da[{l}][{j + 1}]"] = a.grad
            if name != "softmax":
                out[f"da/dz[{l}][{j + 1}]"] = local_slope(name, z.value, *leak)
            out[f"delta[{l}][{j + 1}]"] = z.grad
            for i in range(len(W[j])):
                out[f"dE/dW[{l}][{j + 1}][{i + 1}]"] = weights[l - 1][j][i].grad
            if b is not None:
                out[f"dE/db[{l}][{j + 1}]"] = biases[l - 1][j].grad
    for k, term in enumerate(terms, start=1):
        out[f"E[{k}]"] = term.value
    out["E"] = total.value
    return out


def batch_loss(layers, loss, samples, reduction: str = "mean") -> float:
    """Mean (or sum) over samples of the per-sample loss (for finite differences)."""
    total = 0.0
    for x, y in samples:
        _, _, zs_all, as_all = _forward(layers, x)
        total += _loss(_terms(loss, layers[-1][0], zs_all[-1], as_all[-1], y)).value
    return total / len(samples) if reduction == "mean" else total
