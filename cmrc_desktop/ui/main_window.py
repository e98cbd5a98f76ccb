"""The main window: menus, toolbar, a sidebar of main views and the status bar.

Holds the form of ``ui/main_window.ui`` as ``self.ui``. One workspace is open at a time;
which views it shows depends on its role (an expert's "My centres"; the secretary's
centres, experts, returns and results). Everything the window does is a call to the
services; messages, confirmations and file choosers go through the injected
``Prompts``.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from PySide6.QtCore import QByteArray, QEvent, QSize, QStandardPaths, Qt, Signal, Slot
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QListWidgetItem,
    QMainWindow,
    QWidget,
)

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.domain.workspace import Role, label
from cmrc_desktop.i18n import _, language
from cmrc_desktop.services.workspace import Workspace, open_workspace
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.dialogs.package_import import PACKAGE_SUFFIX
from cmrc_desktop.ui.forms.ui_main_window import Ui_MainWindow
from cmrc_desktop.ui.main_views import EXPERT_VIEWS, SECRETARY_VIEWS, MainView
from cmrc_desktop.ui.prompts import Prompts, error_text
from cmrc_desktop.ui.settings import (
    LANGUAGE,
    LAST_FOLDER,
    WINDOW_GEOMETRY,
    WINDOW_STATE,
    Settings,
)

APP_TITLE = "CMRC Desktop"
WELCOME_PAGE = 0
_SIDEBAR_STYLE = """
QListWidget#view_list {
    background: palette(window);
    border: none;
    border-right: 1px solid palette(midlight);
    padding-top: 10px;
    outline: 0;
}
QListWidget#view_list::item {
    padding: 7px 10px;
    margin: 1px 8px;
    border-radius: 6px;
}
QListWidget#view_list::item:hover:!selected {
    background: palette(midlight);
}
QListWidget#view_list::item:selected {
    background: palette(highlight);
    color: palette(highlighted-text);
}
"""


class MainWindow(QMainWindow):
    """Signals:
        workspace_opened(str) — the folder of the workspace now shown
        workspace_closed() — the workspace was closed; the start page is shown
        centre_activated(str) — the expert opened a centre in "My centres"
    """

    workspace_opened = Signal(str)
    workspace_closed = Signal()
    centre_activated = Signal(str)

    def __init__(self, settings: Settings, prompts: Prompts | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        self.prompts = prompts or Prompts()
        self.workspace: Workspace | None = None
        self.views: list[MainView] = []
        self.dialog: QWidget | None = None          # the dialog open now (tests look)
        self.ui = Ui_MainWindow()
        self.ui.setupUi(self)
        self.setWindowIcon(theme.app_icon())
        self._view_actions = QActionGroup(self)
        self._view_actions.setExclusive(True)
        self._setup_actions()
        self._setup_sidebar()
        self._setup_welcome()
        self._setup_status_bar()
        self._restore_window()
        self._rebuild_recent()
        self._show_welcome()
        self.scoring_windows: dict[str, ScoringWindow] = {}
        self.centre_activated.connect(self.open_scoring_form)

    # -- set-up ------------------------------------------------------------------------
    def _setup_actions(self) -> None:
        ui = self.ui
        for action, icon_name in ((ui.action_new_workspace, "folder-new"),
                                  (ui.action_open_workspace, "folder-open"),
                                  (ui.action_import_package, "package-import"),
                                  (ui.action_quit, "quit"),
                                  (ui.action_about, "about")):
            action.setIcon(theme.icon(icon_name))
        ui.action_new_workspace.setShortcut(QKeySequence.StandardKey.New)
        ui.action_open_workspace.setShortcut(QKeySequence.StandardKey.Open)
        ui.action_import_package.setShortcut(QKeySequence("Ctrl+I"))
        ui.action_close_workspace.setShortcut(QKeySequence.StandardKey.Close)
        ui.action_quit.setShortcut(QKeySequence("Ctrl+Q"))   # also on Windows (no standard)
        ui.action_new_workspace.triggered.connect(self.show_new_workspace_dialog)
        ui.action_open_workspace.triggered.connect(self.choose_workspace)
        ui.action_import_package.triggered.connect(self._on_action_import_package_triggered)
        ui.action_close_workspace.triggered.connect(self.close_workspace)
        ui.action_quit.triggered.connect(self.close)
        ui.action_about.triggered.connect(self.show_about)
        ui.action_show_toolbar.toggled.connect(ui.main_toolbar.setVisible)
        ui.main_toolbar.visibilityChanged.connect(ui.action_show_toolbar.setChecked)
        ui.main_toolbar.toggleViewAction().setVisible(False)

        self.action_refresh = QAction(_("&Refresh"), self)
        self.action_refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        self.action_refresh.triggered.connect(self.refresh_current_view)
        ui.menu_view.insertAction(ui.action_show_toolbar, self.action_refresh)
        ui.menu_view.insertSeparator(ui.action_show_toolbar)
        self._views_separator = ui.menu_view.insertSeparator(self.action_refresh)
        self._views_separator.setVisible(False)

        languages = QActionGroup(self)
        for action, lang in ((ui.action_language_zh, "zh_CN"), (ui.action_language_en, "en")):
            languages.addAction(action)
            action.setData(lang)
            action.setChecked(lang == language())
        languages.triggered.connect(self._on_languages_triggered)

        ui.menu_recent.aboutToShow.connect(self._rebuild_recent)

    def _setup_sidebar(self) -> None:
        ui = self.ui
        ui.view_list.setStyleSheet(_SIDEBAR_STYLE)
        ui.view_list.currentRowChanged.connect(self._on_view_list_current_row_changed)
        ui.splitter.setStretchFactor(0, 0)
        ui.splitter.setStretchFactor(1, 1)
        ui.splitter.setSizes([200, 1000])

    def _setup_welcome(self) -> None:
        ui = self.ui
        ui.welcome_icon.setPixmap(theme.app_icon().pixmap(QSize(48, 48)))
        ui.welcome_title.setFont(theme.heading_font(self.font(), 1.8))
        theme.set_muted(ui.welcome_text)
        theme.set_muted(ui.drop_hint)
        ui.recent_label.setFont(theme.heading_font(self.font(), 1.1))
        ui.open_button.setIcon(theme.icon("folder-open"))
        ui.import_button.setIcon(theme.icon("package-import"))
        ui.new_button.setIcon(theme.icon("folder-new"))
        ui.open_button.clicked.connect(self.choose_workspace)
        ui.import_button.clicked.connect(self._on_action_import_package_triggered)
        ui.new_button.clicked.connect(self.show_new_workspace_dialog)
        ui.recent_list.itemActivated.connect(self._on_recent_list_item_activated)

    def _setup_status_bar(self) -> None:
        self.role_label = QLabel(self)
        self.batch_label = QLabel(self)
        self.scheme_label = QLabel(self)
        self.folder_label = QLabel(self)
        self._status_separators: list[QFrame] = []
        for number, (widget, name) in enumerate(((self.role_label, "status_role"),
                                                 (self.batch_label, "status_batch"),
                                                 (self.scheme_label, "status_scheme"),
                                                 (self.folder_label, "status_folder"))):
            if number:
                line = QFrame(self)
                line.setFrameShape(QFrame.Shape.VLine)
                line.setFrameShadow(QFrame.Shadow.Sunken)
                self._status_separators.append(line)
                self.ui.status_bar.addPermanentWidget(line)
            widget.setObjectName(name)
            widget.setContentsMargins(6, 0, 6, 0)
            widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.ui.status_bar.addPermanentWidget(widget)
        self.ui.status_bar.setSizeGripEnabled(True)

    # -- window state ------------------------------------------------------------------
    def _restore_window(self) -> None:
        geometry = self.settings.get(WINDOW_GEOMETRY)
        if not geometry.isEmpty():
            self.restoreGeometry(geometry)
        state = self.settings.get(WINDOW_STATE)
        if not state.isEmpty():
            self.restoreState(state)

    def _save_window(self) -> None:
        self.settings.set(WINDOW_GEOMETRY, QByteArray(self.saveGeometry()))
        self.settings.set(WINDOW_STATE, QByteArray(self.saveState()))
        self.settings.sync()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.ApplicationPaletteChange,
                            QEvent.Type.PaletteChange):
            # a style sheet resolves palette(…) when it is set: set it again (light ↔ dark)
            self.ui.view_list.setStyleSheet("")
            self.ui.view_list.setStyleSheet(_SIDEBAR_STYLE)
        super().changeEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self._save_window()
        self.close_workspace()
        event.accept()

    # -- workspaces --------------------------------------------------------------------
    def load_workspace(self, folder: str | Path) -> Workspace:
        """Open the workspace in ``folder`` and show its views; raises ``CmrcError``."""
        folder = Path(folder).expanduser()
        ws = open_workspace(folder)
        try:
            views = [cls(ws) for cls in self._view_classes(ws)]
        except BaseException:
            ws.close()
            raise
        self.close_workspace()
        self.workspace = ws
        for view in views:
            self._add_view(view)
        self._show_workspace_info(ws)
        self.settings.add_recent_workspace(folder)
        self.settings.set(LAST_FOLDER, str(folder.absolute().parent))
        self._rebuild_recent()
        self.ui.view_list.setVisible(True)
        self.ui.action_close_workspace.setEnabled(True)
        self.action_refresh.setEnabled(True)
        self.show_view(views[0].view_id)
        self.workspace_opened.emit(str(folder))
        return ws

    def open_workspace_path(self, folder: str | Path) -> bool:
        """``load_workspace``, with a message instead of an exception."""
        try:
            self.load_workspace(folder)
        except (CmrcError, OSError, sqlite3.Error) as exc:
            if not Path(folder).exists():
                self.settings.remove_recent_workspace(folder)
                self._rebuild_recent()
            self.prompts.error(self, _("Cannot open the workspace"), error_text(exc))
            return False
        return True

    @Slot(str)
    def open_scoring_form(self, centre_id: str) -> ScoringWindow | None:
        """The expert's scoring form for one centre, in a window of its own (several
        centres can be open side by side); it saves every accepted value at once."""
        ws = self.workspace
        if ws is None or not ws.batch.owner_expert_id:
            return None
        window = self.scoring_windows.get(centre_id)
        if window is None:
            window = ScoringWindow(ws, ws.batch.owner_expert_id, centre_id, self.prompts, self)
            window.closed.connect(self._on_scoring_window_closed)
            self.scoring_windows[centre_id] = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    @Slot(str)
    def _on_scoring_window_closed(self, centre_id: str) -> None:
        self.scoring_windows.pop(centre_id, None)
        self.refresh_current_view()

    @Slot()
    def close_workspace(self) -> None:
        if self.workspace is None:
            return
        for window in list(self.scoring_windows.values()):
            window.close()  # flushes what was typed before the workspace closes
        self.ui.view_list.blockSignals(True)
        self.ui.view_list.clear()
        self.ui.view_list.blockSignals(False)
        for view in self.views:
            self.ui.view_stack.removeWidget(view)
            view.deleteLater()
        for action in self._view_actions.actions():
            self._view_actions.removeAction(action)
            self.ui.menu_view.removeAction(action)
            action.deleteLater()
        self.views = []
        self._views_separator.setVisible(False)
        self.workspace.close()
        self.workspace = None
        self._show_welcome()
        self.workspace_closed.emit()

    @staticmethod
    def _view_classes(ws: Workspace) -> tuple[type[MainView], ...]:
        return EXPERT_VIEWS if ws.batch.role == Role.EXPERT else SECRETARY_VIEWS

    def _add_view(self, view: MainView) -> None:
        number = len(self.views) + 1
        self.views.append(view)
        self.ui.view_stack.addWidget(view)
        item = QListWidgetItem(theme.icon(view.icon_name), view.title())
        item.setData(Qt.ItemDataRole.UserRole, view.view_id)
        self.ui.view_list.addItem(item)
        action = QAction(theme.icon(view.icon_name), view.title(), self)
        action.setCheckable(True)
        action.setData(view.view_id)
        if number <= 9:
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
        action.triggered.connect(lambda _checked=False, v=view.view_id: self._show_and_focus(v))
        self._view_actions.addAction(action)
        self.ui.menu_view.insertAction(self._views_separator, action)
        self._views_separator.setVisible(True)
        if view.view_id == "my_centres":
            view.activated.connect(self.centre_activated)

    def _show_welcome(self) -> None:
        self.ui.view_stack.setCurrentIndex(WELCOME_PAGE)
        self.ui.view_list.setVisible(False)
        self.ui.action_close_workspace.setEnabled(False)
        self.action_refresh.setEnabled(False)
        self.setWindowTitle(APP_TITLE)
        self.setWindowFilePath("")
        for widget in (self.role_label, self.batch_label, self.scheme_label,
                       *self._status_separators):
            widget.setVisible(False)
        self.folder_label.setText(_("No workspace open"))
        self.folder_label.setToolTip("")

    def _show_workspace_info(self, ws: Workspace) -> None:
        batch = ws.batch
        role = label(batch.role)
        if batch.role == Role.EXPERT and batch.owner_expert_id:
            from cmrc_desktop.storage import expert_repo

            expert = expert_repo.find_expert(ws.db, batch.owner_expert_id)
            who = expert.name if expert else batch.owner_expert_id
            role = f"{role}: {who} ({batch.owner_expert_id})"
        self.role_label.setText(role)
        self.batch_label.setText(_("Batch: {name} ({id})").format(name=batch.name,
                                                                   id=batch.id))
        self.scheme_label.setText(_("Scheme: {id}").format(id=batch.scheme_id))
        self.scheme_label.setToolTip(_("SHA-256 of the scheme: {sha}").format(
            sha=batch.scheme_sha256))
        folder = str(ws.folder.absolute())
        self.folder_label.setText(_("Workspace: {folder}").format(folder=_elide(folder)))
        self.folder_label.setToolTip(folder)
        for widget in (self.role_label, self.batch_label, self.scheme_label,
                       *self._status_separators):
            widget.setVisible(True)
        self.setWindowTitle(f"{batch.name} — {APP_TITLE}")
        self.setWindowFilePath(folder)

    # -- views -------------------------------------------------------------------------
    def view_ids(self) -> list[str]:
        return [v.view_id for v in self.views]

    def current_view(self) -> MainView | None:
        widget = self.ui.view_stack.currentWidget()
        return widget if isinstance(widget, MainView) else None

    def show_view(self, view_id: str) -> MainView:
        for row, view in enumerate(self.views):
            if view.view_id == view_id:
                if self.ui.view_list.currentRow() != row:
                    self.ui.view_list.setCurrentRow(row)   # → _on_view_list_current_row…
                else:
                    self._activate(row)
                return view
        raise KeyError(view_id)

    def _show_and_focus(self, view_id: str) -> None:
        """From the keyboard (Ctrl+1 …): the view, with the focus in its table."""
        self.show_view(view_id).table.setFocus()

    def show_every_view(self) -> list[str]:
        """Show each main view once and let it paint (``--smoke``); returns their ids."""
        shown = []
        for view_id in self.view_ids():
            self.show_view(view_id)
            QApplication.processEvents()
            shown.append(view_id)
        if shown:
            self.show_view(shown[0])
            QApplication.processEvents()
        return shown

    @Slot()
    def refresh_current_view(self) -> None:
        view = self.current_view()
        if view is not None:
            view.refresh()

    def _activate(self, row: int) -> None:
        view = self.views[row]
        if self.ui.view_stack.currentWidget() is not view:
            self.ui.view_stack.setCurrentWidget(view)
            view.refresh()
        for action in self._view_actions.actions():
            action.setChecked(action.data() == view.view_id)

    @Slot(int)
    def _on_view_list_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(self.views):
            self._activate(row)

    # -- dialogs -----------------------------------------------------------------------
    @Slot()
    def choose_workspace(self) -> None:
        self.prompts.choose_folder(self, _("Open workspace"), self._start_folder(),
                                   self._on_workspace_chosen)

    def _on_workspace_chosen(self, folder: str) -> None:
        if folder:
            self.open_workspace_path(folder)

    @Slot()
    def show_about(self) -> None:
        from cmrc_desktop.ui.dialogs.about import AboutDialog

        dialog = AboutDialog(self)
        self._open_dialog(dialog)

    @Slot()
    def show_new_workspace_dialog(self) -> None:
        from cmrc_desktop.ui.dialogs.new_workspace import NewWorkspaceDialog

        dialog = NewWorkspaceDialog(self, prompts=self.prompts,
                                    start_folder=self._start_folder())
        dialog.created.connect(self.open_workspace_path)
        self._open_dialog(dialog)

    def show_package_import_dialog(self, package: str | Path | None = None) -> None:
        from cmrc_desktop.ui.dialogs.package_import import PackageImportDialog

        dialog = PackageImportDialog(self, prompts=self.prompts, package=package)
        dialog.imported.connect(self.open_workspace_path)
        self._open_dialog(dialog)

    @Slot()
    def _on_action_import_package_triggered(self) -> None:
        self.show_package_import_dialog()

    def _open_dialog(self, dialog: QWidget) -> None:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda _result, d=dialog: self._forget_dialog(d))
        self.dialog = dialog
        dialog.open()

    def _forget_dialog(self, dialog: QWidget) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _start_folder(self) -> str:
        last = self.settings.get(LAST_FOLDER)
        if last and Path(last).is_dir():
            return last
        return QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)

    # -- recent workspaces -------------------------------------------------------------
    @Slot()
    def _rebuild_recent(self) -> None:
        recent = self.settings.recent_workspaces()
        menu = self.ui.menu_recent
        menu.clear()
        for number, folder in enumerate(recent, start=1):
            action = menu.addAction(f"&{number} {_elide(folder)}")
            action.setToolTip(folder)
            action.triggered.connect(lambda _checked=False, f=folder: self.open_workspace_path(f))
        if recent:
            menu.addSeparator()
            menu.addAction(_("&Clear list"), self._on_clear_recent_triggered)
        else:
            empty = menu.addAction(_("No recent workspaces"))
            empty.setEnabled(False)
        self.ui.recent_list.clear()
        for folder in recent:
            path = Path(folder)
            item = QListWidgetItem(theme.icon("folder-open"), f"{path.name}  —  {folder}")
            item.setData(Qt.ItemDataRole.UserRole, folder)
            item.setToolTip(folder)
            self.ui.recent_list.addItem(item)
        self.ui.recent_label.setVisible(bool(recent))
        self.ui.recent_list.setVisible(bool(recent))
        if recent:   # as tall as its rows: no empty box under a short list
            rows = sum(self.ui.recent_list.sizeHintForRow(r) for r in range(len(recent)))
            frame = 2 * self.ui.recent_list.frameWidth()
            self.ui.recent_list.setMaximumHeight(rows + frame + 4)

    def _on_clear_recent_triggered(self) -> None:
        self.settings.clear_recent_workspaces()
        self._rebuild_recent()

    @Slot(QListWidgetItem)
    def _on_recent_list_item_activated(self, item: QListWidgetItem) -> None:
        folder = item.data(Qt.ItemDataRole.UserRole)
        if folder:
            self.open_workspace_path(folder)

    # -- language ----------------------------------------------------------------------
    @Slot(QAction)
    def _on_languages_triggered(self, action: QAction) -> None:
        lang = str(action.data())
        self.settings.set(LANGUAGE, lang)
        self.settings.sync()
        if lang != language():
            self.prompts.info(self, _("Language"),
                              _("The window will use the new language the next time you "
                                "start CMRC Desktop."))

    # -- drag and drop of panel packages -------------------------------------------------
    @staticmethod
    def _dropped_packages(event: QDragEnterEvent | QDropEvent) -> list[str]:
        mime = event.mimeData()
        if not mime.hasUrls():
            return []
        return [url.toLocalFile() for url in mime.urls()
                if url.isLocalFile() and url.toLocalFile().lower().endswith(PACKAGE_SUFFIX)]

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if self._dropped_packages(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        packages = self._dropped_packages(event)
        if not packages:
            event.ignore()
            return
        event.acceptProposedAction()
        self.show_package_import_dialog(packages[0])


class ScoringWindow(QMainWindow):
    """A window around one centre's ``ScoringForm``; closing it commits what was typed.

    Signals:
        closed(str) — the window closed (the centre id)
    """

    closed = Signal(str)

    def __init__(self, ws: Workspace, expert_id: str, centre_id: str, prompts: Prompts,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        from cmrc_desktop.storage import centre_repo
        from cmrc_desktop.ui.scoring_form import ScoringForm

        self.centre_id = centre_id
        self.form = ScoringForm(ws, expert_id, centre_id, prompts=prompts)
        self.setCentralWidget(self.form)
        centre = centre_repo.get_centre(ws.db, centre_id)
        self.setWindowTitle(f"{centre.id} {centre.name} — CMRC Desktop")
        edit = self.menuBar().addMenu(_("&Edit"))
        edit.addAction(self.form.undo_action)
        edit.addAction(self.form.redo_action)
        self.resize(1280, 860)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.form.flush()
        self.closed.emit(self.centre_id)
        event.accept()


def _elide(path: str, width: int = 60) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1):]
