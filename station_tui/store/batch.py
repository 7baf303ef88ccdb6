"""Adding many events from another device at once (a field checkin): the rows in one executemany, the projection in
batches. The tables end as projecting the events one by one would leave them (Store.receive); tests/test_field_batch.py
holds the two side by side.

Why batches are the same: an application's event writes only that application's rows (and rows a station-wide event
made before it), so applications can be projected side by side as long as each one's events keep their order. The
events of a run of application events are taken in rounds, the first event of every application, then the second,
and so on; in a round each application has one event, so the statements the handlers would run are recorded and run
together, one executemany per statement. An event whose handler reads the tables (装表送电 reads the current stage), or
that the conflict guard turns into a replay of its application, is projected on its own, in its round. A station-wide
event (no application) is projected on its own between the runs, where it came.

Most applications of a run never reach the rounds: store/batch_merge.py follows the guard through each application's
own statements and writes each of its rows once (a pause and its resume: one pause row, one application update). The
rounds take the applications it leaves: those the guard replays, those with an event read from the tables.
"""

from __future__ import annotations

import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from station_tui.store import batch_merge as merge
from station_tui.store import catalogue, conflicts
from station_tui.store.append import insert_events
from station_tui.store.events import Event


def add(conn: sqlite3.Connection, items: list[tuple[Event, Any]]) -> None:
    """Append events new to this log (with their payloads as catalogue.read gives them), in one executemany, and
    project them in log order, in batches."""
    (last,) = conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()
    insert_events(conn, (e for e, _ in items))
    # Each row took the next rowid (max + 1), as Store.receive's inserts one by one would: the i-th is last + 1 + i.
    (now,) = conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()
    if now != last + len(items):
        raise sqlite3.IntegrityError(f"events seq {last} + {len(items)} rows ended at {now}")
    project(conn, [(e, payload, last + 1 + i) for i, (e, payload) in enumerate(items)])


def _one(conn: sqlite3.Connection, event: Event, payload: Any, seq: int) -> None:
    """Projected as Store.receive does: guard and all (a replay reads the application's events up to `seq`)."""
    catalogue.CATALOGUE[event.type].project(conn, replace(event, seq=seq), payload)


def project(conn: sqlite3.Connection, items: Iterable[tuple[Event, Any, int]]) -> None:
    """Project stored events (event, payload, seq), in log order, in batches."""
    run: list[tuple[Event, Any, int]] = []
    for item in items:
        if item[0].application is None:
            _project_run(conn, run)
            run = []
            _one(conn, *item)
        else:
            run.append(item)
    _project_run(conn, run)


def _project_run(conn: sqlite3.Connection, run: list[tuple[Event, Any, int]]) -> None:
    per_app: dict[str, list[tuple[Event, Any, int]]] = defaultdict(list)
    for item in run:
        per_app[item[0].application].append(item)
    # Each application's events whose guard the statements themselves can follow: every row written once.
    merged, rest = merge.merged_statements(conn, per_app)
    _run_together(conn, merged)
    _project_rounds(conn, rest)


def _project_rounds(conn: sqlite3.Connection, per_app: dict[str, list[tuple[Event, Any, int]]]) -> None:
    rounds = max((len(events) for events in per_app.values()), default=0)
    for number in range(rounds):
        _project_round(conn, [events[number] for events in per_app.values() if len(events) > number])


def _project_round(conn: sqlite3.Connection, items: list[tuple[Event, Any, int]]) -> None:
    guarded = [(e, pl) for e, pl, _ in items if e.type not in catalogue.UNGUARDED]
    replays = conflicts.needing_replay(conn, guarded) if guarded else set()
    recorded: list[list[tuple[str, tuple]]] = []
    for event, payload, seq in items:
        if event.type in merge.ONE_BY_ONE or event.uuid in replays:
            _one(conn, event, payload, seq)
            continue
        recorder = merge.Recorder()
        catalogue.handler(event.type)(recorder, event, payload)  # type: ignore[arg-type]
        recorded.append(recorder.statements)
    _run_together(conn, recorded)


def _runs(statements: list[tuple[str, tuple]]) -> list[tuple[str, list[tuple]]]:
    """Consecutive statements of the same text joined: [(sql, [params, …]), …]."""
    runs: list[tuple[str, list[tuple]]] = []
    for sql, params in statements:
        if runs and runs[-1][0] == sql:
            runs[-1][1].append(params)
        else:
            runs.append((sql, [params]))
    return runs


def _run_together(conn: sqlite3.Connection, recorded: list[list[tuple[str, tuple]]]) -> None:
    """Each event's statements were recorded in order; events whose handlers ran the same statements in the same
    order (their shape) run them together: statement by statement, one executemany each, rows in event order."""
    shapes: dict[tuple[str, ...], list[list[list[tuple]]]] = {}
    for statements in recorded:
        runs = _runs(statements)
        shapes.setdefault(tuple(sql for sql, _ in runs), []).append([rows for _, rows in runs])
    for shape, events in shapes.items():
        for position, sql in enumerate(shape):
            conn.executemany(sql, [row for runs in events for row in runs[position]])
