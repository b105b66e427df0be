"""Loss functions: per-output terms and the derivative of the total with respect to each output.

half_squared_error    E = Σₖ ½(tₖ − oₖ)²                           ∂E/∂oₖ = oₖ − tₖ      (the ½ cancels the 2)
squared_error         L = Σₖ (ŷₖ − yₖ)²                            ∂L/∂ŷₖ = 2(ŷₖ − yₖ)
cross_entropy         E = −Σₖ tₖ ln oₖ                             ∂E/∂oₖ = −tₖ / oₖ
binary_cross_entropy  E = −Σₖ [tₖ ln oₖ + (1 − tₖ) ln(1 − oₖ)]      ∂E/∂oₖ = (oₖ − tₖ) / (oₖ(1 − oₖ))
Over a batch of n samples the loss is the mean (or, with batch_reduction = "sum", the sum) of
the per-sample losses.
"""

from __future__ import annotations

import numpy as np

from .activations import log_outputs

_SCALE = {"half_squared_error": 0.5, "squared_error": 1.0}
CROSS_ENTROPIES = ("cross_entropy", "binary_cross_entropy")


def _times(t: np.ndarray, log: np.ndarray) -> np.ndarray:
    # A target of 0 contributes nothing, even where ln gives −∞ (0 · ln 0 is taken as 0).
    return np.where(t == 0, 0.0, t * log)


def loss_terms(name: str, output: np.ndarray, target: np.ndarray, net: np.ndarray | None = None,
               activation: str = "") -> np.ndarray:
    """Each output's loss term, by the loss's name. Cross-entropies take their logarithms from
    the net inputs `net` of the output layer when given (see activations.log_outputs)."""
    if name in CROSS_ENTROPIES:
        if net is None:
            log_o, log_not_o = np.log(output), np.log1p(-output)
        else:
            log_o, log_not_o = log_outputs(activation, net, output)
        terms = 0.0 - _times(target, log_o)  # 0.0 − keeps a zero term +0, not −0
        if name == "binary_cross_entropy":
            terms = terms - _times(1.0 - target, log_not_o)
        return terms
    return _SCALE[name] * (target - output) ** 2


def output_error(name: str, output: np.ndarray, target: np.ndarray) -> np.ndarray:
    """∂E/∂o of each output: the slope of the loss at the output."""
    if name == "cross_entropy":
        return np.where(target == 0, 0.0, -target / output)
    if name == "binary_cross_entropy":
        return (output - target) / (output * (1.0 - output))
    return 2.0 * _SCALE[name] * (output - target)
