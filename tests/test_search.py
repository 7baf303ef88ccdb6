"""Search as the clerk types: which kind each query is, the rows found, and the screen updating while typing."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable

from pilot_helpers import SIZE, login, settle, text_of
from station_tui.app import StationApp
from station_tui.screens.application import ApplicationScreen
from station_tui.screens.search import SearchScreen
from station_tui.services.search import plan, search
from station_tui.services.station import Station
from station_tui.store import Store


@pytest.mark.parametrize(
    ("query", "kinds"),
    [
        ("DEMO-20261123", ["number"]),
        ("demo-2026 1123-01", ["number"]),
        ("1234", ["id_tail"]),
        ("12345x", ["id_tail"]),
        ("A1B2", ["id_tail"]),
        ("138 3712", ["phone"]),
        ("0371-12345678", ["phone"]),
        ("411302198503120024", ["id_whole"]),
        ("91411302MA0000001H", ["id_whole"]),
        ("张伟", ["text"]),
        ("北关街18号", ["text"]),
        ("abc", ["text"]),
        ("   ", []),
        ("12", []),
    ],
)
def test_plan_chooses_the_kind_from_the_shape(query: str, kinds: list[str]) -> None:
    assert [kind for kind, _where, _params in plan(query)] == kinds


def test_each_kind_finds_the_application(demo_db: Path, clock) -> None:  # noqa: ANN001
    with Store(demo_db, clock=clock) as store:
        station = Station.open(store)
        row = store.rows(
            "SELECT uuid, number, customer_name, phone, id_number, address FROM applications"
            " WHERE id_type = '居民身份证' LIMIT 1"
        )[0]
        queries = [
            row["number"],
            row["number"][:-2].lower(),
            row["customer_name"],
            row["customer_name"][1:],  # a fragment, not only the start
            row["phone"],
            row["id_number"],
            row["id_number"][-4:],
            row["id_number"][-6:].lower(),
            row["address"][2:6],
        ]
        for query in queries:
            found = search(station, query)
            assert row["uuid"] in [hit.uuid for hit in found.hits], query
            assert len(found.hits) <= 50
        assert search(station, "%").hits == [] or all(
            "%" in h.customer_name + h.address for h in search(station, "%").hits
        )
        hit = search(station, row["id_number"]).hits[0]
        assert "*" in hit.id_masked and hit.id_masked != row["id_number"]


async def test_results_update_while_typing_and_open_the_application(demo_db: Path, clock) -> None:  # noqa: ANN001
    with Store(demo_db, clock=clock) as store:
        row = store.rows("SELECT uuid, number, phone FROM applications WHERE phone LIKE '1%' LIMIT 1")[0]
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await pilot.press("f2")
        await settle(app, pilot)
        await pilot.press("f8")
        await settle(app, pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*row["phone"][:7])
        await settle(app, pilot)
        assert "按电话查找" in text_of(app, "#search-status")
        await pilot.press(*row["phone"][7:])
        await settle(app, pilot)
        table = app.screen.query_one("#results", DataTable)
        numbers = [table.get_row_at(i)[0] for i in range(table.row_count)]
        assert row["number"] in numbers
        await pilot.press("down")
        table.move_cursor(row=numbers.index(row["number"]))
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ApplicationScreen) and app.screen.application_uuid == row["uuid"]
        assert row["number"] in text_of(app, "#app-header")
