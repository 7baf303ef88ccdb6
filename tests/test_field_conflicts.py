"""The 站长's decision on a field conflict: both sides paused the same application from 办理中·第 1 环节 (the laptop
first), the laptop later resumed it; the 站长 keeps one line, the other is set aside (kept in the log), the flag clears, check passes."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import HEAD_PIN
from notice_helpers import accept_resident, add_manager
from textual.widgets import DataTable, Select

from pilot_helpers import SIZE, login, settle, text_of
from station_tui.app import StationApp
from station_tui.domain.errors import StationError
from station_tui.screens.conflicts import ConflictsScreen
from station_tui.services import conflicts, field, lifecycle, works
from station_tui.services.station import Station
from station_tui.store import Store
from station_tui.store.check import check


@pytest.fixture
def clash(station: Station, tmp_path: Path, clock) -> tuple[Station, str]:  # noqa: ANN001
    """The laptop pauses 张三's application, the station an hour later, the laptop resumes it: checked in, the
    station's pause found the application already paused (in conflict)."""
    manager = add_manager(station)
    app = accept_resident(station, name="张三")
    field.checkout(station, "刘强", tmp_path / "out.zip")
    field.open_laptop(tmp_path / "out.zip", tmp_path / "laptop.db", clock=clock)
    laptop = Station.open(Store(tmp_path / "laptop.db", clock=clock))
    clock.advance(hours=1)
    lifecycle.pause(laptop, app, reason="客户外出", operator=manager)
    clock.advance(hours=1)
    lifecycle.pause(station, app, reason="客户要求暂缓", operator=station.head_id)
    clock.advance(days=1)
    lifecycle.resume(laptop, app, operator=manager)
    laptop.store.close()
    field.pack(tmp_path / "laptop.db", tmp_path / "back.zip")
    field.checkin(station, tmp_path / "back.zip")
    assert station.store.one("SELECT count(*) FROM conflicts WHERE application = ?", (app,)) >= 1
    return station, app


def _laptop_side(station: Station, app: str) -> conflicts.Side:
    (found,) = conflicts.conflicts(station)
    assert found.application == app and {s.where for s in found.sides} >= {"供电所"}
    return next(s for s in found.sides if s.where != "供电所")


def test_the_head_sees_both_lines_and_keeping_the_laptop_s_sets_the_station_pause_aside(clash) -> None:  # noqa: ANN001
    station, app = clash
    side = _laptop_side(station, app)
    assert [m.label for m in side.moves] == ["暂停", "恢复"] and side.moves[0].operator == "刘强"
    assert side.moves[0].from_state == "办理中·第 1 环节"
    events = station.store.one("SELECT count(*) FROM events")
    assert conflicts.decide(station, app, keep_device=side.device, head=station.head_id, note="以外勤为准") == 1
    store = station.store
    assert store.one("SELECT count(*) FROM conflicts") == 0
    assert store.one("SELECT status FROM applications WHERE uuid = ?", (app,)) == "open"
    assert [r["reason"] for r in store.rows("SELECT reason FROM pauses WHERE application = ?", (app,))] == ["客户外出"]
    assert store.one("SELECT count(*) FROM events") == events + 1  # the station's pause is still in the log
    # The station goes on from the line that holds.
    lifecycle.pause(station, app, reason="等待客户补件", operator=station.head_id)
    assert store.one("SELECT count(*) FROM conflicts") == 0
    store.close()
    report = check(store.path)
    assert report.ok, report.problems


def test_keeping_the_station_s_line_sets_the_laptop_s_whole_line_aside(clash) -> None:  # noqa: ANN001
    station, app = clash
    assert conflicts.decide(station, app, keep_device=station.store.device_id, head=station.head_id) == 2
    store = station.store
    assert store.one("SELECT status FROM applications WHERE uuid = ?", (app,)) == "paused"
    assert [r["reason"] for r in store.rows("SELECT reason FROM pauses WHERE application = ?", (app,))] == [
        "客户要求暂缓"
    ]
    assert conflicts.conflicts(station) == []
    with pytest.raises(StationError, match="没有待裁定的冲突"):
        conflicts.decide(station, app, keep_device=store.device_id, head=station.head_id)
    store.close()
    assert check(store.path).ok


def test_only_the_head_decides_and_only_between_the_sides(clash) -> None:  # noqa: ANN001
    station, app = clash
    manager = station.store.one("SELECT uuid FROM operators WHERE role = 'customer_manager'")
    events = station.store.one("SELECT count(*) FROM events")
    with pytest.raises(StationError, match="只有站长"):
        conflicts.decide(station, app, keep_device=station.store.device_id, head=manager)
    with pytest.raises(StationError, match="没有这一方"):
        conflicts.decide(station, app, keep_device="no-such-device", head=station.head_id)
    assert station.store.one("SELECT count(*) FROM events") == events
    assert station.store.one("SELECT count(*) FROM conflicts WHERE application = ?", (app,)) >= 1


async def test_the_head_decides_a_conflict_on_the_screen(clash, clock) -> None:  # noqa: ANN001
    station, app = clash
    number = station.store.one("SELECT number FROM applications WHERE uuid = ?", (app,))
    station.store.close()
    ui = StationApp(station.store.path, clock=clock)
    async with ui.run_test(size=SIZE) as pilot:
        await login(ui, pilot, "王站长", HEAD_PIN)
        await pilot.press("f10")
        await settle(ui, pilot)
        assert isinstance(ui.screen, ConflictsScreen)
        table = ui.screen.query_one("#conflicts", DataTable)
        assert table.row_count == 1 and table.get_row_at(0)[0] == number
        detail = text_of(ui, "#detail")
        assert "【供电所】" in detail and "【外勤电脑 " in detail
        assert "刘强 暂停（从 办理中·第 1 环节）" in detail and "刘强 恢复" in detail and "王站长 暂停" in detail
        await pilot.press("ctrl+d")  # nothing chosen yet: said, nothing recorded
        await settle(ui, pilot)
        assert "请先选择" in text_of(ui, "#message")
        ui.screen.query_one("#keep", Select).focus()
        await pilot.press("enter")  # open the list of sides
        await pilot.pause()
        await pilot.press("down", "enter")  # the first side in the list
        await pilot.pause()
        chosen = ui.screen.query_one("#keep", Select).selection
        assert chosen is not None
        await pilot.click("#note")
        await pilot.press(*"以所内为准")
        await pilot.click("#decide")
        await settle(ui, pilot)
        assert "已裁定" in text_of(ui, "#message") and table.row_count == 0
        assert "没有待裁定的冲突" in text_of(ui, "#detail")
    with Store(station.store.path) as store:
        assert store.one("SELECT count(*) FROM conflicts") == 0
        decided = store.rows("SELECT json_extract(payload, '$.note') AS note, json_extract(payload, '$.kept_device')"
                             " AS kept FROM events WHERE type = 'conflict.decided'")  # fmt: skip
        assert [(d["note"], d["kept"]) for d in decided] == [("以所内为准", chosen)]
        # The line kept decides the state: the station's pause, or the laptop's pause and resume.
        status = store.one("SELECT status FROM applications WHERE uuid = ?", (app,))
        assert status == ("paused" if chosen == store.device_id else "open")
    assert check(station.store.path).ok


def test_a_decision_keeps_the_application_s_supporting_works(clash, clock) -> None:  # noqa: ANN001
    """Deciding re-projects the whole application: its other rows (here 配套工程, and the category they gave it)
    come back from their events."""
    station, app = clash
    clock.advance(minutes=1)  # after the laptop's resume: a replay puts the works after it
    works.record_works(
        station, app, kind="低压/非小微企业", project_manager="李项目", contract_date="2027-12-31",
        customer_completion="2027-12-31", operator=station.head_id,
    )  # fmt: skip
    category = "SELECT category, limit_days, due_date, supporting_works FROM applications WHERE uuid = ?"
    before = station.store.rows(category, (app,))
    conflicts.decide(station, app, keep_device=station.store.device_id, head=station.head_id)
    assert station.store.one("SELECT count(*) FROM supporting_works WHERE application = ?", (app,)) == 1
    # The category the works gave it (application.works_flagged) comes back too.
    assert station.store.rows(category, (app,)) == before and before[0]["supporting_works"] == 1
    station.store.close()
    assert check(station.store.path).ok
