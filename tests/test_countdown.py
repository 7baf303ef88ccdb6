"""时限倒计时: levels, order, days left, pauses; and the screen a clerk leaves open all day (and night)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from holiday_helpers import accept, accept_high_voltage
from textual.widgets import Button, DataTable, Select

from pilot_helpers import SIZE, login, settle, text_of
from station_tui.app import StationApp
from station_tui.domain.timeutil import CHINA_TZ
from station_tui.screens.application import ApplicationScreen
from station_tui.screens.countdown import COLUMNS, LEVEL_STYLES, WORKS_COLUMN
from station_tui.services import countdown as service
from station_tui.services import lifecycle, works
from station_tui.services.dashboard import home_numbers
from station_tui.services.station import Station
from station_tui.store import Store

D = date


@pytest.fixture
def week(station, clock):  # noqa: ANN001, ANN201
    """Applications accepted over the week before Monday 2026-11-23, one of each level on that Monday."""
    # Earlier days as recorded history; Monday's at the counter, on the clock.
    made = {
        "overdue": accept(station, datetime(2026, 11, 16, 10), small_micro_shop=False, name="甲"),
        "urgent": accept(station, datetime(2026, 11, 19, 10), small_micro_shop=False, name="乙"),
        "warning": accept(station, datetime(2026, 11, 20, 10), small_micro_shop=False, name="丙"),
        "normal": accept(station, datetime(2026, 11, 23, 10), clock=clock, name="丁"),
        "paused": accept(station, datetime(2026, 11, 23, 10, 10), clock=clock, small_micro_shop=False, name="戊"),
    }
    clock.now = datetime(2026, 11, 23, 10, 20, tzinfo=clock.now.tzinfo)
    lifecycle.pause(station, made["paused"].uuid, reason="客户内部线路未完工", operator=station.head_id)
    clock.now = datetime(2026, 11, 23, 10, 30, tzinfo=clock.now.tzinfo)
    return made


def test_levels_order_and_working_days_left(station, week) -> None:  # noqa: ANN001
    data = service.countdown(station)
    assert data.today == D(2026, 11, 23) and data.warn_days == 2
    by_customer = {r.customer: r for r in data.rows}
    assert [r.customer for r in data.rows] == ["甲", "乙", "丙", "丁", "戊"]  # most urgent first
    # 低压居民 2 working days: accepted Mon 16 → due Wed 18, three working days late on Mon 23 (19, 20, 23).
    assert (by_customer["甲"].due, by_customer["甲"].days_left, by_customer["甲"].level) == (
        D(2026, 11, 18),
        -3,
        "overdue",
    )
    assert (by_customer["乙"].due, by_customer["乙"].days_left, by_customer["乙"].level) == (
        D(2026, 11, 23),
        0,
        "urgent",
    )
    assert (by_customer["丙"].due, by_customer["丙"].days_left, by_customer["丙"].level) == (
        D(2026, 11, 24),
        1,
        "warning",
    )
    assert (by_customer["丁"].days_left, by_customer["丁"].level) == (15, "normal")
    paused = by_customer["戊"]
    assert (paused.level, paused.days_left, paused.pause_reason) == ("paused", 2, "客户内部线路未完工")
    assert paused.paused_since == D(2026, 11, 23)
    assert data.counts() == {"overdue": 1, "urgent": 1, "warning": 1, "normal": 1, "paused": 1}
    # The home screen counts the same way.
    numbers = home_numbers(station)
    assert (numbers.overdue, numbers.due_today) == (1, 1)


def test_warning_level_follows_warn_days() -> None:
    today = D(2026, 11, 23)
    assert service.level(3, D(2026, 11, 26), today, warn_days=2) == "normal"
    assert service.level(3, D(2026, 11, 26), today, warn_days=3) == "warning"
    assert service.level(0, today, today, warn_days=0) == "urgent"
    assert service.level(0, D(2026, 11, 21), D(2026, 11, 22), warn_days=2) == "overdue"  # a Saturday after a Friday


def test_a_pause_stops_the_clock_and_resuming_moves_the_due_date(station, week, clock) -> None:  # noqa: ANN001
    application = week["paused"].uuid
    clock.now = datetime(2026, 11, 26, 15, tzinfo=clock.now.tzinfo)  # Thursday: paused Mon → Thu = 3 working days
    row = next(r for r in service.countdown(station).rows if r.application == application)
    assert (row.level, row.days_left) == ("paused", 2)  # the count stands still while paused
    assert lifecycle.resume(station, application, operator=station.head_id) == "2026-11-30"
    row = next(r for r in service.countdown(station).rows if r.application == application)
    assert (row.level, row.days_left, row.due) == ("warning", 2, D(2026, 11, 30))
    resumed = [e for e in station.store.events(application) if e.type == "application.resumed"]
    assert resumed[0].payload["paused_workdays"] == 3 and resumed[0].operator == station.head_id


def test_stage_due_date_where_the_profile_sets_a_stage_limit(station, clock) -> None:  # noqa: ANN001
    accepted_at = datetime(2026, 11, 16, 10, tzinfo=clock.now.tzinfo)
    application = accept_high_voltage(station, accepted_at)
    for hours in (1, 2):  # 用电申请 → 供电方案答复 → 设计审查 (3 working days), the same Monday
        lifecycle.advance_stage(station, application, operator=station.head_id, at=accepted_at + timedelta(hours=hours))
    data = service.countdown(station, today=D(2026, 11, 19))
    row = next(r for r in data.rows if r.application == application)
    assert row.stage == "设计审查" and row.stage_due == D(2026, 11, 19)
    assert row.due == D(2026, 12, 15)  # 21 working days for the whole process
    assert (row.days_left, row.level) == (0, "urgent")  # the stage's due date is the nearer one


def test_filters(station, week) -> None:  # noqa: ANN001
    rows = service.countdown(station).rows
    assert {r.customer for r in service.filter_rows(rows, business_type="lv_nonresident")} == {"丁"}
    assert len(service.filter_rows(rows, stage="用电申请")) == 5
    assert service.filter_rows(rows, manager="nobody") == []


# --- the screen ------------------------------------------------------------------------------------------------


async def _open_countdown(app: StationApp, pilot, name: str = "李秀英", pin: str = "2222") -> DataTable:  # noqa: ANN001
    await login(app, pilot, name, pin)
    await pilot.press("f3")
    await settle(app, pilot)
    assert type(app.screen).__name__ == "CountdownScreen"
    return app.screen.query_one("#countdown-table", DataTable)


def _expected(demo_db: Path, clock) -> service.Countdown:  # noqa: ANN001
    with Store(demo_db, clock=clock) as store:
        return service.countdown(Station.open(store))


async def test_screen_lists_every_open_application_and_filters(demo_db: Path, clock) -> None:  # noqa: ANN001
    expected = _expected(demo_db, clock)
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        table = await _open_countdown(app, pilot)
        assert table.row_count == len(expected.rows)
        first = expected.rows[0]
        number, customer = [str(c) for c in table.get_row_at(0)][2:4]
        assert number == first.number
        assert customer == first.customer or (customer.endswith("…") and first.customer.startswith(customer[:-1]))
        assert "2026-11-23 星期一" in text_of(app, "#countdown-title")
        counts = expected.counts()
        assert f"超期 {counts['overdue']}" in text_of(app, "#countdown-counts")

        manager = next(r for r in expected.rows if r.manager_name == "刘强").manager
        app.screen.query_one("#filter-manager", Select).value = manager
        await settle(app, pilot)
        wanted = service.filter_rows(expected.rows, manager=manager)
        assert table.row_count == len(wanted) < len(expected.rows)
        assert f"共 {len(wanted)} 件（全部 {len(expected.rows)} 件）" in text_of(app, "#countdown-counts")

        app.screen.query_one("#filter-type", Select).value = "ev_resident"
        await settle(app, pilot)
        both = service.filter_rows(expected.rows, manager=manager, business_type="ev_resident")
        assert table.row_count == len(both) >= 1
        kind = next(i for i, (title, _width) in enumerate(COLUMNS) if title == "业务类型")
        assert all(str(table.get_row_at(i)[kind]).startswith("居民个人") for i in range(table.row_count))

        await pilot.press("x")
        await settle(app, pilot)
        assert table.row_count == len(expected.rows)
        app.screen.query_one("#filter-stage", Select).value = "用电申请"
        await settle(app, pilot)
        assert table.row_count == len(service.filter_rows(expected.rows, stage="用电申请"))


async def test_pause_and_resume_from_the_screen(demo_db: Path, clock) -> None:  # noqa: ANN001
    expected = _expected(demo_db, clock)
    # The most overdue: its days left, in brackets once paused, must still show whole in the narrow first column.
    target = min((r for r in expected.rows if r.status == "open"), key=lambda r: r.days_left)
    assert target.days_left <= -10
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        table = await _open_countdown(app, pilot)
        table.focus()
        table.move_cursor(row=expected.rows.index(target))
        await pilot.press("p")
        await settle(app, pilot)
        await pilot.press("enter")  # no reason: refused, the dialog stays
        await settle(app, pilot)
        assert "请写明暂停原因" in text_of(app, "#reason-error")
        await pilot.press(*"客户图纸未交")
        await pilot.press("enter")
        await settle(app, pilot)
        row = app.screen.shown[table.cursor_row]
        assert (row.application, row.level, row.pause_reason) == (target.application, "paused", "客户图纸未交")
        assert "原因：客户图纸未交" in text_of(app, "#countdown-detail")
        assert str(table.get_row_at(table.cursor_row)[1]) == "暂停"
        assert str(table.get_row_at(table.cursor_row)[0]) == f"({target.days_left})"  # not cut with …

        clock.advance(days=1)
        await pilot.press("u")
        await settle(app, pilot)
        app.screen.query_one("#yes", Button).press()
        await settle(app, pilot)
        row = app.screen.shown[table.cursor_row]
        assert (row.application, row.status) == (target.application, "open")
        operator = app.operator.uuid
    with Store(demo_db, clock=clock) as store:
        events = [e for e in store.events(target.application) if e.type.startswith("application.")]
        assert [e.type for e in events[-2:]] == ["application.paused", "application.resumed"]
        assert events[-2].payload["reason"] == "客户图纸未交"
        assert all(e.operator == operator for e in events[-2:])
        assert events[-1].payload["paused_workdays"] == 1


async def test_enter_opens_the_application(demo_db: Path, clock) -> None:  # noqa: ANN001
    expected = _expected(demo_db, clock)
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        table = await _open_countdown(app, pilot)
        table.focus()
        await pilot.press("down", "enter")
        await settle(app, pilot)
        opened = expected.rows[1]
        assert isinstance(app.screen, ApplicationScreen)
        assert app.screen.application_uuid == opened.application
        assert opened.number in text_of(app, "#app-header")


async def test_the_screen_and_home_move_to_the_new_day_by_themselves(demo_db: Path, clock, monkeypatch) -> None:  # noqa: ANN001
    import station_tui.screens.countdown as screen_module
    import station_tui.screens.home as home_module

    monkeypatch.setattr(screen_module, "REFRESH_SECONDS", 0.2)
    monkeypatch.setattr(home_module, "REFRESH_SECONDS", 0.2)
    expected = _expected(demo_db, clock)
    normal = next(r for r in expected.rows if r.level == "normal")
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        table = await _open_countdown(app, pilot)
        index = next(i for i, r in enumerate(app.screen.shown) if r.application == normal.application)
        assert str(table.get_row_at(index)[0]) == str(normal.days_left)

        clock.advance(days=1)  # past midnight: Tuesday 2026-11-24
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert "2026-11-24 星期二" in text_of(app, "#countdown-title")
        index = next(i for i, r in enumerate(app.screen.shown) if r.application == normal.application)
        assert str(table.get_row_at(index)[0]) == str(normal.days_left - 1)

        await pilot.press("f1")
        await settle(app, pilot)
        with Store(demo_db, clock=clock) as store:
            later = home_numbers(Station.open(store))
        clock.advance(days=30)  # long after every due date of the demo
        await pilot.pause(0.5)
        await settle(app, pilot)
        with Store(demo_db, clock=clock) as store:
            month_later = home_numbers(Station.open(store))
        assert month_later.overdue > later.overdue
        assert text_of(app, "#value-overdue") == str(month_later.overdue)


# --- the supporting works' own countdown (issue 16) ---------------------------------------------------------------


def _works_on(station: Station, contract: str) -> str:
    """An application accepted on Friday 2026-09-25 whose 10 kV T接 works (7 working days) are recorded on Monday
    the 28th: due 2026-10-13 across 国庆节 and the make-up Saturday 10-10."""
    app = accept_high_voltage(station, datetime(2026, 9, 25, 9, tzinfo=CHINA_TZ), name="邾县农机站")
    works.record_works(
        station, app, kind="10千伏/线路T接", project_manager="周海涛", contract_date=contract,
        customer_completion="2026-10-30", operator=station.head_id,
        at=datetime(2026, 9, 28, 10, tzinfo=CHINA_TZ),
    )  # fmt: skip
    return app


def _works_clock(station: Station, app: str, today: date) -> service.WorksClock | None:
    return next(r for r in service.countdown(station, today=today).rows if r.application == app).works


@pytest.mark.parametrize(
    ("today", "left", "level"),
    [
        (D(2026, 9, 30), 5, "normal"),  # 10-8, 10-9, 10-10 (调休上班), 10-12, 10-13: the holiday counts nothing
        (D(2026, 10, 9), 3, "normal"),
        (D(2026, 10, 10), 2, "warning"),  # a make-up working Saturday counts like any working day
        (D(2026, 10, 13), 0, "urgent"),
        (D(2026, 10, 14), -1, "overdue"),
    ],
)
def test_the_works_countdown_runs_across_national_day_with_the_application_s_levels(
    station: Station, today: date, left: int, level: str
) -> None:
    app = _works_on(station, "2026-10-20")
    clock = _works_clock(station, app, today)
    assert clock is not None
    assert (clock.due, clock.days_left, clock.level) == (D(2026, 10, 13), left, level)
    assert clock.kind == "10千伏/线路T接" and clock.contract_date == D(2026, 10, 20)


def test_an_earlier_contract_date_is_the_works_deadline_and_the_clock_runs_while_the_application_is_paused(
    station: Station,
) -> None:
    app = _works_on(station, "2026-10-09")
    lifecycle.pause(station, app, reason="客户内部线路未完工", operator=station.head_id)
    row = next(r for r in service.countdown(station, today=D(2026, 10, 12)).rows if r.application == app)
    assert row.level == "paused"
    assert row.works is not None and (row.works.due, row.works.days_left, row.works.level) == (
        D(2026, 10, 9), -2, "overdue"
    )  # fmt: skip


def test_applications_without_works_have_no_works_clock(station: Station) -> None:
    app = accept(station, datetime(2026, 11, 20, 9), name="无配套").uuid
    assert _works_clock(station, app, D(2026, 11, 23)) is None


async def test_the_screen_shows_the_works_countdown_in_its_own_colour(demo_db: Path, clock) -> None:  # noqa: ANN001
    expected = _expected(demo_db, clock)
    with_works = [r for r in expected.rows if r.works is not None]
    assert with_works and len(with_works) < len(expected.rows), "the demo has applications with and without works"
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        table = await _open_countdown(app, pilot)
        assert COLUMNS[WORKS_COLUMN][0] == "配套工程到期"
        for index, row in enumerate(expected.rows):
            cell = table.get_row_at(index)[WORKS_COLUMN]
            if row.works is None:
                assert str(cell) == "—"
                continue
            left = row.works.days_left
            assert str(cell) == f"{row.works.due:%Y-%m-%d} " + (f"剩{left}" if left >= 0 else f"超{-left}")
            assert str(cell.style) == LEVEL_STYLES[row.works.level]
        # The line under the list names the works of the highlighted application.
        index, row = next((i, r) for i, r in enumerate(expected.rows) if r.works is not None)
        table.move_cursor(row=index)
        await settle(app, pilot)
        detail = text_of(app, "#countdown-detail")
        assert f"配套工程 {row.works.kind} 约定 {row.works.contract_date:%Y-%m-%d} 完成" in detail
