"""Help > Keyboard shortcuts and Help > How to draw for best results (GUI thread only)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

_KS = QKeySequence.StandardKey

SHORTCUTS: tuple[tuple[str, str | QKeySequence.StandardKey], ...] = (
    ("Open an image", _KS.Open),
    ("Paste an image or image file", _KS.Paste),
    ("Save the drawing as PNG", _KS.Save),
    ("Undo the last stroke", _KS.Undo),
    ("Redo", _KS.Redo),
    ("Clear the drawing", "Delete or Escape"),
    ("This list", _KS.HelpContents),
    ("Quit", _KS.Quit),
)

DRAWING_TIPS = """
<h3>How to draw for best results</h3>
<p>DigitPad's network learned from MNIST: single handwritten digits, written
with a pen on paper, scanned, and centred in a small square.  It reads best
what looks like that.</p>
<ul>
<li><b>One digit at a time</b>, large: let it fill most of the paper's height.</li>
<li><b>Write it as on paper</b>, in one or two strokes, not as a thick outline.</li>
<li><b>Pen width</b> about 15–30 (the Pen box in the toolbar) looks most like MNIST ink.</li>
<li>Close the loops of <b>0, 6, 8, 9</b>; give a <b>4</b> its open or closed top; a <b>7</b>
may carry a bar, a <b>1</b> a small flag.</li>
<li>Watch the <b>network input</b> preview: it shows the digit as the network sees it
(cropped, scaled to 20 pixels and centred).  A "unsure" answer means the shape
is ambiguous: Undo the last stroke and try again.</li>
<li>Photos and scans work too (File &gt; Open, Paste or drop a file): a dark digit on
a plain light background, or light on dark, cropped close to the digit.</li>
</ul>
"""


def shortcuts_html() -> str:
    """The shortcut table in this platform's key names."""
    rows = []
    for what, keys in SHORTCUTS:
        if isinstance(keys, str):
            text = keys
        else:
            # The platform's first binding: the others are often media keys ("F14", "Undo").
            bindings = QKeySequence.keyBindings(keys)
            text = bindings[0].toString(QKeySequence.SequenceFormat.NativeText) if bindings else ""
        rows.append(f"<tr><td>{what}</td><td>&nbsp;&nbsp;<b>{text or '—'}</b></td></tr>")
    return (
        "<h3>Keyboard shortcuts</h3><table>"
        + "".join(rows)
        + "</table><p>Draw with the left mouse button, a pen or one finger.</p>"
    )


def show_help(parent: QWidget, topic: str) -> QDialog:
    """Show ``topic`` ("shortcuts" or "drawing") in a small non-modal window; returns it."""
    dialog = QDialog(parent)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # each Help click makes a fresh one
    dialog.setWindowTitle("Keyboard shortcuts" if topic == "shortcuts" else "How to draw for best results")
    text = QTextBrowser()
    text.setOpenExternalLinks(False)
    text.setHtml(shortcuts_html() if topic == "shortcuts" else DRAWING_TIPS)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
    buttons.rejected.connect(dialog.close)
    layout = QVBoxLayout(dialog)
    layout.addWidget(text)
    layout.addWidget(buttons)
    dialog.resize(460, 420 if topic == "drawing" else 320)
    dialog.setObjectName(f"help-{topic}")
    dialog.show()
    return dialog
