"""The main window's actions, menus and toolbar (GUI thread), built onto the window.

Like the ``setupUi(window)`` of a Qt Designer form: :func:`build_actions` and
:func:`build_menus_and_toolbar` create the widgets as attributes of the
window (``window.open_action``, ``window.model_menu``, ``window.toolbar``...),
whose slots they connect; the window keeps the behaviour.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QActionGroup, QGuiApplication, QKeySequence
from PySide6.QtWidgets import QSpinBox, QToolBar

from digitpad.gui.pad.canvas import MAX_PEN_WIDTH, MIN_PEN_WIDTH
from digitpad.gui.theme import THEME_LABELS, THEMES
from digitpad.gui.widgets.icons import palette_icon

if TYPE_CHECKING:
    from digitpad.gui.main_window import MainWindow

ICON_PROPERTY = "digitpad_icon"  # the shipped SVG an action shows, redrawn on theme changes


def refresh_icons(window: MainWindow) -> None:
    """Re-draw the shipped icons of ``window``'s actions in the application palette's colours."""
    palette = QGuiApplication.palette()  # set at once; widgets hear of it through posted events
    for action in window.findChildren(QAction):
        name = action.property(ICON_PROPERTY)
        if name:
            action.setIcon(palette_icon(str(name), palette))


def make_action(
    window: MainWindow, text: str, slot: Any, shortcuts: Any = None, icon: str = "", tip: str = "", short: str = ""
) -> QAction:
    """A window action; ``icon`` names a shipped SVG, ``short`` is its toolbar label."""
    action = QAction(text, window)
    if icon:
        action.setProperty(ICON_PROPERTY, icon)  # on the C++ side: no Python table of wrappers
    if short:
        action.setIconText(short)
    if shortcuts is not None:
        action.setShortcuts(shortcuts if isinstance(shortcuts, list) else [shortcuts])
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.triggered.connect(slot)
    return action


def build_actions(window: MainWindow) -> None:
    """The window's actions, as attributes of ``window`` (``window.open_action``, ...)."""
    KS = QKeySequence.StandardKey
    window.open_action = make_action(
        window,
        "&Open image…",
        window.open_image_dialog,
        KS.Open,
        "open",
        "Recognise the digit in an image file",
        "Open",
    )
    window.paste_action = make_action(
        window,
        "&Paste",
        window.paste,
        KS.Paste,
        "paste",
        "Recognise an image or image file from the clipboard",
        "Paste",
    )
    window.save_action = make_action(
        window, "&Save drawing…", window.save_drawing_dialog, KS.Save, "save", "Save the drawing as a PNG image", "Save"
    )
    window.quit_action = make_action(window, "&Quit", window.close, KS.Quit, "quit")
    window.undo_action = make_action(
        window, "&Undo", window.canvas.undo, KS.Undo, "undo", "Undo the last stroke", "Undo"
    )
    window.redo_action = make_action(window, "&Redo", window.canvas.redo, KS.Redo, "redo", "Redo a stroke", "Redo")
    window.clear_action = make_action(
        window,
        "&Clear",
        window.canvas.clear,
        [QKeySequence(Qt.Key.Key_Delete), QKeySequence(Qt.Key.Key_Escape)],
        "clear",
        "Erase the drawing (Delete or Escape)",
        "Clear",
    )
    window.load_weights_action = make_action(
        window, "&Load weights…", window.load_weights_dialog, tip="Recognise with another weights file"
    )
    window.shipped_weights_action = make_action(
        window, "Use &shipped weights", window.use_shipped_weights, tip="Recognise with the weights DigitPad ships with"
    )
    window.trained_weights_action = make_action(
        window, "T&rained weights…", window.show_trained_weights, tip="The weights your training runs saved"
    )
    window.train_action = QAction("&Train…", window)  # enabled by the TrainingController
    window.train_action.setEnabled(False)
    window.train_action.setStatusTip("Train new weights on MNIST in the background")
    window.shortcuts_action = make_action(window, "&Keyboard shortcuts", window.show_shortcuts, KS.HelpContents, "help")
    window.drawing_tips_action = make_action(window, "&How to draw for best results", window.show_drawing_tips)
    window.about_action = make_action(window, "&About DigitPad", window.show_about)
    window.number_action = QAction("&Number mode", window)
    window.number_action.setCheckable(True)
    window.number_action.setShortcut(QKeySequence("Ctrl+M"))
    window.number_action.setStatusTip("Write several digits on a wide pad and read them as one number")
    window.number_action.toggled.connect(window.set_number_mode)
    window.theme_group = QActionGroup(window)
    window.theme_actions: dict[str, QAction] = {}
    for name in THEMES:
        action = QAction(THEME_LABELS[name], window.theme_group)
        action.setCheckable(True)
        action.setChecked(name == window.theme.theme)
        action.setData(name)
        window.theme_actions[name] = action
    window.theme_group.triggered.connect(window.on_theme_chosen)


def build_menus_and_toolbar(window: MainWindow) -> None:
    """The menu bar and the toolbar (with the pen-width box) from the actions of :func:`build_actions`."""
    bar = window.menuBar()
    file_menu = bar.addMenu("&File")
    file_menu.addActions([window.open_action, window.paste_action, window.save_action])
    file_menu.addSeparator()
    file_menu.addAction(window.quit_action)
    edit_menu = bar.addMenu("&Edit")
    edit_menu.addActions([window.undo_action, window.redo_action, window.clear_action])
    window.view_menu = bar.addMenu("&View")
    window.view_menu.addAction(window.number_action)
    window.view_menu.addSeparator()
    window.view_menu.addMenu("&Theme").addActions(list(window.theme_actions.values()))
    window.model_menu = bar.addMenu("&Model")
    window.model_menu.addActions(
        [window.load_weights_action, window.shipped_weights_action, window.trained_weights_action]
    )
    window.model_menu.addSeparator()
    window.model_menu.addAction(window.train_action)
    window.help_menu = bar.addMenu("&Help")
    window.help_menu.addActions([window.shortcuts_action, window.drawing_tips_action])
    window.help_menu.addSeparator()
    window.help_menu.addAction(window.about_action)

    window.toolbar = toolbar = QToolBar("Main")
    window.addToolBar(toolbar)
    toolbar.setObjectName("main-toolbar")
    toolbar.setMovable(False)
    # Words beside the icons: a first-time user need not hover to learn what a button does.
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    toolbar.addActions([window.open_action, window.paste_action, window.save_action])
    toolbar.addSeparator()
    toolbar.addActions([window.undo_action, window.redo_action, window.clear_action])
    toolbar.addSeparator()
    window.view_menu.addAction(toolbar.toggleViewAction())
    window.pen_width_box = QSpinBox()
    # A wider range than the pen allows, checked on commit: typing 100 is clamped
    # to 60 with a message instead of being silently refused at "10".
    window.pen_width_box.setRange(1, 999)
    window.pen_width_box.setKeyboardTracking(False)
    window.pen_width_box.setValue(round(window.canvas.pen_width()))
    window.pen_width_box.setPrefix("Pen ")
    window.pen_width_box.setToolTip(f"Pen width for new strokes ({MIN_PEN_WIDTH}–{MAX_PEN_WIDTH})")
    window.pen_width_box.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    window.pen_width_box.valueChanged.connect(window.on_pen_width)
    toolbar.addWidget(window.pen_width_box)
    toolbar.addSeparator()
    toolbar.addAction(window.number_action)
