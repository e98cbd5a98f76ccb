"""What the dialogs that start one background job share: check the form (``save()``
raises an ``InputError`` naming the field), run the job with progress, and either close
with the result or stay open showing the reason, with nothing typed lost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.ui import tasks, theme


class TaskDialog(QDialog):
    """Subclasses provide ``save()``, ``self.ui.error_label`` and ``self.ui.button_box``."""

    task: tasks.TaskHandle | None = None

    def show_error(self, message: str) -> None:
        label: QLabel = self.ui.error_label
        theme.set_error(label)
        label.setText(message)
        label.setVisible(bool(message))

    def submit(self, busy_text: str, job: Callable[[Any], Any],
               on_done: Callable[[Any], None], on_failed: Callable[[str], None]) -> None:
        """Validate the form, then run ``job(request)`` in the background."""
        try:
            request = self.save()
        except InputError as exc:
            self.show_error(str(exc))
            return
        self.show_error("")
        self._set_busy(True)

        def done(result: Any) -> None:
            self._set_busy(False)
            self.accept()
            on_done(result)

        def failed(message: str) -> None:
            self._set_busy(False)
            on_failed(message)

        self.task = tasks.run_with_progress(self, busy_text, lambda _ctx: job(request), done,
                                            on_error=failed)

    def _set_busy(self, busy: bool) -> None:
        self.ui.button_box.button(QDialogButtonBox.StandardButton.Ok).setEnabled(not busy)
