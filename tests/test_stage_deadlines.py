"""Each stage's own due date where the profile gives it a limit (seed 004: 设计审查 3, 中间检查 2 working days for an
important customer), projected for a stage not yet started; and the deferred documents due at the end of the site
survey's stage, not the whole process's due date, where a profile gives that stage a limit."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from holiday_helpers import accept_high_voltage, county_sanxia
from notice_helpers import accept_resident, add_manager

from station_tui.domain.deadlines import StageClock, stage_schedule
from station_tui.domain.timeutil import CHINA_TZ
from station_tui.domain.workdays import CALENDAR_DAY, WORKDAY, WorkCalendar
from station_tui.services import lifecycle, notices
from station_tui.services.applications import application_view
from station_tui.services.countdown import countdown
from station_tui.services.deferred import deferred_rows
from station_tui.services.station import Station
from station_tui.services.terminations import proposed_terminations

D = date


def _section(content: dict, heading: str) -> dict:
    return next(s for s in content["sections"] if s["heading"].startswith(heading))


def test_a_stage_not_started_is_due_when_the_stages_before_it_keep_their_limits() -> None:
    cal = WorkCalendar()
    stages = [
        StageClock("用电申请", 3),
        StageClock("现场勘查", 2),
        StageClock("供电方案答复", None),
        StageClock("设计审查", 3),
    ]
    dues = stage_schedule(cal, D(2026, 11, 23), stages, WORKDAY)  # Monday
    assert [d.date if d else None for d in dues] == [D(2026, 11, 26), D(2026, 11, 30), None, None]
    # 供电方案答复 finished on Wednesday 2 December: 设计审查, not yet started, is due 3 working days on.
    stages[2] = StageClock("供电方案答复", None, started=D(2026, 11, 30), finished=D(2026, 12, 2))
    assert stage_schedule(cal, D(2026, 11, 23), stages, WORKDAY)[3].date == D(2026, 12, 7)
    # Calendar days: 3 days from Thursday 26 November end on Sunday 29, moved to Monday 30.
    assert stage_schedule(cal, D(2026, 11, 26), stages[:1], CALENDAR_DAY)[0].date == D(2026, 11, 30)
    # The customer's own works have no limit: the stages after them have no date until they end.
    works = [
        StageClock("客户外部工程实施", None, customer_side=True, started=D(2026, 11, 23)),
        StageClock("中间检查", 2),
    ]
    assert stage_schedule(cal, D(2026, 11, 23), works, WORKDAY) == [None, None]


def test_design_review_of_an_important_customer_has_its_own_due_date_on_notice_and_countdown(station, clock) -> None:  # noqa: ANN001
    application = accept_high_voltage(station, datetime(2026, 11, 16, 10, tzinfo=CHINA_TZ))
    said = _section(notices.draft(station, "acceptance", application=application), "办理环节与时限")["items"]
    assert "3. 设计审查：本环节时限 3 个工作日，自本环节开始时起算" in said  # 供电方案答复 has no limit: no date yet
    clock.now = datetime(2026, 11, 24, 9, tzinfo=CHINA_TZ)  # Tuesday
    for _ in range(2):
        lifecycle.advance_stage(station, application, operator=station.head_id, at=clock.now)
    view = application_view(station, application)
    assert view.stage_name == "设计审查" and view.stages[2].due == D(2026, 11, 27)  # Tuesday + 3 working days
    said = _section(notices.draft(station, "acceptance", application=application), "办理环节与时限")["items"]
    assert "3. 设计审查：本环节时限 3 个工作日，最迟于 2026年11月27日完成（当天仍在时限内）" in said
    assert "1. 用电申请：本环节不单设时限，计入全流程时限" in said  # the seed gives it none
    row = next(r for r in countdown(station, today=D(2026, 11, 24)).rows if r.application == application)
    assert (row.stage, row.stage_due) == ("设计审查", D(2026, 11, 27))


@pytest.fixture
def survey_limit(station: Station, tmp_path: Path) -> Station:
    """三峡水利 (calendar days for high voltage) with a limit of 5 days on the first stage, where the site survey is."""
    return county_sanxia(station, tmp_path / "county", 5)


def test_deferred_documents_are_due_at_the_end_of_the_survey_stage(survey_limit: Station) -> None:
    add_manager(survey_limit)
    application = accept_high_voltage(survey_limit, datetime(2026, 11, 23, 10, tzinfo=CHINA_TZ), primary_only=True)
    view = application_view(survey_limit, application)
    # 5 calendar days from Monday 23 November end on Saturday 28, moved to Monday 30; the whole process: 20 days.
    assert view.deferred_due == D(2026, 11, 30) and view.due_date == D(2026, 12, 14)
    content = notices.draft(survey_limit, "acceptance", application=application)
    deferred = _section(content, "容缺资料")
    assert all("最迟 2026年11月30日" in item for item in deferred["items"])
    assert "现场勘查所在环节的办结期限" in deferred["paragraphs"][-1]
    assert "最迟 2026年11月30日" in content["commitment"] and "2026年12月14日" not in content["commitment"]
    (row,) = deferred_rows(survey_limit, today=D(2026, 11, 24))
    assert (row.collect_by, row.stage_limit) == (D(2026, 11, 30), True)
    # The day after, the termination proposal names the date the customer was told, not the whole due date.
    assert proposed_terminations(survey_limit, today=D(2026, 11, 30)) == []
    (late,) = proposed_terminations(survey_limit, today=D(2026, 12, 1))
    assert (late.application, late.committed) == (application, "2026-11-30")


def test_without_a_survey_limit_the_notice_says_the_whole_due_date_stands_in(station: Station) -> None:
    add_manager(station)
    application = accept_resident(station)  # 国网邾县: no stage has a limit of its own
    view = application_view(station, application)
    assert view.deferred_due == view.due_date
    deferred = _section(notices.draft(station, "acceptance", application=application), "容缺资料")
    assert "未对现场勘查所在环节单设时限" in deferred["paragraphs"][-1]
    (row,) = deferred_rows(station)
    assert (row.collect_by, row.stage_limit) == (view.due_date, False)
