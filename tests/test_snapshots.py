"""Snapshots of the foundation's screens on fixed demo data, a fixed clock and a fixed terminal size."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from pilot_helpers import SIZE, login, settle
from station_tui.app import StationApp


class TestShellSnapshots:
    def test_login_screen(self, snap_compare, demo_db: Path, clock) -> None:  # noqa: ANN001
        app = StationApp(demo_db, clock=clock)

        async def ready(pilot) -> None:  # noqa: ANN001
            await settle(app, pilot)

        assert snap_compare(app, terminal_size=SIZE, run_before=ready)

    def test_home_screen(self, snap_compare, demo_db: Path, clock) -> None:  # noqa: ANN001
        app = StationApp(demo_db, clock=clock)

        async def logged_in(pilot) -> None:  # noqa: ANN001
            await login(app, pilot, "李秀英", "2222")
            await settle(app, pilot)  # the greeting and the export schedule's notice (no outbox set) have come
            app.clear_notifications()
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=logged_in)

    def test_first_run_setup_screen(self, snap_compare, db_path: Path, clock) -> None:  # noqa: ANN001
        app = StationApp(db_path, clock=clock)

        async def ready(pilot) -> None:  # noqa: ANN001
            await settle(app, pilot)
            for field in app.screen.query(Input):
                field.cursor_blink = False  # the cursor's blink phase made this picture differ from run to run
            await pilot.pause()

        assert snap_compare(app, terminal_size=SIZE, run_before=ready)
