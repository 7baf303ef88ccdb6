"""容缺资料待收: the applications accepted with documents still to collect, as a list to work from.

One row per application (the home card counts applications, not documents): who collects what, by when, overdue
first. "By when" is the end of the stage the documents are collected at (现场勘查), not the whole process's due date,
by domain.deadlines' one rule (stage_schedule): the stage's own due date once it has started, and before that the date
it falls due if every earlier stage takes its full limit. The shipped profiles have no stage of that name (the survey
is part of 用电申请, the first stage) and give it no limit of its own: there the whole process's due date is all there
is, and the list says so.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from station_tui.domain.deadlines import stage_clocks, stage_schedule, survey_index
from station_tui.domain.timeutil import from_iso, local_date
from station_tui.domain.workdays import WorkCalendar
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
STAGES_SQL = "SELECT name, limit_days, customer_side, started_at, finished_at FROM stages WHERE application = ? ORDER BY position"


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
    stage_limit: bool  # collect_by is that stage's own end (False: the profile gives it no limit: the final due date)
    days_left: int  # working days from today to collect_by; negative when overdue
    overdue: bool  # collect_by is before today


def collect_by(station: Station, cal: WorkCalendar, application: dict, stage: str) -> tuple[date, bool]:
    """When the stage the documents are collected at ends at the latest, and whether that is its own date (False: the
    profile gives the stage no limit, so the application's due date stands in)."""
    rows = station.store.rows(STAGES_SQL, (application["uuid"],))
    clocks = stage_clocks(rows)
    accepted = local_date(from_iso(application["accepted_at"]))
    dues = stage_schedule(cal, accepted, clocks, application["limit_unit"])
    survey = dues[survey_index([c.name for c in clocks], stage)] if dues else None
    if survey is None:
        return date.fromisoformat(application["due_date"]), False
    return survey.date, True


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
        by, own = collect_by(station, cal, first, stage)
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
                stage_limit=own,
                days_left=cal.workdays_between(today, by),
                overdue=by < today,
            )
        )
    rows.sort(key=lambda r: (not r.overdue, r.collect_by, r.number))
    return rows
