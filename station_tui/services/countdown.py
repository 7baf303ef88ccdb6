"""时限倒计时: every open application with its due dates, working days left and warning level, most urgent first.

Levels (profile.warning.warn_days, **default** 2): normal with more than warn_days working days left, warning at
warn_days or fewer, urgent on the due day, overdue after it. A paused application's clock is stopped: its level is
`paused` and its days left are counted from the day the pause began. The home screen counts the same way (due_date
against today for open applications).

One query reads the rows; each distinct due date is counted once, from the calendar's precomputed index.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from station_tui.domain.errors import StationError
from station_tui.domain.timeutil import from_iso, local_date
from station_tui.domain.workdays import CALENDAR_DAY, WorkCalendar
from station_tui.services import lifecycle
from station_tui.services.calendar import calendar
from station_tui.services.station import Station

OVERDUE, URGENT, WARNING, NORMAL, PAUSED = "overdue", "urgent", "warning", "normal", "paused"
LEVELS = (OVERDUE, URGENT, WARNING, NORMAL, PAUSED)  # most urgent first: the sort order
_RANK = {level: rank for rank, level in enumerate(LEVELS)}

# The rows of the countdown; bench/countdown_bench.py times this same statement as the anchor.
ROWS_SQL = """
SELECT a.uuid, a.number, a.customer_name, a.business_type, a.status, a.due_date, a.due_estimated,
       a.customer_manager, o.name, a.paused_at, a.pause_reason, a.current_stage, a.limit_unit,
       s.name, s.limit_days, s.customer_side, s.started_at
FROM applications a
JOIN stages s ON s.application = a.uuid AND s.position = a.current_stage
LEFT JOIN operators o ON o.uuid = a.customer_manager
WHERE a.status IN ('open', 'paused')
"""


@dataclass(slots=True)
class CountdownRow:
    application: str
    number: str
    customer: str
    business_type: str
    business_type_name: str
    status: str
    stage: str
    customer_side: bool  # the customer's own external works
    manager: str | None
    manager_name: str
    due: date
    estimated: bool
    stage_due: date | None  # only where the profile sets a limit for the current stage
    days_left: int  # working days from today (from the pause's first day when paused) to the nearer due date
    level: str
    paused_since: date | None
    pause_reason: str | None


@dataclass(frozen=True)
class Countdown:
    today: date
    warn_days: int
    rows: list[CountdownRow]

    def counts(self) -> dict[str, int]:
        return level_counts(self.rows)


def level(days_left: int, due: date, today: date, warn_days: int) -> str:
    if due < today:
        return OVERDUE
    if due == today:
        return URGENT
    return WARNING if days_left <= warn_days else NORMAL


def _stage_due(cal: WorkCalendar, started_at: str, limit: int, unit: str) -> date:
    start = local_date(from_iso(started_at))
    return cal.calendar_day_due(start, limit) if unit == CALENDAR_DAY else cal.add_workdays(start, limit)


def countdown(station: Station, today: date | None = None) -> Countdown:
    cal = calendar(station)
    today = today or local_date(station.store.clock())
    warn_days = station.profile.warning.warn_days
    types = {t.id: t.name for t in station.checklists.business_types}
    between = cal.workdays_between
    parsed: dict[str, date] = {}
    left: dict[tuple[date, date], int] = {}
    rows: list[CountdownRow] = []
    for (
        uuid,
        number,
        customer,
        business_type,
        status,
        due_text,
        estimated,
        manager,
        manager_name,
        paused_at,
        pause_reason,
        _position,
        unit,
        stage,
        stage_limit,
        customer_side,
        stage_started,
    ) in station.store.conn.execute(ROWS_SQL):
        due = parsed.get(due_text)
        if due is None:
            due = parsed[due_text] = date.fromisoformat(due_text)
        paused_since = local_date(from_iso(paused_at)) if paused_at else None
        counted_to = paused_since or today
        nearest = due
        stage_due = None
        if stage_limit and stage_started:
            stage_due = _stage_due(cal, stage_started, stage_limit, unit)
            nearest = min(due, stage_due)
        key = (counted_to, nearest)
        days = left.get(key)
        if days is None:
            days = left[key] = between(counted_to, nearest)
        rows.append(
            CountdownRow(
                uuid,
                number,
                customer,
                business_type,
                types.get(business_type, business_type),
                status,
                stage,
                bool(customer_side),
                manager,
                manager_name or "",
                due,
                bool(estimated),
                stage_due,
                days,
                PAUSED if status == "paused" else level(days, nearest, today, warn_days),
                paused_since,
                pause_reason,
            )
        )
    rows.sort(key=lambda r: (_RANK[r.level], r.days_left, r.due, r.number))
    return Countdown(today, warn_days, rows)


def filter_rows(
    rows: Iterable[CountdownRow],
    *,
    stage: str | None = None,
    business_type: str | None = None,
    manager: str | None = None,
) -> list[CountdownRow]:
    """The rows matching every filter given (None: any)."""
    return [
        r
        for r in rows
        if (stage is None or r.stage == stage)
        and (business_type is None or r.business_type == business_type)
        and (manager is None or r.manager == manager)
    ]


def level_counts(rows: Iterable[CountdownRow]) -> dict[str, int]:
    counted = Counter(r.level for r in rows)
    return {level: counted.get(level, 0) for level in LEVELS}


# --- actions -----------------------------------------------------------------------------------------------------


def pause(station: Station, application: str, reason: str, operator: str) -> None:
    """Stop the clock while waiting on the customer; the reason and the operator are in the event."""
    lifecycle.pause(station, application, reason=reason, operator=operator)


def resume(station: Station, application: str, operator: str) -> str:
    """Start the clock again; the due date moves by the paused working days. Returns the new due date."""
    return lifecycle.resume(station, application, operator=operator)


@dataclass(frozen=True)
class ApplicationDetails:
    """The plain facts of one application, for the countdown's own detail view."""

    number: str
    customer: str
    business_type: str
    status: str
    intake_mode: str
    address: str
    accepted_at: datetime
    due: date
    estimated: bool
    limit: str
    manager: str
    stages: list[tuple[str, str, str]]  # name, started, finished
    pauses: list[tuple[str, str, str, int | None]]  # reason, started, ended, working days
    deferred: list[str]


def _short(moment: str | None) -> str:
    return f"{from_iso(moment):%Y-%m-%d %H:%M}" if moment else ""


def application_details(station: Station, application: str) -> ApplicationDetails:
    from station_tui.domain.glossary import APPLICATION_STATUSES, INTAKE_MODES, LIMIT_UNITS, zh

    store = station.store
    found = store.rows("SELECT * FROM applications WHERE uuid = ?", (application,))
    if not found:
        raise StationError("没有这件申请")
    app = found[0]
    types = {t.id: t.name for t in station.checklists.business_types}
    manager = store.one("SELECT name FROM operators WHERE uuid = ?", (app["customer_manager"],)) or ""
    stages = [
        (r["name"], _short(r["started_at"]), _short(r["finished_at"]))
        for r in store.rows(
            "SELECT name, started_at, finished_at FROM stages WHERE application = ? ORDER BY position", (application,)
        )
    ]
    pauses = [
        (r["reason"], _short(r["started_at"]), _short(r["ended_at"]), r["paused_workdays"])
        for r in store.rows(
            "SELECT reason, started_at, ended_at, paused_workdays FROM pauses WHERE application = ? ORDER BY started_at",
            (application,),
        )
    ]
    deferred = [
        r["name"]
        for r in store.rows("SELECT name FROM documents WHERE application = ? AND status = 'deferred'", (application,))
    ]
    return ApplicationDetails(
        number=app["number"],
        customer=app["customer_name"],
        business_type=types.get(app["business_type"], app["business_type"]),
        status=zh(APPLICATION_STATUSES, app["status"]),
        intake_mode=zh(INTAKE_MODES, app["intake_mode"]),
        address=app["address"],
        accepted_at=from_iso(app["accepted_at"]),
        due=date.fromisoformat(app["due_date"]),
        estimated=bool(app["due_estimated"]),
        limit=f"{app['limit_days']} 个{zh(LIMIT_UNITS, app['limit_unit'])}",
        manager=manager,
        stages=stages,
        pauses=pauses,
        deferred=deferred,
    )
