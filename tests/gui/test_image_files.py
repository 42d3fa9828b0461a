"""Opening images: the File > Open dialog path, drag and drop, paste, hostile files."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import numpy as np
import pytest
from gui_helpers import ONE, draw, load_mnist_test
from PIL import Image
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QFileDialog

from digitpad.gui.main_window import IMAGE_FILTER

ANSWER_MS = 10_000


@pytest.fixture
def digit_files(tmp_path, mnist_dir) -> dict[str, tuple[Path, int]]:
    """MNIST test digits saved the way people have them: dark on light, light on dark, RGBA."""
    images, labels = load_mnist_test(mnist_dir, 3)
    big = [np.kron(im, np.ones((6, 6), np.uint8)) for im in images]
    files = {
        "png-dark-ink": (tmp_path / "digit.png", 255 - big[0], "L"),
        "jpeg-white-ink": (tmp_path / "digit.jpg", big[1], "L"),
        "webp": (tmp_path / "digit.webp", 255 - big[2], "L"),
    }
    out = {}
    for name, (path, array, mode) in files.items():
        Image.fromarray(array, mode).save(path)
        out[name] = (path, int(labels[list(files).index(name)]))
    return out


def _wait_answer(qtbot, window):
    qtbot.waitUntil(
        lambda: window.shown_request_id == window.latest_request_id and window.last_prediction is not None,
        timeout=ANSWER_MS,
    )
    return window.last_prediction


@pytest.mark.mnist
@pytest.mark.parametrize("kind", ["png-dark-ink", "jpeg-white-ink", "webp"])
def test_open_through_the_file_dialog(qtbot, window, digit_files, monkeypatch, kind):
    path, label = digit_files[kind]
    seen = {}

    def fake_dialog(parent, caption, folder, filters):
        seen.update(parent=parent, filters=filters)
        return str(path), filters.split(";;")[0]

    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(fake_dialog))
    window.open_action.trigger()
    prediction = _wait_answer(qtbot, window)
    assert seen["parent"] is window and seen["filters"] == IMAGE_FILTER
    for ext in ("png", "jpg", "jpeg", "bmp", "gif", "tif", "tiff", "webp"):
        assert f"*.{ext}" in IMAGE_FILTER
    assert prediction.digit == label
    assert window.canvas.has_image()
    assert window.settings.last_folder() == str(path.parent)
    # drawing again returns to drawing mode
    draw(window.canvas, ONE)
    assert not window.canvas.has_image()
    qtbot.waitUntil(lambda: window.last_prediction.digit == 1, timeout=ANSWER_MS)


# PySide6 binds only the QPoint constructor of QDragEnterEvent, which it marks deprecated.
_DRAG_ENTER_DEPRECATION = pytest.mark.filterwarnings("ignore:Function.*QDragEnterEvent:DeprecationWarning")


@pytest.mark.mnist
@_DRAG_ENTER_DEPRECATION
def test_dropping_a_file_opens_it(qtbot, window, digit_files):
    path, label = digit_files["png-dark-ink"]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    where = QPointF(window.canvas.geometry().center())
    enter = QDragEnterEvent(
        where.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    )
    QApplication.sendEvent(window, enter)
    assert enter.isAccepted()
    drop = QDropEvent(where, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    QApplication.sendEvent(window, drop)
    assert drop.isAccepted()
    assert _wait_answer(qtbot, window).digit == label


@_DRAG_ENTER_DEPRECATION
def test_dragging_text_is_refused(window):
    mime = QMimeData()
    mime.setText("hello")
    enter = QDragEnterEvent(
        QPointF(10, 10).toPoint(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier.NoModifier,
    )
    enter.ignore()
    QApplication.sendEvent(window, enter)
    assert not enter.isAccepted()


@pytest.mark.mnist
def test_paste_an_image_and_a_file(qtbot, window, digit_files):
    path, label = digit_files["jpeg-white-ink"]
    clipboard = QGuiApplication.clipboard()
    from PySide6.QtGui import QImage

    clipboard.setImage(QImage(str(path)))
    window.paste_action.trigger()
    assert _wait_answer(qtbot, window).digit == label
    other, other_label = digit_files["png-dark-ink"]
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(other))])
    clipboard.setMimeData(mime)
    window.paste_action.trigger()
    qtbot.waitUntil(lambda: window.last_prediction.digit == other_label, timeout=ANSWER_MS)
    clipboard.setText("just some words")
    window.paste_action.trigger()
    assert "Nothing to paste" in window.message_bar.text()


def _bomb_png(path: Path, side: int = 60_000) -> None:
    """A tiny PNG whose header claims side x side pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1000)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def _hostile_files(folder: Path) -> list[Path]:
    empty = folder / "empty.png"
    empty.write_bytes(b"")
    text = folder / "notes.png"
    text.write_text("this is not an image\n")
    good = folder / "good.png"
    Image.fromarray(np.full((64, 64), 200, np.uint8)).save(good)
    truncated = folder / "truncated.png"
    truncated.write_bytes(good.read_bytes()[:60])
    bomb = folder / "bomb.png"
    _bomb_png(bomb)
    return [empty, text, truncated, bomb, folder / "missing.png"]


@pytest.mark.parametrize("name", ["empty.png", "notes.png", "truncated.png", "bomb.png", "missing.png"])
def test_broken_files_show_a_message_and_keep_the_drawing(qtbot, window, tmp_path, name):
    files = {p.name: p for p in _hostile_files(tmp_path)}
    draw(window.canvas, ONE)
    before = _wait_answer(qtbot, window)
    window.open_file(files[name])
    qtbot.waitUntil(lambda: window.message_bar.text() != "", timeout=ANSWER_MS)
    message = window.message_bar.text()
    assert message and "\n" not in message and "Traceback" not in message
    assert window.statusBar().currentMessage() == message
    assert not window.canvas.has_image() and len(window.canvas.strokes()) == 1
    assert window.last_prediction is before and window.result_panel.shown_digit() == before.digit
    # the window stays usable
    draw(window.canvas, [[(0.3, 0.5), (0.7, 0.5)]])
    _wait_answer(qtbot, window)
    assert window.message_bar.text() == ""
