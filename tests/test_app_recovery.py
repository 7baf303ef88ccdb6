"""The app on a damaged or empty database file: it offers what can be done, in Chinese, and writes nothing without
the person's yes."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

from textual.widgets import Static

from pilot_helpers import SIZE, settle
from station_tui.app import StationApp
from station_tui.screens.dialogs import ConfirmDialog
from station_tui.screens.login import LoginScreen
from station_tui.screens.setup import SetupScreen
from station_tui.store.check import check


def _damage(path: Path) -> None:
    data = bytearray(path.read_bytes())
    rng = random.Random(11)
    for _ in range(3):
        at = rng.randrange(4096, len(data) - 4096)
        data[at : at + 4096] = rng.randbytes(4096)
    path.write_bytes(bytes(data))


async def test_a_damaged_file_is_recovered_into_a_new_file_and_opened(demo_db: Path, clock) -> None:  # noqa: ANN001
    shutil.copy(demo_db, demo_db.with_name("station.backup-20261122-220000-000000.db"))
    _damage(demo_db)
    damaged = demo_db.read_bytes()
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        text = str(app.screen.query_one(Static).render())
        assert "已损坏" in text and "恢复" in text and "原文件不会被改动" in text
        await pilot.click("#yes")
        await settle(app, pilot)
        assert isinstance(app.screen, LoginScreen)
        recovered = list(demo_db.parent.glob("station-恢复-*.db"))
        assert len(recovered) == 1 and app.db_path == recovered[0]
    assert demo_db.read_bytes() == damaged
    assert check(recovered[0]).ok


async def test_a_damaged_file_left_alone_when_the_person_says_no(demo_db: Path, clock) -> None:  # noqa: ANN001
    _damage(demo_db)
    before = sorted(p.name for p in demo_db.parent.iterdir())
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.click("#no")
        await settle(app, pilot)
    assert app.return_code == 1
    assert sorted(p.name for p in demo_db.parent.iterdir()) == before


async def test_an_empty_file_becomes_a_station_only_after_a_yes(tmp_path: Path, clock) -> None:  # noqa: ANN001
    path = tmp_path / "station.db"
    path.write_bytes(b"")
    app = StationApp(path, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert path.stat().st_size == 0
        await pilot.click("#yes")
        await settle(app, pilot)
        assert isinstance(app.screen, SetupScreen)
    assert path.stat().st_size > 0
