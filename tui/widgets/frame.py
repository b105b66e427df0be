"""Layout boxes that paint nothing of their own."""

from textual.containers import Container
from textual.screen import Screen


class Frame(Container):
    """Groups panels for layout (side by side, hidden together). Its children cover it, so it is
    BLANK: Textual skips styling its lines, which it would otherwise do on every repaint of any
    panel inside it. Its background (if any) still shows through padding."""

    BLANK = True


class BlankScreen(Screen):
    """The stepper's screen: the panels and the footer cover it, so it too is BLANK (otherwise its
    forty lines are restyled on every step, since every step repaints across its height)."""

    BLANK = True
