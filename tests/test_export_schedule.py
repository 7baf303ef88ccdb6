"""The export schedule (rrule, working days only, outbox), the catch-up at start, and the export screen as a clerk
uses it: export now with its progress, settings with the 站长 PIN, and a plain message when the stick is missing."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from textual.widgets import Checkbox, DataTable, Input, Select

from pilot_helpers import SIZE, login, settle, text_of
from station_tui.app import StationApp
from station_tui.domain.timeutil import CHINA_TZ
from station_tui.services.export import last_mark, run_export
from station_tui.services.schedule import (
    DEFAULT_RULE,
    ScheduleError,
    change_schedule,
    current_schedule,
    daily_rule,
    describe_rule,
    export_due,
    next_run,
    previous_run,
)
from station_tui.services.station import Station
from station_tui.store import Store


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=CHINA_TZ)


def test_the_default_is_every_day_at_22(station: Station) -> None:
    schedule = current_schedule(station)
    assert schedule.rule == DEFAULT_RULE and not schedule.workdays_only and schedule.outbox is None
    assert describe_rule(schedule.rule) == "每天 22:00"
    assert next_run(station, at(2026, 11, 23, 9, 30)) == at(2026, 11, 23, 22, 0)
    assert previous_run(station, at(2026, 11, 23, 9, 30)) == at(2026, 11, 22, 22, 0)
    assert previous_run(station, at(2026, 11, 23, 22, 0)) == at(2026, 11, 23, 22, 0)


def test_working_days_only_skips_the_weekend(station: Station) -> None:
    change_schedule(station, operator=station.head_id, workdays_only=True)  # type: ignore[attr-defined]
    # 2026-11-28 and 29 are a Saturday and a Sunday.
    assert next_run(station, at(2026, 11, 27, 23, 0)) == at(2026, 11, 30, 22, 0)
    assert previous_run(station, at(2026, 11, 30, 9, 0)) == at(2026, 11, 27, 22, 0)
    assert current_schedule(station).describe() == "每天 22:00（仅工作日）"


def test_settings_are_checked_and_recorded_with_the_operator(station: Station, tmp_path: Path) -> None:
    head = station.head_id  # type: ignore[attr-defined]
    for bad in ("25:00", "晚上十点", "12:00,22:30"):
        with pytest.raises(ScheduleError):
            daily_rule(bad)
    with pytest.raises(ScheduleError, match="每天、每周或每月"):
        change_schedule(station, operator=head, rule="DTSTART:20260101T000000\nRRULE:FREQ=MINUTELY")
    with pytest.raises(ScheduleError, match="完整路径"):
        change_schedule(station, operator=head, outbox="导出")
    change_schedule(station, operator=head, rule=daily_rule("12:00, 22:00"), outbox=str(tmp_path))
    schedule = current_schedule(station)
    assert describe_rule(schedule.rule) == "每天 12:00,22:00" and schedule.outbox == tmp_path
    event = station.store.rows("SELECT operator FROM events WHERE type = 'settings.changed' ORDER BY seq DESC LIMIT 1")
    assert event[0]["operator"] == head


def test_an_export_is_due_when_a_scheduled_time_passed_since_the_last_one(
    station: Station, tmp_path: Path, clock
) -> None:  # noqa: ANN001
    assert not export_due(station).due, "set up this morning: yesterday's 22:00 was before the station existed"
    clock.now = at(2026, 11, 23, 22, 30)
    assert export_due(station).due
    run_export(station, outbox=tmp_path)
    assert not export_due(station).due
    clock.now = at(2026, 11, 25, 8, 0)  # the PC was off over two evenings
    state = export_due(station)
    assert state.due and state.scheduled == at(2026, 11, 24, 22, 0)


# --- the app ----------------------------------------------------------------------------------------------------


def _with_outbox(db: Path, clock, outbox: Path) -> None:  # noqa: ANN001
    store = Store(db, clock=clock)
    station = Station.open(store)
    head = store.one("SELECT uuid FROM operators WHERE role = 'head'")
    change_schedule(station, operator=head, outbox=str(outbox))
    store.close()


async def test_at_start_a_missed_export_runs_at_once_and_the_clerk_is_told(
    demo_db: Path, clock, tmp_path: Path
) -> None:  # noqa: ANN001
    from station_tui.screens.export import start_export_schedule

    outbox = tmp_path / "stick"
    outbox.mkdir()
    _with_outbox(demo_db, clock, outbox)
    clock.now = at(2026, 11, 25, 8, 0)
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "王建国", "1111")
        start_export_schedule(app)  # what app.logged_in calls
        await settle(app, pilot)
        await settle(app, pilot)
        messages = [n.message for n in app._notifications]
        assert any("补做导出" in m or "已过而未导出" in m for m in messages), messages
        assert any("已按计划导出" in m for m in messages), messages
        folders = list((outbox / "DEMO").iterdir())
        assert len(folders) == 1 and (folders[0] / "manifest.json").exists()
        assert last_mark(app.station.store.conn, app.station.store.device_id) > 0
        start_export_schedule(app)  # a second login: nothing due any more, no second export
        await settle(app, pilot)
        assert len(list((outbox / "DEMO").iterdir())) == 1


async def test_the_export_screen_exports_now_and_saves_settings(demo_db: Path, clock, tmp_path: Path) -> None:  # noqa: ANN001
    app = StationApp(demo_db, clock=clock)
    outbox = tmp_path / "usb"
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "王建国", "1111")
        await pilot.press("f6")
        await settle(app, pilot)
        assert "未设置" in text_of(app, "#export-summary")
        app.screen.query_one("#export-outbox", Input).focus()  # Ctrl+E works wherever the cursor is
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        message = text_of(app, "#export-message")
        assert "还没有设置导出文件夹" in message and "站长" in message and "--" not in message  # no CLI option
        # Settings: a folder that is not there (the stick is not in) is refused, then the 站长's PIN.
        app.screen.query_one("#export-outbox", Input).value = str(outbox)
        app.screen.query_one("#export-times", Input).value = "21:30"
        app.screen.query_one("#export-workdays", Checkbox).value = True
        assert app.screen.query_one("#export-head", Select).value is not Select.BLANK
        app.screen.query_one("#export-pin", Input).value = "1111"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "不存在" in text_of(app, "#settings-message")
        assert "未设置" in text_of(app, "#export-summary")
        outbox.mkdir()
        app.screen.query_one("#export-pin", Input).value = "0000"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "PIN" in text_of(app, "#settings-message")
        assert app.screen.query_one("#export-outbox", Input).value == str(outbox), "what the clerk typed stays"
        pin = app.screen.query_one("#export-pin", Input)
        pin.value = ""
        pin.focus()
        await pilot.press(*"1111", "enter")  # Enter after the PIN saves, as Ctrl+S does
        await settle(app, pilot)
        assert "已保存" in text_of(app, "#settings-message")
        assert "每天 21:30（仅工作日）" in text_of(app, "#export-summary")
        outbox.rmdir()  # the stick taken out after the 站长 chose it
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        message = text_of(app, "#export-message")
        assert "不存在" in message and "U 盘" in message
        assert last_mark(app.station.store.conn, app.station.store.device_id) == 0
        outbox.mkdir()
        await pilot.press("ctrl+e")
        await settle(app, pilot)
        assert "已导出到" in text_of(app, "#export-message")
        table = app.screen.query_one("#export-table", DataTable)
        assert table.row_count == 1
        row = table.get_row_at(0)
        assert row[-1] == "完整" and str(outbox) in row[3]
