"""The backup a large export makes is copied while the export writes its files (store/backup.BackupAlongside), and
its last step waits for export.done. The step sizes are made small here so that the demo database counts as large."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from test_export_chunks import insert_text_not_utf8

from station_tui.services.export import run_export
from station_tui.services.export.files import ExportError
from station_tui.services.station import Station
from station_tui.store import Store
from station_tui.store import backup as backup_module
from station_tui.store.backup import automatic_backups
from station_tui.store.check import check

TABLES = ("events", "applications", "documents", "stages", "supporting_works", "settings", "operators")


@pytest.fixture
def steps(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Small steps; each entry is the pages left when a step ended."""
    monkeypatch.setattr(backup_module, "STEP_PAGES", 16)
    monkeypatch.setattr(backup_module, "FLUSH_STEPS", 4)
    monkeypatch.setattr(backup_module, "ALONGSIDE_PAGES", 64)
    seen: list[int] = []
    hold = backup_module.BackupAlongside._hold

    def noted(self: backup_module.BackupAlongside, left: int) -> None:
        seen.append(left)
        hold(self, left)

    monkeypatch.setattr(backup_module.BackupAlongside, "_hold", noted)
    return seen


@pytest.fixture
def demo_station(demo_db: Path, clock) -> Station:  # noqa: ANN001
    store = Store(demo_db, clock=clock)
    yield Station.open(store)
    store.close()


def _rows(path: Path) -> dict[str, list[tuple]]:
    conn = sqlite3.connect(path)
    try:
        return {t: conn.execute(f"SELECT * FROM {t} ORDER BY rowid").fetchall() for t in TABLES}
    finally:
        conn.close()


def _one(path: Path, sql: str) -> object:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchone()[0]
    finally:
        conn.close()


def _outbox(tmp_path: Path) -> Path:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    return outbox


def test_the_backup_copied_alongside_is_the_database_with_export_done(
    demo_station: Station, tmp_path: Path, steps: list[int]
) -> None:
    result = run_export(demo_station, outbox=_outbox(tmp_path), full=True)
    assert len(steps) > 4  # copied in steps, beside the files
    (backup,) = result.backups
    assert result.backup_problem is None
    assert _rows(backup) == _rows(demo_station.store.path)
    assert _one(backup, "SELECT type FROM events ORDER BY seq DESC LIMIT 1") == "export.done"
    assert check(backup).ok
    assert not list(backup.parent.glob("*.partial"))


def test_a_change_through_another_connection_during_the_copy_is_in_the_backup(
    demo_station: Station, tmp_path: Path, steps: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process's write starts the copy again: the backup is still the database as it is at the end."""
    other = sqlite3.connect(demo_station.store.path, isolation_level=None, check_same_thread=False)
    hold = backup_module.BackupAlongside._hold  # the noted one

    def write_once(self: backup_module.BackupAlongside, left: int) -> None:
        if len(steps) == 2:
            other.execute("UPDATE applications SET customer_name = '复制途中改的' WHERE rowid = 1")
        hold(self, left)

    monkeypatch.setattr(backup_module.BackupAlongside, "_hold", write_once)
    result = run_export(demo_station, outbox=_outbox(tmp_path), full=True)
    other.close()
    (backup,) = result.backups
    assert _rows(backup) == _rows(demo_station.store.path)
    # (a write past the event log, as a damaged or foreign program might make: check would say so, in both files)
    assert _one(backup, "SELECT customer_name FROM applications WHERE rowid = 1") == "复制途中改的"


def test_an_export_that_fails_leaves_no_backup(demo_station: Station, tmp_path: Path, steps: list[int]) -> None:
    store = demo_station.store
    before = automatic_backups(store.path)
    insert_text_not_utf8(store)
    with pytest.raises(ExportError, match="UTF-8"):
        run_export(demo_station, outbox=_outbox(tmp_path), full=True)
    assert automatic_backups(store.path) == before
    assert not list(store.path.parent.glob("*.partial*"))
