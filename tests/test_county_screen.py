"""The county screen with Textual's Pilot: the stations with their freshness (a silent one marked red), the month's
indicators with the county's row, months switched with [ ], and Enter opening a station's overdue applications."""

from __future__ import annotations

import json
from pathlib import Path

from textual.widgets import DataTable, Static

from screens.county import INDICATOR_COLUMNS, SILENT_STYLE, CountyApp, StationApplicationsScreen
from screens.indicators import SHARES
from station_tui.county.load import load_folders
from station_tui.county.target import open_target
from tests.county_helpers import Stations, stations  # noqa: F401 - fixture


async def settle(app: CountyApp, pilot) -> None:  # noqa: ANN001
    await app.workers.wait_for_complete()
    await pilot.pause()


async def test_the_county_screen(stations: Stations, tmp_path: Path) -> None:
    old = stations.copy(stations.others[1], tmp_path / "in")
    manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
    manifest["written_at"] = "2020-01-01T22:00:00+08:00"  # C3 has not exported since: silent
    (old / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    into = str(tmp_path / "county.db")
    db = open_target(into)
    load_folders(db, [stations.nights[3], stations.others[0], old])
    db.close()

    app = CountyApp(into)
    async with app.run_test(size=(140, 50)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one("#county-stations", DataTable)
        assert [table.get_row_at(i)[0].plain for i in range(table.row_count)] == ["0371", "B2", "C3"]
        c3 = table.get_row_at(2)
        assert c3[4].plain == "失联" and c3[0].style == SILENT_STYLE
        assert table.get_row_at(0)[4].plain == "正常"
        indicators = app.screen.query_one("#county-indicators", DataTable)
        assert indicators.row_count > 0
        assert "全县" in [indicators.get_row_at(i)[0].plain for i in range(indicators.row_count)]
        rows = [[cell.plain for cell in indicators.get_row_at(i)] for i in range(indicators.row_count)]
        # Shares as percentages whatever their value (all on time is 100.0%, not 1.0), working days as numbers.
        names = [name for name, _ in INDICATOR_COLUMNS]
        shares, days = [i for i, name in enumerate(names) if name in SHARES], names.index("avg_workdays")
        assert shares == [5, 8, 9, 10]
        assert all(row[c] == "—" or row[c].endswith("%") for row in rows for c in shares), rows
        assert any(row[c] in ("100.0%", "0.0%") for row in rows for c in shares)
        assert not any(row[days].endswith("%") for row in rows)
        month = app.screen.data.month
        await pilot.press("left_square_bracket")
        await settle(app, pilot)
        assert app.screen.data.month < month
        assert str(app.screen.query_one("#county-month", Static).render()).count(app.screen.data.month) == 1
        await pilot.press("enter")  # the cursor is on 0371
        await settle(app, pilot)
        assert isinstance(app.screen, StationApplicationsScreen)
        detail = app.screen.query_one(DataTable)
        assert all(detail.get_row_at(i)[0].startswith("0371-") for i in range(detail.row_count))
        assert "0371：超期" in str(app.screen.query_one("#station-title", Static).render())
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, StationApplicationsScreen)
