"""Limits that the files we write impose on what may be typed, checked where it is typed
(the services) and again where it is written (the exchange formats)."""

from __future__ import annotations

# the most characters an Excel cell holds; a longer text is refused, never cut
MAX_CELL_TEXT = 32767
