"""The cells of the signed Excel scoresheet, as one plan for the writer and the verifier.

A scoresheet workbook is trusted only if it shows exactly what its payload draws to, so
the drawing is a plan — every block of cells with its text and look, the merged ranges,
row heights, column widths, headers and footers, print area and the place of the drawn
signature — that :mod:`sheet_xlsx` writes with openpyxl and :mod:`sheet_xlsx_check`
compares against the parts of a workbook it was handed. Nothing here reads or writes a
file; the plan is a function of :class:`SheetContent` only.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from cmrc_desktop.exchange.sheet_content import SheetContent, drawn_in
from cmrc_desktop.i18n import N_, _
from cmrc_desktop.signing.payload import clean_text

# -- columns (1-based) ------------------------------------------------------------------------
COL_DIMENSION, COL_INDICATOR, COL_MAX, COL_GUIDANCE, COL_DATA, COL_SCORE, COL_COMMENT = range(1, 8)
COLUMN_WIDTHS = (10, 17, 6, 34, 22, 8, 19)  # Excel character units; about 116 in all
MAX_FIRST_COLUMN = 15  # column A grows (and D shrinks) for long words such as English labels
LAST_COL = len(COLUMN_WIDTHS)
TITLE_ROW = 1
INFO_ROWS = (2, 3, 4, 5, 6)
HEADER_ROW = 8
FIRST_ROW = HEADER_ROW + 1

BODY_FONT = "宋体"
TITLE_FONT = "黑体"
BODY_SIZE = 10
SMALL_SIZE = 9                     # the smallest print on a sheet a committee signs
LINE_SPACING = 1.3                 # points per wrapped line, per point of font size
MAX_ROW_HEIGHT = 409.0             # Excel's limit
SIGNATURE_ROW_HEIGHT = 48
SPACER_HEIGHT = 8

LABEL_FILL = "F2F2F2"
HEADER_FILL = "D9D9D9"
TOTAL_FILL = "EDEDED"
NOTE_COLOUR = "595959"


@dataclass(frozen=True)
class Look:
    """How a block's cells look: what the writer sets and the verifier expects, cell for
    cell (a number format, a colour or a size that differs is a different look)."""

    size: float = BODY_SIZE
    bold: bool = False
    italic: bool = False
    font: str = BODY_FONT
    colour: str | None = None          # RGB hex; None is the automatic (black) ink
    fill: str | None = None            # RGB hex of a solid fill
    horizontal: str = "left"
    vertical: str = "center"
    boxed: bool = True                 # a thin black line round every cell
    as_text: bool = False              # number format "@" (the scores)


TITLE = Look(size=16, bold=True, font=TITLE_FONT, horizontal="center", boxed=False)
LABEL = Look(bold=True, fill=LABEL_FILL, horizontal="center")
LABEL_TOP = Look(bold=True, fill=LABEL_FILL, horizontal="center", vertical="top")
VALUE = Look()
HEADER = Look(bold=True, fill=HEADER_FILL, horizontal="center")
DIMENSION = Look(bold=True, horizontal="center")
BODY = Look()
BODY_CENTRE = Look(horizontal="center")
SMALL = Look(size=SMALL_SIZE)
SCORE = Look(bold=True, horizontal="center", as_text=True)
SUB_LABEL = Look(bold=True, fill=LABEL_FILL, horizontal="center")
SUB_SCORE = Look(bold=True, fill=LABEL_FILL, horizontal="center", as_text=True)
SUB_BLANK = Look(fill=LABEL_FILL)
TOTAL_LABEL = Look(bold=True, fill=TOTAL_FILL, horizontal="center")
TOTAL_SCORE = Look(bold=True, fill=TOTAL_FILL, horizontal="center", as_text=True)
TOTAL_BLANK = Look(fill=TOTAL_FILL)
OPINION_HEAD = Look(bold=True, fill=HEADER_FILL)
OPINION = Look(vertical="top")
NOTE = Look(size=SMALL_SIZE, italic=True, colour=NOTE_COLOUR, vertical="top", boxed=False)


@dataclass(frozen=True)
class Block:
    """One cell, or a merged range whose first cell holds the text; every cell of the
    range has the block's look (fill and lines), only the first shows text."""

    row: int
    col: int
    text: str
    look: Look
    last_row: int = 0
    last_col: int = 0
    # how a message names the cell ("A3, score"): called when a message is written, so
    # in the reader's language, not the sheet's
    what: Callable[[], str] | None = None

    @property
    def bottom(self) -> int:
        return self.last_row or self.row

    @property
    def right(self) -> int:
        return self.last_col or self.col

    @property
    def merged(self) -> bool:
        return self.bottom != self.row or self.right != self.col

    def cells(self):
        for r in range(self.row, self.bottom + 1):
            for c in range(self.col, self.right + 1):
                yield r, c


@dataclass
class SheetPlan:
    """The whole drawing of one scoresheet."""

    sheet_name: str
    blocks: list[Block] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)
    widths: list[float] = field(default_factory=list)
    last_row: int = 0
    signature_row: int = 0
    signature_width: float = 0.0       # Excel character units of the signature box
    header_left: str = ""
    header_right: str = ""
    footer_left: str = ""
    footer_centre: str = ""
    title: str = ""                    # document properties
    subject: str = ""

    def add(self, block: Block) -> Block:
        self.blocks.append(block)
        return block

    @property
    def print_area(self) -> str:
        from openpyxl.utils import get_column_letter
        return f"A1:{get_column_letter(LAST_COL)}{self.last_row}"

    @property
    def print_titles(self) -> str:
        return f"{HEADER_ROW}:{HEADER_ROW}"


def plan_sheet(content: SheetContent) -> SheetPlan:
    """The drawing of ``content`` in the words of the language it was signed in."""
    with drawn_in(content.payload):
        return _plan(content)


def _plan(content: SheetContent) -> SheetPlan:
    payload = content.payload
    plan = SheetPlan(sheet_name=_("Scoresheet")[:31])
    opinion = ((N_("Main achievements"), payload.achievements),
               (N_("Problems"), payload.problems),
               (N_("Recommendations"), payload.recommendations))
    info = (
        (N_("Evaluation batch"), payload.batch_name, N_("Date"), content.date),
        (N_("Centre name"), payload.centre_name, N_("Centre ID"), payload.centre_id),
        (N_("Host institution"), payload.host, N_("Revision"), str(payload.revision)),
        (N_("Expert"), payload.expert_name, N_("Institution"), payload.institution),
        (N_("Professional title"), payload.expert_title, N_("Batch ID"), payload.batch_id),
    )
    declaration_label = _("Declaration")
    widths = column_widths([r.dimension for r in content.rows] + [_(i[0]) for i in info]
                           + [_(o[0]) for o in opinion]
                           + [_("Expert signature"), _("Total"), declaration_label])
    plan.widths = widths

    def span(first: int, last: int) -> float:
        return float(sum(widths[first - 1:last]))

    plan.add(Block(TITLE_ROW, 1, clean_text(content.title), TITLE, last_col=LAST_COL,
                   what=lambda: _("title")))
    plan.heights[TITLE_ROW] = 34

    for row, (key1, value1, key2, value2) in zip(INFO_ROWS, info, strict=True):
        value1, value2 = clean_text(value1), clean_text(value2)
        label1, label2 = _(key1), _(key2)
        plan.add(Block(row, 1, label1, LABEL))
        plan.add(Block(row, 2, value1, VALUE, last_col=4, what=_said(key1)))
        plan.add(Block(row, 5, label2, LABEL))
        plan.add(Block(row, 6, value2, VALUE, last_col=7, what=_said(key2)))
        plan.heights[row] = row_height((value1, span(2, 4)), (value2, span(6, 7)),
                                       (label1, span(1, 1)), (label2, span(5, 5)), minimum=20)
    plan.heights[HEADER_ROW - 1] = SPACER_HEIGHT

    headers = (_("Dimension"), _("Indicator"), _("Max points"), _("Guidance"),
               _("Reported data"), _("Score"), _("Comment"))
    for col, text in enumerate(headers, start=1):
        plan.add(Block(HEADER_ROW, col, text, HEADER))
    plan.heights[HEADER_ROW] = row_height(*((text, widths[i]) for i, text in
                                            enumerate(headers)), minimum=22)

    row = FIRST_ROW
    subtotals = {s.dimension: s for s in content.subtotals}
    groups: list[list] = []
    for item in content.rows:
        if not groups or groups[-1][0].dimension != item.dimension:
            groups.append([])
        groups[-1].append(item)
    for group in groups:
        first = row
        for item in group:
            name = f"{item.indicator_id} {clean_text(item.indicator)}"
            guidance, evidence = clean_text(item.guidance), clean_text(item.evidence)
            comment = clean_text(item.comment)
            plan.add(Block(row, COL_INDICATOR, name, BODY))
            ind = item.indicator_id
            plan.add(Block(row, COL_MAX, item.max, BODY_CENTRE,
                           what=_said(N_("{indicator}, max points"), indicator=ind)))
            plan.add(Block(row, COL_GUIDANCE, guidance, SMALL,
                           what=_said(N_("{indicator}, guidance"), indicator=ind)))
            plan.add(Block(row, COL_DATA, evidence, SMALL,
                           what=_said(N_("{indicator}, reported data"), indicator=ind)))
            plan.add(Block(row, COL_SCORE, item.score, SCORE,
                           what=_said(N_("{indicator}, score"), indicator=ind)))
            plan.add(Block(row, COL_COMMENT, comment, SMALL,
                           what=_said(N_("{indicator}, comment"), indicator=ind)))
            plan.heights[row] = row_height(
                (name, widths[1]), (guidance, widths[3], SMALL_SIZE),
                (evidence, widths[4], SMALL_SIZE), (comment, widths[6], SMALL_SIZE),
                (item.dimension, widths[0]), minimum=20)
            row += 1
        subtotal = subtotals.get(group[0].dimension)
        plan.add(Block(row, COL_INDICATOR, _("Subtotal"), SUB_LABEL))
        plan.add(Block(row, COL_MAX, subtotal.max if subtotal else "", SUB_LABEL))
        plan.add(Block(row, COL_GUIDANCE, "", SUB_BLANK, last_col=COL_DATA))
        plan.add(Block(row, COL_SCORE, subtotal.score if subtotal else "", SUB_SCORE,
                       what=_said(N_("subtotal of dimension {dimension}"),
                                  dimension=subtotal.dimension_id if subtotal else "")))
        plan.add(Block(row, COL_COMMENT, "", SUB_BLANK))
        plan.heights[row] = 20
        # the dimension's name, merged down its indicators and its subtotal
        plan.add(Block(first, COL_DIMENSION, clean_text(group[0].dimension), DIMENSION,
                       last_row=row))
        row += 1
    plan.add(Block(row, COL_DIMENSION, _("Total"), TOTAL_LABEL, last_col=COL_INDICATOR))
    plan.add(Block(row, COL_MAX, content.total_max, TOTAL_LABEL))
    plan.add(Block(row, COL_GUIDANCE, "", TOTAL_BLANK, last_col=COL_DATA))
    plan.add(Block(row, COL_SCORE, content.total, TOTAL_SCORE, what=_said(N_("Total"))))
    plan.add(Block(row, COL_COMMENT, "", TOTAL_BLANK))
    plan.heights[row] = 20

    row += 1
    plan.add(Block(row, 1, _("Expert opinion"), OPINION_HEAD, last_col=LAST_COL))
    plan.heights[row] = 22
    for key, text in opinion:
        row += 1
        text = clean_text(text)
        plan.add(Block(row, 1, _(key), LABEL_TOP))
        plan.add(Block(row, 2, text, OPINION, last_col=LAST_COL, what=_said(key)))
        plan.heights[row] = row_height((text, span(2, LAST_COL)), minimum=40)

    row += 1
    declaration = clean_text(content.declaration)
    plan.add(Block(row, 1, declaration_label, LABEL_TOP))
    plan.add(Block(row, 2, declaration, OPINION, last_col=LAST_COL,
                   what=_said(N_("Declaration"))))
    plan.heights[row] = row_height((declaration, span(2, LAST_COL)), minimum=30)

    row += 1
    plan.signature_row = row
    plan.signature_width = span(2, 4)
    plan.add(Block(row, 1, _("Expert signature"), LABEL))
    plan.add(Block(row, 2, "", VALUE, last_col=4))
    plan.add(Block(row, 5, _("Date"), LABEL))
    plan.add(Block(row, 6, content.date, VALUE, last_col=7, what=_said(N_("Date"))))
    plan.heights[row] = SIGNATURE_ROW_HEIGHT

    row += 1
    note = _("Signed electronically by {expert} on {date} (payload fingerprint {fingerprint}). "
             "The signed data is stored in this workbook; any change to the workbook is "
             "detected when the sheet is imported.").format(
        expert=clean_text(payload.expert_name), date=content.signed_local,
        fingerprint=content.fingerprint)
    plan.add(Block(row, 1, note, NOTE, last_col=LAST_COL, what=_said(N_("signature note"))))
    plan.heights[row] = row_height((note, span(1, LAST_COL), SMALL_SIZE), minimum=24)
    plan.last_row = row

    plan.header_left = _hf(f"{payload.centre_id} {clean_text(payload.centre_name)}"[:80])
    plan.header_right = _hf(_("Expert: {name}").format(
        name=clean_text(payload.expert_name)[:40]))
    plan.footer_left = _hf(_("Fingerprint {fingerprint}").format(
        fingerprint=content.fingerprint))
    plan.footer_centre = _("Page &P of &N")
    plan.title = clean_text(content.title)
    plan.subject = f"{payload.centre_id} {clean_text(payload.centre_name)}"[:250]
    return plan


def _said(msgid: str, **values: str) -> Callable[[], str]:
    """A cell's name for messages, translated when the message is written."""
    return lambda: _(msgid).format(**values)


def column_widths(first_column_words: list[str]) -> list[float]:
    """The column widths; column A is widened for a long word that would break mid-word."""
    widths = [float(w) for w in COLUMN_WIDTHS]
    longest = max((width_units(word, BODY_SIZE) * 1.1 + 1.5
                   for text in first_column_words for word in clean_text(text).split()),
                  default=0.0)
    grow = min(max(math.ceil(longest) - widths[0], 0), MAX_FIRST_COLUMN - widths[0])
    widths[0] += grow
    widths[COL_GUIDANCE - 1] -= grow
    return widths


@lru_cache(maxsize=4096)
def width_units(text: str, size: float) -> float:
    """Approximate width of ``text`` in Excel character units at font ``size``."""
    wide = sum(1 for char in text if unicodedata.east_asian_width(char) in ("W", "F"))
    return (2.1 * wide + 1.05 * (len(text) - wide)) * size / 11


def row_height(*cells: tuple, minimum: float = 18) -> float:
    """Row height (points) that shows every ``(text, width[, size])`` in full when wrapped."""
    best = minimum
    for spec in cells:
        text, width = spec[0], spec[1]
        size = spec[2] if len(spec) > 2 else BODY_SIZE
        if not text:
            continue
        usable = max(width - 1.2, 1.0)
        lines = sum(max(1, math.ceil(width_units(part, size) / usable))
                    for part in str(text).split("\n"))
        best = max(best, lines * LINE_SPACING * size + 5)
    return round(min(best, MAX_ROW_HEIGHT), 2)


def _hf(text: str) -> str:
    """Text for a header or footer: '&' is a control character there."""
    return text.replace("&", "&&").replace("\n", " ")
