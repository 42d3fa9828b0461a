"""The window's request bookkeeping on its own: ids, the throttle, stale answers."""

from __future__ import annotations

from digitpad.gui.pad.request_tracker import RequestTracker


def test_ids_increase_and_only_the_newest_answer_is_accepted(qtbot):
    tracker = RequestTracker()
    first, second = tracker.new_request(), tracker.new_request()
    assert (first, second) == (1, 2) and tracker.latest_id == 2
    assert not tracker.accept(first) and tracker.stale_answers == 1
    assert tracker.accept(second) and tracker.stale_answers == 1
    tracker.mark_shown(second)
    assert tracker.shown_id == 2 and tracker.is_latest(2) and not tracker.is_latest(1)


def test_many_moves_within_the_interval_give_one_request(qtbot):
    tracker = RequestTracker(interval_ms=50)
    fired = []
    tracker.throttle_elapsed.connect(lambda: fired.append(tracker.latest_id))
    with qtbot.waitSignal(tracker.throttle_elapsed, timeout=2000):
        for _ in range(20):
            tracker.throttle()
        assert tracker.is_waiting()
    assert fired == [0] and not tracker.is_waiting()
    with qtbot.assertNotEmitted(tracker.throttle_elapsed, wait=150):
        pass  # nothing more without further moves


def test_a_new_request_drops_the_waiting_throttled_one(qtbot):
    tracker = RequestTracker(interval_ms=50)
    tracker.throttle()
    with qtbot.assertNotEmitted(tracker.throttle_elapsed, wait=150):
        tracker.new_request()  # e.g. the stroke ended: asked for at once
    tracker.throttle()
    with qtbot.assertNotEmitted(tracker.throttle_elapsed, wait=150):
        tracker.cancel()
