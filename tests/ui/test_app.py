"""Start-up: the application in Chinese and in English (our catalogue and Qt's own), the
bundled font, the theme, the settings wrapper and ``run`` in smoke mode."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QByteArray, QCoreApplication, Qt
from PySide6.QtGui import QFontDatabase, QPalette
from PySide6.QtWidgets import QDialogButtonBox

from cmrc_desktop import i18n
from cmrc_desktop.ui import app as app_module
from cmrc_desktop.ui import theme
from cmrc_desktop.ui.main_window import MainWindow
from cmrc_desktop.ui.prompts import RecordingPrompts
from cmrc_desktop.ui.settings import (
    LANGUAGE,
    RECENT_WORKSPACES,
    REOPEN_LAST,
    WINDOW_GEOMETRY,
    Settings,
)
from tests.ui.conftest import copy_workspace

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture
def settings(data_dir, tmp_path) -> Settings:
    return Settings(tmp_path / "settings.ini")


@pytest.fixture
def english_afterwards(qapp):
    """Whatever a test installs, the next one starts in English again."""
    yield
    app_module.install_qt_translations(qapp, "en")
    i18n.set_language("en")


def _cancel_text() -> str:
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
    text = box.button(QDialogButtonBox.StandardButton.Cancel).text()
    box.deleteLater()
    return text


def test_app_starts_in_chinese(qtbot, qapp, settings, english_afterwards, demo_dir, tmp_path):
    app = app_module.create_app([], "zh_CN", settings=settings)
    assert app is qapp
    assert i18n.language() == "zh_CN"
    # Qt's own dialogs and buttons speak Chinese (qtbase_zh_CN.qm)
    assert _cancel_text().replace("&", "") == "取消"
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"
    window = MainWindow(settings, RecordingPrompts())
    qtbot.addWidget(window)
    assert window.ui.menu_file.title() == i18n._("&File")   # through our catalogue
    window.load_workspace(copy_workspace(demo_dir / "secretary", tmp_path / "secretary"))
    titles = [a.text() for a in window.ui.menu_view.actions()]
    assert any(CJK.search(t) for t in titles), titles      # a menu entry in Chinese
    assert "评估结果" in titles                               # "Results"
    assert CJK.search(window.role_label.text())              # 评审秘书
    window.close()


def test_app_starts_in_english(qtbot, qapp, settings, english_afterwards):
    app_module.create_app([], "zh_CN", settings=settings)
    app_module.create_app([], "en", settings=settings)       # switching back removes Qt's
    assert i18n.language() == "en"
    assert _cancel_text().replace("&", "") == "Cancel"
    window = MainWindow(settings, RecordingPrompts())
    qtbot.addWidget(window)
    titles = [m.title() for m in (window.ui.menu_file, window.ui.menu_view,
                                  window.ui.menu_help)]
    assert titles == ["&File", "&View", "&Help"]
    assert not any(CJK.search(a.text()) for a in window.ui.menu_file.actions())
    window.close()


def test_language_comes_from_option_environment_setting_then_default(settings, monkeypatch,
                                                                     english_afterwards):
    monkeypatch.delenv("CMRC_LANG", raising=False)
    assert app_module.resolve_language(None, settings) == "zh_CN"      # the default
    settings.set(LANGUAGE, "en")
    assert app_module.resolve_language(None, settings) == "en"         # the saved choice
    monkeypatch.setenv("CMRC_LANG", "zh_CN")
    assert app_module.resolve_language(None, settings) == "zh_CN"      # the environment
    assert app_module.resolve_language("en", settings) == "en"         # --lang


def test_bundled_font_is_registered_as_fallback(qapp, settings, english_afterwards):
    app_module.create_app([], "en", settings=settings)
    assert theme.FONT_FAMILY_FALLBACK in QFontDatabase.families()
    assert qapp.font().families()[-1] == theme.FONT_FAMILY_FALLBACK
    assert qapp.style().name().lower() == "fusion"
    assert not qapp.windowIcon().isNull()


def test_palette_follows_the_colour_scheme(qapp):
    follower = theme.apply_theme(qapp)
    try:
        follower._on_style_hints_color_scheme_changed(Qt.ColorScheme.Dark)
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() < 128
        assert qapp.palette().color(QPalette.ColorRole.WindowText).lightness() > 128
        dark_icon = theme.icon("centres").pixmap(24, 24).toImage()
        follower._on_style_hints_color_scheme_changed(Qt.ColorScheme.Light)
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 128
        light_icon = theme.icon("centres").pixmap(24, 24).toImage()
        assert dark_icon != light_icon          # icons are drawn in the text colour
    finally:
        follower.apply()
    assert theme.apply_theme(qapp) is follower   # one follower per application


def test_icons_are_svg_and_sharp_at_any_size(qapp):
    icon = theme.icon("centres")
    for size in (16, 24, 48, 96):
        pixmap = icon.pixmap(size, size)
        assert not pixmap.isNull() and pixmap.width() == size * pixmap.devicePixelRatio()
    for name in ("folder-open", "folder-new", "package-import", "about", "centres", "experts",
                 "returns", "results", "my-centres", "quit"):
        assert not theme.icon(name).pixmap(24, 24).toImage().isNull()


def test_settings_declare_each_key_with_type_and_default(settings, tmp_path):
    assert settings.get(REOPEN_LAST) is True
    assert settings.get(RECENT_WORKSPACES) == []
    assert settings.get(WINDOW_GEOMETRY).isEmpty()
    settings.set(LANGUAGE, "en")
    settings.set(WINDOW_GEOMETRY, QByteArray(b"\x01\x02"))
    settings.sync()
    again = Settings(settings.qsettings.fileName())
    assert again.get(LANGUAGE) == "en"
    assert bytes(again.get(WINDOW_GEOMETRY)) == b"\x01\x02"
    with pytest.raises(TypeError):
        settings.set(REOPEN_LAST, "yes")
    settings.add_recent_workspace(tmp_path / "a")
    settings.add_recent_workspace(tmp_path / "a")
    assert settings.recent_workspaces() == [str(tmp_path / "a")]


def test_run_smoke_shows_every_view_and_returns_0(qapp, settings, demo_dir, tmp_path,
                                                   monkeypatch, capsys, english_afterwards):
    monkeypatch.setattr(app_module, "_quiet_offscreen_plugin", lambda: None)
    folder = copy_workspace(demo_dir / "secretary", tmp_path / "secretary")
    assert app_module.run([], workspace=str(folder), lang="en", smoke=True,
                          settings=settings) == 0
    assert "batch, centres, experts, assignments, returns, progress, results, audit" in capsys.readouterr().out


def test_run_smoke_on_a_bad_folder_returns_2(qapp, tmp_path, monkeypatch, capsys,
                                            english_afterwards):
    monkeypatch.setattr(app_module, "_quiet_offscreen_plugin", lambda: None)
    assert app_module.run([], workspace=str(tmp_path / "nothing"), lang="en",
                          smoke=True) == 2
    err = capsys.readouterr().err
    assert "cannot open the workspace" in err and "Traceback" not in err


def test_gui_package_argument_reaches_the_window(monkeypatch):
    """``cmrc gui --package F`` (the .cmrcpkg file association) opens the import dialog
    for F; here the window's entry point records what it was asked to do."""
    import types

    from cmrc_desktop import cli, cli_gui

    calls: dict = {}
    fake = types.SimpleNamespace(run=lambda argv, **kw: calls.update(kw) or 0)
    monkeypatch.setattr(cli_gui.importlib, "import_module", lambda name: fake)
    monkeypatch.setenv("QT_QPA_PLATFORM", "offscreen")
    assert cli.main(["gui", "--package", "E01.cmrcpkg"]) == 0
    assert calls["package"] == "E01.cmrcpkg" and calls["workspace"] is None
