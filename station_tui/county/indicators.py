"""Indicators across stations: per station, time-limit category and month (or for any range of days), counted by
the very functions that make each station's own indicators.csv (services.indicators: count, rows_of, count_stages),
from the facts the county keeps per application at load time (county/facts.py, table application_facts): the
applications accepted in the range summed per category and day in SQL (ACCEPTED_FACTS), those whose last outcome
falls in it one by one (FINISHED_FACTS), and with --stages the finished stages of the connected ones (a JSON list in
their row). Each query reads one index of that table, which holds every column it needs: no look-up per application.
The working days come from a day index (one calendar question per distinct day)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

from station_tui.county.schema import ensure_schema
from station_tui.county.target import Target
from station_tui.domain.workdays import WorkCalendar
from station_tui.services.indicators import (
    COLUMNS,
    CONNECTED,
    STAGE_COLUMNS,
    DayIndex,
    Group,
    count,
    count_stages,
    merge_stages,
    rows_of,
    stage_rows_of,
)

COUNTY = "全县"  # the station column of the rows over all stations

# The applications accepted in the range, summed per station, category and day (ACCEPTED_FACTS).
_ACCEPTED = """
SELECT station, category_name, category, accepted_date, count(*), sum(complete), sum(deferred_mode), sum(documents),
    sum(stages), sum(deferred), sum(deferred_on_time)
FROM application_facts WHERE {station} AND accepted_date >= ? AND accepted_date <= ?
GROUP BY station, category_name, category, accepted_date
"""
# The applications whose last outcome (a connection or a termination) falls in the range: the station and the
# category's name, then FINISHED_FACTS; with --stages, the connected ones' finished stages last.
_FINISHED = """
SELECT station, category_name, category, accepted_date, due_date, paused, small_micro, called, satisfied, works_due,
    outcome, outcome_day{stages}
FROM application_facts WHERE {station} AND outcome_day >= ? AND outcome_day <= ?
"""
_FACTS = slice(2, 12)  # FINISHED_FACTS in a row of _FINISHED

NAMES = ("station", *(c.name for c in COLUMNS))
STAGE_NAMES = ("station", *(c.name for c in STAGE_COLUMNS))
ZH = {"station": "供电所", **{c.name: c.zh for c in COLUMNS}}


@dataclass(frozen=True)
class Range:
    start: date
    end: date  # inclusive

    @classmethod
    def month(cls, text: str) -> Range:
        first = date.fromisoformat(text + "-01")
        following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
        return cls(first, following - timedelta(days=1))

    def label(self) -> str:
        return f"{self.start.isoformat()}～{self.end.isoformat()}"


def _station_filter(station: str | None) -> tuple[str, tuple]:
    """The station asked, or every station: the facts' indexes lead with the station (county/schema.py), so a range
    over all of them is read station by station."""
    return ("station = ?", (station,)) if station else ("station IN (SELECT code FROM stations)", ())


@dataclass
class _Read:
    """What the range's queries returned, per station: the facts services.indicators counts."""

    accepted: dict[str, list[tuple]]
    finished: dict[str, list[tuple]]
    stages: dict[str, list[tuple]]
    names: dict[str, str]  # profile/category → its name, as the export gives it


def _read(target: Target, span: Range, station: str | None, with_stages: bool) -> _Read:
    days = (span.start.isoformat(), span.end.isoformat())
    where, params = _station_filter(station)
    read = _Read({}, {}, {}, {})
    for code, name, category, *row in target.query(_ACCEPTED.format(station=where), (*params, *days)):
        read.names[category] = name or ""
        read.accepted.setdefault(code, []).append((category, *(r if isinstance(r, str) else int(r) for r in row)))
    finished = _FINISHED.format(station=where, stages=", finished_stages" if with_stages else "")
    for row in target.query(finished, (*params, *days)):
        code, facts = row[0], row[_FACTS]
        read.names[facts[0]] = row[1] or ""
        read.finished.setdefault(code, []).append(facts)
        if with_stages and facts[-2] == CONNECTED and row[-1]:
            connected = (facts[0], facts[-1])  # its category and the day of its connection
            read.stages.setdefault(code, []).extend((*connected, *stage) for stage in json.loads(row[-1]))
    return read


def _in(span: Range, by_month: bool):  # noqa: ANN202
    first, last = span.start.isoformat(), span.end.isoformat()
    label = span.label()

    def period(day: str) -> str | None:
        if not (first <= day <= last):
            return None
        return day[:7] if by_month else label

    return period


@dataclass
class Counted:
    rows: list[dict]  # NAMES
    stages: list[dict]  # STAGE_NAMES


def count_range(
    target: Target,
    span: Range,
    *,
    by_month: bool = True,
    station: str | None = None,
    calendar: WorkCalendar | None = None,
    with_stages: bool = True,
) -> Counted:
    """Each station's rows, then the county's (station 全县) over all stations read; the same for the stages (read
    only `with_stages`: a stage row per stage of every connected application is most of the work)."""
    ensure_schema(target)  # a database loaded by an older version gets the facts and indexes these queries read
    days = DayIndex(calendar or WorkCalendar())
    period = _in(span, by_month)
    read = _read(target, span, station, with_stages)
    codes = sorted({*read.accepted, *read.finished})
    groups = {code: count(read.accepted.get(code, ()), read.finished.get(code, ()), days, period) for code in codes}
    stage_groups = {code: count_stages(rows, days, period) for code, rows in read.stages.items()}
    names = read.names
    if station is None and groups:
        county: dict = {}
        for g in groups.values():
            for key, group in g.items():
                county.setdefault(key, Group()).merge(group)
        groups[COUNTY] = county
        county_stages: dict = {}
        for g in stage_groups.values():
            merge_stages(county_stages, g)
        stage_groups[COUNTY] = county_stages
    order = sorted(groups, key=lambda code: (code == COUNTY, code))
    rows = [dict(zip(NAMES, (code, *values), strict=True)) for code in order for values in rows_of(groups[code], names)]
    stages = [
        dict(zip(STAGE_NAMES, (code, *values), strict=True))
        for code in order
        for values in stage_rows_of(stage_groups.get(code, {}), names)
    ]
    return Counted(rows, stages)


def indicators(
    target: Target,
    span: Range,
    *,
    by_month: bool = True,
    station: str | None = None,
    calendar: WorkCalendar | None = None,
) -> list[dict]:
    """Rows named by NAMES: each station's, then the county's (station 全县) over all stations read."""
    return count_range(target, span, by_month=by_month, station=station, calendar=calendar, with_stages=False).rows
