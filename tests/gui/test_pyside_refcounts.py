"""The work-around for PySide6 builds that under-count None/True/False on CPython < 3.12."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

from digitpad.gui import _none_refcount


class _Chatty(QObject):
    said = Signal(int)


def test_many_void_calls_and_emits_do_not_exhaust_the_singletons(qapp):
    assert _none_refcount.guard() in (True, False)  # idempotent, safe to call again
    chatty = _Chatty()
    for i in range(20_000):  # without the guard this aborts the interpreter after a few thousand
        chatty.setObjectName("chatty")
        chatty.said.emit(i)
        QApplication.processEvents()
    assert sys.getrefcount(None) > 1000 and sys.getrefcount(True) > 1000 and sys.getrefcount(False) > 100
