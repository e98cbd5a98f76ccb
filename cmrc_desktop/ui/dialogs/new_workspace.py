"""New evaluation batch: a folder, the batch (name, year, kind, scheme, stage) and the
password of the batch key.

The scheme decides the kind (a performance scheme cannot run an application review), so
the scheme list shows only schemes of the chosen kind, and importing a scheme file sets the
kind to the file's. An imported file is checked by the scheme loader of GRADING.md: every
problem it finds is listed in the dialog at once, and OK is refused until the file is
corrected and imported again or another scheme is chosen. Creating the key takes a moment,
so it runs in the background; the dialog stays open and says why if it is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, Signal, Slot
from PySide6.QtWidgets import QDialogButtonBox, QWidget

from cmrc_desktop.domain.errors import InputError, SchemeError
from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.domain.workspace import BatchKind, Role, Stage, label
from cmrc_desktop.exchange.scheme_text import kind_label
from cmrc_desktop.i18n import _, ngettext
from cmrc_desktop.scoring.builtin import DEFAULT_SCHEME, builtin_schemes
from cmrc_desktop.services.keyring import check_new_password
from cmrc_desktop.services.workspace import DB_NAME
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.dialogs.task_dialog import TaskDialog
from cmrc_desktop.ui.forms.ui_new_workspace_dialog import Ui_NewWorkspaceDialog
from cmrc_desktop.ui.prompts import Prompts

FILE_KEY = "file:"          # the combo's data for an imported scheme: "file:<path>"
PROBLEM_LINES_SHOWN = 6     # the problem list shows this many lines before it scrolls


@dataclass(frozen=True)
class NewBatchRequest:
    folder: Path
    name: str
    year: int
    scheme_id: str
    stage: Stage
    password: str = ""
    kind: BatchKind = BatchKind.PERFORMANCE
    scheme: Scheme | None = field(default=None, compare=False)   # None: built-in scheme_id
    scheme_file: str = ""                                         # where an imported came from

    def __repr__(self) -> str:  # never show the password in a log or a test failure
        return (f"NewBatchRequest(folder={str(self.folder)!r}, name={self.name!r}, "
                f"year={self.year}, kind={self.kind!s}, scheme_id={self.scheme_id!r}, "
                f"scheme_file={self.scheme_file!r}, stage={self.stage!s})")


def create_secretary_workspace(request: NewBatchRequest) -> Path:
    """The use case, run off the GUI thread: the workspace, then the batch key."""
    from cmrc_desktop.scoring.builtin import builtin_scheme
    from cmrc_desktop.services.keyring import create_batch_keys
    from cmrc_desktop.services.workspace import create_workspace

    scheme = request.scheme or builtin_scheme(request.scheme_id)
    ws = create_workspace(request.folder, name=request.name, year=request.year,
                          kind=request.kind, stage=request.stage, scheme=scheme,
                          role=Role.SECRETARY)
    with ws:
        create_batch_keys(ws, request.password)
    return request.folder


def problem_lines(exc: SchemeError) -> list[str]:
    """Every problem of a refused scheme file, each naming its key (the file is named
    once, above the list)."""
    problems = getattr(exc, "problems", None) or [exc]
    return [f"{p.field}: {p.message}" if p.field else p.message for p in problems]


class NewWorkspaceDialog(TaskDialog):
    """Signals:
        created(str) — the folder of the new workspace, after the dialog accepted
    """

    created = Signal(str)

    def __init__(self, parent: QWidget | None = None, *, prompts: Prompts | None = None,
                 start_folder: str = "") -> None:
        super().__init__(parent)
        self.ui = Ui_NewWorkspaceDialog()
        self.ui.setupUi(self)
        self.prompts = prompts or Prompts()
        self._start_folder = start_folder or _documents()
        self._schemes: dict[str, Scheme] = {s.id: s for s in builtin_schemes()}
        self._invalid_file = ""     # the scheme file whose problems are listed
        self._busy = False
        for kind in BatchKind:
            self.ui.kind_combo.addItem(label(kind), str(kind))
        for stage in Stage:
            self.ui.stage_combo.addItem(label(stage), str(stage))
        theme.set_muted(self.ui.scheme_info_label)
        theme.set_error(self.ui.problems_label)
        self.ui.form_layout.setRowVisible(self.ui.problems_box, False)
        self.ui.problems_edit.setMinimumHeight(
            self.ui.problems_edit.fontMetrics().lineSpacing() * PROBLEM_LINES_SHOWN + 12)
        self.ui.error_label.setVisible(False)
        self.ui.folder_button.clicked.connect(self._on_folder_button_clicked)
        self.ui.kind_combo.currentIndexChanged.connect(self._on_kind_combo_current_index_changed)
        self.ui.scheme_combo.currentIndexChanged.connect(
            self._on_scheme_combo_current_index_changed)
        self.ui.scheme_combo.activated.connect(self._on_scheme_combo_activated)
        self.ui.scheme_import_button.clicked.connect(self._on_scheme_import_button_clicked)
        self.ui.button_box.accepted.connect(self._on_button_box_accepted)
        self.ui.button_box.rejected.connect(self.reject)
        self.load(NewBatchRequest(folder=Path(), name="", year=date.today().year,
                                  scheme_id=DEFAULT_SCHEME, stage=Stage.DOSSIER_REVIEW))

    # -- the form ------------------------------------------------------------------------
    def load(self, request: NewBatchRequest) -> None:
        self.ui.folder_edit.setText(str(request.folder) if str(request.folder) != "." else "")
        self.ui.name_edit.setText(request.name)
        self.ui.year_spin.setValue(request.year)
        key = request.scheme_id
        if request.scheme is not None and request.scheme_file:
            key = FILE_KEY + request.scheme_file
            self._schemes[key] = request.scheme
        self._set_kind(request.kind, select=key)
        self.ui.stage_combo.setCurrentIndex(max(self.ui.stage_combo.findData(str(request.stage)),
                                                0))
        self.ui.password_edit.setText(request.password)
        self.ui.confirm_edit.setText(request.password)

    def save(self) -> NewBatchRequest:
        """The request as typed; ``InputError`` (naming the field) if it cannot be used."""
        folder_text = self.ui.folder_edit.text().strip()
        if not folder_text:
            raise InputError(_("choose the folder for the new workspace"), field=_("Folder"))
        folder = Path(folder_text).expanduser()
        if (folder / DB_NAME).exists():
            raise InputError(_("this folder already holds a workspace; open it instead"),
                             field=_("Folder"))
        if folder.exists() and not folder.is_dir():
            raise InputError(_("this is a file, not a folder"), field=_("Folder"))
        name = self.ui.name_edit.text().strip()
        if not name:
            raise InputError(_("the batch needs a name"), field=_("Batch name"))
        kind = self.kind()
        if self._invalid_file:
            raise InputError(_("the scheme file cannot be used; correct it and import it "
                               "again, or choose another scheme"), field=_("Scheme"))
        scheme = self.scheme()
        if scheme is None:
            raise InputError(_("choose a scheme or import a scheme file"), field=_("Scheme"))
        if scheme.kind != kind:
            raise InputError(_("scheme {id} is for {scheme_kind}, not for {kind}").format(
                id=scheme.id, scheme_kind=kind_label(scheme.kind), kind=label(kind)),
                field=_("Scheme"))
        password = self.ui.password_edit.text()
        try:
            check_new_password(password)
        except InputError as exc:
            raise InputError(exc.message, field=_("Password")) from None
        if password != self.ui.confirm_edit.text():
            raise InputError(_("the two passwords differ"), field=_("Repeat the password"))
        key = self.ui.scheme_combo.currentData()
        return NewBatchRequest(folder=folder, name=name, year=self.ui.year_spin.value(),
                               scheme_id=scheme.id,
                               stage=Stage(self.ui.stage_combo.currentData()),
                               password=password, kind=kind, scheme=scheme,
                               scheme_file=key[len(FILE_KEY):] if key.startswith(FILE_KEY)
                               else "")

    def kind(self) -> BatchKind:
        return BatchKind(self.ui.kind_combo.currentData())

    def scheme(self) -> Scheme | None:
        """The scheme chosen in the list (None when the kind has none)."""
        key = self.ui.scheme_combo.currentData()
        return self._schemes.get(key) if key else None

    def import_scheme_file(self, path: str | Path) -> Scheme | None:
        """Check a scheme file; a valid one is added to the list, chosen, and sets the
        kind; an invalid one has its problems listed and blocks OK until it is replaced."""
        from cmrc_desktop.scoring.scheme_loader import load_scheme_file

        path = str(path)
        try:
            scheme = load_scheme_file(path)
        except SchemeError as exc:
            self._show_problems(path, problem_lines(exc))
            return None
        key = FILE_KEY + path
        self._schemes[key] = scheme
        self._show_problems("", [])
        self._set_kind(BatchKind(scheme.kind), select=key)
        return scheme

    # -- helpers -------------------------------------------------------------------------
    def _set_kind(self, kind: BatchKind, *, select: str | None = None) -> None:
        combo = self.ui.kind_combo
        combo.blockSignals(True)
        combo.setCurrentIndex(max(combo.findData(str(kind)), 0))
        combo.blockSignals(False)
        self._fill_schemes(select)

    def _fill_schemes(self, select: str | None = None) -> None:
        """List the schemes of the chosen kind: built-in first, then imported files."""
        combo, kind = self.ui.scheme_combo, self.kind()
        keep = select or combo.currentData()
        combo.blockSignals(True)
        combo.clear()
        for key, scheme in self._schemes.items():
            if scheme.kind != kind:
                continue
            text = f"{scheme.display} ({scheme.id})"
            if key.startswith(FILE_KEY):
                text = _("{scheme} — from {file}").format(scheme=text,
                                                         file=Path(key[len(FILE_KEY):]).name)
            combo.addItem(text, key)
            tip = key[len(FILE_KEY):] if key.startswith(FILE_KEY) else text
            combo.setItemData(combo.count() - 1, tip, Qt.ItemDataRole.ToolTipRole)
        index = combo.findData(keep) if keep else -1
        if index < 0:
            index = max(combo.findData(DEFAULT_SCHEME), 0)
        combo.setCurrentIndex(index if combo.count() else -1)
        combo.blockSignals(False)
        self._show_scheme_info()

    def _show_scheme_info(self) -> None:
        scheme = self.scheme()
        if scheme is None:
            text = _("There is no scheme for {kind} yet; import a scheme file.").format(
                kind=label(self.kind()))
        else:
            text = ngettext("{id}, version {version}: {n} indicator in {d} dimensions, "
                            "total {total} points",
                            "{id}, version {version}: {n} indicators in {d} dimensions, "
                            "total {total} points", len(scheme.indicators)).format(
                id=scheme.id, version=scheme.version, n=len(scheme.indicators),
                d=len(scheme.dimensions), total=plain(scheme.total))
            key = self.ui.scheme_combo.currentData()
            if key.startswith(FILE_KEY):
                text += "\n" + _("Imported from {file}").format(file=key[len(FILE_KEY):])
        self.ui.scheme_info_label.setText(text)
        self.ui.scheme_info_label.setToolTip(text)     # a long path may be cut off
        self._update_ok()

    def _show_problems(self, path: str, lines: list[str]) -> None:
        self._invalid_file = path
        self.ui.form_layout.setRowVisible(self.ui.problems_box, bool(path))
        if path:
            self.ui.problems_label.setText(ngettext(
                "{file} cannot be used: {n} problem. Correct the file and import it again, "
                "or choose a scheme from the list.",
                "{file} cannot be used: {n} problems. Correct the file and import it again, "
                "or choose a scheme from the list.", len(lines)).format(
                    file=Path(path).name, n=len(lines)))
            self.ui.problems_label.setToolTip(path)
            self.ui.problems_edit.setPlainText("\n".join(f"• {line}" for line in lines))
        else:
            self.ui.problems_label.clear()
            self.ui.problems_edit.clear()
        self._update_ok()

    def _update_ok(self) -> None:
        ok = self.ui.button_box.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(not self._busy and not self._invalid_file and self.scheme() is not None)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self._update_ok()

    # -- slots ---------------------------------------------------------------------------
    @Slot()
    def _on_folder_button_clicked(self) -> None:
        self.prompts.choose_folder(self, _("Folder for the new workspace"),
                                   self.ui.folder_edit.text() or self._start_folder,
                                   self.ui.folder_edit.setText)

    @Slot(int)
    def _on_kind_combo_current_index_changed(self, _index: int) -> None:
        self._fill_schemes()

    @Slot(int)
    def _on_scheme_combo_current_index_changed(self, _index: int) -> None:
        self._show_scheme_info()

    @Slot(int)
    def _on_scheme_combo_activated(self, _index: int) -> None:
        """The user chose a scheme from the list: a refused file is no longer in play."""
        if self._invalid_file:
            self._show_problems("", [])

    @Slot()
    def _on_scheme_import_button_clicked(self) -> None:
        self.prompts.choose_file(self, _("Import a scheme file"), self._start_folder,
                                 _("Scheme files (*.toml)"), self._on_scheme_file_chosen)

    def _on_scheme_file_chosen(self, path: str) -> None:
        if path:
            self.import_scheme_file(path)

    @Slot()
    def _on_button_box_accepted(self) -> None:
        self.submit(_("Creating the workspace and the batch key…"), create_secretary_workspace,
                    lambda folder: self.created.emit(str(folder)), self.show_error)


def _documents() -> str:
    return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
