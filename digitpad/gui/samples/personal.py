"""The personal sample store as the GUI sees it: one ``SampleStore`` owned by the GUI thread.

Every write to the store in the app goes through here, in the GUI thread
(each is one short SQLite transaction); ``changed`` tells the samples window
and the personalisation controller.  Problems become one line on
``failed``, never a traceback.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from PySide6.QtCore import QObject, Signal

from digitpad.errors import DigitPadError
from digitpad.sample_store import SampleStore

T = TypeVar("T")


class PersonalSamples(QObject):
    """Opens the store on first use; ``changed`` after every write."""

    changed = Signal()
    failed = Signal(str)  # one user-facing line
    recovered = Signal(str)  # a damaged database was moved aside

    def __init__(self, path: Path | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._path = path
        self._store: SampleStore | None = None

    def store(self) -> SampleStore | None:
        """The open store, or None (after ``failed``) when it cannot be opened."""
        if self._store is None:
            try:
                self._store = SampleStore.open(self._path)
            except DigitPadError as error:
                self.failed.emit(str(error))
                return None
            if self._store.recovered:
                self.recovered.emit(self._store.recovered)
        return self._store

    def read(self, what: Callable[[SampleStore], T], default: T) -> T:
        store = self.store()
        if store is None:
            return default
        try:
            return what(store)
        except DigitPadError as error:
            self.failed.emit(str(error))
            return default

    def write(self, what: Callable[[SampleStore], T]) -> T | None:
        """Run one write; ``changed`` on success, ``failed`` (nothing written) otherwise."""
        store = self.store()
        if store is None:
            return None
        try:
            result = what(store)
        except DigitPadError as error:
            self.failed.emit(str(error))
            return None
        self.changed.emit()
        return result

    def count(self) -> int:
        return self.read(lambda s: s.count(), 0)

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None
