"""The app as a clerk meets it: first run, login, the home screen's numbers, every area by key and by palette."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from textual.widgets import DataTable, Input, Select, Static

from pilot_helpers import SIZE, login, settle, text_of
from station_tui.app import AREAS, StationApp, area_screens
from station_tui.screens.dialogs import ConfirmDialog, FatalDialog
from station_tui.screens.home import HomeScreen
from station_tui.screens.login import LoginScreen
from station_tui.screens.setup import SetupScreen
from station_tui.screens.status_line import StatusLine
from station_tui.services.dashboard import home_numbers
from station_tui.services.demo import DEMO_OPERATORS
from station_tui.services.station import Station
from station_tui.store import Store
from station_tui.store import payloads as ev


async def test_first_run_asks_for_station_and_first_head(db_path: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(db_path, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, SetupScreen)
        await pilot.click("#station-name")
        await pilot.press(*"城关供电所")
        await pilot.click("#station-code")
        await pilot.press(*"Z")  # too short: refused, and the typing stays
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "请选择执行的办电政策" in text_of(app, "#setup-error")
        app.screen.query_one("#profile", Select).value = "zhuxian-2020"
        await pilot.click("#head-name")
        await pilot.press(*"王站长")
        await pilot.click("#head-phone")
        await pilot.press(*"13800000001")
        await pilot.click("#head-pin")
        await pilot.press(*"2468")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "供电所代码应为 2–10 位字母或数字" in text_of(app, "#setup-error")
        assert app.screen.query_one("#station-name", Input).value == "城关供电所"
        await pilot.click("#station-code")
        await pilot.press(*"X01")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, LoginScreen)
        await login(app, pilot, "王站长", "2468")
        assert isinstance(app.screen, HomeScreen)
        assert app.operator is not None and app.operator.name == "王站长"


async def test_home_numbers_match_the_database(demo_db: Path, clock) -> None:  # noqa: ANN001
    with Store(demo_db, clock=clock) as store:
        expected = home_numbers(Station.open(store))
    assert expected.overdue > 0 and expected.deferred_waiting > 0  # the demo has both
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        assert isinstance(app.screen, HomeScreen)
        assert text_of(app, "#value-accepted_today") == str(expected.accepted_today)
        assert text_of(app, "#value-due_today") == str(expected.due_today)
        assert text_of(app, "#value-overdue") == str(expected.overdue)
        assert text_of(app, "#value-deferred_waiting") == str(expected.deferred_waiting)
        assert text_of(app, "#value-open_total") == str(expected.open_total)
        status = str(app.screen.query_one(StatusLine).render())
        assert "演示数据" in status and "操作员：李秀英" in status and "2026-11-23 星期一 工作日" in status


async def test_wrong_pins_lock_the_operator(demo_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "张伟", "0000")
        assert "PIN 不对，还可以再试 4 次" in text_of(app, "#login-error")
        for _ in range(4):
            await pilot.press(*"0000", "enter")
            await settle(app, pilot)
        assert "锁定 5 分钟" in text_of(app, "#login-error")
        await pilot.press(*"3333", "enter")  # the right PIN, but locked
        await settle(app, pilot)
        assert "已锁定到" in text_of(app, "#login-error")
        assert isinstance(app.screen, LoginScreen)
    with Store(demo_db, clock=clock) as store:
        assert store.one("SELECT count(*) FROM events WHERE type = 'operator.locked'") == 1
    clock.advance(minutes=6)
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "张伟", "3333")
        assert isinstance(app.screen, HomeScreen)


async def test_every_area_by_key_and_by_palette(demo_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, DEMO_OPERATORS[0][0], DEMO_OPERATORS[0][2])
        footer_keys = {key for key, active in app.active_bindings.items() if active.binding.show and active.enabled}
        for key, area, _title in AREAS[1:]:
            assert key in footer_keys
            await pilot.press(key)
            await settle(app, pilot)
            assert type(app.screen) is area_screens()[area], area
            await pilot.press("f1")
            await settle(app, pilot)
            assert isinstance(app.screen, HomeScreen)
        for _key, area, title in AREAS[1:]:
            await pilot.press("ctrl+p")
            await pilot.press(*title)
            await pilot.pause(0.3)
            await pilot.press("enter")
            await settle(app, pilot)
            assert type(app.screen) is area_screens()[area], title
            await pilot.press("f1")
            await settle(app, pilot)


async def test_settings_add_operator_needs_a_heads_pin(demo_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await pilot.press("f7")
        await settle(app, pilot)
        assert "办电政策：国网邾县供电公司（2020）" in text_of(app, "#station-info")
        for selector, text in (("#op-name", "赵敏"), ("#op-phone", "13700000009"), ("#op-pin", "7777")):
            app.screen.query_one(selector, Input).value = text
        app.screen.query_one("#op-role", Select).value = "customer_manager"
        app.screen.query_one("#head", Select).value = app.screen.query_one("#head", Select)._options[1][1]
        app.screen.query_one("#head-pin", Input).value = "9999"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "PIN 不对" in text_of(app, "#settings-message")
        assert app.screen.query_one("#op-name", Input).value == "赵敏"  # nothing typed is lost
        app.screen.query_one("#head-pin", Input).value = "1111"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "已新增操作员 赵敏" in text_of(app, "#settings-message")
        table = app.screen.query_one("#operator-table", DataTable)
        assert any(table.get_row_at(i)[:2] == ["赵敏", "客户经理"] for i in range(table.row_count))
    with Store(demo_db, clock=clock) as store:
        (by,) = (store.one("SELECT operator FROM events WHERE type = 'operator.created' ORDER BY seq DESC LIMIT 1"),)
        assert store.one("SELECT name FROM operators WHERE uuid = ?", (by,)) == "王建国"


async def test_clock_behind_asks_before_recording(demo_db: Path, clock) -> None:  # noqa: ANN001
    with Store(demo_db, clock=clock) as store:
        store.record(ev.SettingsChanged(settings={"note": "real event now"}))
    clock.advance(days=-30)
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert "早于本机最近一条记录的时间" in str(app.screen.query_one(Static).render())
        await pilot.click("#no")
        await settle(app, pilot)
    assert app.return_code == 1
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.click("#yes")
        await login(app, pilot, "李秀英", "2222")
        assert isinstance(app.screen, HomeScreen)
        assert "系统时间早于最近记录" in str(app.screen.query_one(StatusLine).render())


async def test_damaged_database_gives_a_plain_message(tmp_path: Path) -> None:
    path = tmp_path / "station.db"
    path.write_text("not a database", encoding="utf-8")
    app = StationApp(path)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, FatalDialog)
        assert "已损坏或不是本程序的数据库" in str(app.screen.query_one("#fatal-text", Static).render())


async def test_home_moves_to_the_new_day_by_itself(demo_db: Path, clock, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr("station_tui.screens.home.REFRESH_SECONDS", 0.2)
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        assert "2026-11-23 星期一" in str(app.screen.query_one(StatusLine).render())
        clock.now = clock.now.replace(hour=23, minute=59) + timedelta(minutes=2)  # past midnight
        await pilot.pause(0.5)
        await settle(app, pilot)
        assert "2026-11-24 星期二" in str(app.screen.query_one(StatusLine).render())
