"""Vector equations laid out as text: bracketed matrices side by side, labels above.

    W⁽¹⁾            x          z⁽¹⁾
    ⎡0.1500 0.2000⎤ ⎡0.0500⎤   ⎡0.0275⎤
    ⎣0.2500 0.3000⎦·⎣0.1000⎦ = ⎣0.0425⎦

Formatting only: the numbers come from core.matrix.
"""

from __future__ import annotations

from backprop_stepper.core.matrix import Part, Term

from ..diagram_layout import short
from .runs import Line

MAX_ROWS, MAX_COLUMNS = 12, 10  # larger matrices are shown with an ellipsis


def _block(term: Term, role: str) -> list[tuple[str, str]]:
    values = term.values
    rows, cols = values.shape
    shown_rows = list(range(rows)) if rows <= MAX_ROWS else [*range(MAX_ROWS - 2), -1, rows - 1]
    shown_cols = list(range(cols)) if cols <= MAX_COLUMNS else [*range(MAX_COLUMNS - 2), -1, cols - 1]
    cells = [[("⋯" if c < 0 or r < 0 else short(float(values[r, c]))) for c in shown_cols] for r in shown_rows]
    width = max(len(cell) for row in cells for cell in row)
    body = [" ".join(cell.rjust(width) for cell in row) for row in cells]
    n = len(body)
    if n == 1:
        framed = [f"[{body[0]}]"]
    else:
        framed = [("⎡" if k == 0 else "⎣" if k == n - 1 else "⎢") + line
                  + ("⎤" if k == 0 else "⎦" if k == n - 1 else "⎥")
                  for k, line in enumerate(body)]
    label = term.label.center(len(framed[0]))
    return [(label, "bold"), *[(line, role) for line in framed]]


def equation_lines(parts: tuple[Part, ...]) -> list[Line]:
    """One substituted equation as lines of runs; the result (after "=") is emphasised."""
    blocks: list[list[tuple[str, str]]] = []
    after_equals = False
    for part in parts:
        if isinstance(part, Term):
            blocks.append(_block(part, "current" if after_equals else ""))
        else:
            after_equals = after_equals or part == "="
            blocks.append([(f" {part} ", "bold")])
    height = max(len(block) for block in blocks)
    middle = 1 + (height - 1) // 2  # operators sit beside the middle row of the matrices
    lines: list[Line] = [[] for _ in range(height)]
    for block in blocks:
        width = max(len(text) for text, _ in block)
        if len(block) == 1:  # an operator
            for y in range(height):
                lines[y].append((block[0][0] if y == middle else " " * width, block[0][1] if y == middle else ""))
            continue
        top = 0  # labels on the first line, matrices below, top-aligned
        for y in range(height):
            k = y - top
            text, role = block[k] if 0 <= k < len(block) else (" " * width, "")
            lines[y].append((text.ljust(width), role))
    return lines


def block_lines(title: str, formula: str, equations: tuple[tuple[Part, ...], ...], phase: str) -> list[Line]:
    lines: list[Line] = [[(f" {phase.upper()} ", "current"), (f" {title} (matrix view)", "bold")],
                         [("  ", ""), (formula, "bold")]]
    for parts in equations:
        lines.append([])
        lines += [[("  ", "")] + line for line in equation_lines(parts)]
    return lines

