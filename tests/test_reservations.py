"""Reservations: the profile's clocks (phone 20 minutes, online 18 hours) coloured as they run out, and a reservation
becoming an application through the intake screen."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable, Select

from pilot_helpers import SIZE, login, settle, text_of
from station_tui.app import StationApp
from station_tui.screens.dialogs import ConfirmDialog
from station_tui.screens.intake import IntakeScreen
from station_tui.screens.reservations import ReservationsScreen
from station_tui.services.reservations import list_reservations, mark_handled, register_reservation
from station_tui.services.station import Station
from station_tui.store import Store


def _register(station, channel: str, name: str = "张秀兰") -> str:  # noqa: ANN001
    return register_reservation(
        station,
        customer_name=name,
        phone="13837123456",
        address="邾县城关镇北关街18号",
        business_type="lv_resident",
        channel=channel,
        operator=station.head_id,
    )


def test_clocks_run_out_and_stop_when_handled(station, clock) -> None:  # noqa: ANN001
    phone = _register(station, "phone", "电话客户")
    online = _register(station, "online", "线上客户")
    levels = {r.uuid: (r.level, r.minutes_left) for r in list_reservations(station)}
    assert levels[phone] == ("normal", 20) and levels[online] == ("normal", 18 * 60)
    clock.advance(minutes=16)
    rows = list_reservations(station)
    assert rows[0].uuid == phone and rows[0].level == "warning" and rows[0].clock_text == "剩 4 分钟"
    clock.advance(minutes=5)
    assert list_reservations(station)[0].level == "overdue"
    assert list_reservations(station)[0].clock_text == "超时 1 分钟"
    mark_handled(station, phone, operator=station.head_id)
    handled = {r.uuid: r for r in list_reservations(station)}[phone]
    assert handled.level == "handled" and handled.minutes_left is None
    clock.advance(hours=15)
    assert {r.uuid: r.level for r in list_reservations(station)}[online] == "warning"


def test_bad_reservation_is_refused_with_reasons(station) -> None:  # noqa: ANN001
    from station_tui.services.intake import FormErrors

    try:
        register_reservation(
            station, customer_name="", phone="123", address="x", business_type="lv_resident", channel="online",
            operator=station.head_id,
        )  # fmt: skip
    except FormErrors as exc:
        assert set(exc.errors) == {"customer_name", "phone", "address"}
    else:
        raise AssertionError("accepted a reservation without name or phone")
    assert station.store.one("SELECT count(*) FROM reservations") == 0


async def test_reservation_becomes_an_application(demo_db: Path, clock) -> None:  # noqa: ANN001
    with Store(demo_db, clock=clock) as store:
        station = Station.open(store)
        station.head_id = store.one("SELECT uuid FROM operators WHERE role = 'head'")
        reservation = _register(station, "phone")
    clock.advance(minutes=25)
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await pilot.press("f2")
        await settle(app, pilot)
        await pilot.press("f9")
        await settle(app, pilot)
        assert isinstance(app.screen, ReservationsScreen)
        table = app.screen.query_one("#res-table", DataTable)
        assert str(table.get_row_at(0)[0]) == "超时 5 分钟"
        assert "超时 1 条" in text_of(app, "#res-summary")
        table.focus()
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, IntakeScreen)
        screen = app.screen
        screen.query_one("#id-number").focus()
        await pilot.press(*"411302198503120024")
        screen.query_one("#capacity").focus()
        await pilot.press(*"8")
        for key in ("identity_proof", "property_proof"):
            screen.query_one(f"#doc-form-{key}", Select).focus()
            await pilot.press("enter", "down", "enter")
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.click("#no")
        await settle(app, pilot)
    with Store(demo_db, clock=clock) as store:
        row = store.rows("SELECT status, application FROM reservations WHERE uuid = ?", (reservation,))[0]
        assert row["status"] == "converted"
        app_row = store.rows("SELECT customer_name, channel FROM applications WHERE uuid = ?", (row["application"],))
        assert app_row == [{"customer_name": "张秀兰", "channel": "phone"}]


async def test_a_phone_reservation_taken_at_f9_is_refused_then_registered(demo_db: Path, clock) -> None:  # noqa: ANN001
    from textual.widgets import Input

    from station_tui.screens.intake_dialogs import ReservationDialog

    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await pilot.press("f9")
        await settle(app, pilot)
        before = len(app.screen.rows)
        await pilot.press("n")
        await settle(app, pilot)
        dialog = app.screen
        assert isinstance(dialog, ReservationDialog) and not dialog.query("#res-bring")  # no form: nothing to bring
        dialog.query_one("#res-channel", Select).value = "phone"
        dialog.query_one("#res-name", Input).value = "赵桂芳"
        dialog.query_one("#res-phone", Input).value = "123"
        await pilot.click("#ok")
        await settle(app, pilot)
        assert app.screen is dialog and "业务类型" in text_of(app, "#res-error")  # refused, with every reason
        dialog.query_one("#res-type", Select).value = "lv_resident"
        dialog.query_one("#res-phone", Input).value = "13837123457"
        dialog.query_one("#res-address", Input).value = "邾县城关镇南关街3号"
        await pilot.click("#ok")
        await settle(app, pilot)
        assert isinstance(app.screen, ReservationsScreen)
        assert "已登记预约" in text_of(app, "#res-message")
        rows = app.screen.rows
        assert len(rows) == before + 1
        added = next(r for r in rows if r.customer_name == "赵桂芳")
        assert (added.channel, added.business_zh, added.minutes_left) == ("phone", "低压居民新装", 20)
