"""One number formatter: every writer (formula, exact value, table cell, diagram label, LaTeX,
plain text) agrees on NaN, the infinities, zero, the minus sign and the exponent."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from backprop_stepper.core.numbers import cell, exact, fixed, fmt, latex, number, plain, result, short, term

NAN, INF = math.nan, math.inf

# value: (number, term, exact, cell, short, latex, plain); a list, as 0.0 and −0.0 are one dict key
EDGES = [
    (NAN, ("NaN", "NaN", "NaN", "NaN", "NaN", r"\text{NaN}", "nan")),
    (INF, ("∞", "∞", "∞", "∞", "∞", r"\infty", "inf")),
    (-INF, ("−∞", "(−∞)", "−∞", "−∞", "−∞", r"-\infty", "-inf")),
    (0.0, ("0", "0", "0", "0", "0", "0", "0")),
    (-0.0, ("0", "0", "0", "0", "0", "0", "-0")),
    (1e-12, ("1×10⁻¹²", "1×10⁻¹²", "1×10⁻¹²", "1×10⁻¹²", "1.00e−12", r"1 \times 10^{-12}", "1e-12")),
    (-1.5e-12, ("−1.5×10⁻¹²", "(−1.5×10⁻¹²)", "−1.5×10⁻¹²", "−1.5×10⁻¹²", "−1.50e−12", r"-1.5 \times 10^{-12}",
               "-1.5e-12")),
    (1e305, ("1×10³⁰⁵", "1×10³⁰⁵", "1×10³⁰⁵", "1×10³⁰⁵", "1.00e305", r"1 \times 10^{305}", "1e+305")),
    (-0.0837589, ("−0.0837589", "(−0.0837589)", "−0.0837589", "−0.0837589", "−0.0838", "-0.0837589", "-0.0837589")),
    (0.015063300917, ("0.0150633", "0.0150633", "0.01506330092", "0.015063301", "0.0151", "0.01506330092",
                     "0.01506330092")),
]


@pytest.mark.parametrize("value, expected", EDGES, ids=[repr(v) for v, _ in EDGES])
def test_every_writer_writes_the_edge_cases_one_way(value, expected):
    written = (fmt(value), term(value), exact(value), cell(value), short(value), latex(value), plain(value))
    assert written == expected


def test_the_exact_result_says_why_it_is_not_finite_and_an_unknown_value_is_a_dot():
    assert result(NAN) == "NaN (not a number: the run has diverged)"
    assert result(INF) == "∞ (overflow: the run has diverged)" and result(-INF) == "−∞ (overflow: the run has diverged)"
    assert result(-0.5) == "−0.5"
    assert cell(None) == short(None) == "·"
    assert fixed(-0.01506, 3) == "−0.015" and fixed(NAN, 3) == "NaN" and fixed(-INF, 2) == "−∞"


finite = st.floats(-1e307, 1e307)  # rounded to one digit, 1.5e308 would read back as ∞


@given(finite, st.integers(1, 12))
@example(1000.0, 1)  # was "1000.0000": 4 decimals made a diagram label 9 wide
@example(-9999.9994, 6)
def test_screen_numbers_have_a_true_minus_and_read_back_as_the_value(value, digits):
    text = number(value, digits)
    assert "-" not in text and "e" not in text and "+" not in text
    mantissa, _, exponent = text.replace("−", "-").partition("×10")
    back = float(f"{mantissa}e{exponent.translate(str.maketrans('⁰¹²³⁴⁵⁶⁷⁸⁹⁻', '0123456789-')) or 0}")
    assert back == pytest.approx(value, rel=10 ** (1 - digits), abs=1e-300)
    assert float(plain(value, digits)) == pytest.approx(value, rel=10 ** (1 - digits), abs=1e-300)
    assert term(value, digits) in (text, f"({text})")
    if value == 0 or 1e-99 < abs(value) < 1e99:  # two-digit exponents: the diagram's columns
        assert len(short(value)) <= (9 if value < 0 else 8)


def test_no_module_writes_its_own_minus_sign():
    """The minus sign, NaN and ∞ are written in core/numbers.py only: a second formatter that
    turns "-" into "−" by itself is the duplication this test keeps out."""
    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"""\.replace\(\s*["']-["']\s*,\s*["']−["']""")
    found = [f"{path.relative_to(root)}:{n}"
             for folder in ("core", "tui") for path in sorted((root / folder).rglob("*.py"))
             if path.name != "numbers.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if pattern.search(line)]
    assert not found, found


def test_the_matrix_view_writes_the_learning_rate_as_the_update_formulas_do():
    from backprop_stepper.core import Trace, parse_scenario
    from backprop_stepper.core.ledger import Ledger
    from backprop_stepper.core.matrix import MatrixView
    from backprop_stepper.core.scaffold import new_scenario

    trace = Trace(parse_scenario(new_scenario([2, 2], "sigmoid", "sigmoid", "squared_error", iterations=1,
                                              learning_rate=0.00001)))
    last = trace[len(trace) - 1]  # an update
    assert f" − {fmt(0.00001)} × " in last.substituted and fmt(0.00001) == "1×10⁻⁵"
    block = MatrixView(Ledger(trace)).block(len(trace) - 1)
    assert fmt(0.00001) in block.parts[0]
