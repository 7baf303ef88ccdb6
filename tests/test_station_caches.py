"""The station's caches follow the database, whoever changes it: a holiday schedule imported by another process
(`station-tui holidays import`) while the app is open moves the app's countdown at its next refresh, no restart."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path

from holiday_helpers import accept_high_voltage
from textual.widgets import DataTable

from pilot_helpers import SIZE, login, settle
from station_tui.app import StationApp
from station_tui.domain.holiday_files import format_holiday_csv
from station_tui.domain.timeutil import CHINA_TZ
from station_tui.domain.workdays import WorkCalendar, YearSource
from station_tui.screens.countdown import COLUMNS, CountdownScreen
from station_tui.services import lifecycle
from station_tui.services.countdown import countdown
from station_tui.services.station import Station

D = date
ROOT = Path(__file__).resolve().parent.parent


def _in_design_review(station: Station) -> str:
    """A high-voltage application accepted on Monday 23 November 2026, now in 设计审查 (3 working days of its own)."""
    accepted_at = datetime(2026, 11, 23, 8, tzinfo=CHINA_TZ)
    application = accept_high_voltage(station, accepted_at)
    for minutes in (10, 20):
        at = accepted_at + timedelta(minutes=minutes)
        lifecycle.advance_stage(station, application, operator=station.head_id, at=at)
    return application


def _schedule_with_a_holiday_on_wednesday(tmp_path: Path) -> Path:
    """The official 2026 schedule, plus Wednesday 25 November as a holiday (as a local decision would add one)."""
    text = format_holiday_csv(WorkCalendar().schedule(2026)) + "2026-11-25,休,临时停电检修日\n"
    path = tmp_path / "2026-修订.csv"
    path.write_text(text, encoding="utf-8")
    return path


def _import_in_another_process(db: Path, file: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "station_tui", "holidays", "import", str(file), "--db", str(db)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=ROOT,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_station_left_open_sees_another_process_import_a_schedule(station: Station, tmp_path: Path) -> None:
    application = _in_design_review(station)
    before = next(r for r in countdown(station).rows if r.application == application)
    assert (before.stage, before.stage_due) == ("设计审查", D(2026, 11, 26))
    assert station.calendar.source(2026) is YearSource.CHINESE_CALENDAR

    output = _import_in_another_process(station.store.path, _schedule_with_a_holiday_on_wednesday(tmp_path))
    assert "期限变动的申请 1 件" in output

    # The same Station object, never reopened: its calendar follows the file.
    after = next(r for r in countdown(station).rows if r.application == application)
    assert station.calendar.source(2026) is YearSource.ENTERED
    assert after.stage_due == D(2026, 11, 27)  # 24, 26, 27: Wednesday is now a holiday
    assert after.due == before.due + timedelta(days=1)  # recomputed by the other process, read here


async def test_the_open_apps_countdown_moves_at_its_next_refresh(station: Station, clock, tmp_path: Path) -> None:  # noqa: ANN001
    application = _in_design_review(station)
    db = station.store.path
    station.store.close()
    app = StationApp(db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "王站长", "1234")
        await pilot.press("f3")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, CountdownScreen)
        table = screen.query_one("#countdown-table", DataTable)

        def shown() -> tuple[str, str]:
            cells = table.get_row(application)
            titles = [title for title, _width in COLUMNS]
            return str(cells[titles.index("全流程到期")]), str(cells[titles.index("环节到期")])

        whole, stage = shown()
        assert stage == "2026-11-26"

        _import_in_another_process(db, _schedule_with_a_holiday_on_wednesday(tmp_path))
        assert shown() == (whole, stage)  # nothing moves by itself between refreshes

        screen.action_refresh()  # what the screen's one-minute timer calls
        await settle(app, pilot)
        moved_whole, moved_stage = shown()
        assert moved_stage == "2026-11-27"
        assert moved_whole == (D.fromisoformat(whole[:10]) + timedelta(days=1)).isoformat()
        assert app.station.calendar.source(2026) is YearSource.ENTERED
