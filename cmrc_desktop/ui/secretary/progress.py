"""Progress: centres × experts with the state of every assigned sheet, the counts per
centre and per expert, and below it, expert by expert, what is still missing.

Read in one go from ``services.status.progress`` (a few queries for the whole batch),
so it opens quickly on 150 centres × 30 experts; nothing here queries per cell.
"""

from __future__ import annotations

from html import escape

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    Slot,
)
from PySide6.QtGui import QIcon, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QHeaderView,
    QLabel,
    QSplitter,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.services import status as st
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.main_views import SORT_ROLE, Column, MainView, RecordTableModel
from cmrc_desktop.ui.models.progress_matrix import (
    COL_NAME,
    FIXED_COLUMNS,
    INTEREST_MARK,
    TONES,
    ProgressMatrixModel,
)
from cmrc_desktop.ui.prompts import Prompts, error_text
from cmrc_desktop.ui.settings import Settings

EXPERT_COLUMN_WIDTH = 46
EXPERT_COLUMNS = (Column(lambda: _("Expert ID"), toned=True), Column(lambda: _("Expert")),
                  Column(lambda: _("Received"), numeric=True),
                  Column(lambda: _("Missing"), numeric=True),
                  Column(lambda: _("Centres still missing")),
                  Column(lambda: _("Centres in conflict")))


class CentredIconDelegate(QStyledItemDelegate):
    """Draws a cell's icon in the middle of the cell (the state dots of the matrix);
    text, if any, is centred as the model says."""

    ICON = QSize(16, 16)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        icon = QIcon(opt.icon)
        opt.icon = QIcon()
        opt.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDecoration
        widget = opt.widget
        style = widget.style() if widget is not None else None
        if style is None:
            super().paint(painter, option, index)
            return
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if not icon.isNull():
            target = QRect(0, 0, self.ICON.width(), self.ICON.height())
            target.moveCenter(opt.rect.center())
            icon.paint(painter, target)


class ProgressView(MainView):
    view_id = "progress"
    icon_name = "progress"

    def __init__(self, ws: Workspace, parent: QWidget | None = None, *,
                 prompts: Prompts | None = None, settings: Settings | None = None) -> None:
        super().__init__(ws, parent, prompts=prompts, settings=settings)
        self.model = ProgressMatrixModel(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName(_("Progress: centres and experts"))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setAlternatingRowColors(True)
        self.table.setShowGrid(True)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.table.horizontalHeader().setResizeContentsPrecision(60)   # rows to measure
        self.table.horizontalHeader().setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        self._delegate = CentredIconDelegate(self.table)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)

        bar = self.tool_bar()
        self.only_open_check = QCheckBox(_("Only centres still waiting for sheets"), bar)
        self.only_open_check.setObjectName("only_open_check")
        bar.addWidget(self.only_open_check)
        self.only_open_check.toggled.connect(self._on_only_open_check_toggled)

        self.experts_model = RecordTableModel(EXPERT_COLUMNS, self)
        self.experts_proxy = QSortFilterProxyModel(self)
        self.experts_proxy.setSortRole(SORT_ROLE)
        self.experts_proxy.setSourceModel(self.experts_model)
        self.experts_table = QTableView(self)
        self.experts_table.setObjectName("experts_table")
        self.experts_table.setAccessibleName(_("What is still missing, expert by expert"))
        self.experts_table.setModel(self.experts_proxy)
        self.experts_table.setSortingEnabled(True)
        self.experts_table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.experts_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.experts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.experts_table.setAlternatingRowColors(True)
        self.experts_table.setShowGrid(False)
        self.experts_table.setWordWrap(False)
        self.experts_table.verticalHeader().setVisible(False)
        self.experts_table.horizontalHeader().setStretchLastSection(True)
        self.experts_table.horizontalHeader().setDefaultAlignment(
            Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)

        lower = QWidget(self)
        lower_layout = QVBoxLayout(lower)
        lower_layout.setContentsMargins(0, 8, 0, 0)
        self.experts_label = QLabel(_("Still missing, expert by expert"), lower)
        self.experts_label.setFont(theme.heading_font(self.font(), 1.1))
        lower_layout.addWidget(self.experts_label)
        lower_layout.addWidget(self.experts_table)
        layout = self.layout()
        at = layout.indexOf(self.table)
        layout.removeWidget(self.table)
        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setObjectName("progress_splitter")
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(lower)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        layout.insertWidget(at, self.splitter, 1)
        self.note_label.setTextFormat(Qt.TextFormat.RichText)

    def title(self) -> str:
        return _("Progress")

    def refresh(self) -> None:
        try:
            matrix = st.progress(self.ws)
        except CmrcError as exc:
            matrix = st.ProgressMatrix((), (), {}, {})
            self.summary_label.setText(error_text(exc))
        else:
            self.summary_label.setText(self._summary(matrix))
        first = self.model.columnCount() != FIXED_COLUMNS + len(matrix.experts)
        self.model.set_matrix(matrix)
        self._show_experts(matrix, fit=first)
        if first:          # later refreshes keep the widths (the user may have set them)
            self._layout_columns()
        self.set_note(self._legend())

    # -- what it shows ---------------------------------------------------------------------
    @staticmethod
    def _summary(matrix: st.ProgressMatrix) -> str:
        totals = matrix.totals()
        assigned = sum(totals.values())
        counts = [matrix.centre_counts(c) for c, _name in matrix.centres]
        complete = sum(1 for received, assigned in counts if assigned and received == assigned)
        text = _("{received} of {assigned} assigned sheets received").format(
            received=totals[st.RECEIVED], assigned=assigned)
        parts = [f"{st.state_label(s)} {totals[s]}"
                 for s in (st.MISSING, st.DRAFT, st.SUPERSEDED, st.CONFLICT) if totals[s]]
        if parts:
            text += " (" + ", ".join(parts) + ")"
        text += "  ·  " + ngettext("{complete} of {n} centre complete",
                                   "{complete} of {n} centres complete",
                                   len(matrix.centres)).format(complete=complete,
                                                               n=len(matrix.centres))
        return text

    def _show_experts(self, matrix: st.ProgressMatrix, *, fit: bool) -> None:
        ids, rows, keys, tones = [], [], [], []
        for expert_id, name in matrix.experts:
            received, assigned = matrix.expert_counts(expert_id)
            missing = matrix.of_expert(expert_id, st.OUTSTANDING)
            conflicts = matrix.of_expert(expert_id, (st.CONFLICT,))
            ids.append(expert_id)
            rows.append((expert_id, name, f"{received} / {assigned}", str(len(missing)),
                         ", ".join(missing), ", ".join(conflicts)))
            keys.append((expert_id, name, received / assigned if assigned else 2.0,
                         len(missing), len(missing), len(conflicts)))
            tones.append(theme.GOOD if assigned and received == assigned else
                         theme.ACTIVE if conflicts and not missing else
                         theme.BAD if missing else theme.IDLE)
        self.experts_model.set_rows(ids, rows, keys, tips=[
            ("", name, "", "", ", ".join(matrix.of_expert(e, st.OUTSTANDING)),
             ", ".join(matrix.of_expert(e, (st.CONFLICT,))))
            for e, name in matrix.experts], tones=tones)
        if fit:
            self.experts_table.resizeColumnsToContents()
            header = self.experts_table.horizontalHeader()
            for column in range(header.count()):
                header.resizeSection(column, min(header.sectionSize(column), 420))

    def _layout_columns(self) -> None:
        header = self.table.horizontalHeader()
        for column in range(FIXED_COLUMNS):
            self.table.resizeColumnToContents(column)
        header.resizeSection(COL_NAME, min(header.sectionSize(COL_NAME), 260))
        metrics = header.fontMetrics()
        width = max(EXPERT_COLUMN_WIDTH, metrics.horizontalAdvance("000/000") + 12)
        for column in range(FIXED_COLUMNS, self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Fixed)
            header.resizeSection(column, width)
            self.table.setItemDelegateForColumn(column, self._delegate)

    @staticmethod
    def _legend() -> str:
        def dot(tone: str) -> str:
            return f'<span style="color:{theme.tone_colour(tone).name()}">●</span>'
        items = [f"{dot(TONES[s])} {escape(st.state_label(s))}"
                 for s in (st.RECEIVED, st.MISSING, st.DRAFT, st.SUPERSEDED)]
        items.append("⚠ " + escape(st.state_label(st.CONFLICT)))
        items.append(f"{INTEREST_MARK} " + escape(st.state_label(st.INTEREST)))
        items.append(escape(_("empty: not assigned")))
        return "&nbsp;&nbsp;&nbsp;".join(items)

    @Slot(bool)
    def _on_only_open_check_toggled(self, checked: bool) -> None:
        self.model.set_only_open(checked)
