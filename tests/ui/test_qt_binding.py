"""The Qt binding itself must be sound: PySide6 6.12.0 on Python 3.11 drops a reference
to True on every signal emitted, and an expert's session aborted after a few hundred
saved scores. This fails on such a binding before an expert meets it."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    pinged = Signal()
    valued = Signal(bool)


def test_emitting_signals_keeps_reference_counts_of_true_and_false(qapp):
    emitter = _Emitter()
    emitter.valued.connect(lambda value: None)
    before = (sys.getrefcount(True), sys.getrefcount(False))
    for _ in range(50):
        emitter.pinged.emit()
        emitter.valued.emit(True)
    after = (sys.getrefcount(True), sys.getrefcount(False))
    assert after[0] - before[0] > -20, "the Qt binding leaks references to True"
    assert after[1] - before[1] > -20, "the Qt binding leaks references to False"
