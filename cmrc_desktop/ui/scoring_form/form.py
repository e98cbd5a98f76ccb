"""The expert's scoring form for one centre (评分表).

What the expert sees is what the database holds: a score is committed (with its audit
row, by ``services.scoring.record_score``) the moment it is accepted — Enter or leaving
the field — and only then marked saved. A refused value stays on screen, marked not
saved, with the reason under the field. There is no Save button.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from functools import partial

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QAction, QKeySequence, QUndoStack
from PySide6.QtWidgets import QLabel, QLayout, QPlainTextEdit, QStyle, QWidget

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.domain.workspace import SheetState, label
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.builtin import catalog
from cmrc_desktop.scoring.grading import automatic_points
from cmrc_desktop.services import declarations, scoring
from cmrc_desktop.services.sheets import sheet_metrics
from cmrc_desktop.services.workspace import Workspace, attachment_path
from cmrc_desktop.storage import centre_repo, dossier_repo, expert_repo, score_repo
from cmrc_desktop.ui.forms.ui_scoring_form import Ui_ScoringForm
from cmrc_desktop.ui.prompts import Prompts, error_text
from cmrc_desktop.ui.scoring_form.commands import SetScoreCommand
from cmrc_desktop.ui.scoring_form.documents import (
    DocumentRow,
    ExternalCopies,
    OpenExternal,
    PdfViewerDialog,
    is_pdf,
    system_open,
)
from cmrc_desktop.ui.scoring_form.failures import opinion_failure_text, score_failure_text
from cmrc_desktop.ui.scoring_form.look import Tone, reapply_tones, scaled_font, set_tone
from cmrc_desktop.ui.scoring_form.rows import DimensionHeader, IndicatorRow, evidence_text
from cmrc_desktop.ui.scoring_form.score_input import CommentEdit, ScoreEdit, check_score

OPINION_FIELDS = ("achievements", "problems", "recommendations")
_SAVE_ERRORS = (CmrcError, sqlite3.Error, OSError)


def _text(value: Decimal | None) -> str:
    return "" if value is None else plain(value)


class ScoringForm(QWidget):
    """One expert's scoresheet for one centre, with autosave, undo and the declarations.

    Signals:
        score_saved(str): the score or comment of this indicator was committed.
        completeness_changed(int, int): indicators scored, indicators to score.
        save_failed(str): a write was refused or failed; the message says why.
        saved_state_changed(bool): True when everything on screen is in the database.
        unlocked(): the declarations are made (now or earlier); scoring may start.
        sheet_state_changed(str): this form changed the sheet's state (reopened it).

    ``undo_action`` and ``redo_action`` (Ctrl+Z, Ctrl+Shift+Z) act while the focus is
    in the form; a main window may put the same actions in its Edit menu. Call
    ``flush()`` before closing to commit typing not yet committed, and ``reload()``
    after changing the sheet elsewhere (finalising, signing).
    """

    score_saved = Signal(str)
    completeness_changed = Signal(int, int)
    save_failed = Signal(str)
    saved_state_changed = Signal(bool)
    unlocked = Signal()
    sheet_state_changed = Signal(str)

    OPINION_IDLE_MS = 1000

    def __init__(self, ws: Workspace, expert_id: str, centre_id: str,
                 parent: QWidget | None = None, *, prompts: Prompts | None = None,
                 open_external: OpenExternal | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.expert_id = expert_id
        self.centre_id = centre_id
        self.prompts = prompts or Prompts()
        self._open_external = open_external or system_open
        self._copies = ExternalCopies()
        self.ui = Ui_ScoringForm()
        self.ui.setupUi(self)
        # the form is usually embedded; alone, it must not push size hints to the window
        # system on every page change (the offscreen platform warns about it)
        self.ui.root_layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        self.undo_stack = QUndoStack(self)
        self._rows: dict[str, IndicatorRow] = {}
        self._headers: dict[str, DimensionHeader] = {}
        self._summary_dimensions: dict[str, QLabel] = {}
        self._saved: dict[str, Decimal | None] = {}
        self._saved_comments: dict[str, str] = {}
        self._failed: set[str] = set()
        self._comment_failed: set[str] = set()
        self._opinion_saved: dict[str, str] = dict.fromkeys(OPINION_FIELDS, "")
        self._opinion_failed: set[str] = set()
        self._opinion_problem = ""   # why the last opinion write failed, while one has
        self._opinion_timers: dict[str, QTimer] = {}
        self._automatic: dict[str, Decimal] = {}
        self._viewers: list[PdfViewerDialog] = []
        self._state = SheetState.DRAFT
        self._revision = 1
        self._unlocked = False
        self._last_completeness: tuple[int, int] | None = None
        self._last_all_saved: bool | None = None
        self._build()
        self.reload()
        if self._unlocked:
            self._focus_first_empty()
        else:
            self.ui.conflict_check.setFocus(Qt.FocusReason.OtherFocusReason)

    # == public =========================================================================
    @property
    def read_only(self) -> bool:
        return self._state != SheetState.DRAFT

    @property
    def is_unlocked(self) -> bool:
        return self._unlocked

    @property
    def sheet_state(self) -> SheetState:
        return self._state

    def score_edit(self, indicator_id: str) -> ScoreEdit:
        edit = self._rows[indicator_id].score_edit
        assert edit is not None, f"{indicator_id} is scored automatically"
        return edit

    def comment_edit(self, indicator_id: str) -> CommentEdit:
        edit = self._rows[indicator_id].comment_edit
        assert edit is not None, f"{indicator_id} is scored automatically"
        return edit

    def row(self, indicator_id: str) -> IndicatorRow:
        return self._rows[indicator_id]

    def opinion_edit(self, field: str) -> QPlainTextEdit:
        return self._opinion_edits()[field]

    def saved_scores(self) -> dict[str, Decimal | None]:
        """The scores as the database holds them (and the form shows them saved)."""
        return dict(self._saved)

    def total(self) -> Decimal:
        return sum((v for v in self._saved.values() if v is not None), Decimal(0)) + sum(
            self._automatic.values(), Decimal(0))

    def completeness(self) -> tuple[int, int]:
        scored = sum(1 for v in self._saved.values() if v is not None)
        return scored, len(self._saved)

    def unsaved_count(self) -> int:
        count = 0
        for indicator_id, row in self._rows.items():
            if row.score_edit is None:
                continue
            if row.score_edit.dirty or indicator_id in self._failed:
                count += 1
            assert row.comment_edit is not None
            if row.comment_edit.text() != self._saved_comments.get(indicator_id, ""):
                count += 1
        for field, edit in self._opinion_edits().items():
            if edit.toPlainText() != self._opinion_saved[field] or field in self._opinion_failed:
                count += 1
        return count

    def all_saved(self) -> bool:
        return self.unsaved_count() == 0

    def flush(self) -> bool:
        """Commit every acceptable edit still on screen; True when all is saved."""
        if self._unlocked and not self.read_only:
            for indicator_id, row in self._rows.items():
                if row.score_edit is not None and (row.score_edit.dirty
                                                   or indicator_id in self._failed):
                    self._commit_score(indicator_id)
                if row.comment_edit is not None:
                    self._save_comment(indicator_id)
            for field in OPINION_FIELDS:
                self._save_opinion(field)
        return self.all_saved()

    def reload(self) -> None:
        """Read the sheet, its scores, comments, opinion and declarations again."""
        db = self.ws.db
        sheet = score_repo.find_sheet(db, self.expert_id, self.centre_id)
        self._state = sheet.state if sheet else SheetState.DRAFT
        self._revision = sheet.revision if sheet else 1
        stored = {s.indicator: s for s in score_repo.list_scores(
            db, expert_id=self.expert_id, centre_id=self.centre_id)}
        self._failed.clear()
        self._comment_failed.clear()
        for indicator_id, row in self._rows.items():
            if row.score_edit is None:
                continue
            score = stored.get(indicator_id)
            value = score.value if score else None
            comment = score.comment if score else ""
            self._saved[indicator_id] = value
            self._saved_comments[indicator_id] = comment
            row.score_edit.show_saved(_text(value))
            assert row.comment_edit is not None
            row.comment_edit.setText(comment)
            row.show_state(saved=True, has_value=value is not None, message=None)
        opinion = score_repo.find_opinion(db, self.expert_id, self.centre_id)
        self._opinion_failed.clear()
        self._opinion_problem = ""
        for field, edit in self._opinion_edits().items():
            text = getattr(opinion, field) if opinion else ""
            self._opinion_saved[field] = text
            self._opinion_timers[field].stop()
            edit.blockSignals(True)
            edit.setPlainText(text)
            edit.blockSignals(False)
        self.undo_stack.clear()
        declaration = declarations.find_declaration(self.ws, self.expert_id, self.centre_id)
        self._show_declaration(declaration)
        self._apply_read_only()
        self._update_totals()
        self._update_saved_state()

    # == building =======================================================================
    def _build(self) -> None:
        ui = self.ui
        scheme = self.ws.scheme
        db = self.ws.db
        centre = centre_repo.get_centre(db, self.centre_id)
        expert = expert_repo.get_expert(db, self.expert_id)
        metrics = sheet_metrics(self.ws, self.centre_id)
        names = catalog()

        ui.title_label.setText(centre.name)
        ui.title_label.setFont(scaled_font(self.font(), 1.45, bold=True))
        ui.subtitle_label.setText(" · ".join(
            part for part in (centre.id, centre.host, centre.field) if part))
        set_tone(ui.subtitle_label, Tone.MUTED)
        ui.total_label.setFont(scaled_font(self.font(), 1.3, bold=True))
        ui.completeness_label.setFont(scaled_font(self.font(), 1.1))
        ui.scroll_area.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        ui.splitter.setStretchFactor(0, 1)
        ui.splitter.setStretchFactor(1, 0)
        ui.splitter.setSizes([900, 300])

        # indicator rows, dimension by dimension
        ui.summary_layout.addRow(_("Expert"), self._value_label(expert.name))
        self._state_value = self._value_label("")
        self._state_value.setWordWrap(True)   # "draft · revision 2" wraps, never clipped
        ui.summary_layout.addRow(_("State"), self._state_value)
        self._integrity_value = self._value_label("")
        ui.summary_layout.addRow(_("Research integrity"), self._integrity_value)
        for dimension in scheme.dimensions:
            indicators = scheme.indicators_of(dimension.id)
            if not indicators:
                continue
            header = DimensionHeader(dimension, sum((i.max for i in indicators), Decimal(0)),
                                     ui.rows_container)
            self._headers[dimension.id] = header
            ui.rows_layout.addWidget(header)
            subtotal = self._value_label("")
            self._summary_dimensions[dimension.id] = subtotal
            ui.summary_layout.addRow(f"{dimension.id}  {dimension.display}", subtotal)
            for indicator in indicators:
                points, metric_name = None, ""
                if indicator.automatic:
                    metric_id = (indicator.source_metric or "").removeprefix("metric:")
                    metric = names.metric(metric_id)
                    metric_name = metric.display if metric else metric_id
                    if metric_id in metrics:
                        points = automatic_points(scheme, indicator, metrics[metric_id])
                        self._automatic[indicator.id] = points
                row = IndicatorRow(indicator, evidence_text(indicator, metrics, names),
                                   automatic_points=points, automatic_metric=metric_name,
                                   parent=ui.rows_container)
                self._rows[indicator.id] = row
                ui.rows_layout.addWidget(row)
                if row.score_edit is not None and row.comment_edit is not None:
                    self._saved[indicator.id] = None
                    self._wire_row(indicator.id, row)
        self._total_value = self._value_label("")
        total_title = QLabel(_("Total"))
        total_title.setFont(scaled_font(self.font(), 1.0, bold=True))
        ui.summary_layout.addRow(total_title, self._total_value)
        self._total_value.setFont(scaled_font(self.font(), 1.0, bold=True))

        # opinion
        for field, edit in self._opinion_edits().items():
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.setInterval(self.OPINION_IDLE_MS)
            timer.timeout.connect(partial(self._save_opinion, field))
            self._opinion_timers[field] = timer
            edit.setObjectName(f"{field}_edit")
            edit.textChanged.connect(partial(self._on_opinion_text_changed, field))
            edit.installEventFilter(self)

        self._build_documents()
        self._build_actions()

        # declarations and the read-only banner
        ui.conflict_check.toggled.connect(self._on_declaration_changed)
        ui.integrity_no_radio.toggled.connect(self._on_declaration_changed)
        ui.integrity_yes_radio.toggled.connect(self._on_declaration_changed)
        ui.integrity_note_edit.textChanged.connect(self._on_declaration_changed)
        ui.declare_button.clicked.connect(self._on_declare_button_clicked)
        ui.reopen_button.clicked.connect(self._on_reopen_button_clicked)
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation)
        ui.readonly_icon.setPixmap(icon.pixmap(22, 22))
        set_tone(ui.declare_error_label, Tone.ERROR)
        ui.opinion_state_label.setWordWrap(True)    # a failure says what to do: long
        set_tone(ui.conflict_hint, Tone.MUTED)
        ui.declarations_box.setFont(scaled_font(self.font(), 1.05))

        self._set_texts()
        self._set_tab_order()
        self._on_declaration_changed()

    def _set_texts(self) -> None:
        ui = self.ui
        ui.declarations_box.setTitle(_("Before you score this centre"))
        ui.declarations_intro.setText(_(
            "Please answer both questions. Your answers are kept in the audit log with "
            "your name and the time; the form opens when they are given."))
        ui.conflict_check.setText(_("I have no conflict of interest with this centre, and I "
                                    "keep the dossier and my opinion confidential"))
        ui.conflict_hint.setText(_(
            "If you do have one (for example, you work at the host institution or at a "
            "member of its network), do not score this centre and tell the secretary."))
        ui.integrity_label.setText(_(
            "Did you find falsification or another serious breach of research integrity?"))
        ui.integrity_no_radio.setText(_("No"))
        ui.integrity_yes_radio.setText(_("Yes"))
        ui.integrity_note_label.setText(_("What did you find? (required when the answer "
                                          "is yes)"))
        ui.declare_button.setText(_("Confirm and start scoring"))
        ui.reopen_button.setText(_("Reopen for editing"))
        ui.opinion_group.setTitle(_("Expert opinion"))
        ui.achievements_label.setText(_("Main achievements"))
        ui.problems_label.setText(_("Problems"))
        ui.recommendations_label.setText(_("Recommendations"))
        ui.summary_group.setTitle(_("Scoresheet"))
        ui.documents_group.setTitle(_("Dossier documents"))
        ui.documents_empty_label.setText(_("This centre's dossier has no documents."))
        ui.achievements_edit.setAccessibleName(_("Main achievements"))
        ui.problems_edit.setAccessibleName(_("Problems"))
        ui.recommendations_edit.setAccessibleName(_("Recommendations"))

    def _value_label(self, text: str) -> QLabel:
        value = QLabel(text)
        value.setTextFormat(Qt.TextFormat.PlainText)
        value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return value

    def _wire_row(self, indicator_id: str, row: IndicatorRow) -> None:
        score, comment = row.score_edit, row.comment_edit
        assert score is not None and comment is not None
        score.textEdited.connect(partial(self._on_score_text_edited, indicator_id))
        score.entered.connect(partial(self._on_score_entered, indicator_id))
        score.left.connect(partial(self._on_score_left, indicator_id))
        comment.editingFinished.connect(partial(self._save_comment, indicator_id))
        comment.textEdited.connect(self._update_saved_state)
        score.installEventFilter(self)
        comment.installEventFilter(self)

    def _build_documents(self) -> None:
        documents = dossier_repo.list_documents(self.ws.db, self.centre_id)
        self._document_rows: list[DocumentRow] = []
        layout = self.ui.documents_layout
        for document in documents:
            row = DocumentRow(document, self.ui.documents_group)
            row.open_requested.connect(self._on_document_open_requested)
            layout.insertWidget(layout.count() - 1, row)
            self._document_rows.append(row)
        self.ui.documents_empty_label.setVisible(not documents)

    def _build_actions(self) -> None:
        self.undo_action = QAction(_("Undo"), self)
        self.undo_action.setShortcuts(QKeySequence.StandardKey.Undo)
        self.redo_action = QAction(_("Redo"), self)
        redo_keys = list(QKeySequence.keyBindings(QKeySequence.StandardKey.Redo))
        ctrl_shift_z = QKeySequence("Ctrl+Shift+Z")
        if ctrl_shift_z not in redo_keys:
            redo_keys.insert(0, ctrl_shift_z)
        self.redo_action.setShortcuts(redo_keys)
        for action in (self.undo_action, self.redo_action):
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            self.addAction(action)
        self.undo_action.triggered.connect(self._on_undo_action_triggered)
        self.redo_action.triggered.connect(self._on_redo_action_triggered)
        self.undo_stack.indexChanged.connect(self._update_undo_actions)
        self.undo_stack.cleanChanged.connect(self._update_undo_actions)
        self._update_undo_actions()

    def _set_tab_order(self) -> None:
        chain: list[QWidget] = []
        for row in self._rows.values():
            if row.score_edit is not None and row.comment_edit is not None:
                chain += [row.score_edit, row.comment_edit]
        chain += list(self._opinion_edits().values())
        chain += [row.open_button for row in self._document_rows]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    def _opinion_edits(self) -> dict[str, QPlainTextEdit]:
        return {"achievements": self.ui.achievements_edit, "problems": self.ui.problems_edit,
                "recommendations": self.ui.recommendations_edit}

    # == declarations and state =========================================================
    def _show_declaration(self, declaration: declarations.Declaration | None) -> None:
        self._unlocked = declaration is not None and declaration.no_conflict
        if self._unlocked:
            assert declaration is not None
            self._integrity_value.setText(_("breach reported") if declaration.integrity_concern
                                          else _("no breach found"))
        self.ui.stack.setCurrentWidget(self.ui.scoring_page if self._unlocked
                                       else self.ui.declarations_page)
        for widget in (self.ui.save_state_label, self.ui.completeness_label,
                       self.ui.total_label):
            widget.setVisible(self._unlocked)

    def _apply_read_only(self) -> None:
        read_only = self.read_only
        for row in self._rows.values():
            for edit in (row.score_edit, row.comment_edit):
                if edit is not None:
                    edit.setReadOnly(read_only)
        for edit in self._opinion_edits().values():
            edit.setReadOnly(read_only)
        banner = self.ui.readonly_banner
        banner.setVisible(read_only and self._unlocked)
        if self._state == SheetState.SIGNED:
            self.ui.readonly_label.setText(_(
                "This sheet is signed (revision {revision}) and cannot be changed.").format(
                    revision=self._revision))
        else:
            self.ui.readonly_label.setText(_("This sheet is finalised and cannot be "
                                             "changed."))
        self._state_value.setText(f"{label(self._state)} · " + _("revision {revision}")
                                  .format(revision=self._revision))
        self._update_undo_actions()

    @Slot()
    def _on_declaration_changed(self) -> None:
        ui = self.ui
        concern = ui.integrity_yes_radio.isChecked()
        ui.integrity_note_label.setVisible(concern)
        ui.integrity_note_edit.setVisible(concern)
        answered = ui.integrity_no_radio.isChecked() or (
            concern and bool(ui.integrity_note_edit.toPlainText().strip()))
        ui.declare_button.setEnabled(ui.conflict_check.isChecked() and answered)
        ui.declare_error_label.setVisible(bool(ui.declare_error_label.text()))

    @Slot()
    def _on_declare_button_clicked(self) -> None:
        ui = self.ui
        try:
            declaration = declarations.record_declaration(
                self.ws, self.expert_id, self.centre_id,
                no_conflict=ui.conflict_check.isChecked(),
                integrity_concern=ui.integrity_yes_radio.isChecked(),
                note=ui.integrity_note_edit.toPlainText())
        except _SAVE_ERRORS as exc:
            ui.declare_error_label.setText(error_text(exc))
            ui.declare_error_label.setVisible(True)
            return
        ui.declare_error_label.setText("")
        self._show_declaration(declaration)
        self._apply_read_only()
        self.unlocked.emit()
        self._focus_first_empty()

    def _focus_first_empty(self) -> None:
        edits = [row.score_edit for row in self._rows.values() if row.score_edit is not None]
        target = next((e for e in edits if not e.text()), edits[0] if edits else None)
        if target is not None:
            target.setFocus(Qt.FocusReason.OtherFocusReason)

    @Slot()
    def _on_reopen_button_clicked(self) -> None:
        if self._state == SheetState.SIGNED:
            self.prompts.confirm(
                self, _("Reopen a signed sheet"),
                _("Editing a signed sheet creates revision {next} and voids the signature "
                  "of revision {revision}; you will have to finalise and sign it again. "
                  "Reopen it for editing?").format(next=self._revision + 1,
                                                   revision=self._revision),
                self._on_reopen_answered)
        else:
            self._reopen()

    def _on_reopen_answered(self, yes: bool) -> None:
        if yes:
            self._reopen()

    def _reopen(self) -> None:
        try:
            scoring.set_sheet_state(self.ws, self.expert_id, self.centre_id,
                                    SheetState.DRAFT)
        except _SAVE_ERRORS as exc:
            self.prompts.error(self, _("Reopen for editing"), error_text(exc))
            return
        self.reload()
        self.sheet_state_changed.emit(str(self._state))

    # == scores =========================================================================
    def _on_score_text_edited(self, indicator_id: str, text: str) -> None:
        row = self._rows[indicator_id]
        assert row.score_edit is not None
        value, problem = check_score(row.indicator, text)
        self._failed.discard(indicator_id)
        row.show_state(saved=not row.score_edit.dirty, has_value=bool(text.strip()),
                       message=problem)
        self._update_saved_state()

    def _on_score_entered(self, indicator_id: str) -> None:
        if self.read_only:
            self.score_edit(indicator_id).focusNextChild()
        elif self._commit_score(indicator_id):
            self.score_edit(indicator_id).focusNextChild()

    def _on_score_left(self, indicator_id: str) -> None:
        if self._unlocked and not self.read_only:
            edit = self.score_edit(indicator_id)
            if edit.dirty or indicator_id in self._failed:
                self._commit_score(indicator_id)

    def _commit_score(self, indicator_id: str) -> bool:
        """Commit the text of the score field; False when it is refused or fails."""
        row = self._rows[indicator_id]
        edit = row.score_edit
        assert edit is not None
        value, problem = check_score(row.indicator, edit.text())
        if problem:
            row.show_state(saved=False, has_value=True, message=problem)
            self._update_saved_state()
            return False
        old = self._saved[indicator_id]
        if value == old and indicator_id not in self._failed:
            edit.show_saved(_text(value))      # ４．５ is shown as 4.5 once accepted
            row.show_state(saved=True, has_value=value is not None, message=None)
            self._update_saved_state()
            return True
        if not self._write_score(indicator_id, value):
            return False
        self.undo_stack.push(SetScoreCommand(self._write_from_history, indicator_id, old,
                                             value))
        return True

    def _write_score(self, indicator_id: str, value: Decimal | None) -> bool:
        row = self._rows[indicator_id]
        assert row.score_edit is not None
        try:
            scoring.record_score(self.ws, self.expert_id, self.centre_id, indicator_id, value)
        except _SAVE_ERRORS as exc:
            message = score_failure_text(exc)
            self._failed.add(indicator_id)
            row.show_state(saved=False, has_value=True, message=message)
            self._update_saved_state()
            self.save_failed.emit(message)
            return False
        self._failed.discard(indicator_id)
        self._saved[indicator_id] = value
        row.score_edit.show_saved(_text(value))
        row.show_state(saved=True, has_value=value is not None, message=None)
        self._update_totals()
        self._update_saved_state()
        self.score_saved.emit(indicator_id)
        return True

    def _write_from_history(self, indicator_id: str, value: Decimal | None) -> bool:
        """Undo and redo: write the value back and show where it changed."""
        written = self._write_score(indicator_id, value)
        self.ui.scroll_area.ensureWidgetVisible(self._rows[indicator_id], 0, 40)
        return written

    def _save_comment(self, indicator_id: str) -> None:
        if not self._unlocked or self.read_only:
            return
        row = self._rows[indicator_id]
        edit = row.comment_edit
        assert edit is not None
        text = edit.text()
        if text == self._saved_comments.get(indicator_id, ""):
            return
        try:
            scoring.record_score(self.ws, self.expert_id, self.centre_id, indicator_id,
                                 self._saved[indicator_id], comment=text)
        except _SAVE_ERRORS as exc:
            message = score_failure_text(exc)
            self._comment_failed.add(indicator_id)
            row.show_state(saved=False, has_value=True, message=message)
            self._update_saved_state()
            self.save_failed.emit(message)
            return
        self._saved_comments[indicator_id] = text
        if indicator_id in self._comment_failed:
            self._comment_failed.discard(indicator_id)
            if indicator_id not in self._failed:    # else the score's failure stays shown
                self._on_score_text_edited(indicator_id, self.score_edit(indicator_id).text())
        self._update_saved_state()
        self.score_saved.emit(indicator_id)

    @Slot()
    def _on_undo_action_triggered(self) -> None:
        if not self.read_only:
            self.undo_stack.undo()

    @Slot()
    def _on_redo_action_triggered(self) -> None:
        if not self.read_only:
            self.undo_stack.redo()

    @Slot()
    def _update_undo_actions(self) -> None:
        editable = not self.read_only
        self.undo_action.setEnabled(editable and self.undo_stack.canUndo())
        self.redo_action.setEnabled(editable and self.undo_stack.canRedo())
        self.undo_action.setToolTip(self.undo_stack.undoText())
        self.redo_action.setToolTip(self.undo_stack.redoText())

    # == opinion ========================================================================
    def _on_opinion_text_changed(self, field: str) -> None:
        if self.read_only:
            return
        self._opinion_timers[field].start()
        self._update_saved_state()

    def _save_opinion(self, field: str) -> bool:
        self._opinion_timers[field].stop()
        if not self._unlocked or self.read_only:
            return False
        text = self._opinion_edits()[field].toPlainText()
        if text == self._opinion_saved[field] and field not in self._opinion_failed:
            return True
        try:
            scoring.record_opinion(self.ws, self.expert_id, self.centre_id, **{field: text})
        except _SAVE_ERRORS as exc:
            message = opinion_failure_text(exc)
            self._opinion_failed.add(field)
            self._opinion_problem = message
            self._update_saved_state()
            self.save_failed.emit(message)
            return False
        self._opinion_failed.discard(field)
        if not self._opinion_failed:
            self._opinion_problem = ""
        self._opinion_saved[field] = text
        self._update_saved_state()
        return True

    # == documents ======================================================================
    @Slot(int)
    def _on_document_open_requested(self, document_id: int) -> None:
        self.open_document(document_id)

    def open_document(self, document_id: int) -> PdfViewerDialog | None:
        """Show a dossier document: a PDF in a viewer window (returned), any other file
        in the system's program for it."""
        document = dossier_repo.get_document(self.ws.db, document_id)
        path = attachment_path(self.ws, document.sha256)
        if not path.is_file():
            self.prompts.error(self, document.title, _(
                "The file of this document is missing from the workspace: {file}").format(
                    file=path))
            return None
        if is_pdf(document, path):
            viewer = PdfViewerDialog(path, document.title, self)
            self._viewers = [v for v in self._viewers if v.isVisible()] + [viewer]
            viewer.show()
            return viewer
        try:
            copy = self._copies.copy(path, document.filename)
        except OSError as exc:
            self.prompts.error(self, document.title, error_text(exc))
            return None
        if not self._open_external(copy):
            self.prompts.error(self, document.title, _(
                "No program on this computer opens {file}.").format(file=document.filename))
        return None

    # == totals and saved state =========================================================
    def _update_totals(self) -> None:
        scheme = self.ws.scheme
        for dimension_id, header in self._headers.items():
            subtotal = Decimal(0)
            for indicator in scheme.indicators_of(dimension_id):
                value = self._saved.get(indicator.id) if not indicator.automatic else \
                    self._automatic.get(indicator.id)
                if value is not None:
                    subtotal += value
            header.set_subtotal(subtotal)
            self._summary_dimensions[dimension_id].setText(
                f"{plain(subtotal)} / {plain(header.maximum)}")
        total = self.total()
        self.ui.total_label.setText(_("Total {value} / {max}").format(
            value=plain(total), max=plain(scheme.total)))
        self._total_value.setText(f"{plain(total)} / {plain(scheme.total)}")
        scored, to_score = self.completeness()
        self.ui.completeness_label.setText(_("{scored} / {total} scored").format(
            scored=scored, total=to_score))
        if (scored, to_score) != self._last_completeness:
            self._last_completeness = (scored, to_score)
            self.completeness_changed.emit(scored, to_score)

    @Slot()
    def _update_saved_state(self) -> None:
        unsaved = self.unsaved_count()
        label_ = self.ui.save_state_label
        if unsaved:
            label_.setText("● " + _("Not saved ({count})").format(count=unsaved))
            set_tone(label_, Tone.WARNING)
        else:
            label_.setText("✓ " + _("All changes saved"))
            set_tone(label_, Tone.SAVED)
        opinion_unsaved = any(
            edit.toPlainText() != self._opinion_saved[f] or f in self._opinion_failed
            for f, edit in self._opinion_edits().items())
        opinion_label = self.ui.opinion_state_label
        if self._opinion_problem and self._opinion_failed:
            opinion_label.setText("● " + self._opinion_problem)
            set_tone(opinion_label, Tone.ERROR)
        elif opinion_unsaved:
            opinion_label.setText("● " + _("Not saved"))
            set_tone(opinion_label, Tone.WARNING)
        else:
            opinion_label.setText("✓ " + _("Saved") if any(self._opinion_saved.values())
                                  else "")
            set_tone(opinion_label, Tone.SAVED)
        if (unsaved == 0) != self._last_all_saved:
            self._last_all_saved = unsaved == 0
            self.saved_state_changed.emit(unsaved == 0)

    # == events =========================================================================
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind == QEvent.Type.FocusOut and isinstance(watched, QPlainTextEdit):
            for field, edit in self._opinion_edits().items():
                if edit is watched:
                    self._save_opinion(field)
        elif kind == QEvent.Type.FocusIn and isinstance(watched, ScoreEdit | CommentEdit):
            self.ui.scroll_area.ensureWidgetVisible(watched, 50, 60)
        return super().eventFilter(watched, event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.PaletteChange:
            reapply_tones(self)
        super().changeEvent(event)
