"""The county's loading process alone, on SQLite: every built station's full export read by `prepare` (what a worker
process does) before the clock starts, then the loading process times its own part of the full load, in process,
as it runs when the workers keep ahead of it. On a machine with enough processors this is the full load's floor; on
this 2-core one it tells whether the loading process or the total CPU sets the pace (bench/county-results.md).
Prints the median of --runs, and with --statements the CPU of each statement of the last run.

    python bench/county_build.py --stations 50 --applications 5000
    python bench/county_loader_bench.py --stations 50 --applications 5000 --runs 3
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.county_bench import finished_stations  # noqa: E402
from bench.county_build import work_folder  # noqa: E402
from bench.settle import settle  # noqa: E402
from station_tui.county import load, target  # noqa: E402
from station_tui.county.prepare import Prepared, prepare  # noqa: E402

SPENT: collections.Counter[str] = collections.Counter()
CONNECT = sqlite3.connect


class TimedConnection(sqlite3.Connection):
    """Each statement's CPU, by its first words (only with --statements)."""

    def execute(self, sql: str, params=()):  # noqa: ANN001, ANN201
        began = time.process_time()
        try:
            return super().execute(sql, params)
        finally:
            SPENT[re.sub(r"\s+", " ", sql)[:90]] += time.process_time() - began


def timed_connect(*args, **kwargs) -> sqlite3.Connection:  # noqa: ANN002, ANN003
    return CONNECT(*args, **kwargs, factory=TimedConnection)


def loader_alone(folders: list[Path], prepared: list[Prepared], db: Path) -> tuple[float, float]:
    settle([p.file for p in prepared])
    began, cpu = time.perf_counter(), time.process_time()
    county = target.SqliteTarget(db)
    try:
        load.ensure_schema(county)
        for folder, ready in zip(folders, prepared, strict=True):
            assert load.load_one(county, folder, ready).status == "loaded", folder
    finally:
        county.close()
    return time.perf_counter() - began, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stations", type=int, default=50)
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--statements", action="store_true", help="each statement's CPU in the last run")
    args = parser.parse_args()
    full, _, built = finished_stations(work_folder(args.stations, args.applications))
    folders = sorted(p for station in sorted(full.iterdir()) for p in station.iterdir() if p.is_dir())
    work = Path(tempfile.mkdtemp(prefix="county-loader-"))
    try:
        prepared = [prepare(folder, work / f"prepared-{i}.db") for i, folder in enumerate(folders)]
        assert all(prepared), "a folder did not pass its checks"
        runs = []
        for run in range(args.runs):
            timed = args.statements and run == args.runs - 1
            target.sqlite3.connect = timed_connect if timed else CONNECT  # type: ignore[attr-defined]
            db = work / f"county-{run}.db"
            runs.append(loader_alone(folders, prepared, db))
            target.sqlite3.connect = CONNECT  # type: ignore[attr-defined]
            for path in work.glob(f"county-{run}.db*"):
                path.unlink()
        wall, cpu = statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs)
        print(f"{built} stations' full exports, prepared: the loading process alone {wall:.2f} s wall, {cpu:.2f} s CPU")
        print("runs:", ", ".join(f"{r[0]:.2f} s" for r in runs))
        for sql, spent in SPENT.most_common(12):
            print(f"{spent:7.3f} s  {sql}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
