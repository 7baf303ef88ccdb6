"""An application's life after intake: deferred documents, stages, pauses, termination, connection, closing."""

from __future__ import annotations

import uuid
from datetime import datetime

from station_tui.domain.errors import StationError
from station_tui.domain.timeutil import from_iso, local_date
from station_tui.services.calendar import calendar
from station_tui.services.station import Station


def _application(station: Station, application: str) -> dict:
    rows = station.store.rows("SELECT * FROM applications WHERE uuid = ?", (application,))
    if not rows:
        raise StationError("没有这件申请")
    return rows[0]


def _require_status(app: dict, *allowed: str) -> None:
    if app["status"] not in allowed:
        raise StationError(f"申请 {app['number']} 当前状态不允许此操作")


def collect_document(
    station: Station, document: str, *, form: str, copy_kind: str, operator: str, at: datetime | None = None
) -> None:
    row = station.store.rows("SELECT application, status, name FROM documents WHERE uuid = ?", (document,))
    if not row or row[0]["status"] != "deferred":
        raise StationError("这份资料不是待收的容缺资料")
    station.store.record(
        "document.collected",
        {"document": document, "form": form, "copy_kind": copy_kind},
        application=row[0]["application"],
        operator=operator,
        simulated_at=at,
    )


def advance_stage(station: Station, application: str, *, operator: str, at: datetime | None = None) -> int:
    """Finish the current stage and start the next; the last stage ends with `connect`."""
    app = _application(station, application)
    _require_status(app, "open")
    stages = station.store.one("SELECT count(*) FROM stages WHERE application = ?", (application,))
    current = app["current_stage"]
    if current >= stages:
        raise StationError("已是最后一个环节：请用「装表送电」完成")
    station.store.record(
        "stage.advanced",
        {"from_position": current, "to_position": current + 1},
        application=application,
        operator=operator,
        simulated_at=at,
    )
    return current + 1


def pause(station: Station, application: str, *, reason: str, operator: str, at: datetime | None = None) -> None:
    """Time waiting on the customer does not count against the utility's limit."""
    if not reason.strip():
        raise StationError("请写明暂停原因")
    _require_status(_application(station, application), "open")
    station.store.record(
        "application.paused",
        {"pause": str(uuid.uuid4()), "reason": reason.strip()},
        application=application,
        operator=operator,
        simulated_at=at,
    )


def resume(station: Station, application: str, *, operator: str, at: datetime | None = None) -> str:
    """End the pause and move the due date by the working days it lasted. Returns the new due date."""
    store = station.store
    with store.transaction():
        app = _application(station, application)
        _require_status(app, "paused")
        pause_id, started = store.rows(
            "SELECT uuid, started_at FROM pauses WHERE application = ? AND ended_at IS NULL", (application,)
        )[0].values()
        now = at or store.clock()
        cal = calendar(station)
        paused = cal.workdays_between(local_date(from_iso(started)), local_date(now))
        old_due = datetime.fromisoformat(app["due_date"]).date()
        new_due = cal.add_workdays(old_due, paused) if paused else old_due
        store.record(
            "application.resumed",
            {
                "pause": pause_id,
                "paused_workdays": paused,
                "due_date": new_due.isoformat(),
                "due_estimated": bool(app["due_estimated"]) or cal.is_estimated(new_due),
            },
            application=application,
            operator=operator,
            simulated_at=at,
        )
    return new_due.isoformat()


def terminate(station: Station, application: str, *, reason: str, operator: str, at: datetime | None = None) -> None:
    if not reason.strip():
        raise StationError("请写明终止原因")
    _require_status(_application(station, application), "open", "paused")
    station.store.record(
        "application.terminated",
        {"reason": reason.strip()},
        application=application,
        operator=operator,
        simulated_at=at,
    )


def connect(station: Station, application: str, *, operator: str, at: datetime | None = None) -> None:
    """装表送电: the last stage ends and the clock stops."""
    app = _application(station, application)
    _require_status(app, "open")
    waiting = station.store.one(
        "SELECT count(*) FROM documents WHERE application = ? AND status = 'deferred'", (application,)
    )
    if waiting:
        raise StationError(f"还有 {waiting} 份容缺资料未收齐，不能送电")
    station.store.record("application.connected", {}, application=application, operator=operator, simulated_at=at)


def close(station: Station, application: str, *, operator: str, at: datetime | None = None) -> None:
    _require_status(_application(station, application), "connected", "terminated")
    station.store.record("application.closed", {}, application=application, operator=operator, simulated_at=at)
