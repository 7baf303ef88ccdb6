"""Entering a year's holiday schedule: what it changes, what it refuses, and the warnings around it."""

from __future__ import annotations

import json
from datetime import date, datetime

import pytest
from holiday_helpers import SCHEDULE_2027, accept

from station_tui.domain.holiday_files import HolidayFileError, parse_holiday_csv
from station_tui.domain.workdays import YearSource
from station_tui.services import holidays, lifecycle
from station_tui.services.dashboard import status_warnings
from station_tui.services.operators import LoginError, create_operator
from station_tui.store.check import check

HEAD_PIN = "1234"
D = date


def _events(station, type_: str) -> list:  # noqa: ANN001
    return [e for e in station.store.events() if e.type == type_]


def _due(station, application: str) -> tuple[str, int]:  # noqa: ANN001
    row = station.store.rows("SELECT due_date, due_estimated FROM applications WHERE uuid = ?", (application,))[0]
    return row["due_date"], row["due_estimated"]


@pytest.fixture
def december(station, clock):  # noqa: ANN001, ANN201
    """Three open applications in late December 2026, two of them reaching into 2027 (no official data yet)."""
    paused = accept(station, datetime(2026, 12, 21, 10), clock=clock, name="邾县五金店")
    clock.now = datetime(2026, 12, 22, 10, tzinfo=clock.now.tzinfo)
    lifecycle.pause(station, paused.uuid, reason="客户内部线路未完工", operator=station.head_id)
    shop = accept(station, datetime(2026, 12, 28, 10), clock=clock)
    resident = accept(station, datetime(2026, 12, 28, 11), clock=clock, small_micro_shop=False, name="张三")
    clock.now = datetime(2026, 12, 29, 10, tzinfo=clock.now.tzinfo)
    # Paused from 22 to 29 December: 5 working days, so the due date moves from 2027-01-12 to 2027-01-19.
    assert lifecycle.resume(station, paused.uuid, operator=station.head_id) == "2027-01-19"
    clock.now = datetime(2026, 12, 30, 9, tzinfo=clock.now.tzinfo)
    return {"paused": paused, "shop": shop, "resident": resident}


def test_importing_2027_moves_the_open_applications_it_affects(station, december, tmp_path) -> None:  # noqa: ANN001
    shop, paused, resident = december["shop"], december["paused"], december["resident"]
    assert shop.due.date == D(2027, 1, 19) and shop.due.estimated
    assert _due(station, resident.uuid) == ("2026-12-30", 0)
    before = station.calendar.due(D(2026, 12, 28), 15)
    assert before.date == D(2027, 1, 19) and before.estimated
    path = tmp_path / "2027.csv"
    path.write_text(SCHEDULE_2027, encoding="utf-8")

    result = holidays.import_file(station, path, operator=station.head_id)

    assert result.year == 2027 and result.previous_source is YearSource.ESTIMATE
    assert (result.holidays, result.makeup_workdays) == (10, 3)
    moved = {m.number: m for m in result.moved}
    assert set(moved) == {shop.number, paused.number}
    for m in moved.values():
        assert (m.previous, m.due, m.shift, m.estimated) == (D(2027, 1, 19), D(2027, 1, 18), -1, False)
    assert _due(station, shop.uuid) == ("2027-01-18", 0)
    assert _due(station, paused.uuid) == ("2027-01-18", 0)
    assert _due(station, resident.uuid) == ("2026-12-30", 0)
    # The same question now gets the official answer: the calendar was rebuilt with the entered year.
    after = station.calendar.due(D(2026, 12, 28), 15)
    assert after.date == D(2027, 1, 18) and not after.estimated
    assert station.calendar.source(2027) is YearSource.ENTERED
    recomputed = _events(station, "deadline.recomputed")
    assert {e.application for e in recomputed} == {shop.uuid, paused.uuid}
    assert all(e.payload["previous"] == "2027-01-19" and e.operator == station.head_id for e in recomputed)
    entered = _events(station, "holidays.entered")
    assert len(entered) == 1 and {"date": "2027-01-09", "kind": "makeup", "name": "元旦"} in entered[0].payload["days"]
    assert check(station.store.path).ok  # the projection rebuilt from the events agrees


def test_a_year_entered_again_without_changes_moves_nothing(station, december) -> None:  # noqa: ANN001
    schedule = parse_holiday_csv(SCHEDULE_2027.encode(), "2027.csv")
    holidays.enter_schedule(station, schedule, operator=station.head_id, origin="test")
    again = holidays.enter_schedule(station, schedule, operator=station.head_id, origin="test")
    assert again.moved == [] and again.previous_source is YearSource.ENTERED
    assert len(_events(station, "deadline.recomputed")) == 2  # only from the first time


def test_head_enters_festivals_as_the_notice_is_written(station, december) -> None:  # noqa: ANN001
    festivals = [
        ("元旦", D(2027, 1, 1), D(2027, 1, 3), [D(2027, 1, 9)]),
        ("春节", D(2027, 2, 6), D(2027, 2, 13), [D(2027, 2, 20)]),
    ]
    result = holidays.enter_festivals(station, 2027, festivals, head=station.head_id, pin=HEAD_PIN)
    assert len(result.moved) == 2
    info = station.calendar.day_info(D(2027, 2, 20))
    assert info.is_workday and info.festival == "春节" and not info.estimated
    assert not station.calendar.is_workday(D(2027, 2, 12))  # a Friday inside 春节
    assert _events(station, "holidays.entered")[0].operator == station.head_id


def test_bad_entry_names_every_problem_and_changes_nothing(station, december) -> None:  # noqa: ANN001
    events_before = len(station.store.events())
    festivals = [
        ("元旦", D(2027, 1, 1), D(2027, 1, 3), [D(2027, 1, 6)]),  # a Wednesday is a working day anyway
        ("", D(2027, 2, 6), D(2027, 2, 13), []),  # no name
        ("国庆节", D(2027, 10, 7), D(2027, 10, 1), []),  # last before first
        ("春节", D(2028, 1, 30), D(2028, 2, 2), []),  # another year
    ]
    with pytest.raises(HolidayFileError) as raised:
        holidays.enter_festivals(station, 2027, festivals, head=station.head_id, pin=HEAD_PIN)
    message = str(raised.value)
    assert "共 7 处" in message  # one per day of the wrong year
    assert "2027-01-06（星期三） 本来就是工作日" in message
    assert "第2项：缺少节日名称" in message
    assert "晚于末日" in message and "不属于 2027 年" in message
    # Nothing was recorded, not even a login: the PIN is only checked for an entry without problems.
    assert len(station.store.events()) == events_before
    assert station.store.one("SELECT count(*) FROM holiday_years") == 0
    assert station.calendar.source(2027) is YearSource.ESTIMATE


def test_only_a_head_with_the_right_pin_enters_a_year(station, december) -> None:  # noqa: ANN001
    festivals = [("元旦", D(2027, 1, 1), D(2027, 1, 3), [])]
    with pytest.raises(LoginError, match="PIN 不对"):
        holidays.enter_festivals(station, 2027, festivals, head=station.head_id, pin="9999")
    clerk = create_operator(station, name="李秀英", role="clerk", phone="13900000002", pin="2222", by=station.head_id)
    with pytest.raises(LoginError, match="需要站长授权"):
        holidays.enter_festivals(station, 2027, festivals, head=clerk, pin="2222")
    assert _events(station, "holidays.entered") == []
    assert _due(station, december["shop"].uuid) == ("2027-01-19", 1)


def test_status_line_warns_in_november_until_next_year_is_entered(station, clock) -> None:  # noqa: ANN001
    assert "2027 年节假日安排尚未录入（F5 节假日）" in status_warnings(station)
    accept(station, datetime(2026, 12, 28, 10), clock=clock)
    warnings = status_warnings(station)
    assert "1 件的期限落在无官方节假日数据的年份（估算）" in warnings
    schedule = parse_holiday_csv(SCHEDULE_2027.encode(), "2027.csv")
    holidays.enter_schedule(station, schedule, operator=station.head_id, origin="test")
    warnings = status_warnings(station)
    assert not any("2027" in w or "估算" in w for w in warnings)


def test_no_reminder_before_november(station, clock) -> None:  # noqa: ANN001
    clock.now = datetime(2026, 10, 31, 9, tzinfo=clock.now.tzinfo)
    assert not any("节假日安排尚未录入" in w for w in status_warnings(station))


def test_year_statuses_from_2004_to_three_years_ahead(station) -> None:  # noqa: ANN001
    schedule = parse_holiday_csv(SCHEDULE_2027.encode(), "2027.csv")
    holidays.enter_schedule(station, schedule, operator=station.head_id, origin="test")
    statuses = holidays.year_statuses(station, station.calendar, D(2026, 11, 23))
    assert [s.year for s in statuses] == list(range(2004, 2030))
    by_year = {s.year: s for s in statuses}
    assert by_year[2004].source is YearSource.CHINESE_CALENDAR
    assert by_year[2027].source is YearSource.ENTERED and by_year[2027].entered_at.startswith("2026-11-23")
    assert by_year[2028].label == "估算（无官方数据）"


def test_export_gives_back_the_entered_year_and_refuses_an_estimate(station) -> None:  # noqa: ANN001
    schedule = parse_holiday_csv(SCHEDULE_2027.encode(), "2027.csv")
    holidays.enter_schedule(station, schedule, operator=station.head_id, origin="test")
    text = holidays.export_text(station.calendar, 2027)
    assert parse_holiday_csv(text.encode(), "out.csv") == schedule
    with pytest.raises(holidays.StationError, match="2028 年没有官方节假日安排"):
        holidays.export_text(station.calendar, 2028)


def test_payload_is_what_the_projection_expects(station) -> None:  # noqa: ANN001
    schedule = parse_holiday_csv(SCHEDULE_2027.encode(), "2027.csv")
    holidays.enter_schedule(station, schedule, operator=station.head_id, origin="导入 2027.csv")
    raw = station.store.one("SELECT payload FROM events WHERE type = 'holidays.entered'")
    payload = json.loads(raw)
    assert payload["year"] == 2027 and len(payload["days"]) == 13
    assert station.store.one("SELECT count(*) FROM holiday_days WHERE year = 2027 AND kind = 'makeup'") == 3
