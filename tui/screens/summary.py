"""The end of a predict-then-reveal session: the score per phase, saved as a report on request."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Static

from ..saving import folder


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
            yield Static(Content.styled(f"s saves this report (a new file in {folder()}); Esc closes.",
                                        "$text-muted"), id="summary-hint")

    def action_save(self) -> None:
        from ..saving import write_new

        try:
            path = write_new(f"{self.stem}.predict-report", ".md", lambda out: out.write(self.report))
        except OSError as error:
            self.notify(f"Could not write {error.filename or ''}: {error.strerror}", severity="error")
            return
        self.saved = path
        self.notify(f"Saved {path}", timeout=5)
