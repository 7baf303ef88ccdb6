"""The county office's figures, each beside its anchor in the same run (median of --runs, whole processes):

* loading every station's full export into a new SQLite file (`station-tui county load … --into county.db`) against
  the sqlite3 shell's `.import` of the same events.csv rows into a bare table: target at most 2x;
* the same into PostgreSQL against `COPY` of the same rows into a bare unlogged table: target at most 2x; once on one
  connection, once with --jobs 2 (two stations at a time on two connections);
* the nightly load of one folder per station (one day each) into the loaded database: target under 10 s;
* loading everything again: no new rows, and faster than the first load;
* the indicators of one month across all stations on SQLite (in process): target under 1 s, beside one plain
  GROUP BY of the same month's applications.

The stations come from bench/county_build.py (real demo databases and their real exports: a full export each, then
one more day and that night's incremental export, whose snapshot is partial). PostgreSQL is the server in
$STATION_TUI_TEST_PG (as .ci/run starts it); without it those lines say so.

Each figure is wall time and, for the SQLite lines, the CPU time (user + system) of the measured process as well: on a
shared machine the wall time of both sides swings with the other work, their CPU time much less. The anchor imports
every column of events.csv (12), as we load them. A full load and its anchor are measured in turn, run after run.
PostgreSQL's work is in its server, not in our process: wall only.

    python bench/county_bench.py --stations 50 --applications 21500 --runs 1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.county_build import work_folder  # noqa: E402
from bench.settle import settle  # noqa: E402
from station_tui.county.contract import SNAPSHOT_FILES  # noqa: E402

HERE = Path(__file__).resolve().parent
EVENT_COLUMNS = (
    "seq, uuid, device, device_seq, type, type_name, application, payload, recorded_at, operator, simulated, version"
)


@dataclass(frozen=True)
class Took:
    wall: float
    cpu: float  # user + system of the child process (0 where the platform does not say)


def _children_cpu() -> float:
    try:
        import resource
    except ImportError:  # Windows: no getrusage
        return 0.0
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def timed(args: list[str], stdin: str | None = None) -> Took:
    cpu = _children_cpu()
    began = time.perf_counter()
    done = subprocess.run(args, input=stdin, text=True, capture_output=True)
    elapsed = time.perf_counter() - began
    if done.returncode not in (0,):
        raise RuntimeError(f"{args[:4]} failed ({done.returncode}): {done.stderr[-2000:]}")
    if done.stderr.strip():  # the anchor's shell complains of nothing when the columns match
        raise RuntimeError(f"{args[:4]} said: {done.stderr[:500]}")
    return Took(elapsed, _children_cpu() - cpu)


def county(*args: str) -> list[str]:
    return [sys.executable, "-m", "station_tui", "county", *args]


def finished_stations(root: Path) -> tuple[Path, Path, int]:
    """Folders of links to the stations the build has finished (it may still be running for the others)."""
    done = sorted(p.stem for p in (root / "stations").glob("S*.done"))
    views = []
    for part in ("full", "night"):
        view = root / f"bench-{part}"
        shutil.rmtree(view, ignore_errors=True)
        view.mkdir()
        for code in done:
            shutil.copytree(root / part / code, view / code, copy_function=os.link)  # hard links: no copying
        views.append(view)
    return views[0], views[1], len(done)


def events_files(root: Path) -> list[Path]:
    return sorted(root.glob("S*/*/events.csv"))


def median(runs: int, measure: Callable[[], Took]) -> Took:
    return medians(runs, measure)[0]


def medians(runs: int, *measures: Callable[[], Took]) -> list[Took]:
    """Each measure's median, the measures taken in turn (anchor, ours, anchor, ours...): on a shared machine a
    busy minute then falls on both sides."""
    taken: list[list[Took]] = [[] for _ in measures]
    for _ in range(runs):
        for measure, times in zip(measures, taken, strict=True):
            times.append(measure())
    return [Took(statistics.median(t.wall for t in times), statistics.median(t.cpu for t in times)) for times in taken]


# --- SQLite ---------------------------------------------------------------------------------------------------------


def folder_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file())


def sqlite_import(files: list[Path], work: Path) -> Took:
    settle(files)
    db = work / f"anchor-{uuid.uuid4().hex}.db"
    script = [f"CREATE TABLE events ({EVENT_COLUMNS});"]
    script += [f".import --csv --skip 1 '{f}' events" for f in files]
    elapsed = timed(["sqlite3", str(db)], "\n".join(script) + "\n")
    db.unlink()
    return elapsed


def sqlite_load(folder: Path, db: Path) -> Took:
    settle([*folder_files(folder), db, Path(f"{db}-wal")])
    return timed(county("load", str(folder), "--into", str(db)))


def count_rows(db: Path) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT count(*) FROM events").fetchone()[0]


def month_anchor(db: Path, month: str) -> Took:
    with sqlite3.connect(db) as conn:
        began = time.perf_counter()
        # The month's applications counted per station and category from the facts the county keeps, through
        # their index, as the indicators' first query reads them (the applications' own index on the day of
        # acceptance, which this anchor read until 2026-12-01 20:00, is gone: it served nothing else).
        conn.execute(
            "SELECT station, category, count(*), sum(complete) FROM application_facts"
            " WHERE station IN (SELECT code FROM stations) AND accepted_date >= ? AND accepted_date <= ?"
            " GROUP BY station, category",
            (f"{month}-01", f"{month}-31"),
        ).fetchall()
        return Took(time.perf_counter() - began, 0.0)


def month_ours(db: Path, month: str) -> Took:
    from station_tui.county.indicators import Range, indicators
    from station_tui.county.target import open_target

    target = open_target(db)
    try:
        began = time.perf_counter()
        indicators(target, Range.month(month))
        return Took(time.perf_counter() - began, 0.0)
    finally:
        target.close()


# --- PostgreSQL -----------------------------------------------------------------------------------------------------


def fresh_database(url: str) -> str:
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + "/" + name


def drop_database(url: str) -> None:
    import psycopg

    admin_url, name = url.rsplit("/", 1)
    with psycopg.connect(admin_url + "/postgres", autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


COPY_SCRIPT = """
import sys, psycopg
with psycopg.connect(sys.argv[1], autocommit=True) as conn:
    conn.execute("CREATE UNLOGGED TABLE events ({columns})".format(columns=", ".join(c + " TEXT" for c in sys.argv[2].split(", "))))
    for name in sys.argv[3:]:
        with open(name, "rb") as f, conn.cursor().copy("COPY events FROM STDIN (FORMAT csv, HEADER true)") as copy:
            f.read(3)  # the BOM
            while block := f.read(1 << 20):
                copy.write(block)
"""


def pg_copy(url: str, files: list[Path]) -> Took:
    settle(files)
    db = fresh_database(url)
    try:
        took = timed([sys.executable, "-c", COPY_SCRIPT, db, EVENT_COLUMNS, *map(str, files)])
        return Took(took.wall, 0.0)  # the work is the server's
    finally:
        drop_database(db)


def pg_load(url: str, folder: Path, jobs: int = 1) -> Took:
    settle(folder_files(folder))
    db = fresh_database(url)
    try:
        took = timed(county("load", str(folder), "--into", db, "--jobs", str(jobs)))
        return Took(took.wall, 0.0)  # most of the work is the server's
    finally:
        drop_database(db)


# --- the run --------------------------------------------------------------------------------------------------------


def line(what: str, ours: Took, anchor_name: str, anchor: Took, target: str) -> str:
    cpu = "—"
    if ours.cpu and anchor.cpu:
        cpu = f"{ours.cpu:.2f} s / {anchor.cpu:.2f} s = {ours.cpu / anchor.cpu:.2f}x"
    return (
        f"| {what} | {ours.wall:.2f} s | {anchor_name} | {anchor.wall:.2f} s | {ours.wall / anchor.wall:.2f}x"
        f" | {cpu} | {target} |"
    )


def night_rows(night: Path) -> tuple[int, int]:
    """The night folders' event rows and snapshot rows (from their manifests)."""
    events = snapshot = 0
    for manifest in night.glob("S*/*/manifest.json"):
        values = json.loads(manifest.read_text(encoding="utf-8"))
        events += values["events"]["rows"]
        snapshot += sum(f["rows"] for f in values["files"] if f["name"] in SNAPSHOT_FILES)
    return events, snapshot


def load_average() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except (AttributeError, OSError):  # Windows
        return "—"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=50)
    parser.add_argument("--applications", type=int, default=21_500)
    parser.add_argument("--runs", type=int, default=3, help="runs of each full load and its anchor")
    parser.add_argument("--night-runs", type=int, default=3, help="runs of the nightly load and of the reload")
    parser.add_argument("--no-write", action="store_true")
    args = parser.parse_args()
    root = work_folder(args.stations, args.applications)
    full, night, stations = finished_stations(root)
    files = events_files(full)
    events = sum(int(subprocess.check_output(["wc", "-l", str(f)]).split()[0]) - 1 for f in files)
    night_events, night_snapshot = night_rows(night)
    began = f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC, load average {load_average()}"
    lines = [
        f"County bench, {began}, {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"{stations} stations, {events:,} events in their full exports (bench/county_build.py --stations "
        f"{args.stations} --applications {args.applications}; {stations} of them built); medians of {args.runs} "
        f"(full loads) and {args.night_runs} (nightly, reload); the nights: {night_events:,} events and "
        f"{night_snapshot:,} snapshot rows (partial snapshots) in {stations} folders",
        "",
        "| figure | ours (wall) | anchor | anchor's time (wall) | ratio (wall) | CPU: ours / anchor | target |",
        "|---|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory(dir=root) as temp:
        work = Path(temp)
        loaded = work / "loaded.db"

        def first_load() -> Took:
            loaded.unlink(missing_ok=True)
            return sqlite_load(full, loaded)

        anchor, ours = medians(args.runs, lambda: sqlite_import(files, work), first_load)
        lines.append(line("full load into SQLite", ours, "sqlite3 .import, bare table", anchor, "≤ 2x"))
        rows = count_rows(loaded)
        assert rows == events, (rows, events)
        nightly = work / "nightly.db"

        def night_load() -> Took:
            shutil.copy(loaded, nightly)
            took = sqlite_load(night, nightly)
            assert count_rows(nightly) == rows + night_events  # every night folder loaded, none refused
            return took

        nights = median(args.night_runs, night_load)
        cpu = f"{nights.cpu:.2f} s" if nights.cpu else "—"
        lines.append(
            f"| nightly load, {stations} folders of one day | {nights.wall:.2f} s | — | — | — | {cpu} | < 10 s |"
        )
        again = median(args.night_runs, lambda: sqlite_load(full, loaded))
        assert count_rows(loaded) == rows
        lines.append(line("reload of everything (0 new rows)", again, "the first load", ours, "< 1x"))
        with sqlite3.connect(loaded) as conn:
            # The busiest month (the demo's newest month has only its first day).
            month = conn.execute(
                "SELECT substr(accepted_date, 1, 7) FROM applications GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
            ).fetchone()[0]
        mine = median(5, lambda: month_ours(loaded, month))
        plain = median(5, lambda: month_anchor(loaded, month))
        lines.append(line(f"indicators of {month}, all stations", mine, "one GROUP BY of the month", plain, "< 1 s"))
        url = os.environ.get("STATION_TUI_TEST_PG")
        if url:
            # --jobs 2: two connections loading different stations side by side (the anchor: one COPY after another).
            anchor, ours, side_by_side = medians(
                args.runs, lambda: pg_copy(url, files), lambda: pg_load(url, full), lambda: pg_load(url, full, jobs=2)
            )
            lines.append(line("full load into PostgreSQL", ours, "COPY into an unlogged table", anchor, "≤ 2x"))
            lines.append(line("the same, --jobs 2", side_by_side, "COPY into an unlogged table", anchor, "≤ 2x"))
        else:
            lines.append("| full load into PostgreSQL | not measured: STATION_TUI_TEST_PG not set | | | | | |")
    lines.append("")
    lines.append(f"Load average at the end: {load_average()}.")
    text = "\n".join(lines) + "\n"
    print(text)
    if not args.no_write:
        (HERE / "county-results.md").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
