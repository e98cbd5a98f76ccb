"""The secretary's centres: every centre of the batch, sorted and filtered by level,
field and status, found by any part of its name, id or host (one Chinese character is
enough), imported from the Excel template, and opened (double-click or Enter) in the
centre's own dialog: details, documents, metrics and, for application schemes, the
formal-review checklist.

The status column is "Sheets received": how many of the assigned experts' sheets the
merge received, with a dot (grey none, amber some, green all, red a conflict to
resolve). Application schemes add "Formal review": passed, failed (which checks) or
how many checks are still open.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, Slot
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QWidget

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.services import dossiers, review
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.main_views import MainView
from cmrc_desktop.ui.models.centres import (
    COL_CITY,
    COL_FIELD,
    COL_HOST,
    COL_ID,
    COL_LEVEL,
    COL_NAME,
    COL_REVIEW,
    CentreFilter,
    CentresModel,
    review_label,
    sheets_label,
)
from cmrc_desktop.ui.prompts import Prompts, error_text
from cmrc_desktop.ui.secretary import centre_import
from cmrc_desktop.ui.settings import Settings

_WIDTH_CAPS = {COL_NAME: 300, COL_LEVEL: 180, COL_FIELD: 180, COL_HOST: 240, COL_CITY: 90}


class CentresView(MainView):
    """The centres table with its tool bar (import, template, automatic checks) and its
    filter bar (level, field, status, search)."""

    view_id = "centres"
    icon_name = "centres"

    def __init__(self, ws: Workspace, parent: QWidget | None = None, *,
                 prompts: Prompts | None = None, settings: Settings | None = None) -> None:
        super().__init__(ws, parent, prompts=prompts, settings=settings)
        self.dialog: QWidget | None = None       # the centre dialog open now (tests)
        self.model = CentresModel(ws, self)
        self.table.setModel(self.model)
        self.table.sortByColumn(COL_ID, Qt.SortOrder.AscendingOrder)
        self.table.setColumnHidden(COL_REVIEW, True)
        self.table.horizontalHeader().setStretchLastSection(False)
        self.activated.connect(self.open_centre)
        self._setup_tool_bar()
        self._setup_filter_bar()

    def title(self) -> str:
        return _("Centres")

    # -- set-up ----------------------------------------------------------------------------
    def _setup_tool_bar(self) -> None:
        bar = self.tool_bar()
        self.action_open = QAction(theme.icon("folder-open"), _("Open centre"), self)
        self.action_open.setToolTip(_("Details, documents and metrics of the selected "
                                      "centre (double-click or Enter)"))
        self.action_open.triggered.connect(self._on_action_open_triggered)
        self.action_import = QAction(theme.icon("package-import"), _("Import centres…"), self)
        self.action_import.setToolTip(_("Read centres and their metrics from a filled-in "
                                        "Excel template (all or nothing)"))
        self.action_import.setShortcut(QKeySequence("Ctrl+I"))
        self.action_import.triggered.connect(self._on_action_import_triggered)
        self.action_template = QAction(_("Save the template…"), self)
        self.action_template.setToolTip(_("Write the Excel template the centres fill in"))
        self.action_template.triggered.connect(self._on_action_template_triggered)
        self.action_checks = QAction(_("Run automatic checks"), self)
        self.action_checks.setToolTip(_("Decide the formal-review checks that follow from "
                                        "reported metrics, for every centre"))
        self.action_checks.triggered.connect(self._on_action_checks_triggered)
        self.action_checks.setVisible(False)
        for action in (self.action_open, self.action_import, self.action_template,
                       self.action_checks):
            bar.addAction(action)

    def _setup_filter_bar(self) -> None:
        self.filter_bar = QWidget(self)
        self.filter_bar.setObjectName("centres_filter_bar")
        row = QHBoxLayout(self.filter_bar)
        row.setContentsMargins(0, 0, 0, 0)
        self.search_edit = QLineEdit(self.filter_bar)
        self.search_edit.setObjectName("centre_search")
        self.search_edit.setPlaceholderText(_("Search name, ID or host"))
        self.search_edit.setAccessibleName(_("Search centres"))
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setMinimumWidth(200)
        self.search_edit.setMaximumWidth(420)
        self.search_edit.textChanged.connect(self._on_search_edit_text_changed)
        self.level_combo = self._combo("level_filter", _("Filter by level"))
        self.field_combo = self._combo("field_filter", _("Filter by disease field"))
        self.status_combo = self._combo("status_filter", _("Filter by status"))
        self.shown_label = QLabel(self.filter_bar)
        theme.set_muted(self.shown_label)
        row.addWidget(self.search_edit, 1)
        row.addWidget(self.level_combo)
        row.addWidget(self.field_combo)
        row.addWidget(self.status_combo)
        row.addWidget(self.shown_label)
        layout = self.layout()
        layout.insertWidget(layout.indexOf(self.table), self.filter_bar)

    def _combo(self, name: str, accessible: str) -> QComboBox:
        combo = QComboBox(self.filter_bar)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.setToolTip(accessible)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        combo.currentIndexChanged.connect(self._on_combo_current_index_changed)
        return combo

    # -- reading ---------------------------------------------------------------------------
    def refresh(self) -> None:
        selected = self.selected_centre()
        try:
            self.model.refresh()
        except CmrcError as exc:
            self.summary_label.setText(error_text(exc))
            return
        has_checks = bool(self.ws.scheme.checks)
        self.action_checks.setVisible(has_checks)
        self.table.setColumnHidden(COL_REVIEW, not has_checks)
        self._fill_combos(has_checks)
        self._update_summary()
        self._fit()
        if selected:
            self.select_centre(selected)

    def _fit(self) -> None:
        """Columns as wide as their text, long names capped (their tooltip has them
        whole), the last column taking what is left."""
        self.table.resizeColumnsToContents()
        header = self.table.horizontalHeader()
        for column, cap in _WIDTH_CAPS.items():
            if header.sectionSize(column) > cap:
                header.resizeSection(column, cap)

    def _fill_combos(self, has_checks: bool) -> None:
        cat = catalog()
        rows = self.model.overviews()
        levels = {r.centre.level for r in rows}
        fields = {r.centre.field for r in rows}
        level_items = [(lv.display, lv.id) for lv in cat.levels if lv.id in levels]
        level_items += [(lv, lv) for lv in sorted(levels - {lv.id for lv in cat.levels})]
        field_items = [(f.display, f.name) for f in cat.fields if f.name in fields]
        field_items += [(f, f) for f in sorted(fields - {f.name for f in cat.fields})]
        status_items = [(sheets_label(s), ("sheets", s)) for s in dossiers.SHEET_STATUSES]
        if has_checks:
            status_items += [(review_label(v), ("review", v))
                             for v in (review.FAILED, review.OPEN, review.PASSED)]
        self._fill(self.level_combo, _("All levels"), level_items)
        self._fill(self.field_combo, _("All disease fields"), field_items)
        self._fill(self.status_combo, _("All statuses"), status_items)
        self.apply_filter()

    @staticmethod
    def _fill(combo: QComboBox, everything: str, items: list[tuple[str, object]]) -> None:
        """New items, keeping the choice when it is still there."""
        current = combo.currentData()
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem(everything, None)
            for text, data in items:
                combo.addItem(text, data)
            where = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(where, 0))
        finally:
            combo.blockSignals(False)

    def _update_summary(self) -> None:
        rows = self.model.overviews()
        total = len(rows)
        counts = {s: 0 for s in dossiers.SHEET_STATUSES}
        for row in rows:
            counts[row.sheets] += 1
        parts = [f"{sheets_label(s)} {n}" for s, n in counts.items() if n]
        text = ngettext("{n} centre in this batch", "{n} centres in this batch",
                        total).format(n=total)
        if parts:
            text += "  ·  " + "  ·  ".join(parts)
        self.summary_label.setText(text)
        if total == 0:
            self.set_note(_("No centres yet: save the template, have it filled in, and "
                            "import it."))
        else:
            self.set_note(_("Double-click a centre to see its documents and metrics."))

    # -- filters -----------------------------------------------------------------------------
    @Slot(str)
    def _on_search_edit_text_changed(self, _text: str) -> None:
        self.apply_filter()

    @Slot(int)
    def _on_combo_current_index_changed(self, _index: int) -> None:
        self.apply_filter()

    def apply_filter(self) -> None:
        """Show the centres the filter bar asks for."""
        status = self.status_combo.currentData()
        kind, value = status if isinstance(status, tuple) else ("", "")
        self.model.set_filter(CentreFilter(
            level=self.level_combo.currentData() or "",
            field=self.field_combo.currentData() or "",
            sheets=value if kind == "sheets" else "",
            review=value if kind == "review" else "",
            text=self.search_edit.text()))
        shown, total = self.model.total_rows, len(self.model.overviews())
        self.shown_label.setText(
            _("{shown} of {total} shown").format(shown=shown, total=total)
            if shown != total else "")

    # -- selection -----------------------------------------------------------------------
    def selected_centre(self) -> str | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isSelected(index):
            return None
        return self.model.row_key(index.row())

    def select_centre(self, centre_id: str) -> bool:
        row = self.model.row_of(centre_id)
        if row is None:
            return False
        index = self.model.index(row, 0)
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.table.scrollTo(index)
        return True

    # -- actions -----------------------------------------------------------------------
    @Slot(str)
    def open_centre(self, centre_id: str) -> QWidget | None:
        """The centre's dialog (window-modal); the table reloads when it changed anything."""
        from cmrc_desktop.ui.secretary.centre_detail import CentreDetailDialog

        try:
            dialog = CentreDetailDialog(self.ws, centre_id, prompts=self.prompts, parent=self)
        except CmrcError as exc:
            self.prompts.error(self, _("Open centre"), error_text(exc))
            return None
        dialog.changed.connect(self._on_dialog_changed)
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot()
    def _on_action_open_triggered(self) -> None:
        centre_id = self.selected_centre()
        if centre_id is None:
            self.prompts.info(self, _("Open centre"), _("Select a centre in the table first."))
            return
        self.open_centre(centre_id)

    @Slot()
    def _on_dialog_changed(self) -> None:
        self.refresh()

    @Slot(int)
    def _on_dialog_finished(self, _result: int) -> None:
        self.dialog = None
        self.table.setFocus()

    @Slot()
    def _on_action_import_triggered(self) -> None:
        centre_import.choose_and_import(self, self.ws, self.prompts, self._on_imported)

    def _on_imported(self, _summary: dossiers.ImportSummary) -> None:
        self.refresh()

    @Slot()
    def _on_action_template_triggered(self) -> None:
        centre_import.choose_and_save_template(self, self.ws, self.prompts)

    @Slot()
    def _on_action_checks_triggered(self) -> None:
        from cmrc_desktop.ui.secretary.centre_review import run_automatic_checks

        run_automatic_checks(self, self.ws, self.prompts, lambda _n: self.refresh())

    @Slot(QModelIndex)
    def _on_table_activated(self, index: QModelIndex) -> None:
        centre_id = self.model.row_key(index.row()) if index.isValid() else None
        if centre_id:
            self.activated.emit(centre_id)
