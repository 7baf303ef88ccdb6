"""One deadline rule: the notice, the countdown, the application screen's read model and a holiday recompute give the
same due dates, for an application and for a stage, on a calendar-day profile (重庆三峡水利: high voltage 20 days)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from holiday_helpers import SCHEDULE_2027, accept_high_voltage, county_sanxia

from station_tui.domain.deadlines import due_date, stage_due
from station_tui.domain.timeutil import CHINA_TZ
from station_tui.domain.workdays import CALENDAR_DAY, WORKDAY, WorkCalendar
from station_tui.services import holidays, lifecycle, notices
from station_tui.services.applications import application_view
from station_tui.services.calendar import application_due, finished_pauses
from station_tui.services.countdown import countdown
from station_tui.services.station import Station

D = date


def test_a_pause_moves_the_due_date_by_its_working_days_and_only_a_stage_started_before_it() -> None:
    cal = WorkCalendar()
    base = due_date(cal, D(2026, 11, 23), 5)
    assert base.date == D(2026, 11, 30)
    paused = due_date(cal, D(2026, 11, 23), 5, pauses=[(D(2026, 11, 24), D(2026, 11, 26))])  # Wed and Thu
    assert paused.date == D(2026, 12, 2)
    # A pause before the stage started does not move the stage's own due date.
    later = stage_due(cal, D(2026, 11, 27), 3, WORKDAY, pauses=[(D(2026, 11, 24), D(2026, 11, 26))])
    assert later is not None and later.date == D(2026, 12, 2)
    assert stage_due(cal, D(2026, 11, 27), 3, WORKDAY, customer_side=True) is None
    assert stage_due(cal, D(2026, 11, 27), None, WORKDAY) is None
    # Calendar days: 20 days from a Sunday end on a Saturday, moved to Monday.
    assert due_date(cal, D(2026, 12, 20), 20, CALENDAR_DAY).date == D(2027, 1, 11)


@pytest.fixture
def sanxia(station: Station, tmp_path: Path) -> Station:
    """The station on a county copy of the 三峡水利 profile whose first high-voltage stage has its own 20-day limit."""
    return county_sanxia(station, tmp_path / "county", 20)


def _said(station: Station, application: str) -> list[str]:
    content = notices.draft(station, "acceptance", application=application)
    section = next(s for s in content["sections"] if s["heading"] == "办理环节与时限")
    return section["paragraphs"] + section["items"]


def _everyone(station: Station, application: str) -> dict[str, tuple[date, date | None]]:
    """(whole process, first stage) due dates as each reader has them."""
    row = next(r for r in countdown(station, today=D(2026, 12, 21)).rows if r.application == application)
    view = application_view(station, application)
    stored = station.store.rows("SELECT * FROM applications WHERE uuid = ?", (application,))[0]
    first_stage = stage_due(station.calendar, D(2026, 12, 20), 20, CALENDAR_DAY)
    return {
        "countdown": (row.due, row.stage_due),
        "screen": (view.due_date, view.stages[0].due),
        "stored": (date.fromisoformat(stored["due_date"]), view.stages[0].due),
        "rule": (application_due(station, stored).date, first_stage.date if first_stage else None),
    }


def test_notice_countdown_screen_and_recompute_agree_on_a_calendar_day_profile(sanxia: Station) -> None:
    application = accept_high_voltage(sanxia, datetime(2026, 12, 20, 10, tzinfo=CHINA_TZ))  # a Sunday
    view = application_view(sanxia, application)
    assert (view.limit_days, view.limit_unit, view.category) == (20, CALENDAR_DAY, "高压（10千伏城镇客户）")
    # 20 calendar days end on Saturday 9 January 2027; 2027 is an estimate, with no make-up day: Monday 11.
    assert set(_everyone(sanxia, application).values()) == {(D(2027, 1, 11), D(2027, 1, 11))}
    said = _said(sanxia, application)
    assert "最迟于 2027年1月11日（估算）办结" in said[0]
    assert "1. 用电申请：本环节时限 20 个自然日，最迟于 2027年1月11日（估算）完成（当天仍在时限内）" in said

    # The official 2027 schedule makes Saturday 9 January a make-up workday: everyone moves to it, together.
    schedule = holidays.parse_holiday_csv(SCHEDULE_2027.encode(), "2027.csv")
    accepted = holidays.enter_schedule(sanxia, schedule, operator=sanxia.head_id, origin="导入 2027.csv")
    assert [(m.application, m.previous, m.due) for m in accepted.moved] == [
        (application, D(2027, 1, 11), D(2027, 1, 9))
    ]
    assert set(_everyone(sanxia, application).values()) == {(D(2027, 1, 9), D(2027, 1, 9))}
    said = _said(sanxia, application)
    assert "最迟于 2027年1月9日办结" in said[0]
    assert "1. 用电申请：本环节时限 20 个自然日，最迟于 2027年1月9日完成（当天仍在时限内）" in said


def test_resuming_gives_what_a_recompute_from_the_events_gives(sanxia: Station, clock) -> None:  # noqa: ANN001
    application = accept_high_voltage(sanxia, datetime(2026, 11, 16, 10, tzinfo=CHINA_TZ))
    clock.now = datetime(2026, 11, 23, 10, tzinfo=CHINA_TZ)  # Monday
    lifecycle.pause(sanxia, application, reason="客户图纸未交", operator=sanxia.head_id)
    clock.now = datetime(2026, 11, 26, 15, tzinfo=CHINA_TZ)  # Thursday: 3 working days
    resumed = lifecycle.resume(sanxia, application, operator=sanxia.head_id)
    # 16 Nov + 20 days = Sunday 6 December → Monday 7, then 3 working days on: Thursday 10 December.
    assert resumed == "2026-12-10"
    row = sanxia.store.rows("SELECT * FROM applications WHERE uuid = ?", (application,))[0]
    assert application_due(sanxia, row, finished_pauses(sanxia, application)).date == D(2026, 12, 10)
    view = application_view(sanxia, application)
    assert view.stages[0].due == D(2026, 12, 10)  # the stage's clock stopped too
    # A recompute on the same calendar finds nothing to move: what resuming stored is what the events give.
    same = holidays.enter_schedule(sanxia, sanxia.calendar.schedule(2026), operator=sanxia.head_id, origin="同一安排")
    assert (same.moved, same.estimate_cleared) == ([], 0)
    kinds = [e.type for e in sanxia.store.events(application)]
    assert "deadline.recomputed" not in kinds and kinds.count("application.resumed") == 1
