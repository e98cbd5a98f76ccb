"""Background work: one helper for everything slower than about 100 ms (after Picard).

``run_task(fn, on_done=..., on_error=...)`` runs ``fn(ctx)`` on the global
``QThreadPool`` and brings its result, its error or its progress back to the GUI thread
through Qt signals (queued connections), so the window never freezes and no callback
runs on a worker thread::

    def merge(ctx: TaskContext) -> list[FileOutcome]:
        with open_workspace(folder) as ws:          # the worker's own connection
            report = merge_files(ws, paths, progress=ctx.progress_callback())
            return report.files                    # read before the workspace closes

    run_with_progress(self, _("Merging scoresheets"), merge, self._show_report)

Rules for ``fn``:

- It runs on another thread. A sqlite3 connection belongs to the thread that opened it,
  so a job that needs the database opens its own workspace (``open_workspace``) and
  closes it before returning; it must not touch widgets or the GUI's ``Workspace``.
- ``ctx.report(done, total, text)`` reports progress (thread-safe, throttled to about
  20 updates a second; the last one is always delivered).
- ``ctx.cancelled`` turns true when the user presses Cancel. The job decides what that
  means: return what it has (``on_done`` gets it), or ``ctx.raise_if_cancelled()``
  (``on_cancelled`` is called instead of ``on_done``).
- A ``CmrcError`` reaches ``on_error`` as its plain message (``str(error)``, which names
  the file or field); any other exception is logged with its traceback and ``on_error``
  gets a generic "internal error" message. Nothing is ever raised into the event loop,
  not even by a callback.

Tests make every task run inline (synchronously, callbacks before ``run_task``
returns) with the ``inline_tasks`` fixture, which swaps the module-level ``_start`` hook.
"""

from __future__ import annotations

import functools
import itertools
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QObject,
    QRunnable,
    Qt,
    QThread,
    QThreadPool,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtWidgets import QApplication, QProgressDialog, QWidget

from cmrc_desktop.domain.errors import CmrcError
from cmrc_desktop.i18n import _
from cmrc_desktop.ui.prompts import prompts_of

log = logging.getLogger(__name__)

PROGRESS_INTERVAL = 0.05   # seconds between two progress signals: ~20 a second
SHOW_AFTER_MS = 300        # a progress dialog appears only for jobs slower than this
_NEVER_MS = 24 * 3600 * 1000

Done = Callable[[Any], None]
Error = Callable[[str], None]
Progress = Callable[[int, int, str], None]


def internal_error_message() -> str:
    return _("An internal error stopped the operation. The details were written to the "
             "log.")


class TaskCancelled(Exception):  # noqa: N818 (a signal to stop, not an error)
    """Raised by ``TaskContext.raise_if_cancelled``: the job stopped because the user
    pressed Cancel; neither ``on_done`` nor ``on_error`` is called."""


class TaskContext:
    """What a job receives: ``report(done, total, text)`` and ``cancelled``."""

    def __init__(self, task_id: int, relay: _Relay) -> None:
        self._id = task_id
        self._relay = relay
        self._cancel = threading.Event()
        self._lock = threading.Lock()
        self._last = 0.0
        self._pending: tuple[int, int, str] | None = None
        self.orphaned = False   # the parent of the task is gone: call nobody back

    @property
    def cancelled(self) -> bool:
        """True once Cancel was pressed (or ``TaskHandle.cancel`` called)."""
        return self._cancel.is_set()

    def cancel(self) -> None:
        self._cancel.set()

    def raise_if_cancelled(self) -> None:
        if self._cancel.is_set():
            raise TaskCancelled

    def report(self, done: int, total: int, text: str = "") -> None:
        """Progress: ``done`` of ``total`` (``total`` 0 when unknown), ``text`` for the
        user. Safe from any thread; at most ~20 signals a second, the rest coalesced."""
        now = time.monotonic()
        with self._lock:
            if now - self._last < PROGRESS_INTERVAL and not (total and done >= total):
                self._pending = (done, total, text)
                return
            self._last = now
            self._pending = None
        self._relay.progressed.emit(self._id, int(done), int(total), str(text))

    def progress_callback(self) -> Callable[[int, int, str], bool]:
        """A ``progress`` argument for the services (``merge_files`` and the like):
        reports, and answers False (stop) once cancelled."""
        def progress(done: int, total: int, text: str) -> bool:
            self.report(done, total, text)
            return not self.cancelled
        return progress

    def _flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, None
        if pending is not None:
            self._relay.progressed.emit(self._id, *pending)


def _orphan(ctx: TaskContext, *_args: object) -> None:
    """The window that asked is gone: stop the job and call nobody back."""
    ctx.orphaned = True
    ctx.cancel()


class _Relay(QObject):
    """The one object, living in the GUI thread, through which workers talk to it.

    Signals (emitted on a worker thread, delivered queued on the GUI thread):
        progressed(task_id, done, total, text)
        finished(task_id, result)
        failed(task_id, message)
        cancelled(task_id)
    """

    progressed = Signal(int, int, int, str)
    finished = Signal(int, object)
    failed = Signal(int, str)
    cancelled = Signal(int)

    def __init__(self) -> None:
        super().__init__()
        self.handles: dict[int, TaskHandle] = {}
        self.progressed.connect(self._on_relay_progressed)
        self.finished.connect(self._on_relay_finished)
        self.failed.connect(self._on_relay_failed)
        self.cancelled.connect(self._on_relay_cancelled)

    @Slot(int, int, int, str)
    def _on_relay_progressed(self, task_id: int, done: int, total: int, text: str) -> None:
        handle = self.handles.get(task_id)
        if handle is not None:
            handle._deliver_progress(done, total, text)

    @Slot(int, object)
    def _on_relay_finished(self, task_id: int, result: object) -> None:
        handle = self.handles.pop(task_id, None)
        if handle is not None:
            handle._deliver_result(result)

    @Slot(int, str)
    def _on_relay_failed(self, task_id: int, message: str) -> None:
        handle = self.handles.pop(task_id, None)
        if handle is not None:
            handle._deliver_error(message)

    @Slot(int)
    def _on_relay_cancelled(self, task_id: int) -> None:
        handle = self.handles.pop(task_id, None)
        if handle is not None:
            handle._deliver_cancelled()


_relay: _Relay | None = None
_ids = itertools.count(1)


def _the_relay() -> _Relay:
    global _relay
    app = QApplication.instance()
    if app is None:
        raise RuntimeError("run_task needs a QApplication")
    if QThread.currentThread() is not app.thread():
        raise RuntimeError("run_task must be called on the GUI thread")
    if _relay is None:
        _relay = _Relay()
    return _relay


class _Job(QRunnable):
    def __init__(self, fn: Callable[[TaskContext], Any], ctx: TaskContext, relay: _Relay,
                 title: str) -> None:
        super().__init__()
        self._fn = fn
        self._ctx = ctx
        self._relay = relay
        self._title = title

    def run(self) -> None:
        self._run()

    def _run(self) -> None:
        ctx, relay, task_id = self._ctx, self._relay, self._ctx._id
        try:
            result = self._fn(ctx)
        except TaskCancelled:
            ctx._flush()
            relay.cancelled.emit(task_id)
        except CmrcError as exc:
            ctx._flush()
            relay.failed.emit(task_id, str(exc))
        except BaseException:  # every failure must reach the GUI thread
            log.exception("background task %r failed", self._title or self._fn)
            ctx._flush()
            relay.failed.emit(task_id, internal_error_message())
        else:
            ctx._flush()
            relay.finished.emit(task_id, result)
        finally:
            self._fn = None  # type: ignore[assignment]  # free the closure on the worker


def _start_in_pool(job: QRunnable) -> None:
    QThreadPool.globalInstance().start(job)


def _start_inline(job: QRunnable) -> None:
    """For tests (the ``inline_tasks`` fixture): run now, on this thread."""
    job.run()


_start: Callable[[QRunnable], None] = _start_in_pool


class TaskHandle(QObject):
    """One running job, on the GUI thread: ``cancel()``, ``running``, ``title``.

    Signals:
        progressed(done, total, text)
        finished(result) — after ``on_done``
        failed(message) — after ``on_error``
        cancelled() — the job raised ``TaskCancelled``
    """

    progressed = Signal(int, int, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, task_id: int, ctx: TaskContext, *, title: str, on_done: Done,
                 on_error: Error | None, on_cancelled: Callable[[], None] | None,
                 progress: Progress | None, parent: QObject | None) -> None:
        super().__init__()  # no Qt parent: the parent may go while the job runs
        self.task_id = task_id
        self.title = title
        self.running = True
        self.parent_widget = parent if isinstance(parent, QWidget) else None
        self._ctx = ctx
        self._on_done = on_done
        self._on_error = on_error
        self._on_cancelled = on_cancelled
        self._progress = progress
        self.dialog: QProgressDialog | None = None   # set by run_with_progress
        self._parent_connection = None
        if parent is not None:
            # a plain function, not a slot of this handle: the handle may be gone long
            # before the parent, and the context is a plain Python object
            self._parent_connection = parent.destroyed.connect(
                functools.partial(_orphan, ctx))

    @property
    def is_cancelled(self) -> bool:
        return self._ctx.cancelled

    def cancel(self) -> None:
        """Ask the job to stop; it notices at its next look at ``ctx.cancelled``."""
        self._ctx.cancel()

    @property
    def _orphaned(self) -> bool:
        return self._ctx.orphaned

    # -- delivery on the GUI thread (called by the relay) --------------------------------
    def _deliver_progress(self, done: int, total: int, text: str) -> None:
        if self._orphaned or not self.running:
            return
        if self._progress is not None:
            self._call(self._progress, done, total, text)
        self.progressed.emit(done, total, text)

    def _deliver_result(self, result: object) -> None:
        self._ended()
        if self._orphaned:
            return
        if self._call(self._on_done, result):
            self.finished.emit(result)

    def _deliver_error(self, message: str) -> None:
        self._ended()
        if self._orphaned:
            return
        self._report_error(message)
        self.failed.emit(message)

    def _deliver_cancelled(self) -> None:
        self._ended()
        if self._orphaned:
            return
        if self._on_cancelled is not None:
            self._call(self._on_cancelled)
        self.cancelled.emit()

    def _ended(self) -> None:
        self.running = False
        if self._parent_connection is not None and not self._orphaned:
            QObject.disconnect(self._parent_connection)
        self._parent_connection = None

    def _call(self, callback: Callable[..., Any], *args: Any) -> bool:
        """Run a callback; a failure is logged and reported, never raised into Qt."""
        try:
            callback(*args)
        except Exception:
            log.exception("callback of background task %r failed", self.title)
            if callback is not self._on_error:
                self._report_error(internal_error_message())
                self.failed.emit(internal_error_message())
            return False
        return True

    def _report_error(self, message: str) -> None:
        if self._on_error is not None:
            self._call(self._on_error, message)
        else:
            show_error(self.parent_widget, self.title, message)


def show_error(parent: QWidget | None, title: str, message: str) -> None:
    """The default ``on_error``: a warning from the prompts of ``parent``'s window (a
    window-modal box that does not block), or the log when there is no window."""
    if parent is None:
        log.error("%s: %s", title or "task", message)
        return
    prompts_of(parent).warning(parent, title or _("Error"), message)


def run_task(fn: Callable[[TaskContext], Any], *, on_done: Done, on_error: Error | None = None,
             progress: Progress | None = None, parent: QObject | None = None, title: str = "",
             on_cancelled: Callable[[], None] | None = None) -> TaskHandle:
    """Run ``fn(ctx)`` off the GUI thread; call back on the GUI thread.

    ``on_done(result)`` on success; ``on_error(message)`` on failure (without it, a
    message box on ``parent``); ``progress(done, total, text)`` as the job reports;
    ``on_cancelled()`` when the job stopped with ``ctx.raise_if_cancelled()``. If
    ``parent`` is destroyed first, the job is cancelled and nobody is called back.
    Must be called on the GUI thread.
    """
    relay = _the_relay()
    task_id = next(_ids)
    ctx = TaskContext(task_id, relay)
    handle = TaskHandle(task_id, ctx, title=title, on_done=on_done, on_error=on_error,
                        on_cancelled=on_cancelled, progress=progress, parent=parent)
    relay.handles[task_id] = handle
    _start(_Job(fn, ctx, relay, title))
    return handle


def running_tasks() -> list[TaskHandle]:
    return list(_relay.handles.values()) if _relay is not None else []


def shutdown(timeout_ms: int = 10_000) -> bool:
    """On quit: cancel every job and wait for the pool; False if some did not stop."""
    for handle in running_tasks():
        handle.cancel()
    return QThreadPool.globalInstance().waitForDone(timeout_ms)


# -- with a progress dialog ---------------------------------------------------------------
class TaskProgressDialog(QProgressDialog):
    """A window-modal progress dialog with Cancel for one task; it shows itself only if
    the task runs longer than ``SHOW_AFTER_MS``, and closes itself when the task ends."""

    def __init__(self, parent: QWidget | None, title: str) -> None:
        super().__init__(title, _("Cancel"), 0, 0, parent)
        self.setWindowTitle(title or _("Working…"))
        self.setWindowModality(Qt.WindowModality.WindowModal)
        # Qt's own estimate would show the dialog early for a job that looks long and
        # then flash it; a plain timer shows it once SHOW_AFTER_MS have passed.
        self.setMinimumDuration(_NEVER_MS)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.handle: TaskHandle | None = None
        self._show_timer = QTimer(self)
        self._show_timer.setSingleShot(True)
        self._show_timer.setInterval(SHOW_AFTER_MS)
        self._show_timer.timeout.connect(self._on_show_timer_timeout)

    def attach(self, handle: TaskHandle) -> None:
        self.handle = handle
        if not handle.running:  # an inline task (tests) is over before it is attached
            self._close()
            return
        self.canceled.connect(self._on_dialog_canceled)
        self._show_timer.start()
        handle.progressed.connect(self._on_handle_progressed)
        handle.finished.connect(self._on_handle_finished)
        handle.failed.connect(self._on_handle_failed)
        handle.cancelled.connect(self._on_handle_cancelled)

    @Slot()
    def _on_show_timer_timeout(self) -> None:
        if self.handle is not None and self.handle.running and not self.wasCanceled():
            self.show()

    @Slot()
    def _on_dialog_canceled(self) -> None:
        if self.handle is not None:
            self.handle.cancel()

    @Slot(int, int, str)
    def _on_handle_progressed(self, done: int, total: int, text: str) -> None:
        if self.wasCanceled():
            return
        if text:
            self.setLabelText(text)
        if total > 0:
            if self.maximum() != total:
                self.setMaximum(total)
            self.setValue(min(done, total))

    @Slot(object)
    def _on_handle_finished(self, _result: object) -> None:
        self._close()

    @Slot(str)
    def _on_handle_failed(self, _message: str) -> None:
        self._close()

    @Slot()
    def _on_handle_cancelled(self) -> None:
        self._close()

    def _close(self) -> None:
        self.handle = None
        self._show_timer.stop()
        self.hide()
        self.deleteLater()


def run_with_progress(parent: QWidget | None, title: str, fn: Callable[[TaskContext], Any],
                      on_done: Done, *, on_error: Error | None = None,
                      on_cancelled: Callable[[], None] | None = None) -> TaskHandle:
    """``run_task`` with a window-modal progress dialog and Cancel; quick jobs (under
    300 ms) never show it. ``handle.dialog`` is the dialog (for tests)."""
    dialog = TaskProgressDialog(parent, title)
    handle = run_task(fn, on_done=on_done, on_error=on_error, on_cancelled=on_cancelled,
                      parent=parent, title=title)
    handle.dialog = dialog
    dialog.attach(handle)
    return handle
