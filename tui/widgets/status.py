"""The status line: where in the run we are, and a phase strip with a progress bar."""

from __future__ import annotations

from backprop_stepper.core.quantities import PHASES
from backprop_stepper.core.trace import Event, Trace

from .lines import LineView
from .runs import Line, plain, role_classes

BAR_WIDTH = 16


def _fit(line: Line, width: int) -> Line:
    """Cut a line to `width` cells, ending with an ellipsis if anything was cut."""
    if sum(len(text) for text, _ in line) <= width:
        return line
    out: Line = []
    room = width - 1
    for text, role in line:
        if room <= 0:
            break
        out.append((text[:room], role))
        room -= len(text[:room])
    out.append(("…", ""))
    return out


def _phases(event: Event, spacing: int) -> Line:
    """The four phases, the current one marked, `spacing` cells around each name."""
    pad = " " * spacing
    return [(f"{pad[1:]}▶{phase.value.upper()}{pad[2:]} ", "current") if phase is event.phase
            else (f"{pad}{phase.value}{pad}", "muted") for phase in PHASES]


def events_text(indices, total: int) -> str:
    """ "event 3/39" for one event; "events 1, 3/39" or "events 24–25, 29–30/39" for a block of the
    matrix view (its events interleave with other blocks'); many pieces: "events 1–19 (10)/39"."""
    numbers = sorted(i + 1 for i in indices)
    if len(numbers) == 1:
        return f"event {numbers[0]:,}/{total:,}"
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    if len(runs) > 3:
        return f"events {numbers[0]:,}–{numbers[-1]:,} ({len(numbers):,})/{total:,}"
    pieces = [f"{a:,}" if a == b else f"{a:,}–{b:,}" for a, b in runs]
    return f"events {', '.join(pieces)}/{total:,}"


def _strip(event: Event, done: float, flags: str, width: int) -> Line | None:
    """The phases, the progress bar and the flags in `width` cells, the phases and the bar
    shortened as far as needed (the bar goes, then the other phases' names); None if the flags
    do not fit even so."""
    flags_text = f"  {flags}" if flags else ""
    percent = f" {done:4.0%}"
    current = [(f"▶{event.phase.value.upper()} ", "current")]
    for phases, with_bar in ((_phases(event, 2), True), (_phases(event, 1), True), (_phases(event, 1), False),
                             (current, False)):
        room = width - sum(len(text) for text, _ in phases) - len(flags_text) - len(percent) - 2
        if room >= (4 if with_bar else 0):
            bar = min(BAR_WIDTH, room) if with_bar else 0
            filled = round(done * bar)
            line = phases + [("  ", ""), ("█" * filled, "read"), ("░" * (bar - filled), "muted"),
                             (percent if bar else percent.lstrip(), "")]
            return line + [(flags_text, "bold")] if flags else line
    return None


class StatusBar(LineView, can_focus=False):
    COMPONENT_CLASSES = role_classes("current", "read", "bold")
    padding_x = 1

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._lines: list[Line] = [[], []]

    @property
    def plain(self) -> str:
        return "\n".join(plain(line) for line in self._lines)

    def line(self, row: int) -> Line:
        return _fit(self._lines[row], self.inner_width)

    def on_resize(self) -> None:
        super().on_resize()
        self.invalidate_all()

    def show(self, trace: Trace, event: Event, flags: str = "", events=None) -> None:
        """`events`: the indices of a matrix-view block, named instead of the one event."""
        scenario = trace.scenario
        n = len(scenario.samples)
        # A batch-level event (average, update) of a one-sample run is still about that sample.
        sample = f"{event.sample or 1}/{n}" if event.sample is not None or n == 1 else "batch"
        # Counters first: a narrow terminal cuts the title, never the position.
        counters: Line = [
            (events_text(events or (event.index,), len(trace)), "bold"),
            (f" · iteration {event.iteration:,}/{trace.iterations:,} · sample {sample}  │  ", ""),
            (scenario.title, "bold"),
        ]
        done = (event.index + 1) / len(trace)
        # The flags (the predict score, autoplay and its speed, the modes) matter more than the
        # bar and the other phases' names, which give way to them; flags that still do not fit
        # take the title's place on the first line. They break only between their parts.
        pieces = flags.split(" · ") if flags else []
        moved: list[str] = []
        strip = _strip(event, done, " · ".join(pieces), self.inner_width)
        while strip is None and len(pieces) > 1 and self.inner_width:  # (0: not laid out yet)
            moved.insert(0, pieces.pop())
            strip = _strip(event, done, " · ".join(pieces), self.inner_width)
        if strip is None:  # not laid out yet, or one piece too long for any layout: cut (see line())
            strip = _strip(event, done, " · ".join(pieces), 1000)
        if moved:
            counters[-1] = (" · ".join(moved), "bold")
        changed = [row for row, new in enumerate((counters, strip)) if new != self._lines[row]]
        self._lines = [counters, strip]
        self.set_content_size(max(self.inner_width, 1), 2)
        self.invalidate(changed)
