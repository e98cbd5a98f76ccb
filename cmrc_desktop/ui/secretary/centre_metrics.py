"""A centre's reported metrics for one period: the catalogue's dossier metrics, each
with its value, typed in the table and saved together through
``services.dossiers.set_metrics`` (and ``clear_metrics`` for a value taken back).

A typed value is kept as text until Save: a bad one is shown in the error colour and
Save refuses, naming the metric, so nothing typed is lost and nothing half-saved.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.catalog import Metric
from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.domain.numbers import parse_decimal, plain
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.services import dossiers
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.prompts import Prompts, error_text

COL_METRIC, COL_VALUE, COL_UNIT = range(3)
METRIC_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class MetricsModel(QAbstractTableModel):
    """Rows: the catalogue's metrics. The value column is editable; edits are pending
    (``edits()``) until the panel saves them."""

    def __init__(self, metrics: tuple[Metric, ...], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._metrics = metrics
        self._saved: dict[str, Decimal] = {}
        self._edits: dict[str, str] = {}

    def set_values(self, values: dict[str, Decimal]) -> None:
        self.beginResetModel()
        self._saved = dict(values)
        self._edits = {}
        self.endResetModel()

    def edits(self) -> dict[str, str]:
        """metric id → the text typed, for the values that differ from the saved ones."""
        return dict(self._edits)

    def metric(self, row: int) -> Metric:
        return self._metrics[row]

    def row_of(self, metric_id: str) -> int:
        return next(n for n, m in enumerate(self._metrics) if m.id == metric_id)

    @staticmethod
    def is_valid(text: str) -> bool:
        return not text.strip() or parse_decimal(text) is not None

    # -- Qt model interface --------------------------------------------------------------
    def rowCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._metrics)

    def columnCount(self, parent: QModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else 3

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < 3:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return (_("Metric"), _("Value"), _("Unit"))[section]
        if role == Qt.ItemDataRole.TextAlignmentRole and section == COL_VALUE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = (Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                 | Qt.ItemFlag.ItemNeverHasChildren)
        if index.column() == COL_VALUE:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.parent().isValid() \
                or not 0 <= index.row() < len(self._metrics) or not 0 <= index.column() < 3:
            return None
        metric = self._metrics[index.row()]
        column = index.column()
        edited = metric.id in self._edits
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if column == COL_METRIC:
                return metric.display
            if column == COL_UNIT:
                return metric.unit
            if edited:
                return self._edits[metric.id]
            value = self._saved.get(metric.id)
            return "" if value is None else plain(value)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == COL_METRIC:
                return f"{metric.name} · {metric.name_en} ({metric.id})"
            if column == COL_VALUE and edited and not self.is_valid(self._edits[metric.id]):
                return _("Not a number: write a whole or decimal number of 0 or more, "
                         "or leave the cell empty.")
            return None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COL_VALUE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and edited and column == COL_VALUE:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column == COL_VALUE and edited \
                and not self.is_valid(self._edits[metric.id]):
            return theme.tone_colour(theme.BAD)
        if role == METRIC_ID_ROLE:
            return metric.id
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,  # noqa: N802
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() \
                or index.column() != COL_VALUE or not 0 <= index.row() < len(self._metrics):
            return False
        metric = self._metrics[index.row()]
        text = "" if value is None else str(value).strip()
        saved = self._saved.get(metric.id)
        parsed = parse_decimal(text) if text else None
        unchanged = (not text and saved is None) or (
            parsed is not None and saved is not None and parsed == saved)
        if unchanged:
            self._edits.pop(metric.id, None)
        else:
            self._edits[metric.id] = text
        self.dataChanged.emit(index, index)
        return True


class MetricsPanel(QWidget):
    """Period, the metrics table, Save and Discard.

    Signals:
        changed() — values were saved
    """

    changed = Signal()

    def __init__(self, ws: Workspace, centre_id: str, *, prompts: Prompts,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.centre_id = centre_id
        self.prompts = prompts
        self._period = ""
        self.period_combo = QComboBox(self)
        self.period_combo.setObjectName("period_combo")
        self.period_combo.setEditable(True)
        self.period_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.period_combo.setAccessibleName(_("Period"))
        self.period_combo.setToolTip(_("The period the values were reported for; type a "
                                       "new one to add values for it."))
        self.period_combo.setMinimumContentsLength(8)
        self.model = MetricsModel(catalog().metrics, self)
        self.table = QTableView(self)
        self.table.setObjectName("metrics_table")
        self.table.setAccessibleName(_("Metrics"))
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.DoubleClicked
                                   | QAbstractItemView.EditTrigger.EditKeyPressed
                                   | QAbstractItemView.EditTrigger.AnyKeyPressed)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_METRIC, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(COL_VALUE, QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(COL_UNIT, QHeaderView.ResizeMode.ResizeToContents)
        header.resizeSection(COL_VALUE, 120)
        self.save_button = QPushButton(_("Save values"), self)
        self.save_button.setObjectName("save_metrics")
        self.discard_button = QPushButton(_("Discard changes"), self)
        self.status_label = QLabel(self)
        theme.set_muted(self.status_label)
        self.save_button.clicked.connect(self._on_save_button_clicked)
        self.discard_button.clicked.connect(self._on_discard_button_clicked)
        self.model.dataChanged.connect(self._on_model_data_changed)
        self.model.modelReset.connect(self._update_buttons)

        top = QHBoxLayout()
        top.addWidget(QLabel(_("Period"), self))
        top.addWidget(self.period_combo)
        top.addWidget(self.status_label, 1)
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.discard_button)
        bottom.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        periods = dossiers.metric_periods(ws, centre_id)
        default = dossiers.default_period(ws)
        for period in sorted({*periods, default}, reverse=True):
            self.period_combo.addItem(period)
        self.period_combo.setCurrentText(periods[0] if periods else default)
        self.show_period(self.period_combo.currentText())
        self.period_combo.activated.connect(self._on_period_combo_activated)
        self.period_combo.lineEdit().editingFinished.connect(
            self._on_period_edit_editing_finished)

    # -- reading -------------------------------------------------------------------------
    @property
    def period(self) -> str:
        return self._period

    def show_period(self, period: str) -> None:
        period = period.strip()
        if not period:
            self.period_combo.setCurrentText(self._period)
            return
        self._period = period
        if self.period_combo.findText(period) < 0:
            self.period_combo.addItem(period)
        self.period_combo.setCurrentText(period)
        values = dossiers.metrics_of(self.ws, self.centre_id, period)
        self.model.set_values(values)
        total = self.model.rowCount()
        self.status_label.setText(ngettext(
            "{n} of {total} metric reported for {period}",
            "{n} of {total} metrics reported for {period}", len(values)).format(
                n=len(values), total=total, period=period))

    def has_unsaved_edits(self) -> bool:
        return bool(self.model.edits())

    def discard(self) -> None:
        self.show_period(self._period)

    def _ask_then_show(self, period: str) -> None:
        period = period.strip()
        if period == self._period or not period:
            self.period_combo.setCurrentText(self._period)
            return
        if not self.has_unsaved_edits():
            self.show_period(period)
            return

        def answered(discard: bool) -> None:
            if discard:
                self.show_period(period)
            else:
                self.period_combo.setCurrentText(self._period)

        self.prompts.confirm(self, _("Metric values not saved"), _(
            "Some values you typed for {period} are not saved. Show {other} and discard "
            "them?").format(period=self._period, other=period), answered)

    @Slot(int)
    def _on_period_combo_activated(self, index: int) -> None:
        self._ask_then_show(self.period_combo.itemText(index))

    @Slot()
    def _on_period_edit_editing_finished(self) -> None:
        self._ask_then_show(self.period_combo.currentText())

    # -- saving --------------------------------------------------------------------------
    def save(self) -> bool:
        """Check every typed value, then save them all (or none); False when refused."""
        edits = self.model.edits()
        if not edits:
            return True
        values: dict[str, Decimal | None] = {}
        bad: list[str] = []
        for metric_id, text in edits.items():
            metric = catalog().metric(metric_id)
            name = metric.display if metric else metric_id
            if not text:
                values[metric_id] = None
                continue
            value = parse_decimal(text)
            if value is None:
                bad.append(_("{metric}: '{text}' is not a number of 0 or more").format(
                    metric=name, text=text))
            else:
                values[metric_id] = value
        if bad:
            self.prompts.error(self, _("Metric values not saved"), "\n".join(bad))
            first = next(m for m, t in edits.items() if t and parse_decimal(t) is None)
            self.table.setCurrentIndex(self.model.index(self.model.row_of(first), COL_VALUE))
            return False
        try:
            dossiers.update_metrics(self.ws, self.centre_id, self._period, values)
        except CmrcError as exc:
            metric = catalog().metric(exc.field or "")
            message = (f"{metric.display}: {exc.message}" if metric else error_text(exc))
            self.prompts.error(self, _("Metric values not saved"), message)
            return False
        self.show_period(self._period)
        self.changed.emit()
        return True

    @Slot()
    def _on_save_button_clicked(self) -> None:
        self.save()

    @Slot()
    def _on_discard_button_clicked(self) -> None:
        self.discard()

    def _on_model_data_changed(self, *_args: object) -> None:
        self._update_buttons()

    def _update_buttons(self) -> None:
        edited = self.has_unsaved_edits()
        self.save_button.setEnabled(edited)
        self.discard_button.setEnabled(edited)
