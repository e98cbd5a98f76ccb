"""Background work: results, errors and progress come back on the GUI thread; Cancel
stops a job; a job that needs the database opens its own workspace."""

from __future__ import annotations

import logging
import threading
import time

from PySide6.QtCore import QThread
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from cmrc_desktop.domain.errors import InputError
from cmrc_desktop.services import merge
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.ui import tasks
from cmrc_desktop.ui.models.merge_report import OUTCOME_ROLE, MergeReportModel
from cmrc_desktop.ui.tasks import TaskContext, run_task, run_with_progress
from tests.ui.conftest import copy_workspace

WAIT = 10_000  # ms


def on_gui_thread() -> bool:
    return QThread.currentThread() is QApplication.instance().thread()


class Recorder:
    """Callbacks that remember what they got and on which thread."""

    def __init__(self) -> None:
        self.done: list = []
        self.errors: list[str] = []
        self.progress: list[tuple[int, int, str]] = []
        self.cancelled = 0
        self.threads: list[bool] = []

    def on_done(self, result) -> None:
        self.threads.append(on_gui_thread())
        self.done.append(result)

    def on_error(self, message: str) -> None:
        self.threads.append(on_gui_thread())
        self.errors.append(message)

    def on_progress(self, done: int, total: int, text: str) -> None:
        self.threads.append(on_gui_thread())
        self.progress.append((done, total, text))

    def on_cancelled(self) -> None:
        self.threads.append(on_gui_thread())
        self.cancelled += 1


def start(rec: Recorder, fn, **kwargs):
    return run_task(fn, on_done=rec.on_done, on_error=rec.on_error,
                    progress=rec.on_progress, on_cancelled=rec.on_cancelled, **kwargs)


def test_the_result_arrives_on_the_gui_thread_and_the_job_ran_on_another(qtbot):
    rec = Recorder()
    gui = threading.get_ident()
    handle = start(rec, lambda ctx: (threading.get_ident() != gui, 42))
    with qtbot.waitSignal(handle.finished, timeout=WAIT) as blocker:
        pass
    assert rec.done == [(True, 42)]
    assert blocker.args == [(True, 42)]
    assert rec.threads == [True]
    assert handle.running is False
    assert tasks.running_tasks() == []


def test_a_cmrc_error_reaches_on_error_as_its_plain_message(qtbot):
    rec = Recorder()

    def fn(ctx):
        raise InputError("score 11 is outside [0, 10]", file="sheet.xlsx")
    handle = start(rec, fn)
    with qtbot.waitSignal(handle.failed, timeout=WAIT):
        pass
    assert rec.errors == ["sheet.xlsx: score 11 is outside [0, 10]"]
    assert rec.done == [] and rec.threads == [True]


def test_any_other_exception_is_logged_and_reported_as_an_internal_error(qtbot, caplog):
    rec = Recorder()

    def fn(ctx):
        raise ZeroDivisionError("secret detail")
    with caplog.at_level(logging.ERROR, logger="cmrc_desktop.ui.tasks"):
        handle = start(rec, fn, title="Compute")
        with qtbot.waitSignal(handle.failed, timeout=WAIT):
            pass
    assert rec.errors == [tasks.internal_error_message()]
    assert "secret detail" not in rec.errors[0] and "Traceback" not in rec.errors[0]
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


def test_a_failing_callback_never_raises_into_the_event_loop(qtbot, caplog):
    errors: list[str] = []

    def bad_on_done(result):
        raise RuntimeError("bug in the window")
    with caplog.at_level(logging.ERROR, logger="cmrc_desktop.ui.tasks"):
        handle = run_task(lambda ctx: 1, on_done=bad_on_done, on_error=errors.append)
        with qtbot.waitSignal(handle.failed, timeout=WAIT):
            pass
    assert errors == [tasks.internal_error_message()]
    assert "bug in the window" in caplog.text


def test_without_on_error_a_message_box_opens_on_the_parent(qtbot):
    parent = QWidget()
    qtbot.addWidget(parent)
    parent.show()

    def fn(ctx):
        raise InputError("the package is damaged")
    handle = run_task(fn, on_done=lambda r: None, parent=parent, title="Import")
    with qtbot.waitSignal(handle.failed, timeout=WAIT):
        pass
    from PySide6.QtWidgets import QMessageBox
    boxes = parent.findChildren(QMessageBox)
    assert [b.text() for b in boxes] == ["the package is damaged"]
    boxes[0].close()


def test_progress_arrives_throttled_and_the_last_report_is_never_lost(qtbot):
    rec = Recorder()

    def fn(ctx: TaskContext):
        for i in range(1, 20_001):
            ctx.report(i, 20_000, f"item {i}")
        ctx.report(7, 0, "tidying up")  # unknown total, right after: coalesced, then flushed
        return "ok"
    handle = start(rec, fn)
    with qtbot.waitSignal(handle.finished, timeout=WAIT):
        pass
    assert rec.done == ["ok"]
    assert (20_000, 20_000, "item 20000") in rec.progress
    assert rec.progress[-1] == (7, 0, "tidying up")
    assert 2 <= len(rec.progress) < 200
    assert all(rec.threads)


def test_cancel_stops_a_long_job(qtbot):
    rec = Recorder()

    def fn(ctx: TaskContext):
        for i in range(10_000):
            if ctx.cancelled:
                return f"stopped at {i}"
            ctx.report(i, 10_000, "")
            time.sleep(0.005)
        return "ran to the end"
    handle = start(rec, fn)
    qtbot.waitUntil(lambda: len(rec.progress) > 0, timeout=WAIT)
    handle.cancel()
    with qtbot.waitSignal(handle.finished, timeout=WAIT):
        pass
    assert rec.done[0].startswith("stopped at")
    assert handle.is_cancelled


def test_a_job_can_stop_with_raise_if_cancelled(qtbot):
    rec = Recorder()
    started = threading.Event()

    def fn(ctx: TaskContext):
        started.set()
        while True:
            ctx.raise_if_cancelled()
            time.sleep(0.005)
    handle = start(rec, fn)
    assert started.wait(5)
    handle.cancel()
    with qtbot.waitSignal(handle.cancelled, timeout=WAIT):
        pass
    assert rec.cancelled == 1 and rec.done == [] and rec.errors == []


def test_nobody_is_called_back_once_the_parent_is_gone(qtbot):
    rec = Recorder()
    parent = QWidget()
    release = threading.Event()

    def fn(ctx: TaskContext):
        release.wait(5)
        return "late"
    handle = start(rec, fn, parent=parent)
    parent.deleteLater()
    qtbot.waitUntil(lambda: handle.is_cancelled, timeout=WAIT)
    release.set()
    qtbot.waitUntil(lambda: not handle.running, timeout=WAIT)
    assert rec.done == [] and rec.errors == []


def test_a_merge_inside_a_task_never_forks(qtbot):
    """A job runs on a pool thread, where forking worker processes could deadlock them:
    merge_files verifies inline there."""
    rec = Recorder()
    handle = start(rec, lambda ctx: merge._can_fork())
    with qtbot.waitSignal(handle.finished, timeout=WAIT):
        pass
    assert rec.done == [False]


def test_a_task_that_ended_leaves_its_parent_alone(qtbot):
    rec = Recorder()
    parent = QWidget()
    handle = start(rec, lambda ctx: "ok", parent=parent)
    with qtbot.waitSignal(handle.finished, timeout=WAIT):
        pass
    del handle
    parent.deleteLater()
    qtbot.wait(50)
    assert rec.done == ["ok"] and rec.errors == []


def test_the_progress_dialog_shows_only_for_slow_jobs_and_cancel_stops_the_job(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    rec = Recorder()

    def slow(ctx: TaskContext):
        for i in range(2_000):
            if ctx.cancelled:
                return f"stopped at {i}"
            ctx.report(i, 2_000, f"step {i}")
            time.sleep(0.005)
        return "ran to the end"
    began = time.monotonic()
    handle = run_with_progress(window, "Slow job", slow, rec.on_done)
    dialog = handle.dialog
    assert not dialog.isVisible()
    qtbot.waitUntil(dialog.isVisible, timeout=WAIT)
    assert time.monotonic() - began >= tasks.SHOW_AFTER_MS / 1000 * 0.9
    assert dialog.isModal() or dialog.windowModality() != 0
    qtbot.waitUntil(lambda: dialog.value() > 0, timeout=WAIT)
    cancel = [b for b in dialog.findChildren(QPushButton) if b.isVisible()]
    assert len(cancel) == 1
    with qtbot.waitSignal(handle.finished, timeout=WAIT):
        cancel[0].click()
    assert rec.done[0].startswith("stopped at") and rec.threads == [True]
    qtbot.waitUntil(lambda: not _alive_and_visible(dialog), timeout=WAIT)


def _alive_and_visible(widget) -> bool:
    try:
        return widget.isVisible()
    except RuntimeError:  # already deleted
        return False


def test_a_quick_job_never_flashes_the_progress_dialog(qtbot):
    window = QWidget()
    qtbot.addWidget(window)
    window.show()
    rec = Recorder()
    seen: list[bool] = []

    def quick(ctx: TaskContext):
        for i in range(5):
            ctx.report(i, 5, "")
            time.sleep(0.01)
        return "done"
    handle = run_with_progress(window, "Quick job", quick, rec.on_done)
    handle.progressed.connect(lambda *a: seen.append(_alive_and_visible(handle.dialog)))
    with qtbot.waitSignal(handle.finished, timeout=WAIT):
        pass
    qtbot.wait(tasks.SHOW_AFTER_MS + 100)
    assert rec.done == ["done"]
    assert not any(seen) and not _alive_and_visible(handle.dialog)


def test_inline_tasks_run_synchronously(qtbot, inline_tasks):
    rec = Recorder()
    gui = threading.get_ident()
    start(rec, lambda ctx: ctx.report(1, 1, "one") or threading.get_ident() == gui)
    assert rec.done == [True] and rec.progress == [(1, 1, "one")]
    window = QWidget()
    qtbot.addWidget(window)
    handle = run_with_progress(window, "Inline", lambda ctx: 5, rec.on_done)
    assert rec.done == [True, 5] and not handle.running


def test_a_merge_in_a_task_opens_its_own_workspace(qtbot, demo_dir, tmp_path):
    """The secretary's merge, as the window runs it: the worker opens the workspace,
    merges, reads the per-file rows and closes it; the window gets plain data."""
    folder = copy_workspace(demo_dir / "secretary", tmp_path / "secretary")
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"not a spreadsheet")
    threads: list[bool] = []

    def job(ctx: TaskContext):
        threads.append(on_gui_thread())
        assert not merge._can_fork()  # never fork a process that runs Qt threads
        with open_workspace(folder, actor="test") as ws:
            report = merge.merge_files(ws, [demo_dir / "scoresheets", junk],
                                       progress=ctx.progress_callback())
            return dict(report.counts), report.files
    rec = Recorder()
    handle = start(rec, job, title="Merge")
    with qtbot.waitSignal(handle.finished, timeout=60_000):
        pass
    assert threads == [False] and rec.threads and all(rec.threads)
    (counts, files), = rec.done
    sheets = len(list((demo_dir / "scoresheets").glob("*.xlsx")))
    assert counts == {merge.ALREADY: sheets, merge.REFUSED: 1}
    assert rec.progress[-1][:2] == (sheets + 1, sheets + 1)
    with open_workspace(folder) as ws:  # the run was committed by the worker's connection
        from cmrc_desktop.storage import merge_repo
        assert len(merge_repo.run_files(ws.db)) == sheets + 1  # the latest run

    model = MergeReportModel(files)
    refused = [r for r in range(model.rowCount()) if
               model.index(r, 0).data(OUTCOME_ROLE) == merge.REFUSED]
    assert len(refused) == 1
    assert model.count(merge.ALREADY) == sheets


def test_run_task_refuses_a_call_off_the_gui_thread(qtbot):
    errors: list[BaseException] = []

    def call():
        try:
            run_task(lambda ctx: None, on_done=lambda r: None)
        except RuntimeError as exc:
            errors.append(exc)
    thread = threading.Thread(target=call)
    thread.start()
    thread.join(5)
    assert len(errors) == 1
