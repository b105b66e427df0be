"""Autoplay's timing: whether it plays, its pace, and whether it pauses at phase boundaries.
The app's timer calls the stepper's `tick` at this pace."""

from __future__ import annotations

SPEEDS = (3.0, 2.0, 1.5, 1.0, 0.7, 0.5, 0.3, 0.2, 0.1, 0.05)  # seconds per step


class Autoplay:
    def __init__(self) -> None:
        self.playing = False
        self.speed = SPEEDS.index(1.0)
        self.phase_stops = False

    @property
    def interval(self) -> float:
        """Seconds between steps."""
        return SPEEDS[self.speed]

    def faster(self, delta: int) -> None:
        """`delta` paces faster (negative: slower), within the fastest and the slowest."""
        self.speed = min(max(self.speed + delta, 0), len(SPEEDS) - 1)

    def flag(self) -> str:
        return f"▶ playing {self.interval:g}s" + (" · stops at phases" if self.phase_stops else "")
