"""How numbers are written inside substituted formulas (the exact value travels separately)."""

from __future__ import annotations

import math

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
