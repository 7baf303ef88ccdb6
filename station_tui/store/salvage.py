"""Reading what can be read from a damaged SQLite file, without ever writing it.

The file (and its -wal) is copied to a temporary folder first and only the copy is opened: even a read may write
(WAL recovery, the -shm index), and the damaged file is evidence. A table is read whole when SQLite can; otherwise in
rowid ranges, halving any range that fails until the unreadable rows are single rowids, so every row on a sound page
is read around the damaged ones. This works with Python's sqlite3 alone (the `sqlite3` shell's `.recover` is not on a
station's Windows PC)."""

from __future__ import annotations

import contextlib
import json
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from station_tui.domain.timeutil import from_iso
from station_tui.store.events import EVENT_COLUMNS, Event

_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
# Rows per event at the very least (a row of this table is never smaller): bounds the rowids to probe when even the
# largest rowid cannot be read.
_MIN_EVENT_BYTES = 40
# What reading a damaged file raises: SQLite's errors, and Python's UnicodeDecodeError when an error message SQLite
# gives quotes the noise (a garbled name in the schema) and is not UTF-8.
UNREADABLE = (sqlite3.DatabaseError, UnicodeDecodeError)


@dataclass
class Salvage:
    """What one file gave: its events by UUID, the rowid ranges that could not be read, its meta, and why not all."""

    path: Path
    events: dict[str, Event] = field(default_factory=dict)
    unreadable: list[tuple[int, int]] = field(default_factory=list)
    garbled: list[tuple] = field(default_factory=list)  # rows read (rowid first) but not a valid event: noise
    meta: dict[str, str] = field(default_factory=dict)
    problem: str | None = None
    sound: bool = False  # PRAGMA integrity_check said ok

    @property
    def max_seq(self) -> int:
        return max((e.seq or 0 for e in self.events.values()), default=0)


@contextlib.contextmanager
def readonly_copy(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection to a temporary copy of the file and its -wal: the original is never opened."""
    with tempfile.TemporaryDirectory(prefix="station-tui-recover-") as folder:
        copy = Path(folder) / "copy.db"
        shutil.copyfile(path, copy)
        wal = Path(f"{path}-wal")
        if wal.exists():
            shutil.copyfile(wal, Path(f"{copy}-wal"))
        conn = sqlite3.connect(copy, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()


def read_rows(
    conn: sqlite3.Connection, table: str, columns: str, top: int
) -> tuple[list[tuple], list[tuple[int, int]]]:
    """Every readable row of `table` (rowid first), and the rowid ranges that could not be read.

    A scan of a damaged table can end early without an error (a page that reads as empty), so a whole scan is only a
    first helping: every rowid up to `top` it did not return is then asked for on its own."""
    found: dict[int, tuple] = {}
    with contextlib.suppress(*UNREADABLE):
        for row in conn.execute(f"SELECT rowid, {columns} FROM {table} ORDER BY rowid"):
            found[row[0]] = row
    lost: list[int] = []
    one = f"SELECT rowid, {columns} FROM {table} WHERE rowid = ?"
    for rowid in range(1, top + 1):
        if rowid in found:
            continue
        try:
            row = conn.execute(one, (rowid,)).fetchone()
        except UNREADABLE:
            row = _as_bytes(conn, one, rowid)
            if row is None:
                lost.append(rowid)
                continue
        if row is not None:
            found[rowid] = row
    return [found[rowid] for rowid in sorted(found)], _ranges(lost)


def _as_bytes(conn: sqlite3.Connection, sql: str, rowid: int) -> tuple | None:
    """A row whose text is not UTF-8 (noise inside a cell; Python refuses to decode it), its text cells decoded with
    U+FFFD where a byte is wrong: the row's readable cells (its UUID, its payload) are kept for a person to see.
    None when SQLite cannot read the row at all."""
    conn.text_factory = bytes
    try:
        row = conn.execute(sql, (rowid,)).fetchone()
    except UNREADABLE:
        return None
    finally:
        conn.text_factory = str
    if row is None:
        return None
    return tuple(cell.decode("utf-8", "replace") if isinstance(cell, bytes) else cell for cell in row)


def _ranges(numbers: list[int]) -> list[tuple[int, int]]:
    ranges: list[tuple[int, int]] = []
    for number in sorted(numbers):
        if ranges and ranges[-1][1] + 1 == number:
            ranges[-1] = (ranges[-1][0], number)
        else:
            ranges.append((number, number))
    return ranges


def top_rowid(conn: sqlite3.Connection, table: str, path: Path, hint: int = 0) -> int:
    """The largest rowid to look for: the table's own, else the largest its indexes name (they hold every row's
    rowid on pages of their own), else as many rows as the file could hold."""
    tops = [hint]
    for sql in (f"SELECT max(rowid) FROM {table}", f"SELECT max(rowid) FROM {table} NOT INDEXED"):
        with contextlib.suppress(*UNREADABLE):
            tops.append(conn.execute(sql).fetchone()[0] or 0)
    with contextlib.suppress(*UNREADABLE):
        for (index,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)):
            with contextlib.suppress(*UNREADABLE):
                tops.append(conn.execute(f'SELECT max(rowid) FROM {table} INDEXED BY "{index}"').fetchone()[0] or 0)
    if len(tops) == 1:  # nothing could be read: every rowid the file could hold
        tops.append(path.stat().st_size // _MIN_EVENT_BYTES + 1)
    return max(tops)


def _valid_event(row: tuple, types: set[str]) -> Event | None:
    """An event only when every field is what the store writes: noise inside a page can read as a row."""
    try:
        event = Event.from_row(row[1:])
        from_iso(event.recorded_at)
    except (ValueError, TypeError, json.JSONDecodeError):
        return None
    fine = (
        event.seq == row[0]
        and isinstance(event.uuid, str)
        and _UUID.match(event.uuid)
        and isinstance(event.device, str)
        and _UUID.match(event.device)
        and isinstance(event.device_seq, int)
        and event.device_seq >= 1
        and event.type in types
        and isinstance(event.payload, dict)
        and (event.application is None or isinstance(event.application, str))
        and (event.operator is None or isinstance(event.operator, str))
    )
    return event if fine else None


def salvage(path: Path, *, hint_top: int = 0) -> Salvage:
    """Read every event (and the meta) that can be read from the file at `path`."""
    found = Salvage(path)
    try:
        with readonly_copy(path) as conn:
            conn.execute("SELECT name FROM sqlite_master").fetchall()  # no schema, no table to read
            found.sound = _sound(conn)
            found.meta = _meta(conn)
            top = top_rowid(conn, "events", path, hint_top)
            rows, found.unreadable = read_rows(conn, "events", EVENT_COLUMNS, top)
    except OSError as exc:
        found.problem = f"无法读取文件：{exc.strerror or exc}"
        return found
    except UNREADABLE as exc:
        found.problem = f"找不到可读的事件表（{exc}）"
        return found
    from station_tui.store.catalogue import CATALOGUE

    types = set(CATALOGUE)
    for row in rows:
        event = _valid_event(row, types)
        if event is None:
            found.garbled.append(row)
        else:
            found.events[event.uuid] = event
    return found


def _sound(conn: sqlite3.Connection) -> bool:
    try:
        return [r[0] for r in conn.execute("PRAGMA quick_check")] == ["ok"]
    except UNREADABLE:
        return False


def _meta(conn: sqlite3.Connection) -> dict[str, str]:
    try:
        rows, _lost = read_rows(conn, "meta", "key, value", 100)
    except UNREADABLE:
        return {}
    return {key: value for _rowid, key, value in rows if isinstance(key, str) and isinstance(value, str)}
