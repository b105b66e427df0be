"""How numbers are written: the one place that knows NaN, ±∞, the minus sign and the exponent.

Every computed value, in a formula, on screen, in the Markdown export and in the command line's
reports, is written by a function of this module, and all of them agree on one set of rules:

- NaN is "NaN", infinities "∞" and "−∞" (no "+"), whatever the precision;
- zero is "0", whichever its sign (−0.0 is float64's, not the reader's);
- negative numbers carry a true minus sign "−", and exponents are written ×10ⁿ, as the documents do.

The variants differ only in precision and room: `number` (a value, `digits` significant digits;
`fmt` is its six-digit form inside formulas), `term` (a factor or addend, in parentheses when
negative), `exact` (the exact value; `result` adds why it is not finite), `cell` (the value
table), `scientific` (always with an exponent: differences, relative errors), `fixed` (a count of
decimals, as a document printed), `short` (8 characters and a sign, for the diagram and the
matrices: there the exponent is written e−n, as ×10ⁿ does not fit), `latex` (the Markdown export's
math) and `plain` (ASCII for the command line's text reports and JSON: "nan", "inf", "-inf", as
Python reads them).
"""

from __future__ import annotations

import math

import numpy as np

MINUS = "−"
_SUP = str.maketrans("0123456789-", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻")
_FROM_SUP = str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")
EXACT_DIGITS, CELL_DIGITS = 10, 8


def special(value: float) -> str | None:
    """NaN, ∞ or −∞ as every writer writes them; None for a finite number."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "∞" if value > 0 else MINUS + "∞"
    return None


def true_minus(text: str) -> str:
    """A number's text (a document's printed value, say) with a true minus sign."""
    return text.replace("-", MINUS)


def number(value: float, digits: int = 6) -> str:
    """`digits` significant digits, a true minus sign, and ×10ⁿ instead of e-notation."""
    text = special(value)
    if text is not None:
        return text
    if value == 0:
        return "0"
    text = f"{value:.{digits}g}"
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}×10{str(int(exponent)).translate(_SUP)}"
    return true_minus(text)


def fmt(value: float, digits: int = 6) -> str:
    """A number inside a substituted formula: six significant digits (see `number`)."""
    return number(value, digits)


def term(value: float, digits: int = 6) -> str:
    """A number as a factor or addend: negative numbers in parentheses, as the documents write."""
    text = number(value, digits)
    return f"({text})" if text.startswith(MINUS) else text


def exact(value: float) -> str:
    """The exact value as a reader needs it: 10 significant digits."""
    return number(value, EXACT_DIGITS)


def result(value: float) -> str:
    """An event's exact result, saying why it is not finite."""
    text = exact(value)
    if math.isnan(value):
        return f"{text} (not a number: the run has diverged)"
    if math.isinf(value):
        return f"{text} (overflow: the run has diverged)"
    return text


def cell(value: float | None) -> str:
    """A value for the value table: 8 significant digits, or a dot while unknown."""
    return "·" if value is None else number(value, CELL_DIGITS)


def scientific(value: float, decimals: int) -> str:
    """Always with an exponent, `decimals` after the point: differences and relative errors."""
    text = special(value)
    if text is not None:
        return text
    if value == 0:
        return "0"
    mantissa, exponent = f"{value:.{decimals}e}".split("e")
    return true_minus(f"{mantissa}×10{str(int(exponent)).translate(_SUP)}")


def fixed(value: float, decimals: int) -> str:
    """A number with a fixed count of decimals (as a document printed it)."""
    text = special(value)
    return text if text is not None else true_minus(f"{value:.{decimals}f}")


def short(value: float | None) -> str:
    """A value in 8 characters (and a sign), for the diagram: 4 decimals from 0.001 to 999.9999, 3 to 9999.999,
    else 3 significant digits and an exponent written e−n (×10ⁿ would not fit)."""
    if value is None:
        return "·"
    text = special(value)
    if text is not None:
        return text
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    if 1e-3 <= magnitude < 1e4:
        for decimals in (4, 3):  # 1000 and up keep 3 decimals, so the label stays 8 wide
            text = fixed(value, decimals)
            if len(text.lstrip("−")) <= 8:
                return text
    mantissa, exponent = f"{value:.2e}".split("e")
    return true_minus(f"{mantissa}e{int(exponent)}")


def latex(value: float, digits: int = EXACT_DIGITS) -> str:
    """The number as LaTeX math (see `latex_number`)."""
    return latex_number(number(value, digits))


def latex_number(text: str) -> str:
    """A number as `number` writes it ("−1.5×10⁻¹²", "∞", "NaN"), in LaTeX: a formula's numbers
    and a result alike."""
    if text == "NaN":
        return r"\text{NaN}"
    text = text.replace("∞", r"\infty").replace(MINUS, "-")
    if "×10" in text:
        mantissa, exponent = text.split("×10")
        text = mantissa + r" \times 10^{" + exponent.translate(_FROM_SUP) + "}"
    return text


def plain(value: float, digits: int = EXACT_DIGITS) -> str:
    """ASCII, as Python and JSON tools read it back: "-0.5", "1e-12", "nan", "inf", "-inf"."""
    if math.isnan(value):
        return "nan"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return f"{value:.{digits}g}"


def fmt_all(values: np.ndarray) -> list[str]:
    """``[fmt(v) for v in values]``, several times faster. Any value in [1.1×10⁻⁴, 9.99×10⁵) in
    magnitude is written by ``%.6g`` without an exponent and is not zero, so one format and a
    true minus sign (one replace over all of them) is its fmt; zeros are "0", and every other
    value (an exponent, NaN, ±∞) goes through fmt itself."""
    if not len(values):
        return []
    joined = "\x01".join([f"{v:.6g}" for v in values.tolist()])
    texts = true_minus(joined).split("\x01")
    magnitude = np.abs(values)
    with np.errstate(invalid="ignore"):
        plain_range = (magnitude >= 1.1e-4) & (magnitude < 9.99e5)  # False for NaN
    for k in np.flatnonzero(~plain_range & (values != 0)).tolist():
        texts[k] = fmt(float(values[k]))
    for k in np.flatnonzero(values == 0).tolist():  # many, in a ReLU network; −0 too
        texts[k] = "0"
    return texts


def terms_of(texts: list[str]) -> list[str]:
    """``term`` of each number whose ``fmt`` is given."""
    return [f"({text})" if text[0] == MINUS else text for text in texts]


def relu_verdict(value: float) -> str:
    """What ReLU's slope is at a net input, as the substitution writes it."""
    return "> 0 → 1" if value > 0 else "≤ 0 → 0"
