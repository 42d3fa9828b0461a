"""Start and stop a worker object on its own QThread (GUI thread only).

A worker is any QObject with a thread-safe ``stop()``: stop() ends its
current job early, then the thread's event loop quits and is waited for, so
no QThread is ever destroyed while running.
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QObject, QThread


class Stoppable(Protocol):
    def stop(self) -> None: ...


def start_worker_thread(worker: QObject, name: str, parent: QObject | None = None) -> QThread:
    """Move ``worker`` to a new running thread called ``name``; returns the thread."""
    thread = QThread(parent)
    thread.setObjectName(name)
    worker.moveToThread(thread)
    thread.finished.connect(worker.deleteLater)
    thread.start()
    return thread


def stop_worker_thread(worker: Stoppable, thread: QThread) -> None:
    """Stop the worker, quit its thread and wait for it."""
    worker.stop()
    thread.quit()
    thread.wait()
