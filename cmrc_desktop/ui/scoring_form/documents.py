"""The centre's dossier documents beside the form: a list with an Open button each.

A PDF opens inside the program (QtPdf's ``QPdfView`` in its own window, so the expert
can read and score side by side); any other file is copied under its own name into a
temporary folder and handed to the system viewer (the workspace stores attachments by
content hash, without a name a viewer could recognise).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDir, Qt, QTemporaryDir, QUrl, Signal, Slot
from PySide6.QtGui import QDesktopServices
from PySide6.QtPdf import QPdfDocument
from PySide6.QtPdfWidgets import QPdfView
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.workspace import Document, label
from cmrc_desktop.i18n import _
from cmrc_desktop.ui.scoring_form.look import Tone, set_tone

OpenExternal = Callable[[Path], bool]

_PDF_MAGIC = b"%PDF-"
_ZOOM_STEP = 1.25


def system_open(path: Path) -> bool:
    """Open a file with the program the system associates with it."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def is_pdf(document: Document, path: Path) -> bool:
    if document.filename.lower().endswith(".pdf"):
        return True
    try:
        with path.open("rb") as fh:
            return fh.read(len(_PDF_MAGIC)) == _PDF_MAGIC
    except OSError:
        return False


def size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


class DocumentRow(QWidget):
    """Type and title, file name and size, and the Open button.

    Signals:
        open_requested(int): the Open button was pressed (the document id).
    """

    open_requested = Signal(int)

    def __init__(self, document: Document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        text = QVBoxLayout()
        text.setSpacing(1)
        self.title_label = QLabel(document.title)
        self.title_label.setWordWrap(True)
        self.title_label.setTextFormat(Qt.TextFormat.PlainText)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.title_label.setSizePolicy(policy)
        font = self.title_label.font()
        font.setBold(True)
        self.title_label.setFont(font)
        self.detail_label = QLabel(f"{label(document.doc_type)} · {size_text(document.size)}")
        self.detail_label.setToolTip(document.filename)
        self.title_label.setToolTip(document.filename)
        self.detail_label.setWordWrap(True)
        self.detail_label.setTextFormat(Qt.TextFormat.PlainText)
        set_tone(self.detail_label, Tone.MUTED)
        text.addWidget(self.title_label)
        text.addWidget(self.detail_label)
        layout.addLayout(text, 1)
        self.open_button = QPushButton(_("Open"))
        self.open_button.setObjectName(f"open_document_{document.id}")
        self.open_button.setAccessibleName(_("Open {title}").format(title=document.title))
        self.open_button.clicked.connect(self._on_open_button_clicked)
        layout.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignVCenter)

    @Slot()
    def _on_open_button_clicked(self) -> None:
        self.open_requested.emit(self.document.id)


class PdfViewerDialog(QDialog):
    """A PDF of the dossier in its own window, pages one under the other, fit to width."""

    def __init__(self, path: Path, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.document = QPdfDocument(self)
        self.view = QPdfView(self)
        self.view.setPageMode(QPdfView.PageMode.MultiPage)
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)
        self.view.setDocument(self.document)
        self.error = self.document.load(str(path))

        tools = QHBoxLayout()
        self.pages_label = QLabel(_("Pages: {count}").format(count=self.document.pageCount()))
        self.zoom_out_button = QPushButton(_("Zoom out"))
        self.zoom_in_button = QPushButton(_("Zoom in"))
        self.fit_button = QPushButton(_("Fit width"))
        self.zoom_out_button.clicked.connect(self._on_zoom_out_button_clicked)
        self.zoom_in_button.clicked.connect(self._on_zoom_in_button_clicked)
        self.fit_button.clicked.connect(self._on_fit_button_clicked)
        tools.addWidget(self.pages_label, 1)
        for button in (self.zoom_out_button, self.zoom_in_button, self.fit_button):
            tools.addWidget(button)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetNoConstraint)
        layout.addLayout(tools)
        if self.error != QPdfDocument.Error.None_:
            problem = QLabel(_("This PDF cannot be shown ({reason}).").format(
                reason=self.error.name))
            problem.setWordWrap(True)
            layout.addWidget(problem)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(860, 1000)

    @property
    def loaded(self) -> bool:
        return self.document.status() == QPdfDocument.Status.Ready

    @Slot()
    def _on_zoom_in_button_clicked(self) -> None:
        self._zoom(_ZOOM_STEP)

    @Slot()
    def _on_zoom_out_button_clicked(self) -> None:
        self._zoom(1 / _ZOOM_STEP)

    @Slot()
    def _on_fit_button_clicked(self) -> None:
        self.view.setZoomMode(QPdfView.ZoomMode.FitToWidth)

    def _zoom(self, factor: float) -> None:
        # from "fit to width" the current factor is not known: start from 100 %
        current = (self.view.zoomFactor()
                   if self.view.zoomMode() == QPdfView.ZoomMode.Custom else 1.0)
        self.view.setZoomMode(QPdfView.ZoomMode.Custom)
        self.view.setZoomFactor(max(0.25, min(4.0, current * factor)))


class ExternalCopies:
    """Named copies of attachments for the system viewer, removed with this object."""

    def __init__(self) -> None:
        self._dir: QTemporaryDir | None = None

    def copy(self, source: Path, filename: str) -> Path:
        """``source`` as ``<temporary folder>/<its hash>/<filename>``."""
        if self._dir is None or not self._dir.isValid():
            self._dir = QTemporaryDir(QDir.tempPath() + "/cmrc-dossier-XXXXXX")
        folder = Path(self._dir.path()) / source.name[:16]
        folder.mkdir(exist_ok=True)
        target = folder / (Path(filename).name or source.name)
        if not target.exists():
            shutil.copyfile(source, target)
        return target
