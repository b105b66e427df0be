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


FUNCTIONS = {"sigmoid": sigmoid, "tanh": np.tanh, "relu": relu, "linear": linear}
SLOPES = {"sigmoid": _sigmoid_slope, "tanh": _tanh_slope, "relu": _relu_slope, "linear": _linear_slope}


def activate(name: str, z: np.ndarray) -> np.ndarray:
    """The activation `name` ("sigmoid", "tanh", "relu" or "linear") of each net input z."""
    return FUNCTIONS[name](z)


def slope(name: str, z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """da/dz at the given net input z and activation a."""
    return SLOPES[name](z, a)
