"""The 获得电力 indicators per time-limit category and month, as the county reports them.

Definitions (also in the data dictionary):
* A month counts the applications accepted in it (accepted, shares of 两证办结 / 容缺办理, documents asked, stages,
  deferred documents), and those connected (装表送电) or terminated in it (connected, working days used, on time,
  terminated, termination rate, supporting works, follow-up calls, the working days of each stage).
* Working days used by a connected application: the working days after the day of acceptance up to and including the
  day of connection (the day of acceptance is not counted), less the working days it was paused for the customer
  (the customer's time, stated as its own column). Counted with the station's holiday calendar (services.calendar).
* A stage's working days: after the day it started up to and including the day it finished (pauses not taken off:
  they belong to the application, not to a stage), for the stages of the applications connected in the month.
* On time: connected on or before its due date (already moved by its pauses).
* Documents asked: the documents listed for the application at intake (received, deferred and collected alike).
* A deferred (容缺) document is collected on time when it was collected on or before the date committed at intake:
  the application's due date, as the code defines it (deferred documents are collected at the site survey, within the
  first stage: application_view.deferred_due, terminations.proposed_terminations; services.deferred's collect_by
  comes to the same date on every shipped profile, whose stages have no limits of their own).
* Supporting works (配套工程) are on time when the application was connected on or before the works' due date (the
  limit of the profile's table, counted from the day they were recorded): the works' own completion is not recorded,
  the connection cannot come before it.
* Follow-up calls: of the 小微 applications connected in the month, the share whose customer a call reached, and of
  those the share satisfied at the latest call that reached them.

Both the station (its own tables) and the county (the rows the stations exported) read the same facts (applications
accepted, summed by category and day; applications finished, one each; finished stages) and count them here: one
definition. Working days come from a day index (the
running count of working days since ORIGIN, one calendar question per distinct day), not a calendar walk per
application.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from station_tui.domain.deadlines import WORKS_DEADLINE_SQL
from station_tui.domain.workdays import WorkCalendar
from station_tui.services.export.tables import Column
from station_tui.services.followups import call_shares
from station_tui.services.station import Station
from station_tui.services.terminations import check_month, termination_rate

COLUMNS = (
    Column("month", "月份", "code", "YYYY-MM"),
    Column("category", "时限类别代码", "enum"),
    Column("category_name", "时限类别", "text"),
    Column("accepted", "受理件数", "int", "当月受理的申请"),
    Column("complete_share", "两证办结占比", "share", "当月受理中两证办结的比例"),
    Column("deferred_share", "容缺办理占比", "share", "当月受理中容缺办理的比例"),
    Column("avg_documents", "平均收资份数", "real", "当月受理的申请平均所列资料份数"),
    Column("avg_stages", "平均环节数", "real", "当月受理的申请平均环节数"),
    Column("connected", "送电件数", "int", "当月装表送电的申请"),
    Column("avg_workdays", "平均用时（工作日）", "real", "当月送电的申请：受理次日起至送电日的工作日数，扣除暂停"),
    Column("max_workdays", "最长用时（工作日）", "int"),
    Column("on_time_share", "按期送电占比", "share", "当月送电中不晚于到期日的比例"),
    Column("terminated", "终止件数", "int", "当月终止的申请"),
    Column("p90_workdays", "用时90百分位（工作日）", "int", "当月送电的申请用时（同平均用时）的第90百分位（最近秩法）"),
    Column(
        "excluded_workdays", "扣除的客户时间（工作日）", "int",
        "当月送电的申请因等待客户暂停、已从用时中扣除的工作日合计",
    ),
    Column("termination_rate", "终止率", "share", "当月终止件数 ÷（当月送电件数 + 当月终止件数）；站长退回重办的终止不计"),
    Column("deferred_documents", "容缺资料份数", "int", "当月受理的申请中容缺后补的资料份数"),
    Column(
        "deferred_on_time_share", "容缺资料按期补齐占比", "share",
        "当月受理的容缺资料中，不晚于承诺日期（申请到期日）补收的比例；尚未补收的不算按期",
    ),
    Column("works_connected", "有配套工程送电件数", "int", "当月送电且登记了配套工程的申请"),
    Column(
        "works_on_time_share", "配套工程按期占比", "share",
        "其中送电日不晚于配套工程完成期限（时限表到期日与约定完成时间中较早者）的比例；配套工程完工未单独记录，以送电日为准",
    ),
    Column("small_micro_connected", "小微企业送电件数", "int", "当月送电的小微企业申请"),
    Column("called_share", "回访接通占比", "share", "当月送电的小微企业申请中回访已接通的比例"),
    Column("satisfied_share", "回访满意占比", "share", "回访接通的申请中最近一次接通时满意的比例"),
)  # fmt: skip

# Per stage: the working days of each stage of the applications connected in the month.
STAGE_COLUMNS = (
    Column("month", "月份", "code", "YYYY-MM"),
    Column("category", "时限类别代码", "enum"),
    Column("category_name", "时限类别", "text"),
    Column("position", "环节序号", "int", "从 1 起，见 stages.csv"),
    Column("stage", "环节名称", "text"),
    Column("finished", "完成件数", "int", "当月送电的申请中该环节已完成的件数"),
    Column("avg_workdays", "平均用时（工作日）", "real", "环节开始次日起至完成日的工作日数（暂停不扣除）"),
    Column("p90_workdays", "用时90百分位（工作日）", "int", "同上的第90百分位（最近秩法）"),
)

# What both sides read, by position. Applications accepted, summed by (category, day of acceptance) — one row per
# application at the station, one per day at the county, which sums in SQL:
ACCEPTED_FACTS = (
    "category",  # profile/category
    "accepted",  # YYYY-MM-DD
    "applications",  # how many
    "complete",  # of which 两证办结
    "deferred_mode",  # of which 容缺办理
    "documents",  # documents listed
    "stages",  # stages
    "deferred",  # documents deferred at intake (still deferred, or collected since)
    "deferred_on_time",  # of those, collected on or before the due date
)
# Applications finished (their last outcome), one row each:
FINISHED_FACTS = (
    "category",  # profile/category
    "accepted",  # YYYY-MM-DD
    "due",  # YYYY-MM-DD, moved by pauses
    "paused",  # working days paused for the customer
    "small_micro",  # 0/1
    "called",  # a call reached the customer: 0/1
    "satisfied",  # the latest call that reached them: satisfied 0/1
    "works_due",  # the earliest due date of its supporting works, or None
    "kind",  # its last outcome: application.connected or application.terminated
    "day",  # the day of that outcome
)
# One finished stage: (profile/category, the application's connection day, position, name, started day, finished day).
CONNECTED, TERMINATED = "application.connected", "application.terminated"

# Each application once, in the order of its UUID (a scan and a sort: faster than walking the primary key's index and
# jumping to each row), and beside it what it has of each kind, counted once per kind with GROUP BY application over
# that kind's index by application (in the same order, no sort): Python merges the streams (_Merged). One lookup per
# application per fact (correlated subqueries) took 1.0 s of 1.3 s at 100,000 applications.
APPLICATIONS = """
SELECT uuid, profile || '/' || category, accepted_date, intake_mode, due_date, small_micro
FROM applications NOT INDEXED WHERE intake_mode != 'refused' ORDER BY uuid
"""
# Per application, ordered by it: documents listed, of which deferred at intake (still deferred, or collected since).
DOCUMENTS = """
SELECT application, count(*), sum(status IN ('deferred', 'collected')) FROM documents
GROUP BY application ORDER BY application
"""
STAGE_COUNTS = "SELECT application, count(*) FROM stages GROUP BY application ORDER BY application"
PAUSED = "SELECT application, sum(paused_workdays) FROM pauses GROUP BY application ORDER BY application"
# A deferred-mode application's documents collected on or before its due date.
DEFERRED_ON_TIME = """
SELECT d.application, count(*) FROM applications a JOIN documents d ON d.application = a.uuid
WHERE a.intake_mode = 'deferred' AND d.status = 'collected' AND substr(d.collected_at, 1, 10) <= a.due_date
GROUP BY d.application ORDER BY d.application
"""
# The calls that reached the customer, the latest last (_Merged keeps the last; rowid breaks a tie as the index by
# (application, called_at) does, which `ORDER BY called_at DESC LIMIT 1` walked backwards).
CALLS = "SELECT application, satisfied FROM followup_calls WHERE reached = 1 ORDER BY application, called_at, rowid"
WORKS = f"""
SELECT application, min({WORKS_DEADLINE_SQL.format(t="w")}) FROM supporting_works w
GROUP BY application ORDER BY application
"""
# The connections and terminations of each application, the latest last (it counts, should there ever be two); a
# 站长's review that reopened a termination undoes it.
OUTCOMES = """
SELECT application, type, substr(recorded_at, 1, 10) FROM events
WHERE type IN ('application.connected', 'application.terminated')
    OR (type = 'termination.reviewed' AND json_extract(payload, '$.outcome') = 'reopened')
ORDER BY application, seq
"""
STAGES = """
SELECT s.application, s.position, s.name, substr(s.started_at, 1, 10), substr(s.finished_at, 1, 10)
FROM stages s WHERE s.finished_at IS NOT NULL AND s.started_at IS NOT NULL
ORDER BY s.application, s.position
"""


class _Merged:
    """One per-application query's rows (ordered by application), read alongside the applications: `of(uuid)` is
    that application's last row, or `none` when it has none. SQLite orders text by its UTF-8 bytes, which is the
    order of Python strings."""

    __slots__ = ("rows", "pending", "none")

    def __init__(self, rows: Iterable[tuple], none: tuple) -> None:
        self.rows = iter(rows)
        self.pending = next(self.rows, None)
        self.none = none

    def of(self, uuid: str) -> tuple:
        rows, pending, found = self.rows, self.pending, self.none
        while pending is not None and pending[0] < uuid:
            pending = next(rows, None)
        while pending is not None and pending[0] == uuid:
            found, pending = pending, next(rows, None)
        self.pending = pending
        return found


def _with_outcomes(conn: sqlite3.Connection) -> Iterator[tuple]:
    """Each application's facts (the unpacking in read_facts), with its last outcome's type and day (or None, None)
    at the end."""
    documents = _Merged(conn.execute(DOCUMENTS), (None, 0, 0))
    stages = _Merged(conn.execute(STAGE_COUNTS), (None, 0))
    paused = _Merged(conn.execute(PAUSED), (None, 0))
    on_time = _Merged(conn.execute(DEFERRED_ON_TIME), (None, 0))
    calls = _Merged(conn.execute(CALLS), (None, None))
    works = _Merged(conn.execute(WORKS), (None, None))
    outcomes = _Merged(conn.execute(OUTCOMES), (None, None, None))
    for uuid, category, accepted, mode, due, small_micro in conn.execute(APPLICATIONS):
        _, listed, deferred = documents.of(uuid)
        if mode != "deferred":
            deferred = collected = 0
        else:
            collected = on_time.of(uuid)[1]
        called = satisfied = 0
        if small_micro == 1:
            call = calls.of(uuid)
            if call[0] is not None:
                called, satisfied = 1, call[1] or 0
        _, kind, day = outcomes.of(uuid)
        if kind == "termination.reviewed":
            kind = day = None
        yield (uuid, category, accepted, mode, due, listed, stages.of(uuid)[1], paused.of(uuid)[1] or 0, deferred,
               collected, small_micro, called, satisfied, works.of(uuid)[1], kind, day)  # fmt: skip


@dataclass
class Facts:
    accepted: list[tuple]  # ACCEPTED_FACTS
    finished: list[tuple]  # FINISHED_FACTS
    stages: list[tuple]  # finished stages of the connected applications


def read_facts(
    conn: sqlite3.Connection,
    accepted: Callable[[tuple], None],
    finished: Callable[[tuple], None],
    connected: dict[str, tuple[str, str]] | None = None,
) -> None:
    """Each application's facts, as they are read: `accepted` gets its ACCEPTED_FACTS row, `finished` its
    FINISHED_FACTS row when it has an outcome; `connected`, when given, is filled with the connected ones: uuid →
    (category, day of connection)."""
    for (uuid, category, day_accepted, mode, due, documents, stages, paused, deferred, on_time, small_micro, called,
         satisfied, works_due, kind, day) in _with_outcomes(conn):  # fmt: skip
        complete, deferred_mode = int(mode == "complete"), int(mode == "deferred")
        accepted((category, day_accepted, 1, complete, deferred_mode, documents, stages, deferred, on_time))
        if kind is not None:
            finished((category, day_accepted, due, paused, small_micro, called, satisfied, works_due, kind, day))
            if kind == CONNECTED and connected is not None:
                connected[uuid] = (category, day)


def station_facts(conn: sqlite3.Connection) -> Facts:
    """The station's facts, one row per application, and the finished stages of the connected ones."""
    facts = Facts([], [], [])
    connected: dict[str, tuple[str, str]] = {}
    read_facts(conn, facts.accepted.append, facts.finished.append, connected)
    facts.stages = [
        (*found, position, name, started, finished)
        for application, position, name, started, finished in conn.execute(STAGES)
        if (found := connected.get(application)) is not None
    ]
    return facts


# --- counting -------------------------------------------------------------------------------------------------------


class DayIndex(dict):
    """ISO day → working days from an origin (1 January of the first day asked) up to and including the day: the
    working days after one day up to another are the difference of their numbers. Each distinct day asks the calendar
    once; a day before the origin has a negative number."""

    def __init__(self, calendar: WorkCalendar) -> None:
        super().__init__()
        self.calendar = calendar
        self.origin: date | None = None

    def __missing__(self, day: str) -> int:
        when = date.fromisoformat(day)
        if self.origin is None:
            self.origin = date(when.year, 1, 1)
        number = self[day] = self.calendar.workdays_between(self.origin, when)
        return number


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def percentile(values: list[int], share: float = 0.9) -> int | None:
    """The nearest-rank percentile: the smallest value with at least `share` of the values at or below it."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


class Group:
    """The counts of one (period, category)."""

    __slots__ = (
        "accepted", "complete", "deferred", "documents", "stages", "deferred_documents", "deferred_on_time",
        "used", "on_time", "excluded", "terminated", "works", "works_on_time", "small_micro", "called", "satisfied",
    )  # fmt: skip

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, 0)
        self.used: list[int] = []

    def merge(self, other: Group) -> None:
        for name in self.__slots__:
            if name == "used":
                self.used.extend(other.used)
            else:
                setattr(self, name, getattr(self, name) + getattr(other, name))

    def row(self, period: str, category: str, names: Mapping[str, str]) -> tuple:
        connected = len(self.used)
        return (
            period,
            category.split("/", 1)[1],
            names.get(category, ""),
            self.accepted,
            _share(self.complete, self.accepted),
            _share(self.deferred, self.accepted),
            _mean(self.documents, self.accepted),
            _mean(self.stages, self.accepted),
            connected,
            _mean(sum(self.used), connected),
            max(self.used) if connected else None,
            _share(self.on_time, connected),
            self.terminated,
            percentile(self.used),
            self.excluded,
            _share(self.terminated, connected + self.terminated),
            self.deferred_documents,
            _share(self.deferred_on_time, self.deferred_documents),
            self.works,
            _share(self.works_on_time, self.works),
            self.small_micro,
            _share(self.called, self.small_micro),
            _share(self.satisfied, self.called),
        )


Period = Callable[[str], "str | None"]


def month_of(day: str) -> str | None:
    return day[:7]


class _Memo(dict):
    """A period function's answers by day (a range has few distinct days and many rows)."""

    def __init__(self, period: Period) -> None:
        super().__init__()
        self.period = period

    def __missing__(self, day: str) -> str | None:
        key = self[day] = self.period(day)
        return key


class Counter:
    """The groups of fact rows (ACCEPTED_FACTS, FINISHED_FACTS) by (period, category), counted as the rows come:
    a station streams its applications through it without holding a row per application. `period` names the group
    a day falls in (its month by default; None: outside the range asked for)."""

    def __init__(self, days: DayIndex, period: Period = month_of) -> None:
        self.days = days
        self.groups: dict[tuple[str, str], Group] = {}
        self._periods = _Memo(period)

    def _group(self, day: str, category: str) -> Group | None:
        key = self._periods[day]
        if key is None:
            return None
        g = self.groups.get((key, category))
        if g is None:
            g = self.groups[key, category] = Group()
        return g

    def accepted(self, row: tuple) -> None:
        category, day, n, complete, deferred_mode, documents, stages, deferred, deferred_on_time = row
        g = self._group(day, category)
        if g is not None:
            g.accepted += n
            g.complete += complete
            g.deferred += deferred_mode
            g.documents += documents
            g.stages += stages
            g.deferred_documents += deferred
            g.deferred_on_time += deferred_on_time

    def finished(self, row: tuple) -> None:
        category, accepted_day, due, paused, small_micro, called, satisfied, works_due, kind, day = row
        g = self._group(day, category)
        if g is None:
            return
        if kind == TERMINATED:
            g.terminated += 1
            return
        days = self.days
        gross = max(days[day] - days[accepted_day], 0)
        used = max(gross - paused, 0)
        g.used.append(used)
        g.excluded += gross - used
        g.on_time += day <= due
        if works_due is not None:
            g.works += 1
            g.works_on_time += day <= works_due
        if small_micro:
            g.small_micro += 1
            g.called += bool(called)
            g.satisfied += bool(called) and bool(satisfied)


def count(
    accepted: Iterable[tuple], finished: Iterable[tuple], days: DayIndex, period: Period = month_of
) -> dict[tuple[str, str], Group]:
    """The groups of fact rows (ACCEPTED_FACTS, FINISHED_FACTS) by (period, category): see Counter."""
    counter = Counter(days, period)
    for row in accepted:
        counter.accepted(row)
    for row in finished:
        counter.finished(row)
    return counter.groups


def rows_of(groups: Mapping[tuple[str, str], Group], names: Mapping[str, str]) -> Iterator[tuple]:
    """The indicator rows (COLUMNS) of counted groups, in order of period and category."""
    for (period, category), g in sorted(groups.items()):
        yield g.row(period, category, names)


def count_stages(
    stages: Iterable[tuple], days: DayIndex, period: Period = month_of
) -> dict[tuple[str, str, int], tuple[str, list[int]]]:
    """(period, category, position) → (stage name, working days of each) from finished-stage rows."""
    groups: dict[tuple[str, str, int], tuple[str, list[int]]] = {}
    periods = _Memo(period)
    for category, connected, position, name, started, finished in stages:
        key = periods[connected]
        if key is None:
            continue
        found = groups.get((key, category, position))
        if found is None:
            found = groups[key, category, position] = (name, [])
        found[1].append(max(days[finished] - days[started], 0))
    return groups


def merge_stages(into: dict, other: Mapping) -> None:
    for key, (name, values) in other.items():
        into.setdefault(key, (name, []))[1].extend(values)


def stage_rows_of(
    groups: Mapping[tuple[str, str, int], tuple[str, list[int]]], names: Mapping[str, str]
) -> Iterator[tuple]:
    """The per-stage rows (STAGE_COLUMNS), in order of period, category and position."""
    for (period, category, position), (name, values) in sorted(groups.items()):
        n = len(values)
        yield (period, category.split("/", 1)[1], names.get(category, ""), position, name, n,
               _mean(sum(values), n), percentile(values))  # fmt: skip


def indicator_rows(
    conn: sqlite3.Connection, calendar: WorkCalendar, category_names: Mapping[str, str]
) -> Iterator[tuple]:
    """The station's indicator rows (COLUMNS), every month: indicators.csv. Counted as the applications are read,
    not from a list of them (a row per application held in memory was 150 MB at 100,000), without the stages."""
    counter = Counter(DayIndex(calendar))
    read_facts(conn, counter.accepted, counter.finished)
    return rows_of(counter.groups, category_names)


def workdays_used(calendar: WorkCalendar) -> Callable[[str, str, int], int]:
    """Working days a connected application used: after the day of acceptance up to the day of connection, less its
    pauses (never below 0)."""
    days = DayIndex(calendar)

    def used(accepted: str, finished: str, paused: int) -> int:
        return max(days[finished] - days[accepted] - paused, 0)

    return used


# --- the station's indicators on the command line (`station-tui indicators`) ---------------------------------------


def _in_range(month: str, first: str | None, last: str | None) -> bool:
    return (first is None or month >= first) and (last is None or month <= last)


def month_duties(station: Station, month: str) -> dict[str, Any]:
    """The month's duties beside the category rows: termination rate against the profile's threshold, follow-up
    calls of the 小微 applications connected in the month."""
    rate = termination_rate(station, month)
    calls = call_shares(station, month)
    return {
        "month": month,
        "terminated": rate.terminated,
        "finished": rate.finished,
        "termination_rate": rate.rate,
        "termination_rate_max": rate.threshold,
        "termination_rate_over": rate.over,
        "small_micro_connected": calls.connected,
        "called_share": calls.called_share,
        "satisfied_share": calls.satisfied_share,
    }


def station_indicators(station: Station, first: str | None = None, last: str | None = None) -> dict[str, list[dict]]:
    """The export's indicator rows (the same computation) for months first..last (YYYY-MM, inclusive), the working
    days of each stage (STAGE_COLUMNS), and each month's duties."""
    from station_tui.services.export import category_names  # export imports this module

    for month in (first, last):
        if month is not None:
            check_month(month)
    names = category_names(station)
    facts = station_facts(station.store.conn)
    days = DayIndex(station.calendar)
    rows = rows_of(count(facts.accepted, facts.finished, days), names)
    categories = [dict(zip(_names(COLUMNS), row, strict=True)) for row in rows if _in_range(row[0], first, last)]
    per_stage = stage_rows_of(count_stages(facts.stages, days), names)
    stage_list = [
        dict(zip(_names(STAGE_COLUMNS), row, strict=True)) for row in per_stage if _in_range(row[0], first, last)
    ]
    months = sorted({row["month"] for row in categories})
    return {
        "categories": categories,
        "stages": stage_list,
        "months": [month_duties(station, month) for month in months],
    }


def _names(columns: tuple[Column, ...]) -> list[str]:
    return [column.name for column in columns]
