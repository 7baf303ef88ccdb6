"""The SQLite store: opening, migrating (after a backup), transactions, and appending events."""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import sqlite3
import threading
import uuid as uuid_lib
import weakref
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec

from station_tui.domain.timeutil import Clock, from_iso, system_now, to_iso
from station_tui.store import catalogue
from station_tui.store.append import insert_event
from station_tui.store.backup import backup_beside
from station_tui.store.diagnose import empty_file, foreign_file, open_failure, write_refusal
from station_tui.store.errors import ClockBehindError, StoreError
from station_tui.store.events import EVENT_COLUMNS, Event
from station_tui.store.masking import register_export_form
from station_tui.store.payloads import Payload
from station_tui.store.schema import MIGRATIONS, SCHEMA_VERSION

BUSY_TIMEOUT_SECONDS = 15.0


def _is_empty(path: Path) -> bool:
    return path.stat().st_size == 0


def new_schema(conn: sqlite3.Connection, meta: dict[str, str]) -> None:
    """On a connection to a new, empty file: WAL, a transaction (the caller commits it), every migration, the meta."""
    conn.execute("PRAGMA journal_mode = WAL")
    register_export_form(conn)
    conn.execute("BEGIN IMMEDIATE")
    for migration in MIGRATIONS:
        for statement in migration:
            conn.execute(statement)
    for key, value in meta.items():
        conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def put_in_place(partial: Path, target: Path, *, replace: bool) -> bool:
    """Rename a finished file to its name; False (and the partial file removed) when another made the name first."""
    if replace:
        os.replace(partial, target)
        return True
    try:
        os.link(partial, target)  # fails when the target exists: never overwrite a file made meanwhile
    except FileExistsError:
        partial.unlink()
        return False
    except OSError:
        partial.rename(target)  # a file system without hard links (FAT on a USB stick); Windows refuses to overwrite
        return True
    partial.unlink()
    return True


class _Connection(sqlite3.Connection):
    """A plain connection that a WeakSet can hold (sqlite3.Connection itself takes no weak references)."""


def read_only_uri(path: Path) -> str:
    """The SQLite URI that opens `path` read-only (for ATTACH on a connection opened with uri=True).

    CPython's Windows SQLite is built without SQLITE_USE_URI: on a connection opened without uri=True, ATTACH took
    "file:C:/data/station.db?mode=ro" as a file name, which cannot be opened (Debian's SQLite reads URIs everywhere,
    which hid this). Path.as_uri() gives the canonical file:///C:/data/station.db and percent-encodes spaces, Chinese,
    '%', '?' and '#', which the old f"file:{path}" left to break the URI on any platform.
    """
    return f"{Path(path).resolve().as_uri()}?mode=ro"


def connect(path: Path) -> sqlite3.Connection:
    """A connection with the settings every user of the file shares: WAL, foreign keys, a busy timeout."""
    # isolation_level=None: transactions are begun explicitly (BEGIN IMMEDIATE), see Store.transaction.
    # uri=True: a plain path stays a path (only names starting with "file:" are URIs); ATTACH then takes URIs.
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None, check_same_thread=False, factory=_Connection, uri=True
    )
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_SECONDS * 1000)}")
    return conn


class Store:
    """One station database. Every change goes through `record`, inside `transaction`."""

    def __init__(
        self,
        path: Path,
        *,
        clock: Clock = system_now,
        migrate: bool = True,
        create: bool = True,
        replace_empty: bool = False,
    ) -> None:
        """Open the station database at `path`.

        A new database is made only where no file exists (`create`), or in place of an empty file when a person has
        confirmed it (`replace_empty`, the app's first run). An empty, foreign or unknown file is refused before
        anything is written to it, so it stays byte-identical; a damaged one raises DamagedDatabaseError."""
        self.path = Path(path)
        self.clock = clock
        # Set when a person has confirmed recording although the clock reads earlier than the newest event.
        self.clock_behind_confirmed = False
        self.last_migration_backup: Path | None = None
        # One connection per thread: a screen's worker reads a committed snapshot while another worker writes, as a
        # second process would; SQLite's own locking and the busy timeout order the writers.
        self._local = threading.local()
        self._open: weakref.WeakSet[sqlite3.Connection] = weakref.WeakSet()
        if self.path.is_dir():
            raise StoreError(f"{self.path} 是一个文件夹，不是数据库文件：请用 --db 指定数据库文件。")
        if not self.path.exists():
            if not create:
                raise StoreError(f"数据库文件不存在：{self.path}（先运行 station-tui init 或 station-tui demo）")
            self._create(replace=False)
        elif replace_empty and _is_empty(self.path):
            self._create(replace=True)
        version = self._inspect()
        if version < SCHEMA_VERSION:
            if not migrate:
                self.close()
                raise StoreError(
                    f"数据库 {self.path} 是旧版程序的结构（版本 {version}，本程序为 {SCHEMA_VERSION}），此命令不改动文件。"
                    f"请先用本程序打开一次（station-tui --db {self.path}），升级前会自动在旁边备份，然后再运行此命令。"
                )
            self._migrate(version)
        self.device_id = self.meta("device_id")
        self.device_code = self.meta("device_code")

    # --- schema ---------------------------------------------------------------------------------------------

    def _create(self, *, replace: bool) -> None:
        """A new database made whole under a temporary name, then put in place: a crash leaves no half-made file,
        and a file another process made meanwhile is never overwritten (unless replacing a confirmed empty one)."""
        partial = self.path.with_name(self.path.name + ".creating")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
                leftover.unlink(missing_ok=True)
            conn = connect(partial)
            try:
                # The device id is made here and only here: an existing database keeps the one it has.
                new_schema(conn, {"device_id": str(uuid_lib.uuid4()), "device_code": "01"})
                conn.execute("COMMIT")
            finally:
                conn.close()
            put_in_place(partial, self.path, replace=replace)
        except OSError as exc:
            raise StoreError(f"无法新建数据库 {self.path}：{write_refusal(self.path) or exc}。") from exc
        except sqlite3.Error as exc:
            raise open_failure(self.path, exc) from exc

    def _inspect(self) -> int:
        """The schema version of an existing file, after making sure (reading only) that it is one of ours."""
        if _is_empty(self.path):
            raise empty_file(self.path)
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            names = {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"数据库 {self.path} 的结构版本是 {version}，比本程序支持的 {SCHEMA_VERSION} 新。请升级 station-tui。"
                )
            if not names and version == 0:
                raise empty_file(self.path)
            if not {"meta", "events"} <= names:
                shown = "、".join(sorted(names)[:5])
                raise foreign_file(self.path, f"其中没有本程序的表，只有 {shown}" if shown else "其中没有本程序的表")
            if self.conn.execute("SELECT 1 FROM meta WHERE key = 'device_id'").fetchone() is None:
                raise foreign_file(self.path, "缺少本机的设备标识")
            self.conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.Error as exc:
            self.close()
            raise open_failure(self.path, exc) from exc
        except StoreError:
            self.close()
            raise
        return version

    def _migrate(self, version: int) -> None:
        self.last_migration_backup = backup_beside(self.conn, self.path, self.clock())
        try:
            register_export_form(self.conn)
            self.conn.execute("BEGIN IMMEDIATE")
            for number in range(version, SCHEMA_VERSION):
                for statement in MIGRATIONS[number]:
                    self.conn.execute(statement)
            self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            self.conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            raise open_failure(self.path, exc) from exc

    @property
    def conn(self) -> sqlite3.Connection:
        """This thread's connection, opened on first use; it closes when the thread ends or the store closes."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._local.conn = connect(self.path)
            self._open.add(conn)
        return conn

    @property
    def db(self):  # noqa: ANN201 - sqlite_utils.Database
        """sqlite-utils on this thread's connection, for table introspection; imported on first use (start-up)."""
        import sqlite_utils

        return sqlite_utils.Database(self.conn, execute_plugins=False)

    def meta(self, key: str) -> str:
        row = self.conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise StoreError(f"数据库 {self.path} 缺少 {key}：文件不完整。")
        return row[0]

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction():
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
        if key == "device_code":
            self.device_code = value

    def close(self) -> None:
        for conn in list(self._open):
            conn.close()
        self._local = threading.local()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- transactions ---------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """All or nothing. The outer level takes the write lock at once (BEGIN IMMEDIATE), so a second process
        waits for the busy timeout instead of failing when it upgrades a read; inner levels are savepoints."""
        conn = self.conn
        if conn.in_transaction:
            name = f"sp_{uuid_lib.uuid4().hex}"
            conn.execute(f"SAVEPOINT {name}")
            try:
                yield conn
            except BaseException:
                if conn.in_transaction:
                    conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                    conn.execute(f"RELEASE SAVEPOINT {name}")
                raise
            else:
                conn.execute(f"RELEASE SAVEPOINT {name}")
            return
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        else:
            conn.execute("COMMIT")

    # --- events ---------------------------------------------------------------------------------------------

    def newest_real_event_time(self) -> datetime | None:
        """The time of this device's newest event recorded from the clock (not demo or imported history)."""
        # The latest time, not the last event: after a confirmed backwards clock the last event is not the latest.
        newest = self.one("SELECT max(recorded_at) FROM events WHERE device = ? AND simulated = 0", (self.device_id,))
        return from_iso(newest) if newest else None

    def clock_behind(self) -> tuple[datetime, datetime] | None:
        """(now, newest) when the clock reads earlier than the newest recorded event, else None."""
        newest = self.newest_real_event_time()
        now = self.clock()
        if newest is not None and now < newest:
            return now, newest
        return None

    def record(
        self,
        payload: Payload,
        *,
        application: str | None = None,
        operator: str | None = None,
        simulated_at: datetime | None = None,
    ) -> Event:
        """Append one event (its type and version are those of the payload's structure in the catalogue) and project
        it, in one transaction.

        `simulated_at` is only for demo history and ledger import: the event is marked as not recorded live.
        """
        kind = catalogue.kind_of(payload)
        stored = msgspec.to_builtins(payload)
        # Projected as a replay will read it back (a struct's constructor checks no types): what is recorded is
        # exactly what every later reader, on this PC or another, will see.
        payload = catalogue.decode(kind, stored)
        with self.transaction():
            if simulated_at is None:
                now = self.clock()
                newest = self.newest_real_event_time()
                if newest is not None and now < newest and not self.clock_behind_confirmed:
                    raise ClockBehindError(now, newest)
                moment = now
            else:
                moment = simulated_at
            (last,) = self.conn.execute(
                "SELECT coalesce(max(device_seq), 0) FROM events WHERE device = ?", (self.device_id,)
            ).fetchone()
            event = Event(
                uuid=str(uuid_lib.uuid4()),
                device=self.device_id,
                device_seq=last + 1,
                type=kind.name,
                application=application,
                payload=stored,
                recorded_at=to_iso(moment),
                operator=operator,
                simulated=simulated_at is not None,
                version=kind.version,
                needs_program=kind.since,
            )
            event = self._insert(event)
            kind.project(self.conn, event, payload)
        return event

    def receive(self, event: Event) -> bool:
        """Add an event made on another device (a field laptop, another station) and project it, in one
        transaction. False when the log has it already (same UUID). An event of a type or version this program does
        not know is refused (UnknownEventError) before anything is written."""
        payload = catalogue.read(event)
        with self.transaction():
            if self.one("SELECT 1 FROM events WHERE uuid = ?", (event.uuid,)):
                return False
            event = self._insert(event)
            catalogue.CATALOGUE[event.type].project(self.conn, event, payload)
        return True

    def _insert(self, event: Event) -> Event:
        """Append the row; the event as stored, with its local sequence number (a projection may read back by it)."""
        return dataclasses.replace(event, seq=insert_event(self.conn, event))

    def events(self, application: str | None = None) -> list[Event]:
        if application is None:
            rows = self.conn.execute(f"SELECT {EVENT_COLUMNS} FROM events ORDER BY seq")
        else:
            rows = self.conn.execute(
                f"SELECT {EVENT_COLUMNS} FROM events WHERE application = ? ORDER BY seq", (application,)
            )
        return [Event.from_row(row) for row in rows]

    # --- reading --------------------------------------------------------------------------------------------

    def one(self, sql: str, params: tuple = ()) -> Any:
        """The first column of the first row, or None."""
        row = self.conn.execute(sql, params).fetchone()
        return row[0] if row else None

    def rows(self, sql: str, params: tuple = ()) -> list[dict[str, Any]]:
        cursor = self.conn.execute(sql, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor]

    def setting(self, key: str, default: Any = None) -> Any:
        value = self.one("SELECT value FROM settings WHERE key = ?", (key,))
        return default if value is None else json.loads(value)


def open_store(path: Path, *, clock: Clock = system_now) -> Store:
    return Store(path, clock=clock)
