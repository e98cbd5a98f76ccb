"""The compiled forms in ``cmrc_desktop/ui/forms/`` are what ``pyside6-uic`` makes of
``ui/*.ui`` today: regenerating them (``python build_spec/compile_forms.py``) is a no-op."""

from __future__ import annotations

import importlib.util

from tests.conftest import REPO


def _compile_forms():
    spec = importlib.util.spec_from_file_location("compile_forms",
                                                  REPO / "build_spec" / "compile_forms.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_form_is_compiled_and_up_to_date():
    forms = _compile_forms()
    assert sorted(REPO.glob("ui/*.ui")), "no forms in ui/"
    assert forms.stale_outputs() == [], "run: python build_spec/compile_forms.py"


def test_form_strings_go_through_gettext():
    forms = _compile_forms()
    for path, text in forms.expected_outputs().items():
        assert "QCoreApplication.translate" not in text, path
        if "_(" in text:
            assert "from cmrc_desktop.i18n import _" in text, path
