"""Compile the Qt Designer forms ``ui/*.ui`` into ``cmrc_desktop/ui/forms/ui_*.py``.

    python build_spec/compile_forms.py            # regenerate every form
    python build_spec/compile_forms.py --check    # exit 1 if a committed form is stale

Strings in the forms are English gettext msgids, like every other message of the
program: pyside6-uic is asked to translate them with ``_`` (``--tr _``), and the
generated code imports ``_`` from ``cmrc_desktop.i18n``, so the window has one
translation mechanism and ``pybabel extract`` finds the forms' messages too. Strings
that must not be translated (shortcuts, proper names) carry ``notr="true"`` in the form.
The output is deterministic, so CI can check that regenerating changes nothing.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FORMS_SOURCE = REPO / "ui"
FORMS_PACKAGE = REPO / "cmrc_desktop" / "ui" / "forms"
IMPORT_LINE = "from cmrc_desktop.i18n import _\n"
INIT_TEXT = ('"""Generated from ``ui/*.ui`` by ``build_spec/compile_forms.py``; do not edit.\n'
             'Each module holds one ``Ui_<Form>`` class; windows keep it as ``self.ui``."""\n')

# _(u"text", None) -> _("text"); uic may split a long literal over several lines
_LITERAL = r'u?"(?:[^"\\]|\\.)*"'
_TR_CALL = re.compile(rf'_\(((?:{_LITERAL}\s*)+), None\)')


def uic_command() -> list[str]:
    folder = Path(sys.executable).parent
    for name in ("pyside6-uic", "pyside6-uic.exe"):
        if (folder / name).exists():
            return [str(folder / name)]
    found = shutil.which("pyside6-uic")
    if found:
        return [found]
    raise SystemExit("pyside6-uic not found: install PySide6 in this environment")


def module_name(form: Path) -> str:
    return f"ui_{form.stem}.py"


def compile_form(form: Path) -> str:
    """The Python source for one form (not written)."""
    proc = subprocess.run([*uic_command(), "--generator", "python", "--tr", "_", form.name],
                          cwd=form.parent, capture_output=True, text=True, encoding="utf-8",
                          check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{form}: pyside6-uic failed:\n{proc.stderr}")
    return postprocess(proc.stdout)


_QT_IMPORT = re.compile(r"^from (PySide6\.\w+) import \(([^)]*)\)\n", re.M)


def _used_imports_only(source: str) -> str:
    """uic imports some forty Qt names whatever the form uses; each name imported makes
    PySide6 build that class's type, ~0.2 ms apiece when a form is first loaded."""
    body = _QT_IMPORT.sub("", source)

    def trim(match: re.Match[str]) -> str:
        names = [n.strip() for n in match.group(2).split(",") if n.strip()]
        used = [n for n in names if re.search(rf"\b{n}\b", body)]
        return f"from {match.group(1)} import ({', '.join(used)})\n" if used else ""

    return _QT_IMPORT.sub(trim, source)


def postprocess(source: str) -> str:
    source = source.replace("\r\n", "\n")
    source = _used_imports_only(source)
    source = _TR_CALL.sub(lambda m: "_(" + _strip_u(m.group(1)) + ")", source)
    if "_(" in source:
        marker = "\nclass Ui_"
        at = source.index(marker)
        source = source[:at] + "\n" + IMPORT_LINE + source[at:]
    if "QCoreApplication.translate" in source:
        raise SystemExit("a form string escaped gettext: check the --tr post-processing")
    return source


def _strip_u(literals: str) -> str:
    return re.sub(r'(^|\s)u"', r'\1"', literals)


def expected_outputs() -> dict[Path, str]:
    outputs = {FORMS_PACKAGE / "__init__.py": INIT_TEXT}
    for form in sorted(FORMS_SOURCE.glob("*.ui")):
        outputs[FORMS_PACKAGE / module_name(form)] = compile_form(form)
    return outputs


def stale_outputs() -> list[str]:
    """Forms whose committed module differs from a fresh compilation, and modules left
    over from forms that no longer exist."""
    outputs = expected_outputs()
    stale = [str(path.relative_to(REPO)) for path, text in outputs.items()
             if not path.exists() or path.read_text("utf-8") != text]
    stale += [str(path.relative_to(REPO)) for path in sorted(FORMS_PACKAGE.glob("ui_*.py"))
              if path not in outputs]
    return stale


def write_outputs() -> list[Path]:
    FORMS_PACKAGE.mkdir(parents=True, exist_ok=True)
    outputs = expected_outputs()
    written = []
    for path, text in outputs.items():
        if not path.exists() or path.read_text("utf-8") != text:
            path.write_text(text, "utf-8", newline="\n")
            written.append(path)
    for path in FORMS_PACKAGE.glob("ui_*.py"):
        if path not in outputs:
            path.unlink()
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true",
                        help="only report forms whose generated module is stale")
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_outputs()
        for name in stale:
            print(f"stale: {name}", file=sys.stderr)
        if stale:
            print("run: python build_spec/compile_forms.py", file=sys.stderr)
        return 1 if stale else 0
    for path in write_outputs():
        print(f"wrote {path.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
