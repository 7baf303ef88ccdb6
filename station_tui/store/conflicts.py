"""Transitions made on two devices from the same state, neither knowing of the other (a laptop out in the field and
the station, or two laptops): both events are kept and the application is flagged in `conflicts` for the 站长.

The flag is a projection like any other, so `check`'s replay agrees. Once an application is in conflict, each of its
events re-projects the whole application from its events in one canonical order (acceptance first, then by recorded
time and UUID), so the state a station reaches does not depend on the order the bundles came back in.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from typing import Any

from station_tui.store import payloads as p
from station_tui.store.events import EVENT_COLUMNS, Event

Handler = Callable[[sqlite3.Connection, Event, Any], None]

# The application's rows, children first (foreign keys); `applications` itself last. Not its leases: they say where
# the application is out, not what state it is in, and a checkin ends them in one event of no application.
_APPLICATION_ROWS = (
    "inspection_defects", "inspections", "archive_filed", "notices", "pauses", "stages", "documents",
    "conflicts", "supporting_works", "termination_reviews", "followup_calls",
)  # fmt: skip
LEASE_TYPES = ("field.leased", "field.returned")  # projected as they come, never replayed
APPLICATION_TABLES = ("applications", *_APPLICATION_ROWS)  # what re-projecting an application writes


def current_state(conn: sqlite3.Connection, event: Event, payload: Any) -> str | None:
    """The state the projection holds for what the transition moves: a document's status, else the application's."""
    if isinstance(payload, p.DocumentCollected):
        row = conn.execute("SELECT status FROM documents WHERE uuid = ?", (payload.document,)).fetchone()
        return row[0] if row else None
    row = conn.execute("SELECT status, current_stage FROM applications WHERE uuid = ?", (event.application,)).fetchone()
    return p.application_state(*row) if row else None


def _stale(conn: sqlite3.Connection, event: Event, payload: Any) -> str | None:
    """The state found, when a transition started from a state its object is no longer in; else None."""
    start = getattr(payload, "from_state", None)
    if start is None or start == p.UNKNOWN:
        return None
    found = current_state(conn, event, payload)
    return found if found is not None and found != start else None


def _in_conflict(conn: sqlite3.Connection, application: str) -> bool:
    return conn.execute("SELECT 1 FROM conflicts WHERE application = ? LIMIT 1", (application,)).fetchone() is not None


def _canonical(event: Event) -> tuple:
    return (event.type != "application.accepted", event.recorded_at, event.uuid)


def replay_application(conn: sqlite3.Connection, event: Event, handlers: dict[str, Handler], read: Callable) -> None:
    """Re-project `event`'s application from its events up to `event` (by local order), in the canonical order."""
    application = event.application
    rows = conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE application = ? AND seq <= ?", (application, event.seq)
    ).fetchall()
    events = sorted((e for e in map(Event.from_row, rows) if e.type not in LEASE_TYPES), key=_canonical)
    payloads = [(e, read(e)) for e in events]
    # What the 站长 set aside (conflict.decided) is kept in the log but no longer projected.
    aside = {uuid for e, payload in payloads if isinstance(payload, p.ConflictDecided) for uuid in payload.set_aside}
    payloads = [(e, payload) for e, payload in payloads if e.uuid not in aside]
    for table in _APPLICATION_ROWS:
        conn.execute(f"DELETE FROM {table} WHERE application = ?", (application,))
    conn.execute("DELETE FROM applications WHERE uuid = ?", (application,))
    for each, payload in payloads:
        found = _stale(conn, each, payload)
        if found is not None:
            _flag(conn, each, payload, found, payloads)
        handlers[each.type](conn, each, payload)


def _flag(conn: sqlite3.Connection, event: Event, payload: Any, found: str, payloads: list[tuple[Event, Any]]) -> None:
    start = payload.from_state
    others = sorted(
        e.uuid for e, other in payloads if e.uuid != event.uuid and getattr(other, "from_state", None) == start
    )
    conn.execute(
        "INSERT INTO conflicts (event, application, device, type, from_state, found_state, others)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (event.uuid, event.application, event.device, event.type, start, found, json.dumps(others)),
    )


def guarded(handler: Handler, handlers: dict[str, Handler], read: Callable) -> Handler:
    """`handler`, unless the event is a stale transition or its application is already in conflict: then the whole
    application is re-projected canonically (which flags the conflict)."""

    def project(conn: sqlite3.Connection, event: Event, payload: Any) -> None:
        if event.application is not None and _needs_replay(conn, event, payload):
            replay_application(conn, event, handlers, read)
        else:
            handler(conn, event, payload)

    return project


def deciding(handlers: dict[str, Handler], read: Callable) -> Handler:
    """The projection of the 站长's decision: the application re-projected without the lines set aside."""

    def project(conn: sqlite3.Connection, event: Event, payload: Any) -> None:
        replay_application(conn, event, handlers, read)

    return project


def replay_needed(payload: Any, in_conflict: bool, found: str | None) -> bool:
    """The guard's rule: the application is in conflict, or the transition started from a state other than the one
    `found` for what it moves (a document's status for a collection, else the application's; None: no such row)."""
    if in_conflict:
        return True
    start = getattr(payload, "from_state", None)
    if start is None or start == p.UNKNOWN:
        return False
    return found is not None and found != start


def _needs_replay(conn: sqlite3.Connection, event: Event, payload: Any) -> bool:
    start = getattr(payload, "from_state", None)
    if start is None or start == p.UNKNOWN or isinstance(payload, p.DocumentCollected):
        return _in_conflict(conn, event.application) or _stale(conn, event, payload) is not None
    # An application transition, the common case: its state and its conflict flag in one query.
    row = conn.execute(
        "SELECT status, current_stage, EXISTS (SELECT 1 FROM conflicts WHERE application = ?1)"
        " FROM applications WHERE uuid = ?1",
        (event.application,),
    ).fetchone()
    if row is None:
        return _in_conflict(conn, event.application)
    return replay_needed(payload, bool(row[2]), p.application_state(row[0], row[1]))


def guard_states(
    conn: sqlite3.Connection, items: list[tuple[Event, Any]]
) -> tuple[dict[str, tuple[str, int | None]], set[str], dict[str, str]]:
    """What the guard reads for these events, in three queries: each application's (status, current stage), the
    applications in conflict, and the status of each document a collection moves."""
    apps = json.dumps(sorted({event.application for event, _ in items}))
    docs = json.dumps(sorted({pl.document for _, pl in items if isinstance(pl, p.DocumentCollected)}))
    states = {
        uuid: (status, stage)
        for uuid, status, stage in conn.execute(
            "SELECT uuid, status, current_stage FROM applications WHERE uuid IN (SELECT value FROM json_each(?))",
            (apps,),
        )
    }
    flagged = {a for (a,) in conn.execute(
        "SELECT DISTINCT application FROM conflicts WHERE application IN (SELECT value FROM json_each(?))", (apps,)
    )}  # fmt: skip
    documents = dict(
        conn.execute("SELECT uuid, status FROM documents WHERE uuid IN (SELECT value FROM json_each(?))", (docs,))
    )
    return states, flagged, documents


def needing_replay(conn: sqlite3.Connection, items: list[tuple[Event, Any]]) -> set[str]:
    """The UUIDs of the events, at most one per application, whose projection the guard would turn into a replay:
    the same rule as `guarded`, with the states read in three queries for all of them."""
    states, flagged, documents = guard_states(conn, items)
    return {
        event.uuid
        for event, payload in items
        if replay_needed(
            payload,
            event.application in flagged,
            documents.get(payload.document)
            if isinstance(payload, p.DocumentCollected)
            else _state(states.get(event.application)),
        )
    }


def _state(row: tuple[str, int | None] | None) -> str | None:
    return None if row is None else p.application_state(*row)
