"""The small read-only tables of the centre dialogs (documents, checks, import problems):
one look for all of them, rows as tall as their wrapped text."""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt
from PySide6.QtWidgets import QAbstractItemView, QTableView, QWidget


def record_table(parent: QWidget, name: str, model: QAbstractItemModel, *,
                 wrap: bool = False) -> QTableView:
    """A table of whole rows, one selectable at a time, not editable. With ``wrap`` long
    cells wrap and rows grow to fit whenever a column is resized."""
    table = QTableView(parent)
    table.setObjectName(name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.verticalHeader().setVisible(False)
    header = table.horizontalHeader()
    header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    header.setHighlightSections(False)
    header.setStretchLastSection(True)
    table.setWordWrap(wrap)
    if wrap:
        table.setTextElideMode(Qt.TextElideMode.ElideNone)
        header.sectionResized.connect(lambda *_args: table.resizeRowsToContents())
        model.modelReset.connect(table.resizeRowsToContents)
    return table
