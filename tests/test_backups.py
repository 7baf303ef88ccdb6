"""Backups that happen without anyone remembering: at the day's first start and at every export, beside the
database (the last 7 days and the last 4 weeks kept), and on the stick when the export goes to another disk."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from station_tui.app import checked_backup_of_the_day
from station_tui.domain.timeutil import CHINA_TZ
from station_tui.services.export import run_export
from station_tui.services.station import Station
from station_tui.store import Store
from station_tui.store import payloads as ev
from station_tui.store.backup import OUTBOX_BACKUPS, automatic_backups, backup_beside
from station_tui.store.check import check
from station_tui.store.errors import DamagedDatabaseError


def test_the_last_seven_days_and_four_weeks_are_kept(db_path: Path, clock) -> None:  # noqa: ANN001
    store = Store(db_path, clock=clock)
    start = datetime(2026, 9, 1, 8, 0, tzinfo=CHINA_TZ)
    for day in range(60):  # two backups a day for 60 days
        for hour in (8, 17):
            backup_beside(store.conn, db_path, start + timedelta(days=day, hours=hour - 8))
    kept = [b.name[len("station.backup-") : len("station.backup-") + 13] for b in automatic_backups(db_path)]
    last = start + timedelta(days=59)
    # the newest of each of the last 7 days …
    days = [(last - timedelta(days=n)).strftime("%Y%m%d") + "-17" for n in range(7)]
    assert set(days) <= {k[:11] for k in kept}
    # … and of each of the last 4 ISO weeks: at most 7 + 4 files, never a second one of a day
    assert len(kept) <= 11 and len({k[:8] for k in kept}) == len(kept)
    weeks = {datetime.strptime(k[:8], "%Y%m%d").isocalendar()[:2] for k in kept}
    assert len(weeks) == 4
    store.close()


def test_the_first_start_of_a_day_backs_up_once(station: Station, clock) -> None:  # noqa: ANN001
    checked_backup_of_the_day(station)
    checked_backup_of_the_day(station)
    assert len(automatic_backups(station.store.path)) == 1
    clock.advance(days=1)
    checked_backup_of_the_day(station)
    backups = automatic_backups(station.store.path)
    assert len(backups) == 2 and check(backups[-1]).ok


def test_a_damaged_file_is_not_backed_up_over_the_good_ones(station: Station, clock, tmp_path: Path) -> None:  # noqa: ANN001
    path = station.store.path
    for n in range(300):
        station.store.record(ev.SettingsChanged(settings={"note": "x" * 200, "n": n}))
    checked_backup_of_the_day(station)
    station.store.close()
    data = bytearray(path.read_bytes())
    middle = len(data) // 2 // 4096 * 4096  # a page of events, past the schema
    data[middle : middle + 4096] = os.urandom(4096)
    path.write_bytes(bytes(data))
    clock.advance(days=1)
    reopened = Station.open(Store(path, clock=clock))
    with pytest.raises(DamagedDatabaseError, match="已损坏"):
        checked_backup_of_the_day(reopened)
    assert len(automatic_backups(path)) == 1


def test_every_export_leaves_a_backup_beside_the_database(station: Station, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    result = run_export(station, outbox=outbox)
    assert len(result.backups) == 1 and result.backups[0].parent == station.store.path.parent
    assert result.backup_problem is None
    with sqlite3.connect(result.backups[0]) as copy:
        assert copy.execute("SELECT count(*) FROM events WHERE type = 'export.done'").fetchone()[0] == 1
    copy.close()
    assert not (outbox / OUTBOX_BACKUPS).exists()  # same disk: no second copy


def _other_disk(tmp_path: Path) -> Path | None:
    for candidate in ("/dev/shm", tempfile.gettempdir()):
        folder = Path(candidate)
        if folder.is_dir() and os.access(folder, os.W_OK) and folder.stat().st_dev != tmp_path.stat().st_dev:
            return folder
    return None


def test_an_export_to_another_disk_takes_a_backup_with_it(station: Station, tmp_path: Path) -> None:
    disk = _other_disk(tmp_path)
    if disk is None:
        pytest.skip("no second disk (tmpfs) on this machine")
    outbox = Path(tempfile.mkdtemp(prefix="usb-", dir=disk))
    try:
        result = run_export(station, outbox=outbox)
        on_stick = list((outbox / OUTBOX_BACKUPS).glob("station-ZX01-*.db"))
        assert len(on_stick) == 1 and on_stick[0] in result.backups
        assert check(on_stick[0]).ok
    finally:
        shutil.rmtree(outbox)


def test_half_written_backups_a_killed_process_left_are_cleared(station: Station, clock) -> None:  # noqa: ANN001
    folder = station.store.path.parent
    stale = folder / "station.backup-20261101-080000-000000.db.partial"
    journal = folder / "station.backup-20261101-080000-000000.db.partial-journal"
    fresh = folder / "station.backup-20261123-093000-000001.db.partial"  # another process may be writing it
    for leftover in (stale, journal, fresh):
        leftover.write_bytes(b"half")
    old = os.stat(stale).st_mtime - 7200
    os.utime(stale, (old, old))
    os.utime(journal, (old, old))
    checked_backup_of_the_day(station)
    assert not stale.exists() and not journal.exists() and fresh.exists()
