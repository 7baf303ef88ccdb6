"""Due dates, one rule for an application and for a stage: a function of its events and the calendar.

The clock starts on a day (the acceptance, or the day the stage started), runs for the limit in its unit (working days,
or calendar days moved off a rest day: workdays.WorkCalendar.due), and stops while the application is paused: each
finished pause moves the due date on by the working days it lasted. Services call this to compute a due date and carry
the answer in an event's payload (the projection never reads the calendar); screens, notices and the countdown read
the same answer, so a notice, the countdown and a holiday recompute cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import date

from station_tui.domain.timeutil import from_iso, local_date
from station_tui.domain.workdays import WORKDAY, Due, WorkCalendar, YearSource

Pause = tuple[date, date]  # the day a pause began and the day it ended


def pause_days(rows: Iterable[tuple[str, str | None]]) -> list[Pause]:
    """Finished pauses as days, from their stored (started_at, ended_at) times; a pause still running is left out."""
    return [(local_date(from_iso(started)), local_date(from_iso(ended))) for started, ended in rows if ended]


def due_date(
    cal: WorkCalendar,
    start: date,
    limit: int,
    unit: str = WORKDAY,
    *,
    receipt_next_workday: bool = False,
    pauses: Iterable[Pause] = (),
) -> Due:
    """The due date of a limit counted from `start`, moved on by the working days of the finished `pauses`.

    `receipt_next_workday` (受理顺延) applies to an application's acceptance only; a stage starts on the day it starts.
    """
    base = cal.due(start, limit, unit, receipt_next_workday)
    paused = sum(cal.workdays_between(first, last) for first, last in pauses if first >= start)
    if paused <= 0:
        return base
    moved = cal.add_workdays(base.date, paused)
    estimated = base.estimated or any(
        cal.source(year) is YearSource.ESTIMATE for year in range(base.date.year, moved.year + 1)
    )
    return replace(base, date=moved, estimated=estimated)


def stage_due(
    cal: WorkCalendar,
    started: date,
    limit: int | None,
    unit: str,
    *,
    customer_side: bool = False,
    pauses: Iterable[Pause] = (),
) -> Due | None:
    """A stage's own due date, when the profile gives it a limit and it has started (the customer's own works have
    none: their time does not count against the utility). The unit is the application's."""
    if not limit or customer_side:
        return None
    return due_date(cal, started, limit, unit, pauses=pauses)
