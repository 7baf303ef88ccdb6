"""What the county screen shows, read in one call each (the screen runs them in a thread worker, so each call opens
its own connection): the stations' freshness, the indicators of a month, the months' counts for the chart, and one
station's overdue and long-running applications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from station_tui.county.indicators import Range, indicators
from station_tui.county.schema import ensure_schema
from station_tui.county.status import CountyStatus, county_status
from station_tui.county.target import open_target

OPEN_STATUSES = ("open", "paused")
LONG_RUNNING_DAYS = 30  # calendar days since acceptance after which an open application is listed as long-running


@dataclass(frozen=True)
class Overview:
    status: CountyStatus
    months: list[str]  # every month with applications, oldest first
    accepted: list[int]  # the county's applications accepted per month, for the chart
    month: str
    rows: list[dict]  # the month's indicators (county.indicators.NAMES)


def overview(target: str, month: str | None = None) -> Overview:
    db = open_target(target)
    try:
        ensure_schema(db)
        status = county_status(db)
        series = db.query(
            # The facts hold the applications not refused, and their index every accepted date.
            "SELECT substr(accepted_date, 1, 7), count(*) FROM application_facts GROUP BY substr(accepted_date, 1, 7)"
            " ORDER BY 1"
        )
        months = [m for m, _ in series]
        chosen = month if month in months else (months[-1] if months else "")
        rows = indicators(db, Range.month(chosen)) if chosen else []
        return Overview(status, months, [int(n) for _, n in series], chosen, rows)
    finally:
        db.close()


@dataclass(frozen=True)
class OpenApplication:
    number: str
    business_type: str
    customer: str
    accepted: str
    due: str
    status: str
    overdue: bool


def station_applications(target: str, station: str, today: date) -> list[OpenApplication]:
    """The station's open applications past their due date or open for more than LONG_RUNNING_DAYS, overdue first,
    as its newest export says."""
    long_ago = (today - timedelta(days=LONG_RUNNING_DAYS)).isoformat()
    db = open_target(target)
    try:
        rows = db.query(
            "SELECT number, business_type_name, customer_name, accepted_date, due_date, status_name,"
            " CASE WHEN status = 'open' AND due_date < ? THEN 1 ELSE 0 END FROM applications"
            " WHERE station = ? AND status IN (?, ?) AND (due_date < ? OR accepted_date < ?)"
            " ORDER BY 7 DESC, due_date, number",
            (today.isoformat(), station, *OPEN_STATUSES, today.isoformat(), long_ago),
        )
    finally:
        db.close()
    return [OpenApplication(*row[:6], bool(row[6])) for row in rows]
