"""The current-state tables as a projection of the events: one handler per event type (catalogue.py names each
type's handler and the tables it writes).

A handler runs in the same transaction as the event's insert, or in `check`'s replay into an empty schema. It reads
only the event, its typed payload (already upgraded to the current version) and the projection tables, never the
clock or the calendar, so replaying the same events always gives the same state: whatever a service computed (a due
date, a number) travels in the payload.
"""

from __future__ import annotations

import json
import sqlite3

import msgspec

from station_tui.store import payloads as p
from station_tui.store.events import Event


def _insert(conn: sqlite3.Connection, table: str, row: dict) -> None:
    columns = ", ".join(row)
    marks = ", ".join("?" * len(row))
    conn.execute(f"INSERT INTO {table} ({columns}) VALUES ({marks})", tuple(row.values()))


def _update(conn: sqlite3.Connection, table: str, key: str, changes: dict) -> None:
    sets = ", ".join(f"{column} = ?" for column in changes)
    conn.execute(f"UPDATE {table} SET {sets} WHERE uuid = ?", (*changes.values(), key))


# --- station, settings, operators --------------------------------------------------------------------------------


def settings(conn: sqlite3.Connection, event: Event, payload: p.SettingsPayload) -> None:
    for key, value in payload.settings.items():
        conn.execute(
            "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)",
            (key, json.dumps(value, ensure_ascii=False, sort_keys=True)),
        )


def operator_created(conn: sqlite3.Connection, event: Event, payload: p.OperatorCreated) -> None:
    _insert(
        conn,
        "operators",
        {
            "uuid": payload.operator,
            "device": event.device,
            "name": payload.name,
            "role": payload.role,
            "phone": payload.phone,
            "pin_salt": payload.pin_salt,
            "pin_hash": payload.pin_hash,
            "active": 1,
            "failed_logins": 0,
            "locked_until": None,
            "created_at": event.recorded_at,
        },
    )


def operator_login(conn: sqlite3.Connection, event: Event, payload: p.OperatorLogin) -> None:
    _update(conn, "operators", payload.operator, {"failed_logins": 0, "locked_until": None})


def operator_login_failed(conn: sqlite3.Connection, event: Event, payload: p.OperatorLoginFailed) -> None:
    conn.execute("UPDATE operators SET failed_logins = failed_logins + 1 WHERE uuid = ?", (payload.operator,))


def operator_locked(conn: sqlite3.Connection, event: Event, payload: p.OperatorLocked) -> None:
    _update(conn, "operators", payload.operator, {"failed_logins": 0, "locked_until": payload.until})


# --- applications ------------------------------------------------------------------------------------------------


def accepted(conn: sqlite3.Connection, event: Event, payload: p.ApplicationAccepted) -> None:
    app = msgspec.structs.asdict(payload.application)
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
    for doc in payload.documents:
        _insert(
            conn,
            "documents",
            {
                "device": event.device,
                "application": event.application,
                "received_at": event.recorded_at if doc.status == "received" else None,
                **msgspec.structs.asdict(doc),
            },
        )
    for position, stage in enumerate(payload.stages, start=1):
        _insert(
            conn,
            "stages",
            {
                "uuid": stage.uuid,
                "device": event.device,
                "application": event.application,
                "position": position,
                "name": stage.name,
                "limit_days": stage.limit,
                "customer_side": int(stage.customer_side),
                "started_at": event.recorded_at if position == 1 else None,
                "finished_at": None,
            },
        )


def document_collected(conn: sqlite3.Connection, event: Event, payload: p.DocumentCollected) -> None:
    _update(
        conn,
        "documents",
        payload.document,
        {
            "status": "collected",
            "form": payload.form,
            "copy_kind": payload.copy_kind,
            "collected_at": event.recorded_at,
            "collected_by": event.operator,
        },
    )


def _finish_stage(conn: sqlite3.Connection, application: str, position: int, at: str) -> None:
    conn.execute(
        "UPDATE stages SET finished_at = ? WHERE application = ? AND position = ?", (at, application, position)
    )


def stage_advanced(conn: sqlite3.Connection, event: Event, payload: p.StageAdvanced) -> None:
    _finish_stage(conn, event.application, payload.from_position, event.recorded_at)
    conn.execute(
        "UPDATE stages SET started_at = ? WHERE application = ? AND position = ?",
        (event.recorded_at, event.application, payload.to_position),
    )
    _update(conn, "applications", event.application, {"current_stage": payload.to_position})


def paused(conn: sqlite3.Connection, event: Event, payload: p.ApplicationPaused) -> None:
    _insert(
        conn,
        "pauses",
        {
            "uuid": payload.pause,
            "device": event.device,
            "application": event.application,
            "reason": payload.reason,
            "started_at": event.recorded_at,
            "ended_at": None,
            "paused_workdays": None,
        },
    )
    _update(
        conn,
        "applications",
        event.application,
        {"status": "paused", "paused_at": event.recorded_at, "pause_reason": payload.reason},
    )


def resumed(conn: sqlite3.Connection, event: Event, payload: p.ApplicationResumed) -> None:
    _update(conn, "pauses", payload.pause, {"ended_at": event.recorded_at, "paused_workdays": payload.paused_workdays})
    _update(
        conn,
        "applications",
        event.application,
        {
            "status": "open",
            "paused_at": None,
            "pause_reason": None,
            "due_date": payload.due_date,
            "due_estimated": int(payload.due_estimated),
        },
    )


def deadline_recomputed(conn: sqlite3.Connection, event: Event, payload: p.DeadlineRecomputed) -> None:
    _update(
        conn,
        "applications",
        event.application,
        {"due_date": payload.due_date, "due_estimated": int(payload.due_estimated)},
    )


def terminated(conn: sqlite3.Connection, event: Event, payload: p.ApplicationTerminated) -> None:
    changes = {"status": "terminated", "finished_at": event.recorded_at, "finish_reason": payload.reason}
    _update(conn, "applications", event.application, changes)


def connected(conn: sqlite3.Connection, event: Event, payload: p.ApplicationConnected) -> None:
    (position,) = conn.execute("SELECT current_stage FROM applications WHERE uuid = ?", (event.application,)).fetchone()
    _finish_stage(conn, event.application, position, event.recorded_at)
    changes = {"status": "connected", "finished_at": event.recorded_at, "finish_reason": ""}
    _update(conn, "applications", event.application, changes)


def closed(conn: sqlite3.Connection, event: Event, payload: p.ApplicationClosed) -> None:
    _update(conn, "applications", event.application, {"status": "closed"})


def archive_filed(conn: sqlite3.Connection, event: Event, payload: p.ArchiveFiled) -> None:
    # Two devices (a field laptop and the station) may both file the same item: the earliest filing is the one kept,
    # whichever arrives first, so that merging gives the same table in any order.
    conn.execute(
        "INSERT INTO archive_filed (uuid, device, application, stage, item, filed_at, operator)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (application, stage, item) DO UPDATE SET uuid = excluded.uuid, device = excluded.device,"
        " filed_at = excluded.filed_at, operator = excluded.operator"
        " WHERE (excluded.filed_at, excluded.uuid) < (archive_filed.filed_at, archive_filed.uuid)",
        (payload.filed, event.device, event.application, payload.stage, payload.item, event.recorded_at, event.operator),
    )


def inspection_recorded(conn: sqlite3.Connection, event: Event, payload: p.InspectionRecorded) -> None:
    _insert(
        conn,
        "inspections",
        {
            "uuid": payload.inspection,
            "device": event.device,
            "application": event.application,
            "recorded_at": event.recorded_at,
            "operator": event.operator,
            "passed": int(not payload.defects),
        },
    )
    for position, text in enumerate(payload.defects, start=1):
        _insert(
            conn,
            "inspection_defects",
            {
                "uuid": f"{payload.inspection}-{position}",
                "device": event.device,
                "inspection": payload.inspection,
                "application": event.application,
                "position": position,
                "text": text,
            },
        )


# --- notices, reservations, visits, ledger, exports, holidays ----------------------------------------------------


def notice_issued(conn: sqlite3.Connection, event: Event, payload: p.NoticeIssued) -> None:
    _insert(
        conn,
        "notices",
        {
            "uuid": payload.notice,
            "device": event.device,
            "application": event.application,
            "serial": payload.serial,
            "kind": payload.kind,
            "content": payload.content,
            "issued_at": event.recorded_at,
            "operator": event.operator,
            "replaces": payload.replaces,
            "reprints": 0,
        },
    )


def notice_reprinted(conn: sqlite3.Connection, event: Event, payload: p.NoticeReprinted) -> None:
    conn.execute("UPDATE notices SET reprints = reprints + 1 WHERE uuid = ?", (payload.notice,))


def reservation_registered(conn: sqlite3.Connection, event: Event, payload: p.ReservationRegistered) -> None:
    row = msgspec.structs.asdict(payload)
    row.update(
        device=event.device,
        received_at=event.recorded_at,
        status="waiting",
        application=None,
        registered_by=event.operator,
    )
    _insert(conn, "reservations", row)
    if payload.visit:  # 零证预约 offered to a refused visit
        _update(conn, "visits", payload.visit, {"reservation": payload.uuid})


def reservation_handled(conn: sqlite3.Connection, event: Event, payload: p.ReservationHandled) -> None:
    """A phone reservation dispatched as a work order, or an online one confirmed by phone: its clock stops."""
    _update(
        conn,
        "reservations",
        payload.reservation,
        {"status": "handled", "handled_at": event.recorded_at, "handled_by": event.operator},
    )


def reservation_converted(conn: sqlite3.Connection, event: Event, payload: p.ReservationConverted) -> None:
    _update(
        conn,
        "reservations",
        payload.reservation,
        {"status": "converted", "application": event.application, "converted_at": event.recorded_at},
    )


def visit_refused(conn: sqlite3.Connection, event: Event, payload: p.VisitRefused) -> None:
    _insert(
        conn,
        "visits",
        {
            "uuid": payload.visit,
            "device": event.device,
            "business_type": payload.business_type,
            "customer_name": payload.customer_name,
            "phone": payload.phone,
            "reason": payload.reason,
            "received": json.dumps(payload.received, ensure_ascii=False),
            "recorded_at": event.recorded_at,
            "operator": event.operator,
            "reservation": None,
        },
    )


def ledger_imported(conn: sqlite3.Connection, event: Event, payload: p.LedgerImported) -> None:
    _insert(
        conn,
        "imports",
        {
            "uuid": payload.import_,
            "device": event.device,
            "file": payload.file,
            "imported": payload.imported,
            "skipped": payload.skipped,
            "recorded_at": event.recorded_at,
            "operator": event.operator,
        },
    )


def export_done(conn: sqlite3.Connection, event: Event, payload: p.ExportDone) -> None:
    row = msgspec.structs.asdict(payload)
    row.update(device=event.device, finished_at=event.recorded_at)
    _insert(conn, "exports", row)


def audit_only(conn: sqlite3.Connection, event: Event, payload: p.Payload) -> None:
    """Recorded for the audit trail only: the event log is where it is kept."""


def holidays_entered(conn: sqlite3.Connection, event: Event, payload: p.HolidaysEntered) -> None:
    conn.execute("DELETE FROM holiday_days WHERE year = ?", (payload.year,))
    for day in payload.days:
        _insert(conn, "holiday_days", {"date": day.date, "year": payload.year, "kind": day.kind, "name": day.name})
    conn.execute(
        "INSERT OR REPLACE INTO holiday_years (year, entered_at, operator) VALUES (?, ?, ?)",
        (payload.year, event.recorded_at, event.operator),
    )


# --- field work ----------------------------------------------------------------------------------------------------


def device_registered(conn: sqlite3.Connection, event: Event, payload: p.DeviceRegistered) -> None:
    _insert(
        conn,
        "devices",
        {
            "code": payload.code,
            "manager": payload.manager,
            "bundle": payload.bundle,
            "registered_at": event.recorded_at,
            "operator": event.operator,
        },
    )


def field_leased(conn: sqlite3.Connection, event: Event, payload: p.FieldLeased) -> None:
    _insert(
        conn,
        "leases",
        {
            "application": event.application,
            "bundle": payload.bundle,
            "manager": payload.manager,
            "device_code": payload.device_code,
            "leased_at": event.recorded_at,
            "returned_at": None,
            "returned_events": None,
        },
    )


def field_returned(conn: sqlite3.Connection, event: Event, payload: p.FieldReturned) -> None:
    returned = {event.application: payload.events} if payload.returned is None else payload.returned
    # One statement for every lease, driven by the list: each application's lease is found by its primary key. The
    # "+" keep the planner off leases_open, where every open lease of the device would be read for each application
    # (a checkin of 12,000 leases took 25 s so). UPDATE … FROM needs SQLite 3.33 (2020); Python 3.10's Windows build
    # carries 3.35.
    conn.execute(
        "UPDATE leases SET returned_at = ?, returned_events = r.value FROM json_each(?) AS r"
        " WHERE leases.application = r.key AND +leases.device_code = ? AND +leases.returned_at IS NULL",
        (event.recorded_at, json.dumps(returned), payload.device_code),
    )


# --- station duties (issue 16) -----------------------------------------------------------------------------------


def works_recorded(conn: sqlite3.Connection, event: Event, payload: p.WorksRecorded) -> None:
    row = msgspec.structs.asdict(payload)
    uuid = row.pop("works")
    row["limit_days"] = row.pop("limit")
    row.update(uuid=uuid, device=event.device, application=event.application, recorded_at=event.recorded_at,
               operator=event.operator, due_estimated=int(payload.due_estimated))  # fmt: skip
    _insert(conn, "supporting_works", row)


def works_flagged(conn: sqlite3.Connection, event: Event, payload: p.WorksFlagged) -> None:
    changes = {
        "supporting_works": 1, "category": payload.category, "limit_days": payload.limit_days,
        "limit_unit": payload.limit_unit, "due_date": payload.due_date, "due_estimated": int(payload.due_estimated),
    }  # fmt: skip
    _update(conn, "applications", event.application, changes)
    conn.executemany(
        "UPDATE stages SET limit_days = ? WHERE application = ? AND position = ?",
        [(limit, event.application, position) for position, limit in enumerate(payload.stage_limits, start=1)],
    )


def termination_reviewed(conn: sqlite3.Connection, event: Event, payload: p.TerminationReviewed) -> None:
    _insert(
        conn,
        "termination_reviews",
        {
            "uuid": event.uuid,
            "device": event.device,
            "application": event.application,
            "outcome": payload.outcome,
            "reason": payload.reason,
            "reviewed_at": event.recorded_at,
            "operator": event.operator,
        },
    )
    if payload.restored_status is not None:
        changes = {"status": payload.restored_status, "finished_at": None, "finish_reason": None}
        _update(conn, "applications", event.application, changes)


def followup_called(conn: sqlite3.Connection, event: Event, payload: p.FollowupCalled) -> None:
    row = msgspec.structs.asdict(payload)
    uuid = row.pop("call")
    for key in ("reached", "extra_documents", "fee_asked", "second_visit", "complaint"):
        row[key] = int(row[key])
    row["satisfied"] = None if payload.satisfied is None else int(payload.satisfied)
    row.update(uuid=uuid, device=event.device, application=event.application, called_at=event.recorded_at,
               operator=event.operator)  # fmt: skip
    _insert(conn, "followup_calls", row)
