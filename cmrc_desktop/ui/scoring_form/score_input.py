"""The score input: a line edit whose validator reads text by the one score rule.

The rule is ``domain.numbers.parse_decimal`` (NFKC, so full-width ``４．５`` is 4.5; plain
digits and one decimal point; no signs, commas or exponents) followed by
``scoring.grading.score_problem`` (range [0, max] and the step). A refused value is not
swallowed: the validator answers *Intermediate*, so the text stays on screen, marked
unsaved, with a message naming the range and the step; only an *Acceptable* text is
ever committed.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent, QKeySequence, QValidator
from PySide6.QtWidgets import QLineEdit, QWidget

from cmrc_desktop.domain.numbers import parse_decimal, plain
from cmrc_desktop.domain.scheme import Indicator
from cmrc_desktop.i18n import _
from cmrc_desktop.scoring.grading import score_problem

_SHOWN_TEXT = 24  # characters of a refused text quoted back in the message
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


def allowed_text(indicator: Indicator) -> str:
    return _("0 to {max} in steps of {step}").format(max=plain(indicator.max),
                                                     step=plain(indicator.step))


def check_score(indicator: Indicator, text: str) -> tuple[Decimal | None, str | None]:
    """``(value, None)`` for an allowed score (None for an empty field, which clears it),
    ``(None, message)`` for a refused one; the message names the range and the step."""
    if not text.strip():
        return None, None
    value = parse_decimal(text)
    if value is None:
        shown = text.strip()
        if len(shown) > _SHOWN_TEXT:
            shown = shown[:_SHOWN_TEXT] + "…"
        problem = _("“{text}” is not a number (only digits and one decimal point)").format(
            text=shown)
    else:
        try:
            problem = score_problem(indicator, value)
        except InvalidOperation:  # too large to print plainly: out of range anyway
            problem = _("score {value} is outside [0, {max}]").format(
                value=text.strip(), max=plain(indicator.max))
    if problem:
        message = _("{problem}; allowed: {allowed}").format(
            problem=problem, allowed=allowed_text(indicator))
        return None, message[:1].upper() + message[1:]
    return value, None


class ScoreValidator(QValidator):
    """Acceptable: an empty field or an allowed score. Intermediate: anything else, so
    that the refused text stays visible; nothing is ever Invalid (typing is never eaten)."""

    def __init__(self, indicator: Indicator, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.indicator = indicator

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        _value, problem = check_score(self.indicator, text)
        state = QValidator.State.Intermediate if problem else QValidator.State.Acceptable
        return state, text, pos

    def problem(self, text: str) -> str | None:
        return check_score(self.indicator, text)[1]


class _FormUndoLineEdit(QLineEdit):
    """A line edit that leaves Ctrl+Z / Ctrl+Shift+Z to the form's undo stack when it
    has nothing of its own to undo or redo (typing since the last saved value)."""

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if (event.matches(QKeySequence.StandardKey.Undo) and not self.isUndoAvailable()
                    or event.matches(QKeySequence.StandardKey.Redo)
                    and not self.isRedoAvailable()):
                event.ignore()   # the form's Undo / Redo shortcut takes it
                return True
        return super().event(event)


class ScoreEdit(_FormUndoLineEdit):
    """A score field. Enter asks to commit (and move on); leaving the field asks to
    commit; Ctrl+Z / Ctrl+Shift+Z undo typing not yet committed in the field, else
    they go to the form's undo stack.

    Signals:
        entered(): Enter or Return was pressed.
        left(): the field lost the keyboard focus.
    """

    entered = Signal()
    left = Signal()

    def __init__(self, indicator: Indicator, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.indicator = indicator
        self.saved_text = ""
        self.setValidator(ScoreValidator(indicator, self))
        self.setMaxLength(32)
        self.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.setPlaceholderText(f"0–{plain(indicator.max)}")
        self.setToolTip(_("Score: {allowed}. Enter saves it and moves on.").format(
            allowed=allowed_text(indicator)))
        self.setAccessibleName(indicator.id)

    @property
    def dirty(self) -> bool:
        return self.text() != self.saved_text

    def show_saved(self, text: str) -> None:
        """Show a value that is in the database."""
        self.saved_text = text
        self.setText(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER_KEYS and not (
                event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier):
            event.accept()
            self.entered.emit()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.left.emit()


class CommentEdit(_FormUndoLineEdit):
    """A comment field: Enter saves (``editingFinished``) and moves to the next field."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in _ENTER_KEYS:
            self.focusNextChild()
