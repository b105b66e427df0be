"""The rules of the backward pass and the update, each written once.

The training applies them to a step's arrays (one row per sample); the predict mode applies the
same functions to one event's read values, to carry an earlier slip on to later quantities.
"""

from __future__ import annotations

import numpy as np


def backpropagated_sum(deltas: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """∂E/∂aⱼ of a hidden neuron: Σₖ δₖ·w_kj over the next layer (`weights` is that layer's)."""
    return deltas @ weights


def error_signal(de_da: np.ndarray, da_dz: np.ndarray) -> np.ndarray:
    """δ = ∂E/∂a · ∂a/∂z."""
    return de_da * da_dz


def weight_gradients(deltas: np.ndarray, sources: np.ndarray) -> np.ndarray:
    """∂E/∂w_ji = δⱼ·aᵢ for every pair, per sample: (samples, j) and (samples, i) → (samples, j, i)."""
    return deltas[:, :, None] * sources[:, None, :]


def batch_mean(per_sample: np.ndarray) -> np.ndarray:
    """The mean over a batch's samples (axis 0): ``per_sample.mean(axis=0)``, bit for bit (numpy's
    mean is this sum and division), without the Python-level bookkeeping of ndarray.mean, which
    costs more than the arithmetic on arrays this small."""
    return np.add.reduce(per_sample, axis=0) / len(per_sample)


def updated(parameter, gradient, learning_rate: float):
    """A parameter after one step of gradient descent: θ − η·∂E/∂θ."""
    return parameter - learning_rate * gradient
