"""Entry point of the frozen program: ``cmrc`` with no argument starts the window,
with arguments it is the command line (``cmrc demo …``, ``cmrc gui --smoke`` …)."""

import multiprocessing

from cmrc_desktop.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()   # merge's worker processes in a frozen build
    raise SystemExit(main())
