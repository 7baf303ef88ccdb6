"""The application screen as a clerk uses it: what it shows, and every action recorded as an event with its operator."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable, Input, Static, TextArea

from pilot_helpers import SIZE, login, settle, text_of
from station_tui.app import StationApp
from station_tui.screens.application import ApplicationScreen
from station_tui.screens.application_dialogs import CollectDialog, DefectsDialog, OverrideDialog, ReasonDialog
from station_tui.store import Store


def _one(db: Path, clock, sql: str, params: tuple = ()):  # noqa: ANN001, ANN202
    with Store(db, clock=clock) as store:
        return store.rows(sql, params)


async def _open(app: StationApp, pilot, application: str, who: tuple[str, str] = ("李秀英", "2222")) -> None:  # noqa: ANN001
    await login(app, pilot, *who)
    app.push_screen(ApplicationScreen(application))
    await settle(app, pilot)


async def test_shows_header_documents_stages_and_timeline(demo_db: Path, clock) -> None:  # noqa: ANN001
    row = _one(
        demo_db,
        clock,
        "SELECT a.uuid, a.number, a.customer_name, a.due_date FROM applications a JOIN documents d"
        " ON d.application = a.uuid WHERE d.status = 'deferred' AND a.status = 'open' LIMIT 1",
    )[0]
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, row["uuid"])
        header = text_of(app, "#app-header")
        assert row["number"] in header and row["customer_name"] in header and row["due_date"] in header
        assert "容缺待收" in header
        docs = app.screen.query_one("#docs", DataTable)
        statuses = [docs.get_row_at(i)[1] for i in range(docs.row_count)]
        assert "容缺待收" in statuses
        events = app.screen.query_one("#events", DataTable)
        assert events.get_row_at(0)[1] == "受理申请"
        archive = app.screen.query_one("#archive", DataTable)
        assert any(archive.get_row_at(i)[5] == "用电登记表" for i in range(archive.row_count))


async def test_collect_a_deferred_document(demo_db: Path, clock) -> None:  # noqa: ANN001
    row = _one(
        demo_db,
        clock,
        "SELECT d.uuid AS doc, d.application FROM documents d JOIN applications a ON a.uuid = d.application"
        " WHERE d.status = 'deferred' AND a.status = 'open' LIMIT 1",
    )[0]
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, row["application"], ("刘强", "4444"))
        docs = app.screen.query_one("#docs", DataTable)
        docs.focus()
        docs.move_cursor(row=docs.get_row_index(row["doc"]))
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, CollectDialog)
        await pilot.click("#ok")
        await settle(app, pilot)
        assert "已补收" in text_of(app, "#app-message")
    collected = _one(
        demo_db,
        clock,
        "SELECT d.status, o.name FROM documents d JOIN operators o ON o.uuid = d.collected_by WHERE d.uuid = ?",
        (row["doc"],),
    )[0]
    assert collected == {"status": "collected", "name": "刘强"}


async def test_next_stage_refused_until_head_overrides(demo_db: Path, clock) -> None:  # noqa: ANN001
    application = _one(
        demo_db,
        clock,
        "SELECT a.uuid FROM applications a WHERE a.status = 'open' AND a.current_stage = 1 AND NOT EXISTS"
        " (SELECT 1 FROM documents d WHERE d.application = a.uuid AND d.status = 'deferred') LIMIT 1",
    )[0]["uuid"]
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
        assert (
            _one(demo_db, clock, "SELECT current_stage FROM applications WHERE uuid = ?", (application,))[0][
                "current_stage"
            ]
            == 1
        )
        await pilot.press("n")
        await settle(app, pilot)
        assert isinstance(app.screen, OverrideDialog)
        app.screen.query_one("#pin", Input).value = "1111"
        app.screen.query_one("#reason", Input).value = "客户急需，登记表次日补归档"
        await pilot.click("#ok")
        await settle(app, pilot)
        assert "已进入下一环节（站长授权）" in text_of(app, "#app-message")
    event = _one(
        demo_db,
        clock,
        "SELECT payload, operator FROM events WHERE application = ? AND type = 'stage.advanced'",
        (application,),
    )[-1]
    override = json.loads(event["payload"])["override"]
    assert override["reason"] == "客户急需，登记表次日补归档" and "用电登记表" in override["missing"]
    assert _one(demo_db, clock, "SELECT name FROM operators WHERE uuid = ?", (override["head"],))[0]["name"] == "王建国"


async def test_filing_archive_items_lets_the_stage_close(demo_db: Path, clock) -> None:  # noqa: ANN001
    application = _one(
        demo_db,
        clock,
        "SELECT a.uuid FROM applications a WHERE a.status = 'open' AND a.current_stage = 1 AND a.voltage = 'low'"
        " AND NOT EXISTS (SELECT 1 FROM documents d WHERE d.application = a.uuid AND d.status = 'deferred') LIMIT 1",
    )[0]["uuid"]
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open(app, pilot, application)
        await pilot.click("#app-tabs Tab#--content-tab-tab-archive")
        await settle(app, pilot)
        table = app.screen.query_one("#archive", DataTable)
        table.focus()
        for wanted in ("用电登记表", "现场勘查单"):
            index = next(i for i in range(table.row_count) if table.get_row_at(i)[5] == wanted)
            table.move_cursor(row=index)
            await pilot.press("f")
            await settle(app, pilot)
            assert f"已归档：{wanted}" in text_of(app, "#app-message")
        await pilot.press("n")
        await settle(app, pilot)
        assert "已进入下一环节" in text_of(app, "#app-message")
        assert "（站长授权）" not in text_of(app, "#app-message")


async def test_pause_resume_terminate_and_inspection(demo_db: Path, clock) -> None:  # noqa: ANN001
    application = _one(demo_db, clock, "SELECT uuid FROM applications WHERE status = 'open' LIMIT 1")[0]["uuid"]
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
        assert "【办理中】" in text_of(app, "#app-header")
        await pilot.press("t")
        await settle(app, pilot)
        await pilot.press("enter")  # empty reason: refused in the dialog
        await settle(app, pilot)
        assert isinstance(app.screen, ReasonDialog)
        await pilot.press(*"客户撤回申请", "enter")
        await settle(app, pilot)
        assert "【已终止】" in text_of(app, "#app-header") and "客户撤回申请" in text_of(app, "#app-header")
    types = [
        r["type"]
        for r in _one(demo_db, clock, "SELECT type FROM events WHERE application = ? ORDER BY seq", (application,))
    ]
    assert types[-4:] == ["inspection.recorded", "application.paused", "application.resumed", "application.terminated"]
    defects = _one(
        demo_db, clock, "SELECT text FROM inspection_defects WHERE application = ? ORDER BY position", (application,)
    )
    assert [d["text"] for d in defects] == ["接地电阻不合格", "计量箱未加封"]
