"""The strip above the main views that says why the open workspace cannot be trusted
with changes: read-only, damaged (with "Restore from backup…") or on a network share.

Hidden while nothing is wrong; the main window fills it after every open and after the
background health check.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QStyle, QWidget

from cmrc_desktop.i18n import _


class WorkspaceBanner(QFrame):
    """Signals: restore_requested() — the user asked to restore the last backup."""

    restore_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("workspace_banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(16, 8, 16, 8)
        self.icon = QLabel(self)
        self.icon.setPixmap(self.style().standardIcon(
            QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(22, 22))
        layout.addWidget(self.icon)
        self.label = QLabel(self)
        self.label.setObjectName("workspace_banner_text")
        self.label.setWordWrap(True)
        layout.addWidget(self.label, 1)
        self.restore_button = QPushButton(_("&Restore from backup…"), self)
        self.restore_button.setObjectName("restore_backup_button")
        self.restore_button.clicked.connect(self.restore_requested)
        layout.addWidget(self.restore_button)
        self.clear()

    def show_problems(self, *, read_only: str | None, damaged: bool,
                      network: str | None) -> None:
        """``read_only``: why nothing can be written (the damage itself when
        ``damaged``); ``network``: the share's name."""
        lines = []
        if read_only and damaged:
            lines.append(read_only)   # says itself that editing is blocked
        elif read_only:
            lines.append(_("Opened read-only because {reason}: nothing can be changed in this "
                           "workspace.").format(reason=read_only))
        if network:
            lines.append(_("On a network share ({where}): copy the workspace to a local disk "
                           "to work on it safely.").format(where=network))
        self.label.setText("\n".join(lines))
        self.restore_button.setVisible(damaged)
        self.setVisible(bool(lines))

    def clear(self) -> None:
        self.label.clear()
        self.restore_button.setVisible(False)
        self.setVisible(False)
