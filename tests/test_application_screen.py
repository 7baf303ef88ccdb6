"""The application screen as a clerk uses it: what it shows, and every action recorded as an event with its operator."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from textual.widgets import DataTable, Input, Static, TextArea

from pilot_helpers import SIZE, login, settle, text_of
from station_tui.app import StationApp
from station_tui.screens.application import ApplicationScreen
from station_tui.screens.application_dialogs import CollectDialog, DefectsDialog, OverrideDialog, ReasonDialog
from station_tui.screens.dialogs import ConfirmDialog
from station_tui.services import lifecycle
from station_tui.services.applications import ApplicationView, application_view, list_applications
from station_tui.services.station import Station
from station_tui.store import Store


def _view(db: Path, clock, application: str) -> ApplicationView:  # noqa: ANN001
    """The application as the services show it (the screen's own read model)."""
    with Store(db, clock=clock) as store:
        return application_view(Station.open(store), application)


def _first(db: Path, clock, wanted: Callable[[ApplicationView], bool]) -> ApplicationView:  # noqa: ANN001
    """The first application in progress (办理中) that the test can use."""
    with Store(db, clock=clock) as store:
        station = Station.open(store)
        views = (application_view(station, a.uuid) for a in list_applications(station, open_only=True))
        return next(v for v in views if v.status == "open" and wanted(v))


def _at_first_stage_with_all_documents(view: ApplicationView) -> bool:
    return view.current_stage == 1 and not view.deferred_documents


async def _open(app: StationApp, pilot, application: str, who: tuple[str, str] = ("李秀英", "2222")) -> None:  # noqa: ANN001
    await login(app, pilot, *who)
    app.push_screen(ApplicationScreen(application))
    await settle(app, pilot)


async def _archive_tab(app: StationApp, pilot) -> DataTable:  # noqa: ANN001
    """Show 归档清单 and put the focus in its table."""
    await pilot.click("#app-tabs Tab#--content-tab-tab-archive")
    await settle(app, pilot)
    table = app.screen.query_one("#archive", DataTable)
    table.focus()
    return table


def _archive_row(table: DataTable, item: str) -> int:
    return next(i for i in range(table.row_count) if table.get_row_at(i)[5] == item)


async def test_shows_header_documents_stages_and_timeline(demo_db: Path, clock) -> None:  # noqa: ANN001
    row = _first(demo_db, clock, lambda v: bool(v.deferred_documents))
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, row.uuid)
        header = text_of(app, "#app-header")
        assert row.number in header and row.customer_name in header and row.due_date.isoformat() in header
        assert "容缺待收" in header
        docs = app.screen.query_one("#docs", DataTable)
        statuses = [docs.get_row_at(i)[1] for i in range(docs.row_count)]
        assert "容缺待收" in statuses
        events = app.screen.query_one("#events", DataTable)
        assert events.get_row_at(0)[1] == "受理申请"
        archive = app.screen.query_one("#archive", DataTable)
        assert any(archive.get_row_at(i)[5] == "用电登记表" for i in range(archive.row_count))


async def test_collect_a_deferred_document(demo_db: Path, clock) -> None:  # noqa: ANN001
    row = _first(demo_db, clock, lambda v: bool(v.deferred_documents))
    doc = row.deferred_documents[0].uuid
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, row.uuid, ("刘强", "4444"))
        docs = app.screen.query_one("#docs", DataTable)
        docs.focus()
        docs.move_cursor(row=docs.get_row_index(doc))
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, CollectDialog)
        await pilot.click("#ok")
        await settle(app, pilot)
        assert "已补收" in text_of(app, "#app-message")
    collected = next(d for d in _view(demo_db, clock, row.uuid).documents if d.uuid == doc)
    assert (collected.status, collected.collected_by) == ("collected", "刘强")


async def test_next_stage_refused_until_head_overrides(demo_db: Path, clock) -> None:  # noqa: ANN001
    application = _first(demo_db, clock, _at_first_stage_with_all_documents).uuid
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, application)
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, OverrideDialog)
        assert "用电登记表" in str(app.screen.query_one(Static).render())
        app.screen.query_one("#pin", Input).value = "9999"  # wrong PIN: refused, nothing advances
        app.screen.query_one("#reason", Input).value = "客户急需，登记表次日补归档"
        await pilot.click("#ok")
        await settle(app, pilot)
        assert "PIN 不对" in text_of(app, "#app-message")
        assert _view(demo_db, clock, application).current_stage == 1
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, OverrideDialog)
        app.screen.query_one("#pin", Input).value = "1111"
        app.screen.query_one("#reason", Input).value = "客户急需，登记表次日补归档"
        await pilot.click("#ok")
        await settle(app, pilot)
        assert "已进入下一环节（站长授权）" in text_of(app, "#app-message")
    view = _view(demo_db, clock, application)
    advanced = [e for e in view.events if e.type == "stage.advanced"][-1]
    assert view.current_stage == 2
    assert "站长 王建国 授权" in advanced.summary and "用电登记表" in advanced.summary
    assert "理由：客户急需，登记表次日补归档" in advanced.summary


async def test_filing_archive_items_lets_the_stage_close(demo_db: Path, clock) -> None:  # noqa: ANN001
    application = _first(
        demo_db, clock, lambda v: _at_first_stage_with_all_documents(v) and v.voltage_zh == "低压"
    ).uuid
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, application)
        table = await _archive_tab(app, pilot)
        for wanted in ("用电登记表", "现场勘查单"):
            table.move_cursor(row=_archive_row(table, wanted))
            await pilot.press("f")
            await settle(app, pilot)
            await pilot.click("#yes")  # a filing asks first
            await settle(app, pilot)
            assert f"已归档：{wanted}" in text_of(app, "#app-message")
        await pilot.press("n")
        await settle(app, pilot)
        assert "已进入下一环节" in text_of(app, "#app-message")
        assert "（站长授权）" not in text_of(app, "#app-message")


async def test_pause_resume_terminate_and_inspection(demo_db: Path, clock) -> None:  # noqa: ANN001
    application = _first(demo_db, clock, lambda v: True).uuid
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, application)
        await pilot.press("i")
        await settle(app, pilot)
        assert isinstance(app.screen, DefectsDialog)
        app.screen.query_one("#defects", TextArea).text = "接地电阻不合格\n\n计量箱未加封"
        await pilot.click("#ok")
        await settle(app, pilot)
        assert "2 项缺陷" in text_of(app, "#app-message")
        assert "接地电阻不合格；计量箱未加封" in text_of(app, "#inspections")
        await pilot.press("p")
        await settle(app, pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"客户内部工程未完工", "enter")
        await settle(app, pilot)
        assert "【暂停】" in text_of(app, "#app-header")
        clock.advance(days=3)
        await pilot.press("r")
        await settle(app, pilot)
        assert "客户内部工程未完工" in app.screen.text  # it asks first, naming the pause
        await pilot.click("#yes")
        await settle(app, pilot)
        assert "【办理中】" in text_of(app, "#app-header") and "期限顺延至" in text_of(app, "#app-message")
        await pilot.press("t")
        await settle(app, pilot)
        await pilot.press("enter")  # empty reason: refused in the dialog
        await settle(app, pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"客户撤回申请", "enter")
        await settle(app, pilot)
        assert "【已终止】" in text_of(app, "#app-header") and "客户撤回申请" in text_of(app, "#app-header")
    view = _view(demo_db, clock, application)
    types = [e.type for e in view.events]
    assert types[-4:] == ["inspection.recorded", "application.paused", "application.resumed", "application.terminated"]
    assert view.inspections[-1].defects == ["接地电阻不合格", "计量箱未加封"]


async def test_next_stage_pressed_twice_fast_asks_once_and_advances_once(demo_db: Path, clock) -> None:  # noqa: ANN001
    """Two presses of n with no pause: the key is dimmed while the first write runs, so one question, one advance."""
    application = _first(demo_db, clock, _at_first_stage_with_all_documents).uuid
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, application)
        await pilot.press("n", "n")  # 用电登记表 not yet filed: the write is refused and a 站长 is asked, once
        await settle(app, pilot)
        assert [type(s).__name__ for s in app.screen_stack].count("OverrideDialog") == 1
        app.screen.query_one("#pin", Input).value = "1111"
        app.screen.query_one("#reason", Input).value = "客户急需，登记表次日补归档"
        await pilot.click("#ok")
        await settle(app, pilot)
        assert "已进入下一环节（站长授权）" in text_of(app, "#app-message")
    view = _view(demo_db, clock, application)
    assert [e.type for e in view.events].count("stage.advanced") == 1
    assert view.current_stage == 2


async def test_a_key_pressed_while_its_write_runs_does_nothing(demo_db: Path, clock, monkeypatch) -> None:  # noqa: ANN001
    """A slow disk holds the first filing: pressing f again meanwhile opens nothing; the filing is then said, once."""
    application = _first(demo_db, clock, _at_first_stage_with_all_documents).uuid
    held = threading.Event()
    real = lifecycle.file_archive_item

    def slow_disk(*args, **kwargs) -> None:  # noqa: ANN002, ANN003 - the real filing, after the test lets it go
        held.wait(timeout=30)
        real(*args, **kwargs)

    monkeypatch.setattr(lifecycle, "file_archive_item", slow_disk)
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, application)
        table = await _archive_tab(app, pilot)
        table.move_cursor(row=_archive_row(table, "用电登记表"))
        await pilot.press("f")
        await pilot.click("#yes")
        await pilot.press("down", "f", "f")  # the first filing is still on its way to the disk
        assert not isinstance(app.screen, ConfirmDialog)
        assert app.screen.check_action("file_item", ()) is None  # shown dimmed in the footer
        held.set()
        await settle(app, pilot)
        assert "已归档：用电登记表" in text_of(app, "#app-message")
        assert app.screen.check_action("file_item", ()) is True  # back once the screen shows the result
    filed = [e for e in _view(demo_db, clock, application).events if e.type == "archive.filed"]
    assert len(filed) == 1
