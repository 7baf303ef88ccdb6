"""The export to the county office: the events since the last successful export and the current state, as CSV files
with a manifest, into <outbox>/<station code>/<YYYYMMDD-HHMMSS>/.

The order of things is what makes it safe:
1. read everything from one snapshot of the database (its own connection, one read transaction: the app and another
   process keep writing meanwhile, and nothing they write half-way is seen);
2. write each file under a temporary name, fsync, rename;
3. write manifest.json last (a folder without it is incomplete by definition);
4. only then record `export.done`, whose `last_seq` is the mark the next export starts after.
A crash anywhere before 4 leaves the mark where it was: the next run sends the same range again, and the county drops
the events it already has by their UUID.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import uuid as uuid_lib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from station_tui import __version__
from station_tui.domain.timeutil import from_iso, to_iso
from station_tui.services.calendar import calendar
from station_tui.services.export_csv import (
    ENCODINGS,
    CsvFile,
    EncodingProblems,
    ExportError,
    WrittenFile,
    fsync_folder,
    guard_cell,
    io_error,
    write_bytes_safely,
)
from station_tui.services.export_tables import (
    Table,
    events_table,
    full_columns,
    headers,
    line_chunks,
    numeric_flags,
    register_functions,
    tables,
)
from station_tui.services.indicators import COLUMNS as INDICATOR_COLUMNS
from station_tui.services.indicators import indicator_rows
from station_tui.services.station import Station
from station_tui.store.database import connect
from station_tui.store.schema import SCHEMA_VERSION

MANIFEST = "manifest.json"
DICTIONARY = "dictionary.csv"
INDICATORS = "indicators.csv"
FORMAT = "station-tui-export"
FORMAT_VERSION = 1
HEADER_LANGUAGES = ("zh", "en")
WRITERS = 3  # threads writing files at once
FILE_ORDER = (
    "applications.csv",
    "documents.csv",
    "stages.csv",
    "notices.csv",
    "events.csv",
    INDICATORS,
    DICTIONARY,
)
_AGAIN = "导出标记未移动，下次会重新导出同一范围。"
OUTBOX_SETTING = "export_outbox"

Progress = Callable[[int, int], None]  # (rows written, rows in all)

# One export at a time in this process: the app's schedule and its "export now" share it.
_RUNNING = threading.Lock()


@dataclass(frozen=True)
class ExportResult:
    uuid: str
    folder: Path
    first_seq: int
    last_seq: int
    event_rows: int
    files: tuple[WrittenFile, ...]
    full: bool


# --- the mark ---------------------------------------------------------------------------------------------------


def last_mark(conn, device: str) -> int:  # noqa: ANN001 - a sqlite3.Connection or the store's
    """The last event seq already sent: the highest `last_seq` of this device's completed exports (0: none yet).
    Every export starts right after the mark it read, so the ranges sent never leave a gap."""
    row = conn.execute(
        "SELECT max(json_extract(payload, '$.last_seq')) FROM events WHERE type = 'export.done' AND device = ?",
        (device,),
    ).fetchone()
    return int(row[0] or 0)


def last_export_time(station: Station) -> datetime | None:
    value = station.store.one(
        "SELECT max(recorded_at) FROM events WHERE type = 'export.done' AND device = ?", (station.store.device_id,)
    )
    return from_iso(value) if value else None


def outbox_setting(station: Station) -> Path | None:
    value = station.store.setting(OUTBOX_SETTING)
    return Path(value) if value else None


# --- the folder -------------------------------------------------------------------------------------------------


def _check_outbox(outbox: Path) -> None:
    if not outbox.exists():
        raise ExportError(f"导出文件夹 {outbox} 不存在：请插入 U 盘、连上共享文件夹，或在「导出」设置中另选文件夹。")
    if not outbox.is_dir():
        raise ExportError(f"{outbox} 不是文件夹：请在「导出」设置中另选导出文件夹。")


def _new_folder(outbox: Path, station_code: str, moment: datetime) -> Path:
    parent = outbox / station_code
    try:
        parent.mkdir(exist_ok=True)
        stamp = f"{moment:%Y%m%d-%H%M%S}"
        for attempt in range(1, 1000):
            folder = parent / (stamp if attempt == 1 else f"{stamp}-{attempt}")
            try:
                folder.mkdir()
                return folder
            except FileExistsError:
                continue
    except OSError as exc:
        raise io_error(exc, outbox) from exc
    raise ExportError(f"{parent} 中同一秒的导出文件夹太多")


# --- writing ----------------------------------------------------------------------------------------------------


class _Run:
    """One export's writing: files written by a few threads, each on its own connection to the same snapshot.

    SQLite builds each CSV line in C without holding Python's lock, and a file's fsync waits on the disk, so while
    one thread waits another works. Thread-safe progress; encoding problems collected across all files."""

    def __init__(self, folder: Path, encoding: str, total: int, progress: Progress | None) -> None:
        self.folder = folder
        self.encoding = encoding
        self.total = max(total, 1)
        self.done = 0
        self.progress = progress
        self.files: dict[str, WrittenFile] = {}
        self.problems: dict[str, list] = {}
        self.stop = threading.Event()
        self._lock = threading.Lock()

    def write(self, name: str, header: list[str], chunks: Iterator[tuple[bytes, int]]) -> WrittenFile:
        """A file from chunks of (CSV lines as UTF-8, how many)."""
        target = CsvFile(self.folder, name, header, self.encoding)
        try:
            for data, count in chunks:
                if self.stop.is_set():
                    raise _Stopped
                target.write_chunk(data, count)
                self._advance(count)
            if self.stop.is_set():
                raise _Stopped
            return self._commit(target)
        except BaseException:
            target.abort()
            raise

    def write_rows(self, name: str, header: list[str], rows: list[tuple], numeric: list[bool]) -> WrittenFile:
        """Small files computed here (indicators, the dictionary)."""
        target = CsvFile(self.folder, name, header, self.encoding)
        try:
            target.write_rows([tuple(guard_cell(v) for v in row) for row in rows], numeric)
            self._advance(len(rows))
            return self._commit(target)
        except BaseException:
            target.abort()
            raise

    def _advance(self, rows: int) -> None:
        with self._lock:
            self.done += rows
            done = min(self.done, self.total)
        if self.progress:
            self.progress(done, self.total)

    def _commit(self, target: CsvFile) -> WrittenFile:
        written = target.commit()
        with self._lock:
            self.problems[target.name] = target.problems
            self.files[target.name] = written
        return written


class _Stopped(Exception):
    """Another file of the same export failed: this one stops too."""


Task = tuple[str, Callable[[sqlite3.Connection], WrittenFile]]


def _run_tasks(run: _Run, connections: list[sqlite3.Connection], tasks: list[Task], between) -> None:  # noqa: ANN001
    """Each thread takes the next file from the list; the first failure stops the others and is raised here."""
    queue = list(reversed(tasks))
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work(conn: sqlite3.Connection) -> None:
        while not run.stop.is_set():
            with lock:
                if not queue:
                    return
                name, task = queue.pop()
            try:
                task(conn)
                if between:
                    between(name)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the calling thread
                if not isinstance(exc, _Stopped):
                    errors.append(exc)
                run.stop.set()
                return

    threads = [threading.Thread(target=work, args=(c,), name=f"export-{i}") for i, c in enumerate(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def _snapshot(path: Path, count: int, include_personal: bool) -> list[sqlite3.Connection]:
    """`count` connections reading the very same state. Each begins its read while this holds the write lock, so no
    one can commit in between; the lock is held for milliseconds, and the readers never block the app's writers."""
    gate = connect(path)
    connections: list[sqlite3.Connection] = []
    try:
        gate.execute("BEGIN IMMEDIATE")
        for _ in range(count):
            conn = connect(path)
            connections.append(conn)
            register_functions(conn, include_personal)
            conn.execute("BEGIN")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the read, and so the snapshot, starts here
        gate.execute("ROLLBACK")
    except BaseException:
        for conn in connections:
            conn.close()
        raise
    finally:
        gate.close()
    return connections


def category_names(station: Station) -> dict[str, str]:
    return {
        f"{pid}/{category.id}": category.name
        for pid, loaded in station.profiles.items()
        for category in loaded.profile.categories
    }


def _count(conn, table: Table, where: str = "", params: dict | None = None) -> int:  # noqa: ANN001
    return conn.execute(f"SELECT count(*) FROM {table.source.split()[0]} t {where}", params or {}).fetchone()[0]


def _manifest(station: Station, result: dict, files: list[WrittenFile], options: dict, written_at: datetime) -> bytes:
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "export": result["uuid"],
        "station": {"code": station.station_code, "name": station.station_name},
        "device": {"id": station.store.device_id, "code": station.store.device_code},
        "events": {
            "first_seq": result["first_seq"],
            "last_seq": result["last_seq"],
            "rows": result["rows"],
            "full": result["full"],
            "excluded_types": ["export.done"],
        },
        "schema_version": SCHEMA_VERSION,
        "written_at": to_iso(written_at),
        "program": f"station-tui {__version__}",
        **options,
        "files": [{"name": f.name, "rows": f.rows, "bytes": f.bytes, "sha256": f.sha256} for f in files],
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def run_export(
    station: Station,
    *,
    outbox: Path | None = None,
    full: bool = False,
    language: str = "zh",
    encoding: str = "utf-8-sig",
    include_personal_data: bool = False,
    operator: str | None = None,
    progress: Progress | None = None,
    _between_files: Callable[[str], None] | None = None,
) -> ExportResult:
    """Export into `outbox` (default: the outbox setting). Raises ExportError with a plain message; the mark moves
    only when everything, the manifest last, is on disk. `_between_files` is for crash tests only."""
    if language not in HEADER_LANGUAGES:
        raise ExportError(f"列名语言应为 {' 或 '.join(HEADER_LANGUAGES)}")
    if encoding not in ENCODINGS:
        raise ExportError(f"编码应为 {'、'.join(ENCODINGS)} 之一")
    outbox = outbox or outbox_setting(station)
    if outbox is None:
        raise ExportError("还没有设置导出文件夹：请在「导出」设置中选择，或用 --to 指定。")
    if include_personal_data and not operator:
        raise ExportError("导出含个人信息须由操作员授权")
    if not _RUNNING.acquire(blocking=False):
        raise ExportError("已有一次导出正在进行，请稍候。")
    try:
        _check_outbox(outbox)
        export_id = str(uuid_lib.uuid4())
        store = station.store
        if include_personal_data:
            store.record(
                "export.personal_data_included", {"export": export_id, "outbox": str(outbox)}, operator=operator
            )
        return _export(
            station,
            export_id,
            outbox,
            full,
            language,
            encoding,
            include_personal_data,
            operator,
            progress,
            _between_files,
        )
    finally:
        _RUNNING.release()


def _export(
    station: Station,
    export_id: str,
    outbox: Path,
    full: bool,
    language: str,
    encoding: str,
    include_personal: bool,
    operator: str | None,
    progress: Progress | None,
    between: Callable[[str], None] | None,
) -> ExportResult:
    store = station.store
    folder: Path | None = None
    connections: list[sqlite3.Connection] = []
    try:
        connections = _snapshot(store.path, WRITERS, include_personal)
        conn = connections[0]
        mark = 0 if full else last_mark(conn, store.device_id)
        last_seq = max(conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0], mark)
        event_where = "t.seq > :mark AND t.seq <= :last AND t.type != 'export.done'"
        event_params = {"mark": mark, "last": last_seq}
        names = category_names(station)
        snapshot_tables = tables(names)
        events = events_table()
        total = sum(_count(conn, t) for t in snapshot_tables) + _count(
            conn, events, f"WHERE {event_where}", event_params
        )
        folder = _new_folder(outbox, station.station_code, store.clock())
        run = _Run(folder, encoding, total, progress)
        work_calendar = calendar(station)  # built here: the threads only read it

        def table_task(table: Table) -> Callable[[sqlite3.Connection], WrittenFile]:
            def write(c: sqlite3.Connection) -> WrittenFile:
                columns = full_columns(c, table)
                where, params = (event_where, event_params) if table is events else ("", None)
                chunks = line_chunks(c, table, columns, include_personal, where, params)
                return run.write(table.file, headers(columns, language), chunks)

            return write

        def indicators_task(c: sqlite3.Connection) -> WrittenFile:
            rows = list(indicator_rows(c, work_calendar, names))
            return run.write_rows(
                INDICATORS, headers(INDICATOR_COLUMNS, language), rows, numeric_flags(INDICATOR_COLUMNS)
            )

        def dictionary_task(c: sqlite3.Connection) -> WrittenFile:
            from station_tui.services.export_dictionary import dictionary_rows

            rows = dictionary_rows(language, snapshot_tables, c)
            return run.write_rows(DICTIONARY, dictionary_header(language), rows, [False] * 5)

        # The largest first, so that the threads finish together.
        tasks: list[Task] = [(events.file, table_task(events)), (INDICATORS, indicators_task)]
        tasks += [(t.file, table_task(t)) for t in snapshot_tables]
        tasks.append((DICTIONARY, dictionary_task))
        _run_tasks(run, connections, tasks, between)
        problems = [p for name in FILE_ORDER for p in run.problems.get(name, [])]
        if problems:
            raise EncodingProblems(encoding, problems)
        if between:
            between(MANIFEST)
        event_rows = run.files[events.file].rows
        result = {"uuid": export_id, "first_seq": mark + 1, "last_seq": last_seq, "rows": event_rows, "full": full}
        options = {
            "headers": language,
            "encoding": encoding,
            "personal_data": "included" if include_personal else "masked",
        }
        files = [run.files[name] for name in FILE_ORDER]
        manifest = _manifest(station, result, files, options, store.clock())
        write_bytes_safely(folder, MANIFEST, manifest)
        fsync_folder(folder)
    except sqlite3.OperationalError as exc:
        _discard(folder)
        raise ExportError(f"读取数据库时出错（{exc}）：请稍后重试。{_AGAIN}") from exc
    except OSError as exc:
        _discard(folder)
        raise io_error(exc, outbox) from exc
    except ExportError:
        _discard(folder)
        raise
    finally:
        for c in connections:
            c.close()
    # The manifest is on disk: now, and only now, the mark moves.
    store.record(
        "export.done",
        {
            "uuid": export_id,
            "folder": str(folder),
            "first_seq": mark + 1,
            "last_seq": last_seq,
            "rows": event_rows,
            "full": int(full),
        },
        operator=operator,
    )
    return ExportResult(export_id, folder, mark + 1, last_seq, event_rows, tuple(files), full)


def dictionary_header(language: str) -> list[str]:
    from station_tui.services.export_dictionary import HEADER

    return [zh if language == "zh" else en for zh, en in HEADER]


def _discard(folder: Path | None) -> None:
    """After a failure, remove what this run wrote (best effort: the stick may be gone). A crash cannot come here:
    what it leaves has no manifest, which makes it incomplete by definition."""
    if folder is None:
        return
    try:
        for child in folder.iterdir():
            child.unlink()
        folder.rmdir()
    except OSError:
        pass


# --- history ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PastExport:
    finished_at: datetime
    folder: str
    first_seq: int | None
    last_seq: int | None
    rows: int
    full: bool
    status: str  # complete, missing (folder gone: a stick taken away), damaged (verify fails)


def past_exports(station: Station, limit: int = 50) -> list[PastExport]:
    rows = station.store.rows(
        "SELECT finished_at, folder, first_seq, last_seq, rows, full FROM exports WHERE device = ?"
        " ORDER BY finished_at DESC LIMIT ?",
        (station.store.device_id, limit),
    )
    result = []
    for row in rows:
        folder = Path(row["folder"])
        status = "complete" if (folder / MANIFEST).exists() else "missing"
        result.append(
            PastExport(
                from_iso(row["finished_at"]),
                row["folder"],
                row["first_seq"],
                row["last_seq"],
                row["rows"],
                bool(row["full"]),
                status,
            )
        )
    return result


def incomplete_folders(station: Station, outbox: Path | None = None) -> list[Path]:
    """Folders an interrupted export left behind (no manifest): they are not sent, the next export repeats them."""
    outbox = outbox or outbox_setting(station)
    if outbox is None:
        return []
    parent = outbox / station.station_code
    try:
        return sorted(
            p for p in parent.iterdir() if p.is_dir() and _STAMP.fullmatch(p.name) and not (p / MANIFEST).exists()
        )
    except OSError:
        return []


_STAMP = re.compile(r"\d{8}-\d{6}(-\d+)?")


def pending_events(station: Station) -> int:
    """Events not yet exported (what the next export will carry, apart from export receipts)."""
    mark = last_mark(station.store.conn, station.store.device_id)
    return station.store.one("SELECT count(*) FROM events WHERE seq > ? AND type != 'export.done'", (mark,))
