"""Loss functions: per-output terms and the derivative of the total with respect to each output.

half_squared_error  E = Σₖ ½(tₖ − oₖ)²    ∂E/∂oₖ = oₖ − tₖ      (the ½ cancels the 2)
squared_error       L = Σₖ (ŷₖ − yₖ)²     ∂L/∂ŷₖ = 2(ŷₖ − yₖ)
Over a batch of n samples the loss is the mean of the per-sample losses.
"""

from __future__ import annotations

import numpy as np

_SCALE = {"half_squared_error": 0.5, "squared_error": 1.0}


def loss_terms(name: str, output: np.ndarray, target: np.ndarray) -> np.ndarray:
    """Each output's loss term: ½(t − o)² or (t − o)², by the loss's name."""
    return _SCALE[name] * (target - output) ** 2


def output_error(name: str, output: np.ndarray, target: np.ndarray) -> np.ndarray:
    """∂E/∂o of each output: the slope of the loss at the output."""
    return 2.0 * _SCALE[name] * (output - target)
