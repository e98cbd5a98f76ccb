"""Finalise, sign and export: a complete sheet of a fresh expert workspace goes through
the dialog (drawn signature, demo password, chosen folder) and comes out as verified
files; a wrong password signs nothing; an incomplete sheet names what is missing; the
signing key is kept for 15 minutes without use and then asked for again; the scoring
window and "My centres" show the result."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence

from cmrc_desktop import i18n
from cmrc_desktop.domain.workspace import SheetState
from cmrc_desktop.services import declarations, scoring
from cmrc_desktop.services.packages import export_package, import_package
from cmrc_desktop.services.verify import verify_file
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.storage import audit, expert_repo, score_repo, signing_repo
from cmrc_desktop.ui.dialogs.sign_export import (
    EXPORT_FOLDER,
    SignExportDialog,
    SignExportRequest,
    sign_and_export,
)
from cmrc_desktop.ui.key_session import IDLE_LIMIT, KeySession
from cmrc_desktop.ui.prompts import RecordingPrompts
from cmrc_desktop.ui.settings import Settings
from tests.ui.conftest import DEMO_PASSWORD, copy_workspace

EXPERT = "E01"
LEFT = Qt.MouseButton.LeftButton

class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


# -- fixtures ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def fresh_template(demo_dir, tmp_path_factory) -> Path:
    """A never-scored expert workspace (closed), made as a real expert gets one: the
    secretary exports a panel package, the expert imports it."""
    base = tmp_path_factory.mktemp("sign_export")
    secretary = copy_workspace(demo_dir / "secretary", base / "secretary")
    with open_workspace(secretary) as sec:
        package = export_package(sec, EXPERT, base, DEMO_PASSWORD)
    ws = import_package(base / "template", package.path, package.one_time_password,
                        DEMO_PASSWORD)
    ws.close()
    return base / "template"


@pytest.fixture
def folder(fresh_template, tmp_path) -> Path:
    return copy_workspace(fresh_template, tmp_path / "expert")


@pytest.fixture
def ws(folder):
    workspace = open_workspace(folder)
    yield workspace
    workspace.close()


@pytest.fixture
def centres(ws) -> list[str]:
    return [c for _e, c in expert_repo.list_assignments(ws.db, expert_id=EXPERT)]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def session(clock) -> KeySession:
    return KeySession(clock=clock)


@pytest.fixture
def out(tmp_path) -> Path:
    target = tmp_path / "usb-stick"
    target.mkdir()
    return target


def fill(ws, centre: str, *, skip: tuple[str, ...] = ()) -> None:
    """Declare and score every expert indicator of the sheet except ``skip``."""
    declarations.record_declaration(ws, EXPERT, centre, no_conflict=True,
                                    integrity_concern=False)
    scoring.record_sheet(ws, EXPERT, centre, {
        i.id: i.max - i.step for i in ws.scheme.expert_indicators if i.id not in skip})


def state(ws, centre: str) -> SheetState:
    sheet = score_repo.find_sheet(ws.db, EXPERT, centre)
    return sheet.state if sheet else SheetState.DRAFT


def sign_strokes(qtbot, pad) -> None:
    """A signature drawn with the mouse: two strokes."""
    pad.setFocus()
    for stroke in ([(40, 100), (70, 50), (100, 110), (130, 55), (160, 100)],
                   [(190, 60), (230, 105), (280, 70), (330, 90)]):
        points = [QPoint(x, y) for x, y in stroke]
        qtbot.mousePress(pad, LEFT, pos=points[0])
        for point in points[1:]:
            qtbot.mouseMove(pad, point)
        qtbot.mouseRelease(pad, LEFT, pos=points[-1])


def make_dialog(qtbot, ws, centre_ids, session, prompts=None, **options) -> SignExportDialog:
    dialog = SignExportDialog(ws, EXPERT, centre_ids, key_session=session,
                              prompts=prompts or RecordingPrompts(), **options)
    qtbot.addWidget(dialog)
    dialog.open()
    qtbot.waitExposed(dialog)
    return dialog


def type_password(qtbot, dialog: SignExportDialog, password: str) -> None:
    edit = dialog.ui.password_edit
    edit.clear()
    qtbot.keyClicks(edit, password)


def press_ok(qtbot, dialog: SignExportDialog) -> None:
    qtbot.mouseClick(dialog.ok_button, LEFT)


# -- the whole way, from the scoring window ---------------------------------------------
def test_a_complete_sheet_is_finalised_signed_exported_and_verified(
        qtbot, inline_tasks, ws, centres, session, out):
    from cmrc_desktop.ui.main_window import ScoringWindow

    centre = centres[0]
    fill(ws, centre)
    prompts = RecordingPrompts(choices=[str(out)])
    window = ScoringWindow(ws, EXPERT, centre, prompts, key_session=session)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    action = window.action_sign_export
    assert action.shortcut() == QKeySequence("Ctrl+E")
    assert "Finalise, sign and export" in action.text().replace("&", "")
    action.trigger()
    dialog = window.dialog
    assert isinstance(dialog, SignExportDialog) and dialog.isVisible()
    ui = dialog.ui
    assert dialog.selected_centres() == [centre]
    assert ui.centre_label.text().startswith(centre) and not ui.sheets_list.isVisible()
    assert "Every indicator is scored" in ui.sheets_label.text()
    assert dialog.ok_button.text() == "Finalise, sign and export"
    assert ui.password_edit.isVisible()             # no key open yet: the password is asked

    sign_strokes(qtbot, ui.signature_pad)
    assert not ui.signature_pad.is_empty() and ui.clear_button.isEnabled()
    qtbot.mouseClick(ui.folder_button, LEFT)        # the folder chooser answers ``out``
    assert ui.folder_edit.text() == str(out)
    type_password(qtbot, dialog, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.exported) as exported:
        press_ok(qtbot, dialog)

    # the files: written, read back and verified, listed in the dialog
    [sheet] = exported.args[0]
    paths = sorted(sheet.paths)
    assert [p.suffix for p in paths] == [".pdf", ".xlsx"]
    assert all(p.parent == out and p.is_file() for p in paths)
    assert sorted(out.iterdir()) == paths
    for path in paths:
        result = verify_file(path, ws)
        assert result.ok, result.reason
    assert "Done. 2 files were written, read back and verified" in ui.status_label.text()
    assert "is signed (revision 1) and exported" in ui.sheets_label.text()
    assert all(str(p) in ui.status_label.text() for p in paths)
    assert not dialog.ok_button.isVisible() and dialog.close_button.text() == "Close"
    assert not ui.password_edit.text()

    # the database: signed, with the drawn signature, both steps audited
    assert state(ws, centre) == SheetState.SIGNED
    signed = signing_repo.current_signature(ws.db, EXPERT, centre)
    assert signed is not None and signed.signature_png.startswith(b"\x89PNG")
    assert [e.action for e in audit.entries(ws.db, centre_id=centre)
            if e.action.startswith("sheet.")][-3:] == ["sheet.state", "sheet.sign",
                                                       "sheet.export"]
    assert signing_repo.exported_formats(ws.db, EXPERT, centre, 1) == {"xlsx", "pdf"}

    # the form: read-only, signed
    form = window.form
    assert form.read_only and form.sheet_state == SheetState.SIGNED
    assert form.ui.readonly_banner.isVisible()
    assert "signed (revision 1)" in form.ui.readonly_label.text()
    assert session.is_open(ws.folder)               # the key stays open for a while
    dialog.close()
    window.close()


def test_ctrl_e_opens_the_dialog_even_from_a_text_field(qtbot, ws, centres, session):
    from PySide6.QtCore import QEvent
    from PySide6.QtGui import QKeyEvent

    from cmrc_desktop.ui.main_window import ScoringWindow

    fill(ws, centres[0])
    window = ScoringWindow(ws, EXPERT, centres[0], RecordingPrompts(), key_session=session)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    edit = window.form.score_edit(ws.scheme.expert_indicators[0].id)
    # X11 desktops bind Ctrl+E to "end of line" in text fields: the window keeps it
    override = QKeyEvent(QEvent.Type.ShortcutOverride, Qt.Key.Key_E,
                         Qt.KeyboardModifier.ControlModifier)
    override.setAccepted(False)
    assert window.eventFilter(edit, override) and not override.isAccepted()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(window.dialog, SignExportDialog)
    window.dialog.close()
    assert window.dialog is None
    window.close()


def test_a_wrong_password_says_so_and_signs_nothing(qtbot, inline_tasks, ws, centres,
                                                    session, out):
    centre = centres[0]
    fill(ws, centre)
    dialog = make_dialog(qtbot, ws, [centre], session)
    dialog.ui.folder_edit.setText(str(out))
    type_password(qtbot, dialog, "not-the-password")
    with qtbot.assertNotEmitted(dialog.exported), qtbot.assertNotEmitted(
            dialog.sheets_changed):
        press_ok(qtbot, dialog)
    text = dialog.ui.status_label.text()
    assert dialog.ui.status_label.isVisible()
    assert "The password is wrong: nothing was finalised or signed" in text
    assert dialog.isVisible() and dialog.ui.password_edit.isVisible()
    assert dialog.focusWidget() is dialog.ui.password_edit and not dialog.ui.password_edit.text()
    assert state(ws, centre) == SheetState.DRAFT
    assert signing_repo.current_signature(ws.db, EXPERT, centre) is None
    assert not audit.entries(ws.db, action="sheet.sign")
    assert not audit.entries(ws.db, action="sheet.state", centre_id=centre)
    assert list(out.iterdir()) == []
    assert not session.is_open()

    type_password(qtbot, dialog, DEMO_PASSWORD)     # then the right one goes through
    with qtbot.waitSignal(dialog.exported):
        press_ok(qtbot, dialog)
    assert state(ws, centre) == SheetState.SIGNED and len(list(out.iterdir())) == 2


def test_an_empty_password_is_asked_for_before_anything_runs(qtbot, inline_tasks, ws,
                                                             centres, session, out):
    centre = centres[0]
    fill(ws, centre)
    dialog = make_dialog(qtbot, ws, [centre], session)
    dialog.ui.folder_edit.setText(str(out))
    assert not dialog.start()
    assert "type the password of your signing key" in dialog.ui.status_label.text()
    assert dialog.focusWidget() is dialog.ui.password_edit
    assert state(ws, centre) == SheetState.DRAFT


def test_an_incomplete_sheet_lists_the_missing_indicators(qtbot, inline_tasks, ws, centres,
                                                          session, out):
    centre = centres[0]
    scheme = ws.scheme
    skipped = (scheme.expert_indicators[2].id, scheme.expert_indicators[-1].id)
    fill(ws, centre, skip=skipped)
    dialog = make_dialog(qtbot, ws, [centre], session)
    text = dialog.ui.sheets_label.text()
    assert "The sheet cannot be finalised: 2 indicators have no score yet" in text
    for indicator_id in skipped:
        indicator = scheme.indicator(indicator_id)
        assert f"{indicator.id}  {indicator.display}" in text
    assert not dialog.ok_button.isEnabled()
    assert not dialog.ui.signature_pad.isEnabled()
    dialog.ui.folder_edit.setText(str(out))
    type_password(qtbot, dialog, DEMO_PASSWORD)
    assert not dialog.start()
    assert "every indicator must be scored first" in dialog.ui.status_label.text()
    assert state(ws, centre) == SheetState.DRAFT and list(out.iterdir()) == []


def test_the_key_is_asked_again_after_15_idle_minutes(qtbot, inline_tasks, ws, centres,
                                                      session, clock, out):
    first, second = centres[:2]
    for centre in (first, second):
        fill(ws, centre)
    dialog = make_dialog(qtbot, ws, [first], session)
    dialog.ui.folder_edit.setText(str(out))
    type_password(qtbot, dialog, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.exported):
        press_ok(qtbot, dialog)
    dialog.close()

    clock.advance(IDLE_LIMIT - 60)                  # 14 minutes later: no password
    dialog = make_dialog(qtbot, ws, [second], session)
    assert not dialog.needs_password and not dialog.ui.password_edit.isVisible()
    assert "Your signing key is open" in dialog.ui.key_label.text()
    dialog.ui.folder_edit.setText(str(out))
    with qtbot.waitSignal(dialog.exported):
        press_ok(qtbot, dialog)                     # signing counts as a use
    assert state(ws, second) == SheetState.SIGNED
    dialog.close()

    clock.advance(IDLE_LIMIT - 60)                  # 14 minutes after that use: still open
    assert session.is_open(ws.folder)
    clock.advance(61)                               # 15 minutes without use: asked again
    dialog = make_dialog(qtbot, ws, [first], session)
    assert dialog.needs_password and dialog.ui.password_edit.isVisible()
    dialog.ui.folder_edit.setText(str(out / "again"))
    assert not dialog.start()
    assert "type the password" in dialog.ui.status_label.text()
    assert not (out / "again").exists()
    type_password(qtbot, dialog, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.exported):
        press_ok(qtbot, dialog)
    assert len(list((out / "again").iterdir())) == 2


def test_the_key_session_forgets_after_idle_time_and_counts_each_use(qtbot, clock):
    from cmrc_desktop.signing.keys import KeyPair

    session = KeySession(clock=clock)
    key = object.__new__(KeyPair)   # a stand-in: the session never looks inside
    assert not session.is_open() and session.remaining() == 0
    with qtbot.waitSignal(session.opened):
        session.remember("/work/ws", key)
    assert session.key("/work/ws") is key
    assert session.key("/work/other") is None       # another workspace's key: no
    clock.advance(IDLE_LIMIT - 1)
    assert session.key("/work/ws") is key           # a use: the 15 minutes start again
    clock.advance(IDLE_LIMIT - 1)
    assert session.is_open("/work/ws") and session.remaining() == pytest.approx(1)
    clock.advance(1)
    with qtbot.waitSignal(session.forgotten):
        assert session.key("/work/ws") is None
    assert not session.is_open()


def test_the_key_session_timer_forgets_without_being_asked(qtbot):
    from cmrc_desktop.signing.keys import KeyPair

    session = KeySession(idle_limit=0.05)            # real clock, 50 ms
    session.remember("/work/ws", object.__new__(KeyPair))
    with qtbot.waitSignal(session.forgotten, timeout=2000):
        pass
    assert not session.is_open()


# -- several centres --------------------------------------------------------------------
def rows_of(dialog: SignExportDialog) -> dict:
    return dialog.items()


def test_every_finished_sheet_at_once(qtbot, inline_tasks, ws, centres, session, out):
    finalised, incomplete = centres[:2]
    fill(ws, finalised)
    scoring.set_sheet_state(ws, EXPERT, finalised, SheetState.FINAL)
    fill(ws, incomplete, skip=(ws.scheme.expert_indicators[0].id,))
    dialog = make_dialog(qtbot, ws, None, session)
    assert not dialog.single and dialog.centre_ids == centres
    assert "1 of 2 sheets are ready" in dialog.ui.sheets_label.text()
    rows = rows_of(dialog)
    assert rows[incomplete].checkState(0) == Qt.CheckState.Unchecked
    assert not rows[incomplete].flags() & Qt.ItemFlag.ItemIsEnabled
    assert "1 indicator has no score" in rows[incomplete].text(2)
    assert rows[finalised].checkState(0) == Qt.CheckState.Checked
    assert "finalised: will be signed" in rows[finalised].text(2)
    assert dialog.selected_centres() == [finalised]
    assert dialog.ok_button.text() == "Sign and export"
    dialog.ui.folder_edit.setText(str(out))
    dialog.ui.pdf_check.setChecked(False)
    type_password(qtbot, dialog, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.sheets_changed) as changed:
        press_ok(qtbot, dialog)
    assert changed.args[0] == [finalised]
    assert [p.suffix for p in out.iterdir()] == [".xlsx"]
    assert state(ws, finalised) == SheetState.SIGNED and state(ws, incomplete) == "draft"
    assert signing_repo.current_signature(ws.db, EXPERT, finalised).signature_png is None
    dialog.close()

    scoring.record_score(ws, EXPERT, incomplete, ws.scheme.expert_indicators[0].id,
                         Decimal(1))                 # now complete
    dialog = make_dialog(qtbot, ws, None, session)
    rows = rows_of(dialog)
    assert "signed and exported" in rows[finalised].text(2)
    assert rows[finalised].checkState(0) == Qt.CheckState.Unchecked   # done already
    assert rows[incomplete].checkState(0) == Qt.CheckState.Checked
    assert dialog.ok_button.text() == "Finalise, sign and export"
    rows[finalised].setCheckState(0, Qt.CheckState.Checked)             # once more, too
    dialog.ui.folder_edit.setText(str(out))
    with qtbot.waitSignal(dialog.exported) as exported:
        press_ok(qtbot, dialog)                      # the key is still open: no password
    assert [e.centre_id for e in exported.args[0]] == centres
    assert state(ws, incomplete) == SheetState.SIGNED


def test_a_signed_sheet_can_be_exported_again(qtbot, inline_tasks, ws, centres, session,
                                              out, tmp_path):
    centre = centres[0]
    fill(ws, centre)
    dialog = make_dialog(qtbot, ws, [centre], session)
    dialog.ui.folder_edit.setText(str(out))
    type_password(qtbot, dialog, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.exported):
        press_ok(qtbot, dialog)
    dialog.close()
    second = tmp_path / "second-stick"
    dialog = make_dialog(qtbot, ws, [centre], session)
    assert dialog.ok_button.text() == "Export"
    assert "it will be exported again" in dialog.ui.sheets_label.text()
    assert not dialog.ui.signature_pad.isEnabled()   # nothing to sign
    dialog.ui.folder_edit.setText(str(second))
    with qtbot.waitSignal(dialog.exported):
        press_ok(qtbot, dialog)
    assert len(list(second.iterdir())) == 2
    assert len(audit.entries(ws.db, action="sheet.sign")) == 1
    assert len(audit.entries(ws.db, action="sheet.export")) == 2


def test_a_run_cancelled_between_sheets_reports_what_was_done(ws, centres, out):
    from cmrc_desktop.services import keyring

    first, second = centres[:2]
    for centre in (first, second):
        fill(ws, centre)

    class Ctx:   # a task context whose Cancel is pressed while the first sheet exports
        cancelled = False

        def report(self, done, total, text):
            if "verifying" in text:
                self.cancelled = True

    request = SignExportRequest(ws.folder, ws.actor, EXPERT, (first, second), out,
                                password=DEMO_PASSWORD)
    outcome = sign_and_export(request, None, Ctx())
    assert outcome.cancelled and outcome.changed == [first]
    assert outcome.key is not None and len(outcome.paths) == 2
    assert state(ws, first) == SheetState.SIGNED and state(ws, second) == SheetState.DRAFT
    assert "password" not in repr(request) and DEMO_PASSWORD not in repr(request)
    key = keyring.open_own_key(ws, DEMO_PASSWORD)   # the key given: no password needed
    outcome = sign_and_export(SignExportRequest(ws.folder, ws.actor, EXPERT, (second,), out),
                              key)
    assert outcome.changed == [second] and not outcome.failed


def test_the_fields_are_checked(qtbot, ws, centres, session, tmp_path):
    centre = centres[0]
    fill(ws, centre)
    dialog = make_dialog(qtbot, ws, [centre], session)
    ui = dialog.ui
    ui.folder_edit.setText("")
    assert not dialog.start() and "choose the folder" in ui.status_label.text()
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    ui.folder_edit.setText(str(a_file))
    assert not dialog.start() and "not a folder" in ui.status_label.text()
    ui.folder_edit.setText(str(tmp_path))
    ui.xlsx_check.setChecked(False)
    ui.pdf_check.setChecked(False)
    assert not dialog.ok_button.isEnabled()
    assert not dialog.start() and "at least one format" in ui.status_label.text()
    dialog.load(SignExportRequest(ws.folder, ws.actor, EXPERT, (centre,), tmp_path,
                                  formats=("pdf",), password="x"))
    request = dialog.save()
    assert request.formats == ("pdf",) and request.folder == tmp_path
    assert request.signature_png is None and request.centre_ids == (centre,)


def test_the_export_folder_is_remembered(qtbot, inline_tasks, ws, centres, session, out,
                                         tmp_path, data_dir):
    settings = Settings(tmp_path / "settings.ini")
    centre = centres[0]
    fill(ws, centre)
    dialog = make_dialog(qtbot, ws, [centre], session, settings=settings)
    assert dialog.ui.folder_edit.text()              # Documents (or home) at first
    dialog.ui.folder_edit.setText(str(out))
    type_password(qtbot, dialog, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.exported):
        press_ok(qtbot, dialog)
    assert settings.get(EXPORT_FOLDER) == str(out)
    dialog.close()
    again = make_dialog(qtbot, ws, centres[1:2], session, settings=settings)
    assert again.ui.folder_edit.text() == str(out)


# -- the main window --------------------------------------------------------------------
@pytest.fixture
def main_window(qtbot, data_dir, tmp_path):
    from cmrc_desktop.ui.main_window import MainWindow

    prompts = RecordingPrompts()
    window = MainWindow(Settings(tmp_path / "settings.ini"), prompts)
    qtbot.addWidget(window)
    window.show()
    yield window
    window.close()


def test_my_centres_shows_exported_after_signing_from_the_scoring_window(
        qtbot, inline_tasks, main_window, folder, out):
    from cmrc_desktop.ui.models.centre_status import EXPORTED, IN_PROGRESS

    ws = main_window.load_workspace(folder)
    centre = expert_repo.list_assignments(ws.db, expert_id=EXPERT)[0][1]
    fill(ws, centre)
    view = main_window.current_view()
    view.refresh()
    assert view.model.status(centre) == IN_PROGRESS
    scoring_window = main_window.open_scoring_form(centre)
    qtbot.waitExposed(scoring_window)
    assert scoring_window.key_session is main_window.key_session
    dialog = scoring_window.show_sign_export_dialog()
    dialog.ui.folder_edit.setText(str(out))
    type_password(qtbot, dialog, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.exported):
        press_ok(qtbot, dialog)
    assert view.model.status(centre) == EXPORTED
    assert scoring_window.form.read_only
    assert main_window.key_session.is_open(folder)
    dialog.close()
    main_window.close_workspace()                    # closing the workspace closes the key
    assert not main_window.key_session.is_open()


def test_my_centres_context_menu_signs_and_exports(qtbot, inline_tasks, main_window, folder,
                                                  out):
    from cmrc_desktop.ui.models.centre_status import EXPORTED

    ws = main_window.load_workspace(folder)
    centre = expert_repo.list_assignments(ws.db, expert_id=EXPERT)[0][1]
    fill(ws, centre)
    view = main_window.current_view()
    table = view.table
    assert table.contextMenuPolicy() == Qt.ContextMenuPolicy.ActionsContextMenu
    actions = {a.objectName(): a for a in table.actions()}
    row = view.model.row_of(centre)
    table.setCurrentIndex(view.proxy.mapFromSource(view.model.index(row, 0)))
    actions["action_sign_export_centre"].trigger()
    dialog = main_window.dialog
    assert isinstance(dialog, SignExportDialog) and dialog.centre_ids == [centre]
    dialog.ui.folder_edit.setText(str(out))
    type_password(qtbot, dialog, DEMO_PASSWORD)
    with qtbot.waitSignal(dialog.exported):
        press_ok(qtbot, dialog)
    assert view.model.status(centre) == EXPORTED
    dialog.close()
    actions["action_sign_export_all"].trigger()
    assert isinstance(main_window.dialog, SignExportDialog)
    assert not main_window.dialog.single
    main_window.dialog.close()
    [open_form] = [a for a in table.actions() if a.text() == "&Open scoring form"]
    row = view.model.row_of(centre)                  # the refreshed view: select again
    table.setCurrentIndex(view.proxy.mapFromSource(view.model.index(row, 0)))
    open_form.trigger()
    assert main_window.scoring_windows[centre].form.read_only


def test_refused_values_on_the_form_stop_the_dialog(qtbot, ws, centres, session):
    from cmrc_desktop.ui.main_window import ScoringWindow

    centre = centres[0]
    fill(ws, centre)
    prompts = RecordingPrompts()
    window = ScoringWindow(ws, EXPERT, centre, prompts, key_session=session)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    indicator = ws.scheme.expert_indicators[0]
    edit = window.form.score_edit(indicator.id)
    edit.setText(str(indicator.max + Decimal(5)))   # shown, refused, not saved
    edit.textEdited.emit(edit.text())
    assert window.show_sign_export_dialog() is None
    [(kind, _title, text)] = prompts.messages
    assert kind == "warning" and "not saved" in text
    assert window.dialog is None and state(ws, centre) == SheetState.DRAFT
    window.close()


# -- language ---------------------------------------------------------------------------
def test_the_dialog_renders_in_chinese(qtbot, ws, centres, session, monkeypatch):
    monkeypatch.setenv("CMRC_LANG", "zh_CN")
    i18n.set_language("zh_CN")
    centre = centres[0]
    fill(ws, centre)
    dialog = make_dialog(qtbot, ws, [centre], session)
    sign_strokes(qtbot, dialog.ui.signature_pad)
    shot = dialog.grab()
    assert not shot.isNull() and shot.width() >= 500
