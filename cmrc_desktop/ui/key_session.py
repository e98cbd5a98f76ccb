"""The expert's opened signing key, kept for a short session.

Opening the key (``keyring.open_own_key``) needs the expert's password. The window keeps
the opened key so that signing several sheets in a row asks once, and forgets it after
``IDLE_LIMIT`` (15 minutes) without use: the next signature asks for the password again.

Time is measured on a clock that keeps running while the computer sleeps (a laptop
closed over lunch must not come back with the key open): on Linux ``CLOCK_BOOTTIME``;
elsewhere the larger of the monotonic and the wall-clock time elapsed, so neither a
monotonic clock that stops during sleep nor a wall clock set back can stretch the
session. Tests inject ``clock``. A ``QTimer`` forgets the key on time even when nobody
asks for it, so it does not stay in memory.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

if TYPE_CHECKING:   # cryptography is not needed until a key is opened
    from cmrc_desktop.signing.keys import KeyPair

IDLE_LIMIT = 15 * 60.0   # seconds without use before the password is asked again

Clock = Callable[[], float]


class _SleepAwareClock:
    """Seconds, counting time asleep (see the module's docstring)."""

    def __init__(self) -> None:
        self._boottime = getattr(time, "CLOCK_BOOTTIME", None)
        self._origin_mono = time.monotonic()
        self._origin_wall = time.time()

    def __call__(self) -> float:
        if self._boottime is not None:
            try:
                return time.clock_gettime(self._boottime)
            except OSError:
                self._boottime = None
        mono = time.monotonic() - self._origin_mono
        wall = time.time() - self._origin_wall
        return max(mono, wall)


class KeySession(QObject):
    """The opened key of one expert workspace, forgotten after ``idle_limit`` seconds
    without use.

    ``key(folder)`` returns the key (and counts as a use) or None when none is open
    for that workspace or it was idle too long; ``remember(folder, key)`` keeps a
    key just opened (or used); ``forget()`` drops it at once (closing the workspace).

    Signals:
        opened() — a key was remembered
        forgotten() — the key was dropped (idle too long, or ``forget()``)
    """

    opened = Signal()
    forgotten = Signal()

    def __init__(self, idle_limit: float = IDLE_LIMIT, *, clock: Clock | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.idle_limit = float(idle_limit)
        self._clock: Clock = clock or _SleepAwareClock()
        self._key: KeyPair | None = None
        self._folder: Path | None = None
        self._last_use = 0.0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timer_timeout)

    # -- public --------------------------------------------------------------------------
    def is_open(self, folder: str | Path | None = None) -> bool:
        """True while a key is open (for ``folder``, if given) and not idle too long;
        does not count as a use."""
        self._expire_if_idle()
        return self._key is not None and (folder is None or self._folder == _norm(folder))

    def key(self, folder: str | Path) -> KeyPair | None:
        """The open key of the workspace in ``folder``, and a use of it; None when the
        password must be asked."""
        if not self.is_open(folder):
            return None
        self._touch()
        return self._key

    def remember(self, folder: str | Path, key: KeyPair) -> None:
        """Keep ``key`` (of the workspace in ``folder``) from now on."""
        self._key = key
        self._folder = _norm(folder)
        self._touch()
        self.opened.emit()

    def forget(self) -> None:
        self._timer.stop()
        if self._key is None:
            return
        self._key = None
        self._folder = None
        self.forgotten.emit()

    def remaining(self) -> float:
        """Seconds until the key is forgotten (0 when none is open)."""
        if not self.is_open():
            return 0.0
        return max(0.0, self.idle_limit - (self._clock() - self._last_use))

    # -- internals -----------------------------------------------------------------------
    def _touch(self) -> None:
        self._last_use = self._clock()
        self._start_timer(self.idle_limit)

    def _start_timer(self, seconds: float) -> None:
        self._timer.start(max(1, min(int(seconds * 1000) + 1, 2**31 - 1)))

    def _expire_if_idle(self) -> None:
        if self._key is not None and self._clock() - self._last_use >= self.idle_limit:
            self.forget()

    @Slot()
    def _on_timer_timeout(self) -> None:
        self._expire_if_idle()
        if self._key is not None:     # a timer that fired early (or a clock that lags)
            self._start_timer(self.remaining())


def _norm(folder: str | Path) -> Path:
    return Path(folder).expanduser().absolute()
