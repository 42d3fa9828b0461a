"""Work around PySide6 builds that drop a reference to ``None`` on every void call.

The PySide6 6.12 abi3 wheels in this environment return ``None`` from
void-returning methods (``QWidget.update()``, ``processEvents()``, ...)
without the ``Py_INCREF`` that CPython before 3.12 needs (3.12 made ``None``
immortal).  Each such call leaves ``None``'s reference count one lower; after
a few thousand calls CPython aborts with "Fatal Python error: none_dealloc".

:func:`guard` detects the leak with a probe and, only if present, lifts
``None``'s count far out of reach, which is what 3.12's immortal ``None`` does.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 40  # decrements needed to reach zero: never, in practice
_applied = False


def leaks_none() -> bool:
    """True when a void PySide6 call leaves ``None``'s reference count lower."""
    from PySide6.QtCore import QObject

    probe = QObject()
    before = sys.getrefcount(None)
    for _ in range(16):
        probe.setObjectName("probe")
    return sys.getrefcount(None) < before


def guard() -> bool:
    """Apply the work-around when needed (idempotent); returns whether it is active."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # None is immortal there
    if not leaks_none():
        return False
    # ob_refcnt is the first field of every CPython object (a Py_ssize_t).
    ctypes.c_ssize_t.from_address(id(None)).value += _HEADROOM
    _applied = True
    return True
