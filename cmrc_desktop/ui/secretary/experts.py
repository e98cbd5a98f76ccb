"""The secretary's experts: the panel with institution, title, specialty, centres assigned
and conflicts of interest; below it, the conflicts of the selected expert with their
reasons and whether they were detected from the data or declared.

Tool bar: add an expert, declare a conflict, withdraw a declared one, detect conflicts again, export panel
packages (of the selected expert or of all). Every action is a call to
``services.panel`` / ``services.packages``, as the command line makes it.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Slot
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.domain.workspace import Conflict, ConflictKind
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.main_views import MainView
from cmrc_desktop.ui.models.experts import (
    COL_INSTITUTION,
    ID_ROLE,
    KIND_ROLE,
    ConflictsModel,
    ExpertsModel,
)
from cmrc_desktop.ui.prompts import Prompts, error_text
from cmrc_desktop.ui.settings import Settings


class ExpertsView(MainView):
    view_id = "experts"
    icon_name = "experts"

    def __init__(self, ws: Workspace, parent: QWidget | None = None, *,
                 prompts: Prompts | None = None, settings: Settings | None = None) -> None:
        super().__init__(ws, parent, prompts=prompts, settings=settings)
        self.dialog = None          # the last dialog opened (tests)
        self._centre_names: dict[str, str] = {}
        self._assigned_any = False
        self.model = ExpertsModel(self)
        self.table.setModel(self.model)
        self.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        # the institution takes the room left; the last column keeps its own width
        self.table.horizontalHeader().setStretchLastSection(False)
        self.conflicts_model = ConflictsModel(self)
        self._build_tool_bar()
        self._build_conflicts_panel()
        self.table.selectionModel().currentRowChanged.connect(
            self._on_table_current_row_changed)
        self.conflicts_table.selectionModel().currentRowChanged.connect(
            self._on_conflicts_current_row_changed)
        self._update_actions()

    def _build_tool_bar(self) -> None:
        bar = self.tool_bar()

        def action(text: str, name: str, slot, tip: str) -> QAction:
            act = bar.addAction(text)
            act.setObjectName(name)
            act.setToolTip(tip)
            act.triggered.connect(slot)
            return act

        self.add_action = action(_("Add expert…"), "action_add_expert",
                                 self._on_add_action_triggered,
                                 _("Register an expert on the panel"))
        self.declare_action = action(_("Declare conflict…"), "action_declare_conflict",
                                     self._on_declare_action_triggered,
                                     _("Record a conflict of interest with its reason"))
        self.withdraw_action = action(
            _("Withdraw conflict…"), "action_withdraw_conflict",
            self._on_withdraw_action_triggered,
            _("Withdraw the declared conflict of interest selected below, with the reason"))
        self.detect_action = action(
            _("Detect conflicts"), "action_detect_conflicts", self._on_detect_action_triggered,
            _("Compare every expert's institution with every centre's host and network"))
        bar.addSeparator()
        self.export_action = action(
            _("Export panel packages…"), "action_export_packages",
            self._on_export_action_triggered,
            _("Write the panel packages and print their one-time passwords"))

    def _build_conflicts_panel(self) -> None:
        """The selected expert's conflicts, under the panel table (a splitter between)."""
        panel = QWidget(self)
        column = QVBoxLayout(panel)
        column.setContentsMargins(0, 8, 0, 0)
        column.setSpacing(4)
        self.conflicts_label = QLabel(panel)
        self.conflicts_label.setObjectName("conflicts_label")
        self.conflicts_label.setFont(theme.heading_font(self.font(), 1.1))
        self.conflicts_table = QTableView(panel)
        self.conflicts_table.setObjectName("conflicts_table")
        self.conflicts_table.setModel(self.conflicts_model)
        self.conflicts_table.setAccessibleName(_("Conflicts of interest"))
        self.conflicts_table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.conflicts_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.conflicts_table.setAlternatingRowColors(True)
        self.conflicts_table.setShowGrid(False)
        self.conflicts_table.setWordWrap(False)
        self.conflicts_table.setSortingEnabled(True)
        self.conflicts_table.verticalHeader().setVisible(False)
        self.conflicts_table.verticalHeader().setDefaultSectionSize(
            self.table.verticalHeader().defaultSectionSize())
        header = self.conflicts_table.horizontalHeader()
        header.setHighlightSections(False)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setStretchLastSection(True)
        self.conflicts_empty = QLabel(panel)
        self.conflicts_empty.setObjectName("conflicts_empty")
        theme.set_muted(self.conflicts_empty)
        column.addWidget(self.conflicts_label)
        column.addWidget(self.conflicts_empty)
        column.addWidget(self.conflicts_table, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setObjectName("experts_splitter")
        splitter.setChildrenCollapsible(False)
        self.layout().replaceWidget(self.table, splitter)
        splitter.addWidget(self.table)
        splitter.addWidget(panel)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        self.splitter = splitter

    def title(self) -> str:
        return _("Experts")

    # -- reading -------------------------------------------------------------------------
    def refresh(self) -> None:
        from cmrc_desktop.services.panel import expert_summaries
        from cmrc_desktop.storage import centre_repo

        selected = self.selected_expert()
        try:
            summaries = expert_summaries(self.ws)
            self._centre_names = {c.id: c.name for c in centre_repo.list_centres(self.ws.db)}
        except CmrcError as exc:
            self.model.set_experts([])
            self.summary_label.setText(str(exc))
            return
        self.model.set_experts(summaries, self._centre_names)
        header = self.table.horizontalHeader()
        self.model.sort(header.sortIndicatorSection(), header.sortIndicatorOrder())
        self._fit_columns(COL_INSTITUTION)
        conflicts = [c for s in summaries for c in s.conflicts]
        detected = sum(1 for c in conflicts if c.kind == ConflictKind.AUTO)
        self._assigned_any = any(s.assigned for s in summaries)
        self.summary_label.setText("  ·  ".join([
            ngettext("{n} expert on the panel", "{n} experts on the panel",
                     len(summaries)).format(n=len(summaries)),
            ngettext("{n} scores at least one centre", "{n} score at least one centre",
                     sum(1 for s in summaries if s.assigned)).format(
                n=sum(1 for s in summaries if s.assigned)),
            ngettext("{n} conflict of interest", "{n} conflicts of interest",
                     len(conflicts)).format(n=len(conflicts))
            + " " + _("({detected} detected, {declared} declared)").format(
                detected=detected, declared=len(conflicts) - detected)]))
        self.select_expert(selected or (summaries[0].expert.id if summaries else None))
        self._show_conflicts()
        self._update_actions()

    def selected_expert(self) -> str | None:
        index = self.table.currentIndex()
        summary = self.model.summary(index.row()) if index.isValid() else None
        return summary.expert.id if summary else None

    def select_expert(self, expert_id: str | None) -> None:
        row = self.model.row_of(expert_id) if expert_id else -1
        if row >= 0:
            self.table.selectRow(row)
            self.table.setCurrentIndex(self.model.index(row, 0))

    def _show_conflicts(self) -> None:
        index = self.table.currentIndex()
        summary = self.model.summary(index.row()) if index.isValid() else None
        conflicts: tuple[Conflict, ...] = summary.conflicts if summary else ()
        self.conflicts_model.set_conflicts(conflicts, self._centre_names)
        if summary is None:
            self.conflicts_label.setText(_("Conflicts of interest"))
            self.conflicts_empty.setText(_("Select an expert to see their conflicts of "
                                           "interest."))
        else:
            e = summary.expert
            self.conflicts_label.setText(_("Conflicts of interest of {name} ({id})").format(
                name=e.name, id=e.id))
            self.conflicts_empty.setText(_("None: {name} may score every centre.").format(
                name=e.name))
        self.conflicts_empty.setVisible(not conflicts)
        self.conflicts_table.setVisible(bool(conflicts))
        if conflicts:
            self.conflicts_table.resizeColumnsToContents()

    def selected_conflict(self) -> tuple[str, str] | None:
        """(expert, centre) of the declared conflict selected in the lower table."""
        expert_id = self.selected_expert()
        index = self.conflicts_table.currentIndex()
        if expert_id is None or not index.isValid() or self.conflicts_table.isHidden() \
                or index.data(KIND_ROLE) != str(ConflictKind.DECLARED):
            return None
        return expert_id, index.data(ID_ROLE)

    def _update_actions(self) -> None:
        self.declare_action.setEnabled(self.model.rowCount() > 0)
        self.withdraw_action.setEnabled(self.selected_conflict() is not None)
        self.export_action.setEnabled(self._assigned_any)

    # -- actions -------------------------------------------------------------------------
    @Slot()
    def _on_add_action_triggered(self) -> None:
        from cmrc_desktop.ui.dialogs.expert_add import AddExpertDialog

        dialog = AddExpertDialog(self.ws, self)
        dialog.expert_added.connect(self._on_expert_added)
        self._open(dialog)

    def _on_expert_added(self, expert_id: str, conflicts: list) -> None:
        self.refresh()
        self.select_expert(expert_id)
        text = _("Expert {id} was added to the panel.").format(id=expert_id)
        if conflicts:
            text += "\n" + ngettext(
                "{n} conflict of interest was detected:", "{n} conflicts of interest were "
                "detected:", len(conflicts)).format(n=len(conflicts))
            text += "\n" + "\n".join(self._conflict_line(c) for c in conflicts)
        self.prompts.info(self, _("Add an expert"), text)

    @Slot()
    def _on_declare_action_triggered(self) -> None:
        from cmrc_desktop.ui.dialogs.expert_conflict import DeclareConflictDialog

        dialog = DeclareConflictDialog(self.ws, self, expert_id=self.selected_expert())
        dialog.conflict_declared.connect(self._on_conflict_declared)
        self._open(dialog)

    def _on_conflict_declared(self, expert_id: str, _centre_id: str) -> None:
        self.refresh()
        self.select_expert(expert_id)

    @Slot()
    def _on_withdraw_action_triggered(self) -> None:
        from cmrc_desktop.ui.dialogs.expert_conflict import WithdrawConflictDialog

        pair = self.selected_conflict()
        if pair is None:
            return
        dialog = WithdrawConflictDialog(self.ws, *pair, self)
        dialog.conflict_withdrawn.connect(self._on_conflict_declared)
        self._open(dialog)

    @Slot()
    def _on_detect_action_triggered(self) -> None:
        from cmrc_desktop.services.panel import detect_conflicts

        try:
            added = detect_conflicts(self.ws)
        except CmrcError as exc:
            self.prompts.error(self, _("Detect conflicts"), error_text(exc))
            return
        self.refresh()
        if not added:
            text = _("No new conflict of interest: the detected ones are up to date.")
        else:
            text = ngettext("{n} new conflict of interest was detected:",
                            "{n} new conflicts of interest were detected:",
                            len(added)).format(n=len(added))
            shown = added[:12]
            text += "\n" + "\n".join(f"{c.expert_id}: {self._conflict_line(c)}"
                                     for c in shown)
            if len(added) > len(shown):
                text += "\n" + _("… and {n} more").format(n=len(added) - len(shown))
            text += "\n\n" + _("Such a pair is no longer assigned unless the expert has "
                                 "already entered scores (those stay).")
        self.prompts.info(self, _("Detect conflicts"), text)

    @Slot()
    def _on_export_action_triggered(self) -> None:
        from cmrc_desktop.ui.dialogs.package_export import PackageExportDialog

        dialog = PackageExportDialog(self.ws, self, expert_id=self.selected_expert(),
                                     prompts=self.prompts, settings=self.settings)
        self._open(dialog)

    def _conflict_line(self, c: Conflict) -> str:
        return "{} {} — {}".format(c.centre_id, self._centre_names.get(c.centre_id, ""),
                                   _(c.reason))

    def _open(self, dialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    # -- slots ---------------------------------------------------------------------------
    @Slot(QModelIndex, QModelIndex)
    def _on_table_current_row_changed(self, _current: QModelIndex,
                                      _previous: QModelIndex) -> None:
        self._show_conflicts()
        self._update_actions()

    @Slot(QModelIndex, QModelIndex)
    def _on_conflicts_current_row_changed(self, _current: QModelIndex,
                                          _previous: QModelIndex) -> None:
        self._update_actions()
