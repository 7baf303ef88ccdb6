"""The 外勤 screen, typed as the people at each end would: the 站长 checks 刘强's applications out to a file, 刘强's
laptop (its own database) shows what it holds and packs his work, the station checks it back in. And the laptop's
clock: earlier than the station's at checkout, or opened long after, is said."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from conftest import HEAD_PIN
from notice_helpers import accept_resident, add_manager
from textual.widgets import DataTable

from pilot_helpers import SIZE, login, settle, text_of
from station_tui.app import StationApp
from station_tui.screens.field import FieldScreen
from station_tui.services import field, lifecycle
from station_tui.services.dashboard import status_warnings
from station_tui.services.station import Station
from station_tui.store import Store
from station_tui.store.check import check


async def _type(pilot, selector: str, text: str) -> None:  # noqa: ANN001
    await pilot.click(selector)
    await pilot.press(*text)


async def test_check_out_work_on_the_laptop_pack_and_check_in_on_the_screen(
    station: Station,
    tmp_path: Path,
    clock,  # noqa: ANN001
) -> None:
    manager = add_manager(station)
    app_id = accept_resident(station, name="张三")
    number = station.store.one("SELECT number FROM applications WHERE uuid = ?", (app_id,))
    station.store.close()
    out, back, laptop_db = tmp_path / "借出.zip", tmp_path / "交回.zip", tmp_path / "laptop.db"

    ui = StationApp(station.store.path, clock=clock)
    async with ui.run_test(size=SIZE) as pilot:
        await login(ui, pilot, "王站长", HEAD_PIN)
        await pilot.press("f11")
        await settle(ui, pilot)
        assert isinstance(ui.screen, FieldScreen)
        await pilot.click("#checkout")  # nothing typed: said, nothing written
        await settle(ui, pilot)
        assert "请填写" in text_of(ui, "#result") and not out.exists()
        await _type(pilot, "#manager", "刘强")
        await pilot.press("enter")  # on to the file, then Enter lends the work out as the button does
        await pilot.press(*str(out), "enter")
        await settle(ui, pilot)
        assert "已借出 1 件申请到外勤设备 02" in text_of(ui, "#result") and number in text_of(ui, "#result")
    assert out.exists()

    opened = field.open_laptop(out, laptop_db, clock=clock)
    assert opened.created and opened.clock_warning is None
    clock.advance(hours=2)
    laptop = Station.open(Store(laptop_db, clock=clock))
    lifecycle.pause(laptop, app_id, reason="客户外出", operator=manager)
    laptop.store.close()

    ui = StationApp(laptop_db, clock=clock)
    async with ui.run_test(size=SIZE) as pilot:
        await login(ui, pilot, "刘强", "4444")
        await pilot.press("f11")
        await settle(ui, pilot)
        table = ui.screen.query_one("#leased", DataTable)
        assert [table.get_row_at(i)[:2] for i in range(table.row_count)] == [[number, "张三"]]
        assert "暂停" in str(table.get_row_at(0)[2]) and text_of(ui, "#clock") == ""
        await _type(pilot, "#pack-to", str(back))
        await pilot.press("enter")
        await settle(ui, pilot)
        assert "已生成交回文件" in text_of(ui, "#result")
    assert back.exists()

    clock.advance(hours=1)
    ui = StationApp(station.store.path, clock=clock)
    async with ui.run_test(size=SIZE) as pilot:
        await login(ui, pilot, "王站长", HEAD_PIN)
        await pilot.press("f11")
        await settle(ui, pilot)
        await _type(pilot, "#checkin-from", str(tmp_path / "没有这个文件.zip"))
        await pilot.click("#checkin")
        await settle(ui, pilot)
        assert "没有这个文件.zip" in text_of(ui, "#result")  # said plainly, on one screen
        ui.screen.query_one("#checkin-from").value = ""
        await _type(pilot, "#checkin-from", str(back))
        await pilot.press("enter")
        await settle(ui, pilot)
        result = text_of(ui, "#result")
        assert (
            "设备 02 交回" in result and "结束借出 1 件" in result and "办理中·第 1 环节 → 暂停·第 1 环节" in result
        ), result
    with Store(station.store.path) as store:
        assert store.one("SELECT status FROM applications WHERE uuid = ?", (app_id,)) == "paused"
        assert store.one("SELECT count(*) FROM leases WHERE returned_at IS NULL") == 0
        # Who lent the work out and who took it back: the 站长 logged in on the screen.
        head = store.one("SELECT uuid FROM operators WHERE name = '王站长'")
        recorded = store.rows("SELECT type, operator FROM events WHERE type IN ('field.leased', 'field.returned')")
        assert sorted(r["type"] for r in recorded) == ["field.leased", "field.returned"]
        assert {r["operator"] for r in recorded} == {head}
    assert check(station.store.path).ok


def test_a_laptop_clock_behind_the_station_s_checkout_is_said_on_open_and_in_the_status_line(
    station: Station,
    tmp_path: Path,
    clock,  # noqa: ANN001
) -> None:
    add_manager(station)
    accept_resident(station, name="张三")
    field.checkout(station, "刘强", tmp_path / "out.zip")
    at = clock()
    behind = field.open_laptop(tmp_path / "out.zip", tmp_path / "a.db", clock=lambda: at - timedelta(hours=3))
    assert behind.clock_warning is not None and "还早 180 分钟" in behind.clock_warning
    ahead = field.open_laptop(tmp_path / "out.zip", tmp_path / "b.db", clock=lambda: at + timedelta(minutes=40))
    assert ahead.clock_warning is not None and "晚 40 分钟" in ahead.clock_warning
    near = field.open_laptop(tmp_path / "out.zip", tmp_path / "c.db", clock=lambda: at + timedelta(minutes=4))
    assert near.clock_warning is None
    # In the app on the laptop: earlier than the checkout is wrong however long ago it was; later is not judged.
    late = Station.open(Store(tmp_path / "c.db", clock=lambda: at + timedelta(days=3)))
    assert not [w for w in status_warnings(late) if "供电所借出时" in w]
    early = Station.open(Store(tmp_path / "c.db", clock=lambda: at - timedelta(minutes=30)))
    assert [w for w in status_warnings(early) if "还早 30 分钟" in w]


async def test_the_app_on_a_laptop_never_starts_the_scheduled_export(
    station: Station,
    tmp_path: Path,
    clock,  # noqa: ANN001
) -> None:
    """The export schedule and its folder are settings, so they travel to the laptop: past export time, the station
    exports at once, the laptop does not (its events reach the county in the station's export after checkin)."""
    from station_tui.services.schedule import change_schedule, export_due

    add_manager(station)
    accept_resident(station, name="张三")
    outbox = tmp_path / "stick"
    outbox.mkdir()
    change_schedule(station, operator=station.head_id, outbox=str(outbox))  # type: ignore[attr-defined]
    field.checkout(station, "刘强", tmp_path / "out.zip")
    field.open_laptop(tmp_path / "out.zip", tmp_path / "laptop.db", clock=clock)
    clock.advance(days=2)  # two evenings' 22:00 have passed
    assert export_due(station).due and "尚未导出" in status_warnings(station)
    station.store.close()
    laptop = Station.open(Store(tmp_path / "laptop.db", clock=clock))
    state = export_due(laptop)
    assert state.laptop and not state.due and laptop.store.setting("export_outbox") == str(outbox)
    assert not [w for w in status_warnings(laptop) if "导出" in w]
    laptop.store.close()

    ui = StationApp(tmp_path / "laptop.db", clock=clock)
    async with ui.run_test(size=SIZE) as pilot:
        await login(ui, pilot, "刘强", "4444")  # the login starts the schedule's first check
        await settle(ui, pilot)
        await settle(ui, pilot)
        assert ui.export_schedule is not None and ui.export_schedule.stopped
        messages = [n.message for n in ui._notifications]
        assert not any("导出" in m for m in messages), messages
        # Nor does it warn of exports it can never make: the home card says why there are none.
        assert text_of(ui, "#value-last_export") == "外勤电脑不导出"
        status = text_of(ui, "StatusLine")
        assert "刘强" in status and "导出" not in status, status
        # Nor by hand (F6 导出, 立即导出): refused in plain words, nothing written.
        await pilot.press("f6")
        await settle(ui, pilot)
        await pilot.click("#export-now")
        await settle(ui, pilot)
        assert "外勤电脑，不能向县公司导出" in text_of(ui, "#export-message"), text_of(ui, "#export-message")
    assert list(outbox.iterdir()) == []
    with Store(tmp_path / "laptop.db") as store:
        assert store.one("SELECT count(*) FROM events WHERE type = 'export.done'") == 0

    ui = StationApp(station.store.path, clock=clock)  # the station, at the same moment, exports at once
    async with ui.run_test(size=SIZE) as pilot:
        await login(ui, pilot, "王站长", HEAD_PIN)
        await settle(ui, pilot)
        await settle(ui, pilot)
        assert not ui.export_schedule.stopped
    assert len(list(outbox.iterdir())) == 1
