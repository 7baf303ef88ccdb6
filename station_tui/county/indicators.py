"""Indicators across stations: per station, time-limit category and month (or for any range of days), counted by
the very functions that make each station's own indicators.csv (services.indicators: count, rows_of, count_stages),
from the rows the stations exported, read as the same facts: the applications accepted in the range summed per
category and day (ACCEPTED_FACTS), those finished in it one by one (FINISHED_FACTS), and with --stages the finished
stages of the applications connected in it.

Only the applications accepted or finished in the range are read: the range's outcomes by their day (the last
outcome of each application counts, found by an index on (station, application, seq)), its applications by their
acceptance date (one covering index), and for each of them its documents, stages, pauses, supporting works and
follow-up calls by their application (the works and calls from the events, through partial indexes that hold those
two types only). The working days come from a day index (one calendar question per distinct day)"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from station_tui.county.schema import REOPENED, ensure_schema
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
MMAP_BYTES = 1 << 34  # SQLite maps at most its compile-time limit (2 GiB by default): in effect, the whole file

# The outcome of each application whose last connection, termination or reopening review falls in the range (a
# reopening review last: no outcome). One connected in the range and terminated after it is not counted as connected.
_FINISHED = """
SELECT o.station, o.application, o.type, o.day FROM outcomes o
WHERE o.day >= ? AND o.day <= ? {station}
    AND NOT EXISTS (SELECT 1 FROM outcomes l
                    WHERE l.station = o.station AND l.application = o.application AND l.seq > o.seq)
"""


def _json(dialect: str, key: str) -> str:
    return f"json_extract(e.payload, '$.{key}')" if dialect == "sqlite" else f"(e.payload::json ->> '{key}')"


def _true(dialect: str, key: str) -> str:
    """The payload's boolean `key` is true (SQLite's json_extract gives 1, PostgreSQL's ->> the text 'true')."""
    return f"{_json(dialect, key)} = 1" if dialect == "sqlite" else f"{_json(dialect, key)} = 'true'"


_SAME = "{t}.station = a.station AND {t}.application = a.uuid"

# The applications accepted in the range, summed per station, category and day (ACCEPTED_FACTS): every column of the
# application read from one index on the acceptance date, its documents and stages counted by application.
_ACCEPTED = f"""
SELECT station, category_name, category, accepted_date, count(*), sum(complete), sum(deferred_mode), sum(documents),
    sum(stages), sum(deferred), sum(deferred_on_time)
FROM (SELECT a.station, a.category_name, a.profile || '/' || a.category AS category, a.accepted_date,
        CASE WHEN a.intake_mode = 'complete' THEN 1 ELSE 0 END AS complete,
        CASE WHEN a.intake_mode = 'deferred' THEN 1 ELSE 0 END AS deferred_mode,
        (SELECT count(*) FROM documents d WHERE {_SAME.format(t="d")}) AS documents,
        (SELECT count(*) FROM stages s WHERE {_SAME.format(t="s")}) AS stages,
        CASE WHEN a.intake_mode = 'deferred' THEN (SELECT count(*) FROM documents d WHERE {_SAME.format(t="d")}
            AND d.status IN ('deferred', 'collected')) ELSE 0 END AS deferred,
        CASE WHEN a.intake_mode = 'deferred' THEN (SELECT count(*) FROM documents d WHERE {_SAME.format(t="d")}
            AND d.status = 'collected' AND substr(d.collected_at, 1, 10) <= a.due_date) ELSE 0 END AS deferred_on_time
      FROM applications a
      WHERE a.accepted_date >= ? AND a.accepted_date <= ? AND a.intake_mode != 'refused' {{station}}) t
GROUP BY station, category_name, category, accepted_date
"""


def _finished_sql(dialect: str, station: str) -> str:
    """The applications finished in the range (FINISHED_FACTS, after station, uuid and the category's name)."""
    reached, satisfied, due = _true(dialect, "reached"), _true(dialect, "satisfied"), _json(dialect, "due_date")
    calls = f"{_SAME.format(t='e')} AND e.type = 'followup.called' AND {reached}"
    return f"""
SELECT a.station, a.uuid, a.category_name, a.profile || '/' || a.category, a.accepted_date, a.due_date,
    (SELECT CAST(coalesce(sum(p.paused_workdays), 0) AS BIGINT) FROM pauses p WHERE {_SAME.format(t="p")}),
    a.small_micro,
    CASE WHEN a.small_micro = 1 AND EXISTS (SELECT 1 FROM events e WHERE {calls}) THEN 1 ELSE 0 END,
    CASE WHEN a.small_micro = 1 AND (SELECT CASE WHEN {satisfied} THEN 1 ELSE 0 END FROM events e WHERE {calls}
        ORDER BY e.recorded_at DESC LIMIT 1) = 1 THEN 1 ELSE 0 END,
    (SELECT min({due}) FROM events e WHERE {_SAME.format(t="e")} AND e.type = 'works.recorded'),
    o.type, o.day
FROM ({_FINISHED.format(station=station)}) o JOIN applications a ON a.station = o.station AND a.uuid = o.application
WHERE o.type != '{REOPENED}' AND a.intake_mode != 'refused'
"""


# The finished stages of the applications connected in the range (their last outcome: checked against the facts).
_STAGES = """
SELECT f.station, f.application, s.position, s.name, substr(s.started_at, 1, 10), substr(s.finished_at, 1, 10)
FROM ({finished}) f JOIN stages s ON s.station = f.station AND s.application = f.application
WHERE f.type = ? AND s.started_at IS NOT NULL AND s.finished_at IS NOT NULL
"""

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
    return ("AND station = ?", (station,)) if station else ("", ())


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
    for code, name, category, *row in target.query(_ACCEPTED.format(station=where.replace("station", "a.station")),
                                                   (*days, *params)):  # fmt: skip
        read.names[category] = name or ""
        read.accepted.setdefault(code, []).append((category, *(r if isinstance(r, str) else int(r) for r in row)))
    of_range = where.replace("station", "o.station")
    connected: dict[tuple[str, str], tuple[str, str]] = {}
    for code, uuid, name, *row in target.query(_finished_sql(target.dialect, of_range), (*days, *params)):
        read.names[row[0]] = name or ""
        read.finished.setdefault(code, []).append(tuple(row))
        if row[-2] == CONNECTED:
            connected[code, uuid] = (row[0], row[-1])
    if not with_stages:
        return read
    stage_sql = _STAGES.format(finished=_FINISHED.format(station=of_range))
    for code, application, position, name, started, ended in target.query(stage_sql, (*days, *params, CONNECTED)):
        found = connected.get((code, application))
        if found is not None:  # its last outcome is this connection
            read.stages.setdefault(code, []).append((*found, position, name, started, ended))
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
    ensure_schema(target)  # a database loaded by an older version gets the indexes these queries need
    if target.dialect == "sqlite":
        # A range's look-ups touch pages all over the file: mapped, they are read from the system's file cache in
        # place instead of one read() call each into this connection's own cache (which starts empty every time).
        target.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
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


def stage_indicators(
    target: Target,
    span: Range,
    *,
    by_month: bool = True,
    station: str | None = None,
    calendar: WorkCalendar | None = None,
) -> list[dict]:
    """The working days of each stage (STAGE_NAMES), per station and for the county."""
    return count_range(target, span, by_month=by_month, station=station, calendar=calendar).stages
