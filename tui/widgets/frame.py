"""Layout boxes that paint nothing of their own."""

from textual.containers import Container


class Frame(Container):
    """Groups panels for layout (side by side, hidden together). app.tcss makes frames
    `visibility: hidden` (their panels visible), so Textual's compositor leaves them out: their
    children cover them, or the screen shows through in the same colour."""
