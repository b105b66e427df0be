"""The stepper's logic without Textual: navigation, autoplay's timing, the file on show and the
teaching modes (predict, why, breakpoints, compare, matrix), each a small object of its own.
A command changes the Stepper; `Stepper.view()` is what the app renders."""

from .stepper import Stepper
from .view import Notice, View

__all__ = ["Notice", "Stepper", "View"]
