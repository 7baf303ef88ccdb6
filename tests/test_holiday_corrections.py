"""Where an official notice says otherwise than the calendar library, the notice wins, and every day 2004–2026 agrees
with a second source kept apart from chinese-calendar (the `holidays` package, from the State Council notices)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import holidays as holidays_package
import pytest
from click.testing import CliRunner

from station_tui.cli import main
from station_tui.domain.errors import ConfigError
from station_tui.domain.workdays import DayKind, WorkCalendar, default_shipped_dir, load_corrections


def _second_source(first_year: int, last_year: int) -> dict[date, bool]:
    """Working day or not for every day, from the `holidays` package: its holidays (including the rest days swapped
    for a make-up workday, labelled with that workday's date) and weekends; the named make-up days are working days."""
    rest: set[date] = set()
    makeup: set[date] = set()
    for year in range(first_year - 1, last_year + 2):  # a swap may cross the new year
        for day, label in holidays_package.China(years=year, language="zh_CN").items():
            rest.add(day)
            makeup.update(date.fromisoformat(found) for found in re.findall(r"\d{4}-\d{2}-\d{2}", label))
    answer = {}
    day, last = date(first_year, 1, 1), date(last_year, 12, 31)
    while day <= last:
        answer[day] = day in makeup or (day not in rest and day.weekday() < 5)
        day += timedelta(days=1)
    return answer


def test_2005_12_31_is_a_working_day_as_the_notice_says() -> None:
    cal = WorkCalendar()
    info = cal.day_info(date(2005, 12, 31))
    assert info.is_workday and info.kind is DayKind.MAKEUP
    # The day's neighbours are as before: 2006-01-02 and -03 rest (元旦), 2005-12-30 works.
    assert not cal.is_workday(date(2006, 1, 2)) and not cal.is_workday(date(2006, 1, 3))
    assert cal.add_workdays(date(2005, 12, 30), 1) == date(2005, 12, 31)


def test_the_correction_names_its_source() -> None:
    correction = WorkCalendar().corrections[date(2005, 12, 31)]
    assert correction.workday and "国办发明电〔2005〕35号" in correction.source


def test_every_day_2004_to_2026_agrees_with_a_second_source() -> None:
    cal = WorkCalendar()
    second = _second_source(2004, 2026)
    disagree = [day for day, works in second.items() if cal.is_workday(day) != works]
    assert disagree == []
    assert len(second) == 8401


def test_deadline_across_new_year_2006_counts_the_saturday() -> None:
    result = CliRunner().invoke(main, ["deadline", "2005-12-30", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("2005-12-31")


def test_a_correction_without_its_source_is_refused(tmp_path: Path) -> None:
    (tmp_path / "corrections.csv").write_text("日期,类型,名称,依据\n2005-12-31,班,元旦,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="第 2 行"):
        load_corrections(tmp_path)


def test_the_shipped_corrections_file_is_the_one_the_calendar_reads() -> None:
    assert set(load_corrections(default_shipped_dir())) == {date(2005, 12, 31)}
