"""The export reads each file in chunks, one SQLite step per chunk, with the payloads only Python can clean left in
place between marker bytes. These tests hold the quick way to the plain one: every file, chunk by chunk, is byte for
byte what a query of one line per row (masking by a Python call per cell) gives; the indicators are what a
straightforward count over the applications and their events gives."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from test_export_masking import payloads

from station_tui.services.export import category_names, run_export
from station_tui.services.export import tables as export_tables
from station_tui.services.export.files import ExportError
from station_tui.services.export.tables import (
    chunk_bounds,
    chunk_sql,
    events_table,
    fill_holes,
    full_columns,
    json_sql,
    register_functions,
    select_sql,
    tables,
)
from station_tui.services.indicators import indicator_rows
from station_tui.services.station import Station
from station_tui.store import Store
from station_tui.store import payloads as ev
from station_tui.store.events import dump_payload
from station_tui.store.masking import clean_payload_slow, export_form


@pytest.fixture
def odd_station(demo_db: Path, clock) -> Station:  # noqa: ANN001
    """The demo station with payloads that need Python: a phone typed into a reason, a quote, a backslash, a PIN."""
    store = Store(demo_db, clock=clock)
    station = Station.open(store)
    application = store.one("SELECT uuid FROM applications WHERE status = 'open' LIMIT 1")
    head = store.one("SELECT uuid FROM operators WHERE role = 'head'")
    store.record(
        ev.ApplicationPaused(pause="p-odd", reason='客户说"改天"，电话 13912345678\\换人', from_state="open@1"),
        application=application,
        operator=head,
    )
    store.record(
        ev.OperatorCreated(
            operator="op-odd", name="赵六", role="clerk", phone="0371-1234567", pin_salt="salt", pin_hash="feed"
        ),
        operator=head,
    )
    yield station
    store.close()


def _plain_lines(conn: sqlite3.Connection, table, columns, include_personal: bool, where: str, params: dict) -> bytes:  # noqa: ANN001
    rows = conn.execute(select_sql(table, columns, include_personal, f"WHERE {where}" if where else ""), params)
    return b"".join(row[0].encode("utf-8") for row in rows)


def _chunked_lines(conn: sqlite3.Connection, table, columns, include_personal: bool, where: str, params: dict) -> bytes:  # noqa: ANN001
    sql = chunk_sql(table, columns, include_personal, where)
    out = []
    for lo, hi in chunk_bounds(conn, table):
        lines, count = conn.execute(sql, {**params, "lo": lo, "hi": hi}).fetchone()
        if count:
            filled = fill_holes(lines, include_personal)
            assert filled is not None
            out.append(filled)
    return b"".join(out)


@pytest.mark.parametrize("include_personal", [False, True])
def test_every_file_in_chunks_is_what_one_line_per_row_gives(
    odd_station: Station, include_personal: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(export_tables, "CHUNK_ROWIDS", 7)  # many chunks, some of them empty
    conn = sqlite3.connect(odd_station.store.path)
    register_functions(conn, include_personal)
    events_where = "t.seq > :mark AND t.type != 'export.done'"
    for table in [*tables(category_names(odd_station)), events_table()]:
        columns = full_columns(conn, table)
        where, params = (events_where, {"mark": 3}) if table.file == "events.csv" else ("", {})
        chunked = _chunked_lines(conn, table, columns, include_personal, where, params)
        assert chunked == _plain_lines(conn, table, columns, include_personal, where, params), table.file
        assert chunked or table.file == "notices.csv", table.file  # the demo issues no notices
    conn.close()


def test_the_odd_payloads_come_out_cleaned(odd_station: Station, tmp_path: Path) -> None:
    result = run_export(odd_station, outbox=tmp_path, full=True)
    text = (result.folder / "events.csv").read_text(encoding="utf-8-sig")
    assert "139****5678" in text and "13912345678" not in text
    assert "0371-1234567" not in text
    assert "pin_hash" not in text and "改天" in text


@given(payloads)
@settings(max_examples=300, deadline=None)
def test_the_payload_cell_is_the_definition(payload: dict) -> None:
    """Without personal data: the export form kept with the row; with it: the SQL sends every payload with a secret
    to Python. Either way the cell is what the parse-mask-dump definition gives."""
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE events (payload TEXT, export_at INTEGER, export_text TEXT)")
    text = dump_payload(payload)
    conn.execute("INSERT INTO events VALUES (?, ?, ?)", (text, *(export_form(text) or (None, None))))
    (column,) = [c for c in events_table().columns if c.kind == "json"]
    for include_personal in (False, True):
        register_functions(conn, include_personal)
        (cell,) = conn.execute(f"SELECT {json_sql(column, include_personal)} FROM events t").fetchone()
        cell = cell.decode() if isinstance(cell, bytes) else cell
        assert cell == clean_payload_slow(text, include_personal=include_personal)


def insert_text_not_utf8(store: Store) -> None:
    """A notice whose content is not UTF-8 (bytes written past the program, as a damaged file might hold)."""
    store.conn.execute(
        "INSERT INTO notices (uuid, device, application, serial, kind, content, issued_at, operator, reprints)"
        " VALUES ('n1', 'd', 'a', 'S1', 'k', CAST(x'41ff42' AS TEXT), '2026-11-23', 'o', 0)"
    )
    store.conn.commit()


def test_text_that_is_not_utf8_stops_the_export_with_a_message(station: Station, tmp_path: Path) -> None:
    insert_text_not_utf8(station.store)
    with pytest.raises(ExportError, match="notices.csv.*UTF-8"):
        run_export(station, outbox=tmp_path, full=True)
    assert not list(tmp_path.rglob("manifest.json"))


def _reference_indicators(store: Store, work_calendar, names: dict) -> list[tuple]:  # noqa: ANN001
    """The definitions in services/indicators.py, counted one application at a time."""
    groups: dict[tuple[str, str], dict] = {}

    def group(month: str, category: str) -> dict:
        return groups.setdefault((month, category), {"acc": [], "con": [], "ter": 0})

    for app in store.rows("SELECT * FROM applications WHERE intake_mode != 'refused'"):
        category = f"{app['profile']}/{app['category']}"
        docs = store.one("SELECT count(*) FROM documents WHERE application = ?", (app["uuid"],))
        stages = store.one("SELECT count(*) FROM stages WHERE application = ?", (app["uuid"],))
        group(app["accepted_date"][:7], category)["acc"].append((app["intake_mode"], docs, stages))
        outcomes = store.rows(
            "SELECT type, recorded_at FROM events WHERE application = ? AND (type IN"
            " ('application.connected', 'application.terminated') OR (type = 'termination.reviewed'"
            " AND json_extract(payload, '$.outcome') = 'reopened')) ORDER BY seq",
            (app["uuid"],),
        )
        # A 站长's review that reopened the application undoes its termination (the demo reopens one).
        if not outcomes or outcomes[-1]["type"] == "termination.reviewed":
            continue
        last = outcomes[-1]
        g = group(last["recorded_at"][:7], category)
        if last["type"] == "application.terminated":
            g["ter"] += 1
            continue
        paused = store.one("SELECT coalesce(sum(paused_workdays), 0) FROM pauses WHERE application = ?", (app["uuid"],))
        finished = date.fromisoformat(last["recorded_at"][:10])
        used = max(work_calendar.workdays_between(date.fromisoformat(app["accepted_date"]), finished) - paused, 0)
        g["con"].append((used, finished.isoformat() <= app["due_date"]))
    rows = []
    for (month, category), g in sorted(groups.items()):
        acc, con = g["acc"], g["con"]
        n, c = len(acc), len(con)
        rows.append(
            (
                month,
                category.split("/", 1)[1],
                names.get(category, ""),
                n,
                round(sum(m == "complete" for m, _, _ in acc) / n, 4) if n else None,
                round(sum(m == "deferred" for m, _, _ in acc) / n, 4) if n else None,
                round(sum(d for _, d, _ in acc) / n, 2) if n else None,
                round(sum(s for _, _, s in acc) / n, 2) if n else None,
                c,
                round(sum(u for u, _ in con) / c, 2) if c else None,
                max(u for u, _ in con) if c else None,
                round(sum(o for _, o in con) / c, 4) if c else None,
                g["ter"],
            )
        )
    return rows


def test_indicators_are_the_plain_count(demo_db: Path, clock) -> None:  # noqa: ANN001
    store = Store(demo_db, clock=clock)
    station = Station.open(store)
    names = category_names(station)
    work_calendar = station.calendar
    rows = list(indicator_rows(store.conn, work_calendar, names))
    # The first thirteen columns; the duties' columns are counted by hand in tests/test_indicators.py.
    assert [r[:13] for r in rows] == _reference_indicators(store, work_calendar, names)
    assert sum(r[3] for r in rows) > 0 and sum(r[8] for r in rows) > 0
    store.close()
