"""Where an image to recognise can come from besides a file dialog: drops and the clipboard.

Small helpers over ``QMimeData``; the window decides what to do with the result.
GUI thread only (the clipboard lives there).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMimeData, QUrl
from PySide6.QtGui import QImage


def local_file(mime: QMimeData) -> Path | None:
    """The first local file named by ``mime``: a file URL, or text holding a path or file URL."""
    for url in mime.urls():
        if url.isLocalFile():
            return Path(url.toLocalFile())
    text = mime.text().strip() if mime.hasText() else ""
    if text.startswith("file://"):
        text = QUrl(text).toLocalFile()
    if text and "\n" not in text and len(text) < 4096 and Path(text).is_file():
        return Path(text)
    return None


def image_data(mime: QMimeData) -> QImage | None:
    """The image carried by ``mime`` itself (a screenshot copied to the clipboard)."""
    if not mime.hasImage():
        return None
    image = QImage(mime.imageData())
    return None if image.isNull() else image


def png_bytes(image: QImage) -> bytes:
    """``image`` encoded as PNG, so it reaches the recogniser like any opened file."""
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    buffer.close()
    return bytes(data.data())
