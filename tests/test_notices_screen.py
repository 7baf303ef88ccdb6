"""The 告知书 area driven as a clerk does: find an application, issue and preview, print (a fake `lp` on PATH), reprint."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from test_notices_printing import fake_lp
from textual.widgets import DataTable

from pilot_helpers import SIZE, login, settle, text_of
from station_tui.app import StationApp
from station_tui.services.applications import list_applications
from station_tui.services.station import Station
from station_tui.store import Store

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fake lp is a shell script")


def _open_application(db: Path, clock) -> str:  # noqa: ANN001
    """The number of the first application in progress (办理中), as the application list shows it."""
    with Store(db, clock=clock) as store:
        listed = list_applications(Station.open(store), open_only=True)
    return min(a.number for a in listed if a.status_zh == "办理中")


async def _find(app: StationApp, pilot, number: str) -> None:  # noqa: ANN001
    """Log in, open 告知书 (F4) and find the application by its number, typed as a clerk types it."""
    await login(app, pilot, "李秀英", "2222")
    await pilot.press("f4")
    await settle(app, pilot)
    await pilot.press(*number.lower(), "enter")
    await settle(app, pilot)


async def test_issue_preview_print_and_reprint(demo_db: Path, clock, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    log = fake_lp(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    number = _open_application(demo_db, clock)
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _find(app, pilot, number)
        assert number in text_of(app, "#notices-found")

        await pilot.press("a")
        await settle(app, pilot)
        assert "尚未出具" in text_of(app, "#preview-title")
        preview = text_of(app, "#preview-text")
        assert f"申请编号：{number}" in preview and "（出具时编号）" in preview
        assert not log.exists()  # previewing prints nothing and issues nothing

        await pilot.press("p")
        await settle(app, pilot)
        title = text_of(app, "#preview-title")
        assert "受理告知书 第 DEMO-2026-01-00001 号" in title
        printed = log.read_text(encoding="utf-8").splitlines()
        assert printed[-1].endswith("DEMO-2026-01-00001.pdf") and Path(printed[-1]).read_bytes().startswith(b"%PDF")
        assert "已送打印机" in text_of(app, "#preview-result")

        await pilot.press("escape")
        await settle(app, pilot)
        table = app.screen.query_one("#notices-table", DataTable)
        assert table.row_count == 1
        assert table.get_row_at(0)[0] == "DEMO-2026-01-00001"

        await pilot.press("v")  # the issued one: printing again is a 补打
        await settle(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        assert "已补打 1 次" in text_of(app, "#preview-title")
        assert "补打（第 1 次）" in text_of(app, "#preview-text")
        assert log.read_text(encoding="utf-8").splitlines()[-1].endswith("DEMO-2026-01-00001-补打1.pdf")


async def test_failed_print_is_said_and_the_notice_stays_issued(
    demo_db: Path, clock, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    fake_lp(tmp_path / "bin", exit_code=1, say="lp: printer Office is out of paper")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    number = _open_application(demo_db, clock)
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await pilot.press("f4")
        await settle(app, pilot)
        await pilot.press(*number, "enter")
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("p")
        await settle(app, pilot)
        assert "打印失败：lp: printer Office is out of paper" in text_of(app, "#preview-result")
        assert "第 DEMO-2026-01-00001 号" in text_of(app, "#preview-title")


async def test_unknown_number_keeps_what_was_typed(demo_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await pilot.press("f4")
        await settle(app, pilot)
        await pilot.press(*"ZX99", "enter")
        await settle(app, pilot)
        assert text_of(app, "#notices-found") == "没有编号为 ZX99 的申请"
        assert app.screen.query_one("#notices-number").value == "ZX99"


async def test_printing_a_notice_just_saved_as_pdf_is_no_reprint(
    demo_db: Path, clock, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    log = fake_lp(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    number = _open_application(demo_db, clock)
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _find(app, pilot, number)
        await pilot.press("a")
        await settle(app, pilot)
        await pilot.press("s")  # issued as a PDF file
        await settle(app, pilot)
        await pilot.press("p")  # and its paper copy: the first of that medium
        await settle(app, pilot)
        assert "已补打" not in text_of(app, "#preview-title")
        assert log.read_text(encoding="utf-8").splitlines()[-1].endswith("DEMO-2026-01-00001.pdf")
        await pilot.press("p")  # a second paper copy is a 补打
        await settle(app, pilot)
        assert "已补打 1 次" in text_of(app, "#preview-title")
