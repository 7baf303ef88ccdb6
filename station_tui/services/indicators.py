"""The 获得电力 indicators per time-limit category and month, as the county reports them.

Definitions (also in the data dictionary):
* A month counts the applications accepted in it (accepted, shares of 两证办结 / 容缺办理, documents asked, stages),
  and those connected (装表送电) or terminated in it (connected, working days used, on time, terminated).
* Working days used by a connected application: the working days after the day of acceptance up to and including the
  day of connection (the day of acceptance is not counted), less the working days it was paused for the customer.
  Counted with the station's holiday calendar (services.calendar).
* On time: connected on or before its due date (already moved by its pauses).
* Documents asked: the documents listed for the application at intake (received, deferred and collected alike).

The rows stream out of two queries merged by UUID; only one small accumulator per (month, category) is kept.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

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
)

# Both streams in the order of the application's UUID, so that the lookups below walk each index from its start to
# its end instead of jumping about it (ten times fewer pages read on a large database), and Python merges the two.
APPLICATIONS = """
SELECT a.uuid, a.category, a.accepted_date, a.intake_mode, a.due_date,
    (SELECT count(*) FROM documents d WHERE d.application = a.uuid),
    (SELECT count(*) FROM stages s WHERE s.application = a.uuid),
    (SELECT coalesce(sum(p.paused_workdays), 0) FROM pauses p WHERE p.application = a.uuid)
FROM (SELECT uuid, profile || '/' || category AS category, accepted_date, intake_mode, due_date
      FROM applications NOT INDEXED WHERE intake_mode != 'refused' ORDER BY uuid LIMIT -1) a
"""
# The last connection or termination of each application (the latest counts, should there ever be two); a 站长's
# review that reopened a termination undoes it.
OUTCOMES = """
SELECT application, type, substr(recorded_at, 1, 10) FROM events
WHERE type IN ('application.connected', 'application.terminated')
    OR (type = 'termination.reviewed' AND json_extract(payload, '$.outcome') = 'reopened')
ORDER BY application, seq
"""


def _with_outcomes(conn: sqlite3.Connection) -> Iterator[tuple]:
    """Each application's row with its outcome's type and day (or None, None) in place of its UUID."""
    outcomes = conn.execute(OUTCOMES)
    pending = next(outcomes, None)
    for row in conn.execute(APPLICATIONS):
        uuid = row[0]
        # SQLite orders text by its UTF-8 bytes, which is the order of Python strings.
        while pending is not None and pending[0] < uuid:
            pending = next(outcomes, None)
        kind = day = None
        while pending is not None and pending[0] == uuid:
            _, kind, day = pending
            if kind == "termination.reviewed":
                kind = day = None
            pending = next(outcomes, None)
        yield (*row[1:], kind, day)


# The accumulators of one (month, category), by position.
ACCEPTED, COMPLETE, DEFERRED, DOCUMENTS, STAGES, CONNECTED, WORKDAYS, LONGEST, ON_TIME, TERMINATED = range(10)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _mean(total: int, count: int) -> float | None:
    return round(total / count, 2) if count else None


def indicator_rows(
    conn: sqlite3.Connection, calendar: WorkCalendar, category_names: Mapping[str, str]
) -> Iterator[tuple]:
    return aggregate(_with_outcomes(conn), calendar, category_names)


def month_of(day: str) -> str | None:
    return day[:7]


def aggregate(
    rows: Iterable[tuple],
    calendar: WorkCalendar,
    category_names: Mapping[str, str],
    period: Callable[[str], str | None] = month_of,
) -> Iterator[tuple]:
    """The indicator rows (COLUMNS) from application rows: (profile/category, accepted date, intake mode, due date,
    documents, stages, paused working days, outcome event type or None, outcome day or None). The station's export
    and the county office both count through here, so their definitions cannot drift apart. `period` names the
    group a day falls in (its month by default; None: outside the range asked for)."""
    groups: dict[tuple[str, str], list[int]] = {}
    used_days = workdays_used(calendar)

    def group(day: str, category: str) -> list[int] | None:
        key = period(day)
        if key is None:
            return None
        g = groups.get((key, category))
        if g is None:
            g = groups[key, category] = [0] * 10
        return g

    for category, accepted, mode, due, documents, stages, paused, kind, day in rows:
        g = group(accepted, category)
        if g is not None:
            g[ACCEPTED] += 1
            g[COMPLETE] += mode == "complete"
            g[DEFERRED] += mode == "deferred"
            g[DOCUMENTS] += documents
            g[STAGES] += stages
        if kind is None:
            continue
        g = group(day, category)
        if g is None:
            continue
        if kind == "application.terminated":
            g[TERMINATED] += 1
            continue
        used = used_days(accepted, day, paused)
        g[CONNECTED] += 1
        g[WORKDAYS] += used
        g[LONGEST] = max(g[LONGEST], used)
        g[ON_TIME] += day <= due
    for (month, category), g in sorted(groups.items()):
        connected = g[CONNECTED]
        yield (
            month,
            category.split("/", 1)[1],
            category_names.get(category, ""),
            g[ACCEPTED],
            _share(g[COMPLETE], g[ACCEPTED]),
            _share(g[DEFERRED], g[ACCEPTED]),
            _mean(g[DOCUMENTS], g[ACCEPTED]),
            _mean(g[STAGES], g[ACCEPTED]),
            connected,
            _mean(g[WORKDAYS], connected),
            g[LONGEST] if connected else None,
            _share(g[ON_TIME], connected),
            g[TERMINATED],
        )


def workdays_used(calendar: WorkCalendar) -> Callable[[str, str, int], int]:
    """Working days a connected application used: after the day of acceptance up to the day of connection, less its
    pauses (never below 0)."""

    @lru_cache(maxsize=1 << 16)
    def between(accepted: str, finished: str) -> int:
        # Many applications share the same two days: the calendar is asked once per pair.
        return calendar.workdays_between(date.fromisoformat(accepted), date.fromisoformat(finished))

    def used(accepted: str, finished: str, paused: int) -> int:
        return max(between(accepted, finished) - paused, 0)

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
    """The export's indicator rows (the same computation) for months first..last (YYYY-MM, inclusive), and each
    month's duties."""
    from station_tui.services.export import category_names  # export imports this module

    for month in (first, last):
        if month is not None:
            check_month(month)
    names = [column.name for column in COLUMNS]
    rows = indicator_rows(station.store.conn, station.calendar, category_names(station))
    categories = [dict(zip(names, row, strict=True)) for row in rows if _in_range(row[0], first, last)]
    months = sorted({row["month"] for row in categories})
    return {"categories": categories, "months": [month_duties(station, month) for month in months]}
