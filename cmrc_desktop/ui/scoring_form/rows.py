"""One row per indicator and one header per dimension of the scoring form."""

from __future__ import annotations

import html
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from cmrc_desktop.domain.catalog import Catalog
from cmrc_desktop.domain.numbers import plain
from cmrc_desktop.domain.scheme import Dimension, Indicator
from cmrc_desktop.i18n import _, is_chinese
from cmrc_desktop.ui.scoring_form.look import Tone, scaled_font, set_tone
from cmrc_desktop.ui.scoring_form.score_input import CommentEdit, ScoreEdit

INPUT_COLUMN_WIDTH = 330
SCORE_FIELD_WIDTH = 76


def evidence_text(indicator: Indicator, metrics: dict[str, Decimal], catalog: Catalog) -> str:
    """``name value unit`` for each evidence metric of the indicator, in catalog names."""
    parts = []
    for metric_id in indicator.evidence:
        metric = catalog.metric(metric_id)
        name = metric.display if metric else metric_id
        value = metrics.get(metric_id)
        shown = "—" if value is None else plain(value)
        # catalog names carry their unit, 生物样本量（份）; the English ones not always,
        # and a Chinese unit after an English name would read oddly
        unit = metric.unit if metric and value is not None else ""
        if unit and (unit in name or not is_chinese()):
            unit = ""
        parts.append(f"{name} {shown}{(' ' + unit) if unit else ''}")
    return ("；" if is_chinese() else "; ").join(parts)


def _label(text: str = "", *, wrap: bool = False, rich: bool = False) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    if wrap:
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)   # what QLabel sets for word wrap; keep it
        label.setSizePolicy(policy)
    return label


class DimensionHeader(QFrame):
    """``A  建设效益`` on the left, the live subtotal ``12.5 / 20`` on the right."""

    def __init__(self, dimension: Dimension, maximum: Decimal,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dimension = dimension
        self.maximum = maximum
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 18, 0, 6)
        self.title_label = _label(f"{dimension.id}  {dimension.display}")
        self.title_label.setFont(scaled_font(self.font(), 1.2, bold=True))
        self.subtotal_label = _label()
        self.subtotal_label.setFont(scaled_font(self.font(), 1.2, bold=True))
        self.subtotal_label.setAlignment(Qt.AlignmentFlag.AlignRight
                                         | Qt.AlignmentFlag.AlignVCenter)
        layout.addWidget(self.title_label, 1)
        layout.addWidget(self.subtotal_label)
        self.set_subtotal(Decimal(0))

    def set_subtotal(self, value: Decimal) -> None:
        self.subtotal_label.setText(f"{plain(value)} / {plain(self.maximum)}")


class IndicatorRow(QFrame):
    """Name, max points and step, guidance and evidence on the left; the score, its
    saved mark, its message and the comment on the right. Automatic indicators show
    their computed points instead of an input."""

    def __init__(self, indicator: Indicator, evidence: str, *,
                 automatic_points: Decimal | None = None, automatic_metric: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.indicator = indicator
        self.setFrameShape(QFrame.Shape.NoFrame)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        line = QFrame(self)
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        outer.addWidget(line)
        body = QHBoxLayout()
        body.setContentsMargins(0, 10, 0, 10)
        body.setSpacing(20)
        outer.addLayout(body)

        info = QVBoxLayout()
        info.setSpacing(3)
        self.title_label = _label(
            f"<b>{html.escape(indicator.id)}</b>&nbsp;&nbsp;{html.escape(indicator.display)}",
            rich=True, wrap=True)
        self.title_label.setFont(scaled_font(self.font(), 1.05))
        self.meta_label = _label(_("Max {max} points · step {step}").format(
            max=plain(indicator.max), step=plain(indicator.step)))
        set_tone(self.meta_label, Tone.MUTED)
        info.addWidget(self.title_label)
        info.addWidget(self.meta_label)
        self.guidance_label = _label(
            _("Guidance: {text}").format(text=indicator.guidance) if indicator.guidance
            else "", wrap=True)
        self.guidance_label.setVisible(bool(indicator.guidance))
        self.guidance_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse)
        info.addWidget(self.guidance_label)
        self.evidence_label = _label(
            _("Evidence: {items}").format(items=evidence) if evidence else "", wrap=True)
        self.evidence_label.setVisible(bool(evidence))
        set_tone(self.evidence_label, Tone.MUTED)
        info.addWidget(self.evidence_label)
        info.addStretch(1)
        body.addLayout(info, 1)

        column = QWidget(self)
        column.setFixedWidth(INPUT_COLUMN_WIDTH)
        inputs = QVBoxLayout(column)
        inputs.setContentsMargins(0, 0, 0, 0)
        inputs.setSpacing(4)
        self.score_edit: ScoreEdit | None = None
        self.comment_edit: CommentEdit | None = None
        self.saved_label = _label()
        self.message_label = _label(wrap=True)
        self.message_label.setVisible(False)
        set_tone(self.message_label, Tone.ERROR)
        score_line = QHBoxLayout()
        score_line.setSpacing(8)
        if indicator.automatic:
            points = "—" if automatic_points is None else plain(automatic_points)
            self.automatic_label = _label(_("Scored automatically from {metric}: {points}")
                                          .format(metric=automatic_metric, points=points),
                                          wrap=True)
            score_line.addWidget(self.automatic_label, 1)
        else:
            self.score_edit = ScoreEdit(indicator, column)
            self.score_edit.setObjectName(f"score_{indicator.id}")
            self.score_edit.setFixedWidth(SCORE_FIELD_WIDTH)
            self.max_label = _label(f"/ {plain(indicator.max)}")
            score_line.addWidget(self.score_edit)
            score_line.addWidget(self.max_label)
            score_line.addSpacing(6)
            score_line.addWidget(self.saved_label)
            score_line.addStretch(1)
        inputs.addLayout(score_line)
        inputs.addWidget(self.message_label)
        if not indicator.automatic:
            self.comment_edit = CommentEdit(column)
            self.comment_edit.setObjectName(f"comment_{indicator.id}")
            self.comment_edit.setPlaceholderText(_("Comment (optional)"))
            self.comment_edit.setAccessibleName(_("Comment on {indicator}").format(
                indicator=indicator.id))
            inputs.addWidget(self.comment_edit)
        inputs.addStretch(1)
        body.addWidget(column, 0, Qt.AlignmentFlag.AlignTop)

    # -- state ---------------------------------------------------------------------------
    def show_state(self, *, saved: bool, has_value: bool, message: str | None) -> None:
        """The saved mark and the message under the field."""
        if not saved:
            self.saved_label.setText("● " + _("Not saved"))
            set_tone(self.saved_label, Tone.ERROR if message else Tone.WARNING)
        elif has_value:
            self.saved_label.setText("✓ " + _("Saved"))
            set_tone(self.saved_label, Tone.SAVED)
        else:
            self.saved_label.setText("")
        self.message_label.setText(message or "")
        self.message_label.setVisible(bool(message))
