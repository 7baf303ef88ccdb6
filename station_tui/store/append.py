"""Appending rows to the event log: the one INSERT every path uses (Store.record and Store.receive, a field checkin's
batch, a recovery), so that each row gets its export form (store/masking.py) as it is written. A test fails if any
other module inserts into `events`."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from station_tui.store.events import Event, dump_payload
from station_tui.store.masking import export_form

_COLUMNS = (
    "uuid, device, device_seq, type, application, payload, recorded_at, operator, simulated, version, needs_program,"
    " export_at, export_text"
)
_INSERT = f"INSERT INTO events ({_COLUMNS}) VALUES ({', '.join('?' * 13)})"
_INSERT_AT = f"INSERT INTO events (seq, {_COLUMNS}) VALUES ({', '.join('?' * 14)})"


def _row(e: Event) -> tuple:
    text = dump_payload(e.payload)
    at, form = export_form(text) or (None, None)
    return (e.uuid, e.device, e.device_seq, e.type, e.application, text, e.recorded_at, e.operator, int(e.simulated),
            e.version, e.needs_program, at, form)  # fmt: skip


def insert_event(conn: sqlite3.Connection, event: Event, seq: int | None = None) -> int:
    """Append one row (at `seq` when given, else the next); its seq."""
    if seq is None:
        return conn.execute(_INSERT, _row(event)).lastrowid  # type: ignore[return-value]
    conn.execute(_INSERT_AT, (seq, *_row(event)))
    return seq


def insert_events(conn: sqlite3.Connection, events: Iterable[Event]) -> None:
    """Append rows in one executemany, each at the next seq."""
    conn.executemany(_INSERT, [_row(e) for e in events])
