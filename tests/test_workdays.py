"""The working-day engine against chinese-calendar, the legal rules, years without data, and entered schedules."""

from __future__ import annotations

import importlib.util
from bisect import bisect_right
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station_tui.domain.holiday_files import format_holiday_csv, schedule_from_festivals
from station_tui.domain.workdays import (
    CALENDAR_DAY,
    DayKind,
    WorkCalendar,
    YearSource,
    chinese_calendar_years,
)

FIRST, LAST = date(2024, 1, 1), date(2026, 12, 31)  # 2026 is chinese-calendar 1.11.0's last year


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


@pytest.fixture(scope="module")
def cal(tmp_path_factory: pytest.TempPathFactory) -> WorkCalendar:
    # An empty shipped folder, so that the answers rest on chinese-calendar and the estimate only.
    return WorkCalendar(shipped_dir=tmp_path_factory.mktemp("no_shipped"))


@pytest.fixture(scope="module")
def reference_workdays() -> list[date]:
    """Every working day of 2024–2026, day by day, by chinese_calendar.is_workday."""
    return [day for day in days(FIRST, LAST) if chinese_calendar.is_workday(day)]


def test_chinese_calendar_covers_2004_to_2026(cal: WorkCalendar) -> None:
    assert chinese_calendar_years() == range(2004, 2027)
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(2027, 1, 4))


def test_every_start_of_2024_to_2026_and_n_up_to_60_against_is_workday(
    cal: WorkCalendar, reference_workdays: list[date]
) -> None:
    compared = 0
    for start in days(FIRST, LAST):
        assert cal.is_workday(start) == chinese_calendar.is_workday(start)
        after = bisect_right(reference_workdays, start)  # reference_workdays[after] is the first working day > start
        for n in range(1, 61):
            if after + n - 1 >= len(reference_workdays):
                break  # the answer would lie in 2027, where chinese-calendar has no data
            assert cal.add_workdays(start, n) == reference_workdays[after + n - 1], (start, n)
            compared += 1
    assert compared > 60000


def test_working_day_starts_against_find_workday(cal: WorkCalendar, reference_workdays: list[date]) -> None:
    # find_workday walks day by day (about 30 µs a day): every working-day start, a spread of n (the benchmark compares
    # 20,000 random pairs with n from 1 to 60).
    for i, start in enumerate(reference_workdays):
        for n in (1, 2, 5, 60):
            if i + n >= len(reference_workdays):
                break
            assert cal.add_workdays(start, n) == chinese_calendar.find_workday(n, start), (start, n)


def test_national_day_2026(cal: WorkCalendar) -> None:
    # 1–7 October 2026 are holidays; Sunday 20 September and Saturday 10 October are make-up workdays.
    assert cal.add_workdays(date(2026, 9, 30), 5) == date(2026, 10, 13)
    due = cal.due(date(2026, 9, 30), 5)
    assert due.date == date(2026, 10, 13) and not due.estimated
    assert due.skipped == [(date(2026, 10, d), "国庆节") for d in range(1, 8)] + [(date(2026, 10, 11), "周末")]
    info = cal.day_info(date(2026, 10, 10))
    assert (info.kind, info.festival, info.source, info.is_workday) == (
        DayKind.MAKEUP,
        "国庆节",
        YearSource.CHINESE_CALENDAR,
        True,
    )
    assert cal.day_info(date(2026, 10, 3)).kind is DayKind.HOLIDAY
    assert cal.day_info(date(2026, 10, 11)).kind is DayKind.WEEKEND
    assert cal.day_info(date(2026, 10, 12)).kind is DayKind.WORKDAY


def test_start_on_a_holiday(cal: WorkCalendar) -> None:
    assert cal.add_workdays(date(2026, 10, 3), 1) == date(2026, 10, 8)
    assert cal.add_workdays(date(2026, 10, 3), 3) == date(2026, 10, 10)


def test_start_on_a_makeup_saturday(cal: WorkCalendar) -> None:
    assert cal.add_workdays(date(2026, 10, 10), 1) == date(2026, 10, 12)
    assert chinese_calendar.find_workday(1, date(2026, 10, 10)) == date(2026, 10, 12)


def test_saturday_start_gives_monday_and_receipt_next_workday_gives_tuesday(cal: WorkCalendar) -> None:
    saturday = date(2026, 10, 17)
    assert cal.add_workdays(saturday, 1) == date(2026, 10, 19)
    assert chinese_calendar.find_workday(1, saturday) == date(2026, 10, 20)
    deferred = cal.due(saturday, 1, receipt_next_workday=True)
    assert deferred.date == date(2026, 10, 20) and deferred.received == date(2026, 10, 19)
    assert deferred.skipped == [(date(2026, 10, 17), "周末"), (date(2026, 10, 18), "周末")]
    # From a working day 受理顺延 changes nothing.
    assert cal.due(date(2026, 10, 19), 4, receipt_next_workday=True).date == cal.add_workdays(date(2026, 10, 19), 4)


def test_receipt_next_workday_matches_find_workday_from_rest_days(cal: WorkCalendar) -> None:
    for start in days(date(2026, 1, 1), date(2026, 10, 31)):
        if not cal.is_workday(start):
            for n in (1, 4):
                assert cal.due(start, n, receipt_next_workday=True).date == chinese_calendar.find_workday(n, start)


def test_calendar_day_limit_ending_in_national_day(cal: WorkCalendar) -> None:
    assert cal.calendar_day_due(date(2026, 9, 1), 30) == date(2026, 10, 8)  # 1 October → first working day after
    due = cal.due(date(2026, 9, 1), 30, unit=CALENDAR_DAY)
    assert due.date == date(2026, 10, 8)
    assert due.skipped == [(date(2026, 10, d), "国庆节") for d in range(1, 8)]
    assert cal.calendar_day_due(date(2026, 9, 10), 30) == date(2026, 10, 10)  # a make-up Saturday is a working day
    assert cal.calendar_day_due(date(2026, 9, 2), 30) == date(2026, 10, 2 + 6)
    assert cal.calendar_day_due(date(2026, 3, 2), 5) == date(2026, 3, 9)  # Saturday → Monday
    assert cal.calendar_day_due(date(2026, 3, 2), 3) == date(2026, 3, 5)


def test_n_zero_is_the_same_day_or_the_next_working_day(cal: WorkCalendar) -> None:
    assert cal.add_workdays(date(2026, 10, 9), 0) == date(2026, 10, 9)
    assert cal.add_workdays(date(2026, 10, 1), 0) == date(2026, 10, 8)
    assert cal.due(date(2026, 10, 1), 0).skipped == [(date(2026, 10, d), "国庆节") for d in range(1, 8)]
    assert cal.calendar_day_due(date(2026, 10, 1), 0) == date(2026, 10, 8)


def test_negative_n_is_refused(cal: WorkCalendar) -> None:
    for call in (
        lambda: cal.add_workdays(date(2026, 1, 5), -1),
        lambda: cal.calendar_day_due(date(2026, 1, 5), -1),
        lambda: cal.due(date(2026, 1, 5), -1),
    ):
        with pytest.raises(ValueError):
            call()


def test_2027_has_no_data_and_answers_with_an_estimate(cal: WorkCalendar) -> None:
    assert cal.source(2027) is YearSource.ESTIMATE and YearSource.ESTIMATE.label == "估算"
    # 20 working days from mid-December 2026 reach January 2027.
    due = cal.due(date(2026, 12, 15), 20)
    assert due.estimated and due.date.year == 2027
    assert (date(2027, 1, 1), "元旦") in due.skipped
    assert not cal.due(date(2026, 12, 1), 5).estimated
    # The estimate: weekends plus the festivals by rule (holidays package), no make-up days.
    assert cal.day_info(date(2027, 10, 1)).festival == "国庆节"
    assert cal.day_info(date(2027, 2, 6)).kind is DayKind.HOLIDAY
    assert not any(cal.day_info(day).kind is DayKind.MAKEUP for day in days(date(2027, 1, 1), date(2027, 12, 31)))
    assert cal.day_info(date(2027, 3, 3)).estimated


def test_any_year_answers(cal: WorkCalendar) -> None:
    for year in (1990, 2003, 2035, 2100):
        assert cal.add_workdays(date(year, 12, 20), 30) > date(year, 12, 20)
        assert cal.source(year) is YearSource.ESTIMATE
    assert cal.workdays_between(date(1990, 1, 1), date(2100, 12, 31)) > 27000


def test_year_sources_and_labels(tmp_path: Path) -> None:
    (tmp_path / "2028.csv").write_text("日期,类型,名称\n2028-01-01,休,元旦\n", encoding="utf-8")
    entered = schedule_from_festivals(2027, [("元旦", date(2027, 1, 1), date(2027, 1, 3), [])])
    cal = WorkCalendar({2027: entered}, shipped_dir=tmp_path)
    sources = cal.year_sources(2003, 2029)
    assert list(sources) == list(range(2003, 2030))
    assert sources[2003] is YearSource.ESTIMATE
    assert sources[2004] is sources[2026] is YearSource.CHINESE_CALENDAR
    assert sources[2027] is YearSource.ENTERED
    assert sources[2028] is YearSource.SHIPPED
    assert sources[2029] is YearSource.ESTIMATE
    assert [s.label for s in YearSource] == ["已录入", "chinese-calendar", "随附文件", "估算"]
    assert not cal.due(date(2027, 12, 20), 5).estimated  # 2027 entered, 2028 shipped: official


def test_entered_2027_schedule_changes_the_answer(cal: WorkCalendar) -> None:
    start = date(2027, 9, 30)
    estimate = cal.due(start, 3)
    assert estimate.estimated and estimate.date == date(2027, 10, 8)  # estimate: 1–5 October off
    entered = schedule_from_festivals(
        2027, [("国庆节", date(2027, 10, 1), date(2027, 10, 7), [date(2027, 9, 26), date(2027, 10, 9)])]
    )
    official = cal.with_schedule(entered)
    answer = official.due(start, 3)
    assert answer.date == date(2027, 10, 11) and not answer.estimated  # 8th, Saturday 9th (make-up), Monday 11th
    assert official.source(2027) is YearSource.ENTERED
    assert cal.source(2027) is YearSource.ESTIMATE  # the old calendar is unchanged
    assert official.without_schedule(2027).due(start, 3) == estimate


def test_entered_schedule_overrides_chinese_calendar(cal: WorkCalendar) -> None:
    entered = schedule_from_festivals(2026, [("国庆节", date(2026, 10, 1), date(2026, 10, 3), [])])
    changed = cal.with_schedule(entered)
    assert changed.source(2026) is YearSource.ENTERED
    assert changed.add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 5)


def test_exported_year_reimported_gives_the_same_answers(cal: WorkCalendar, tmp_path: Path) -> None:
    (tmp_path / "2027.csv").write_bytes(format_holiday_csv(cal.schedule(2026)).replace("2026-", "2027-").encode())
    # Shifting 2026's dates into 2027 puts make-up days on weekdays: the shipped file is refused, 2027 stays estimated.
    shipped = WorkCalendar(shipped_dir=tmp_path)
    assert shipped.source(2027) is YearSource.ESTIMATE and 2027 in shipped.shipped_errors
    (tmp_path / "2027.csv").unlink()
    (tmp_path / "2026.csv").write_bytes(format_holiday_csv(cal.schedule(2026)).encode("gbk"))
    from station_tui.domain.holiday_files import parse_holiday_csv

    again = WorkCalendar({2026: parse_holiday_csv((tmp_path / "2026.csv").read_bytes(), "2026.csv")})
    for start in days(date(2026, 1, 1), date(2026, 11, 30)):
        assert again.add_workdays(start, 20) == cal.add_workdays(start, 20)


def test_workdays_between(cal: WorkCalendar) -> None:
    assert cal.workdays_between(date(2026, 9, 30), date(2026, 10, 13)) == 5
    assert cal.workdays_between(date(2026, 10, 13), date(2026, 9, 30)) == -5
    assert cal.workdays_between(date(2026, 10, 1), date(2026, 10, 7)) == 0
    assert cal.workdays_between(date(2026, 10, 5), date(2026, 10, 5)) == 0
    assert cal.workdays_between(date(2025, 12, 31), date(2026, 1, 5)) == 2  # Sunday 4 January: make-up day
    assert cal.workdays_between(date(2023, 12, 31), date(2026, 12, 31)) == sum(
        chinese_calendar.is_workday(day) for day in days(FIRST, LAST)
    )


@settings(max_examples=300, deadline=None)
@given(
    start=st.dates(min_value=date(2004, 1, 1), max_value=date(2035, 12, 31)),
    n=st.integers(min_value=1, max_value=400),
)
def test_properties(start: date, n: int) -> None:
    cal = _PROPERTY_CAL
    due = cal.add_workdays(start, n)
    assert due > start
    assert cal.is_workday(due)
    assert cal.workdays_between(start, due) == n
    assert cal.workdays_between(start, due - timedelta(days=1)) == n - 1
    assert cal.due(start, n).date == due
    calendar_due = cal.calendar_day_due(start, n)
    assert cal.is_workday(calendar_due) and calendar_due >= start + timedelta(days=n)
    assert cal.workdays_between(start + timedelta(days=n - 1), calendar_due - timedelta(days=1)) in (0, 1)


_PROPERTY_CAL = WorkCalendar(shipped_dir=Path("/nonexistent"))


def test_benchmark_smoke() -> None:
    path = Path(__file__).resolve().parent.parent / "bench" / "calendar_bench.py"
    spec = importlib.util.spec_from_file_location("calendar_bench", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.run(pairs=300, seed=2, repeats=1)
    assert result["identical"] and result["ratio"] > 1
