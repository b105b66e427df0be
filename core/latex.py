"""The documents' Unicode notation as LaTeX, for the Markdown export.

A formula is split into symbols, numbers and operators; each symbol is converted on its own:

    net_h₁        → \\mathrm{net}_{h1}          (as document 002 writes \\text{net}_{h1})
    ∂E/∂w₅        → \\frac{\\partial E}{\\partial w_{5}}
    w⁽²⁾₁,₂        → w^{(2)}_{1,2}
    E_total       → E_{\\mathrm{total}}
    ½(t₁ − o₁)²   → \\tfrac{1}{2}(t_{1} - o_{1})^{2}
"""

from __future__ import annotations

import re
from functools import lru_cache

from .numbers import latex_number

_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉ₛ", "0123456789s", strict=True))
_SUP = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹ˢ⁻", "0123456789s-", strict=True))
_GREEK = {"σ": r"\sigma", "η": r"\eta", "α": r"\alpha", "δ": r"\delta", "Σ": r"\sum", "θ": r"\theta",
          "λ": r"\lambda", "μ": r"\mu", "ε": r"\varepsilon"}
_WORDS = {"tanh": r"\tanh", "max": r"\max", "if": r"\text{ if }", "else": r"\text{ else }", "ReLU": r"\mathrm{ReLU}"}
_OPERATORS = {"·": r" \cdot ", "×": r" \times ", "−": "-", "←": r" \leftarrow ", "⊙": r" \odot ",
              "→": r" \to ", "≤": r" \le ", "∞": r"\infty", "…": r"\dots", "′": "'", "ᵀ": "^{T}"}

_SYMBOL_START = "A-Za-zŷ∂" + "".join(_GREEK)
_CONTINUE = rf"A-Za-z0-9ŷ_/∂{''.join(_GREEK)}{''.join(_SUB)}{''.join(_SUP)}⁽⁾"
_SYMBOL = re.compile(rf"[{_SYMBOL_START}][{_CONTINUE}]*(?:,[{''.join(_SUB)}]+[{_CONTINUE}]*)*")
_NUMBER = re.compile(r"−?\d+(?:\.\d+)?(?:×10[⁻⁰¹²³⁴⁵⁶⁷⁸⁹]+)?")


def _base(text: str) -> str:
    if text in _GREEK:
        return _GREEK[text]
    if text == "ŷ":
        return r"\hat{y}"
    if text in _WORDS:
        return _WORDS[text]
    return text if len(text) == 1 else rf"\mathrm{{{text}}}"


@lru_cache(maxsize=65_536)  # a network has a few thousand symbols; the Markdown export asks again and again
def symbol_latex(symbol: str) -> str:
    """One document symbol → LaTeX."""
    # A superscript after a subscript belongs to the whole symbol: ∂E/∂w₅⁽ˢ⁾ (sample s), a₁² (a square).
    outer = re.search(rf"(?<=[{''.join(_SUB)}])(⁽[{''.join(_SUP)}]+⁾|[{''.join(_SUP)}]+)$", symbol)
    if outer:
        power = "".join(_SUP.get(c, c) for c in outer.group(1)).replace("⁽", "(").replace("⁾", ")")
        return "{" + symbol_latex(symbol[: outer.start()]) + "}^{" + power + "}"
    if symbol.startswith("∂") and "/∂" in symbol:
        top, bottom = symbol[1:].split("/∂", 1)
        return rf"\frac{{\partial {symbol_latex(top)}}}{{\partial {symbol_latex(bottom)}}}"
    m = re.match(rf"([^_⁽{''.join(_SUB)}{''.join(_SUP)}]+)(.*)$", symbol)
    if not m:
        return symbol
    base, rest = m.groups()
    latex = _base(base)
    superscript = re.match(rf"⁽([{''.join(_SUP)}]+)⁾", rest)
    if superscript:
        latex += "^{(" + "".join(_SUP[c] for c in superscript.group(1)) + ")}"
        rest = rest[superscript.end():]
    elif rest and rest[0] in _SUP and rest[0] != "⁻":
        run = re.match(rf"[{''.join(_SUP)}]+", rest).group(0)
        latex += "^{" + "".join(_SUP[c] for c in run) + "}"
        rest = rest[len(run):]
    if rest.startswith("_"):  # an explicit subscript: net_h₁ → net_{h1}, E_total → E_{total}
        inner = "".join(_SUB.get(c, c) for c in rest[1:])
        inner = rf"\mathrm{{{inner}}}" if inner.isalpha() and len(inner) > 1 else inner
        latex += "_{" + inner + "}"
    elif rest:
        latex += "_{" + "".join(_SUB.get(c, c) for c in rest) + "}"
    return latex


def to_latex(text: str) -> str:
    """A formula as the trace writes it → a LaTeX math expression."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text.startswith("(1/", i) and (m := re.match(r"\(1/(\d+)\)", text[i:])):
            out.append(rf"\tfrac{{1}}{{{m.group(1)}}}")
            i += m.end()
            continue
        if text.startswith("e^", i):
            m = re.match(r"e\^(\(?[^()\s]*\)?|\([^()]*\))", text[i:])
            exponent = m.group(1).strip("()")
            out.append("e^{" + to_latex(exponent) + "}")
            i += m.end()
            continue
        char = text[i]
        if char == "½":
            out.append(r"\tfrac{1}{2}")
        elif char == "²":
            out.append("^{2}")
        elif char == "Σ" and i + 1 < len(text) and text[i + 1] in _SUB:
            out.append(r"\sum_{" + _SUB[text[i + 1]] + "}")
            i += 2
            continue
        elif (m := _NUMBER.match(text, i)) and (i == 0 or not text[i - 1].isalpha()):
            out.append(latex_number(m.group(0)))
            i = m.end()
            continue
        elif (m := _SYMBOL.match(text, i)):
            word = m.group(0)
            if word in _WORDS:
                out.append(_WORDS[word])
            elif word.startswith("∂") and "/∂" not in word:
                out.append(r"\partial " + symbol_latex(word[1:]))
            else:
                out.append(symbol_latex(word))
            i = m.end()
            continue
        else:
            out.append(_OPERATORS.get(char, char))
        i += 1
    return re.sub(r" +", " ", "".join(out)).strip()
