"""`station-tui county status`: every station with its last export and its last event; a station silent for more
than a day is marked, and so is one past its schedule (the next export its newest manifest announced has not come);
folders refused (incomplete, tampered, foreign) and gaps in the sequences are listed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from station_tui.county.load import Gap, find_gaps
from station_tui.county.schema import ensure_schema
from station_tui.county.target import CountyError, Target, is_postgres
from station_tui.domain.timeutil import from_iso, system_now

SILENT_AFTER = timedelta(days=1)  # the export runs every night: a day without one means a night was missed


@dataclass(frozen=True)
class StationStatus:
    code: str
    name: str
    last_export: datetime | None
    last_event: datetime | None
    folder: str
    silent: bool
    schedule: str = ""  # as the station describes it ("每天 22:00"); "" when its exports do not carry it
    next_export: datetime | None = None  # the next export its newest manifest announced
    past_schedule: bool = False  # next_export has passed and no newer export is loaded


@dataclass(frozen=True)
class Refusal:
    folder: str
    station: str
    reason: str
    seen_at: str


@dataclass(frozen=True)
class CountyStatus:
    stations: list[StationStatus]
    refusals: list[Refusal]
    gaps: list[Gap]


def _time(text: str | None) -> datetime | None:
    return from_iso(text) if text else None


def county_status(target: Target, moment: datetime | None = None) -> CountyStatus:
    ensure_schema(target)
    moment = moment or system_now()
    stations = []
    for code, name, last_export, last_event, folder, described, following in target.query(
        "SELECT s.code, s.name, s.last_export_at, s.last_event_at, s.last_folder, p.described, p.next_export_at"
        " FROM stations s LEFT JOIN station_schedules p ON p.station = s.code ORDER BY s.code"
    ):
        exported, next_export = _time(last_export), _time(following)
        silent = exported is None or moment - exported > SILENT_AFTER
        past = next_export is not None and moment > next_export
        status = StationStatus(code, name, exported, _time(last_event), folder or "", silent, described or "",
                               next_export, past)  # fmt: skip
        stations.append(status)
    refusals = [
        Refusal(*row)
        for row in target.query("SELECT folder, station, reason, seen_at FROM refusals ORDER BY station, folder")
    ]
    return CountyStatus(stations, refusals, find_gaps(target))


def require_loaded(target: str) -> None:
    """Refuses, in one plain line, a county database that does not exist (SQLite would silently create an empty one)
    or holds no county data: nothing has been loaded there."""
    if is_postgres(target):
        return  # a database that does not exist cannot be connected to; one without tables is checked when open
    path = Path(target)
    if not path.exists():
        raise CountyError(
            f"{path} 不存在：这里还没有载入任何供电所的导出（请核对 --into，或先运行 station-tui county load 文件夹"
            f" --into {path}）"
        )


def require_county(db: Target, name: str) -> None:
    """Refuses a database (SQLite file or PostgreSQL) that the county loader never wrote to, before anything is
    created in it."""
    if db.dialect == "sqlite":
        found = db.query("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'county_meta'")[0][0]
    else:
        found = db.query("SELECT count(*) FROM information_schema.tables WHERE table_name = 'county_meta'")[0][0]
    if not found:
        raise CountyError(f"{name} 里没有县公司数据：这里还没有载入任何供电所的导出（先运行 station-tui county load）")
