"""An application's life after intake: deferred documents, stages, pauses, termination, connection, closing."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from station_tui.domain.errors import StationError
from station_tui.domain.timeutil import from_iso, local_date
from station_tui.services.applications import archive_status
from station_tui.services.calendar import application_due, finished_pauses
from station_tui.services.operators import authorize_head
from station_tui.services.station import Station
from station_tui.store import payloads as ev


def _application(station: Station, application: str) -> dict:
    rows = station.store.rows("SELECT * FROM applications WHERE uuid = ?", (application,))
    if not rows:
        raise StationError("没有这件申请")
    return rows[0]


def _require_status(app: dict, *allowed: str) -> None:
    if app["status"] not in allowed:
        raise StationError(f"申请 {app['number']} 当前状态不允许此操作")


def _state(app: dict) -> str:
    """The state a transition starts from, as its event names it (two devices moving an application from the same
    state is a conflict the events themselves show)."""
    return ev.application_state(app["status"], app["current_stage"])


def collect_document(
    station: Station, document: str, *, form: str, copy_kind: str, operator: str, at: datetime | None = None
) -> None:
    row = station.store.rows("SELECT application, status, name FROM documents WHERE uuid = ?", (document,))
    if not row or row[0]["status"] != "deferred":
        raise StationError("这份资料不是待收的容缺资料")
    station.store.record(
        ev.DocumentCollected(document=document, form=form, copy_kind=copy_kind, from_state=row[0]["status"]),
        application=row[0]["application"],
        operator=operator,
        simulated_at=at,
    )


@dataclass(frozen=True)
class HeadOverride:
    """A 站长's authorisation to go on although required archive items are missing (PIN checked, reason kept)."""

    head: str
    pin: str
    reason: str


class ArchiveMissing(StationError):
    """The stage cannot close while required (√) archive items are missing; a 站长 may override with a reason."""

    def __init__(self, missing: list[str]) -> None:
        super().__init__(f"缺少必需的归档资料：{'、'.join(missing)}。补齐后再试，或由站长授权并写明理由。")
        self.missing = missing


def archive_gate(stage_names: list[str], leaving: int) -> list[str]:
    """Archive stages (附件2) that must be complete before application stage number `leaving` (1-based) closes.

    **default** (the seed pairs the tables only by their titles): 受理申请及供电方案答复 closes with 供电方案答复, or with
    用电申请 when the category has no such stage; 设计文件审查 with 设计审查; 中间检查及竣工检验 with the customer's
    external works (the completion inspection ends them). 装表接电 items are checked when the application is archived.
    """
    name = stage_names[leaving - 1]
    gates = []
    if name == "供电方案答复" or (name == "用电申请" and "供电方案答复" not in stage_names):
        gates.append("acceptance")
    if name == "设计审查":
        gates.append("design_review")
    if name == "客户外部工程实施":
        gates.append("inspection")
    return gates


def missing_archive(station: Station, application: str, archive_stages: list[str]) -> list[str]:
    app = _application(station, application)
    rows = archive_status(station, application, app["business_type"])
    return [name for stage in rows if stage.id in archive_stages for name in stage.missing]


def _override_payload(station: Station, override: HeadOverride | None, missing: list[str]) -> ev.Override | None:
    if not missing:
        return None
    if override is None:
        raise ArchiveMissing(missing)
    if not override.reason.strip():
        raise StationError("站长授权越过缺少的归档资料，须写明理由")
    authorize_head(station, override.head, override.pin)
    return ev.Override(head=override.head, reason=override.reason.strip(), missing=missing)


def advance_stage(
    station: Station,
    application: str,
    *,
    operator: str,
    at: datetime | None = None,
    override: HeadOverride | None = None,
    leaving: int | None = None,
) -> int:
    """Finish the current stage and start the next; the last stage ends with `connect`.

    Refused while the required archive items of the stage being left are missing, unless a 站长 overrides. History
    entered with a time (`at`: demo data, ledger import) is not gated: its archive is on paper. `leaving`: the stage the
    clerk saw as current; a second press made on the same sight is refused instead of advancing twice.
    """
    store = station.store
    app = _application(station, application)
    _require_status(app, "open")
    names = [
        r["name"] for r in store.rows("SELECT name FROM stages WHERE application = ? ORDER BY position", (application,))
    ]
    current = app["current_stage"]
    if leaving is not None and current != leaving:
        raise StationError(f"第 {leaving} 环节已经结束（现在是第 {current} 环节），没有再推进")
    if current >= len(names):
        raise StationError("已是最后一个环节：请用「装表送电」完成")
    granted = None
    if at is None:
        # The PIN is checked outside the transaction below, so that a wrong PIN stays recorded (and counts).
        granted = _override_payload(
            station, override, missing_archive(station, application, archive_gate(names, current))
        )
    payload = ev.StageAdvanced(from_position=current, to_position=current + 1, override=granted, from_state=_state(app))
    with store.transaction():
        if _application(station, application)["current_stage"] != current:
            raise StationError("这件申请刚被别人改动过，请刷新后再试")
        store.record(payload, application=application, operator=operator, simulated_at=at)
    return current + 1


def file_archive_item(
    station: Station, application: str, stage: str, item: str, *, operator: str, at: datetime | None = None
) -> None:
    """Record that an archive item (附件2) is in the application's file."""
    app = _application(station, application)
    rows = archive_status(station, application, app["business_type"])
    match = next((i for s in rows if s.id == stage for i in s.items if i.name == item), None)
    if match is None:
        raise StationError("这项归档资料不适用于本申请")
    if match.linked:
        raise StationError("这项随申请资料归档：收到或补收资料即可")
    if match.state == "filed":
        raise StationError("这项已归档")
    station.store.record(
        ev.ArchiveFiled(filed=str(uuid.uuid4()), stage=stage, item=item),
        application=application,
        operator=operator,
        simulated_at=at,
    )


def record_inspection(
    station: Station, application: str, defects: list[str], operator: str, *, at: datetime | None = None
) -> str:
    """竣工检验: the defects found (none: passed). One 竣工检验意见单 lists them all (一次告知). Returns its id."""
    cleaned = [" ".join(d.split()) for d in defects]
    cleaned = [d for d in cleaned if d]
    too_long = next((d for d in cleaned if len(d) > 200), None)
    if too_long:
        raise StationError(f"缺陷描述不能超过200字：{too_long[:20]}…")
    _require_status(_application(station, application), "open")
    inspection = str(uuid.uuid4())
    station.store.record(
        ev.InspectionRecorded(inspection=inspection, defects=cleaned),
        application=application,
        operator=operator,
        simulated_at=at,
    )
    return inspection


def pause(station: Station, application: str, *, reason: str, operator: str, at: datetime | None = None) -> None:
    """Time waiting on the customer does not count against the utility's limit."""
    if not reason.strip():
        raise StationError("请写明暂停原因")
    app = _application(station, application)
    _require_status(app, "open")
    station.store.record(
        ev.ApplicationPaused(pause=str(uuid.uuid4()), reason=reason.strip(), from_state=_state(app)),
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
        this_pause = (local_date(from_iso(started)), local_date(at or store.clock()))
        # From scratch, as a holiday recompute does: acceptance, limit, every finished pause and this one.
        due = application_due(station, app, [*finished_pauses(station, application), this_pause])
        store.record(
            ev.ApplicationResumed(
                pause=pause_id,
                paused_workdays=station.calendar.workdays_between(*this_pause),
                due_date=due.date.isoformat(),
                due_estimated=due.estimated,
                from_state=_state(app),
            ),
            application=application,
            operator=operator,
            simulated_at=at,
        )
    return due.date.isoformat()


def terminate(station: Station, application: str, *, reason: str, operator: str, at: datetime | None = None) -> None:
    if not reason.strip():
        raise StationError("请写明终止原因")
    app = _application(station, application)
    _require_status(app, "open", "paused")
    station.store.record(
        ev.ApplicationTerminated(reason=reason.strip(), from_state=_state(app)),
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
    station.store.record(
        ev.ApplicationConnected(from_state=_state(app)), application=application, operator=operator, simulated_at=at
    )


def close(
    station: Station,
    application: str,
    *,
    operator: str,
    at: datetime | None = None,
    override: HeadOverride | None = None,
) -> None:
    """归档: after connection, the 装表接电 archive items must be filed (a 站长 may override, as for a stage)."""
    app = _application(station, application)
    _require_status(app, "connected", "terminated")
    granted = None
    if at is None and app["status"] == "connected":
        granted = _override_payload(station, override, missing_archive(station, application, ["connection"]))
    station.store.record(
        ev.ApplicationClosed(override=granted, from_state=_state(app)),
        application=application,
        operator=operator,
        simulated_at=at,
    )


def missing_for_next_stage(station: Station, application: str) -> list[str]:
    """What a clerk must file before the current stage can close (empty: nothing missing)."""
    app = _application(station, application)
    names = [
        r["name"]
        for r in station.store.rows("SELECT name FROM stages WHERE application = ? ORDER BY position", (application,))
    ]
    current = app["current_stage"] or 0
    if not 1 <= current < len(names):
        return []
    return missing_archive(station, application, archive_gate(names, current))
