"""The current-state tables as a projection of the events.

`apply` runs in the same transaction as the event's insert; `rebuild` replays every event into an empty schema.
A handler reads only the event and the projection tables, never the clock or the calendar, so replaying the same
events always gives the same state: whatever a service computed (a due date, a number) travels in the payload.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable

from station_tui.store.events import Event

Handler = Callable[[sqlite3.Connection, Event], None]
_HANDLERS: dict[str, Handler] = {}


class ProjectionError(Exception):
    pass


def handles(*types: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        for type_ in types:
            _HANDLERS[type_] = handler
        return handler

    return register


def apply(conn: sqlite3.Connection, event: Event) -> None:
    handler = _HANDLERS.get(event.type)
    if handler is None:
        raise ProjectionError(f"未知的事件类型 {event.type}（事件 {event.uuid}）：请升级 station-tui。")
    handler(conn, event)


def apply_all(conn: sqlite3.Connection, events: Iterable[Event]) -> int:
    count = 0
    for event in events:
        apply(conn, event)
        count += 1
    return count


def known_event_types() -> set[str]:
    return set(_HANDLERS)


def _insert(conn: sqlite3.Connection, table: str, row: dict) -> None:
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))


def _update(conn: sqlite3.Connection, table: str, key: str, changes: dict) -> None:
    sets = ", ".join(f"{column} = ?" for column in changes)
    conn.execute(f"UPDATE {table} SET {sets} WHERE uuid = ?", (*changes.values(), key))


# --- station, settings, operators --------------------------------------------------------------------------------


@handles("station.initialized", "settings.changed")
def _settings(conn: sqlite3.Connection, event: Event) -> None:
    for key, value in event.payload["settings"].items():
        conn.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
            (key, json.dumps(value, ensure_ascii=False, sort_keys=True)),
        )


@handles("operator.created")
def _operator_created(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    _insert(
        conn,
        "operators",
        {
            "uuid": p["operator"],
            "device": event.device,
            "name": p["name"],
            "role": p["role"],
            "phone": p["phone"],
            "pin_salt": p["pin_salt"],
            "pin_hash": p["pin_hash"],
            "active": 1,
            "failed_logins": 0,
            "locked_until": None,
            "created_at": event.recorded_at,
        },
    )


@handles("operator.updated", "operator.pin_changed")
def _operator_changed(conn: sqlite3.Connection, event: Event) -> None:
    changes = {k: v for k, v in event.payload.items() if k != "operator"}
    _update(conn, "operators", event.payload["operator"], changes)


@handles("operator.login")
def _operator_login(conn: sqlite3.Connection, event: Event) -> None:
    _update(conn, "operators", event.payload["operator"], {"failed_logins": 0, "locked_until": None})


@handles("operator.login_failed")
def _operator_login_failed(conn: sqlite3.Connection, event: Event) -> None:
    conn.execute("UPDATE operators SET failed_logins = failed_logins + 1 WHERE uuid = ?", (event.payload["operator"],))


@handles("operator.locked")
def _operator_locked(conn: sqlite3.Connection, event: Event) -> None:
    _update(conn, "operators", event.payload["operator"], {"failed_logins": 0, "locked_until": event.payload["until"]})


# --- applications ------------------------------------------------------------------------------------------------


@handles("application.accepted")
def _accepted(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    app = dict(p["application"])
    app.update(
        uuid=event.application,
        device=event.device,
        status="open",
        current_stage=1,
        accepted_at=event.recorded_at,
        accepted_date=event.recorded_at[:10],
        simulated=int(event.simulated),
    )
    _insert(conn, "applications", app)
    for doc in p["documents"]:
        received = doc["status"] == "received"
        _insert(
            conn,
            "documents",
            {
                "device": event.device,
                "application": event.application,
                "received_at": event.recorded_at if received else None,
                **doc,
            },
        )
    for position, stage in enumerate(p["stages"], start=1):
        _insert(
            conn,
            "stages",
            {
                "uuid": stage["uuid"],
                "device": event.device,
                "application": event.application,
                "position": position,
                "name": stage["name"],
                "limit_days": stage.get("limit"),
                "customer_side": int(stage.get("customer_side", False)),
                "started_at": event.recorded_at if position == 1 else None,
                "finished_at": None,
            },
        )


@handles("document.collected")
def _document_collected(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    _update(
        conn,
        "documents",
        p["document"],
        {
            "status": "collected",
            "form": p.get("form"),
            "copy_kind": p.get("copy_kind"),
            "collected_at": event.recorded_at,
            "collected_by": event.operator,
        },
    )


def _finish_stage(conn: sqlite3.Connection, application: str, position: int, at: str) -> None:
    conn.execute(
        "UPDATE stages SET finished_at = ? WHERE application = ? AND position = ?", (at, application, position)
    )


@handles("stage.advanced")
def _stage_advanced(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    _finish_stage(conn, event.application, p["from_position"], event.recorded_at)
    conn.execute(
        "UPDATE stages SET started_at = ? WHERE application = ? AND position = ?",
        (event.recorded_at, event.application, p["to_position"]),
    )
    _update(conn, "applications", event.application, {"current_stage": p["to_position"]})


@handles("application.paused")
def _paused(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    _insert(
        conn,
        "pauses",
        {
            "uuid": p["pause"],
            "device": event.device,
            "application": event.application,
            "reason": p["reason"],
            "started_at": event.recorded_at,
            "ended_at": None,
            "paused_workdays": None,
        },
    )
    _update(
        conn,
        "applications",
        event.application,
        {"status": "paused", "paused_at": event.recorded_at, "pause_reason": p["reason"]},
    )


@handles("application.resumed")
def _resumed(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    _update(conn, "pauses", p["pause"], {"ended_at": event.recorded_at, "paused_workdays": p["paused_workdays"]})
    _update(
        conn,
        "applications",
        event.application,
        {
            "status": "open",
            "paused_at": None,
            "pause_reason": None,
            "due_date": p["due_date"],
            "due_estimated": int(p["due_estimated"]),
        },
    )


@handles("deadline.recomputed")
def _deadline_recomputed(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    _update(
        conn, "applications", event.application, {"due_date": p["due_date"], "due_estimated": int(p["due_estimated"])}
    )


@handles("application.terminated", "application.connected", "application.closed")
def _finished(conn: sqlite3.Connection, event: Event) -> None:
    status = event.type.split(".")[1]
    changes: dict = {"status": status}
    if status == "connected":
        (position,) = conn.execute(
            "SELECT current_stage FROM applications WHERE uuid = ?", (event.application,)
        ).fetchone()
        _finish_stage(conn, event.application, position, event.recorded_at)
    if status in ("terminated", "connected"):
        changes.update(finished_at=event.recorded_at, finish_reason=event.payload.get("reason", ""))
    _update(conn, "applications", event.application, changes)


# --- notices, reservations, exports, holidays -------------------------------------------------------------------


@handles("notice.issued")
def _notice_issued(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    _insert(
        conn,
        "notices",
        {
            "uuid": p["notice"],
            "device": event.device,
            "application": event.application,
            "serial": p["serial"],
            "kind": p["kind"],
            "content": p["content"],
            "issued_at": event.recorded_at,
            "operator": event.operator,
            "replaces": p.get("replaces"),
            "reprints": 0,
        },
    )


@handles("notice.reprinted")
def _notice_reprinted(conn: sqlite3.Connection, event: Event) -> None:
    conn.execute("UPDATE notices SET reprints = reprints + 1 WHERE uuid = ?", (event.payload["notice"],))


@handles("reservation.registered")
def _reservation(conn: sqlite3.Connection, event: Event) -> None:
    p = dict(event.payload)
    p.update(device=event.device, received_at=event.recorded_at, status="waiting", application=None)
    p.setdefault("registered_by", event.operator)
    _insert(conn, "reservations", p)
    if p.get("visit"):  # 零证预约 offered to a refused visit
        _update(conn, "visits", p["visit"], {"reservation": p["uuid"]})


@handles("reservation.handled")
def _reservation_handled(conn: sqlite3.Connection, event: Event) -> None:
    """A phone reservation dispatched as a work order, or an online one confirmed by phone: its clock stops."""
    _update(
        conn,
        "reservations",
        event.payload["reservation"],
        {"status": "handled", "handled_at": event.recorded_at, "handled_by": event.operator},
    )


@handles("reservation.converted")
def _reservation_converted(conn: sqlite3.Connection, event: Event) -> None:
    _update(
        conn,
        "reservations",
        event.payload["reservation"],
        {"status": "converted", "application": event.application, "converted_at": event.recorded_at},
    )


@handles("visit.refused")
def _visit_refused(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    _insert(
        conn,
        "visits",
        {
            "uuid": p["visit"],
            "device": event.device,
            "business_type": p["business_type"],
            "customer_name": p.get("customer_name", ""),
            "phone": p.get("phone", ""),
            "reason": p["reason"],
            "received": json.dumps(p.get("received", []), ensure_ascii=False),
            "recorded_at": event.recorded_at,
            "operator": event.operator,
            "reservation": None,
        },
    )


@handles("archive.filed")
def _archive_filed(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    _insert(
        conn,
        "archive_filed",
        {
            "uuid": p["filed"],
            "device": event.device,
            "application": event.application,
            "stage": p["stage"],
            "item": p["item"],
            "filed_at": event.recorded_at,
            "operator": event.operator,
        },
    )


@handles("inspection.recorded")
def _inspection_recorded(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    _insert(
        conn,
        "inspections",
        {
            "uuid": p["inspection"],
            "device": event.device,
            "application": event.application,
            "recorded_at": event.recorded_at,
            "operator": event.operator,
            "passed": int(not p["defects"]),
        },
    )
    for position, text in enumerate(p["defects"], start=1):
        _insert(
            conn,
            "inspection_defects",
            {
                "uuid": f"{p['inspection']}-{position}",
                "device": event.device,
                "inspection": p["inspection"],
                "application": event.application,
                "position": position,
                "text": text,
            },
        )


@handles("ledger.imported")
def _ledger_imported(conn: sqlite3.Connection, event: Event) -> None:
    p = event.payload
    _insert(
        conn,
        "imports",
        {
            "uuid": p["import"],
            "device": event.device,
            "file": p["file"],
            "imported": p["imported"],
            "skipped": p["skipped"],
            "recorded_at": event.recorded_at,
            "operator": event.operator,
        },
    )


@handles("export.done")
def _export_done(conn: sqlite3.Connection, event: Event) -> None:
    p = dict(event.payload)
    p.update(device=event.device, finished_at=event.recorded_at)
    _insert(conn, "exports", p)


@handles("export.personal_data_included")
def _export_personal_data(conn: sqlite3.Connection, event: Event) -> None:
    """Recorded for the audit trail only: the event log is where it is kept."""


@handles("holidays.entered")
def _holidays_entered(conn: sqlite3.Connection, event: Event) -> None:
    year = event.payload["year"]
    conn.execute("DELETE FROM holiday_days WHERE year = ?", (year,))
    for day in event.payload["days"]:
        _insert(conn, "holiday_days", {"date": day["date"], "year": year, "kind": day["kind"], "name": day["name"]})
    conn.execute(
        "INSERT OR REPLACE INTO holiday_years (year, entered_at, operator) VALUES (?, ?, ?)",
        (year, event.recorded_at, event.operator),
    )
