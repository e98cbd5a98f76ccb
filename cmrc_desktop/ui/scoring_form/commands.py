"""Undo and redo of committed scores.

A command is pushed only after its score was committed (so a refused write never
enters the stack); its first ``redo`` therefore does nothing. Undo and later redos
write through the same ``record_score`` as typing does, so they are saved and audited
like any other change.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from PySide6.QtGui import QUndoCommand

from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.i18n import _

Writer = Callable[[str, Decimal | None], bool]


def _shown(value: Decimal | None) -> str:
    return "—" if value is None else plain(value)


class SetScoreCommand(QUndoCommand):
    """Score ``indicator`` went from ``old`` to ``new``; ``write(indicator, value)``
    commits a value and says whether it was saved."""

    def __init__(self, write: Writer, indicator: str, old: Decimal | None,
                 new: Decimal | None) -> None:
        super().__init__(_("score {indicator}: {old} → {new}").format(
            indicator=indicator, old=_shown(old), new=_shown(new)))
        self.write = write
        self.indicator = indicator
        self.old = old
        self.new = new
        self._skip_redo = True   # committed before it was pushed

    def redo(self) -> None:
        if self._skip_redo:
            self._skip_redo = False
            return
        self.write(self.indicator, self.new)

    def undo(self) -> None:
        self.write(self.indicator, self.old)
