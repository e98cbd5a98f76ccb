"""Limits that the files we write impose on what may be typed, checked where it is typed
(the services) and again where it is written (the exchange formats); and the most a file
handed in from outside may hold, checked from its size before a byte of it is read
(``exchange.input_file.read_input``), so that a link to ``/dev/zero`` or a 3 GiB sparse
file renamed ``.xlsx`` is turned away instead of filling the memory. Each maximum is far
above what a genuine file weighs and far below what would hurt; README lists them."""

from __future__ import annotations

KiB = 1024
MiB = 1024 * KiB

# the most characters an Excel cell holds; a longer text is refused, never cut
MAX_CELL_TEXT = 32767

# the most digits of a number typed or imported (a score, a metric), not counting zeros
# in front of it or behind its decimal point: Excel keeps 15, and exact decimal arithmetic
# on such numbers stays exact
MAX_NUMBER_DIGITS = 15

# -- files handed in from outside ---------------------------------------------------------
MAX_SHEET_XLSX = 20 * MiB       # a returned scoresheet workbook (a genuine one: ~60 KB)
MAX_SHEET_PDF = 20 * MiB        # a returned scoresheet PDF (a genuine one: ~300 KB)
MAX_REPORT_PDF = 200 * MiB      # a signed result report (150 centres: a few MB)
# a panel package carries the dossier documents: SafeZip's 512 MiB of unpacked entries,
# plus room for the zip headers
MAX_PACKAGE = 528 * MiB
MAX_TEMPLATE = 20 * MiB         # a filled centres template (150 centres: ~100 KB)
MAX_SCHEME = 1 * MiB            # a scheme file (the built-in ones: ~8 KB)
MAX_CSV = 50 * MiB              # a CSV of `cmrc grade` (30 experts × 150 centres: ~5 MB)
MAX_PASSWORD_FILE = 64 * KiB    # only its first line is used
MAX_KEY_FILE = 1 * MiB          # a PKCS#12 key file (~3 KB)
# one dossier document: the largest entry a panel package can carry (SafeZip's MAX_ENTRY)
MAX_DOCUMENT = 256 * MiB
MAX_SIGNATURE_IMAGE = 5 * MiB   # the PNG of a hand-written signature
