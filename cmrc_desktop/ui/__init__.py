"""The window: the only package that imports PySide6 (issue #5 on)."""
