"""Activation functions and their derivatives, vectorised over numpy arrays.

Derivatives take both the net input z and the activation a, because the documents write them in
terms of whichever is natural: σ'(z) = a(1 − a), tanh'(z) = 1 − a², ReLU'(z) = [z > 0].
"""

from __future__ import annotations

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """The logistic sigmoid σ(z) = 1 / (1 + e⁻ᶻ) of each net input."""
    # exp(-|z|) never overflows, and each branch divides by a number in [1, 2].
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _sigmoid_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return a * (1.0 - a)


def _tanh_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return 1.0 - a * a


def relu(z: np.ndarray) -> np.ndarray:
    """ReLU(z) = max(0, z) of each net input."""
    return np.maximum(z, 0.0)


def _relu_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    # The derivative at exactly 0 is taken as 0, the usual convention.
    return (z > 0).astype(np.float64)


def linear(z: np.ndarray) -> np.ndarray:
    """The identity activation: the net input itself, as a float64 copy."""
    return np.array(z, dtype=np.float64, copy=True)


def _linear_slope(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.ones_like(z, dtype=np.float64)


def leaky_relu(z: np.ndarray, leak: float) -> np.ndarray:
    """Leaky ReLU: z where z > 0, leak·z elsewhere."""
    return np.where(z > 0, z, leak * z)


def _leaky_relu_slope(z: np.ndarray, leak: float) -> np.ndarray:
    # As for ReLU, the slope at exactly 0 is the one below it.
    return np.where(z > 0, 1.0, leak)


def softmax(z: np.ndarray) -> np.ndarray:
    """softmax over the last axis, e^{z_k} / Σⱼ e^{z_j}, computed as e^{z_k − m} / Σⱼ e^{z_j − m}
    with m the largest net input: the same number, without overflow (a net input of 1000 gives
    exact outputs where e^1000 is ∞)."""
    shifted = np.exp(z - z.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def log_softmax(z: np.ndarray) -> np.ndarray:
    """ln softmax(z) = z − log Σⱼ e^{z_j}, with the log-sum-exp shifted by the largest net input:
    finite wherever the output is positive in exact arithmetic, even where it rounds to 0."""
    m = z.max(axis=-1, keepdims=True)
    return z - (m + np.log(np.exp(z - m).sum(axis=-1, keepdims=True)))


def log_outputs(name: str, z: np.ndarray, a: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(ln a, ln(1 − a)) of an output layer, from its net inputs where that is stabler: for a
    sigmoid, ln σ(z) = −ln(1 + e^{−z}) and ln(1 − σ(z)) = −ln(1 + e^{z}); for a softmax, the
    log-sum-exp. An output of exactly 0 (or 1) gives −∞, as ln does."""
    if name == "sigmoid":
        return -np.logaddexp(0.0, -z), -np.logaddexp(0.0, z)
    if name == "softmax":
        return log_softmax(z), np.log1p(-a)
    return np.log(a), np.log1p(-a)


FUNCTIONS = {"sigmoid": sigmoid, "tanh": np.tanh, "relu": relu, "linear": linear, "softmax": softmax}
SLOPES = {"sigmoid": _sigmoid_slope, "tanh": _tanh_slope, "relu": _relu_slope, "linear": _linear_slope}


def activate(name: str, z: np.ndarray, leak: float = 0.0) -> np.ndarray:
    """The activation `name` of each net input z (softmax: of each row of net inputs); `leak`
    is leaky ReLU's slope below 0."""
    if name == "leaky_relu":
        return leaky_relu(z, leak)
    return FUNCTIONS[name](z)


def slope(name: str, z: np.ndarray, a: np.ndarray, leak: float = 0.0) -> np.ndarray:
    """da/dz at the given net input z and activation a (element-wise activations only: a
    softmax output depends on every net input, see `softmax_jacobian`)."""
    if name == "leaky_relu":
        return _leaky_relu_slope(z, leak)
    return SLOPES[name](z, a)


def softmax_jacobian(a: np.ndarray) -> np.ndarray:
    """∂a_j/∂z_k = a_j(δ_jk − a_k) of each sample's softmax outputs: shape (samples, j, k)."""
    return a[:, :, None] * (np.eye(a.shape[-1])[None, :, :] - a[:, None, :])
