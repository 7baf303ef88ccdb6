"""The home screen's numbers and the status line's warnings."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from station_tui.domain.timeutil import from_iso, local_date
from station_tui.services.station import Station


@dataclass(frozen=True)
class HomeNumbers:
    today: date
    accepted_today: int
    due_today: int
    overdue: int
    deferred_waiting: int
    open_total: int
    last_export: datetime | None
    laptop: bool = False  # a customer manager's laptop: it never exports (its work reaches the county via checkin)


def home_numbers(station: Station, today: date | None = None) -> HomeNumbers:
    store = station.store
    today = today or local_date(store.clock())
    day = today.isoformat()
    accepted_today = store.one(
        "SELECT count(*) FROM applications WHERE accepted_date = ? AND intake_mode != 'refused'", (day,)
    )
    # Each count is one index range on (status, due_date).
    due_today = store.one("SELECT count(*) FROM applications WHERE status = 'open' AND due_date = ?", (day,))
    overdue = store.one("SELECT count(*) FROM applications WHERE status = 'open' AND due_date < ?", (day,))
    open_total = store.one("SELECT count(*) FROM applications WHERE status IN ('open', 'paused')")
    # Applications still waiting for a deferred document (a clerk works by application, not by sheet of paper).
    deferred = store.one(
        "SELECT count(DISTINCT d.application) FROM documents d JOIN applications a ON a.uuid = d.application"
        " WHERE d.status = 'deferred' AND a.status IN ('open', 'paused')"
    )
    last = store.one("SELECT max(finished_at) FROM exports")
    from station_tui.services.field import is_laptop

    return HomeNumbers(
        today,
        accepted_today,
        due_today,
        overdue,
        deferred,
        open_total,
        from_iso(last) if last else None,
        is_laptop(station),
    )


def status_warnings(station: Station) -> list[str]:
    """What the status line must say: the clock, the holiday data, the export."""
    store = station.store
    warnings = []
    behind = store.clock_behind()
    if behind:
        warnings.append(f"系统时间早于最近记录（{behind[1]:%Y-%m-%d %H:%M}）")
    from station_tui.services.field import laptop_clock_warning

    if laptop := laptop_clock_warning(store):
        warnings.append(laptop)
    now = store.clock()
    if station.initialized:
        from station_tui.services.schedule import export_due  # dateutil: imported off the start-up path

        due = export_due(station, now)
        if due.last_export is None and not due.laptop:  # a laptop never exports
            warnings.append("尚未导出")
        elif due.due:
            warnings.append("导出已逾期")
    estimated = store.one("SELECT count(*) FROM applications WHERE status IN ('open', 'paused') AND due_estimated = 1")
    if estimated:
        warnings.append(f"{estimated} 件的期限落在无官方节假日数据的年份（估算）")
    # The State Council publishes next year's schedule in October–December: remind the 站长 to enter it.
    today = local_date(now)
    if station.initialized and today.month >= 11 and not station.calendar.source(today.year + 1).official:
        warnings.append(f"{today.year + 1} 年节假日安排尚未录入（F5 节假日）")
    return warnings
