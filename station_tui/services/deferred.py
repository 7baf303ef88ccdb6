"""容缺资料待收: the applications accepted with documents still to collect, as a list to work from.

One row per application (the home card counts applications, not documents): who collects what, by when, overdue
first. "By when" is the end of the stage the documents are collected at (现场勘查), not the whole process's due date:
the stage's own due date once it has started, and before that the date it falls due if every earlier stage takes its
full limit. The shipped profiles have no stage of that name (the survey is part of 用电申请, the first stage) and give
their stages no limits of their own: there the whole process's due date is all there is.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from station_tui.domain.timeutil import from_iso, local_date
from station_tui.domain.workdays import CALENDAR_DAY, WorkCalendar
from station_tui.services.station import Station

DOCUMENTS_SQL = """
SELECT a.uuid, a.number, a.customer_name, a.phone, a.due_date, a.accepted_at, a.limit_unit,
       d.name, d.collect_at_stage, coalesce(o.name, '未指派') AS collector, d.assigned_to
FROM documents d
JOIN applications a ON a.uuid = d.application
LEFT JOIN operators o ON o.uuid = d.assigned_to
WHERE d.status = 'deferred' AND a.status IN ('open', 'paused')
ORDER BY a.number, d.rowid
"""
STAGES_SQL = "SELECT name, limit_days, started_at, finished_at FROM stages WHERE application = ? ORDER BY position"


@dataclass(frozen=True)
class DeferredRow:
    application: str
    number: str
    customer: str
    phone: str
    documents: list[str]
    collector: str
    collector_id: str | None
    stage: str  # where they are collected
    collect_by: date
    days_left: int  # working days from today to collect_by; negative when overdue
    overdue: bool  # collect_by is before today


def _stage_end(cal: WorkCalendar, start: date, limit: int, unit: str) -> date:
    return cal.calendar_day_due(start, limit) if unit == CALENDAR_DAY else cal.add_workdays(start, limit)


def collect_by(station: Station, cal: WorkCalendar, application: dict, stage: str) -> date:
    """When the stage the documents are collected at ends at the latest (see the module's docstring)."""
    start = local_date(from_iso(application["accepted_at"]))
    stages = station.store.rows(STAGES_SQL, (application["uuid"],))
    if stages and stage not in {row["name"] for row in stages}:
        stage = stages[0]["name"]  # the profiles put the site survey inside the first stage (用电申请)
    for row in stages:
        if row["started_at"]:
            start = local_date(from_iso(row["started_at"]))
        if not row["limit_days"]:
            if row["name"] == stage:
                break
            return date.fromisoformat(application["due_date"])  # an earlier stage without a limit: no schedule
        end = _stage_end(cal, start, row["limit_days"], application["limit_unit"])
        if row["name"] == stage:
            return end
        start = local_date(from_iso(row["finished_at"])) if row["finished_at"] else end
    return date.fromisoformat(application["due_date"])


def deferred_rows(station: Station, today: date | None = None) -> list[DeferredRow]:
    """Every application with documents to collect, overdue first, then the nearest date."""
    cal = station.calendar
    today = today or local_date(station.store.clock())
    grouped: dict[str, list[dict]] = defaultdict(list)
    for row in station.store.rows(DOCUMENTS_SQL):
        grouped[row["uuid"]].append(row)
    rows = []
    for docs in grouped.values():
        first = docs[0]
        stage = first["collect_at_stage"] or "现场勘查"
        by = collect_by(station, cal, first, stage)
        collectors = sorted({d["collector"] for d in docs})
        rows.append(
            DeferredRow(
                application=first["uuid"],
                number=first["number"],
                customer=first["customer_name"],
                phone=first["phone"],
                documents=[d["name"] for d in docs],
                collector="、".join(collectors),
                collector_id=first["assigned_to"],
                stage=stage,
                collect_by=by,
                days_left=cal.workdays_between(today, by),
                overdue=by < today,
            )
        )
    rows.sort(key=lambda r: (not r.overdue, r.collect_by, r.number))
    return rows
