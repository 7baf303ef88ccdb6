"""The store: migration with backup, append-only log, clock guard, damaged files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from station_tui.store import ClockBehindError, Store, StoreError
from station_tui.store import payloads as ev
from station_tui.store.backup import automatic_backups
from station_tui.store.schema import SCHEMA_VERSION


def test_new_database_is_migrated_without_backup(db_path: Path, clock) -> None:
    store = Store(db_path, clock=clock)
    assert store.one("PRAGMA user_version") == SCHEMA_VERSION
    assert store.one("PRAGMA journal_mode") == "wal"
    assert store.one("PRAGMA foreign_keys") == 1
    assert len(store.device_id) == 36
    assert automatic_backups(db_path) == []


def test_a_foreign_sqlite_file_is_refused_untouched_and_not_backed_up(db_path: Path, clock) -> None:
    sqlite3.connect(db_path).execute("CREATE TABLE legacy (x)").connection.close()
    before = db_path.read_bytes()
    with pytest.raises(StoreError, match="不是本程序的数据库（其中没有本程序的表，只有 legacy）"):
        Store(db_path, clock=clock)
    assert db_path.read_bytes() == before
    assert automatic_backups(db_path) == []


def test_a_zero_length_file_becomes_a_station_only_when_a_person_confirmed_it(db_path: Path, clock) -> None:
    db_path.write_bytes(b"")
    with pytest.raises(StoreError, match="是空的"):
        Store(db_path, clock=clock)
    assert db_path.read_bytes() == b""
    with Store(db_path, clock=clock, replace_empty=True) as store:
        assert store.one("PRAGMA user_version") == SCHEMA_VERSION


def test_a_missing_file_is_not_created_when_creating_is_not_allowed(db_path: Path, clock) -> None:
    with pytest.raises(StoreError, match="数据库文件不存在"):
        Store(db_path, clock=clock, create=False)
    assert not db_path.exists()


def test_newer_schema_is_refused(db_path: Path, clock) -> None:
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="升级 station-tui"):
        Store(db_path, clock=clock)


def test_events_cannot_be_changed_or_deleted(store: Store) -> None:
    store.record(ev.SettingsChanged(settings={"x": 1}))
    with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
        store.conn.execute("UPDATE events SET type = 'x'")
    with pytest.raises(sqlite3.IntegrityError, match="只能追加"):
        store.conn.execute("DELETE FROM events")


def test_event_carries_time_device_and_sequence(store: Store, clock) -> None:
    first = store.record(ev.SettingsChanged(settings={"a": "甲"}), operator="op")
    clock.advance(minutes=1)
    second = store.record(ev.SettingsChanged(settings={"a": "乙"}))
    assert (first.device_seq, second.device_seq) == (1, 2)
    assert first.recorded_at == "2026-11-23T09:30:00.000000+08:00"
    assert first.device == second.device == store.device_id
    assert store.setting("a") == "乙"


def test_failed_transaction_leaves_nothing(store: Store) -> None:
    with pytest.raises(RuntimeError), store.transaction():
        store.record(ev.SettingsChanged(settings={"a": 1}))
        raise RuntimeError("boom")
    assert store.one("SELECT count(*) FROM events") == 0
    assert store.one("SELECT count(*) FROM settings") == 0


def test_clock_going_backwards_is_refused_until_confirmed(store: Store, clock) -> None:
    store.record(ev.SettingsChanged(settings={"a": 1}))
    clock.advance(days=-400)  # a flat CMOS battery
    assert store.clock_behind() is not None
    with pytest.raises(ClockBehindError, match="早于本机最近一条记录"):
        store.record(ev.SettingsChanged(settings={"a": 2}))
    assert store.one("SELECT count(*) FROM events") == 1
    store.clock_behind_confirmed = True
    store.record(ev.SettingsChanged(settings={"a": 2}))
    assert store.setting("a") == 2


def test_simulated_history_does_not_trip_the_clock_guard(store: Store, clock) -> None:
    store.record(ev.SettingsChanged(settings={"a": 1}), simulated_at=clock.now.replace(year=2030))
    store.record(ev.SettingsChanged(settings={"a": 2}))
    assert store.one("SELECT simulated FROM events ORDER BY seq LIMIT 1") == 1


def test_not_sqlite_file_gives_plain_message(tmp_path: Path) -> None:
    path = tmp_path / "station.db"
    path.write_bytes(b"This is a spreadsheet, not a database" * 100)
    with pytest.raises(StoreError, match="已损坏或不是本程序的数据库"):
        Store(path)


def test_two_stores_on_one_file_both_write(db_path: Path, clock) -> None:
    a = Store(db_path, clock=clock)
    b = Store(db_path, clock=clock)
    a.record(ev.SettingsChanged(settings={"a": 1}))
    b.record(ev.SettingsChanged(settings={"b": 1}))
    assert [e.device_seq for e in a.events()] == [1, 2]


def test_a_worker_thread_does_not_see_another_threads_uncommitted_change(store: Store) -> None:
    import threading

    seen: list[int] = []
    inside = threading.Event()
    looked = threading.Event()

    def writer() -> None:
        with store.transaction():
            store.record(ev.SettingsChanged(settings={"a": 1}))
            inside.set()
            looked.wait(5)

    thread = threading.Thread(target=writer)
    thread.start()
    inside.wait(5)
    seen.append(store.one("SELECT count(*) FROM events"))  # this thread's own connection: a committed snapshot
    looked.set()
    thread.join()
    assert seen == [0]
    assert store.one("SELECT count(*) FROM events") == 1
