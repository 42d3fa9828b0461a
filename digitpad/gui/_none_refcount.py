"""Work around PySide6 builds that drop references to ``None``, ``True`` and ``False``.

The PySide6 6.12 abi3 wheels in this environment return ``None`` from void
methods (``QWidget.update()``, ``processEvents()``, ...) and ``True``/``False``
from some others (``Signal.emit()``, ``disconnect()``) without the
``Py_INCREF`` that CPython before 3.12 needs (3.12 made these objects
immortal).  Each call leaves the object's reference count one lower; after a
few thousand calls CPython aborts with "Fatal Python error: none_dealloc"
(or ``bool_dealloc``).

:func:`guard` detects the leak with a probe and, only if present, lifts the
three singletons' counts far out of reach, which is what 3.12 does.
"""

from __future__ import annotations

import ctypes
import sys

_HEADROOM = 1 << 40  # decrements needed to reach zero: never, in practice
_applied = False


def leaks_singletons() -> bool:
    """True when void calls or signal emission leave ``None``/``True`` counts lower."""
    from PySide6.QtCore import QObject, Signal

    class _Probe(QObject):
        poked = Signal()

    probe = _Probe()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(16):
        probe.setObjectName("probe")
        probe.poked.emit()
    return sys.getrefcount(None) < none_before or sys.getrefcount(True) < true_before


def guard() -> bool:
    """Apply the work-around when needed (idempotent); returns whether it is active."""
    global _applied
    if _applied:
        return True
    if sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False  # None, True and False are immortal there
    if not leaks_singletons():
        return False
    for singleton in (None, True, False):
        # ob_refcnt is the first field of every CPython object (a Py_ssize_t).
        ctypes.c_ssize_t.from_address(id(singleton)).value += _HEADROOM
    _applied = True
    return True
