"""`station-tui check`: is the file sound, and does the stored state equal a replay of the event log?"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from station_tui.store import catalogue
from station_tui.store.database import Store, read_only_uri
from station_tui.store.events import EVENT_COLUMNS, Event
from station_tui.store.masking import export_form, register_export_form
from station_tui.store.schema import MIGRATIONS, PROJECTION_TABLES

_SAMPLE = 5
_KEYS = {"settings": "key", "holiday_days": "date", "holiday_years": "year", "devices": "code", "leases": "application"}
_KEYS["conflicts"] = "event"


@dataclass
class CheckReport:
    applications: int = 0
    events: int = 0
    problems: list[str] = field(default_factory=list)
    damaged: bool = False  # SQLite itself found the file damaged: `recover` or a backup, not a rebuild

    @property
    def ok(self) -> bool:
        return not self.problems


def _integrity(conn: sqlite3.Connection) -> list[str]:
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check")]
    return [] if rows == ["ok"] else [f"SQLite 完整性检查失败：{'; '.join(rows[:_SAMPLE])}"]


def declared_losses(conn: sqlite3.Connection) -> dict[str, set[int]]:
    """Sequence numbers each device lost in a recovery, as recorded by `store.recovered` events."""
    declared: dict[str, set[int]] = defaultdict(set)
    for (payload,) in conn.execute("SELECT payload FROM events WHERE type = ?", ("store.recovered",)):
        for lost in json.loads(payload).get("lost", []):
            declared[lost["device"]].update(range(lost["first"], lost["last"] + 1))
    return declared


def _sequence_gaps(conn: sqlite3.Connection) -> list[str]:
    """Each device numbers its events 1, 2, 3, …: a hole means an event was removed behind the log's back, unless a
    recovery recorded it as lost with the damaged file (`store.recovered`)."""
    declared = declared_losses(conn)
    problems = []
    # A field laptop holds only the station's events of the applications it took out: only its own log is whole.
    laptop = conn.execute("SELECT value FROM meta WHERE key = 'field_station'").fetchone() is not None
    only = " WHERE device = (SELECT value FROM meta WHERE key = 'device_id')" if laptop else ""
    for device, count, first, last in conn.execute(
        f"SELECT device, count(*), min(device_seq), max(device_seq) FROM events{only} GROUP BY device"
    ):
        known = len({n for n in declared.get(device, ()) if n <= last})
        if count + known != last:
            problems.append(f"设备 {device[:8]} 的事件序号不连续：{count} 条事件，序号 {first}–{last}（有事件被删除）")
    return problems


def rebuild_in_memory(path: Path) -> sqlite3.Connection:
    """Replay every event of the file at `path` into a fresh in-memory schema, which has the file attached as `disk`."""
    memory = sqlite3.connect(":memory:", isolation_level=None, uri=True)
    register_export_form(memory)
    for migration in MIGRATIONS:
        for statement in migration:
            memory.execute(statement)
    # Unqualified `events` is then the file's log: a projection that reads an application's events back (an
    # application in conflict, store/conflicts.py) reads them there, up to the event being replayed.
    memory.execute("DROP TABLE main.events")
    memory.execute("ATTACH DATABASE ? AS disk", (read_only_uri(path),))
    memory.execute("BEGIN")
    # Replaying into a table the handlers see as `main`, reading the events from the attached file.
    cursor = memory.cursor()
    events = (Event.from_row(row) for row in cursor.execute(f"SELECT {EVENT_COLUMNS} FROM disk.events ORDER BY seq"))
    catalogue.apply_all(memory, events)
    memory.execute("COMMIT")
    return memory


def _compare(memory: sqlite3.Connection) -> list[str]:
    problems = []
    for table in PROJECTION_TABLES:
        extra = memory.execute(
            f"SELECT count(*) FROM (SELECT * FROM disk.{table} EXCEPT SELECT * FROM main.{table})"
        ).fetchone()[0]
        missing = memory.execute(
            f"SELECT count(*) FROM (SELECT * FROM main.{table} EXCEPT SELECT * FROM disk.{table})"
        ).fetchone()[0]
        if extra or missing:
            key = _KEYS.get(table, "uuid")
            sample = [
                str(r[0])
                for r in memory.execute(
                    f"SELECT {key} FROM (SELECT * FROM disk.{table} EXCEPT SELECT * FROM main.{table}) LIMIT {_SAMPLE}"
                )
            ]
            problems.append(
                f"表 {table} 与事件日志不一致：{extra} 行与重放结果不同或多出，{missing} 行重放后有而库中没有"
                + (f"（如 {', '.join(sample)}）" if sample else "")
            )
    return problems


def _export_forms(conn: sqlite3.Connection) -> list[str]:
    """Each event's stored export form is what the masking rule makes of its payload today: the export writes it
    as it is, so a wrong one would send personal data (or a stale mask) to the county."""
    wrong = [
        seq
        for seq, payload, at, text in conn.execute("SELECT seq, payload, export_at, export_text FROM events ORDER BY seq")
        if export_form(payload) != (None if text is None else (at, text))
    ]
    if not wrong:
        return []
    shown = ", ".join(str(seq) for seq in wrong[:_SAMPLE])
    return [
        f"{len(wrong)} 条事件的导出内容（export_text）与遮蔽规则不符（如序号 {shown}）："
        "导出会原样写出这些内容：请用 station-tui recover 按现行规则重建数据库后再导出"
    ]


def check(path: Path) -> CheckReport:
    """Raises StoreError when the file is not one of ours or cannot be opened; damage found once it is open is
    reported (never raised), since diagnosing damage is what this command is for."""
    store = Store(path, migrate=False, create=False)
    report = CheckReport()
    try:
        _check_open_file(store, path, report)
    except sqlite3.DatabaseError as exc:
        report.damaged = True
        report.problems.append(f"数据库文件已损坏，SQLite 无法读完它（{exc}）")
    finally:
        store.close()
    return report


def _check_open_file(store: Store, path: Path, report: CheckReport) -> None:
    integrity = _integrity(store.conn)
    if integrity:
        report.damaged = True
        report.problems += integrity
        return
    report.events = store.one("SELECT count(*) FROM events")
    report.applications = store.one("SELECT count(*) FROM applications")
    report.problems += _sequence_gaps(store.conn)
    report.problems += _export_forms(store.conn)
    try:
        memory = rebuild_in_memory(path)
    except (catalogue.UnknownEventError, KeyError, sqlite3.DatabaseError) as exc:
        report.problems.append(f"无法从事件日志重建：{exc}")
        return
    try:
        report.problems += _compare(memory)
    finally:
        memory.close()


__all__ = ["CheckReport", "check", "rebuild_in_memory"]
