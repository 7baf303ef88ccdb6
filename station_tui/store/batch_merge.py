"""A batch's applications projected with each row written once (store/batch.py): an application's events are run
through their handlers into recorded statements, and the updates of a row are folded into one statement, so an
application paused and resumed on a laptop costs one pause row and one update of its application row, not four
statements in two rounds.

Why the tables end the same: the handlers' writes are of two kinds this module understands, `INSERT INTO t (…)
VALUES (…)` of a row with its uuid and `UPDATE t SET c = ?, … WHERE uuid = ?` (projection._insert and _update); a
later update of a row already written sets its columns on that write instead (last value wins, as running both
would leave them). Any other statement is run as it is, in its place, and no update is folded across one that names
the same table (it may read or write the row), nor across an insert into another table (a foreign key may need the
order). The conflict guard is followed from the same statements: an application's state and its documents' status
start as the tables hold them (three queries for the batch) and change as its recorded statements set them. An
application the guard would replay (in conflict, or a transition from a state it is no longer in), whose events
include one that reads the tables (ONE_BY_ONE), or whose state a statement changes in a way not followed here, is left
to the rounds in store/batch.py, whole: its events keep their order there, and applications do not read each other's
rows, so the two paths may run side by side.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from station_tui.store import catalogue, conflicts
from station_tui.store import payloads as p
from station_tui.store.events import Event

# Application events whose handler reads a table or replays: never recorded for a batch.
ONE_BY_ONE = frozenset({"application.connected", "conflict.decided"})
Statement = tuple[str, tuple]
Item = tuple[Event, Any, int]

_INSERT_ROW = re.compile(r"INSERT INTO (\w+) \(([\w, ]+)\) VALUES \((?:\?, )*\?\)")
_UPDATE_ROW = re.compile(r"UPDATE (\w+) SET ((?:\w+ = \?, )*\w+ = \?) WHERE uuid = \?")
_FOLLOWED = ("applications", "documents")  # the tables the guard reads


class Recorder:
    """Stands in for the connection while a handler runs: keeps the statements it would run, in order."""

    def __init__(self) -> None:
        self.statements: list[Statement] = []

    def execute(self, sql: str, params: tuple = ()) -> None:
        self.statements.append((sql, tuple(params)))

    def executemany(self, sql: str, rows: Iterable[tuple]) -> None:
        for params in rows:
            self.execute(sql, params)


@dataclass
class _Row:
    """One row's write: an insert or an update by uuid, with the columns set so far."""

    table: str
    key: str
    insert: bool
    values: dict[str, Any] = field(default_factory=dict)

    def statement(self) -> Statement:
        sql = _sql(self.insert, self.table, tuple(self.values))
        return (sql, tuple(self.values.values())) if self.insert else (sql, (*self.values.values(), self.key))


@lru_cache(maxsize=256)
def _sql(insert: bool, table: str, columns: tuple[str, ...]) -> str:
    if insert:
        return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    return f"UPDATE {table} SET {', '.join(f'{column} = ?' for column in columns)} WHERE uuid = ?"


@lru_cache(maxsize=256)
def _shape(sql: str) -> tuple[bool, str, tuple[str, ...]] | None:
    """(is an insert, table, columns) for a statement of one row by uuid; None for any other statement."""
    found = _INSERT_ROW.fullmatch(sql)
    if found:
        columns = tuple(c.strip() for c in found[2].split(","))
        return (True, found[1], columns) if "uuid" in columns else None
    found = _UPDATE_ROW.fullmatch(sql)
    if found:
        return False, found[1], tuple(c.removesuffix(" = ?") for c in found[2].split(", "))
    return None


@lru_cache(maxsize=256)
def _names(sql: str, table: str) -> bool:
    return re.search(rf"\b{table}\b", sql) is not None


def fold(statements: list[Statement]) -> list[Statement]:
    """The statements with each row's later updates folded into its earlier write, where that is safe."""
    out: list[_Row | Statement] = []
    open_rows: dict[tuple[str, str], _Row] = {}
    for sql, params in statements:
        shape = _shape(sql)
        if shape is None:
            open_rows = {k: row for k, row in open_rows.items() if not _names(sql, row.table)}
            out.append((sql, params))
            continue
        insert, table, columns = shape
        values = dict(zip(columns, params, strict=False))
        key = values["uuid"] if insert else params[-1]
        row = open_rows.get((table, key))
        if row is not None and not insert:
            row.values.update(values)
            continue
        if insert:  # a foreign key may need this row before another table's next write
            open_rows = {k: r for k, r in open_rows.items() if r.table == table}
        row = _Row(table, key, insert, values)
        open_rows[(table, key)] = row
        out.append(row)
    return [item.statement() if isinstance(item, _Row) else item for item in out]


@dataclass
class _Followed:
    """An application's state as its recorded statements leave it, for the guard."""

    application: str
    state: tuple[str, int | None] | None
    documents: dict[str, str]

    def found(self, payload: Any) -> str | None:
        if isinstance(payload, p.DocumentCollected):
            return self.documents.get(payload.document)
        return None if self.state is None else p.application_state(*self.state)

    def follow(self, statements: list[Statement]) -> bool:
        """Take in what the statements set; False when one changes the guard's tables in a way not followed."""
        for sql, params in statements:
            shape = _shape(sql)
            if shape is None:
                if any(_names(sql, table) for table in _FOLLOWED):
                    return False
                continue
            insert, table, columns = shape
            if table not in _FOLLOWED:
                continue
            values = dict(zip(columns, params, strict=False))
            key = values["uuid"] if insert else params[-1]
            if table == "applications":
                if key != self.application:
                    return False
                old = self.state or (None, None)
                self.state = (values.get("status", old[0]), values.get("current_stage", old[1]))
            elif table == "documents" and "status" in values:
                self.documents[key] = values["status"]
        return True


def _recorded(events: list[Item], followed: _Followed, in_conflict: bool) -> list[Statement] | None:
    """The application's statements in order, or None when it must go to the rounds."""
    statements: list[Statement] = []
    for event, payload, _ in events:
        if event.type in ONE_BY_ONE:
            return None
        guarded = event.type not in catalogue.UNGUARDED
        if guarded and conflicts.replay_needed(payload, in_conflict, followed.found(payload)):
            return None
        recorder = Recorder()
        catalogue.handler(event.type)(recorder, event, payload)  # type: ignore[arg-type]
        if not followed.follow(recorder.statements):
            return None
        statements += recorder.statements
    return statements


def merged_statements(
    conn: sqlite3.Connection, per_app: dict[str, list[Item]]
) -> tuple[list[list[Statement]], dict[str, list[Item]]]:
    """Each application's folded statements, and the applications left to the rounds with their events."""
    guarded = [(e, pl) for events in per_app.values() for e, pl, _ in events if e.type not in catalogue.UNGUARDED]
    states, flagged, documents = conflicts.guard_states(conn, guarded) if guarded else ({}, set(), {})
    merged: list[list[Statement]] = []
    rest: dict[str, list[Item]] = {}
    for app, events in per_app.items():
        followed = _Followed(app, states.get(app), documents)
        statements = _recorded(events, followed, app in flagged)
        if statements is None:
            rest[app] = events
        else:
            merged.append(fold(statements))
    return merged, rest
