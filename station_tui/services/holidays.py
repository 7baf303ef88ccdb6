"""Entering and importing a year's holiday schedule, and what it moves.

A schedule is accepted whole or not at all: it becomes one `holidays.entered` event, and in the same transaction every
open or paused application whose due date (or its estimate mark) changes under the new calendar gets a
`deadline.recomputed` event. A due date is a function of the events and the calendar (ARCHITECTURE.md, "One truth"):
acceptance date + the category's limit (as stored with the application) + the working days of its finished pauses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from station_tui.domain.errors import StationError
from station_tui.domain.holiday_files import (
    Festival,
    YearSchedule,
    format_holiday_csv,
    parse_holiday_csv,
    schedule_from_festivals,
)
from station_tui.domain.timeutil import local_date
from station_tui.domain.workdays import DayKind, WorkCalendar, YearSource
from station_tui.services.calendar import application_due, open_pauses
from station_tui.services.operators import authorize_head
from station_tui.services.station import Station
from station_tui.store import payloads as ev

FIRST_STATUS_YEAR = 2004  # chinese-calendar's first year
YEARS_AHEAD = 3


@dataclass(frozen=True)
class Moved:
    """One application whose due date moved: by how many working days (negative: earlier), on the new calendar."""

    application: str
    number: str
    customer: str
    previous: date
    due: date
    shift: int
    estimated: bool


@dataclass(frozen=True)
class Accepted:
    year: int
    holidays: int
    makeup_workdays: int
    previous_source: YearSource
    moved: list[Moved] = field(default_factory=list)
    estimate_cleared: int = 0  # due dates that stayed put but no longer rest on an estimate


@dataclass(frozen=True)
class YearStatus:
    year: int
    source: YearSource
    entered_at: str | None

    @property
    def label(self) -> str:
        return self.source.label if self.source.official else f"{self.source.label}（无官方数据）"


# --- due dates ------------------------------------------------------------------------------------------------------


def _recompute(station: Station, cal: WorkCalendar, operator: str | None, cause: str) -> tuple[list[Moved], int]:
    store = station.store
    pauses = open_pauses(station)
    moved: list[Moved] = []
    cleared = 0
    rows = store.rows(
        "SELECT uuid, number, customer_name, accepted_date, limit_days, limit_unit, due_date, due_estimated, profile"
        " FROM applications WHERE status IN ('open', 'paused') ORDER BY due_date, number"
    )
    for app in rows:
        due = application_due(station, app, pauses.get(app["uuid"], ()), cal)
        stored, stored_estimated = app["due_date"], bool(app["due_estimated"])
        previous = date.fromisoformat(stored)
        if due.date == previous and due.estimated == stored_estimated:
            continue
        store.record(
            ev.DeadlineRecomputed(
                due_date=due.date.isoformat(),
                due_estimated=due.estimated,
                previous=stored,
                previous_estimated=stored_estimated,
                cause=cause,
            ),
            application=app["uuid"],
            operator=operator,
        )
        if due.date == previous:
            cleared += 1
        else:
            shift = cal.workdays_between(previous, due.date)
            moved.append(
                Moved(app["uuid"], app["number"], app["customer_name"], previous, due.date, shift, due.estimated)
            )
    return moved, cleared


# --- entering a schedule ---------------------------------------------------------------------------------------------


def enter_schedule(station: Station, schedule: YearSchedule, *, operator: str | None, origin: str) -> Accepted:
    """Take the schedule as the station's for its year and recompute every open due date, in one transaction."""
    if not station.initialized:
        raise StationError("数据库尚未初始化，不能录入节假日安排（先运行 station-tui init）。")
    store = station.store
    old = station.calendar
    previous_source = old.source(schedule.year)
    new = old.with_schedule(schedule)
    days = [ev.HolidayDay(date=d.isoformat(), kind="holiday", name=n) for d, n in schedule.holidays.items()]
    days += [ev.HolidayDay(date=d.isoformat(), kind="makeup", name=n) for d, n in schedule.makeup_workdays.items()]
    days.sort(key=lambda day: day.date)
    with store.transaction():
        store.record(ev.HolidaysEntered(year=schedule.year, days=days, origin=origin), operator=operator)
        moved, cleared = _recompute(station, new, operator, f"{schedule.year} 年节假日安排")
    return Accepted(
        schedule.year, len(schedule.holidays), len(schedule.makeup_workdays), previous_source, moved, cleared
    )


def enter_festivals(station: Station, year: int, festivals: Sequence[Festival], *, head: str, pin: str) -> Accepted:
    """A 站长 enters a year as the State Council notice is written. Every problem is named before the PIN is asked."""
    schedule = schedule_from_festivals(year, festivals)
    operator = authorize_head(station, head, pin)
    return enter_schedule(station, schedule, operator=operator.uuid, origin="录入")


def read_holiday_file(path: Path) -> YearSchedule:
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise StationError(f"无法读取文件 {path}：{exc.strerror or exc}") from exc
    return parse_holiday_csv(data, Path(path).name)


def import_file(station: Station, path: Path, *, operator: str | None) -> Accepted:
    schedule = read_holiday_file(path)
    return enter_schedule(station, schedule, operator=operator, origin=f"导入 {Path(path).name}")


def import_file_as_head(station: Station, path: Path, *, head: str, pin: str) -> Accepted:
    schedule = read_holiday_file(path)
    operator = authorize_head(station, head, pin)
    return enter_schedule(station, schedule, operator=operator.uuid, origin=f"导入 {Path(path).name}")


# --- reading ------------------------------------------------------------------------------------------------------


def export_text(cal: WorkCalendar, year: int) -> str:
    """The year's official schedule as a holiday file; an estimate is not an official schedule and is not exported."""
    source = cal.source(year)
    if not source.official:
        raise StationError(f"{year} 年没有官方节假日安排（目前按估算），不能导出。请先录入或导入该年安排。")
    return format_holiday_csv(cal.schedule(year))


def year_statuses(station: Station | None, cal: WorkCalendar, today: date) -> list[YearStatus]:
    """Every year from 2004 to three years ahead with where its days come from."""
    entered: dict[int, str] = {}
    if station is not None:
        entered = dict(station.store.conn.execute("SELECT year, entered_at FROM holiday_years").fetchall())
    return [
        YearStatus(year, source, entered.get(year))
        for year, source in cal.year_sources(FIRST_STATUS_YEAR, today.year + YEARS_AHEAD).items()
    ]


@dataclass(frozen=True)
class YearView:
    """What the holiday screen draws: each day's kind and festival, the source, the festivals in order."""

    year: int
    source: YearSource
    today: date
    kinds: dict[date, DayKind]
    names: dict[date, str]
    festivals: list[tuple[str, list[date], list[date]]]  # name, holidays, make-up workdays
    entered_at: str | None


def year_view(station: Station, year: int) -> YearView:
    cal = station.calendar
    today = local_date(station.store.clock())
    schedule = cal.schedule(year)
    kinds: dict[date, DayKind] = {}
    day = date(year, 1, 1)
    for ordinal in range(day.toordinal(), date(year, 12, 31).toordinal() + 1):
        current = date.fromordinal(ordinal)
        kinds[current] = cal.day_info(current).kind
    names = {**schedule.holidays, **schedule.makeup_workdays}
    festivals = [
        (
            name,
            [d for d, n in schedule.holidays.items() if n == name],
            [d for d, n in schedule.makeup_workdays.items() if n == name],
        )
        for name in schedule.festivals()
    ]
    entered_at = station.store.one("SELECT entered_at FROM holiday_years WHERE year = ?", (year,))
    return YearView(year, cal.source(year), today, kinds, names, festivals, entered_at)
