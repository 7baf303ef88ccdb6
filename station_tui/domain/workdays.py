"""Working days on the Chinese holiday calendar (DOMAIN.md, "Counting days").

Rules:

- A working-day limit of N: the start day is not counted (民法典 第二百零一条); the due date is the N-th working day after
  the start, whatever kind of day the start is. Make-up workdays (调休上班日) count; weekends and holidays do not.
- A calendar-day limit of N: start + N days, moved to the next working day when that is a rest day or holiday (第二百零三条).
- N = 0 means "the same day": the start itself when it is a working day, else the next working day (both units).
- 受理顺延 (``receipt_next_workday=True``, a profile setting, off by default): an application received on a rest day counts
  as received on the next working day, so a Saturday start with N = 1 gives Tuesday (as ``chinese_calendar.find_workday``).

Where each year's days come from, in this order: a schedule the station entered or imported; chinese-calendar's data; a
shipped file ``data/holidays/YYYY.csv``; else an estimate (weekends plus the statutory festivals as the ``holidays`` package
computes them by rule, with no make-up workdays). Any year answers; answers resting on an estimate say so.

Every question is answered from a per-year index built once (lazily) per year: the kind of each day, the running count of
working days, and the positions of working and rest days, so adding N working days is one list lookup per year crossed.
"""

from __future__ import annotations

import calendar as _calendar
from bisect import bisect_left
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import Enum
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from station_tui.domain.errors import ConfigError
from station_tui.domain.holiday_files import HolidayFileError, YearSchedule, parse_date, parse_holiday_csv

__all__ = [
    "CALENDAR_DAY",
    "WORKDAY",
    "Correction",
    "DayInfo",
    "DayKind",
    "Due",
    "WorkCalendar",
    "YearSource",
    "chinese_calendar_years",
    "default_shipped_dir",
    "load_corrections",
]

WORKDAY = "workday"
CALENDAR_DAY = "calendar_day"
WEEKEND_REASON = "周末"


class YearSource(str, Enum):
    """Where a year's holidays come from, in order of precedence."""

    ENTERED = "entered"
    CHINESE_CALENDAR = "chinese_calendar"
    SHIPPED = "shipped"
    ESTIMATE = "estimate"

    @property
    def label(self) -> str:
        return _SOURCE_LABELS[self]

    @property
    def official(self) -> bool:
        return self is not YearSource.ESTIMATE


_SOURCE_LABELS = {
    YearSource.ENTERED: "已录入",
    YearSource.CHINESE_CALENDAR: "chinese-calendar",
    YearSource.SHIPPED: "随附文件",
    YearSource.ESTIMATE: "估算",
}


class DayKind(str, Enum):
    WORKDAY = "workday"
    WEEKEND = "weekend"
    HOLIDAY = "holiday"
    MAKEUP = "makeup"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def is_workday(self) -> bool:
        return self in (DayKind.WORKDAY, DayKind.MAKEUP)


_KIND_LABELS = {
    DayKind.WORKDAY: "工作日",
    DayKind.WEEKEND: "周末",
    DayKind.HOLIDAY: "节假日",
    DayKind.MAKEUP: "调休上班日",
}
# Index codes, in the order of _KINDS.
_WORK, _WEEKEND, _HOLIDAY, _MAKEUP = 0, 1, 2, 3
_KINDS = (DayKind.WORKDAY, DayKind.WEEKEND, DayKind.HOLIDAY, DayKind.MAKEUP)


@dataclass(frozen=True)
class DayInfo:
    day: date
    kind: DayKind
    festival: str | None
    source: YearSource

    @property
    def is_workday(self) -> bool:
        return self.kind.is_workday

    @property
    def estimated(self) -> bool:
        return self.source is YearSource.ESTIMATE


@dataclass(frozen=True)
class Due:
    """A due date, whether any day it rests on lies in an estimated year, and the rest days it skipped (with why)."""

    date: date
    estimated: bool
    skipped: list[tuple[date, str]] = field(default_factory=list)
    received: date | None = None  # the day counting starts from (differs from the start only with 受理顺延)


# --- chinese-calendar's data, read once -----------------------------------------------------------------------------

_CC_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "中国人民抗日战争暨世界反法西斯战争胜利70周年纪念日",
}


@lru_cache(maxsize=1)
def _cc_by_year() -> tuple[range, dict[int, tuple[dict[date, str], dict[date, str]]]]:
    import chinese_calendar

    holidays, workdays = chinese_calendar.holidays, chinese_calendar.workdays
    # The same range chinese_calendar itself accepts (it raises NotImplementedError outside it).
    years = range(min(holidays).year, max(holidays).year + 1)
    grouped: dict[int, tuple[dict[date, str], dict[date, str]]] = {y: ({}, {}) for y in years}
    for source, slot in ((holidays, 0), (workdays, 1)):
        for day, name in source.items():
            if day.year in grouped:
                grouped[day.year][slot][day] = _CC_NAMES.get(str(name), str(name))
    return years, grouped


def chinese_calendar_years() -> range:
    """The years chinese-calendar has data for (2004–2026 in 1.11.0)."""
    return _cc_by_year()[0]


def _estimated_holidays(year: int) -> dict[date, str]:
    """Statutory festivals by rule (``holidays`` package), without the official schedule's swapped rest days."""
    import holidays as holidays_package

    result: dict[date, str] = {}
    for day, raw in holidays_package.China(years=year, language="zh_CN").items():
        # A rest day swapped for a make-up workday belongs to an official schedule, not to a rule.
        if raw.startswith("休息日"):
            continue
        name = raw.split("（", 1)[0].replace("农历除夕", "春节").replace("; ", "、")
        result[day] = name
    return result


@dataclass(frozen=True)
class Correction:
    """A day where a State Council notice says otherwise than the calendar library: the notice wins."""

    day: date
    workday: bool
    name: str
    source: str


CORRECTIONS_FILE = "corrections.csv"


def load_corrections(folder: Path) -> dict[date, Correction]:
    """``corrections.csv`` in the holiday folder (日期,类型,名称,依据); a bad row is refused with its line."""
    import csv
    import io

    path = folder / CORRECTIONS_FILE
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        return {}
    rows = list(csv.reader(io.StringIO(text)))
    if not rows or rows[0] != ["日期", "类型", "名称", "依据"]:
        raise ConfigError(f"{path}：第 1 行应为表头 日期,类型,名称,依据")
    found: dict[date, Correction] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        day = parse_date(row[0]) if len(row) == 4 else None
        if day is None or row[1].strip() not in ("休", "班") or not row[2].strip() or not row[3].strip():
            raise ConfigError(f"{path}：第 {line} 行应为 日期,休或班,名称,依据（依据写明通知文号），不能省略")
        found[day] = Correction(day, row[1].strip() == "班", row[2].strip(), row[3].strip())
    return found


def _corrected(
    year: int, holidays: Mapping[date, str], makeup: Mapping[date, str], corrections: Mapping[date, Correction]
) -> tuple[dict[date, str], dict[date, str]]:
    holidays, makeup = dict(holidays), dict(makeup)
    for day, fix in corrections.items():
        if day.year != year:
            continue
        holidays.pop(day, None)
        makeup.pop(day, None)
        if fix.workday and day.weekday() >= 5:
            makeup[day] = fix.name
        elif not fix.workday:
            holidays[day] = fix.name
    return holidays, makeup


def default_shipped_dir() -> Path:
    """``data/holidays`` beside the package in a checkout, inside it when installed."""
    from station_tui.paths import data_dir

    return data_dir() / "holidays"


# --- the per-year index ---------------------------------------------------------------------------------------------


class _Year:
    """One year's index: day kinds, running working-day count, and working/rest day offsets from 1 January."""

    __slots__ = ("year", "source", "first", "kinds", "names", "cum", "work", "rest", "total")

    def __init__(self, year: int, source: YearSource, holidays: Mapping[date, str], makeup: Mapping[date, str]) -> None:
        self.year = year
        self.source = source
        start = date(year, 1, 1)
        self.first = start.toordinal()
        length = 366 if _calendar.isleap(year) else 365
        first_weekday = start.weekday()
        kinds = bytearray(_WEEKEND if (first_weekday + i) % 7 >= 5 else _WORK for i in range(length))
        names: dict[int, str] = {}
        for day, name in holidays.items():
            offset = day.toordinal() - self.first
            kinds[offset] = _HOLIDAY
            names[offset] = name
        for day, name in makeup.items():
            offset = day.toordinal() - self.first
            kinds[offset] = _MAKEUP
            names[offset] = name
        self.kinds = bytes(kinds)
        self.names = names
        cum: list[int] = []
        work: list[int] = []
        rest: list[int] = []
        count = 0
        for offset, kind in enumerate(kinds):
            if kind in (_WORK, _MAKEUP):
                count += 1
                work.append(offset)
            else:
                rest.append(offset)
            cum.append(count)
        self.cum = cum
        self.work = work
        self.rest = rest
        self.total = count

    def is_work(self, offset: int) -> bool:
        kind = self.kinds[offset]
        return kind in (_WORK, _MAKEUP)


class WorkCalendar:
    """Working days for any year: entered schedules, else chinese-calendar, else shipped files, else an estimate.

    ``entered`` maps a year to the schedule the station entered or imported for it. ``shipped_dir`` is the folder of
    ``YYYY.csv`` files; None means the package's ``data/holidays``. A calendar never changes: ``with_schedule`` and
    ``without_schedule`` return a new one.
    """

    def __init__(self, entered: Mapping[int, YearSchedule] | None = None, shipped_dir: Path | None = None) -> None:
        entered = dict(entered or {})
        for year, schedule in entered.items():
            if schedule.year != year:
                raise ValueError(f"schedule for {schedule.year} given as year {year}")
        self._entered: Mapping[int, YearSchedule] = MappingProxyType(entered)
        self._shipped_dir = shipped_dir if shipped_dir is not None else default_shipped_dir()
        self._years: dict[int, _Year] = {}
        self.corrections: Mapping[date, Correction] = MappingProxyType(load_corrections(self._shipped_dir))
        """Days where an official notice overrides the library's data, each with the notice it follows."""
        self.shipped_errors: dict[int, str] = {}
        """Shipped files that were refused (year: message); those years fall back to the estimate."""

    # --- configuration ---

    @property
    def entered(self) -> Mapping[int, YearSchedule]:
        return self._entered

    @property
    def shipped_dir(self) -> Path:
        return self._shipped_dir

    def with_schedule(self, schedule: YearSchedule) -> WorkCalendar:
        """A new calendar where ``schedule`` is the entered schedule of its year."""
        return WorkCalendar({**self._entered, schedule.year: schedule}, self._shipped_dir)

    def without_schedule(self, year: int) -> WorkCalendar:
        return WorkCalendar({y: s for y, s in self._entered.items() if y != year}, self._shipped_dir)

    # --- the index ---

    def _year(self, year: int) -> _Year:
        index = self._years.get(year)
        if index is None:
            index = self._years[year] = self._build(year)
        return index

    def _build(self, year: int) -> _Year:
        schedule = self._entered.get(year)
        if schedule is not None:
            return _Year(year, YearSource.ENTERED, schedule.holidays, schedule.makeup_workdays)
        cc_years, cc_data = _cc_by_year()
        if year in cc_years:
            holidays, makeup = _corrected(year, *cc_data[year], self.corrections)
            return _Year(year, YearSource.CHINESE_CALENDAR, holidays, makeup)
        shipped = self._shipped(year)
        if shipped is not None:
            return _Year(year, YearSource.SHIPPED, shipped.holidays, shipped.makeup_workdays)
        holidays, makeup = _corrected(year, _estimated_holidays(year), {}, self.corrections)
        return _Year(year, YearSource.ESTIMATE, holidays, makeup)

    def _shipped(self, year: int) -> YearSchedule | None:
        path = self._shipped_dir / f"{year:04d}.csv"
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            schedule = parse_holiday_csv(data, str(path))
        except HolidayFileError as exc:
            self.shipped_errors[year] = str(exc)
            return None
        if schedule.year != year:
            self.shipped_errors[year] = f"随附文件 {path} 的日期属于 {schedule.year} 年，与文件名不符"
            return None
        return schedule

    def _locate(self, day: date) -> tuple[_Year, int]:
        index = self._year(day.year)
        return index, day.toordinal() - index.first

    # --- questions about one day or year ---

    def source(self, year: int) -> YearSource:
        # Answered without building an estimated year: the status line asks about next year at every start, and the
        # estimate needs the `holidays` package, slow to import.
        built = self._years.get(year)
        if built is not None:
            return built.source
        if year in self._entered:
            return YearSource.ENTERED
        if year in chinese_calendar_years():
            return YearSource.CHINESE_CALENDAR
        if self._shipped(year) is not None:
            return YearSource.SHIPPED
        return YearSource.ESTIMATE

    def year_sources(self, first: int, last: int) -> dict[int, YearSource]:
        """Each year from ``first`` to ``last`` (inclusive) with where its days come from."""
        return {year: self._year(year).source for year in range(first, last + 1)}

    def is_estimated(self, day: date) -> bool:
        return self._year(day.year).source is YearSource.ESTIMATE

    def is_workday(self, day: date) -> bool:
        index, offset = self._locate(day)
        return index.is_work(offset)

    def day_info(self, day: date) -> DayInfo:
        index, offset = self._locate(day)
        return DayInfo(day, _KINDS[index.kinds[offset]], index.names.get(offset), index.source)

    def schedule(self, year: int) -> YearSchedule:
        """The year's holidays and make-up workdays as used here, whatever the source (for export and the screen)."""
        index = self._year(year)
        holidays: dict[date, str] = {}
        makeup: dict[date, str] = {}
        for offset, name in sorted(index.names.items()):
            day = date.fromordinal(index.first + offset)
            (makeup if index.kinds[offset] == _MAKEUP else holidays)[day] = name
        return YearSchedule(year, holidays, makeup)

    # --- counting ---

    def add_workdays(self, start: date, n: int) -> date:
        """The n-th working day after ``start`` (start not counted, whatever day it is); n = 0: ``next_workday(start)``."""
        if n <= 0:
            if n == 0:
                return self.next_workday(start)
            raise ValueError(f"工作日天数不能为负数：{n}")
        index, offset = self._locate(start)
        target = index.cum[offset] + n
        while target > index.total:
            target -= index.total
            index = self._year(index.year + 1)
        return date.fromordinal(index.first + index.work[target - 1])

    def next_workday(self, day: date) -> date:
        """``day`` itself when it is a working day, else the first working day after it."""
        index, offset = self._locate(day)
        if index.is_work(offset):
            return day
        target = index.cum[offset] + 1
        while target > index.total:
            target -= index.total
            index = self._year(index.year + 1)
        return date.fromordinal(index.first + index.work[target - 1])

    def workdays_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; negative (minus those in (b, a]) when b is before a."""
        if b < a:
            return -self.workdays_between(b, a)
        index_a, offset_a = self._locate(a)
        index_b, offset_b = self._locate(b)
        if index_a is index_b:
            return index_b.cum[offset_b] - index_a.cum[offset_a]
        count = index_a.total - index_a.cum[offset_a] + index_b.cum[offset_b]
        for year in range(a.year + 1, b.year):
            count += self._year(year).total
        return count

    def calendar_day_due(self, start: date, n: int) -> date:
        """start + n calendar days, moved to the next working day when that is a rest day or holiday."""
        if n < 0:
            raise ValueError(f"日历日天数不能为负数：{n}")
        return self.next_workday(start + timedelta(days=n))

    def rest_days(self, first: date, end: date) -> Iterator[tuple[date, str]]:
        """Rest days and holidays in [first, end), each with its reason (the festival's name, or 周末)."""
        day = first
        while day < end:
            index, offset = self._locate(day)
            last = min(end.toordinal() - index.first, len(index.kinds))
            rest = index.rest
            for i in range(bisect_left(rest, offset), bisect_left(rest, last)):
                pos = rest[i]
                yield date.fromordinal(index.first + pos), index.names.get(pos, WEEKEND_REASON)
            day = date(index.year + 1, 1, 1) if index.year < date.max.year else end

    def due(self, start: date, n: int, unit: str = WORKDAY, receipt_next_workday: bool = False) -> Due:
        """The due date of a limit of n working days (``unit="workday"``) or calendar days (``"calendar_day"``).

        With ``receipt_next_workday`` (受理顺延) a rest-day start counts as received on the next working day.
        ``skipped`` lists the rest days the answer stepped over: for working days those in (received, due), for calendar
        days those that pushed the due date on; with 受理顺延 also those between the start and the day it counts as received.
        """
        if n < 0:
            raise ValueError(f"期限天数不能为负数：{n}")
        if unit not in (WORKDAY, CALENDAR_DAY):
            raise ValueError(f"unknown unit {unit!r}")
        received = self.next_workday(start) if receipt_next_workday else start
        skipped = list(self.rest_days(start, received))
        if unit == WORKDAY:
            due = self.add_workdays(received, n)
            counted_from = received if n == 0 else received + timedelta(days=1)
        else:
            due = self.calendar_day_due(received, n)
            counted_from = received + timedelta(days=n)
        skipped += self.rest_days(counted_from, due)
        consulted_from = start if receipt_next_workday else min(counted_from, due)
        estimated = any(
            self._year(year).source is YearSource.ESTIMATE for year in range(consulted_from.year, due.year + 1)
        )
        return Due(due, estimated, skipped, received)
