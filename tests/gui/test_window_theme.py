"""Themes, palette-coloured icons, toolbar labels and the Help pages."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QIcon, QPalette
from PySide6.QtWidgets import QApplication, QDialog, QToolButton

from digitpad.gui.main_window import MainWindow
from digitpad.gui.theme import dark_palette, is_dark, light_palette
from digitpad.gui.widgets.icons import palette_icon


def _ink(icon: QIcon, mode: QIcon.Mode) -> tuple[float, float]:
    """(mean lightness, mean alpha) of the icon's opaque-ish pixels at 24 px."""
    image = icon.pixmap(QSize(24, 24), 1.0, mode).toImage()
    light, alpha, n = 0.0, 0.0, 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if c.alphaF() > 0.05:
                light += c.lightnessF()
                alpha += c.alphaF()
                n += 1
    assert n > 20, "the icon drew nothing"
    return light / n, alpha / n


def test_icons_follow_the_palette_and_disabled_is_fainter(qapp):
    for palette, dark in ((light_palette(), False), (dark_palette(), True)):
        icon = palette_icon("undo", palette)
        light, alpha = _ink(icon, QIcon.Mode.Normal)
        assert (light > 0.7) if dark else (light < 0.3)  # light ink on dark buttons, dark on light
        _, disabled_alpha = _ink(icon, QIcon.Mode.Disabled)
        assert disabled_alpha < 0.6 * alpha  # disabled reads as disabled


def test_every_toolbar_action_has_a_shipped_icon(window):
    for action in (
        window.open_action,
        window.paste_action,
        window.save_action,
        window.undo_action,
        window.redo_action,
        window.clear_action,
    ):
        assert not action.icon().isNull(), action.text()


def test_view_theme_switches_is_remembered_and_recolours_icons(qtbot, window, settings):
    before = _ink(window.undo_action.icon(), QIcon.Mode.Normal)[0]
    try:
        window.theme_actions["dark"].trigger()
        assert is_dark(QApplication.instance().palette())
        qtbot.waitUntil(lambda: is_dark(window.canvas.palette()))  # widgets hear through posted events
        assert settings.value("view/theme") == "dark"
        assert _ink(window.undo_action.icon(), QIcon.Mode.Normal)[0] > before + 0.4
        window.close()
        again = MainWindow(settings)  # the next start uses the remembered theme
        qtbot.addWidget(again)
        assert again.theme_actions["dark"].isChecked() and is_dark(QApplication.instance().palette())
        again.theme_actions["light"].trigger()
        assert not is_dark(QApplication.instance().palette())
        again.close()
    finally:
        window.theme.apply("system")  # later tests start from the platform's look


def test_system_follows_a_dark_colour_scheme(monkeypatch, window):
    import digitpad.gui.theme as theme

    monkeypatch.setattr(theme, "system_scheme", lambda: Qt.ColorScheme.Dark)
    try:
        window.theme.apply("system")
        assert is_dark(QApplication.instance().palette())
    finally:
        monkeypatch.setattr(theme, "system_scheme", lambda: Qt.ColorScheme.Light)
        window.theme.apply("system")
    assert not is_dark(QApplication.instance().palette())


def test_the_toolbar_shows_words_beside_icons_on_first_start(window):
    assert window.toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    buttons = [window.toolbar.widgetForAction(a) for a in (window.open_action, window.undo_action)]
    assert all(isinstance(b, QToolButton) for b in buttons)
    assert [b.text() for b in buttons] == ["Open", "Undo"]


def test_help_has_shortcuts_and_drawing_tips(qtbot, window):
    titles = [a.text() for a in window.help_menu.actions() if a.text()]
    assert titles == ["&Keyboard shortcuts", "&How to draw for best results", "&About DigitPad"]
    window.shortcuts_action.trigger()
    dialog = window.findChild(QDialog, "help-shortcuts")
    assert dialog is not None and dialog.isVisible()
    text = dialog.layout().itemAt(0).widget().toPlainText()
    assert "Undo the last stroke" in text and "Delete or Escape" in text and "Ctrl+Z" in text
    assert "F14" not in text  # the primary keys only, not the media-key alternates
    dialog.close()
    window.drawing_tips_action.trigger()
    tips = window.findChild(QDialog, "help-drawing")
    assert "One digit at a time" in tips.layout().itemAt(0).widget().toPlainText()
    tips.close()


def test_disabled_text_is_readable_in_the_dark_palette(qapp):
    p = dark_palette()
    window = p.color(QPalette.ColorRole.Window).lightnessF()
    disabled = p.color(QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText).lightnessF()
    enabled = p.color(QPalette.ColorRole.ButtonText).lightnessF()
    assert window + 0.2 < disabled < enabled - 0.2
