"""The countdown's refresh for 5,000 open applications against one plain SQL query reading the same rows.

The demo database has as many open applications as its history leaves (tens of thousands in the 200,000 one), so the
figure runs on a copy made for it: every finished application of the demo (so that the query skips them as it would at a
station), and the first 5,000 open or paused ones by acceptance time, with their stages, pauses, operators and settings.
The events are not copied: the countdown reads only the projection.

Refresh = `services.countdown.countdown(station)`: the query, working days left for each row from the calendar's index,
levels, sorting; the calendar is already built, as it is in the running app. Anchor = `conn.execute(ROWS_SQL).fetchall()`,
the same statement. Medians of several runs, interleaved.

    python bench/countdown_bench.py DEMO.db
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from station_tui.services.countdown import ROWS_SQL, countdown  # noqa: E402
from station_tui.services.station import Station  # noqa: E402
from station_tui.store import Store  # noqa: E402

OPEN = 5_000
TARGET = 5.0
COPIED = ("settings", "operators", "holiday_days", "holiday_years")


def _columns(conn, schema: str, table: str) -> str:  # noqa: ANN001
    return ", ".join(row[1] for row in conn.execute(f"PRAGMA {schema}.table_info({table})"))


def build(source: Path, target: Path, open_count: int = OPEN) -> int:
    """The copy described above; returns how many open or paused applications it holds."""
    store = Store(target)
    conn = store.conn
    conn.execute("ATTACH DATABASE ? AS src", (str(source),))
    try:
        with store.transaction():
            conn.execute(
                "CREATE TEMP TABLE kept AS SELECT uuid FROM src.applications WHERE status NOT IN ('open', 'paused')"
                " UNION ALL SELECT uuid FROM (SELECT uuid FROM src.applications"
                " WHERE status IN ('open', 'paused') ORDER BY accepted_at LIMIT ?)",
                (open_count,),
            )
            for table in COPIED:
                columns = _columns(conn, "src", table)
                conn.execute(f"INSERT OR REPLACE INTO main.{table} ({columns}) SELECT {columns} FROM src.{table}")
            columns = _columns(conn, "src", "applications")
            conn.execute(
                f"INSERT INTO main.applications ({columns}) SELECT {columns} FROM src.applications"
                " WHERE uuid IN (SELECT uuid FROM kept)"
            )
            for table in ("stages", "pauses"):
                columns = _columns(conn, "src", table)
                conn.execute(
                    f"INSERT INTO main.{table} ({columns}) SELECT {columns} FROM src.{table}"
                    " WHERE application IN (SELECT uuid FROM kept)"
                )
    finally:
        conn.execute("DETACH DATABASE src")
    conn.execute("ANALYZE")
    count = store.one("SELECT count(*) FROM applications WHERE status IN ('open', 'paused')")
    store.close()
    return count


def measure(db: Path, runs: int) -> dict:
    store = Store(db)
    station = Station.open(store)
    conn = store.conn
    rows = countdown(station).rows  # warm: the calendar index and SQLite's page cache, as in the running app
    plain = conn.execute(ROWS_SQL).fetchall()
    assert len(rows) == len(plain), (len(rows), len(plain))
    refresh_times, query_times = [], []
    for _ in range(runs):
        began = time.perf_counter()
        conn.execute(ROWS_SQL).fetchall()
        query_times.append(time.perf_counter() - began)
        began = time.perf_counter()
        countdown(station)
        refresh_times.append(time.perf_counter() - began)
    store.close()
    refresh, query = statistics.median(refresh_times), statistics.median(query_times)
    return {"rows": len(rows), "refresh": refresh, "query": query, "ratio": refresh / query}


def figures(db: Path, quick: bool) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "countdown.db"
        began = time.perf_counter()
        count = build(db, copy)
        built = time.perf_counter() - began
        m = measure(copy, runs=5 if quick else 21)
    note = "" if count == OPEN else f" (the demo has only {count} open)"
    return [
        f"countdown refresh, {m['rows']} open applications{note}: {m['refresh'] * 1000:.1f} ms,"
        f" plain SQL of the same rows {m['query'] * 1000:.1f} ms, ratio {m['ratio']:.2f}x (target <= {TARGET:.0f}x)"
        f" [copy of {db.name} built in {built:.1f} s]"
    ]


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__)
        return 2
    for line in figures(Path(argv[1]), quick=False):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
