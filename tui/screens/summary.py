"""The end of a predict-then-reveal session: the score per phase as a table, saved as a Markdown
report on request."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from backprop_stepper.core.predict import PredictSession

from ..saving import folder


class SummaryScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q", "dismiss", "Close"), Binding("s", "save", "Save report")]

    def __init__(self, session: PredictSession, title: str, stem: str) -> None:
        super().__init__()
        self.session = session
        self.title_text = title
        self.report = session.report(title)  # what `s` saves: the same numbers, as Markdown
        self.stem = stem
        self.saved: Path | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="summary-body"):
            yield Static(Content.styled(f"Predict-then-reveal: {self.title_text}", "bold"), id="summary-title")
            table = DataTable(id="summary-table", cursor_type="none", show_cursor=False, zebra_stripes=True)
            # Short headings: the table fits an 80-column terminal.
            table.add_columns("phase", "asked", "first try", "after hints", "revealed", "answers")
            for label, score in self.session.rows():
                values = (score.asked, score.first, score.hinted, score.revealed, score.answers)
                style = "bold" if label == "all" else ""
                table.add_row(Text(label, style=style), *(Text(str(v), style=style, justify="right") for v in values),
                              key=label)
            yield table
            lines = []
            if self.session.slips_seen:
                lines.append(Content.styled("Classic slips spotted:", "bold"))
                lines += [Content(f"• {symbol}: {slip}") for symbol, slip in self.session.slips_seen]
            lines.append(Content.styled(f"Tolerance: relative {self.session.tolerance:g}.", "$text-muted"))
            yield Static(Content("\n").join(lines), id="summary-notes")
            hint = f"s saves this report (Markdown, a new file in {folder()}); Esc closes."
            yield Static(Content.styled(hint, "$text-muted"), id="summary-hint")

    def action_save(self) -> None:
        from ..saving import write_new

        try:
            path = write_new(f"{self.stem}.predict-report", ".md", lambda out: out.write(self.report))
        except OSError as error:
            self.notify(f"Could not write {error.filename or ''}: {error.strerror}", severity="error")
            return
        self.saved = path
        self.notify(f"Saved {path}", timeout=5)
