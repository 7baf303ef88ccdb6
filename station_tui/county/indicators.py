"""Indicators across stations: per station, time-limit category and month (or for any range of days), counted by
the very function that makes each station's own indicators.csv (services.indicators.aggregate), from the rows the
stations exported. The county adds what needs the whole population: the termination rate (seed 002: below 3%) and
the 90th percentile of working days used.

Only the applications accepted or finished in the range are read (an index on the acceptance date, and the outcome
events of the range), so that a month across 50 stations stays under a second on SQLite."""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import groupby

from station_tui.county.schema import REOPENED
from station_tui.county.target import Target
from station_tui.domain.workdays import WorkCalendar
from station_tui.services.indicators import COLUMNS, aggregate, workdays_used

COUNTY = "全县"  # the station column of the rows over all stations

# The outcomes of each application finished in the range; its last connection or termination counts (as at the
# station), so one connected in the range and terminated after it is not counted as connected.
_OUTCOMES = """
SELECT o.station, o.application, o.type, o.day
FROM outcomes o JOIN (SELECT DISTINCT station, application FROM outcomes WHERE day >= ? AND day <= ? {station}) r
    ON o.station = r.station AND o.application = r.application
ORDER BY o.station, o.application, o.seq
"""
# The applications accepted in the range, and those with an outcome in it (each found by its own index).
_APPLICATIONS = """
WITH wanted AS (
    SELECT station, uuid FROM applications WHERE accepted_date >= ? AND accepted_date <= ? {station}
    UNION
    SELECT station, application FROM outcomes WHERE day >= ? AND day <= ? {station}
)
SELECT a.station, a.uuid, a.profile || '/' || a.category, a.accepted_date, a.intake_mode, a.due_date,
    (SELECT count(*) FROM documents d WHERE d.station = a.station AND d.application = a.uuid),
    (SELECT count(*) FROM stages s WHERE s.station = a.station AND s.application = a.uuid),
    (SELECT CAST(coalesce(sum(p.paused_workdays), 0) AS BIGINT) FROM pauses p
     WHERE p.station = a.station AND p.application = a.uuid)
FROM wanted w JOIN applications a ON a.station = w.station AND a.uuid = w.uuid
WHERE a.intake_mode != 'refused'
ORDER BY a.station
"""

EXTRA = ("termination_share", "p90_workdays")
NAMES = ("station", *(c.name for c in COLUMNS), *EXTRA)
ZH = {
    "station": "供电所",
    **{c.name: c.zh for c in COLUMNS},
    "termination_share": "终止率",
    "p90_workdays": "用时90百分位（工作日）",
}


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


def _station_filter(station: str | None, alias: str = "") -> tuple[str, tuple]:
    return (f"AND {alias}station = ?", (station,)) if station else ("", ())


def _rows(target: Target, span: Range, station: str | None) -> Iterator[tuple]:
    """(station, profile/category, accepted, mode, due, documents, stages, paused, outcome type, outcome day)."""
    days = (span.start.isoformat(), span.end.isoformat())
    where, params = _station_filter(station)
    outcomes: dict[tuple[str, str], tuple[str, str]] = {}
    for code, application, kind, day in target.query(_OUTCOMES.format(station=where), (*days, *params)):
        # Ordered by seq: the last one stays; a reopening review cancels the termination before it.
        outcomes[code, application] = (None, None) if kind == REOPENED else (kind, day)
    sql = _APPLICATIONS.format(station=where)
    span_params = (*days, *params, *days, *params)
    for code, uuid, *row in target.query(sql, span_params):
        kind, day = outcomes.get((code, uuid), (None, None))
        yield (code, *row, kind, day)


def _percentile(values: list[int], share: float) -> float | None:
    """The nearest-rank percentile (the value below which `share` of the values lie)."""
    if not values:
        return None
    ordered = sorted(values)
    return float(ordered[max(math.ceil(share * len(ordered)) - 1, 0)])


def _extras(rows: Iterable[tuple], calendar: WorkCalendar, period) -> dict[tuple[str, str], tuple]:  # noqa: ANN001
    used = workdays_used(calendar)
    days: dict[tuple[str, str], list[int]] = {}
    ended: dict[tuple[str, str], list[int]] = {}
    for category, accepted, _mode, _due, _docs, _stages, paused, kind, day in rows:
        if kind is None or period(day) is None:
            continue
        key = (period(day), category.split("/", 1)[1])
        counts = ended.setdefault(key, [0, 0])
        counts[kind == "application.terminated"] += 1
        if kind == "application.connected":
            days.setdefault(key, []).append(used(accepted, day, paused))
    return {
        key: (round(t / (c + t), 4) if c + t else None, _percentile(days.get(key, []), 0.9))
        for key, (c, t) in ended.items()
    }


def _in(span: Range, by_month: bool):  # noqa: ANN202
    first, last = span.start.isoformat(), span.end.isoformat()
    label = span.label()

    def period(day: str) -> str | None:
        if not (first <= day <= last):
            return None
        return day[:7] if by_month else label

    return period


def _category_names(target: Target) -> dict[str, str]:
    rows = target.query("SELECT DISTINCT profile || '/' || category, category_name FROM applications")
    return {key: name or "" for key, name in rows}


def indicators(
    target: Target,
    span: Range,
    *,
    by_month: bool = True,
    station: str | None = None,
    calendar: WorkCalendar | None = None,
) -> list[dict]:
    """Rows named by NAMES: each station's, then the county's (station 全县) over all stations read."""
    calendar = calendar or WorkCalendar()
    names = _category_names(target)
    period = _in(span, by_month)
    everything = list(_rows(target, span, station))
    result: list[dict] = []

    def emit(code: str, rows: list[tuple]) -> None:
        extras = _extras(rows, calendar, period)
        for values in aggregate(rows, calendar, names, period):
            row = dict(zip(NAMES[1 : len(COLUMNS) + 1], values, strict=True))
            share, p90 = extras.get((values[0], values[1]), (None, None))
            result.append({"station": code, **row, "termination_share": share, "p90_workdays": p90})

    for code, group in groupby(everything, key=lambda r: r[0]):
        emit(code, [r[1:] for r in group])
    if station is None:
        emit(COUNTY, [r[1:] for r in everything])
    return result
