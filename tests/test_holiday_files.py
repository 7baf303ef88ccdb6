"""Holiday files (日期,类型,名称) and schedules entered festival by festival: accepted, refused whole, round trip."""

from __future__ import annotations

from datetime import date

import pytest

from station_tui.domain.errors import ConfigError, StationError
from station_tui.domain.holiday_files import (
    HolidayFileError,
    YearSchedule,
    format_holiday_csv,
    parse_holiday_csv,
    schedule_from_festivals,
)

GOOD = """日期,类型,名称
2027-01-01,休,元旦
2027-02-06,休,春节
2027-02-07,休,春节
2027-02-08,休,春节
2027-02-20,班,春节
2027-10-01,休,国庆节
2027-10-02,休,国庆节
2027-10-09,班,国庆节
"""


def refused(text: str, encoding: str = "utf-8") -> HolidayFileError:
    with pytest.raises(HolidayFileError) as info:
        parse_holiday_csv(text.encode(encoding), "test.csv")
    return info.value


def test_good_file() -> None:
    schedule = parse_holiday_csv(GOOD.encode(), "good.csv")
    assert schedule.year == 2027
    assert schedule.holidays[date(2027, 10, 1)] == "国庆节"
    assert schedule.makeup_workdays == {date(2027, 2, 20): "春节", date(2027, 10, 9): "国庆节"}
    assert len(schedule.holidays) == 6
    assert schedule.festivals() == ["元旦", "春节", "国庆节"]


def test_utf8_bom_and_gbk_and_crlf() -> None:
    expected = parse_holiday_csv(GOOD.encode(), "good.csv")
    assert parse_holiday_csv(b"\xef\xbb\xbf" + GOOD.encode(), "bom.csv") == expected
    assert parse_holiday_csv(GOOD.encode("gbk"), "gbk.csv") == expected
    assert parse_holiday_csv(GOOD.replace("\n", "\r\n").encode("gbk"), "crlf.csv") == expected


def test_spreadsheet_dates_blank_lines_and_spaces_are_accepted() -> None:
    text = "日期,类型,名称\n\n2027/1/1 , 休 , 元旦\n2027年2月20日,班,春节\n\n"
    schedule = parse_holiday_csv(text.encode(), "excel.csv")
    assert schedule.holidays == {date(2027, 1, 1): "元旦"}
    assert schedule.makeup_workdays == {date(2027, 2, 20): "春节"}


def test_round_trip() -> None:
    schedule = parse_holiday_csv(GOOD.encode(), "good.csv")
    text = format_holiday_csv(schedule)
    assert text.splitlines()[0] == "日期,类型,名称"
    assert text == GOOD
    assert parse_holiday_csv(text.encode("gbk"), "again.csv") == schedule


def test_round_trip_quotes_names_with_commas() -> None:
    schedule = YearSchedule(2030, {date(2030, 10, 1): "中秋节,国庆节"}, {})
    assert parse_holiday_csv(format_holiday_csv(schedule).encode(), "x") == schedule


def test_error_is_a_station_error_with_chinese_message() -> None:
    error = refused("日期,类型,名称\n2027-13-01,休,元旦\n")
    assert isinstance(error, StationError) and isinstance(error, ConfigError)
    assert "test.csv" in str(error) and "未采用" in str(error)


def test_wrong_header() -> None:
    error = refused("date,type,name\n2027-01-01,休,元旦\n")
    assert [(p.line, "表头" in p.reason) for p in error.problems] == [(1, True)]
    assert "第1行" in str(error)


def test_unparsable_date() -> None:
    error = refused("日期,类型,名称\n2027-01-01,休,元旦\n2027-02-30,休,春节\n")
    assert [p.line for p in error.problems] == [3]
    assert "第3行" in str(error) and "无法识别的日期“2027-02-30”" in str(error)


def test_unknown_type() -> None:
    error = refused("日期,类型,名称\n2027-01-01,假,元旦\n")
    assert [p.line for p in error.problems] == [2]
    assert "第2行" in str(error) and "未知类型“假”" in str(error)


def test_day_listed_twice() -> None:
    error = refused("日期,类型,名称\n2027-01-01,休,元旦\n2027-02-06,休,春节\n2027-01-01,休,元旦\n")
    assert [p.line for p in error.problems] == [4]
    assert "第4行" in str(error) and "2027-01-01 重复（第2行已列出）" in str(error)


def test_makeup_day_on_a_weekday() -> None:
    error = refused("日期,类型,名称\n2027-02-19,班,春节\n")
    assert [p.line for p in error.problems] == [2]
    assert "第2行" in str(error) and "2027-02-19（星期五） 本来就是工作日" in str(error)


def test_holiday_on_a_weekend_is_part_of_the_festival() -> None:
    schedule = parse_holiday_csv("日期,类型,名称\n2027-02-06,休,春节\n2027-02-07,休,春节\n".encode(), "x")
    assert date(2027, 2, 6).weekday() == 5 and date(2027, 2, 6) in schedule.holidays


def test_missing_festival_name() -> None:
    error = refused("日期,类型,名称\n2027-01-01,休,元旦\n2027-02-06,休,\n2027-02-07,休\n")
    assert [p.line for p in error.problems] == [3, 4]
    assert "第3行：缺少节日名称" in str(error) and "第4行：缺少节日名称" in str(error)


def test_dates_of_more_than_one_year() -> None:
    error = refused("日期,类型,名称\n2027-01-01,休,元旦\n2028-01-01,休,元旦\n2027-02-06,休,春节\n")
    assert [p.line for p in error.problems] == [3]
    assert "第3行" in str(error) and "2028-01-01 不属于 2027 年" in str(error)


def test_empty_file() -> None:
    assert "文件是空的" in str(refused(""))
    assert "文件是空的" in str(refused(" \n\n"))


def test_header_only() -> None:
    assert "没有任何日期行" in str(refused("日期,类型,名称\n"))


def test_undecodable_bytes() -> None:
    with pytest.raises(HolidayFileError, match="文字编码"):
        parse_holiday_csv(b"\xff\xfe\x00\xd8\x00", "binary.csv")


def test_extra_columns() -> None:
    error = refused("日期,类型,名称\n2027-01-01,休,元旦,多余\n")
    assert [p.line for p in error.problems] == [2] and "3 列" in str(error)


def test_every_problem_is_listed_in_line_order() -> None:
    text = "日期,类别,名称\n2027-01-01,休,元旦\nsoon,休,春节\n2027-01-01,休,元旦\n2027-01-04,班,元旦\n2027-02-08,?,\n"
    error = refused(text, "gbk")
    assert [p.line for p in error.problems] == [1, 3, 4, 5, 6, 6]
    message = str(error)
    for expected in ("第1行", "第3行", "第4行", "第5行", "第6行", "缺少节日名称", "未知类型“?”"):
        assert expected in message


# --- entering a year the way the notice is written -----------------------------------------------------------------


def test_schedule_from_festivals() -> None:
    schedule = schedule_from_festivals(
        2027,
        [
            ("元旦", date(2027, 1, 1), date(2027, 1, 3), []),
            ("国庆节", date(2027, 10, 1), date(2027, 10, 7), [date(2027, 9, 26), date(2027, 10, 9)]),
        ],
    )
    assert schedule.year == 2027
    assert len(schedule.holidays) == 10
    assert schedule.makeup_workdays == {date(2027, 9, 26): "国庆节", date(2027, 10, 9): "国庆节"}
    assert parse_holiday_csv(format_holiday_csv(schedule).encode(), "x") == schedule


@pytest.mark.parametrize(
    ("festivals", "expected"),
    [
        ([("", date(2027, 1, 1), date(2027, 1, 1), [])], "第1项：缺少节日名称"),
        ([("春节", date(2027, 2, 10), date(2027, 2, 6), [])], "晚于末日"),
        ([("春节", date(2027, 2, 6), date(2027, 3, 6), [])], "超过 15 天"),
        ([("元旦", date(2026, 12, 31), date(2027, 1, 1), [])], "2026-12-31 不属于 2027 年"),
        ([("春节", date(2027, 2, 6), date(2027, 2, 12), [date(2027, 2, 19)])], "（星期五） 本来就是工作日"),
        (
            [
                ("中秋节", date(2027, 9, 15), date(2027, 9, 17), []),
                ("国庆节", date(2027, 9, 17), date(2027, 9, 23), []),
            ],
            "第2项（国庆节）：日期 2027-09-17 重复（第1项（中秋节）已列出）",
        ),
        ([("国庆节", date(2027, 10, 1), date(2027, 10, 7), [date(2027, 10, 2)])], "2027-10-02 重复"),
        ([], "没有录入任何节日"),
    ],
)
def test_entered_festivals_are_checked(festivals: list, expected: str) -> None:
    with pytest.raises(HolidayFileError) as info:
        schedule_from_festivals(2027, festivals)
    assert expected in str(info.value)
