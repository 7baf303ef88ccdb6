"""The indicators of one month across the county on SQLite (target: under 1 s for 50 stations), beside one plain
GROUP BY of the same month's applications, in the same run (median of --runs, in process).

Building 50 real demo stations takes most of an hour on a small machine; this bench can instead load the stations
bench/county_build.py built (say 5) and copy them under new station codes until there are --as-stations of them
(every table, events included: each copy is a whole station to the queries). The copies' dates are the originals',
so a cache keyed on (accepted, connected) days would find more pairs it has seen than across 50 distinct stations:
the indicators here use no such cache (a precomputed working-day index), so copies cost what stations cost.

    python bench/county_build.py --stations 5 --applications 5000
    python bench/county_indicators_bench.py --stations 5 --applications 5000 --as-stations 50
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.county_bench import finished_stations, month_anchor, month_ours  # noqa: E402
from bench.county_build import work_folder  # noqa: E402

# Every table the county keeps per station (its own and the stations' rows).
PER_STATION = (
    "events",
    "applications",
    "documents",
    "stages",
    "notices",
    "outcomes",
    "pauses",
    "loads",
    "application_facts",
)


def loaded_once(root: Path) -> Path:
    """The built stations' full exports loaded into one county file (kept for the next run)."""
    db = root / "county-loaded.db"
    if not db.exists():
        full, _, _ = finished_stations(root)
        partial = db.with_suffix(".partial")
        partial.unlink(missing_ok=True)
        subprocess.run(
            [sys.executable, "-m", "station_tui", "county", "load", str(full), "--into", str(partial)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        partial.rename(db)
    return db


def copied(db: Path, stations: int) -> Path:
    """A copy of the county file with the stations repeated under new codes until there are `stations`."""
    out = db.with_name(f"county-as-{stations}.db")
    if out.exists():
        return out
    work = out.with_suffix(".partial")
    shutil.copy(db, work)
    conn = sqlite3.connect(work, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")  # one file, renamed whole below
        conn.execute("BEGIN")
        codes = [c for (c,) in conn.execute("SELECT code FROM stations ORDER BY code")]
        for n in range(len(codes), stations):
            source, code = codes[n % len(codes)], f"X{n + 1:02d}"
            for table in PER_STATION:
                columns = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] != "station"]
                names = ", ".join(columns)
                conn.execute(
                    f"INSERT INTO {table} (station, {names}) SELECT ?, {names} FROM {table} WHERE station = ?",
                    (code, source),
                )
            conn.execute(
                "INSERT INTO stations SELECT ?, name || '（复制）', snapshot_export, snapshot_written_at,"
                " last_export_at, last_event_at, last_folder FROM stations WHERE code = ?",
                (code, source),
            )
        conn.execute("COMMIT")
    finally:
        conn.close()
    work.rename(out)
    return out


def month_stages(db: Path, month: str) -> float:
    """The month's category rows and the per-stage rows, as `county indicators --stages` reads them."""
    from station_tui.county.indicators import Range, count_range
    from station_tui.county.target import open_target

    target = open_target(db)
    try:
        began = time.perf_counter()
        count_range(target, Range.month(month), with_stages=True)
        return time.perf_counter() - began
    finally:
        target.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=5, help="stations bench/county_build.py built")
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--as-stations", type=int, default=50)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    root = work_folder(args.stations, args.applications)
    db = copied(loaded_once(root), args.as_stations)
    with sqlite3.connect(db) as conn:
        month = conn.execute(
            "SELECT substr(accepted_date, 1, 7) FROM applications GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
        ).fetchone()[0]
        apps = conn.execute("SELECT count(*) FROM applications").fetchone()[0]
        stations = conn.execute("SELECT count(*) FROM stations").fetchone()[0]
    month_stages(db, month)  # the first run reads the file into the page cache; the figure is the warm one
    ours = [month_ours(db, month).wall for _ in range(args.runs)]
    plain = [month_anchor(db, month).wall for _ in range(args.runs)]
    staged = [month_stages(db, month) for _ in range(args.runs)]
    mine, anchor, stages = statistics.median(ours), statistics.median(plain), statistics.median(staged)
    for name, runs in (("ours", ours), ("anchor", plain), ("--stages", staged)):
        print(f"{name}: " + ", ".join(f"{t:.3f}" for t in runs))
    print(
        f"Indicators bench, {date.today()}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores: "
        f"{stations} stations ({args.stations} built by bench/county_build.py --applications {args.applications},"
        f" copied to {args.as_stations}), {apps:,} applications, median of {args.runs}\n"
        f"| indicators of {month}, all stations | {mine:.2f} s | one GROUP BY of the month | {anchor:.2f} s |"
        f" {mine / anchor:.2f}x | < 1 s |\n"
        f"| the same with the working days of each stage (county indicators --stages) | {stages:.2f} s |"
        f" one GROUP BY of the month | {anchor:.2f} s | {stages / anchor:.2f}x | — |"
    )


if __name__ == "__main__":
    main()
