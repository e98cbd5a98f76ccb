"""The README's screenshot of the scoring form, made from the demo.

    python -m cmrc_desktop.ui.scoring_form.screenshot docs/screenshots/scoring_form.png

builds a small demo in a temporary folder, gives expert E01 a fresh workspace (through
a panel package, as a real expert gets one), fills part of the first centre's sheet as
an expert would mid-afternoon (one value refused, one comment, one opinion) and saves
``widget.grab()`` of the form, in Chinese unless ``--lang en``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path

from PySide6.QtWidgets import QApplication

from cmrc_desktop import i18n
from cmrc_desktop.services import declarations, dossiers, scoring
from cmrc_desktop.services.demo import build_demo
from cmrc_desktop.services.packages import export_package, import_package
from cmrc_desktop.services.workspace import open_workspace
from cmrc_desktop.storage import expert_repo
from cmrc_desktop.ui import theme

SIZE = (1440, 920)
PASSWORD = "screenshot-password-1"
EXPERT = "E01"


def _pdf(path: Path, title: str) -> Path:
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path))
    pdf.drawString(72, 720, title)
    pdf.save()
    return path


def _app() -> QApplication:
    app = QApplication.instance()
    if app is None:
        app = QApplication([sys.argv[0] if sys.argv else "cmrc"])
    assert isinstance(app, QApplication)
    theme.apply_theme(app)
    theme.register_bundled_font(app)
    return app


def render_screenshot(out: str | Path, workdir: str | Path, *, lang: str = "zh_CN") -> Path:
    """Write the screenshot to ``out`` (PNG); ``workdir`` receives the demo."""
    from cmrc_desktop.ui.prompts import RecordingPrompts
    from cmrc_desktop.ui.scoring_form import ScoringForm

    out, workdir = Path(out), Path(workdir)
    previous = i18n.language()
    i18n.set_language("en")     # the demo's data does not depend on the language
    try:
        summary = build_demo(workdir / "demo", centres=3, experts=4, seed=7,
                             password=PASSWORD, with_experts=False)
        with open_workspace(summary.secretary) as sec:
            centre = expert_repo.list_assignments(sec.db, expert_id=EXPERT)[0][1]
            for doc_type, title in (("annual_report", "2025年度工作报告"),
                                    ("self_evaluation", "绩效自评报告"),
                                    ("task_agreement", "建设任务书")):
                dossiers.add_document(sec, centre, doc_type,
                                      _pdf(workdir / f"{doc_type}.pdf", doc_type), title=title)
            package = export_package(sec, EXPERT, workdir, PASSWORD)
        ws = import_package(workdir / "expert", package.path, package.one_time_password,
                            PASSWORD, actor="expert")
    finally:
        i18n.set_language(previous)
    app = _app()
    i18n.set_language(lang)
    try:
        with ws:
            declarations.record_declaration(ws, EXPERT, centre, no_conflict=True,
                                            integrity_concern=False)
            scheme = ws.scheme
            filled = [i for i in scheme.expert_indicators if i.dimension in ("A", "B")]
            scoring.record_sheet(ws, EXPERT, centre, {
                i.id: i.max - i.step * (n % 3) for n, i in enumerate(filled)},
                comments={filled[1].id: "分中心运行良好，基层覆盖面广"})
            scoring.record_opinion(ws, EXPERT, centre,
                                   achievements="平台建设扎实，多中心临床研究牵头数量居全省前列。")
            form = ScoringForm(ws, EXPERT, centre, prompts=RecordingPrompts())
            form.resize(*SIZE)
            form.show()
            app.processEvents()
            # one value typed but refused, as the expert sees it before correcting it
            refused = filled[5]
            edit = form.score_edit(refused.id)
            edit.setFocus()
            edit.setText(str(refused.max + Decimal(1)))
            edit.textEdited.emit(edit.text())
            form.comment_edit(filled[0].id).setFocus()
            app.processEvents()
            form.ui.scroll_area.verticalScrollBar().setValue(0)
            app.processEvents()
            out.parent.mkdir(parents=True, exist_ok=True)
            if not form.grab().save(str(out)):
                raise OSError(f"cannot write {out}")
            form.close()
            form.deleteLater()
            app.processEvents()
    finally:
        i18n.set_language(previous)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--lang", default="zh_CN", choices=i18n.LANGUAGES)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    with tempfile.TemporaryDirectory(prefix="cmrc-screenshot-") as work:
        render_screenshot(args.out, work, lang=args.lang)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
