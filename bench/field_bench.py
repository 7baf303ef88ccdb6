"""Checking in a laptop's bundle of 10,000 events into the station's demo database (verify, add by UUID, project with
the conflict guard, end the leases), against the anchor of inserting the same rows into a bare copy of the events
table (same schema and indexes, the station's rows in it) with executemany(INSERT OR IGNORE …), in the same run.
Also the size of the checkout file and of the bundle for a customer manager with 200 open applications.

    python bench/field_bench.py [APPLICATIONS] [EVENTS]     # defaults: 200000 10000

Before the batched checkin (2026-12-01 morning, not at 200,000): 5,000 applications 1.68 s vs 0.261 s, 6.4x; 50,000:
4.51 s vs 0.374 s, 12.1x (~9 SQL statements per event, and a field.returned event per leased application).
Batched (store/batch.py, one field.returned per checkin): 3.38 s vs 1.287 s, 2.6x (load average ~10); on a quiet
machine 1.92 s vs 0.398 s, 4.8x. Each row written once (store/batch_merge.py), the leases ended in one statement,
a short report and the WAL checkpoint after the checkin (timed apart here): see bench/results.md.
刘强 holds 11,656 open applications in the 200,000 demo; the bundle is 10,000 pause/resume events on 5,000 of them.
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))
sys.path.insert(0, str(HERE))

from notice_helpers import accept_resident, add_manager  # noqa: E402
from run import demo_database  # noqa: E402

from station_tui.services import field, lifecycle  # noqa: E402
from station_tui.services import field_bundle as fb  # noqa: E402
from station_tui.services.setup import initialize  # noqa: E402
from station_tui.services.station import Station  # noqa: E402
from station_tui.store import Store  # noqa: E402
from station_tui.store.events import EVENT_COLUMNS, dump_payload  # noqa: E402

RUNS = 3


def _laptop_bundle(station_db: Path, folder: Path, events: int) -> Path:
    """Check 刘强's applications out of a copy of the station, pause and resume them on the laptop through the
    services until it has recorded `events` events, pack. The copy is what the checkin runs are made from."""
    station = Station.open(Store(station_db))
    field.checkout(station, "刘强", folder / "out.zip")
    station.store.close()
    field.open_laptop(folder / "out.zip", folder / "laptop.db")
    laptop = Station.open(Store(folder / "laptop.db"))
    manager = laptop.store.one("SELECT uuid FROM operators WHERE role = 'customer_manager'")
    apps = [r["uuid"] for r in laptop.store.rows("SELECT uuid FROM applications WHERE status = 'open' ORDER BY number")]
    made = 0
    while made < events:
        for app in apps[: max(1, min(len(apps), (events - made) // 2))]:
            lifecycle.pause(laptop, app, reason="客户外出", operator=manager)
            lifecycle.resume(laptop, app, operator=manager)
            made += 2
    laptop.store.close()
    field.pack(folder / "laptop.db", folder / "back.zip")
    return folder / "back.zip"


def _checkin_once(station_db: Path, bundle: Path, folder: Path) -> tuple[float, float, int]:
    """The checkin as the clerk waits for it (to the report), and the WAL checkpoint the screen runs after it
    (field.settle), timed apart: the checkin leaves its pages in the WAL (services/field.py says why)."""
    copy = folder / "station-run.db"
    shutil.copyfile(station_db, copy)
    station = Station.open(Store(copy))
    began = time.perf_counter()
    report = field.checkin(station, bundle)
    took = time.perf_counter() - began
    began = time.perf_counter()
    field.settle(station)
    settled = time.perf_counter() - began
    station.store.close()
    copy.unlink()
    return took, settled, report.added


def _anchor_once(station_db: Path, bundle: Path, folder: Path) -> float:
    """The same rows into a bare copy of `events` (its schema, indexes and rows; no projection, no checks)."""
    station = Station.open(Store(station_db))
    station_code, key = station.station_code, station.store.meta("field_key")
    schema = [r[0] for r in station.store.conn.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'events' AND sql IS NOT NULL"
    )]  # fmt: skip
    station.store.close()
    bare_path = folder / "bare.db"
    bare = sqlite3.connect(bare_path)
    for sql in schema:
        bare.execute(sql)
    bare.execute("ATTACH DATABASE ? AS src", (str(station_db),))
    bare.execute("INSERT INTO events SELECT * FROM src.events")
    bare.commit()
    bare.execute("DETACH DATABASE src")
    read = fb.read_bundle(bundle, station_code=station_code, key=key, kind=fb.PACK)
    columns = EVENT_COLUMNS.split(", ")[1:]  # seq is the local arrival order: the table gives it
    rows = [tuple(dump_payload(e.payload) if c == "payload" else getattr(e, c) for c in columns) for e in read.events]
    began = time.perf_counter()
    bare.executemany(
        f"INSERT OR IGNORE INTO events ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})", rows
    )
    bare.commit()
    took = time.perf_counter() - began
    bare.close()
    bare_path.unlink()
    return took


def _sizes_for_200(folder: Path) -> tuple[int, int]:
    """A fresh station whose manager has 200 open applications: checkout file size; bundle size after a pause and a
    resume on each (400 events)."""
    station = Station.open(Store(folder / "small.db"))
    station.head_id = initialize(  # type: ignore[attr-defined]
        station, station_name="城关供电所", station_code="ZX01", profile_id="zhuxian-2020", head_name="王站长",
        head_phone="13800000001", head_pin="1234",
    )  # fmt: skip
    add_manager(station)
    for n in range(200):
        accept_resident(station, name=f"客户{n:03d}")
    station.store.close()
    bundle = _laptop_bundle(folder / "small.db", folder, 400)
    return (folder / "out.zip").stat().st_size, bundle.stat().st_size


def figures(applications: int = 200_000, events: int = 10_000) -> list[str]:
    db, built = demo_database(applications, HERE / "work")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        station_db = folder / "station.db"
        shutil.copyfile(db, station_db)
        bundle = _laptop_bundle(station_db, folder, events)
        checkins, settles, anchors, added = [], [], [], 0
        for _ in range(RUNS):
            took, settled, added = _checkin_once(station_db, bundle, folder)
            checkins.append(took)
            settles.append(settled)
            anchors.append(_anchor_once(station_db, bundle, folder))
        size = bundle.stat().st_size
        small = folder / "small"
        small.mkdir()
        out_200, back_200 = _sizes_for_200(small)
    checkin, anchor = statistics.median(checkins), statistics.median(anchors)
    return [
        f"field checkin: {added} events into the {applications}-application demo database"
        + (f" (built in {built:.0f} s)" if built else "")
        + f", median of {RUNS}: {checkin:.2f} s; bare executemany(INSERT OR IGNORE) into a copy of events"
        f" {anchor:.3f} s; ratio {checkin / anchor:.1f}x (target <= 3x, and < 2 s); bundle {size / 1024:.0f} KiB;"
        f" the WAL checkpoint after it (not in the checkin) {statistics.median(settles):.2f} s",
        "  runs (checkin, anchor): " + ", ".join(f"({c:.2f}, {a:.3f})" for c, a in zip(checkins, anchors, strict=True)),
        f"field files for a manager with 200 open applications: checkout {out_200 / 1024:.0f} KiB,"
        f" bundle after 400 events {back_200 / 1024:.0f} KiB",
    ]


if __name__ == "__main__":
    sizes = [int(a) for a in sys.argv[1:3]]
    for line in figures(*sizes):
        print(line, flush=True)
