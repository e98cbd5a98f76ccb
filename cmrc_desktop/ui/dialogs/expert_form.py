"""The frame the panel's small dialogs share (add an expert, declare a conflict, remove an
assignment, auto-assign, export packages): a line of explanation, a form, an error line
and OK / Cancel. Built in code: each dialog is a handful of fields, and ``self.ui`` holds
the parts under the names ``TaskDialog`` expects (``error_label``, ``button_box``)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.ui import theme


class DialogForm:
    """``intro`` (a QLabel, word-wrapped), ``form`` (a QFormLayout), ``error_label``,
    ``button_box``; ``add_row(label, widget)`` names a field and returns the widget."""

    def __init__(self, dialog: QDialog, title: str, intro: str = "",
                 ok_text: str | None = None) -> None:
        dialog.setWindowTitle(title)
        layout = QVBoxLayout(dialog)
        layout.setSpacing(10)
        self.intro = QLabel(intro, dialog)
        self.intro.setObjectName("intro_label")
        self.intro.setWordWrap(True)
        self.intro.setVisible(bool(intro))
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        self.error_label = QLabel(dialog)
        self.error_label.setObjectName("error_label")
        self.error_label.setWordWrap(True)
        theme.set_error(self.error_label)
        self.error_label.setVisible(False)
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
            dialog)
        self.button_box.setObjectName("button_box")
        if ok_text:
            self.button_box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self.button_box.rejected.connect(dialog.reject)
        layout.addWidget(self.intro)
        layout.addLayout(self.form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addWidget(self.button_box)

    def add_row(self, label: str, widget: QWidget, name: str = "") -> QWidget:
        if name:
            widget.setObjectName(name)
        self.form.addRow(label, widget)
        return widget

    def line_edit(self, label: str, name: str, *, password: bool = False,
                  placeholder: str = "") -> QLineEdit:
        edit = QLineEdit()
        if password:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        if placeholder:
            edit.setPlaceholderText(placeholder)
        self.add_row(label, edit, name)
        return edit

    def set_row_visible(self, widget: QWidget, visible: bool) -> None:
        self.form.setRowVisible(widget, visible)
