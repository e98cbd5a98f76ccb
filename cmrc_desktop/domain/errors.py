"""Errors that reach the user as a message, never as a traceback.

Every error carries *where* (file, line, field or key) separately from *what*, so the
command line and the window can both say "file:line: field: message" in the user's
language.
"""

from __future__ import annotations

import unicodedata


class CmrcError(Exception):
    """Base of every error the program reports to the user in plain words."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.field = field

    def where(self) -> str:
        parts = []
        if self.file:
            parts.append(str(self.file) + (f":{self.line}" if self.line is not None else ""))
        elif self.line is not None:
            parts.append(f"line {self.line}")
        if self.field:
            parts.append(self.field)
        return ": ".join(parts)

    def __str__(self) -> str:
        where = self.where()
        return f"{where}: {self.message}" if where else self.message


class InputError(CmrcError):
    """Input that cannot be used: a bad score, an unknown id, a malformed file."""


class SchemeError(InputError):
    """A scheme file that breaks a rule of GRADING.md."""


class WorkspaceError(CmrcError):
    """A workspace that cannot be opened or written as asked."""


class NotFoundError(CmrcError):
    """An id that names nothing in the workspace."""


SHOWN_TEXT = 24  # characters of a refused value quoted back in a message


def shorten(text: str, limit: int = SHOWN_TEXT) -> str:
    """A value quoted back in a message: enough to find it, never a page of it (a field of
    a CSV or a string of a scheme can be 100,000 characters long), and its control
    characters written as escapes, so that it cannot break the line or drive the
    terminal (an ESC sequence in a CSV cell)."""
    text = text if len(text) <= limit else text[:limit] + "…"
    return "".join(ch.encode("unicode_escape").decode("ascii")
                   if unicodedata.category(ch) == "Cc" else ch for ch in text)


def os_error_text(exc: OSError) -> str:
    """An operating-system error as the user reads it: the file, then what the system
    said (the one wording of the window and the command line)."""
    where = f"{exc.filename}: " if exc.filename else ""
    return where + (exc.strerror or str(exc))
