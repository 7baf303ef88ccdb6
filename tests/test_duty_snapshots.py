"""The duty screens of issue 16 at 120×40 and at 80×24, on data recorded through the services on fixed dates
(duty_helpers) and the fixture's fixed clock: 指标 with its charts, 回访 and a refused call, 配套工程 of an
application, 终止审核."""

from __future__ import annotations

import pytest
from duty_helpers import fill_duties

from pilot_helpers import keys_after_login
from station_tui.app import StationApp
from station_tui.services.station import Station

SIZES = {"wide": (120, 40), "small": (80, 24)}
SCREENS = {
    "indicators": ("f12",),
    "followups": ("f1", "c"),
    "call_refused": ("f1", "c", "enter", "enter", "down", "enter", "ctrl+s"),
    "works": ("f8", *"戊农资店", "down", "enter", "w"),
    "terminations": ("f1", "t"),
}


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("screen", list(SCREENS))
def test_duty_screen(snap_compare, station: Station, clock, screen: str, size: str) -> None:  # noqa: ANN001
    app = StationApp(fill_duties(station).path, clock=clock)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=keys_after_login(app, *SCREENS[screen]))
