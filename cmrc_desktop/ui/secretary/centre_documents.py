"""A centre's dossier documents: add a file with its type, open it, remove it with a
reason. Adding copies the file into the workspace (a large PDF takes a while), so it
runs in the background; removing is a soft delete, audited with its reason."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QModelIndex, QStandardPaths, Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.errors import CmrcError, InputError
from cmrc_desktop.domain.workspace import Document, DocumentType, label
from cmrc_desktop.i18n import _
from cmrc_desktop.services import dossiers
from cmrc_desktop.services.workspace import Workspace, attachment_path
from cmrc_desktop.storage import dossier_repo
from cmrc_desktop.ui.dialogs.task_dialog import TaskDialog
from cmrc_desktop.ui.main_views import ID_ROLE, Column, RecordTableModel
from cmrc_desktop.ui.prompts import Prompts, error_text
from cmrc_desktop.ui.scoring_form.documents import (
    ExternalCopies,
    OpenExternal,
    size_text,
    system_open,
)
from cmrc_desktop.ui.secretary.centre_tables import record_table

DOCUMENT_COLUMNS = (Column(lambda: _("Type")), Column(lambda: _("Title")),
                    Column(lambda: _("File")), Column(lambda: _("Size"), numeric=True),
                    Column(lambda: _("Added")))


class DocumentsPanel(QWidget):
    """The documents of one centre, with Add…, Open and Remove….

    Signals:
        changed() — a document was added or removed
    """

    changed = Signal()

    def __init__(self, ws: Workspace, centre_id: str, *, prompts: Prompts,
                 parent: QWidget | None = None,
                 open_external: OpenExternal | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.centre_id = centre_id
        self.prompts = prompts
        self._open_external = open_external or system_open
        self._copies = ExternalCopies()
        self.dialog: QDialog | None = None   # the add or remove dialog open now (tests)
        self.model = RecordTableModel(DOCUMENT_COLUMNS, self)
        self.table = record_table(self, "documents_table", self.model)
        self.table.setAccessibleName(_("Documents"))
        self.table.activated.connect(self._on_table_activated)
        self.empty_label = QLabel(_("No documents yet. Add the application, the annual "
                                    "report and the other files of the dossier."), self)
        self.empty_label.setWordWrap(True)

        self.add_button = QPushButton(_("Add…"), self)
        self.add_button.setObjectName("add_document")
        self.open_button = QPushButton(_("Open"), self)
        self.open_button.setObjectName("open_document")
        self.remove_button = QPushButton(_("Remove…"), self)
        self.remove_button.setObjectName("remove_document")
        self.add_button.clicked.connect(self._on_add_button_clicked)
        self.open_button.clicked.connect(self._on_open_button_clicked)
        self.remove_button.clicked.connect(self._on_remove_button_clicked)
        buttons = QHBoxLayout()
        buttons.addWidget(self.add_button)
        buttons.addWidget(self.open_button)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)

        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.table, 1)
        self.table.selectionModel().selectionChanged.connect(self._on_selection_changed)
        self.reload()

    # -- reading -------------------------------------------------------------------------
    def reload(self) -> None:
        documents = dossier_repo.list_documents(self.ws.db, self.centre_id)
        self._documents = {d.id: d for d in documents}
        rows = [(label(d.doc_type), d.title, d.filename, size_text(d.size),
                 d.added_at[:16].replace("T", " ")) for d in documents]
        self.model.set_rows([str(d.id) for d in documents], rows,
                            sort_keys=[(r[0], r[1], r[2], d.size, r[4])
                                       for r, d in zip(rows, documents, strict=True)],
                            tips=[("", d.title, d.filename, f"{d.size:,} B",
                                   d.added_at) for d in documents])
        self.table.resizeColumnsToContents()
        self.empty_label.setVisible(not documents)
        self._on_selection_changed()

    def count(self) -> int:
        return self.model.rowCount()

    def selected(self) -> Document | None:
        index = self.table.currentIndex()
        if not index.isValid() or not self.table.selectionModel().isSelected(index):
            return None
        doc_id = index.siblingAtColumn(0).data(ID_ROLE)
        return self._documents.get(int(doc_id)) if doc_id else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def _on_selection_changed(self, *_args: object) -> None:
        chosen = self.selected() is not None
        self.open_button.setEnabled(chosen)
        self.remove_button.setEnabled(chosen)

    # -- add ---------------------------------------------------------------------------
    @Slot()
    def _on_add_button_clicked(self) -> None:
        self.add_document()

    def add_document(self) -> AddDocumentDialog:
        dialog = AddDocumentDialog(self.ws, self.centre_id, prompts=self.prompts, parent=self)
        dialog.added.connect(self._on_dialog_added)
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot(object)
    def _on_dialog_added(self, _document: Document) -> None:
        self.reload()
        self.changed.emit()

    # -- open --------------------------------------------------------------------------
    @Slot()
    def _on_open_button_clicked(self) -> None:
        document = self.selected()
        if document is not None:
            self.open_document(document)

    @Slot(QModelIndex)
    def _on_table_activated(self, _index: QModelIndex) -> None:
        document = self.selected()
        if document is not None:
            self.open_document(document)

    def open_document(self, document: Document) -> bool:
        """In the system's program for it: a copy under its own name (the workspace
        stores files by content hash, a name no viewer recognises)."""
        path = attachment_path(self.ws, document.sha256)
        if not path.is_file():
            self.prompts.error(self, document.title, _(
                "The file of this document is missing from the workspace: {file}").format(
                    file=path))
            return False
        try:
            copy = self._copies.copy(path, document.filename)
        except OSError as exc:
            self.prompts.error(self, document.title, error_text(exc))
            return False
        if not self._open_external(copy):
            self.prompts.error(self, document.title, _(
                "No program on this computer opens {file}.").format(file=document.filename))
            return False
        return True

    # -- remove ------------------------------------------------------------------------
    @Slot()
    def _on_remove_button_clicked(self) -> None:
        document = self.selected()
        if document is not None:
            self.remove_document(document)

    def remove_document(self, document: Document) -> ReasonDialog:
        """Ask why, then take the document off the dossier (the file stays stored)."""
        dialog = ReasonDialog(
            _("Remove a document"),
            _("Remove “{title}” ({type}) from the dossier of {centre}? The removal and "
              "its reason are written to the audit log.").format(
                title=document.title, type=label(document.doc_type), centre=self.centre_id),
            self)

        def accepted() -> None:
            try:
                dossiers.remove_document(self.ws, document.id, reason=dialog.reason())
            except CmrcError as exc:
                self.prompts.error(self, _("Remove a document"), error_text(exc))
                return
            self.reload()
            self.changed.emit()

        dialog.accepted.connect(accepted)
        self.dialog = dialog
        dialog.open()
        return dialog


class ReasonDialog(QDialog):
    """Asks for the reason of a removal; OK stays disabled until one is written."""

    def __init__(self, title: str, question: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        text = QLabel(question, self)
        text.setWordWrap(True)
        text.setTextFormat(Qt.TextFormat.PlainText)
        self.reason_edit = QLineEdit(self)
        self.reason_edit.setObjectName("reason_edit")
        self.reason_edit.setPlaceholderText(_("Reason (required)"))
        self.reason_edit.setAccessibleName(_("Reason"))
        self.button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.ok_button = self.button_box.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText(_("Remove"))
        self.ok_button.setEnabled(False)
        self.button_box.accepted.connect(self.accept)
        self.button_box.rejected.connect(self.reject)
        self.reason_edit.textChanged.connect(self._on_reason_edit_text_changed)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(self.reason_edit)
        layout.addWidget(self.button_box)
        self.resize(460, self.sizeHint().height())

    def reason(self) -> str:
        return self.reason_edit.text().strip()

    @Slot(str)
    def _on_reason_edit_text_changed(self, _text: str) -> None:
        self.ok_button.setEnabled(bool(self.reason()))


@dataclass(frozen=True)
class AddRequest:
    folder: Path
    actor: str
    centre_id: str
    doc_type: DocumentType
    path: str
    title: str


@dataclass(frozen=True)
class _Form:
    """What ``TaskDialog`` looks for in ``self.ui``."""

    error_label: QLabel
    button_box: QDialogButtonBox


class AddDocumentDialog(TaskDialog):
    """A file, its type and a title (the file's name when left empty).

    Signals:
        added(Document) — the document was stored and listed under the centre
    """

    added = Signal(object)

    def __init__(self, ws: Workspace, centre_id: str, *, prompts: Prompts,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ws = ws
        self.centre_id = centre_id
        self.prompts = prompts
        self.setWindowTitle(_("Add a document to {centre}").format(centre=centre_id))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.file_edit = QLineEdit(self)
        self.file_edit.setObjectName("file_edit")
        self.file_edit.setAccessibleName(_("File"))
        self.browse_button = QPushButton(_("Browse…"), self)
        self.browse_button.clicked.connect(self._on_browse_button_clicked)
        file_row = QHBoxLayout()
        file_row.addWidget(self.file_edit, 1)
        file_row.addWidget(self.browse_button)
        self.type_combo = QComboBox(self)
        self.type_combo.setObjectName("type_combo")
        for doc_type in DocumentType:
            self.type_combo.addItem(label(doc_type), doc_type)
        self.title_edit = QLineEdit(self)
        self.title_edit.setObjectName("title_edit")
        self.title_edit.setPlaceholderText(_("The file's name"))
        error_label = QLabel(self)
        error_label.setWordWrap(True)
        error_label.setVisible(False)
        button_box = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        button_box.button(QDialogButtonBox.StandardButton.Ok).setText(_("Add"))
        button_box.accepted.connect(self._on_button_box_accepted)
        button_box.rejected.connect(self.reject)
        self.ui = _Form(error_label, button_box)
        form = QFormLayout()
        form.addRow(_("File"), file_row)
        form.addRow(_("Type"), self.type_combo)
        form.addRow(_("Title"), self.title_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(error_label)
        layout.addWidget(button_box)
        self.resize(560, self.sizeHint().height())

    def load(self, path: str = "", doc_type: DocumentType = DocumentType.APPLICATION,
             title: str = "") -> None:
        self.file_edit.setText(path)
        self.type_combo.setCurrentIndex(self.type_combo.findData(doc_type))
        self.title_edit.setText(title)

    def save(self) -> AddRequest:
        path = self.file_edit.text().strip()
        if not path:
            raise InputError(_("choose the file to add"), field=_("File"))
        if not Path(path).is_file():
            raise InputError(_("{file} does not exist or is not a file").format(file=path),
                             field=_("File"))
        return AddRequest(self.ws.folder, self.ws.actor, self.centre_id,
                          DocumentType(self.type_combo.currentData()), path,
                          self.title_edit.text().strip())

    @Slot()
    def _on_button_box_accepted(self) -> None:
        self.submit(_("Adding the document…"), add_job, self.added.emit, self.show_error)

    @Slot()
    def _on_browse_button_clicked(self) -> None:
        start = str(Path(self.file_edit.text()).parent) if self.file_edit.text() else (
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation))
        self.prompts.choose_file(self, _("Choose the document"), start,
                                 _("Documents (*.pdf *.doc *.docx *.xls *.xlsx *.ppt *.pptx "
                                   "*.jpg *.png *.zip);;All files (*)"),
                                 self._on_file_chosen)

    def _on_file_chosen(self, path: str) -> None:
        if path:
            self.file_edit.setText(path)


def add_job(request: AddRequest) -> Document:
    """Off the GUI thread: store the file and list it, on a workspace of its own."""
    from cmrc_desktop.services.workspace import open_workspace

    with open_workspace(request.folder, actor=request.actor) as ws:
        return dossiers.add_document(ws, request.centre_id, request.doc_type, request.path,
                                     title=request.title or None)
