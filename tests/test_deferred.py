"""容缺待收 as a service: one row per application, collected by the end of the site survey, overdue first."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from station_tui.services.deferred import deferred_rows
from station_tui.services.station import Station
from station_tui.store import Store


def test_one_row_per_application_overdue_first_never_later_than_the_due_date(demo_db: Path, clock) -> None:  # noqa: ANN001
    with Store(demo_db, clock=clock) as store:
        station = Station.open(store)
        rows = deferred_rows(station)
        due = {
            r["uuid"]: date.fromisoformat(r["due_date"]) for r in store.rows("SELECT uuid, due_date FROM applications")
        }
    assert rows and len({r.application for r in rows}) == len(rows)
    assert all(r.collect_by <= due[r.application] for r in rows)
    assert [r.overdue for r in rows] == sorted((r.overdue for r in rows), reverse=True)
    assert all(r.overdue == (r.collect_by < date(2026, 11, 23)) for r in rows)
