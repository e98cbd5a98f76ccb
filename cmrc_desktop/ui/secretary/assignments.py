"""Who scores which centre: the assignment matrix, centres (rows) × experts (columns).

A click or Space on a cell assigns the expert (``services.panel.assign``) or, asking for
the reason, removes the assignment (``services.panel.unassign``). Cells with a conflict
of interest are blocked — hatched, disabled, the reasons as the tooltip; an assignment
the expert has scored is fixed. Column "Experts" counts each centre's experts, each
expert's header how many centres they have. "Auto-assign…" tops every centre up to k
experts, balancing the load (``services.panel.auto_assign``).

Made for 150 centres × 30 experts: fixed section sizes, one delegate painting every
cell (no widget per cell), a snapshot read in three queries.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractItemModel,
    QEvent,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    Qt,
    Slot,
)
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui.main_views import MainView
from cmrc_desktop.ui.models.assignment_matrix import (
    ASSIGNED,
    CONFLICT,
    FREE,
    STATE_ROLE,
    AssignmentMatrixModel,
)
from cmrc_desktop.ui.prompts import Prompts, error_text
from cmrc_desktop.ui.settings import Settings

CELL_WIDTH = 56
COUNT_WIDTH = 64
CENTRE_HEADER_WIDTH = 300


class MatrixDelegate(QStyledItemDelegate):
    """Paints a cell's check box centred (greyed when it cannot be changed) over the
    cell's background — hatched for a conflict — and toggles on a click anywhere in
    the cell or on Space."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        state = index.data(STATE_ROLE)
        if state is None:                      # the count column
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        checked = opt.checkState == Qt.CheckState.Checked
        opt.features &= ~QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        if state == CONFLICT:
            return
        box = QStyleOptionViewItem(opt)
        width = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorWidth, opt, widget)
        height = style.pixelMetric(QStyle.PixelMetric.PM_IndicatorHeight, opt, widget)
        box.rect = QRect(opt.rect.center().x() - width // 2 + 1,
                         opt.rect.center().y() - height // 2 + 1, width, height)
        box.state &= ~(QStyle.StateFlag.State_On | QStyle.StateFlag.State_Off
                       | QStyle.StateFlag.State_Enabled)
        box.state |= QStyle.StateFlag.State_On if checked else QStyle.StateFlag.State_Off
        if state in (FREE, ASSIGNED):
            box.state |= QStyle.StateFlag.State_Enabled
        else:                                  # fixed: the tick in the disabled colours
            box.palette.setCurrentColorGroup(QPalette.ColorGroup.Disabled)
        style.drawPrimitive(QStyle.PrimitiveElement.PE_IndicatorItemViewItemCheck, box,
                            painter, widget)

    def editorEvent(self, event: QEvent, model: QAbstractItemModel,  # noqa: N802
                    option: QStyleOptionViewItem,
                    index: QModelIndex | QPersistentModelIndex) -> bool:
        flags = index.flags()
        if not (flags & Qt.ItemFlag.ItemIsUserCheckable and flags & Qt.ItemFlag.ItemIsEnabled):
            return False
        kind = event.type()
        if kind in (QEvent.Type.MouseButtonPress, QEvent.Type.MouseButtonDblClick,
                    QEvent.Type.MouseButtonRelease):
            assert isinstance(event, QMouseEvent)
            if event.button() != Qt.MouseButton.LeftButton \
                    or not option.rect.contains(event.position().toPoint()):
                return False
            if kind != QEvent.Type.MouseButtonRelease:
                return True
        elif kind == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() not in (Qt.Key.Key_Space, Qt.Key.Key_Select):
                return False
        else:
            return False
        checked = index.data(Qt.ItemDataRole.CheckStateRole) == Qt.CheckState.Checked
        return model.setData(index, Qt.CheckState.Unchecked if checked
                             else Qt.CheckState.Checked, Qt.ItemDataRole.CheckStateRole)


class AssignmentsView(MainView):
    view_id = "assignments"
    icon_name = "assignments"

    def __init__(self, ws: Workspace, parent: QWidget | None = None, *,
                 prompts: Prompts | None = None, settings: Settings | None = None) -> None:
        super().__init__(ws, parent, prompts=prompts, settings=settings)
        self.dialog = None          # the last dialog opened (tests)
        self.per_centre: int | None = None   # k of the last auto-assignment
        self.model = AssignmentMatrixModel(self)
        self.model.toggle_requested.connect(self._on_model_toggle_requested)
        table = self.table
        table.setSortingEnabled(False)
        table.setModel(self.model)
        table.setItemDelegate(MatrixDelegate(table))
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setShowGrid(True)
        table.setAlternatingRowColors(True)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        header.setDefaultSectionSize(CELL_WIDTH)
        header.setMinimumSectionSize(24)
        header.setTextElideMode(Qt.TextElideMode.ElideRight)
        rows = table.verticalHeader()
        rows.setVisible(True)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        rows.setTextElideMode(Qt.TextElideMode.ElideRight)
        rows.setMaximumWidth(CENTRE_HEADER_WIDTH)
        bar = self.tool_bar()
        self.auto_action = bar.addAction(_("Auto-assign…"))
        self.auto_action.setObjectName("action_auto_assign")
        self.auto_action.setToolTip(_("Top every centre up to k experts, balancing the load"))
        self.auto_action.triggered.connect(self._on_auto_action_triggered)
        self.declare_action = bar.addAction(_("Declare conflict…"))
        self.declare_action.setObjectName("action_declare_conflict")
        self.declare_action.setToolTip(_("Record a conflict of interest for the current cell"))
        self.declare_action.triggered.connect(self._on_declare_action_triggered)
        self.set_note(_("Click a cell or press Space to assign or remove. Hatched: conflict of "
                        "interest (hover for the reason). A grey tick: the expert has "
                        "entered scores, so the assignment stays."))

    def title(self) -> str:
        return _("Assignments")

    # -- reading -------------------------------------------------------------------------
    def refresh(self) -> None:
        from cmrc_desktop.services.panel import panel_matrix

        table = self.table
        current = table.currentIndex()
        where = (current.row(), current.column()) if current.isValid() else None
        scroll = (table.horizontalScrollBar().value(), table.verticalScrollBar().value())
        try:
            matrix = panel_matrix(self.ws)
        except CmrcError as exc:
            self.summary_label.setText(str(exc))
            return
        self.model.set_matrix(matrix)
        table.horizontalHeader().resizeSection(0, COUNT_WIDTH)
        if where is not None:
            table.setCurrentIndex(self.model.index(*where))
        table.horizontalScrollBar().setValue(scroll[0])
        table.verticalScrollBar().setValue(scroll[1])
        self._show_summary()

    def _show_summary(self) -> None:
        model = self.model
        centres, experts = model.centres, model.experts
        per_centre = [model.experts_of(c.id) for c in centres]
        per_expert = [model.centres_of(e.id) for e in experts]
        parts = [
            _("{centres} centres × {experts} experts").format(centres=len(centres),
                                                               experts=len(experts)),
            ngettext("{n} assignment", "{n} assignments", model.assignment_count).format(
                n=model.assignment_count),
            ngettext("{n} pair blocked by a conflict of interest",
                     "{n} pairs blocked by a conflict of interest",
                     model.conflict_count).format(n=model.conflict_count)]
        if per_centre:
            parts.append(_("experts per centre {low}–{high}").format(
                low=min(per_centre), high=max(per_centre)))
        if per_expert:
            parts.append(_("centres per expert {low}–{high}").format(
                low=min(per_expert), high=max(per_expert)))
        bare = sum(1 for n in per_centre if n == 0)
        if bare:
            parts.append(ngettext("{n} centre without an expert",
                                  "{n} centres without an expert", bare).format(n=bare))
        self.summary_label.setText("  ·  ".join(parts))
        self.auto_action.setEnabled(bool(centres and experts))
        self.declare_action.setEnabled(bool(centres and experts))

    # -- toggling a cell -----------------------------------------------------------------
    @Slot(str, str, bool)
    def _on_model_toggle_requested(self, expert_id: str, centre_id: str,
                                   assign: bool) -> None:
        from cmrc_desktop.services import panel

        if not assign:
            self._ask_removal(expert_id, centre_id)
            return
        try:
            panel.assign(self.ws, expert_id, centre_id)
        except CmrcError as exc:
            self.prompts.error(self, _("Assign an expert"), error_text(exc))
            self.refresh()
            return
        self.model.set_assigned(expert_id, centre_id, True)
        self._show_summary()

    def _ask_removal(self, expert_id: str, centre_id: str) -> None:
        from cmrc_desktop.ui.dialogs.expert_assignment import RemoveAssignmentDialog

        dialog = RemoveAssignmentDialog(self.ws, expert_id, centre_id, self)
        dialog.removed.connect(self._on_assignment_removed)
        self._open(dialog)

    def _on_assignment_removed(self, expert_id: str, centre_id: str) -> None:
        self.model.set_assigned(expert_id, centre_id, False)
        self._show_summary()

    # -- actions -------------------------------------------------------------------------
    @Slot()
    def _on_auto_action_triggered(self) -> None:
        from cmrc_desktop.ui.dialogs.expert_assignment import AutoAssignDialog

        dialog = AutoAssignDialog(self.ws, self, per_centre=self.per_centre)
        dialog.assigned.connect(self._on_auto_assigned)
        self._open(dialog)

    def _on_auto_assigned(self, k: int, result: dict) -> None:
        self.per_centre = k
        before = self.model.assignment_count
        self.refresh()
        added = self.model.assignment_count - before
        text = ngettext("{n} assignment added.", "{n} assignments added.", added).format(
            n=added)
        short = sorted(c for c, experts in result.items() if len(experts) < k)
        if short:
            text += "\n" + ngettext(
                "{n} centre has fewer than {k} experts free of conflicts of interest:",
                "{n} centres have fewer than {k} experts free of conflicts of interest:",
                len(short)).format(n=len(short), k=k)
            text += "\n" + ", ".join(f"{c} ({len(result[c])})" for c in short[:20])
            if len(short) > 20:
                text += " …"
            self.prompts.warning(self, _("Assign experts automatically"), text)
        else:
            self.prompts.info(self, _("Assign experts automatically"), text)

    @Slot()
    def _on_declare_action_triggered(self) -> None:
        from cmrc_desktop.ui.dialogs.expert_conflict import DeclareConflictDialog

        index = self.table.currentIndex()
        expert = self.model.expert_at(index.column()) if index.isValid() else None
        centre = self.model.centre_at(index.row()) if index.isValid() else None
        dialog = DeclareConflictDialog(self.ws, self, expert_id=expert.id if expert else None,
                                       centre_id=centre.id if centre else None)
        dialog.conflict_declared.connect(self._on_conflict_declared)
        self._open(dialog)

    def _on_conflict_declared(self, _expert_id: str, _centre_id: str) -> None:
        self.refresh()

    def _open(self, dialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
