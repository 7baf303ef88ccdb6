"""Where an export's CPU goes: each part alone, one thread, its thread CPU time (time.thread_time), on a database
given (use a copy: nothing is written to it except a backup beside it, removed afterwards).

    python bench/export_parts.py COPY.db [--personal]

Parts: each file's chunks made by SQLite as the export makes them (its SQL, its Python for the chunk), the
indicators, PRAGMA quick_check, the backup (SQLite's backup API into a new file), SHA-256 of the bytes written;
beside them the shell's share (sqlite3 -csv -header of the same table, whole process CPU), so that each file's ratio
can be read. Medians of 3.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from station_tui.services.export import category_names
from station_tui.services.export.files import rows_chunk
from station_tui.services.export.tables import (
    chunk_bounds,
    chunk_sql,
    events_table,
    fill_holes,
    full_columns,
    numeric_flags,
    register_functions,
    tables,
)
from station_tui.services.indicators import COLUMNS as INDICATOR_COLUMNS
from station_tui.services.indicators import indicator_rows
from station_tui.services.station import Station
from station_tui.store import Store
from station_tui.store.backup import backup_to, sound
from station_tui.store.database import connect

RUNS = 3


def _timed(fn) -> tuple[float, object]:  # noqa: ANN001
    began = time.thread_time()
    out = fn()
    return time.thread_time() - began, out


def _median(fn) -> tuple[float, object]:  # noqa: ANN001
    results = [_timed(fn) for _ in range(RUNS)]
    return statistics.median(r[0] for r in results), results[-1][1]


def _shell_cpu(db: Path, sql: str) -> float:
    shell = shutil.which("sqlite3")
    if not shell or not hasattr(os, "wait4"):
        return float("nan")
    times = []
    for _ in range(RUNS):
        process = subprocess.Popen([shell, "-csv", "-header", str(db), sql], stdout=subprocess.DEVNULL)
        _, _, usage = os.wait4(process.pid, 0)
        times.append(usage.ru_utime + usage.ru_stime)
    return statistics.median(times)


def main(db: Path, include_personal: bool) -> None:
    store = Store(db)
    station = Station.open(store)
    names = category_names(station)
    work_calendar = station.calendar
    conn = connect(db)
    register_functions(conn, include_personal)
    conn.execute("BEGIN")
    written = []
    total = 0.0
    for table in [*tables(names), events_table()]:
        columns = full_columns(conn, table)
        where = "t.type != 'export.done'" if table.file == "events.csv" else ""
        sql = chunk_sql(table, columns, include_personal, where)

        def make(sql: str = sql, table=table) -> list[bytes]:  # noqa: ANN001
            out = []
            for lo, hi in chunk_bounds(conn, table):
                lines, count = conn.execute(sql, {"lo": lo, "hi": hi}).fetchone()
                if count:
                    out.append(fill_holes(lines, include_personal))
            return out

        took, chunks = _median(make)
        size = sum(len(c) for c in chunks)
        written += chunks
        name = table.source.split()[0]
        shell = _shell_cpu(db, f"SELECT * FROM {name}")
        total += took
        print(f"{table.file:18} {took:6.2f} s  ({size / 1e6:6.1f} MB)   shell SELECT * FROM {name}: {shell:.2f} s")
    took, _ = _median(
        lambda: rows_chunk(list(indicator_rows(conn, work_calendar, names)), numeric_flags(INDICATOR_COLUMNS))
    )
    total += took
    print(f"{'indicators':18} {took:6.2f} s")
    conn.execute("COMMIT")

    def digest() -> str:
        h = hashlib.sha256()
        for chunk in written:
            h.update(chunk)
        return h.hexdigest()

    took, _ = _median(digest)
    total += took
    print(f"{'sha256':18} {took:6.2f} s")
    took, problems = _median(lambda: sound(conn))
    total += took
    print(f"{'quick_check':18} {took:6.2f} s  {problems or 'ok'}")
    with tempfile.TemporaryDirectory(dir=db.parent) as folder:
        took, _ = _median(lambda: backup_to(conn, Path(folder) / "backup.db"))
    total += took
    print(f"{'backup':18} {took:6.2f} s  ({db.stat().st_size / 1e6:.0f} MB)")
    print(f"{'sum of parts':18} {total:6.2f} s")
    conn.close()
    store.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), "--personal" in sys.argv[2:])
