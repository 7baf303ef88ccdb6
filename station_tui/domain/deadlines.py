"""Due dates, one rule for an application and for a stage: a function of its events and the calendar.

The clock starts on a day (the acceptance, or the day the stage started), runs for the limit in its unit (working days,
or calendar days moved off a rest day: workdays.WorkCalendar.due), and stops while the application is paused: each
finished pause moves the due date on by the working days it lasted. Services call this to compute a due date and carry
the answer in an event's payload (the projection never reads the calendar); screens, notices and the countdown read
the same answer, so a notice, the countdown and a holiday recompute cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

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


@dataclass(frozen=True)
class StageClock:
    """What a stage's due date is computed from: its limit (None: the profile gives it none of its own), whether it is
    the customer's own works, and the days it started and finished (None: not yet)."""

    name: str
    limit: int | None
    customer_side: bool = False
    started: date | None = None
    finished: date | None = None


def stage_clocks(rows: Iterable[Mapping[str, Any]]) -> list[StageClock]:
    """From stored `stages` rows (name, limit_days, customer_side, started_at, finished_at)."""

    def day(stored: str | None) -> date | None:
        return local_date(from_iso(stored)) if stored else None

    return [
        StageClock(r["name"], r["limit_days"], bool(r["customer_side"]), day(r["started_at"]), day(r["finished_at"]))
        for r in rows
    ]


def stage_schedule(
    cal: WorkCalendar, accepted: date, stages: Sequence[StageClock], unit: str, *, pauses: Iterable[Pause] = ()
) -> list[Due | None]:
    """Every stage's own due date, by `stage_due`'s rule, counted from the day it started; a stage not yet started
    starts the day the stage before it ended, or is due to end (the latest it can start when every earlier stage keeps
    its limit). None for a stage without a limit of its own, and for every later stage not yet started while such a
    stage is still running (its end is not known: those stages have no date yet, only their limit)."""
    pauses = list(pauses)
    dues: list[Due | None] = []
    start: date | None = accepted
    for stage in stages:
        begun = stage.started or start
        due = None
        if begun is not None:
            due = stage_due(cal, begun, stage.limit, unit, customer_side=stage.customer_side, pauses=pauses)
        dues.append(due)
        start = stage.finished or (due.date if due else None)
    return dues


def works_deadline(due: date, contract: date) -> date:
    """Supporting works bind twice (seed 004: 限时制 and 契约制): their deadline is the earlier of the limit's due date
    and the completion agreed with the customer. The countdown, the works screen, works.csv and the indicators all
    judge works by it."""
    return min(due, contract)


# The same rule for the queries that judge many works at once (SQLite's two-argument min; `t` is the table's alias).
WORKS_DEADLINE_SQL = "min({t}.due_date, {t}.contract_date)"


def survey_index(names: Sequence[str], stage: str) -> int:
    """The stage the deferred documents are collected at (现场勘查): the one of that name, else the first stage, which
    the shipped profiles' 用电申请 includes the site survey in (seed 004 三(一)1: 现场勘查时上门收取)."""
    return names.index(stage) if stage in names else 0
