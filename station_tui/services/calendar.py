"""The station's working-day calendar: the schedules it entered, over the library's data and the shipped files."""

from __future__ import annotations

from datetime import date

from station_tui.domain.holiday_files import YearSchedule
from station_tui.domain.workdays import WorkCalendar
from station_tui.services.station import Station


def entered_schedules(station: Station) -> dict[int, YearSchedule]:
    schedules: dict[int, YearSchedule] = {}
    for day, year, kind, name in station.store.conn.execute("SELECT date, year, kind, name FROM holiday_days"):
        schedule = schedules.setdefault(year, YearSchedule(year))
        target = schedule.holidays if kind == "holiday" else schedule.makeup_workdays
        target[date.fromisoformat(day)] = name
    for (year,) in station.store.conn.execute("SELECT year FROM holiday_years"):
        schedules.setdefault(year, YearSchedule(year))
    return schedules


def calendar(station: Station) -> WorkCalendar:
    """Built once per Station and kept; entering a schedule replaces it (see services.holidays)."""
    cached = station.__dict__.get("_calendar")
    if cached is None:
        cached = WorkCalendar(entered=entered_schedules(station))
        station.__dict__["_calendar"] = cached
    return cached


def forget_calendar(station: Station) -> None:
    station.__dict__.pop("_calendar", None)


def day_label(station: Station, day: date) -> str:
    info = calendar(station).day_info(day)
    label = info.kind.label if info.festival is None else f"{info.festival}·{info.kind.label}"
    return f"{label}（估算）" if info.estimated else label
