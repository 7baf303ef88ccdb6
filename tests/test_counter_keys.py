"""Keys act only on what the clerk sees, and ask before they record (issue 12)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import DataTable

from pilot_helpers import SIZE, login, settle, text_of
from station_tui.app import StationApp
from station_tui.screens.application import ApplicationScreen
from station_tui.screens.dialogs import ConfirmDialog
from station_tui.store import Store


def _rows(db: Path, clock, sql: str, params: tuple = ()) -> list[dict]:  # noqa: ANN001
    with Store(db, clock=clock) as store:
        return store.rows(sql, params)


def _filings(db: Path, clock, application: str) -> int:  # noqa: ANN001
    sql = "SELECT count(*) AS n FROM events WHERE application = ? AND type LIKE '%archive%'"
    return _rows(db, clock, sql, (application,))[0]["n"]


async def test_filing_acts_only_on_the_visible_archive_tab_and_asks(demo_db: Path, clock) -> None:  # noqa: ANN001
    application = _rows(demo_db, clock, "SELECT uuid FROM applications WHERE status = 'open' LIMIT 1")[0]["uuid"]
    before = _filings(demo_db, clock, application)
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        app.push_screen(ApplicationScreen(application))
        await settle(app, pilot)
        app.screen.query_one("#docs", DataTable).focus()
        await pilot.press("f")  # 资料 is showing: the hidden 归档清单's selected row is not filed
        await settle(app, pilot)
        assert isinstance(app.screen, ApplicationScreen) and "归档" not in text_of(app, "#app-message")
        await pilot.click("#app-tabs Tab#--content-tab-tab-archive")
        await settle(app, pilot)
        app.screen.query_one("#archive", DataTable).focus()
        await pilot.press("f")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog) and "归档登记" in text_of(app, "#confirm-text")
        await pilot.press("enter")  # the default answer files nothing
        await settle(app, pilot)
    assert _filings(demo_db, clock, application) == before


async def test_f3_opens_on_the_list_and_enter_opens_the_application(demo_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await pilot.press("f3")
        await settle(app, pilot)
        table = app.screen.query_one("#countdown-table", DataTable)
        assert table.has_focus
        assert [str(c.label) for c in table.ordered_columns][:2] == ["剩余", "状态"]  # first: never cut off at 80
        kind = [str(c.label) for c in table.ordered_columns].index("业务类型")
        cells = [str(table.get_row_at(i)[kind]) for i in range(table.row_count)]
        cut = [c for c in cells if c.endswith("…")]
        assert cut and all(c[:-1] and not c[:-1].endswith("…") for c in cut)  # a cut value says it is cut
        await pilot.press("pagedown")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ApplicationScreen)


async def test_deferred_documents_are_a_list_to_work_from(demo_db: Path, clock) -> None:  # noqa: ANN001
    from station_tui.screens.deferred import DeferredScreen

    waiting = _rows(
        demo_db,
        clock,
        "SELECT a.uuid, count(*) AS documents FROM documents d JOIN applications a ON a.uuid = d.application"
        " WHERE d.status = 'deferred' AND a.status IN ('open', 'paused') GROUP BY a.uuid",
    )
    assert waiting
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "刘强", "4444")
        assert text_of(app, "#value-deferred_waiting") == str(len(waiting))  # applications, not documents
        await pilot.press("d")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, DeferredScreen)
        table = screen.query_one("#deferred-table", DataTable)
        assert table.row_count == len(waiting)
        flags = [row.overdue for row in screen.shown]
        assert flags == sorted(flags, reverse=True)  # overdue first
        first = screen.shown[0]
        assert first.collector == "刘强" and first.stage == "现场勘查" and first.documents
        assert str(table.get_row_at(0)[4]) == first.phone  # the customer manager can call the customer
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ApplicationScreen) and app.screen.application_uuid == first.application


async def test_the_application_screen_pairs_stage_names_and_explains_the_star(demo_db: Path, clock) -> None:  # noqa: ANN001
    application = _rows(
        demo_db, clock, "SELECT uuid FROM applications WHERE status = 'open' AND simulated = 1 LIMIT 1"
    )[0]["uuid"]
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        app.push_screen(ApplicationScreen(application))
        await settle(app, pilot)
        archive = app.screen.query_one("#archive", DataTable)
        stages = {str(archive.get_row_at(i)[4]) for i in range(archive.row_count)}
        assert "受理申请及供电方案答复（用电申请）" in stages  # the 附件2 name with the stage it closes with
        events = app.screen.query_one("#events", DataTable)
        assert str(events.get_row_at(0)[0]).endswith("*")
        assert "带 * 的记录是补录的" in text_of(app, "#events-note")


async def test_textual_s_own_words_are_chinese(demo_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await pilot.press("f2")
        await settle(app, pilot)
        await pilot.press("enter")  # the business-type drop-down opens
        await settle(app, pilot)
        shown = {b.binding.description for b in app.screen.active_bindings.values() if b.binding.show}
        assert "收起列表" in shown and "Dismiss menu" not in shown
        await pilot.press("escape", "ctrl+c")
        await settle(app, pilot)
        messages = [n.message for n in app._notifications]
        assert "退出程序请按 Ctrl+Q" in messages and not any("quit" in m for m in messages)


def _screen_rows(app: StationApp) -> list[str]:
    """The terminal's rows as a person reads them (from Textual's own screenshot)."""
    import html
    import re

    svg = app.export_screenshot()
    rows: dict[float, list[str]] = {}
    for y, text in re.findall(r'<text[^>]*y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        rows.setdefault(float(y), []).append(html.unescape(re.sub(r"<[^>]+>", "", text)))
    return ["".join(parts).replace("\xa0", " ") for _y, parts in sorted(rows.items())]


async def test_at_80_columns_the_status_line_keeps_the_day_and_every_warning_whole(demo_db: Path, clock) -> None:  # noqa: ANN001
    from station_tui.services.dashboard import status_warnings
    from station_tui.services.station import Station

    with Store(demo_db, clock=clock) as store:
        warnings = status_warnings(Station.open(store))
    assert warnings
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await login(app, pilot, "李秀英", "2222")
        for key in ("f1", "f3", "f5"):
            await pilot.press(key)
            await settle(app, pilot)
            rows = _screen_rows(app)
            assert any("2026-11-23 星期一 工作日" in row for row in rows[-4:])
            bottom = "".join(row.strip() for row in rows[-4:])
            assert all(warning.replace(" ", "") in bottom.replace(" ", "") for warning in warnings)
