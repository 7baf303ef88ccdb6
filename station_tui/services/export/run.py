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

import dataclasses
import json
import os
import re
import sqlite3
import threading
import uuid as uuid_lib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from station_tui import __version__
from station_tui.domain.errors import StationError
from station_tui.domain.timeutil import from_iso, to_iso
from station_tui.services import field
from station_tui.services.export.chunks import AGAIN, SqlChunk, begin_read
from station_tui.services.export.files import (
    ENCODINGS,
    EncodingProblems,
    ExportError,
    WrittenFile,
    fsync_folder,
    io_error,
    rows_chunk,
    write_bytes_safely,
)
from station_tui.services.export.pool import Chunk, FilePlan, Job, Maker, Pool
from station_tui.services.export.tables import (
    Table,
    chunk_bounds,
    chunk_sql,
    events_table,
    full_columns,
    headers,
    numeric_flags,
    register_functions,
    tables,
)
from station_tui.services.export.worker import ChunkWorker, WorkerGone
from station_tui.services.indicators import COLUMNS as INDICATOR_COLUMNS
from station_tui.services.indicators import indicator_rows
from station_tui.services.station import Station
from station_tui.services.workers import can_start
from station_tui.store import payloads as ev
from station_tui.store.backup import BackgroundCheck, BackupAlongside, backups_after_export
from station_tui.store.database import connect
from station_tui.store.errors import ClockBehindError
from station_tui.store.schema import SCHEMA_VERSION

MANIFEST = "manifest.json"
DICTIONARY = "dictionary.csv"
INDICATORS = "indicators.csv"
FORMAT = "station-tui-export"
FORMAT_VERSION = 1
HEADER_LANGUAGES = ("zh", "en")
PROCESS_ROWS = 100_000  # from about this many events on, chunks are also made by worker processes (worker.py)
FILE_ORDER = (
    "applications.csv",
    "documents.csv",
    "stages.csv",
    "notices.csv",
    "works.csv",
    "events.csv",
    INDICATORS,
    DICTIONARY,
)
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
    backups: tuple[Path, ...] = ()
    backup_problem: str | None = None


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


def _snapshot(path: Path, include_personal: bool, processes: int) -> list[Maker]:
    """A connection of this process and `processes` worker processes, all reading the very same state. Each begins
    its read while this holds the write lock, so no one can commit in between; the lock is held for milliseconds (the
    workers are started before it), and the readers never block the app's writers. A worker that does not start is
    left out: the export is then slower, not refused."""
    workers = _started(path, include_personal, processes)
    gate = connect(path)
    makers: list[Maker] = []
    try:
        gate.execute("BEGIN IMMEDIATE")
        conn = connect(path)
        makers.append(conn)
        register_functions(conn, include_personal)
        begin_read(conn)
        for worker in workers:
            try:
                worker.begin()
            except WorkerGone:
                worker.close()
            else:
                makers.append(worker)
        gate.execute("ROLLBACK")
    except BaseException:
        _close([m for m in makers if m not in workers] + workers)
        raise
    finally:
        gate.close()
    return makers


def _started(path: Path, include_personal: bool, processes: int) -> list[ChunkWorker]:
    """The workers that started (Python, imports, connection), before any lock is taken."""
    workers: list[ChunkWorker] = []
    for _ in range(processes):
        try:
            workers.append(ChunkWorker(path, include_personal))
        except OSError:  # no interpreter to start (an embedded or frozen Python): this process makes every chunk
            break
    for worker in list(workers):
        try:
            worker.started()
        except (WorkerGone, sqlite3.Error):
            worker.close()
            workers.remove(worker)
    return workers


def _processes(conn: sqlite3.Connection, mark: int) -> int:
    """Worker processes for an export of this size: none for a night's few events (starting one costs more than it
    saves), one per processor beyond the first for a large one."""
    (newest,) = conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()
    if newest - mark < PROCESS_ROWS or not can_start():
        return 0
    return max(1, (os.cpu_count() or 1) - 1)


def _close(makers: list[Maker]) -> None:
    for maker in makers:
        maker.close()


def category_names(station: Station) -> dict[str, str]:
    return {
        f"{pid}/{category.id}": category.name
        for pid, loaded in station.profiles.items()
        for category in loaded.profile.categories
    }


def _count(conn, table: Table, where: str = "", params: dict | None = None) -> int:  # noqa: ANN001
    name = table.source.split()[0]
    sql = f"SELECT count(*) FROM {name} t {'WHERE ' + where if where else ''}"
    return conn.execute(sql, params or {}).fetchone()[0]


def _event_count(conn, mark: int, last_seq: int) -> int:  # noqa: ANN001
    """The events an export writes, for its progress bar: the range less the export receipts in it. Counting the
    rows themselves would read the whole log once more; seq has no gaps (the log is append-only), and should it ever
    have one, the bar only ends a little short of full."""
    receipts = conn.execute(
        "SELECT count(*) FROM events WHERE type = 'export.done' AND seq > ? AND seq <= ?", (mark, last_seq)
    ).fetchone()[0]
    return last_seq - mark - receipts


def _schedule(station: Station, written_at: datetime) -> dict:
    """The station's export schedule as the county reads it (`county status` marks a station past its schedule when
    `next_run` has passed without a newer export). Added in format 1 without a version change: older manifests lack
    it and readers treat it as optional."""
    from station_tui.services.schedule import current_schedule, next_run  # schedule imports this package

    schedule = current_schedule(station)
    following = next_run(station, written_at, schedule)
    return {
        "rule": schedule.rule,
        "workdays_only": schedule.workdays_only,
        "described": schedule.describe(),
        "next_run": to_iso(following) if following else None,
    }


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
        "schedule": _schedule(station, written_at),
        "program": f"station-tui {__version__}",
        **options,
        "files": [{"name": f.name, "rows": f.rows, "bytes": f.bytes, "sha256": f.sha256} for f in files],
    }
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


ON_LAPTOP = "这台是外勤电脑，不能向县公司导出：外勤记录交回供电所后，随供电所的导出一起报送。"


def refuse_on_laptop(station: Station) -> None:
    """A laptop never sends the county an export: its events reach the county in the station's export after checkin,
    and a copy from here would be a second, partial one from a device the county does not know."""
    if field.is_laptop(station):
        raise ExportError(ON_LAPTOP)


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
    refuse_on_laptop(station)
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
        store = station.store
        # Before anything is written: a folder named with a wrong date would be complete and verifiable, and only
        # `export.done` (recorded last) would be refused.
        behind = store.clock_behind()
        if behind is not None and not store.clock_behind_confirmed:
            raise ClockBehindError(*behind)
        _check_outbox(outbox)
        export_id = str(uuid_lib.uuid4())
        # The backup after the export is made only of a sound file: its check runs beside the writing of the files,
        # and so does the copying of a large file (it ends after export.done, see BackupAlongside).
        checked = BackgroundCheck(store.path)
        if include_personal_data:
            store.record(ev.ExportPersonalDataIncluded(export=export_id, outbox=str(outbox)), operator=operator)
        alongside = (
            BackupAlongside(store.conn, store.path, store.clock()) if BackupAlongside.worth_it(store.conn) else None
        )
        try:
            result = _export(
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
        except BaseException:
            if alongside is not None:
                alongside.give_up()
            raise
    finally:
        _RUNNING.release()
    return _with_backups(station, result, outbox, checked, alongside)


def _with_backups(
    station: Station, result: ExportResult, outbox: Path, checked: BackgroundCheck, alongside: BackupAlongside | None
) -> ExportResult:
    """A backup at every export (beside the database, and on the stick when the outbox is one). The export itself is
    done and recorded by now: a backup that cannot be made is said, not turned into a failed export."""
    store = station.store
    try:
        made = backups_after_export(
            store.conn, store.path, outbox, station.station_code, store.clock(), checked, alongside
        )
    except (OSError, sqlite3.Error, StationError) as exc:
        return dataclasses.replace(result, backup_problem=f"导出已完成，但备份没有做成：{exc}")
    return dataclasses.replace(result, backups=made)


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
    makers: list[Maker] = []
    try:
        # How many workers, from the state before the snapshot: a guess of the size is enough for that.
        processes = _processes(store.conn, 0 if full else last_mark(store.conn, store.device_id))
        makers = _snapshot(store.path, include_personal, processes)
        conn = makers[0]
        mark = 0 if full else last_mark(conn, store.device_id)
        last_seq = max(conn.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0], mark)
        event_where = "t.seq > :mark AND t.seq <= :last AND t.type != 'export.done'"
        event_params = {"mark": mark, "last": last_seq}
        # The snapshot tables are a projection of the events (store/projection.py): a row changes only with an event
        # of its application. An incremental export sends the rows of the applications its events name (a partial
        # snapshot, said in the manifest); the first export and --full send every row.
        partial = not full and mark > 0
        touched = "SELECT application FROM events WHERE seq > :mark AND seq <= :last AND application IS NOT NULL"
        names = category_names(station)
        snapshot_tables = tables(names)
        events = events_table()

        def snapshot_where(table: Table) -> str:
            if not partial:
                return ""
            return f"{'t.uuid' if table.file == 'applications.csv' else 't.application'} IN ({touched})"

        total = sum(_count(conn, t, snapshot_where(t), event_params) for t in snapshot_tables)
        total += _event_count(conn, mark, last_seq)
        folder = _new_folder(outbox, station.station_code, store.clock())
        work_calendar = station.calendar  # built here: the threads only read it

        def table_plan(table: Table) -> FilePlan:
            columns = full_columns(conn, table)
            where, params = (event_where, event_params) if table is events else ("", {})
            if partial and table is not events:
                where, params = snapshot_where(table), event_params
            sql = chunk_sql(table, columns, include_personal, where)

            jobs: list[Job] = [
                SqlChunk(table.file, sql, params, lo, hi, include_personal) for lo, hi in chunk_bounds(conn, table)
            ]
            return FilePlan(table.file, headers(columns, language), jobs)

        def indicators_job(c: sqlite3.Connection) -> Chunk:
            return rows_chunk(list(indicator_rows(c, work_calendar, names)), numeric_flags(INDICATOR_COLUMNS))

        def dictionary_job(c: sqlite3.Connection) -> Chunk:
            from station_tui.services.export.dictionary import dictionary_rows

            return rows_chunk(dictionary_rows(language, snapshot_tables, c), [False] * 5)

        # Jobs are taken in this order: the long single ones first, so that they run beside the many chunks.
        plans = [
            FilePlan(INDICATORS, headers(INDICATOR_COLUMNS, language), [indicators_job]),
            FilePlan(DICTIONARY, dictionary_header(language), [dictionary_job]),
            table_plan(events),
            *(table_plan(t) for t in snapshot_tables),
        ]
        run = Pool(folder, encoding, plans, total, progress, between)
        run.run(makers)
        problems = [p for name in FILE_ORDER for p in run.problems.get(name, [])]
        if problems:
            raise EncodingProblems(encoding, problems)
        if between:
            between(MANIFEST)
        event_rows = run.files[events.file].rows
        result = {"uuid": export_id, "first_seq": mark + 1, "last_seq": last_seq, "rows": event_rows, "full": full}
        options = {
            "snapshot": "partial" if partial else "full",
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
        raise ExportError(f"读取数据库时出错（{exc}）：请稍后重试。{AGAIN}") from exc
    except OSError as exc:
        _discard(folder)
        raise io_error(exc, outbox) from exc
    except ExportError:
        _discard(folder)
        raise
    finally:
        _close(makers)
    # The manifest is on disk: now, and only now, the mark moves.
    store.record(
        ev.ExportDone(
            uuid=export_id,
            folder=str(folder),
            first_seq=mark + 1,
            last_seq=last_seq,
            rows=event_rows,
            full=int(full),
        ),
        operator=operator,
    )
    return ExportResult(export_id, folder, mark + 1, last_seq, event_rows, tuple(files), full)


def dictionary_header(language: str) -> list[str]:
    from station_tui.services.export.dictionary import HEADER

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
