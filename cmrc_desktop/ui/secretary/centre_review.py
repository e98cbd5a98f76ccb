"""The formal review (形式审查) of one centre: the scheme's checklist, each check with
its verdict (passed, failed, not checked), how it was decided (automatically from a
reported metric, or ticked by a person) and a note.

A check that names a metric is decided by ``services.review.run_automatic_checks`` for
every centre at once (in the background: it writes a verdict and an audit row per
centre and check); any check can be ticked by hand with a note
(``services.review.set_check``), which also overrides an automatic verdict.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QModelIndex, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.services import review
from cmrc_desktop.services.review import ChecklistItem
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.ui import tasks, theme
from cmrc_desktop.ui.main_views import ID_ROLE, Column, RecordTableModel
from cmrc_desktop.ui.prompts import Prompts, error_text
from cmrc_desktop.ui.secretary.centre_tables import record_table

COL_CHECK, COL_RULE, COL_VERDICT, COL_HOW, COL_NOTE = range(5)
CHECK_COLUMNS = (Column(lambda: _("Check")), Column(lambda: _("Rule")),
                 Column(lambda: _("Verdict"), toned=True), Column(lambda: _("Decided by")),
                 Column(lambda: _("Note")))
_VERDICTS = (True, False, None)


def verdict_label(passed: bool | None) -> str:
    return {True: _("Passed"), False: _("Failed"), None: _("Not checked")}[passed]


def verdict_tone(passed: bool | None) -> str:
    return {True: theme.GOOD, False: theme.BAD, None: theme.IDLE}[passed]


def rule_text(item: ChecklistItem) -> str:
    check = item.check
    if not check.metric:
        return _("checked by hand")
    metric = catalog().metric(check.metric)
    name = metric.display if metric else check.metric
    return _("{metric} ≥ {value}").format(metric=name, value=plain(check.at_least))


class ReviewPanel(QWidget):
    """The checklist of one centre and the verdict editor under it.

    Signals:
        changed() — a verdict was saved (here, or by the automatic checks)
    """

    changed = Signal()

    def __init__(self, ws: Workspace, centre_id: str, *, prompts: Prompts,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.centre_id = centre_id
        self.prompts = prompts
        self._items: dict[str, ChecklistItem] = {}
        self.summary_label = QLabel(self)
        self.summary_label.setWordWrap(True)
        self.auto_button = QPushButton(_("Run automatic checks"), self)
        self.auto_button.setObjectName("run_automatic_checks")
        self.auto_button.setToolTip(_("Decide the checks that follow from reported metrics, "
                                      "for every centre of the batch"))
        self.auto_button.clicked.connect(self._on_auto_button_clicked)
        self.model = RecordTableModel(CHECK_COLUMNS, self)
        self.table = record_table(self, "checks_table", self.model, wrap=True)
        self.table.setAccessibleName(_("Formal review"))
        self.table.horizontalHeader().setSectionResizeMode(COL_CHECK,
                                                           QHeaderView.ResizeMode.Stretch)
        self.table.horizontalHeader().setStretchLastSection(False)

        self.editor = QGroupBox(_("Verdict of the selected check"), self)
        self.verdict_group = QButtonGroup(self)
        self.verdict_buttons: dict[bool | None, QRadioButton] = {}
        row = QHBoxLayout()
        for n, passed in enumerate(_VERDICTS):
            button = QRadioButton(verdict_label(passed), self.editor)
            self.verdict_group.addButton(button, n)
            self.verdict_buttons[passed] = button
            row.addWidget(button)
        row.addStretch(1)
        self.note_edit = QLineEdit(self.editor)
        self.note_edit.setObjectName("check_note")
        self.note_edit.setPlaceholderText(_("Note (what was looked at, why it failed)"))
        self.note_edit.setAccessibleName(_("Note"))
        self.save_button = QPushButton(_("Save the verdict"), self.editor)
        self.save_button.setObjectName("save_check")
        self.save_button.clicked.connect(self._on_save_button_clicked)
        note_row = QHBoxLayout()
        note_row.addWidget(self.note_edit, 1)
        note_row.addWidget(self.save_button)
        editor_layout = QVBoxLayout(self.editor)
        editor_layout.addLayout(row)
        editor_layout.addLayout(note_row)

        top = QHBoxLayout()
        top.addWidget(self.summary_label, 1)
        top.addWidget(self.auto_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.editor)
        self.table.selectionModel().currentRowChanged.connect(
            self._on_current_row_changed)
        self.reload()

    # -- reading -------------------------------------------------------------------------
    def reload(self) -> None:
        current = self.selected_check()
        items = review.checklist(self.ws, self.centre_id)
        self._items = {i.check.id: i for i in items}
        rows, tips = [], []
        for item in items:
            result = item.result
            how = "" if result is None else (_("automatic") if result.automatic
                                              else result.actor)
            rows.append((f"{item.check.id}  {item.check.display}", rule_text(item),
                         verdict_label(item.passed), how, result.note if result else ""))
            tips.append((f"{item.check.name}\n{item.check.name_en}", "", "",
                         result.at if result else "", result.note if result else ""))
        self.model.set_rows([i.check.id for i in items], rows, tips=tips,
                            tones=[verdict_tone(i.passed) for i in items])
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setSectionResizeMode(COL_CHECK,
                                                           QHeaderView.ResizeMode.Stretch)
        passed = sum(1 for i in items if i.passed is True)
        failed = [i.check.id for i in items if i.passed is False]
        undecided = sum(1 for i in items if i.passed is None)
        text = _("{passed} of {total} checks passed").format(passed=passed, total=len(items))
        if failed:
            text += "  ·  " + _("failed: {checks}").format(checks=", ".join(failed))
        if undecided:
            text += "  ·  " + ngettext("{n} not checked yet", "{n} not checked yet",
                                       undecided).format(n=undecided)
        self.summary_label.setText(text)
        if current is not None:
            self.select_check(current)
        elif items:
            self.select_check(items[0].check.id)
        self._show_selected()

    def selected_check(self) -> str | None:
        index = self.table.currentIndex()
        return str(index.siblingAtColumn(0).data(ID_ROLE)) if index.isValid() else None

    def select_check(self, check_id: str) -> None:
        for row in range(self.model.rowCount()):
            if self.model.row_id(row) == check_id:
                self.table.selectRow(row)
                return

    def item(self, check_id: str) -> ChecklistItem:
        return self._items[check_id]

    @Slot(QModelIndex, QModelIndex)
    def _on_current_row_changed(self, _current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_selected()

    def _show_selected(self) -> None:
        check_id = self.selected_check()
        item = self._items.get(check_id) if check_id else None
        self.editor.setEnabled(item is not None)
        if item is None:
            return
        self.editor.setTitle(_("Verdict of {check}").format(check=item.check.id))
        self.verdict_buttons[item.passed].setChecked(True)
        self.note_edit.setText(item.result.note if item.result else "")

    # -- writing -------------------------------------------------------------------------
    def set_verdict(self, passed: bool | None, note: str = "") -> None:
        """As if the user ticked ``passed``, wrote ``note`` and pressed Save."""
        self.verdict_buttons[passed].setChecked(True)
        self.note_edit.setText(note)
        self.save_button.click()

    @Slot()
    def _on_save_button_clicked(self) -> None:
        check_id = self.selected_check()
        if check_id is None:
            return
        passed = _VERDICTS[self.verdict_group.checkedId()] \
            if self.verdict_group.checkedId() >= 0 else None
        try:
            review.set_check(self.ws, self.centre_id, check_id, passed,
                             self.note_edit.text().strip())
        except CmrcError as exc:
            self.prompts.error(self, _("Formal review"), error_text(exc))
            return
        self.reload()
        self.changed.emit()

    @Slot()
    def _on_auto_button_clicked(self) -> None:
        run_automatic_checks(self, self.ws, self.prompts, self._on_checks_done)

    def _on_checks_done(self, _decided: int) -> None:
        self.reload()
        self.changed.emit()


def run_automatic_checks(parent: QWidget, ws: Workspace, prompts: Prompts,
                         on_done: Callable[[int], None]) -> tasks.TaskHandle:
    """Decide every metric-based check for every centre, in the background; says how
    many verdicts it reached."""
    folder, actor = ws.folder, ws.actor
    title = _("Run automatic checks")

    def job(_ctx: tasks.TaskContext) -> tuple[int, int]:
        from cmrc_desktop.services.workspace import open_workspace

        with open_workspace(folder, actor=actor) as own:
            results = review.run_automatic_checks(own)
        return len(results), sum(1 for r in results if r.passed is None)

    def done(counts: tuple[int, int]) -> None:
        total, undecided = counts
        on_done(total)
        text = ngettext("{n} automatic check decided.", "{n} automatic checks decided.",
                        total - undecided).format(n=total - undecided)
        if undecided:
            text += " " + ngettext(
                "{n} could not be decided: the metric is not reported.",
                "{n} could not be decided: the metric is not reported.",
                undecided).format(n=undecided)
        prompts.info(parent, title, text)

    return tasks.run_with_progress(parent, _("Running the automatic checks…"), job, done,
                                   on_error=lambda message: prompts.error(parent, title,
                                                                          message))
