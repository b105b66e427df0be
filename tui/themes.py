"""High-contrast lecture themes: readable from the back of a hall and through a video call.

Pure black or white backgrounds, saturated accents, and marks that are reverse video: the current
item stays visible even when a projector washes colours out.
"""

from __future__ import annotations

from textual.theme import Theme

LECTURE_DARK = Theme(
    name="lecture-dark",
    primary="#00D7FF",
    secondary="#FFFFFF",
    accent="#FFD700",
    warning="#FFD700",
    error="#FF5F5F",
    success="#5FFF5F",
    foreground="#FFFFFF",
    background="#000000",
    surface="#000000",
    panel="#1C1C1C",
    boost="#303030",
    dark=True,
    luminosity_spread=0.2,
    variables={"text-muted": "#D0D0D0", "footer-background": "#1C1C1C"},
)

LECTURE_LIGHT = Theme(
    name="lecture-light",
    primary="#0033CC",
    secondary="#000000",
    accent="#0033CC",
    warning="#8A4B00",
    error="#B00000",
    success="#006B00",
    foreground="#000000",
    background="#FFFFFF",
    surface="#FFFFFF",
    panel="#E8E8E8",
    boost="#D0D0D0",
    dark=False,
    luminosity_spread=0.2,
    variables={"text-muted": "#303030", "footer-background": "#E8E8E8"},
)

LECTURE_THEMES = (LECTURE_DARK, LECTURE_LIGHT)
