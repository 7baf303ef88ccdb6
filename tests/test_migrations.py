"""A database of each earlier schema version, made by the program of that time, migrates to the current version with
a backup first, keeps every event and row, passes `check`, and takes new work.

The files in tests/data/ were made once by the commits that had those schemas (see tests/data/README.md); a new
migration needs a file of the version before it, and the first test says so.
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from test_intake import _form

from station_tui.services import intake
from station_tui.services.station import Station
from station_tui.store import Store
from station_tui.store.check import check
from station_tui.store.schema import SCHEMA_VERSION

DATA = Path(__file__).resolve().parent / "data"
EARLIER = range(1, SCHEMA_VERSION)


def _file(version: int) -> Path:
    return DATA / f"schema-v{version}.db"


def _counts(path: Path) -> tuple[int, int, int]:
    with sqlite3.connect(path) as conn:
        return tuple(
            conn.execute(sql).fetchone()[0]
            for sql in ("PRAGMA user_version", "SELECT count(*) FROM applications", "SELECT count(*) FROM events")
        )


def test_every_earlier_schema_version_has_a_database_file() -> None:
    for version in EARLIER:
        assert _file(version).exists(), f"make {_file(version).name} with the commit that had schema {version}"
        assert _counts(_file(version))[0] == version


@pytest.mark.parametrize("version", EARLIER)
def test_an_earlier_database_migrates_with_a_backup_and_passes_check(version: int, tmp_path: Path) -> None:
    db = tmp_path / "station.db"
    shutil.copyfile(_file(version), db)
    _, applications, events = _counts(db)
    assert applications > 0 and events > applications
    store = Store(db)  # the system clock: the older program made its demo with it
    try:
        backup = store.last_migration_backup
        assert backup is not None and backup.exists()
        assert store.one("PRAGMA user_version") == SCHEMA_VERSION
        assert store.one("SELECT count(*) FROM applications") == applications
        assert store.one("SELECT count(*) FROM events") == events
        station = Station.open(store)
        head = store.one("SELECT uuid FROM operators WHERE role = 'head' ORDER BY rowid LIMIT 1")
        accepted = intake.accept(station, _form(), operator=head)
        assert store.one("SELECT origin FROM applications WHERE uuid = ?", (accepted.uuid,)) == "counter"
    finally:
        store.close()
    assert _counts(backup) == (version, applications, events)
    report = check(db)
    assert report.ok, report.problems
    assert report.applications == applications + 1


def test_check_on_an_earlier_file_says_how_to_upgrade_it_and_leaves_it_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "station.db"
    shutil.copyfile(_file(SCHEMA_VERSION - 1), db)
    run = subprocess.run(
        [sys.executable, "-m", "station_tui", "check", "--db", str(db)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert run.returncode == 1
    assert f"版本 {SCHEMA_VERSION - 1}" in run.stderr and f"station-tui --db {db}" in run.stderr, run.stderr
    assert "Traceback" not in run.stderr
    assert _counts(db) == _counts(_file(SCHEMA_VERSION - 1))  # not migrated
    assert not list(tmp_path.glob("*backup*"))
    Store(db).close()  # what the message says: open it once with this program
    assert check(db).ok
