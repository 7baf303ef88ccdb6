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
from datetime import date

from station_tui.domain import deadlines
from station_tui.domain.deadlines import Pause
from station_tui.domain.timeutil import from_iso, local_date
from station_tui.domain.workdays import WorkCalendar
from station_tui.services import lifecycle
from station_tui.services.calendar import open_pauses
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
# Each open application's supporting works that fall due first: the works' own deadline is the earlier of the
# limit's due date and the agreed contract date (限时制 and 契约制 both bind). SQLite takes the bare columns from the
# row whose min() it returns.
WORKS_SQL = f"""
SELECT w.application, min({deadlines.WORKS_DEADLINE_SQL.format(t="w")}),
       w.due_estimated AND w.due_date <= w.contract_date, w.voltage || '/' || w.item, w.contract_date
FROM supporting_works w JOIN applications a ON a.uuid = w.application
WHERE a.status IN ('open', 'paused')
GROUP BY w.application
"""


@dataclass(frozen=True, slots=True)
class WorksClock:
    """The supporting works' own countdown on an application. Their clock runs while the application is paused:
    the grid works are the company's, not the customer's."""

    kind: str
    contract_date: date
    due: date  # the earlier of the limit's due date and the contract date
    estimated: bool
    days_left: int
    level: str


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
    works: WorksClock | None = None


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


def _stage_due(
    cal: WorkCalendar,
    started_at: str,
    limit: int,
    unit: str,
    pauses: list[Pause],
    known: dict[tuple[date, int, str], date],
) -> date:
    """The stage's due date by domain.deadlines' rule; stages started the same day with the same limit and no pause
    share one answer."""
    started = local_date(from_iso(started_at))
    key = (started, limit, unit)
    if not pauses and key in known:
        return known[key]
    found = deadlines.stage_due(cal, started, limit, unit, pauses=pauses)
    assert found is not None  # a limit, and not the customer's own works
    if not pauses:
        known[key] = found.date
    return found.date


def countdown(station: Station, today: date | None = None) -> Countdown:
    cal = station.calendar
    pauses = open_pauses(station)
    today = today or local_date(station.store.clock())
    warn_days = station.profile.warning.warn_days
    types = {t.id: t.name for t in station.checklists.business_types}
    between = cal.workdays_between
    parsed: dict[str, date] = {}
    left: dict[tuple[date, date], int] = {}
    stage_dues: dict[tuple[date, int, str], date] = {}
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
        if stage_limit and stage_started and not customer_side:
            stage_due = _stage_due(cal, stage_started, stage_limit, unit, pauses.get(uuid, ()), stage_dues)
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
    clocks = works_clocks(station, today, warn_days)
    for row in rows:
        row.works = clocks.get(row.application)
    rows.sort(key=lambda r: (_RANK[r.level], r.days_left, r.due, r.number))
    return Countdown(today, warn_days, rows)


def works_clocks(station: Station, today: date, warn_days: int) -> dict[str, WorksClock]:
    """Application → the countdown of its supporting works due first, with the application's warning levels."""
    between = station.calendar.workdays_between
    clocks = {}
    for application, due_text, estimated, kind, contract in station.store.conn.execute(WORKS_SQL):
        due = date.fromisoformat(due_text)
        days = between(today, due)
        clocks[application] = WorksClock(
            kind, date.fromisoformat(contract), due, bool(estimated), days, level(days, due, today, warn_days)
        )
    return clocks


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
