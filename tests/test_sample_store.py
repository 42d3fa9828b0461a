"""The personal sample store: round trip, migration, crash safety, damage, concurrent readers."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from digitpad.sample_store import MIGRATIONS, SCHEMA_VERSION, SampleStore, StoreError, Stroke, default_store_path

REPO = Path(__file__).resolve().parent.parent


def image(value: int) -> np.ndarray:
    out = np.zeros((28, 28), np.uint8)
    out[4:24, 10 + value % 8] = 200 + value % 50
    return out


def test_round_trip_keeps_every_field(tmp_path: Path) -> None:
    strokes = (Stroke(22.0, ((0.1, 0.2), (0.30001, 0.4))), Stroke(18.5, ((0.5, 0.5),)))
    with SampleStore.open(tmp_path / "s.sqlite3") as store:
        sid = store.add(
            label=1, image=image(3), source="pad", strokes=strokes, predicted=7, confidence=0.875, model="m.pt"
        )
        fid = store.add(label=0, image=image(5), source="file")
    with SampleStore.open(tmp_path / "s.sqlite3") as store:
        assert store.count() == 2 and store.counts() == [1, 1] + [0] * 8
        got = store.get(sid)
        assert got is not None
        assert (got.label, got.source, got.predicted, got.confidence, got.model) == (1, "pad", 7, 0.875, "m.pt")
        np.testing.assert_array_equal(got.image, image(3))
        assert got.strokes is not None and len(got.strokes) == 2
        assert got.strokes[0].width == 22.0 and got.strokes[0].points == ((0.1, 0.2), (0.3, 0.4))
        other = store.get(fid)
        assert other is not None and other.strokes is None and other.predicted is None
        assert [s.label for s in store.samples()] == [0, 1]  # grouped by digit
        images, labels = store.arrays()
        assert images.shape == (2, 28, 28) and labels.tolist() == [1, 0]  # oldest first


def test_relabel_and_delete(tmp_path: Path) -> None:
    with SampleStore.open(tmp_path / "s.sqlite3") as store:
        a, b = store.add_many([{"label": 3, "image": image(1)}, {"label": 4, "image": image(2)}])
        store.relabel(a, 8)
        assert store.counts()[8] == 1 and store.counts()[3] == 0
        assert store.delete([b]) == 1
        assert store.count() == 1
        ids, labels, thumbs = store.thumbnails()
        assert ids.tolist() == [a] and labels.tolist() == [8] and thumbs.shape == (1, 28, 28)


def test_bad_values_are_refused_with_nothing_written(tmp_path: Path) -> None:
    with SampleStore.open(tmp_path / "s.sqlite3") as store:
        with pytest.raises(StoreError, match="digit 0-9"):
            store.add(label=10, image=image(1))
        with pytest.raises(StoreError, match="uint8"):
            store.add(label=1, image=np.zeros((28, 28), np.float32))
        with pytest.raises(StoreError):  # one bad row: the whole batch is refused
            store.add_many([{"label": 1, "image": image(1)}, {"label": 2, "image": image(1), "source": "web"}])
        assert store.count() == 0


def test_default_path_is_in_the_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGITPAD_HOME", str(tmp_path / "home"))
    assert default_store_path() == tmp_path / "home" / "samples.sqlite3"
    with SampleStore.open() as store:
        assert store.path == default_store_path() and store.path.is_file()


def test_migration_from_the_first_schema_keeps_rows(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite3"
    db = sqlite3.connect(path)
    db.executescript(MIGRATIONS[0])
    db.execute(
        "INSERT INTO samples (label, source, strokes, input, created) VALUES (?, ?, ?, ?, ?)",
        (6, "file", None, image(6).tobytes(), "2026-01-01T00:00:00+00:00"),
    )
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with SampleStore.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION > 1
        (old,) = list(store.samples())
        assert old.label == 6 and old.predicted is None and old.model is None
        np.testing.assert_array_equal(old.image, image(6))
        store.add(label=2, image=image(2), predicted=3, confidence=0.5, model="x")  # new columns work
        assert store.counts()[2] == 1


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "new.sqlite3"
    SampleStore.open(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer DigitPad"):
        SampleStore.open(path)
    assert path.is_file()  # not damage: left where it is


def test_corrupt_file_is_moved_aside_and_a_fresh_store_started(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    path.write_bytes(b"this is not a database at all" * 200)
    store = SampleStore.open(path)
    assert store.recovered is not None and "moved to" in store.recovered
    assert store.count() == 0
    aside = list(tmp_path.glob("s.sqlite3.damaged-*"))
    assert len(aside) == 1 and aside[0].read_bytes().startswith(b"this is not")
    store.close()


def test_damaged_pages_are_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    with SampleStore.open(path) as store:
        store.add_many([{"label": i % 10, "image": image(i)} for i in range(300)])
        store._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = bytearray(path.read_bytes())
    raw[4096 * 2 : 4096 * 4] = b"\xff" * 8192  # scribble over two pages of the table
    path.write_bytes(bytes(raw))
    store = SampleStore.open(path)
    assert store.recovered is not None
    assert store.count() == 0 and list(tmp_path.glob("s.sqlite3.damaged-*"))
    store.close()


def test_full_disk_leaves_the_store_as_it_was(tmp_path: Path) -> None:
    with SampleStore.open(tmp_path / "s.sqlite3") as store:
        store.add(label=1, image=image(1))
        pages = store._db.execute("PRAGMA page_count").fetchone()[0]
        store._db.execute(f"PRAGMA max_page_count = {pages + 1}")  # SQLite's own "disk full"
        with pytest.raises(StoreError, match="disk is full"):
            store.add_many([{"label": 2, "image": image(i)} for i in range(200)])
        assert store.count() == 1
        store._db.execute("PRAGMA max_page_count = 1073741823")
        store.add(label=3, image=image(3))
        assert store.count() == 2


WRITER = textwrap.dedent(
    """
    import sys, numpy as np
    from digitpad.sample_store import SampleStore
    store = SampleStore.open(sys.argv[1])
    img = np.full((28, 28), 7, np.uint8)
    print("ready", flush=True)
    while True:  # batches of 50 in one transaction each, until killed
        store.add_many([{"label": 5, "image": img, "strokes": None} for _ in range(50)])
    """
)


def test_kill_9_during_writes_leaves_whole_transactions(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(path)], cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:  # wait until it has committed something, then kill mid-stream
            try:
                with sqlite3.connect(path, timeout=5) as peek:
                    if peek.execute("SELECT COUNT(*) FROM samples").fetchone()[0] >= 500:
                        break
            except sqlite3.OperationalError:
                pass
            time.sleep(0.05)
        proc.kill()
    finally:
        proc.wait(10)
    assert proc.returncode == -9
    with SampleStore.open(path) as store:
        assert store.recovered is None
        n = store.count()
        assert n >= 500 and n % 50 == 0  # only whole transactions survive
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_a_reader_sees_committed_rows_while_a_writer_works(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    writer = SampleStore.open(path)
    reader = SampleStore.open(path)
    writer.add(label=1, image=image(1))
    writer._db.execute("BEGIN IMMEDIATE")  # a write in progress...
    writer._db.execute(
        "INSERT INTO samples (label, source, input, created) VALUES (2, 'pad', ?, 'now')", (image(2).tobytes(),)
    )
    assert reader.count() == 1  # ...does not block the reader, and is not seen before it commits
    ids, _, _ = reader.thumbnails()
    assert len(ids) == 1
    writer._db.execute("COMMIT")
    assert reader.count() == 2
    with pytest.raises(StoreError, match="busy"):  # a second writer waits, then gives up with one line
        reader._db.execute("PRAGMA busy_timeout = 100")
        writer._db.execute("BEGIN IMMEDIATE")
        try:
            reader.add(label=3, image=image(3))
        finally:
            writer._db.execute("ROLLBACK")
    writer.close()
    reader.close()
