"""Due dates on the station's calendar (the rule is domain.deadlines'), and how a day is named on the status line."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from station_tui.domain.deadlines import Pause, due_date, pause_days
from station_tui.domain.workdays import Due, WorkCalendar
from station_tui.services.station import Station


def receipt_next_workday(station: Station, profile_id: str | None) -> bool:
    """受理顺延 as the application's own profile (the one it was accepted under) sets it."""
    loaded = station.profiles.get(profile_id or "")
    profile = loaded.profile if loaded is not None else station.profile
    return profile.rest_day_receipt_next_workday


def application_due(station: Station, app: dict, pauses: Iterable[Pause] = (), cal: WorkCalendar | None = None) -> Due:
    """An application's due date from its acceptance, its limit as stored with it, and its finished pauses."""
    return due_date(
        cal or station.calendar,
        date.fromisoformat(app["accepted_date"]),
        app["limit_days"],
        app["limit_unit"],
        receipt_next_workday=receipt_next_workday(station, app["profile"]),
        pauses=pauses,
    )


def finished_pauses(station: Station, application: str) -> list[Pause]:
    """The application's finished pauses, as days."""
    rows = station.store.conn.execute(
        "SELECT started_at, ended_at FROM pauses WHERE application = ? ORDER BY started_at", (application,)
    )
    return pause_days(rows)


def open_pauses(station: Station) -> dict[str, list[Pause]]:
    """The finished pauses of every open or paused application, as days, by application."""
    pauses: dict[str, list[Pause]] = defaultdict(list)
    for application, started, ended in station.store.conn.execute(
        "SELECT p.application, p.started_at, p.ended_at FROM pauses p JOIN applications a ON a.uuid = p.application"
        " WHERE a.status IN ('open', 'paused') AND p.ended_at IS NOT NULL"
    ):
        pauses[application] += pause_days([(started, ended)])
    return pauses


def day_label(station: Station, day: date) -> str:
    info = station.calendar.day_info(day)
    label = info.kind.label if info.festival is None else f"{info.festival}·{info.kind.label}"
    return f"{label}（估算）" if info.estimated else label
