"""Is this workbook exactly what its payload draws to? The verifier's half of
:mod:`sheet_xlsx_layout`.

Two questions, asked of every scoresheet workbook:

* *Is it the file the expert's program wrote?* — the parts manifest (signed by the expert)
  names the digest of every part; anything else means the file was changed, or opened and
  saved again in another program, after it was signed (:func:`manifest_problem`).
* *Does it show what was signed?* — every cell the writer writes (title, info block,
  分值, guidance, evidence, scores, comments, subtotals, totals, opinion, declaration,
  signature line, note) must hold the text of the plan, look as the plan says (font, size,
  colour, fill, lines, alignment, number format), and nothing may stand beside them; the
  merged ranges, row heights, column widths, headers and footers, print area, frozen
  heading and the signature picture must be the plan's (:func:`plan_problems`). This
  catches a client that signs with a genuine key but draws something else.
"""

from __future__ import annotations

import hashlib
import json

from openpyxl.utils import absolute_coordinate, get_column_letter, quote_sheetname

from cmrc_desktop.domain.catalog import Catalog
from cmrc_desktop.domain.scheme import Scheme
from cmrc_desktop.exchange import sheet_xlsx_layout as layout
from cmrc_desktop.exchange.sheet_content import build_sheet_content
from cmrc_desktop.exchange.sheet_xlsx import (
    EMU_PER_PIXEL,
    PARTS_FORMAT,
    XlsxSheet,
    header_footer_texts,
    signature_box,
)
from cmrc_desktop.exchange.sheet_xlsx_parts import (
    CUSTOM_PART,
    IMAGE,
    Look,
    ReadWorkbook,
)
from cmrc_desktop.i18n import _
from cmrc_desktop.signing.payload import SheetPayload, verify

_BOX_SIDE = ("thin", "000000")
_BOXED = (_BOX_SIDE, _BOX_SIDE, _BOX_SIDE, _BOX_SIDE, None)
_OPEN = (None, None, None, None, None)


def expected_look(look: layout.Look) -> Look:
    """The plan's look in the terms the workbook is read in."""
    from decimal import Decimal

    font = (look.font, Decimal(str(look.size)).normalize(), look.bold, look.italic, None,
            False, look.colour, None, False, False)
    fill = ("solid", look.fill) if look.fill else ("none",)
    return Look(font, fill, _BOXED if look.boxed else _OPEN,
                (look.horizontal, look.vertical, True), "@" if look.as_text else "General")


def manifest_problem(sheet: XlsxSheet, payload: SheetPayload) -> str | None:
    """Why the workbook is not, part for part, the one the expert's program signed; None
    when it is."""
    if not sheet.certs or not verify(sheet.certs[0].public_key(), sheet.manifest,
                                     sheet.manifest_signature):
        return _("the signature over the workbook's parts does not match them")
    try:
        manifest = json.loads(sheet.manifest.decode("utf-8"))
        signed = manifest["parts"]
        if manifest["format"] != PARTS_FORMAT or not isinstance(signed, dict):
            raise ValueError(manifest["format"])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError):
        return _("the list of the workbook's signed parts is damaged")
    if manifest.get("payload") != payload.digest:
        return _("the workbook's signed parts belong to another scoresheet")
    present = {name: hashlib.sha256(body).hexdigest()
               for name, body in sheet.parts.items() if name != CUSTOM_PART}
    for name in sorted(present.keys() | signed.keys()):
        if name not in signed:
            return _("the part {part} was added after signing").format(part=name[:80])
        if name not in present:
            return _("the part {part} was removed after signing").format(part=name[:80])
        if present[name] != signed[name]:
            return _("the part {part} differs from the one the expert signed").format(
                part=name)
    return None


def check_sheet(sheet: XlsxSheet, payload: SheetPayload, scheme: Scheme | None,
                catalog: Catalog) -> str | None:
    """The one sentence saying why ``sheet`` is refused, or None when it shows exactly
    what ``payload`` draws to (with ``scheme`` None only what needs no scheme is
    checked: the parts and the workbook's structure)."""
    changed = manifest_problem(sheet, payload)
    problems: list[str] = []
    if sheet.book is None:
        problems.append(sheet.odd)
    elif scheme is not None:
        problems = plan_problems(sheet.book, payload, scheme, catalog)
    if changed:
        return _("the workbook is not the file the expert signed: {detail}. If it was opened "
                 "and saved again in Excel, WPS or LibreOffice, use the original file the "
                 "expert exported, or its PDF").format(detail=problems[0] if problems
                                                      else changed)
    if problems:
        more = len(problems) - 1
        return _("the workbook shows something other than what the expert signed: "
                 "{detail}").format(detail=problems[0]) + (
            _(" (and {count} more differences)").format(count=more) if more else "")
    return None


def _short(text: str, limit: int = 60) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _ref(row: int, col: int) -> str:
    return f"{get_column_letter(col)}{row}"


def plan_problems(book: ReadWorkbook, payload: SheetPayload, scheme: Scheme,
                  catalog: Catalog) -> list[str]:
    """Every difference between the workbook and the plan ``payload`` draws to."""
    content = build_sheet_content(payload, scheme, catalog)
    return _differences(book, layout.plan_sheet(content), payload)


def _differences(book: ReadWorkbook, plan: layout.SheetPlan, payload: SheetPayload) -> list[str]:
    problems: list[str] = []
    empty = _("(empty)")
    looks: dict[layout.Look, Look] = {}
    anchors: dict[tuple[int, int], tuple[str | None, Look, layout.Block]] = {}
    covered: dict[tuple[int, int], tuple] = {}    # merged over: the lines of its edges
    for block in plan.blocks:
        look = looks.get(block.look)
        if look is None:
            look = looks[block.look] = expected_look(block.look)
        anchors[(block.row, block.col)] = (block.text or None, look, block)
        for at in block.cells():
            if at != (block.row, block.col):
                covered[at] = _edges(block, at)

    def what(block: layout.Block, at: tuple[int, int]) -> str:
        return f"{_ref(*at)} ({block.what()})" if block.what else _ref(*at)

    for at, (text, look, block) in anchors.items():
        cell = book.cells.get(at)
        if cell is None:
            problems.append(_("cell {cell} is missing").format(cell=what(block, at)))
            continue
        if (cell.text or None) != text:
            problems.append(_("cell {cell}: the signed text is “{signed}”, the sheet shows "
                              "“{shown}”").format(cell=what(block, at),
                                                  signed=_short(text or "") or empty,
                                                  shown=_short(cell.text or "") or empty))
        elif cell.look != look:
            problems.append(_look_difference(what(block, at), cell.look, look))
    for at, edges in covered.items():
        if edges != _OPEN and at not in book.cells:
            problems.append(_("cell {cell} is missing (the lines of a merged range)").format(
                cell=_ref(*at)))
    for at, cell in sorted(book.cells.items()):
        if at in anchors:
            continue
        if at not in covered or covered[at] == _OPEN and not cell.text:
            if cell.text:
                problems.append(_("cell {cell} holds “{shown}”, which the signed sheet does "
                                  "not have").format(cell=_ref(*at),
                                                     shown=_short(cell.text)))
            else:
                problems.append(_("cell {cell} is formatted, but the signed sheet has no such "
                                  "cell").format(cell=_ref(*at)))
        elif cell.text:
            problems.append(_("cell {cell} holds “{shown}” under a merged range, where no "
                              "one sees it").format(cell=_ref(*at), shown=_short(cell.text)))
        elif cell.look.border != covered[at]:
            problems.append(_("cell {cell} draws lines the scoresheet does not have").format(
                cell=_ref(*at)))
    merges = {(b.row, b.col, b.bottom, b.right) for b in plan.blocks if b.merged}
    for extra in sorted(book.merges - merges):
        problems.append(_("the cells {range} are merged, which hides what they hold").format(
            range=f"{_ref(extra[0], extra[1])}:{_ref(extra[2], extra[3])}"))
    for gone in sorted(merges - book.merges):
        problems.append(_("the cells {range} are no longer merged").format(
            range=f"{_ref(gone[0], gone[1])}:{_ref(gone[2], gone[3])}"))
    for row in sorted(plan.heights.keys() | book.heights.keys()):
        want, got = plan.heights.get(row), book.heights.get(row)
        if want is None or got is None or abs(want - got) > 0.01:
            problems.append(_("row {row} is {got} points high; the scoresheet makes it "
                              "{want}").format(row=row, got=_num(got), want=_num(want)))
    for col in sorted(set(range(1, len(plan.widths) + 1)) | book.widths.keys()):
        want = plan.widths[col - 1] if col <= len(plan.widths) else None
        got = book.widths.get(col)
        if want is None or got is None or abs(want - got) > 0.01:
            problems.append(_("column {col} is {got} wide; the scoresheet makes it "
                              "{want}").format(col=get_column_letter(col), got=_num(got),
                                               want=_num(want)))
    problems += _page(book, plan)
    problems += _picture(book, plan, payload)
    return problems


def _edges(block: layout.Block, at: tuple[int, int]) -> tuple:
    """The lines a cell merged over shows: those of the range's edges it lies on, as the
    writer (openpyxl) copies them from the first cell (left, right, top, bottom, diagonal);
    a cell on no edge, or of a range without lines, is not written at all."""
    if not block.look.boxed:
        return _OPEN
    row, col = at
    return (_BOX_SIDE if col == block.col else None, _BOX_SIDE if col == block.right else None,
            _BOX_SIDE if row == block.row else None, _BOX_SIDE if row == block.bottom else None,
            None)


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _look_difference(where: str, got: Look, want: Look) -> str:
    if got.number_format != want.number_format:
        return _("cell {cell} has the number format “{format}”, which can show another "
                 "number than it holds").format(cell=where, format=got.number_format)
    font, expected = got.font, want.font
    if font[6] != expected[6]:
        return _("cell {cell} is written in the colour {colour}, not as signed").format(
            cell=where, colour=font[6] or _("automatic"))
    if font[1] != expected[1]:
        return _("cell {cell} is written at {size} points, not {want}").format(
            cell=where, size=font[1], want=expected[1])
    if got.fill != want.fill:
        return _("cell {cell} has a fill of its own").format(cell=where)
    return _("cell {cell} is formatted differently from the scoresheet (font, lines or "
             "alignment)").format(cell=where)


def _page(book: ReadWorkbook, plan: layout.SheetPlan) -> list[str]:
    problems = []
    if book.sheet_name != plan.sheet_name:
        problems.append(_("the sheet is named “{shown}”, not “{name}”").format(
            shown=_short(book.sheet_name), name=plan.sheet_name))
    sheet = quote_sheetname(plan.sheet_name)
    names = {"_xlnm.Print_Area": f"{sheet}!{absolute_coordinate(plan.print_area)}",
             "_xlnm.Print_Titles": f"{sheet}!${layout.HEADER_ROW}:${layout.HEADER_ROW}"}
    if book.defined_names != names:
        problems.append(_("the print area or the printed heading is not the scoresheet's"))
    if book.frozen_rows != layout.HEADER_ROW:
        problems.append(_("the heading of the table is not frozen as the scoresheet's"))
    texts = header_footer_texts(plan)
    if {k: v for k, v in book.header_footer.items() if v} != texts:
        problems.append(_("the page header or footer is not the scoresheet's"))
    if book.core.get("title") != plan.title or book.core.get("subject") != plan.subject:
        problems.append(_("the document's title or subject is not the scoresheet's"))
    return problems


def _picture(book: ReadWorkbook, plan: layout.SheetPlan, payload: SheetPayload) -> list[str]:
    if not payload.signature_png:
        return [_("the workbook holds a picture, but the expert signed without a drawn "
                  "signature")] if book.picture else []
    if book.picture is None or IMAGE not in book.parts:
        return [_("the drawn signature is missing")]
    if hashlib.sha256(book.parts[IMAGE]).hexdigest() != payload.signature_png:
        return [_("the picture is not the signature the expert drew")]
    row, col, cx, cy = book.picture
    box_w, box_h = signature_box(plan)
    if (row, col) != (plan.signature_row - 1, 1) or not 0 < cx <= box_w * EMU_PER_PIXEL \
            or not 0 < cy <= box_h * EMU_PER_PIXEL:
        return [_("the drawn signature is moved or enlarged beyond its box")]
    return []
