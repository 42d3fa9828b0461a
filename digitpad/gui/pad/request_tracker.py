"""Request bookkeeping for live recognition: ids, the pen-move throttle, stale answers (GUI thread only).

Every request to the inference worker gets a fresh, increasing id; only the
answer to the newest one is shown, older answers are counted and dropped
(the worker may still be busy with a request the user has already drawn
past).  While the pen moves, :meth:`throttle` asks for at most one request
per interval: the first move starts a single-shot timer and
``throttle_elapsed`` fires when it runs out, however many moves came in
between (a throttle, not a debounce: updates keep coming while drawing).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QTimer, Signal

THROTTLE_MS = 30
"""While the pen moves, at most one request per this many milliseconds."""


class RequestTracker(QObject):
    """Owns request ids, the throttle timer and the count of stale answers of one window."""

    throttle_elapsed = Signal()  # time to send the newest drawing

    def __init__(self, interval_ms: int = THROTTLE_MS, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._latest = 0
        self._shown = 0
        self._stale = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.throttle_elapsed)

    @property
    def latest_id(self) -> int:
        """The newest request's id (0 before the first)."""
        return self._latest

    @property
    def shown_id(self) -> int:
        """The request whose answer is on screen (0 when none)."""
        return self._shown

    @property
    def stale_answers(self) -> int:
        """Answers dropped because a newer request existed when they arrived."""
        return self._stale

    def new_request(self) -> int:
        """A fresh id; a throttled request still waiting is dropped (this one supersedes it)."""
        self._timer.stop()
        self._latest += 1
        return self._latest

    def throttle(self) -> None:
        """The drawing changed while the pen moves: ``throttle_elapsed`` fires once the interval has passed."""
        if not self._timer.isActive():
            self._timer.start()

    def cancel(self) -> None:
        """Forget a throttled request still waiting (closing, or an answer is asked for at once)."""
        self._timer.stop()

    def is_waiting(self) -> bool:
        """True while a throttled request waits for its interval."""
        return self._timer.isActive()

    def is_latest(self, request_id: int) -> bool:
        return request_id == self._latest

    def accept(self, request_id: int) -> bool:
        """True when ``request_id`` is the newest request; otherwise the answer is stale and counted."""
        if request_id != self._latest:
            self._stale += 1
            return False
        return True

    def mark_shown(self, request_id: int) -> None:
        """The answer to ``request_id`` is now on screen."""
        self._shown = request_id
