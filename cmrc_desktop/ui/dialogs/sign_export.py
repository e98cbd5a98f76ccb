"""Finalise, sign and export the expert's sheets: one centre, or several at once.

1. **Finalise** — each sheet must have every expert indicator scored; the dialog names
   the indicators still without a score and will not go on for that sheet.
2. **Sign** — an optional hand-drawn signature (``SignaturePad``) and the expert's
   password, which opens the signing key. The opened key is kept in the ``KeySession``
   and the password is not asked again until it has gone unused for 15 minutes.
3. **Export** — a folder (remembered; Documents at first) and the formats. Export
   writes the files and reads them back and verifies them (``services.sheets.
   export_sheet``) before the dialog says "done", listing the files.

The work (opening the key ~0.15 s, then per sheet: finalise, sign, export ~0.2 s) runs
in the background through ``tasks.run_with_progress``. The job opens a workspace of its
own on the same folder — a sqlite3 connection belongs to the thread that opened it —
and closes it before it returns. A wrong password ends the job before anything is
finalised or signed, and the dialog says so and stays open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal, Slot
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QPushButton,
    QTreeWidgetItem,
    QWidget,
)

from cmrc_desktop.domain.errors import CmrcError, InputError
from cmrc_desktop.domain.scheme import Indicator
from cmrc_desktop.domain.workspace import SheetState
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.services.sheets import FORMATS, ExportedSheet
from cmrc_desktop.services.workspace import Workspace
from cmrc_desktop.signing.keys import KeyPair, WrongPassword
from cmrc_desktop.storage import centre_repo, expert_repo, score_repo, signing_repo
from cmrc_desktop.ui import tasks, theme
from cmrc_desktop.ui.forms.ui_sign_export_dialog import Ui_SignExportDialog
from cmrc_desktop.ui.key_session import KeySession
from cmrc_desktop.ui.prompts import Prompts
from cmrc_desktop.ui.settings import Key, Settings

EXPORT_FOLDER: Key[str] = Key("history/export_folder", str, "")


# -- what is to be done, sheet by sheet ---------------------------------------------------
@dataclass(frozen=True)
class SheetPlan:
    """One sheet as the dialog found it: its state, what is missing, whether exported."""

    centre_id: str
    centre_name: str
    state: SheetState
    revision: int
    missing: tuple[Indicator, ...] = ()
    exported: bool = False

    @property
    def ready(self) -> bool:
        """Can go through the dialog: complete (or already final or signed)."""
        return self.state != SheetState.DRAFT or not self.missing

    @property
    def to_sign(self) -> bool:
        return self.ready and self.state != SheetState.SIGNED

    def status_text(self, *, done: bool = False) -> str:
        """What will be done to the sheet (or, ``done``, where it stands now)."""
        if done and self.state == SheetState.SIGNED:
            return _("signed and exported") if self.exported else _("signed")
        if not self.ready:
            ids = ", ".join(i.id for i in self.missing)
            return ngettext("{n} indicator has no score: {ids}",
                            "{n} indicators have no score: {ids}",
                            len(self.missing)).format(n=len(self.missing), ids=ids)
        if self.state == SheetState.DRAFT:
            return _("complete: will be finalised, signed and exported")
        if self.state == SheetState.FINAL:
            return _("finalised: will be signed and exported")
        if self.exported:
            return _("signed and exported: will be exported again")
        return _("signed: will be exported")


def plan_sheet(ws: Workspace, expert_id: str, centre_id: str) -> SheetPlan:
    """Read one sheet (GUI thread, the window's workspace)."""
    db = ws.db
    centre = centre_repo.find_centre(db, centre_id)
    sheet = score_repo.find_sheet(db, expert_id, centre_id)
    state = sheet.state if sheet else SheetState.DRAFT
    revision = sheet.revision if sheet else 1
    scored = {s.indicator for s in score_repo.list_scores(db, expert_id=expert_id,
                                                          centre_id=centre_id)
              if s.value is not None}
    missing = tuple(i for i in ws.scheme.expert_indicators if i.id not in scored)
    exported = state == SheetState.SIGNED and bool(
        signing_repo.exported_formats(db, expert_id, centre_id, revision))
    return SheetPlan(centre_id, centre.name if centre else "", state, revision,
                     missing if state == SheetState.DRAFT else (), exported)


# -- the job ------------------------------------------------------------------------------
@dataclass(frozen=True)
class SignExportRequest:
    """Everything the background job needs; no widget, no connection."""

    workspace: Path
    actor: str
    expert_id: str
    centre_ids: tuple[str, ...]
    folder: Path
    formats: tuple[str, ...] = FORMATS
    password: str = ""
    signature_png: bytes | None = None

    def __repr__(self) -> str:  # the password never reaches a log or a test report
        return (f"SignExportRequest(workspace={str(self.workspace)!r}, "
                f"centres={self.centre_ids!r}, folder={str(self.folder)!r}, "
                f"formats={self.formats!r})")


@dataclass
class SignExportOutcome:
    key: KeyPair | None = None
    wrong_password: str = ""                              # the reason, when it was wrong
    changed: list[str] = field(default_factory=list)      # centres whose sheet changed
    exported: list[ExportedSheet] = field(default_factory=list)
    failed: tuple[str, str] | None = None                 # (centre, message)
    cancelled: bool = False

    @property
    def paths(self) -> list[Path]:
        return [p for e in self.exported for p in e.paths]

    def __repr__(self) -> str:
        return (f"SignExportOutcome(changed={self.changed!r}, paths={self.paths!r}, "
                f"failed={self.failed!r}, wrong_password={bool(self.wrong_password)}, "
                f"cancelled={self.cancelled})")


def sign_and_export(request: SignExportRequest, key: KeyPair | None,
                    ctx: tasks.TaskContext | None = None) -> SignExportOutcome:
    """Open the key (unless given), then for each sheet: finalise, sign, export and
    verify. Runs off the GUI thread on a workspace of its own. Stops at the first
    sheet that fails (``failed``) or when cancelled between sheets; a wrong password
    stops it before anything is written."""
    from cmrc_desktop.services import keyring
    from cmrc_desktop.services.scoring import set_sheet_state
    from cmrc_desktop.services.sheets import export_sheet, sign_sheet
    from cmrc_desktop.services.workspace import open_workspace

    outcome = SignExportOutcome()
    total = 1 + 3 * len(request.centre_ids)
    step = 0

    def report(text: str) -> None:
        nonlocal step
        if ctx is not None:
            ctx.report(step, total, text)
        step += 1

    ws = open_workspace(request.workspace, actor=request.actor)
    try:
        if key is None:
            report(_("Opening your signing key…"))
            try:
                key = keyring.open_own_key(ws, request.password)
            except WrongPassword as exc:
                outcome.wrong_password = str(exc)
                return outcome
            except CmrcError as exc:
                outcome.failed = ("", str(exc))
                return outcome
        else:
            step += 1
        outcome.key = key
        expert = request.expert_id
        for centre in request.centre_ids:
            if ctx is not None and ctx.cancelled:
                outcome.cancelled = True
                break
            try:
                sheet = score_repo.find_sheet(ws.db, expert, centre)
                state = sheet.state if sheet else SheetState.DRAFT
                report(_("{centre}: finalising…").format(centre=centre))
                if state == SheetState.DRAFT:
                    set_sheet_state(ws, expert, centre, SheetState.FINAL)
                    outcome.changed.append(centre)
                    state = SheetState.FINAL
                report(_("{centre}: signing…").format(centre=centre))
                if state == SheetState.FINAL:
                    sign_sheet(ws, expert, centre, key,
                               signature_png=request.signature_png or None)
                    if centre not in outcome.changed:
                        outcome.changed.append(centre)
                report(_("{centre}: writing and verifying the files…").format(centre=centre))
                exported = export_sheet(ws, expert, centre, request.folder, key,
                                        formats=request.formats)
            except CmrcError as exc:
                outcome.failed = (centre, str(exc))
                break
            except OSError as exc:   # a full or pulled-out USB stick, a read-only folder
                from cmrc_desktop.ui.prompts import error_text

                outcome.failed = (centre, error_text(exc))
                break
            if centre not in outcome.changed:
                outcome.changed.append(centre)
            outcome.exported.append(exported)
        if ctx is not None:
            ctx.report(total, total, _("Done"))
    finally:
        ws.close()
    return outcome


def default_export_folder(settings: Settings | None) -> str:
    """The folder used last (if it is still there), else Documents."""
    last = settings.get(EXPORT_FOLDER) if settings is not None else ""
    if last and Path(last).is_dir():
        return last
    return QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())


# -- the dialog ---------------------------------------------------------------------------
class SignExportDialog(QDialog):
    """Finalise, sign and export one centre's sheet (``centre_ids=[id]``) or several
    (``centre_ids`` None: every centre assigned to the expert, to tick).

    ``load(request)`` / ``save() -> SignExportRequest`` (``InputError`` naming the field);
    open it with ``open()`` and listen to ``finished``. ``outcome`` holds the last run.

    Signals:
        sheets_changed(list) — centre ids whose sheet was finalised, signed or exported
            (also after a run that stopped half-way): reload forms and views
        exported(list) — the ``ExportedSheet`` of every sheet, once all were verified
    """

    sheets_changed = Signal(list)
    exported = Signal(list)

    def __init__(self, ws: Workspace, expert_id: str, centre_ids: Sequence[str] | None = None,
                 parent: QWidget | None = None, *, key_session: KeySession | None = None,
                 settings: Settings | None = None, prompts: Prompts | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.expert_id = expert_id
        self.single = centre_ids is not None and len(centre_ids) == 1
        if centre_ids is None:
            centre_ids = [c for _e, c in expert_repo.list_assignments(ws.db,
                                                                       expert_id=expert_id)]
        self.centre_ids = list(centre_ids)
        self.key_session = key_session or KeySession(parent=self)
        self.settings = settings
        self.prompts = prompts or Prompts()
        self.task: tasks.TaskHandle | None = None
        self.outcome: SignExportOutcome | None = None
        self.plans: dict[str, SheetPlan] = {}
        self._done = False
        self._busy = False
        self.ui = Ui_SignExportDialog()
        self.ui.setupUi(self)
        self.ok_button: QPushButton = self.ui.button_box.button(
            QDialogButtonBox.StandardButton.Ok)
        self.close_button: QPushButton = self.ui.button_box.button(
            QDialogButtonBox.StandardButton.Cancel)
        theme.set_muted(self.ui.intro_label)
        theme.set_muted(self.ui.pad_label)
        theme.set_muted(self.ui.key_label)
        self.ui.folder_edit.setText(default_export_folder(settings))
        self.ui.undo_button.clicked.connect(self.ui.signature_pad.undo)
        self.ui.clear_button.clicked.connect(self.ui.signature_pad.clear)
        self.ui.signature_pad.changed.connect(self._on_signature_pad_changed)
        self.ui.folder_button.clicked.connect(self._on_folder_button_clicked)
        self._setup_sheets_list()
        self.ui.sheets_list.itemChanged.connect(self._on_sheets_list_item_changed)
        self.ui.xlsx_check.toggled.connect(self._update_controls)
        self.ui.pdf_check.toggled.connect(self._update_controls)
        self.ui.button_box.accepted.connect(self._on_button_box_accepted)
        self.ui.button_box.rejected.connect(self.reject)
        self.key_session.forgotten.connect(self._on_key_session_forgotten)
        self.ui.centre_label.setVisible(self.single)
        self.ui.sheets_list.setVisible(not self.single)
        if self.single:
            centre = centre_repo.find_centre(ws.db, self.centre_ids[0])
            name = f"{self.centre_ids[0]}  {centre.name}" if centre else self.centre_ids[0]
            self.setWindowTitle(_("Finalise, sign and export — {centre}").format(centre=name))
            self.ui.centre_label.setText(name)
            self.ui.centre_label.setFont(theme.heading_font(self.font(), 1.1))
        self.reload()
        self._show_status("")
        self._update_key_row()
        self._on_signature_pad_changed()
        hint = self.sizeHint()
        self.resize(max(620, hint.width()), hint.height())

    # == public ==========================================================================
    def reload(self) -> None:
        """Read the sheets again and show what will be done to each."""
        self.plans = {c: plan_sheet(self.ws, self.expert_id, c) for c in self.centre_ids}
        listing = self.ui.sheets_list
        listing.blockSignals(True)
        previous = set(self.selected_centres()) if listing.topLevelItemCount() else None
        listing.clear()
        for centre_id, plan in self.plans.items():
            item = QTreeWidgetItem([centre_id, plan.centre_name,
                                    plan.status_text(done=self._done)])
            item.setData(0, Qt.ItemDataRole.UserRole, centre_id)
            item.setToolTip(1, plan.centre_name)
            item.setToolTip(2, "\n".join(f"{i.id}  {i.display}" for i in plan.missing)
                            if plan.missing else plan.status_text())
            flags = Qt.ItemFlag.ItemIsEnabled if plan.ready else Qt.ItemFlag.NoItemFlags
            flags |= Qt.ItemFlag.ItemNeverHasChildren
            if not self.single:
                flags |= Qt.ItemFlag.ItemIsUserCheckable
                wanted = plan.ready and (not plan.exported if previous is None
                                         else centre_id in previous)
                item.setCheckState(0, Qt.CheckState.Checked if wanted
                                   else Qt.CheckState.Unchecked)
            item.setFlags(flags)
            listing.addTopLevelItem(item)
        listing.blockSignals(False)
        listing.resizeColumnToContents(0)
        listing.resizeColumnToContents(2)
        rows = min(listing.topLevelItemCount(), 6)
        row_height = listing.sizeHintForRow(0) if rows else 0
        listing.setFixedHeight(listing.header().sizeHint().height() + rows * row_height
                               + 2 * listing.frameWidth() + 2)
        self._show_plan_summary()
        self._update_controls()

    def items(self) -> dict[str, QTreeWidgetItem]:
        """The row of each centre in the list of sheets."""
        listing = self.ui.sheets_list
        return {listing.topLevelItem(r).data(0, Qt.ItemDataRole.UserRole):
                listing.topLevelItem(r) for r in range(listing.topLevelItemCount())}

    def selected_centres(self) -> list[str]:
        """The centres the run will go through, in the order shown."""
        chosen = []
        for centre_id, item in self.items().items():
            plan = self.plans.get(centre_id)
            if plan is None or not plan.ready:
                continue
            if self.single or item.checkState(0) == Qt.CheckState.Checked:
                chosen.append(centre_id)
        return chosen

    @property
    def needs_password(self) -> bool:
        return not self.key_session.is_open(self.ws.folder)

    def load(self, request: SignExportRequest) -> None:
        self.ui.folder_edit.setText(str(request.folder))
        self.ui.xlsx_check.setChecked("xlsx" in request.formats)
        self.ui.pdf_check.setChecked("pdf" in request.formats)
        self.ui.password_edit.setText(request.password)

    def save(self, *, need_password: bool | None = None) -> SignExportRequest:
        """The request as shown; ``InputError`` (naming the field) if it cannot be used."""
        ui = self.ui
        centres = self.selected_centres()
        if not centres:
            raise InputError(_("no sheet is ready: every indicator must be scored first")
                             if self.single or not any(p.ready for p in self.plans.values())
                             else _("tick at least one sheet"))
        folder_text = ui.folder_edit.text().strip()
        if not folder_text:
            raise InputError(_("choose the folder to export to"), field=_("Folder"))
        folder = Path(folder_text).expanduser()
        if folder.exists() and not folder.is_dir():
            raise InputError(_("this is a file, not a folder"), field=_("Folder"))
        formats = tuple(f for f, check in (("xlsx", ui.xlsx_check), ("pdf", ui.pdf_check))
                        if check.isChecked())
        if not formats:
            raise InputError(_("choose at least one format"), field=_("Formats"))
        if need_password is None:
            need_password = self.needs_password
        password = ui.password_edit.text()
        if need_password and not password:
            raise InputError(_("type the password of your signing key"), field=_("Password"))
        pad = ui.signature_pad
        signature = pad.to_png() if pad.isEnabled() and not pad.is_empty() else None
        return SignExportRequest(workspace=self.ws.folder, actor=self.ws.actor,
                                 expert_id=self.expert_id, centre_ids=tuple(centres),
                                 folder=folder, formats=formats,
                                 password=password if need_password else "",
                                 signature_png=signature)

    def start(self) -> bool:
        """What the main button does: check the fields and start the run (False, with
        the reason shown, when it cannot start)."""
        key = self.key_session.key(self.ws.folder)
        self._update_key_row()
        try:
            request = self.save(need_password=key is None)
        except InputError as exc:
            self._show_status(str(exc), error=True)
            if exc.field == _("Password"):
                self.ui.password_edit.setFocus()
            return False
        self._show_status(_("Working…"))
        self._set_busy(True)
        self.task = tasks.run_with_progress(
            self, _("Signing and exporting…"), partial(sign_and_export, request, key),
            self._on_task_done, on_error=self._on_task_failed)
        return True

    @property
    def busy(self) -> bool:
        """True while the run is going on."""
        return self._busy

    def reject(self) -> None:
        if self.busy:   # the job finishes (or stops at the next sheet) on its own
            if self.task is not None:
                self.task.cancel()
            self._show_status(_("Stopping after the sheet in hand…"))
            return
        super().reject()

    def _setup_sheets_list(self) -> None:
        header = self.ui.sheets_list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        self.ui.sheets_list.setTextElideMode(Qt.TextElideMode.ElideMiddle)

    # == results =========================================================================
    def _on_task_done(self, outcome: SignExportOutcome) -> None:
        self.outcome = outcome
        self.task = None
        self._set_busy(False)
        self.ui.password_edit.clear()
        if outcome.key is not None:
            self.key_session.remember(self.ws.folder, outcome.key)
            outcome.key = None   # the session keeps it; the outcome need not
        self._update_key_row()
        if outcome.changed:
            self.sheets_changed.emit(list(outcome.changed))
        self.reload()
        if outcome.wrong_password:
            self._show_status(_("The password is wrong: nothing was finalised or signed. "
                                "Type the password that protects your signing key "
                                "(the one you chose when you imported your panel "
                                "package)."), error=True)
            self.ui.password_edit.setFocus()
            return
        written = self._files_text(outcome.paths)
        if outcome.failed is not None:
            centre, message = outcome.failed
            text = (_("{centre}: {reason}").format(centre=centre, reason=message) if centre
                    else message)
            text = _("Stopped: {reason}").format(reason=text)
            if written:
                text += "\n\n" + _("Written and verified before that:") + "\n" + written
            self._show_status(text, error=True)
            return
        if outcome.cancelled:
            text = _("Stopped at your request.")
            if written:
                text += "\n\n" + _("Written and verified before that:") + "\n" + written
            self._show_status(text, error=True)
            return
        if self.settings is not None:
            self.settings.set(EXPORT_FOLDER, str(Path(self.ui.folder_edit.text().strip())
                                                 .expanduser()))
            self.settings.sync()
        self._done = True
        self.reload()                  # where the sheets stand now
        self._show_status(ngettext(
            "Done. {n} file was written, read back and verified:",
            "Done. {n} files were written, read back and verified:",
            len(outcome.paths)).format(n=len(outcome.paths)) + "\n" + written)
        self._update_controls()
        self.close_button.setFocus()
        self.exported.emit(list(outcome.exported))

    def _on_task_failed(self, message: str) -> None:
        self.task = None
        self._set_busy(False)
        self.ui.password_edit.clear()
        # something may have been finalised or signed before the failure
        self.sheets_changed.emit(list(self.selected_centres()))
        self.reload()
        self._show_status(_("Stopped: {reason}").format(reason=message), error=True)

    @staticmethod
    def _files_text(paths: Sequence[Path]) -> str:
        return "\n".join(f"  {p}" for p in paths)

    # == showing =========================================================================
    def _show_plan_summary(self) -> None:
        label = self.ui.sheets_label
        if self.single:
            plan = self.plans[self.centre_ids[0]]
            if not plan.ready:
                lines = "\n".join(f"  {i.id}  {i.display}" for i in plan.missing)
                label.setText(ngettext(
                    "The sheet cannot be finalised: {n} indicator has no score yet:",
                    "The sheet cannot be finalised: {n} indicators have no score yet:",
                    len(plan.missing)).format(n=len(plan.missing)) + "\n" + lines + "\n"
                    + _("Score them in the form, then come back."))
                theme.set_error(label)
                return
            text = _("The sheet is signed (revision {revision}) and exported.").format(
                revision=plan.revision) if self._done and plan.exported else {
                SheetState.DRAFT: _("Every indicator is scored. Finalising locks the sheet; "
                                    "to change it afterwards you reopen it, which voids the "
                                    "signature."),
                SheetState.FINAL: _("The sheet is finalised; it will be signed now."),
                SheetState.SIGNED: _("The sheet is signed (revision {revision}); it will be "
                                     "exported again.").format(revision=plan.revision)
                if plan.exported else
                _("The sheet is signed (revision {revision}); it will be exported.").format(
                    revision=plan.revision),
            }[plan.state]
        elif self._done:
            text = _("Signed and exported.")
        else:
            ready = sum(1 for p in self.plans.values() if p.ready)
            text = _("{ready} of {total} sheets are ready. Tick the ones to finalise, sign "
                     "and export; a sheet with indicators still to score cannot be "
                     "finalised.").format(ready=ready, total=len(self.plans))
        label.setText(text)
        label.setPalette(QPalette())

    def _show_status(self, text: str, *, error: bool = False) -> None:
        label = self.ui.status_label
        if error:
            theme.set_error(label)
        else:
            label.setPalette(QPalette())
        label.setText(text)
        label.setVisible(bool(text))

    def _update_key_row(self) -> None:
        ui = self.ui
        need = self.needs_password and not self._done
        ui.password_label.setVisible(need)
        ui.password_edit.setVisible(need)
        if self.needs_password:
            ui.key_label.setText(_("The password opens your signing key. It is asked again "
                                   "after 15 minutes without signing."))
        else:
            minutes = max(1, round(self.key_session.remaining() / 60))
            ui.key_label.setText(ngettext(
                "Your signing key is open: no password needed. It closes after {n} minute "
                "without signing.",
                "Your signing key is open: no password needed. It closes after {n} minutes "
                "without signing.", minutes).format(n=minutes))

    @Slot()
    def _update_controls(self) -> None:
        ui = self.ui
        selected = [self.plans[c] for c in self.selected_centres()]
        signing = any(p.to_sign for p in selected)
        if any(p.state == SheetState.DRAFT for p in selected or self.plans.values()):
            text = _("Finalise, sign and export")
        elif signing:
            text = _("Sign and export")
        else:
            text = _("Export")
        self.ok_button.setText(text)
        formats = ui.xlsx_check.isChecked() or ui.pdf_check.isChecked()
        editable = not self._done and not self.busy
        self.ok_button.setVisible(not self._done)
        self.ok_button.setEnabled(editable and bool(selected) and formats)
        self.ok_button.setDefault(True)
        self.close_button.setText(_("Close") if self._done else _("Cancel"))
        ui.sheets_list.setEnabled(editable)
        for widget in (ui.signature_pad, ui.pad_label):
            widget.setEnabled(editable and signing)
        pad_has_ink = not ui.signature_pad.is_empty()
        ui.undo_button.setEnabled(editable and signing and pad_has_ink)
        ui.clear_button.setEnabled(editable and signing and pad_has_ink)
        for widget in (ui.password_edit, ui.folder_edit, ui.folder_button, ui.xlsx_check,
                       ui.pdf_check):
            widget.setEnabled(editable)
        self._update_key_row()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_controls()

    # == slots ===========================================================================
    @Slot()
    def _on_signature_pad_changed(self) -> None:
        self._update_controls()

    @Slot(QTreeWidgetItem, int)
    def _on_sheets_list_item_changed(self, _item: QTreeWidgetItem, _column: int) -> None:
        self._update_controls()

    @Slot()
    def _on_key_session_forgotten(self) -> None:
        self._update_key_row()

    @Slot()
    def _on_button_box_accepted(self) -> None:
        if self._done:
            self.accept()
            return
        self.start()

    @Slot()
    def _on_folder_button_clicked(self) -> None:
        self.prompts.choose_folder(self, _("Export to folder"), self.ui.folder_edit.text(),
                                   self._on_folder_chosen)

    def _on_folder_chosen(self, folder: str) -> None:
        if folder:
            self.ui.folder_edit.setText(folder)
