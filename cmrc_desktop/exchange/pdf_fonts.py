"""The one font of exported PDFs: WenQuanYi Micro Hei, shipped in ``resources/fonts/``.

A scoresheet must print Chinese on any machine, including one without Chinese fonts, so
the font travels with the program and is embedded (as a subset) in every PDF. The file is
subfont 0 of Debian's ``wqy-microhei.ttc`` as a plain TrueType file, scaled to 1000 units
per em, without hinting and OpenType layout tables (see ``resources/fonts/README.md``).
reportlab draws every text of the document with it, the visible signature included, and
parses the file once per process.
"""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from cmrc_desktop.paths import resources_dir

FONT_FILE = "wqy-microhei.ttf"
FONT_NAME = "WenQuanYiMicroHei"


def font_path() -> Path:
    return resources_dir() / "fonts" / FONT_FILE


@cache
def _font_bytes() -> bytes:
    return font_path().read_bytes()


@cache
def reportlab_font() -> str:
    """Register the font with reportlab once per process; returns its name.

    The font has no bold face; the family maps bold and italic to the regular face so
    that ``<b>`` in a paragraph never falls back to a font without Chinese glyphs.
    """
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    pdfmetrics.registerFont(TTFont(FONT_NAME, io.BytesIO(_font_bytes()), shapable=False))
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(FONT_NAME, bold, italic, FONT_NAME)
    _chinese_line_breaking()
    return FONT_NAME


# Full-width punctuation that must not begin a line (GB/T 15834 and common practice).
# reportlab's CJK wrapping knows the Japanese list, which lacks most of these, and would
# otherwise start a line with "：" or "；".
CANNOT_START_LINE = "，。、；：！？）》」』】〕〉”’…—％·"


def _chinese_line_breaking() -> None:
    """Teach reportlab these marks (both modules hold their own copy of the list; the
    change only adds marks that no script may start a line with)."""
    from reportlab.lib import textsplit
    from reportlab.platypus import paragraph

    for module in (textsplit, paragraph):
        missing = "".join(c for c in CANNOT_START_LINE if c not in module.ALL_CANNOT_START)
        if missing:
            module.ALL_CANNOT_START += missing
