"""The answer box of predict mode: shown only while a question is waiting for an answer."""

from __future__ import annotations

from textual.widgets import Input


class AnswerBox(Input):
    """Enter submits the answer; Enter on an empty line asks for a hint (or, after two, the answer)."""

    def __init__(self, **kwargs) -> None:
        super().__init__(placeholder="your answer, e.g. 0.0151 (Enter on empty: a hint)", **kwargs)


def parse_number(text: str) -> float | None:
    """A number as a student types it: "−0.5", "1,5e-3" (comma decimal), "+.25"."""
    cleaned = text.strip().replace("−", "-").replace("×10^", "e").replace(" ", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        return None
