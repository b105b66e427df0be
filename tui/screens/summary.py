"""The end of a predict-then-reveal session: the score per phase, saved as a report on request."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static


class SummaryScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q", "dismiss", "Close"), Binding("s", "save", "Save report")]

    def __init__(self, report: str, stem: str) -> None:
        super().__init__()
        self.report = report
        self.stem = stem
        self.saved: Path | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="summary-body"):
            yield Static(Content(self.report), id="summary-report")
            yield Static(Content.styled("s saves this report (a new file in the current folder); Esc closes.",
                                        "$text-muted"), id="summary-hint")

    def action_save(self) -> None:
        path = Path.cwd() / f"{self.stem}.predict-report.md"
        n = 1
        while path.exists():  # never replace a file
            path = Path.cwd() / f"{self.stem}.predict-report-{n}.md"
            n += 1
        try:
            path.write_text(self.report, encoding="utf-8")
        except OSError as error:
            self.notify(f"Could not write {path}: {error.strerror}", severity="error")
            return
        self.saved = path
        self.notify(f"Saved {path}", timeout=5)
