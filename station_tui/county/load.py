"""`station-tui county load FOLDER... --into TARGET`: each station's export folders, verified, loaded once.

For each folder, in order of the time its export was written:
1. the manifest is read: no manifest means an incomplete export, another format means a foreign folder: refused;
2. an export already loaded (its id is in `loads`) is skipped: its rows are in, byte for byte (they were verified);
3. the folder is checked against its manifest as `export verify` checks it (each file's size, SHA-256 and
   records; the records of the files loaded are counted as the database reads them, in the transaction below): a
   mismatch rolls back and is refused with the reasons `export verify` gives;
4. in one transaction: the events are inserted by (station, uuid), existing ones skipped (a resend after a crash
   overlaps the previous folder); the station's snapshot tables follow this export when it is newer than the one
   they came from (changed rows updated, new ones added); the export's event range is recorded, from which the gaps are computed.
A refused folder is recorded with its reason (see `county status`) and the other folders load.

On SQLite with several folders to read, worker processes do step 3 and parse the CSV files ahead of the loading
(county/prepare.py); steps 1, 2 and 4 stay here, in the same statements."""

from __future__ import annotations

import contextlib
import csv
import json
import queue
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path

from station_tui.county.contract import MANIFEST, SNAPSHOT_FILES, contracts, verify_folder
from station_tui.county.facts import REOPENED, follow_folder
from station_tui.county.folder import (
    CheckFailed,
    csv_load,
    expect_rows,
    foreign,
    matches,
    read_manifest,
    station_of,
)
from station_tui.county.prepare import Prepared, Preparer, worker_count
from station_tui.county.schema import OUTCOME_TYPES, ensure_schema, record_schedule
from station_tui.county.target import CsvLoad, Target
from station_tui.domain.timeutil import system_now, to_iso

Progress = Callable[[int, int, str], None]  # (folders done, folders in all, the folder being loaded)


@dataclass
class FolderResult:
    folder: Path
    station: str
    status: str  # loaded, already, refused
    event_rows: int = 0
    new_events: int = 0
    snapshot: bool = False  # the station's snapshot tables were replaced from this folder
    reason: str = ""


@dataclass(frozen=True)
class Gap:
    station: str
    device: str
    first: int
    last: int
    after: str  # the folder before the hole ("" when the hole is before the first folder loaded)
    before: str

    def __str__(self) -> str:
        where = f"在 {self.after} 与 {self.before} 之间" if self.after else f"在 {self.before} 之前"
        return f"{self.station}：设备 {self.device[:8]} 缺事件序号 {self.first}–{self.last}（{where}，少了一次导出？）"


@dataclass
class LoadReport:
    folders: list[FolderResult] = field(default_factory=list)
    gaps: list[Gap] = field(default_factory=list)

    @property
    def refused(self) -> list[FolderResult]:
        return [f for f in self.folders if f.status == "refused"]

    @property
    def new_events(self) -> int:
        return sum(f.new_events for f in self.folders)


def _insert_csv(target: Target, load: CsvLoad) -> int:
    """The file's rows into their table: on the station's first load of that table nothing can be there to meet
    them, and the target may skip the checks (PostgreSQL: COPY straight into the table)."""
    if target.station_has_rows(load.table, load.station):
        return target.insert_csv_new(load)
    return target.insert_csv_first(load)


# --- loading --------------------------------------------------------------------------------------------------------


def _load_events(target: Target, folder: Path, manifest: dict, station: str) -> tuple[int, int, str]:
    new = _insert_csv(target, csv_load(folder, contracts()["events.csv"], manifest, station))
    expect_rows(manifest, "events.csv", target.rows_read)
    # From the events just added: the outcomes, the pauses' working days, the newest time.
    added = target.new_rows("events")
    target.execute(
        "INSERT INTO outcomes (station, uuid, application, type, day, seq)"
        f" SELECT station, uuid, application, type, substr(recorded_at, 1, 10), seq FROM {added}"
        " AND type IN (?, ?) ON CONFLICT DO NOTHING",
        OUTCOME_TYPES,
    )
    pauses = []
    for application, payload in target.query(
        f"SELECT application, payload FROM {added} AND type = 'application.resumed'"
    ):
        values = json.loads(payload)
        pauses.append((station, values["pause"], application, values["paused_workdays"]))
    target.insert_new("pauses", ["station", "uuid", "application", "paused_workdays"], ("station", "uuid"), pauses)
    # A 站长's review that reopened a termination undoes it (as at the station): kept as an outcome that cancels.
    reopened = [
        (station, uuid, application, REOPENED, recorded[:10], seq)
        for uuid, application, payload, recorded, seq in target.query(
            f"SELECT uuid, application, payload, recorded_at, seq FROM {added} AND type = ?", (REOPENED,)
        )
        if json.loads(payload).get("outcome") == "reopened"
    ]
    columns = ["station", "uuid", "application", "type", "day", "seq"]
    target.insert_new("outcomes", columns, ("station", "uuid"), reopened)
    newest = target.query(f"SELECT max(recorded_at) FROM {added}")[0][0]
    return int(manifest["events"]["rows"]), new, newest or ""


CHILD_FILES = ("documents.csv", "stages.csv", "notices.csv")  # the snapshot rows kept per application


def _key(name: str) -> str:
    return "uuid" if name == "applications.csv" else "application"


def _apply_snapshot(target: Target, folder: Path, manifest: dict, station: str) -> bool:
    """The export's snapshot rows replace the county's, application by application, where this export is newer than
    the one the county's rows came from (a night arriving late changes nothing a later night gave): the application
    and all its documents, stages and notices (so a row the station removed goes too). A full snapshot that is the
    station's newest also removes what the station no longer has. Every file's records are counted either way.
    Returns whether any application's rows were replaced."""
    if not target.station_has_rows("snapshot_applications", station):
        return _first_snapshot(target, folder, manifest, station)
    staged = {}
    for name in SNAPSHOT_FILES:
        staged[name] = target.stage_csv(csv_load(folder, contracts()[name], manifest, station))
        expect_rows(manifest, name, target.rows_read)
    written = manifest["written_at"]
    newest = target.query("SELECT max(written_at) FROM snapshot_applications WHERE station = ?", (station,))[0][0]
    applied = _replace_newer(target, folder, manifest, station, staged)
    if manifest.get("snapshot", "full") == "full" and newest <= written:
        staged["snapshot_applications"] = staged["applications.csv"]
        for name, held in staged.items():
            table = name.removesuffix(".csv")
            target.execute(
                f"DELETE FROM {table} WHERE station = ? AND uuid NOT IN (SELECT uuid FROM {held})", (station,)
            )
    return applied


def _replace_newer(target: Target, folder: Path, manifest: dict, station: str, staged: dict[str, str]) -> bool:
    """The staged rows of the applications this export is newer for (or that the county has not seen) replace the
    county's, and snapshot_applications records the export they are now as of."""
    written = manifest["written_at"]
    newer = target.temp_table("snap_newer", "uuid TEXT PRIMARY KEY")
    target.execute(
        f"INSERT INTO {newer} (uuid) SELECT s.uuid FROM {staged['applications.csv']} s LEFT JOIN snapshot_applications"
        " k ON k.station = ? AND k.uuid = s.uuid WHERE k.written_at IS NULL OR k.written_at < ?",
        (station, written),
    )
    chosen = f"IN (SELECT uuid FROM {newer})"
    for name in (*CHILD_FILES, "applications.csv"):
        target.execute(f"DELETE FROM {contracts()[name].table} WHERE station = ? AND {_key(name)} {chosen}", (station,))
    for name in ("applications.csv", *CHILD_FILES):
        contract = contracts()[name]
        names = ", ".join(["station", *contract.names])
        load = replace(csv_load(folder, contract, manifest, station), mode="update")
        target.execute(
            f"INSERT INTO {contract.table} ({names}) SELECT {names} FROM {staged[name]} WHERE {_key(name)} {chosen}"
            f" {target.conflict(load)}"
        )
    return (
        target.execute(
            "INSERT INTO snapshot_applications (station, uuid, written_at)"
            f" SELECT ?, uuid, ? FROM {newer} WHERE true"
            " ON CONFLICT (station, uuid) DO UPDATE SET written_at = excluded.written_at",
            (station, written),
        )
        > 0
    )


def _first_snapshot(target: Target, folder: Path, manifest: dict, station: str) -> bool:
    """The station's first snapshot: nothing to compare with, so its rows go straight in (a station's first load is
    most of a county's loading time)."""
    for name in SNAPSHOT_FILES:
        _insert_csv(target, replace(csv_load(folder, contracts()[name], manifest, station), mode="update"))
        expect_rows(manifest, name, target.rows_read)
    return (
        target.execute(
            "INSERT INTO snapshot_applications (station, uuid, written_at) SELECT station, uuid, ? FROM applications"
            " WHERE station = ?",
            (manifest["written_at"], station),
        )
        > 0
    )


def _station_row(target: Target, code: str) -> tuple | None:
    rows = target.query(
        "SELECT name, snapshot_written_at, last_export_at, last_event_at FROM stations WHERE code = ?", (code,)
    )
    return rows[0] if rows else None


def _load_folder(target: Target, folder: Path, manifest: dict, station: str) -> FolderResult:
    written = manifest["written_at"]
    result = FolderResult(folder, station, "loaded")
    with target.transaction():
        target.lock_station(station)
        result.event_rows, result.new_events, last_event = _load_events(target, folder, manifest, station)
        current = _station_row(target, station)
        result.snapshot = _apply_snapshot(target, folder, manifest, station)
        follow_folder(target, station, written, manifest.get("snapshot", "full") == "full")
        newer = current is None or current[1] is None or written > current[1]
        events = manifest["events"]
        target.execute(
            "INSERT INTO loads (station, export, device, folder, written_at, first_seq, last_seq, event_rows,"
            " new_events, loaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                station,
                manifest["export"],
                manifest["device"]["id"],
                str(folder),
                written,
                events["first_seq"],
                events["last_seq"],
                result.event_rows,
                result.new_events,
                to_iso(system_now()),
            ),
        )
        _update_station(target, station, manifest, folder, last_event, current, newer)
        record_schedule(target, station, manifest)
        target.execute("DELETE FROM refusals WHERE folder = ?", (str(folder),))
    return result


def _update_station(
    target: Target, code: str, manifest: dict, folder: Path, last_event: str, current: tuple | None, snapshot: bool
) -> None:
    written = manifest["written_at"]
    name = manifest["station"].get("name") or code
    if current is None:
        target.execute(
            "INSERT INTO stations (code, name, snapshot_export, snapshot_written_at, last_export_at, last_event_at,"
            " last_folder) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (code, name, manifest["export"], written, written, last_event or None, str(folder)),
        )
        return
    _, _, last_export, last_seen = current
    newer = last_export is None or written > last_export
    target.execute(
        "UPDATE stations SET name = ?, last_export_at = ?, last_event_at = ?, last_folder = ? WHERE code = ?",
        (
            name if newer else current[0],
            written if newer else last_export,
            max(filter(None, (last_seen, last_event)), default=None),
            str(folder) if newer else target.query("SELECT last_folder FROM stations WHERE code = ?", (code,))[0][0],
            code,
        ),
    )
    if snapshot:
        target.execute(
            "UPDATE stations SET snapshot_export = ?, snapshot_written_at = ? WHERE code = ?",
            (manifest["export"], written, code),
        )


def _refuse(target: Target, folder: Path, station: str, reason: str) -> FolderResult:
    with target.transaction():
        target.execute("DELETE FROM refusals WHERE folder = ?", (str(folder),))
        target.execute(
            "INSERT INTO refusals (folder, station, reason, seen_at) VALUES (?, ?, ?, ?)",
            (str(folder), station, reason, to_iso(system_now())),
        )
    return FolderResult(folder, station, "refused", reason=reason)


def load_one(target: Target, folder: Path, prepared: Prepared | None = None) -> FolderResult:
    """One folder; `prepared`: its files as a worker process checked and read them (county/prepare.py)."""
    manifest = read_manifest(folder)
    station = station_of(folder, manifest)
    if manifest is None:
        verification = verify_folder(folder)  # says why: missing manifest, temporary files, not a folder
        return _refuse(target, folder, station, "；".join(verification.problems) or f"{MANIFEST} 无法读取")
    reason = foreign(manifest)
    if reason:
        return _refuse(target, folder, station, reason)
    if _loaded_before(target, station, manifest):
        return FolderResult(folder, station, "already", event_rows=int(manifest["events"]["rows"]))
    try:
        if prepared is None:
            if not matches(folder, manifest):
                raise CheckFailed("")
            return _load_folder(target, folder, manifest, station)
        with target.prepared(prepared.file, prepared.folder, prepared.rows):
            return _load_folder(target, folder, manifest, station)
    except CheckFailed as exc:
        problems = verify_folder(folder).problems or [str(exc) or "文件与清单不符"]
        return _refuse(target, folder, station, "；".join(problems))
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, csv.Error, OSError) as exc:
        return _refuse(target, folder, station, f"内容无法读取：{exc}")


def _loaded_before(target: Target, station: str, manifest: dict) -> bool:
    return bool(
        target.query("SELECT 1 FROM loads WHERE station = ? AND export = ?", (station, manifest.get("export", "")))
    )


def expand(folders: Iterable[Path]) -> list[Path]:
    """Each argument is an export folder, a station's folder of exports, or an outbox of stations' folders."""
    found: list[Path] = []
    for folder in folders:
        folder = Path(folder)
        if (folder / MANIFEST).exists() or not folder.is_dir() or _looks_like_export(folder):
            found.append(folder)
            continue
        children = sorted(p for p in folder.iterdir() if p.is_dir())
        found.extend(expand(children) if children else [folder])
    return found


def _looks_like_export(folder: Path) -> bool:
    return any(p.is_file() and p.suffix in (".csv", ".partial", ".json") for p in folder.iterdir())


def _order(folder: Path) -> tuple[str, str]:
    manifest = read_manifest(folder) or {}
    return (str(manifest.get("written_at", "")), str(folder))


def load_folders(
    target: Target,
    folders: Iterable[Path],
    progress: Progress | None = None,
    jobs: int = 1,
    workers: int | None = None,
) -> LoadReport:
    """Every folder, each station's in the order they were written. With jobs > 1 (PostgreSQL: SQLite has one
    writer at a time), that many connections load different stations side by side. On SQLite, `workers` processes
    read the folders ahead of the loading (None: one per processor when there are several folders to read)."""
    ensure_schema(target)
    ordered = sorted(expand(folders), key=_order)
    report = LoadReport()
    if jobs > 1 and target.dialect == "postgresql":
        report.folders = _load_side_by_side(target, ordered, jobs, progress)
    else:
        report.folders = _load_in_order(target, ordered, progress, workers)
    if progress:
        progress(len(ordered), len(ordered), "")
    report.gaps = find_gaps(target)
    return report


def _load_in_order(
    target: Target, ordered: list[Path], progress: Progress | None, workers: int | None
) -> list[FolderResult]:
    to_read = _to_read(target, ordered) if target.dialect == "sqlite" else []
    processes = worker_count(len(to_read)) if workers is None else min(workers, len(to_read))
    results = []
    with contextlib.ExitStack() as stack:
        preparer = stack.enter_context(Preparer(to_read, processes)) if processes else None
        for index, folder in enumerate(ordered):
            if progress:
                progress(index, len(ordered), str(folder))
            prepared = preparer.take(folder) if preparer else None
            try:
                results.append(load_one(target, folder, prepared))
            finally:
                if preparer:
                    preparer.release(prepared)
    return results


def _to_read(target: Target, ordered: list[Path]) -> list[Path]:
    """The folders this run will read (not loaded before), in the order they load: what workers may read ahead."""
    found = []
    for folder in dict.fromkeys(ordered):
        manifest = read_manifest(folder)
        readable = manifest is not None and not foreign(manifest)
        if readable and not _loaded_before(target, station_of(folder, manifest), manifest):
            found.append(folder)
    return found


def _load_side_by_side(target: Target, ordered: list[Path], jobs: int, progress: Progress | None) -> list[FolderResult]:
    """Each station's folders, in order, on one of `jobs` connections: stations share no row, and a station's
    folders keep their order (the snapshot follows the newest). Results come back in the order of `ordered`."""
    groups: dict[str, list[int]] = {}
    for index, folder in enumerate(ordered):
        groups.setdefault(station_of(folder, read_manifest(folder)), []).append(index)
    todo: queue.Queue[list[int]] = queue.Queue()
    for group in sorted(groups.values(), key=len, reverse=True):
        todo.put(group)
    done: queue.Queue[tuple[int, FolderResult | BaseException]] = queue.Queue()
    stop = threading.Event()

    def work() -> None:
        try:
            own = target.connect_again()
        except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread, raised there
            done.put((-1, exc))
            return
        try:
            while not stop.is_set():
                try:
                    group = todo.get_nowait()
                except queue.Empty:
                    return
                for index in group:
                    done.put((index, load_one(own, ordered[index])))
        except BaseException as exc:  # noqa: BLE001 - as above
            done.put((-1, exc))
        finally:
            own.close()

    results: list[FolderResult | None] = [None] * len(ordered)
    with ThreadPoolExecutor(min(jobs, len(groups)) or 1) as pool:
        for _ in range(min(jobs, len(groups))):
            pool.submit(work)
        try:
            for count in range(len(ordered)):
                index, outcome = done.get()
                if isinstance(outcome, BaseException):
                    raise outcome
                results[index] = outcome
                if progress:
                    progress(count + 1, len(ordered), str(ordered[index]))
        finally:
            stop.set()
    return [r for r in results if r is not None]


def find_gaps(target: Target, station: str | None = None) -> list[Gap]:
    """The holes between the event ranges loaded, per station and exporting device."""
    where, params = ("WHERE station = ?", (station,)) if station else ("", ())
    rows = target.query(
        f"SELECT station, device, first_seq, last_seq, folder FROM loads {where}"
        " ORDER BY station, device, first_seq, last_seq",
        params,
    )
    gaps: list[Gap] = []
    key, covered, previous = None, 0, ""
    for code, device, first, last, folder in rows:
        if (code, device) != key:
            key, covered, previous = (code, device), 0, ""
        if last < first:  # an export with nothing new
            continue
        if first > covered + 1:
            gaps.append(Gap(code, device, covered + 1, first - 1, previous, folder))
        if last > covered:
            covered, previous = last, folder
    return gaps
