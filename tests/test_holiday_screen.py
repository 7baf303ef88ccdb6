"""The holiday screen as a 站长 uses it: a year's months, entering next year festival by festival, importing a file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from holiday_helpers import SCHEDULE_2027, accept
from textual.widgets import Input

from pilot_helpers import SIZE, login, settle, text_of
from station_tui.app import StationApp
from station_tui.services.station import Station
from station_tui.store import Store


@pytest.fixture
def station_db(station) -> Path:  # noqa: ANN001
    """The test station with a 站长 (PIN 1234), a clerk, and an open application due in January 2027."""
    from station_tui.services.operators import create_operator

    create_operator(station, name="李秀英", role="clerk", phone="13900000002", pin="2222", by=station.head_id)
    station.shop = accept(station, datetime(2026, 12, 28, 10))
    station.store.close()
    return station.store.path


def _db_facts(db: Path, clock) -> dict:  # noqa: ANN001
    with Store(db, clock=clock) as store:
        return {
            "years": store.one("SELECT count(*) FROM holiday_years"),
            "entered": store.one("SELECT count(*) FROM events WHERE type = 'holidays.entered'"),
            "due": store.one("SELECT due_date FROM applications"),
        }


async def _open(app: StationApp, pilot, name: str, pin: str) -> None:  # noqa: ANN001
    await login(app, pilot, name, pin)
    await pilot.press("f5")
    await settle(app, pilot)
    assert type(app.screen).__name__ == "HolidayScreen"


def _month(app: StationApp, month: int):  # noqa: ANN202
    return app.screen.query_one(f"#month-{month}").render()


# The colours of screens/holidays.py STYLES as the rendered content spells them.
HOLIDAY, MAKEUP, WEEKEND = "on rgb(175,0,0)", "on rgb(255,175,0)", "rgb(138,138,138)"


def _style_of(text, day: int) -> str:  # noqa: ANN001
    """The style of a day's number in a month grid."""
    plain = text.plain
    for span in text.spans:
        if plain[span.start : span.end].strip() == str(day):
            style = span.style
            return f"{style} reverse".strip() if getattr(style, "reverse", False) else str(style)
    return ""


async def test_a_year_as_twelve_months_with_its_source(demo_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, "李秀英", "2222")
        assert "2026 年节假日安排　来源：官方数据（国务院办公厅通知" in text_of(app, "#holidays-title")
        assert len(app.screen.query(".month")) == 12
        october = _month(app, 10)
        assert october.plain.startswith("10 月")
        assert HOLIDAY in _style_of(october, 1)  # 国庆节
        assert MAKEUP in _style_of(october, 10)  # Saturday 10 October, a make-up workday
        assert _style_of(october, 12) == ""  # an ordinary Monday
        assert "reverse" in _style_of(_month(app, 11), 23)  # today
        assert WEEKEND in _style_of(_month(app, 11), 29)  # a Sunday
        assert "国庆节 10/1-10/7 7天" in text_of(app, "#holidays-festivals")
        assert "班 9/20、10/10" in text_of(app, "#holidays-festivals")
        await pilot.press("right")
        await settle(app, pilot)
        assert "2027 年节假日安排　来源：估算（无官方数据" in text_of(app, "#holidays-title")
        await pilot.press("t")
        await settle(app, pilot)
        assert "2026 年" in text_of(app, "#holidays-title")


async def _type(app: StationApp, pilot, field: str, text: str) -> None:  # noqa: ANN001
    app.screen.query_one(f"#{field}", Input).focus()
    await pilot.press(*text)


async def test_head_enters_a_festival_and_a_bad_entry_changes_nothing(station_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(station_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, "王站长", "1234")
        await pilot.press("right")
        await settle(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        assert type(app.screen).__name__ == "EnterScheduleDialog"
        # 元旦 with a make-up day on a Wednesday: a working day anyway.
        await _type(app, pilot, "f-name", "元旦")
        await _type(app, pilot, "f-first", "2027-01-01")
        await _type(app, pilot, "f-last", "2027-01-03")
        await _type(app, pilot, "f-makeup", "2027-01-06")
        await pilot.click("#add")
        await settle(app, pilot)
        assert "1. 元旦：2027-01-01 至 2027-01-03；调休上班 01-06" in text_of(app, "#festival-list")
        await _type(app, pilot, "pin", "1234")
        await pilot.click("#save")
        await settle(app, pilot)
        error = text_of(app, "#enter-error")
        assert "未采用" in error and "2027-01-06（星期三） 本来就是工作日" in error
        assert type(app.screen).__name__ == "EnterScheduleDialog"  # still open, the list kept
        assert "1. 元旦" in text_of(app, "#festival-list")
        assert _db_facts(station_db, clock) == {"years": 0, "entered": 0, "due": "2027-01-19"}

        # Put it right: the make-up day is Saturday 9 January; and a wrong PIN first.
        await pilot.click("#remove-last")
        await _type(app, pilot, "f-name", "元旦")
        await _type(app, pilot, "f-first", "2027-01-01")
        await _type(app, pilot, "f-last", "2027-01-03")
        await _type(app, pilot, "f-makeup", "2027-01-09")
        await pilot.press("enter")
        await settle(app, pilot)
        app.screen.query_one("#pin", Input).value = "9999"
        await pilot.click("#save")
        await settle(app, pilot)
        assert "PIN 不对" in text_of(app, "#enter-error")
        assert _db_facts(station_db, clock)["entered"] == 0
        app.screen.query_one("#pin", Input).value = "1234"
        await pilot.click("#save")
        await settle(app, pilot)

        assert type(app.screen).__name__ == "ScheduleResultDialog"
        result = text_of(app, "#result-body")
        assert "已采用 2027 年节假日安排：放假 3 天，调休上班 1 天（原来：估算）" in result
        assert "期限变动的申请 1 件" in result and "2027-01-19 → 2027-01-18  -1 个工作日" in result
        await pilot.press("escape")
        await settle(app, pilot)
        assert "2027 年节假日安排　来源：官方数据（本所按国务院办公厅通知录入）" in text_of(app, "#holidays-title")
        assert MAKEUP in _style_of(_month(app, 1), 9)
    assert _db_facts(station_db, clock) == {"years": 1, "entered": 1, "due": "2027-01-18"}


async def test_clerk_imports_with_a_heads_pin_and_a_bad_file_shows_every_problem(
    station_db: Path, clock, tmp_path: Path
) -> None:  # noqa: ANN001
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,类型,名称\n2027-01-01,休,元旦\n2027-01-01,休,元旦\n2027-01-04,班,元旦\n", encoding="utf-8")
    good = tmp_path / "2027.csv"
    good.write_text(SCHEDULE_2027, encoding="utf-8")
    app = StationApp(station_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, "李秀英", "2222")
        await pilot.press("i")
        await settle(app, pilot)
        await _type(app, pilot, "path", str(bad))
        await _type(app, pilot, "pin", "1234")  # the 站长 (preselected: the only one) types the PIN
        await pilot.press("enter")
        await settle(app, pilot)
        error = text_of(app, "#import-error")
        assert "共 2 处" in error and "第3行：日期 2027-01-01 重复" in error and "第4行" in error
        assert app.screen.query_one("#path", Input).value == str(bad)
        assert _db_facts(station_db, clock)["entered"] == 0

        app.screen.query_one("#path", Input).value = str(good)
        await pilot.click("#save")
        await settle(app, pilot)
        assert "期限变动的申请 1 件" in text_of(app, "#result-body")
    with Store(station_db, clock=clock) as store:
        station = Station.open(store)
        event = store.events()[-1]
        assert event.type == "deadline.recomputed"
        head = store.one("SELECT uuid FROM operators WHERE role = 'head'")
        assert event.operator == head  # the 站长 who authorised it, not the clerk at the keyboard
        assert station.store.one("SELECT count(*) FROM holiday_years WHERE year = 2027") == 1
