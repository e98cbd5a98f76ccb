"""The main window: menus, toolbar, a sidebar of main views and the status bar.

Holds the form of ``ui/main_window.ui`` as ``self.ui``. One workspace is open at a time;
which views it shows depends on its role (an expert's "My centres"; the secretary's
centres, experts, returns and results). Everything the window does is a call to the
services; messages, confirmations and file choosers go through the injected
``Prompts``.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QEvent,
    QLockFile,
    QObject,
    QSize,
    QStandardPaths,
    Qt,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QAction,
    QActionGroup,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QKeyEvent,
    QKeySequence,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QListWidgetItem,
    QMainWindow,
    QPlainTextEdit,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.errors import CmrcError, WorkspaceError
from cmrc_desktop.domain.workspace import Role, label
from cmrc_desktop.i18n import _, language
from cmrc_desktop.paths import PACKAGE_SUFFIX
from cmrc_desktop.services import backup
from cmrc_desktop.services.workspace import (
    DB_NAME,
    Workspace,
    open_workspace,
    open_workspace_read_only,
)
from cmrc_desktop.storage import health
from cmrc_desktop.storage.db import set_writable
from cmrc_desktop.ui import tasks, theme
from cmrc_desktop.ui.forms.ui_main_window import Ui_MainWindow
from cmrc_desktop.ui.key_session import KeySession
from cmrc_desktop.ui.main_views import MainView
from cmrc_desktop.ui.prompts import Prompts, error_text
from cmrc_desktop.ui.settings import (
    LANGUAGE,
    LAST_FOLDER,
    WINDOW_GEOMETRY,
    WINDOW_STATE,
    Settings,
)
from cmrc_desktop.ui.view_registry import EXPERT_VIEWS, SECRETARY_VIEWS, ViewSpec
from cmrc_desktop.ui.workspace_banner import WorkspaceBanner

log = logging.getLogger(__name__)

APP_TITLE = "CMRC Desktop"
LOCK_FILE = "cmrc.lock"       # in the workspace folder while a window has it open
_HELD_LOCKS: set[Path] = set()   # workspace folders this process's windows hold
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
        self._specs: tuple[ViewSpec, ...] = ()
        self._built: dict[str, MainView] = {}      # views built so far, by id
        self._locks: dict[Path, QLockFile] = {}     # the open workspace's lock
        self.dialog: QWidget | None = None          # the dialog open now (tests look)
        self.key_session = KeySession(parent=self)   # the expert's opened signing key
        self.ui = Ui_MainWindow()
        self.ui.setupUi(self)
        self.setWindowIcon(theme.app_icon())
        self._view_actions = QActionGroup(self)
        self._view_actions.setExclusive(True)
        self._setup_actions()
        self._setup_sidebar()
        self._setup_welcome()
        self._setup_status_bar()
        self._setup_banner()
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
        ui.action_close_workspace.triggered.connect(self._on_action_close_workspace_triggered)
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

    def _setup_banner(self) -> None:
        """The banner goes above the sidebar and views: the form's central widget is
        taken out and put back below it."""
        self._network_warned: set[Path] = set()   # warned once per folder and session
        self._damaged = False
        central = self.takeCentralWidget()
        container = QWidget(self)
        layout = QVBoxLayout(container)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = WorkspaceBanner(container)
        self.banner.restore_requested.connect(self._on_banner_restore_requested)
        layout.addWidget(self.banner)
        layout.addWidget(central, 1)
        self.setCentralWidget(container)

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
        key = folder.resolve()
        lock = self._locks.get(key) or self._lock_workspace(folder)
        opened: Workspace | None = None
        try:
            ws = opened = self._open_workspace(folder)
            specs = self._view_specs(ws)
            first = self._build_view(specs[0], ws)   # a view that cannot be built: say so now
        except BaseException:
            if opened is not None:
                opened.close()
            if key not in self._locks:
                lock.unlock()
                _HELD_LOCKS.discard(key)
            raise
        self.close_workspace(keep_lock=key)
        self._locks = {key: lock}
        self.workspace = ws
        self._specs = specs
        for spec in specs:
            self._add_view(spec)
        self._adopt_view(first)
        self._show_workspace_info(ws)
        self.settings.add_recent_workspace(folder)
        self.settings.set(LAST_FOLDER, str(folder.absolute().parent))
        self._rebuild_recent()
        self.ui.view_list.setVisible(True)
        self.ui.action_close_workspace.setEnabled(True)
        self.action_refresh.setEnabled(True)
        self.show_view(specs[0].view_id)
        self._check_health(ws)
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
            damage = self._damage_at_open(Path(folder).expanduser())
            if damage:
                self.offer_restore(Path(folder).expanduser(), damage)
            else:
                self.prompts.error(self, _("Cannot open the workspace"), error_text(exc))
            return False
        return True

    # -- faults: read-only, damaged, on a network share -----------------------------------
    @staticmethod
    def _open_workspace(folder: Path) -> Workspace:
        """Read-only where nothing can be written (the banner says why), else as usual;
        a file whose header is damaged is not opened (and not migrated) at all."""
        db_path = folder / DB_NAME
        damage = health.header_problem(db_path) if db_path.is_file() else None
        if damage:
            raise WorkspaceError(damage, file=str(db_path))
        reason = health.write_problem(folder)
        if reason and db_path.is_file():
            return open_workspace_read_only(folder, reason)
        return open_workspace(folder)

    @staticmethod
    def _damage_at_open(folder: Path) -> str | None:
        """Why a workspace that would not open is damaged (None: another reason)."""
        db_path = folder / DB_NAME
        if not db_path.is_file():
            return None
        problem = health.header_problem(db_path)
        if problem:
            return problem
        problems = health.quick_check(db_path)
        return health.damage_text(db_path, problems) if problems else None

    def _check_health(self, ws: Workspace) -> None:
        """Show what is known at once (read-only, network share), then ``quick_check``
        and, when due, the automatic backup off the GUI thread (about 75 ms and 50 ms on
        a 26 MB workspace): a damaged database blocks editing when the check returns."""
        self._damaged = False
        where = health.network_filesystem(ws.folder)
        self._show_banner(ws, where)
        key = ws.folder.resolve()
        if where and key not in self._network_warned:
            self._network_warned.add(key)
            self.prompts.warning(self, _("Workspace on a network share"),
                                 health.network_warning(where))
        folder, writable = ws.folder, ws.read_only is None

        def job(_ctx: tasks.TaskContext) -> list[str]:
            problems = health.quick_check(folder / DB_NAME)
            if not problems and writable and backup.backup_due(folder):
                try:
                    backup.take_backup(folder)
                except CmrcError as exc:
                    log.warning("no automatic backup: %s", exc)
            return problems

        tasks.run_task(job, parent=self, title=_("Checking the workspace"),
                       on_done=lambda problems: self._on_health_checked(ws, problems, where),
                       on_error=lambda message: self.ui.status_bar.showMessage(
                           _("The workspace could not be checked: {reason}").format(
                               reason=message), 15000))

    def _show_banner(self, ws: Workspace, network: str | None = None) -> None:
        self.banner.show_problems(read_only=ws.read_only, damaged=self._damaged,
                                  network=network)

    def _on_health_checked(self, ws: Workspace, problems: list[str],
                           network: str | None = None) -> None:
        if self.workspace is not ws or not problems:
            return
        text = health.damage_text(ws.db_path, problems)
        set_writable(ws.db, False)
        ws.read_only = text
        self._damaged = True
        self._show_banner(ws, network)
        self.offer_restore(ws.folder, text)

    @Slot()
    def _on_banner_restore_requested(self) -> None:
        if self.workspace is not None:
            self.offer_restore(self.workspace.folder, self.workspace.read_only or "")

    def offer_restore(self, folder: Path, why: str) -> None:
        """Say what is wrong and offer the newest automatic backup in its place."""
        title = _("The workspace is damaged")
        found = backup.backups(folder)
        if not found:
            self.prompts.error(self, title, why + "\n\n" + _(
                "There is no automatic backup in {folder} to restore from.").format(
                    folder=backup.backups_dir(folder)))
            return
        latest = found[0]
        question = why + "\n\n" + _(
            "Restore the workspace from the last automatic backup, taken {time} (UTC)? "
            "Changes made after it are lost; the damaged file is kept in the workspace "
            "folder.").format(time=backup.taken_at(latest).strftime("%Y-%m-%d %H:%M"))
        self.prompts.confirm(self, title, question,
                             lambda yes: yes and self.restore_from_backup(folder, latest))

    def restore_from_backup(self, folder: Path, source: Path) -> None:
        """Close the workspace (its files are renamed), restore in the background, open
        the restored workspace."""
        if self.workspace is not None and self.workspace.folder.resolve() == folder.resolve():
            self.close_workspace()

        def done(restored: backup.Restored) -> None:
            if self.open_workspace_path(folder):
                self.prompts.info(self, _("Workspace restored"), _(
                    "The workspace was restored from {backup}. The damaged database is kept "
                    "as {aside}.").format(backup=restored.backup.name,
                                          aside=restored.kept_aside.name))

        tasks.run_with_progress(
            self, _("Restoring the workspace"),
            lambda _ctx: backup.restore_backup(folder, source), done,
            on_error=lambda message: self.prompts.error(
                self, _("Cannot restore the workspace"), message))

    @Slot(str)
    def open_scoring_form(self, centre_id: str) -> ScoringWindow | None:
        """The expert's scoring form for one centre, in a window of its own (several
        centres can be open side by side); it saves every accepted value at once."""
        ws = self.workspace
        if ws is None or not ws.batch.owner_expert_id:
            return None
        window = self.scoring_windows.get(centre_id)
        if window is None:
            window = ScoringWindow(ws, ws.batch.owner_expert_id, centre_id, self.prompts, self,
                                   key_session=self.key_session, settings=self.settings)
            window.closed.connect(self._on_scoring_window_closed)
            window.sheets_changed.connect(self._on_sheets_changed)
            window.form.sheet_state_changed.connect(self._on_scoring_form_sheet_state_changed)
            self.scoring_windows[centre_id] = window
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    @Slot(str)
    def _on_scoring_window_closed(self, centre_id: str) -> None:
        self.scoring_windows.pop(centre_id, None)
        self.refresh_current_view()

    def show_sign_export_dialog(self, centre_ids: list[str] | None = None) -> QWidget | None:
        """Finalise, sign and export one centre's sheet, or (``None``) every finished
        sheet of the expert; open scoring forms are committed first and reloaded after."""
        from cmrc_desktop.ui.dialogs.sign_export import SignExportDialog

        ws = self.workspace
        if ws is None or not ws.batch.owner_expert_id:
            return None
        for centre_id, window in self.scoring_windows.items():
            if (centre_ids is None or centre_id in centre_ids) and not window.form.flush():
                self.prompts.warning(self, _("Finalise, sign and export"), _(
                    "The scoring form of {centre} shows values that are not saved. Correct "
                    "them first.").format(centre=centre_id))
                window.show()
                window.raise_()
                return None
        dialog = SignExportDialog(ws, ws.batch.owner_expert_id, centre_ids, self,
                                  key_session=self.key_session, settings=self.settings,
                                  prompts=self.prompts)
        dialog.sheets_changed.connect(self._on_sheets_changed)
        self._open_dialog(dialog)
        return dialog

    @Slot(list)
    def _on_sheets_changed(self, centre_ids: list) -> None:
        """Sheets were finalised, signed or exported: show it in their forms and in
        "My centres"."""
        sender = self.sender()
        for centre_id in centre_ids:
            window = self.scoring_windows.get(str(centre_id))
            if window is not None and window is not sender:   # it reloaded its own form
                window.form.reload()
        view = self._built.get("my_centres")
        if view is not None:
            view.refresh()

    @Slot(str)
    def _on_scoring_form_sheet_state_changed(self, _state: str) -> None:
        self._on_sheets_changed([])

    def _selected_centre(self) -> str | None:
        """The centre of the current row of "My centres" (None without one)."""
        from cmrc_desktop.ui.models.centre_status import CENTRE_ID_ROLE

        view = self._built.get("my_centres")
        index = view.table.currentIndex() if view is not None else None
        centre_id = index.data(CENTRE_ID_ROLE) if index is not None and index.isValid() \
            else None
        return str(centre_id) if centre_id else None

    def _add_my_centres_actions(self, view: MainView) -> None:
        """The context menu of "My centres": open a centre, sign and export it, or
        sign and export every finished sheet."""
        table = view.table
        open_form = QAction(_("&Open scoring form"), table)
        open_form.triggered.connect(self._on_open_form_triggered)
        sign_one = QAction(_("&Finalise, sign and export…"), table)
        sign_one.setObjectName("action_sign_export_centre")
        sign_one.triggered.connect(self._on_sign_export_centre_triggered)
        sign_all = QAction(_("Sign and export &all finished sheets…"), table)
        sign_all.setObjectName("action_sign_export_all")
        sign_all.triggered.connect(self._on_sign_export_all_triggered)
        separator = QAction(table)
        separator.setSeparator(True)
        table.addActions([open_form, separator, sign_one, sign_all])
        table.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)

    @Slot()
    def _on_open_form_triggered(self) -> None:
        centre_id = self._selected_centre()
        if centre_id:
            self.open_scoring_form(centre_id)

    @Slot()
    def _on_sign_export_centre_triggered(self) -> None:
        centre_id = self._selected_centre()
        if centre_id:
            self.show_sign_export_dialog([centre_id])

    @Slot()
    def _on_sign_export_all_triggered(self) -> None:
        self.show_sign_export_dialog(None)

    @Slot()
    @staticmethod
    def _lock_workspace(folder: Path) -> QLockFile:
        """One window per workspace, across programs: two writers would each show a
        different truth. A lock left by a crashed program is taken over (its process is
        gone), and so is one naming this very process for a folder it does not hold (the
        folder was copied while open); where no lock can be made (read-only media) the
        workspace is opened without."""
        key = folder.resolve()
        lock = QLockFile(str(folder / LOCK_FILE))
        lock.setStaleLockTime(0)
        if not lock.tryLock(0) and lock.error() == QLockFile.LockError.LockFailedError:
            pid, host, _app = lock.getLockInfo()[-3:]
            if not (pid == os.getpid() and key not in _HELD_LOCKS
                    and lock.removeStaleLockFile() and lock.tryLock(0)):
                raise WorkspaceError(_(
                    "The workspace {folder} is already open in another CMRC Desktop window "
                    "(process {pid} on {host}). Close it there first: two windows must never "
                    "write to the same workspace.").format(folder=folder, pid=pid, host=host),
                    file=str(folder))
        if lock.isLocked():
            _HELD_LOCKS.add(key)
        return lock

    @Slot()
    def _on_action_close_workspace_triggered(self) -> None:
        self.close_workspace()

    def close_workspace(self, keep_lock: Path | None = None) -> None:
        for key, lock in list(self._locks.items()):
            if key != keep_lock:
                lock.unlock()
                _HELD_LOCKS.discard(key)
                del self._locks[key]
        if self.workspace is None:
            return
        for window in list(self.scoring_windows.values()):
            window.close()  # flushes what was typed before the workspace closes
        self.ui.view_list.blockSignals(True)
        self.ui.view_list.clear()
        self.ui.view_list.blockSignals(False)
        for view in self._built.values():
            self.ui.view_stack.removeWidget(view)
            view.deleteLater()
        self._built = {}
        self._specs = ()
        for action in self._view_actions.actions():
            self._view_actions.removeAction(action)
            self.ui.menu_view.removeAction(action)
            action.deleteLater()
        self._views_separator.setVisible(False)
        self.key_session.forget()
        self.banner.clear()
        self.workspace.close()
        self.workspace = None
        self._show_welcome()
        self.workspace_closed.emit()

    @staticmethod
    def _view_specs(ws: Workspace) -> tuple[ViewSpec, ...]:
        return EXPERT_VIEWS if ws.batch.role == Role.EXPERT else SECRETARY_VIEWS

    def _build_view(self, spec: ViewSpec, ws: Workspace) -> MainView:
        return spec.load()(ws, prompts=self.prompts, settings=self.settings)

    def _add_view(self, spec: ViewSpec) -> None:
        """List a view in the sidebar and the View menu; it is built when first shown."""
        number = self.ui.view_list.count() + 1
        item = QListWidgetItem(theme.icon(spec.icon_name), spec.title())
        item.setData(Qt.ItemDataRole.UserRole, spec.view_id)
        self.ui.view_list.addItem(item)
        action = QAction(theme.icon(spec.icon_name), spec.title(), self)
        action.setCheckable(True)
        action.setData(spec.view_id)
        if number <= 9:
            action.setShortcut(QKeySequence(f"Ctrl+{number}"))
        action.triggered.connect(lambda _checked=False, v=spec.view_id: self._show_and_focus(v))
        self._view_actions.addAction(action)
        self.ui.menu_view.insertAction(self._views_separator, action)
        self._views_separator.setVisible(True)

    def _adopt_view(self, view: MainView) -> None:
        self._built[view.view_id] = view
        self.ui.view_stack.addWidget(view)
        if view.view_id == "my_centres":
            view.activated.connect(self.centre_activated)
            self._add_my_centres_actions(view)

    def _view(self, view_id: str) -> MainView:
        """The view, built now if it has not been shown before."""
        view = self._built.get(view_id)
        if view is None:
            spec = next(s for s in self._specs if s.view_id == view_id)
            assert self.workspace is not None
            view = self._build_view(spec, self.workspace)
            self._adopt_view(view)
        return view

    @property
    def views(self) -> list[MainView]:
        """The views built so far, in sidebar order."""
        return [self._built[s.view_id] for s in self._specs if s.view_id in self._built]

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
        return [s.view_id for s in self._specs]

    def current_view(self) -> MainView | None:
        widget = self.ui.view_stack.currentWidget()
        return widget if isinstance(widget, MainView) else None

    def show_view(self, view_id: str) -> MainView:
        for row, spec in enumerate(self._specs):
            if spec.view_id == view_id:
                if self.ui.view_list.currentRow() != row:
                    self.ui.view_list.setCurrentRow(row)   # → _on_view_list_current_row…
                else:
                    self._activate(row)
                return self._view(view_id)
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
        view = self._view(self._specs[row].view_id)
        if self.ui.view_stack.currentWidget() is not view:
            self.ui.view_stack.setCurrentWidget(view)
            view.refresh()
        for action in self._view_actions.actions():
            action.setChecked(action.data() == view.view_id)

    @Slot(int)
    def _on_view_list_current_row_changed(self, row: int) -> None:
        if 0 <= row < len(self._specs):
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
    "Finalise, sign and export…" (Ctrl+E) opens the ``SignExportDialog`` for the centre.

    Signals:
        closed(str) — the window closed (the centre id)
        sheets_changed(list) — the sheet was finalised, signed or exported (centre ids)
    """

    closed = Signal(str)
    sheets_changed = Signal(list)

    def __init__(self, ws: Workspace, expert_id: str, centre_id: str, prompts: Prompts,
                 parent: QWidget | None = None, *, key_session: KeySession | None = None,
                 settings: Settings | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        from cmrc_desktop.storage import centre_repo
        from cmrc_desktop.ui.scoring_form import ScoringForm

        self.ws = ws
        self.expert_id = expert_id
        self.centre_id = centre_id
        self.prompts = prompts
        self.key_session = key_session or KeySession(parent=self)
        self.settings = settings
        self.dialog: QWidget | None = None          # the dialog open now (tests look)
        self.form = ScoringForm(ws, expert_id, centre_id, prompts=prompts)
        self.setCentralWidget(self.form)
        centre = centre_repo.get_centre(ws.db, centre_id)
        self.setWindowTitle(f"{centre.id} {centre.name} — CMRC Desktop")
        self.action_sign_export = QAction(_("&Finalise, sign and export…"), self)
        self.action_sign_export.setObjectName("action_sign_export")
        self.action_sign_export.setShortcut(QKeySequence("Ctrl+E"))
        self.action_sign_export.setToolTip(_(
            "Lock the sheet, sign it with your key and export it as Excel and PDF (Ctrl+E)"))
        self.action_sign_export.triggered.connect(self._on_action_sign_export_triggered)
        edit = self.menuBar().addMenu(_("&Edit"))
        edit.addAction(self.form.undo_action)
        edit.addAction(self.form.redo_action)
        sheet_menu = self.menuBar().addMenu(_("&Sheet"))
        sheet_menu.addAction(self.action_sign_export)
        toolbar = QToolBar(_("Sheet"), self)
        toolbar.setObjectName("sheet_toolbar")
        toolbar.setMovable(False)
        toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        toolbar.addAction(self.action_sign_export)
        self.addToolBar(toolbar)
        # text fields claim Ctrl+E (end of line) on X11 desktops: let the action have it
        for edit in self.form.findChildren(QLineEdit) + self.form.findChildren(
                QPlainTextEdit):
            edit.installEventFilter(self)
        self.resize(1280, 860)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent) \
                and QKeySequence(event.keyCombination()) == self.action_sign_export.shortcut():
            event.ignore()     # not overridden: the shortcut of the action fires
            return True
        return super().eventFilter(watched, event)

    def show_sign_export_dialog(self) -> QWidget | None:
        """Commit what is typed, then open the dialog (None when values on the form are
        refused and must be corrected first)."""
        from cmrc_desktop.ui.dialogs.sign_export import SignExportDialog

        if not self.form.flush():
            self.prompts.warning(self, _("Finalise, sign and export"), _(
                "Some values on the form are not saved (they are marked). Correct them "
                "first."))
            return None
        dialog = SignExportDialog(self.ws, self.expert_id, [self.centre_id], self,
                                  key_session=self.key_session, settings=self.settings,
                                  prompts=self.prompts)
        dialog.sheets_changed.connect(self._on_dialog_sheets_changed)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        # a bound slot, not a lambda holding the dialog: with PySide6 6.12.0 such a lambda
        # in the dialog's own connection crashed once the window was deleted before it
        dialog.finished.connect(self._on_dialog_finished)
        self.dialog = dialog
        dialog.open()
        return dialog

    @Slot(int)
    def _on_dialog_finished(self, _result: int) -> None:
        self.dialog = None

    @Slot()
    def _on_action_sign_export_triggered(self) -> None:
        self.show_sign_export_dialog()

    @Slot(list)
    def _on_dialog_sheets_changed(self, centre_ids: list) -> None:
        self.form.reload()
        self.sheets_changed.emit(list(centre_ids))

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.form.flush()
        self.closed.emit(self.centre_id)
        event.accept()


def _elide(path: str, width: int = 60) -> str:
    return path if len(path) <= width else "…" + path[-(width - 1):]
