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


def fmt_all(values: list[float]) -> list[str]:
    """``[fmt(v) for v in values]``, faster: the common case (no exponent, not NaN or ±∞, not
    −0) takes one format and one replace; the rest go through fmt itself."""
    texts = [f"{v:.6g}" for v in values]
    return [
        fmt(v) if ("e" in text or "n" in text or text == "-0") else text.replace("-", "−")
        for text, v in zip(texts, values)
    ]


def terms_of(texts: list[str]) -> list[str]:
    """``term`` of each number whose ``fmt`` is given."""
    return [f"({text})" if text[0] == "−" else text for text in texts]


def relu_verdict(value: float) -> str:
    """What ReLU's slope is at a net input, as the substitution writes it."""
    return "> 0 → 1" if value > 0 else "≤ 0 → 0"
