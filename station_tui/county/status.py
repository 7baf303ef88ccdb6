"""`station-tui county status`: every station with its last export and its last event; a station silent for more
than a day is marked; folders refused (incomplete, tampered, foreign) and gaps in the sequences are listed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from station_tui.county.load import Gap, find_gaps
from station_tui.county.schema import ensure_schema
from station_tui.county.target import Target
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
    for code, name, last_export, last_event, folder in target.query(
        "SELECT code, name, last_export_at, last_event_at, last_folder FROM stations ORDER BY code"
    ):
        exported = _time(last_export)
        silent = exported is None or moment - exported > SILENT_AFTER
        stations.append(StationStatus(code, name, exported, _time(last_event), folder or "", silent))
    refusals = [
        Refusal(*row)
        for row in target.query("SELECT folder, station, reason, seen_at FROM refusals ORDER BY station, folder")
    ]
    return CountyStatus(stations, refusals, find_gaps(target))
