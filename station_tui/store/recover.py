"""`station-tui recover`: a new database from every event a damaged file still holds and its newest good backup.

The damaged file is never written (salvage.py reads a copy). The events of both sources are joined by UUID; a UUID
with two different contents is never merged silently: the backup's copy (a file SQLite found sound) is kept and the
other is reported. The projection is replayed into the new file event by event; an event that cannot be replayed
because what it depends on was lost is put aside in a JSON Lines file beside the new database, not dropped. What is
missing from each device's sequence is recorded in the new file as a `store.recovered` event, so `check` knows the
gaps are known losses and not removals, and a person reads what was lost in the report."""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from station_tui.domain.timeutil import Clock, from_iso, system_now
from station_tui.store import catalogue
from station_tui.store import payloads as ev
from station_tui.store.append import insert_event
from station_tui.store.backup import automatic_backups
from station_tui.store.database import Store, connect, new_schema, put_in_place
from station_tui.store.errors import ClockBehindError, StoreError
from station_tui.store.events import EVENT_COLUMNS, Event, dump_payload
from station_tui.store.salvage import UNREADABLE, Salvage, read_rows, readonly_copy, salvage, top_rowid

RECOVERED = "store.recovered"
# What an application row must agree on between the damaged file's state and the recovered one.
_APPLICATION_STATE = "uuid, number, status, current_stage, due_date, paused_at, finished_at"


@dataclass(frozen=True)
class Loss:
    """Events of one device that neither source holds: device_seq first..last, between two recorded times."""

    device: str
    first: int
    last: int
    before: str | None
    after: str | None


@dataclass
class RecoverReport:
    target: Path
    damaged: Salvage
    backup: Salvage | None
    from_damaged_only: int = 0
    from_backup_only: int = 0
    from_both: int = 0
    conflicts: list[str] = field(default_factory=list)
    put_aside: list[Event] = field(default_factory=list)
    aside_file: Path | None = None
    garbled_file: Path | None = None  # the damaged file's garbled rows whose event is not in the new file, as read
    losses: list[Loss] = field(default_factory=list)
    unread_local: list[tuple[int, int]] = field(default_factory=list)  # local seq ranges of the file, not found
    touched: list[str] = field(default_factory=list)
    skipped_backups: list[str] = field(default_factory=list)
    check_problems: list[str] = field(default_factory=list)

    @property
    def events(self) -> int:
        return self.from_damaged_only + self.from_backup_only + self.from_both - len(self.put_aside)


def _content(event: Event) -> tuple:
    return (event.device, event.device_seq, event.type, event.application, dump_payload(event.payload),
            event.recorded_at, event.operator, event.simulated, event.version)  # fmt: skip


def choose_backup(damaged: Path, given: Path | None, report_skipped: list[str]) -> Salvage | None:
    """The given backup, else the newest backup beside the file that SQLite finds sound."""
    candidates = [given] if given is not None else list(reversed(automatic_backups(damaged)))
    for candidate in candidates:
        found = salvage(candidate)
        if found.sound and found.events:
            return found
        report_skipped.append(f"{candidate}（{found.problem or '文件也已损坏或没有事件'}）")
    return None


def _merge(report: RecoverReport) -> list[Event]:
    """Both sources' events by UUID, in the original arrival order (seq)."""
    merged: dict[str, Event] = dict(report.backup.events) if report.backup else {}
    taken = {(e.device, e.device_seq): e.uuid for e in merged.values()}
    for event in report.damaged.events.values():
        known = merged.get(event.uuid)
        if known is not None:
            if _content(known) == _content(event):
                report.from_both += 1
            else:
                report.conflicts.append(f"事件 {event.uuid} 在两处内容不同：采用备份中的一份（损坏文件中的不可信）")
            continue
        clash = taken.get((event.device, event.device_seq))
        if clash is not None:
            report.conflicts.append(
                f"设备 {event.device[:8]} 序号 {event.device_seq} 在两处是不同的事件（{clash[:8]} 与 {event.uuid[:8]}）："
                "采用备份中的一个"
            )
            continue
        merged[event.uuid] = event
        taken[(event.device, event.device_seq)] = event.uuid
        report.from_damaged_only += 1
    report.from_backup_only = len(merged) - report.from_both - report.from_damaged_only
    return sorted(merged.values(), key=lambda e: (e.seq or 0, e.uuid))


def _build(partial: Path, meta: dict[str, str], events: list[Event], report: RecoverReport) -> None:
    """The schema, the original meta (the station keeps its device id) and the events with their original seq,
    each replayed in its own savepoint."""
    conn = connect(partial)
    try:
        new_schema(conn, meta)
        used: set[int] = set()
        for event in events:
            seq = event.seq if event.seq and event.seq not in used else max(used, default=0) + 1
            used.add(seq)
            conn.execute("SAVEPOINT one")
            try:
                insert_event(conn, event, seq)
                catalogue.apply(conn, event)
            except (catalogue.UnknownEventError, sqlite3.Error, KeyError, TypeError, ValueError):
                conn.execute("ROLLBACK TO one")
                report.put_aside.append(event)
            conn.execute("RELEASE one")
        conn.execute("COMMIT")
    finally:
        conn.close()


def sequence_losses(conn: sqlite3.Connection) -> list[Loss]:
    """Each device's missing sequence numbers, as ranges with the recorded times of the events around them."""
    losses: list[Loss] = []
    by_device: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for device, number, at in conn.execute("SELECT device, device_seq, recorded_at FROM events ORDER BY device_seq"):
        by_device[device].append((number, at))
    for device, rows in sorted(by_device.items()):
        previous, previous_at = 0, None
        for number, at in rows:
            if number > previous + 1:
                losses.append(Loss(device, previous + 1, number - 1, previous_at, at))
            previous, previous_at = number, at
    return losses


def _touched(report: RecoverReport, partial: Path) -> list[str]:
    """Applications whose state in the damaged file differs from the recovered one (a lost event moved them),
    and those of events put aside; by number where known."""
    touched: dict[str, str] = {e.application: e.application for e in report.put_aside if e.application}
    try:
        with readonly_copy(report.damaged.path) as old:
            top = top_rowid(old, "applications", report.damaged.path, 0)
            rows, _lost = read_rows(old, "applications", _APPLICATION_STATE, top)
    except (OSError, *UNREADABLE):
        rows = []
    new = sqlite3.connect(partial)
    try:
        now = {r[0]: r for r in new.execute(f"SELECT {_APPLICATION_STATE} FROM applications")}
    finally:
        new.close()
    for row in rows:
        state = tuple(row[1:])
        if now.get(state[0]) != state and isinstance(state[1], str):
            touched[state[0]] = state[1]
    for uuid in list(touched):
        if uuid in now:
            touched[uuid] = now[uuid][1]
    return sorted(touched.values())


def _check_clock(events: list[Event], device: str, clock: Clock, allow_clock_behind: bool) -> None:
    times = [e.recorded_at for e in events if e.device == device and not e.simulated]
    if times and not allow_clock_behind:
        newest = max(from_iso(t) for t in times)
        if clock() < newest:
            raise ClockBehindError(clock(), newest)


def recover(
    damaged: Path,
    target: Path,
    *,
    backup: Path | None = None,
    clock: Clock = system_now,
    allow_clock_behind: bool = False,
) -> RecoverReport:
    """Make `target` from `damaged` and its newest good backup; raises StoreError when there is nothing to work with."""
    damaged, target = Path(damaged), Path(target)
    if not damaged.is_file():
        raise StoreError(f"找不到要恢复的文件：{damaged}")
    if target.exists():
        raise StoreError(f"{target} 已存在：恢复只写入新文件，请另取一个文件名。")
    if target.resolve() == damaged.resolve():
        raise StoreError("恢复结果必须写入另一个文件，原文件不会被改动。")
    skipped: list[str] = []
    chosen = choose_backup(damaged, backup, skipped)
    report = RecoverReport(target, salvage(damaged, hint_top=chosen.max_seq if chosen else 0), chosen)
    report.skipped_backups = skipped
    meta = {**(chosen.meta if chosen else {}), **report.damaged.meta}
    if "device_id" not in meta:
        raise StoreError(f"{damaged} 与备份中都读不出本机的设备标识，无法恢复为同一个供电所的数据库。")
    events = _merge(report)
    if not events:
        raise StoreError(f"{damaged} 中读不出任何事件，也没有可用的备份。{report.damaged.problem or ''}")
    _check_clock(events, meta["device_id"], clock, allow_clock_behind)
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        _build(partial, meta, events, report)
        _finish(partial, report, clock)
        placed = put_in_place(partial, target, replace=False)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"无法写入 {target}：{exc.strerror or exc}") from exc
    if not placed:
        raise StoreError(f"{target} 刚被另一个程序创建：恢复结果没有写入，请另取一个文件名再恢复。")
    _write_aside(report)
    _write_garbled(report, {e.uuid for e in events} - {e.uuid for e in report.put_aside})
    from station_tui.store.check import check

    report.check_problems = check(target).problems
    return report


def _finish(partial: Path, report: RecoverReport, clock: Clock) -> None:
    """The losses and the applications they touched, and the `store.recovered` event that records them."""
    conn = sqlite3.connect(partial)
    try:
        report.losses = sequence_losses(conn)
        present = {row[0] for row in conn.execute("SELECT seq FROM events")}
    finally:
        conn.close()
    report.unread_local = [
        (low, high) for low, high in report.damaged.unreadable if not any(s in present for s in range(low, high + 1))
    ]
    report.touched = _touched(report, partial)
    store = Store(partial, clock=clock, create=False)
    store.clock_behind_confirmed = True  # checked before anything was built
    try:
        store.record(
            ev.StoreRecovered(
                damaged_file=str(report.damaged.path),
                backup=str(report.backup.path) if report.backup else None,
                from_damaged_only=report.from_damaged_only,
                from_backup_only=report.from_backup_only,
                from_both=report.from_both,
                lost=[ev.LostEvents(device=x.device, first=x.first, last=x.last) for x in report.losses],
                put_aside=[e.uuid for e in report.put_aside],
            )
        )
    finally:
        store.close()


def _write_aside(report: RecoverReport) -> None:
    if not report.put_aside:
        return
    path = report.target.with_name(f"{report.target.stem}.未能重放的事件.jsonl")
    lines = [
        json.dumps({**e.__dict__, "payload": e.payload}, ensure_ascii=False, sort_keys=True) for e in report.put_aside
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report.aside_file = path


def _write_garbled(report: RecoverReport, recovered: set[str]) -> None:
    """Rows of the damaged file that read but are no valid event (noise hit a cell: a time, a number), kept as read
    for a person to look at: what is readable of them (often the UUID, the type, the payload) is not lost silently.
    A row whose UUID the new file holds (from the backup) is not repeated."""
    names = ["rowid", *(name.strip() for name in EVENT_COLUMNS.split(","))]
    rows = [dict(zip(names, row, strict=True)) for row in report.damaged.garbled]
    rows = [row for row in rows if row.get("uuid") not in recovered]
    if not rows:
        return
    path = report.target.with_name(f"{report.target.stem}.已乱的事件行.jsonl")
    lines = [json.dumps(row, ensure_ascii=False, default=_cell) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    report.garbled_file = path


def _cell(value: object) -> str:
    """A cell JSON cannot hold as it is (a blob the noise made): its bytes, as text where they decode."""
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else repr(value)
