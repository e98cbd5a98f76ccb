"""One injectable service for every message, confirmation and file chooser of the window.

Windows and dialogs never call ``QMessageBox`` or ``QFileDialog`` themselves; they ask
the ``Prompts`` they were given. The real one opens window-modal dialogs with ``open()``
and answers through a callback (nothing blocks in a nested event loop); tests give a
fake that records what was said and answers at once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from cmrc_desktop.disk_faults import disk_fault
from cmrc_desktop.domain.errors import CmrcError, os_error_text
from cmrc_desktop.i18n import _

Answer = Callable[[bool], None]
Chosen = Callable[[str], None]


def error_text(exc: BaseException) -> str:
    """What the user reads for an error: a CmrcError's own words, else the kind and
    message (never a traceback)."""
    if isinstance(exc, CmrcError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return os_error_text(exc)
    if isinstance(exc, sqlite3.Error):    # the database refused a write
        if disk_fault(exc) == "full":
            return _("Nothing was changed: the disk holding the workspace is full. Free some "
                     "space and try again.")
        if "readonly" in str(exc).lower():
            return _("Nothing was changed: the workspace is open read-only (the banner at the "
                     "top of the window says why).")
    return _("internal error: {kind}: {message}").format(kind=type(exc).__name__,
                                                          message=exc)


def prompts_of(widget: QWidget) -> Prompts:
    """The ``Prompts`` of the window ``widget`` is shown in (the window builds its views
    without passing one); the real one for a widget outside such a window."""
    found = getattr(widget.window(), "prompts", None)
    return found if isinstance(found, Prompts) else Prompts()


class Prompts:
    """The interface (and the real implementation)."""

    def error(self, parent: QWidget | None, title: str, message: str) -> None:
        self._box(parent, QMessageBox.Icon.Critical, title, message)

    def warning(self, parent: QWidget | None, title: str, message: str) -> None:
        self._box(parent, QMessageBox.Icon.Warning, title, message)

    def info(self, parent: QWidget | None, title: str, message: str) -> None:
        self._box(parent, QMessageBox.Icon.Information, title, message)

    def confirm(self, parent: QWidget | None, title: str, question: str,
                on_answer: Answer) -> None:
        box = self._make(parent, QMessageBox.Icon.Question, title, question,
                         QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        box.setDefaultButton(QMessageBox.StandardButton.No)
        box.finished.connect(
            lambda _result: on_answer(box.clickedButton() is box.button(
                QMessageBox.StandardButton.Yes)))
        box.open()

    def choose_folder(self, parent: QWidget | None, title: str, start: str,
                      on_chosen: Chosen) -> None:
        dialog = QFileDialog(parent, title, start)
        dialog.setFileMode(QFileDialog.FileMode.Directory)
        dialog.setOption(QFileDialog.Option.ShowDirsOnly, True)
        self._open_file_dialog(dialog, on_chosen)

    def choose_file(self, parent: QWidget | None, title: str, start: str, name_filter: str,
                    on_chosen: Chosen) -> None:
        dialog = QFileDialog(parent, title, start, name_filter)
        dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
        self._open_file_dialog(dialog, on_chosen)

    def choose_save_file(self, parent: QWidget | None, title: str, start: str,
                         name_filter: str, on_chosen: Chosen) -> None:
        """A file to write (``start``: a folder or a suggested path); the dialog asks
        before replacing an existing file."""
        dialog = QFileDialog(parent, title, start, name_filter)
        dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
        dialog.setFileMode(QFileDialog.FileMode.AnyFile)
        self._open_file_dialog(dialog, on_chosen)

    # -- helpers -------------------------------------------------------------------------
    @staticmethod
    def _open_file_dialog(dialog: QFileDialog, on_chosen: Chosen) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.fileSelected.connect(on_chosen)
        dialog.open()

    def _box(self, parent: QWidget | None, icon: QMessageBox.Icon, title: str,
             message: str) -> None:
        self._make(parent, icon, title, message, QMessageBox.StandardButton.Ok).open()

    @staticmethod
    def _make(parent: QWidget | None, icon: QMessageBox.Icon, title: str, message: str,
              buttons: QMessageBox.StandardButton) -> QMessageBox:
        box = QMessageBox(icon, title, message, buttons, parent)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.setTextFormat(Qt.TextFormat.PlainText)
        return box


class RecordingPrompts(Prompts):
    """For tests and ``--smoke``: records every message, answers confirmations with
    ``answer`` and file choosers with the next of ``choices`` (or not at all)."""

    def __init__(self, *, answer: bool = True, choices: list[str] | None = None) -> None:
        self.answer = answer
        self.choices = list(choices or [])
        self.messages: list[tuple[str, str, str]] = []   # (kind, title, text)

    def error(self, parent, title, message):  # noqa: D102
        self.messages.append(("error", title, message))

    def warning(self, parent, title, message):
        self.messages.append(("warning", title, message))

    def info(self, parent, title, message):
        self.messages.append(("info", title, message))

    def confirm(self, parent, title, question, on_answer):
        self.messages.append(("confirm", title, question))
        on_answer(self.answer)

    def choose_folder(self, parent, title, start, on_chosen):
        self.messages.append(("choose_folder", title, start))
        if self.choices:
            on_chosen(self.choices.pop(0))

    def choose_file(self, parent, title, start, name_filter, on_chosen):
        self.messages.append(("choose_file", title, start))
        if self.choices:
            on_chosen(self.choices.pop(0))

    def choose_save_file(self, parent, title, start, name_filter, on_chosen):
        self.messages.append(("choose_save_file", title, start))
        if self.choices:
            on_chosen(self.choices.pop(0))
