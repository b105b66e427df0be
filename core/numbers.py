"""How numbers are written inside substituted formulas (the exact value travels separately)."""

from __future__ import annotations

import math

import numpy as np

_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")


def fmt(value: float, digits: int = 6) -> str:
    """Six significant digits, a true minus sign, and ×10ⁿ instead of e-notation."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else "−∞"
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}×10{str(int(exponent)).translate(_SUP)}"
    return text.replace("-", "−")


def term(value: float) -> str:
    """A number as a factor or addend: negative numbers in parentheses, as the documents write."""
    text = fmt(value)
    return f"({text})" if text.startswith("−") else text


def fmt_all(values: np.ndarray) -> list[str]:
    """``[fmt(v) for v in values]``, several times faster. Any value in [1.1×10⁻⁴, 9.99×10⁵) in
    magnitude is written by ``%.6g`` without an exponent and is not zero, so one format and a
    true minus sign (one replace over all of them) is its fmt; zeros are "0", and every other
    value (an exponent, NaN, ±∞) goes through fmt itself."""
    if not len(values):
        return []
    joined = "\x01".join([f"{v:.6g}" for v in values.tolist()])
    texts = joined.replace("-", "−").split("\x01")
    magnitude = np.abs(values)
    with np.errstate(invalid="ignore"):
        plain = (magnitude >= 1.1e-4) & (magnitude < 9.99e5)  # False for NaN
    for k in np.flatnonzero(~plain & (values != 0)).tolist():
        texts[k] = fmt(float(values[k]))
    for k in np.flatnonzero(values == 0).tolist():  # many, in a ReLU network; −0 too
        texts[k] = "0"
    return texts


def terms_of(texts: list[str]) -> list[str]:
    """``term`` of each number whose ``fmt`` is given."""
    return [f"({text})" if text[0] == "−" else text for text in texts]


def relu_verdict(value: float) -> str:
    """What ReLU's slope is at a net input, as the substitution writes it."""
    return "> 0 → 1" if value > 0 else "≤ 0 → 0"
