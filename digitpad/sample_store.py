"""The user's personal samples: one SQLite database in the data folder.

    store = SampleStore.open()                 # <data_home>/samples.sqlite3
    sample_id = store.add(label=1, image=preview, source="pad", strokes=strokes,
                          predicted=7, confidence=0.93, model="digitpad.pt (shipped)")
    images, labels = store.arrays()

One row per sample: the label the user gave, where it came from (``pad`` or
``file``), the pad's strokes as JSON (so it can be re-rendered), the 28x28
network input (uint8, white ink on black: exactly what the network saw), what
the model read and how sure it was, the model's identity and the time.

Safety: WAL journal with ``synchronous=NORMAL`` (a killed process never loses a
committed row and never leaves a half-written one; a power cut may lose the
last commit, never the file), every write in one transaction, a full disk
raises ``StoreError`` and leaves the database as it was.  A database SQLite
cannot read is moved aside (``samples.sqlite3.damaged-<time>``) and a fresh
one started; :attr:`SampleStore.recovered` says so in one line so the app can
tell the user.  A ``SampleStore`` belongs to the thread that opened it
(sqlite3's own check): the GUI thread, or one worker.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import numpy as np

from digitpad.errors import DigitPadError
from digitpad.paths import data_home

STORE_NAME = "samples.sqlite3"
SOURCES = ("pad", "file")
IMAGE_SHAPE = (28, 28)

# Each entry takes the schema from version i to i + 1; a new database runs them all,
# so the upgrade path is the path every fresh database takes too.
MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE samples (
        id INTEGER PRIMARY KEY,
        label INTEGER NOT NULL CHECK (label BETWEEN 0 AND 9),
        source TEXT NOT NULL,
        strokes TEXT,
        input BLOB NOT NULL,
        created TEXT NOT NULL
    );
    """,
    # 2: what the model read, how sure it was and which model it was
    """
    ALTER TABLE samples ADD COLUMN predicted INTEGER;
    ALTER TABLE samples ADD COLUMN confidence REAL;
    ALTER TABLE samples ADD COLUMN model TEXT;
    CREATE INDEX samples_by_label ON samples (label, id);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


class StoreError(DigitPadError):
    """The sample store could not be read or written (one user-facing line)."""


@dataclass(frozen=True)
class Stroke:
    """One pen trace: ``width`` in the canvas's render units, points in paper coordinates (0..1)."""

    width: float
    points: tuple[tuple[float, float], ...]


@dataclass(frozen=True)
class Sample:
    id: int
    label: int
    source: str  # "pad" | "file"
    image: np.ndarray  # uint8 (28, 28), white ink on black: the network input
    strokes: tuple[Stroke, ...] | None  # pad samples only
    predicted: int | None  # what the model read
    confidence: float | None
    model: str | None  # the model's identity, e.g. "digitpad.pt (shipped)"
    created: str  # ISO 8601, UTC


def default_store_path() -> Path:
    """``<data_home>/samples.sqlite3``."""
    return data_home() / STORE_NAME


def strokes_to_json(strokes: Sequence[Stroke] | None) -> str | None:
    """Compact JSON; points rounded to 1e-4 of the paper (0.03 px on the 280 px render)."""
    if strokes is None:
        return None
    return json.dumps(
        [{"w": round(float(s.width), 2), "p": [[round(x, 4), round(y, 4)] for x, y in s.points]} for s in strokes],
        separators=(",", ":"),
    )


def strokes_from_json(text: str | None) -> tuple[Stroke, ...] | None:
    if text is None:
        return None
    return tuple(Stroke(float(s["w"]), tuple((float(x), float(y)) for x, y in s["p"])) for s in json.loads(text))


class SampleStore:
    """The personal sample database; use from one thread (see module docstring)."""

    def __init__(self, connection: sqlite3.Connection, path: Path, recovered: str | None = None) -> None:
        self._db = connection
        self.path = path
        self.recovered = recovered  # one line when a damaged file was moved aside, else None

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, path: str | Path | None = None) -> SampleStore:
        """Open (creating or upgrading) the store. A damaged file is moved aside; raises ``StoreError``."""
        path = Path(path) if path is not None else default_store_path()
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create the folder for personal samples {path.parent}: {exc.strerror}") from exc
        try:
            return cls(_connect(path), path)
        except sqlite3.DatabaseError as exc:
            if not _is_damage(exc):
                raise StoreError(f"cannot open personal samples {path}: {exc}") from exc
            aside = _move_aside(path)
            message = (
                f"Your samples database was damaged and could not be read; it was moved to {aside.name} "
                "and a new, empty one was started."
            )
            try:
                return cls(_connect(path), path, recovered=message)
            except sqlite3.Error as again:
                raise StoreError(f"cannot start a new samples database {path}: {again}") from again

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> SampleStore:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @property
    def schema_version(self) -> int:
        return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    # ------------------------------------------------------------------ writes
    def add(
        self,
        *,
        label: int,
        image: np.ndarray,
        source: str = "pad",
        strokes: Sequence[Stroke] | None = None,
        predicted: int | None = None,
        confidence: float | None = None,
        model: str | None = None,
        created: str | None = None,
    ) -> int:
        """Store one sample; returns its id. Raises ``StoreError`` (e.g. disk full) with nothing written."""
        return self.add_many(
            [
                dict(
                    label=label,
                    image=image,
                    source=source,
                    strokes=strokes,
                    predicted=predicted,
                    confidence=confidence,
                    model=model,
                    created=created,
                )
            ]
        )[0]

    def add_many(self, rows: Sequence[dict[str, Any]]) -> list[int]:
        """Store several samples in one transaction (all or none); returns their ids."""
        values = [_row_values(**row) for row in rows]
        ids: list[int] = []
        with self._write("save the samples"):
            for value in values:
                cursor = self._db.execute(
                    "INSERT INTO samples (label, source, strokes, input, created, predicted, confidence, model) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    value,
                )
                ids.append(int(cursor.lastrowid or 0))
        return ids

    def relabel(self, sample_id: int, label: int) -> None:
        """Change a sample's label."""
        _check_label(label)
        with self._write("relabel the sample"):
            self._db.execute("UPDATE samples SET label = ? WHERE id = ?", (int(label), int(sample_id)))

    def delete(self, sample_ids: int | Sequence[int]) -> int:
        """Delete samples by id; returns how many went."""
        ids = [int(sample_ids)] if isinstance(sample_ids, (int, np.integer)) else [int(i) for i in sample_ids]
        with self._write("delete the samples"):
            cursor = self._db.executemany("DELETE FROM samples WHERE id = ?", [(i,) for i in ids])
        return int(cursor.rowcount)

    # ------------------------------------------------------------------- reads
    def count(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM samples").fetchone()[0])

    def counts(self) -> list[int]:
        """Samples per digit, index 0..9."""
        out = [0] * 10
        for label, n in self._db.execute("SELECT label, COUNT(*) FROM samples GROUP BY label"):
            out[int(label)] = int(n)
        return out

    def get(self, sample_id: int) -> Sample | None:
        row = self._db.execute(f"SELECT {_COLUMNS} FROM samples WHERE id = ?", (int(sample_id),)).fetchone()
        return _sample(row) if row else None

    def samples(self, label: int | None = None, *, with_strokes: bool = True) -> Iterator[Sample]:
        """Samples ordered by digit, then by id (oldest first)."""
        columns = _COLUMNS if with_strokes else _COLUMNS.replace("strokes", "NULL")
        where, args = ("WHERE label = ?", (int(label),)) if label is not None else ("", ())
        for row in self._db.execute(f"SELECT {columns} FROM samples {where} ORDER BY label, id", args):
            yield _sample(row)

    def thumbnails(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(ids int64 (N,), labels int64 (N,), images uint8 (N, 28, 28))`` ordered by digit, then id.

        One query and one buffer: what the samples window needs to open fast.
        """
        rows = self._db.execute("SELECT id, label, input FROM samples ORDER BY label, id").fetchall()
        ids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        labels = np.fromiter((r[1] for r in rows), np.int64, len(rows))
        images = np.frombuffer(b"".join(r[2] for r in rows), np.uint8).reshape(-1, *IMAGE_SHAPE)
        return ids, labels, images

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """``(images uint8 (N, 28, 28), labels int64 (N,))``, oldest first: the personalisation run's input."""
        rows = self._db.execute("SELECT label, input FROM samples ORDER BY id").fetchall()
        labels = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        images = np.frombuffer(b"".join(r[1] for r in rows), np.uint8).reshape(-1, *IMAGE_SHAPE)
        return images.copy(), labels

    # ---------------------------------------------------------------- internals
    def _write(self, what: str) -> _Transaction:
        return _Transaction(self._db, what)


class _Transaction:
    """``BEGIN IMMEDIATE`` .. ``COMMIT``; any error rolls back and becomes one ``StoreError`` line."""

    def __init__(self, db: sqlite3.Connection, what: str) -> None:
        self.db, self.what = db, what

    def __enter__(self) -> None:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise StoreError(f"could not {self.what}: {_reason(exc)}") from exc

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, _tb: object) -> None:
        if kind is None:
            try:
                self.db.execute("COMMIT")
                return
            except sqlite3.Error as error:
                self._rollback()
                raise StoreError(f"could not {self.what}: {_reason(error)}") from error
        self._rollback()
        if isinstance(exc, sqlite3.Error):
            raise StoreError(f"could not {self.what}: {_reason(exc)}") from exc

    def _rollback(self) -> None:
        try:
            self.db.execute("ROLLBACK")
        except sqlite3.Error:
            pass  # already rolled back by SQLite (e.g. SQLITE_FULL)


_COLUMNS = "id, label, source, input, strokes, predicted, confidence, model, created"


def _connect(path: Path) -> sqlite3.Connection:
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE in _Transaction).
    db = sqlite3.connect(str(path), timeout=5.0, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: crash-safe, one fsync per checkpoint
        db.execute("PRAGMA foreign_keys=ON")
        check = db.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(f"database disk image is malformed ({check})")
        _migrate(db)
    except BaseException:
        db.close()
        raise
    return db


def _migrate(db: sqlite3.Connection) -> None:
    version = int(db.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the samples database was written by a newer DigitPad (schema {version}, this one knows {SCHEMA_VERSION})"
        )
    if version == SCHEMA_VERSION:
        return
    if version == 0 and db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]:
        raise sqlite3.DatabaseError("not a DigitPad samples database (unknown tables, no schema version)")
    db.execute("BEGIN IMMEDIATE")
    try:
        for step in range(version, SCHEMA_VERSION):
            for statement in MIGRATIONS[step].split(";"):
                if statement.strip():
                    db.execute(statement)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _is_damage(exc: sqlite3.DatabaseError) -> bool:
    if isinstance(exc, sqlite3.OperationalError):
        text = str(exc).lower()
        return "malformed" in text or "not a database" in text
    return True  # DatabaseError proper: "file is not a database", "malformed", unknown tables


def _move_aside(path: Path) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    aside = path.with_name(f"{path.name}.damaged-{stamp}")
    n = 1
    while aside.exists():
        n += 1
        aside = path.with_name(f"{path.name}.damaged-{stamp}-{n}")
    try:
        os.replace(path, aside)
        for suffix in ("-wal", "-shm"):
            side = path.with_name(path.name + suffix)
            if side.exists():
                os.replace(side, aside.with_name(aside.name + suffix))
    except OSError as exc:
        raise StoreError(f"the samples database {path} is damaged and could not be moved aside: {exc}") from exc
    return aside


def _check_label(label: int) -> None:
    if not isinstance(label, (int, np.integer)) or not 0 <= int(label) <= 9:
        raise StoreError(f"a sample's label must be a digit 0-9, not {label!r}")


def _row_values(
    *,
    label: int,
    image: np.ndarray,
    source: str = "pad",
    strokes: Sequence[Stroke] | None = None,
    predicted: int | None = None,
    confidence: float | None = None,
    model: str | None = None,
    created: str | None = None,
) -> tuple[Any, ...]:
    _check_label(label)
    if source not in SOURCES:
        raise StoreError(f"a sample's source must be one of {', '.join(SOURCES)}, not {source!r}")
    pixels = np.asarray(image)
    if pixels.shape != IMAGE_SHAPE or pixels.dtype != np.uint8:
        raise StoreError(f"a sample's image must be uint8 {IMAGE_SHAPE}, not {pixels.dtype} {pixels.shape}")
    when = created or datetime.now(timezone.utc).isoformat(timespec="seconds")
    return (
        int(label),
        source,
        strokes_to_json(strokes),
        np.ascontiguousarray(pixels).tobytes(),
        when,
        None if predicted is None else int(predicted),
        None if confidence is None else float(confidence),
        model,
    )


def _sample(row: Sequence[Any]) -> Sample:
    sid, label, source, blob, strokes, predicted, confidence, model, created = row
    image = np.frombuffer(blob, np.uint8).reshape(IMAGE_SHAPE).copy()
    return Sample(
        int(sid),
        int(label),
        str(source),
        image,
        strokes_from_json(strokes),
        None if predicted is None else int(predicted),
        None if confidence is None else float(confidence),
        model,
        str(created),
    )


def _reason(exc: sqlite3.Error) -> str:
    text = str(exc)
    if "full" in text.lower():
        return "the disk is full (nothing was written)"
    if "locked" in text.lower() or "busy" in text.lower():
        return "the samples database is busy in another DigitPad (try again)"
    return text
