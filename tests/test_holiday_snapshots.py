"""Snapshots of the countdown and holiday screens on fixed demo data, a fixed clock and a fixed terminal size."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from pilot_helpers import SIZE, login, settle
from station_tui.app import StationApp


async def _steady(app: StationApp, pilot) -> None:  # noqa: ANN001
    """No blinking cursor and no passing notification (other areas' timers may post one) in the picture."""
    await settle(app, pilot)
    for field in app.screen.query(Input):
        field.cursor_blink = False
    app.clear_notifications()
    await pilot.pause()


def _app_at(demo_db: Path, clock, *keys: str):  # noqa: ANN001, ANN202
    app = StationApp(demo_db, clock=clock)

    async def run_before(pilot) -> None:  # noqa: ANN001
        await login(app, pilot, "王建国", "1111")
        app.clear_notifications()  # the greeting, before a dialog opens over it
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        await _steady(app, pilot)

    return app, run_before


class TestCountdownSnapshots:
    def test_countdown_screen(self, snap_compare, demo_db: Path, clock) -> None:  # noqa: ANN001
        app, run_before = _app_at(demo_db, clock, "f3")
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_pause_dialog(self, snap_compare, demo_db: Path, clock) -> None:  # noqa: ANN001
        app, run_before = _app_at(demo_db, clock, "f3", "p")
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


class TestHolidaySnapshots:
    def test_holiday_screen_this_year(self, snap_compare, demo_db: Path, clock) -> None:  # noqa: ANN001
        app, run_before = _app_at(demo_db, clock, "f5")
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_holiday_screen_estimated_year(self, snap_compare, demo_db: Path, clock) -> None:  # noqa: ANN001
        app, run_before = _app_at(demo_db, clock, "f5", "right")
        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)

    def test_entry_refused_with_every_problem(self, snap_compare, demo_db: Path, clock) -> None:  # noqa: ANN001
        app = StationApp(demo_db, clock=clock)

        async def run_before(pilot) -> None:  # noqa: ANN001
            await login(app, pilot, "王建国", "1111")
            app.clear_notifications()
            for key in ("f5", "right", "e"):
                await pilot.press(key)
                await settle(app, pilot)
            for field, text in (("f-name", "元旦"), ("f-first", "2027-01-01"), ("f-last", "2027-01-03")):
                app.screen.query_one(f"#{field}", Input).value = text
            app.screen.query_one("#f-makeup", Input).value = "2027-01-06 2028-01-08"
            await pilot.click("#add")
            app.screen.query_one("#pin", Input).value = "1111"
            await pilot.click("#save")
            await settle(app, pilot)
            await _steady(app, pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=run_before)
