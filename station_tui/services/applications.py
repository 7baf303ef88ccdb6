"""Read models of applications: one application (domain.application_view.ApplicationView) as the application screen,
`station-tui show` and the notices present it, the archive checklist (附件2) with what is still missing, and the list
behind `station-tui applications`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from station_tui.domain.application_view import (
    MARK_SYMBOLS,
    ApplicationView,
    ArchiveItemRow,
    ArchiveStageRow,
    DocumentRow,
    EventRow,
    InspectionRow,
    NoticeRow,
    StageRow,
)
from station_tui.domain.deadlines import stage_clocks, stage_schedule, survey_index
from station_tui.domain.errors import StationError
from station_tui.domain.glossary import APPLICATION_STATUSES, INTAKE_MODES, zh
from station_tui.domain.masking import mask_id, mask_phone
from station_tui.domain.timeutil import from_iso, local_date
from station_tui.services.calendar import finished_pauses
from station_tui.services.station import Station
from station_tui.store import catalogue
from station_tui.store.events import Event


def business_name(station: Station, business_type: str) -> str:
    try:
        return station.checklists.business_type(business_type).name
    except KeyError:
        return business_type


def category_name(station: Station, profile_id: str, category: str) -> str:
    """The category's name in the profile the application was accepted under (the code when that profile is gone)."""
    loaded = station.profiles.get(profile_id)
    try:
        return loaded.profile.category(category).name if loaded is not None else category
    except KeyError:
        return category


def mask_name(name: str) -> str:
    """A customer name for listings: the first character, the rest hidden (张** / 邾县****公司 → 邾*****)."""
    name = name or ""
    if len(name) <= 1:
        return name
    return name[0] + "*" * (len(name) - 1)


def operator_names(station: Station) -> dict[str, str]:
    return {row["uuid"]: row["name"] for row in station.store.rows("SELECT uuid, name FROM operators")}


def operator_phones(station: Station) -> dict[str, str]:
    return {row["uuid"]: row["phone"] for row in station.store.rows("SELECT uuid, phone FROM operators")}


def application_row(station: Station, application: str) -> dict:
    rows = station.store.rows("SELECT * FROM applications WHERE uuid = ?", (application,))
    if not rows:
        raise StationError("没有这件申请（可能已被删除或编号有误）")
    return rows[0]


def find_by_number(station: Station, number: str) -> str:
    """The uuid of the application with this number (case and blanks forgiven)."""
    wanted = number.strip().upper()
    if not wanted:
        raise StationError("请输入申请编号")
    found = station.store.one("SELECT uuid FROM applications WHERE number = ?", (wanted,))
    if found is None:
        raise StationError(f"没有编号为 {wanted} 的申请")
    return found


def _documents(station: Station, application: str, names: dict[str, str]) -> list[DocumentRow]:
    rows = station.store.rows("SELECT * FROM documents WHERE application = ? ORDER BY rowid", (application,))
    return [
        DocumentRow(
            uuid=r["uuid"],
            key=r["doc_key"],
            name=r["name"],
            status=r["status"],
            form=r["form"],
            copy_kind=r["copy_kind"],
            received_at=r["received_at"],
            assigned_to=names.get(r["assigned_to"], r["assigned_to"]) if r["assigned_to"] else "",
            collect_at_stage=r["collect_at_stage"] or "",
            collected_at=r["collected_at"],
            collected_by=names.get(r["collected_by"], r["collected_by"]) if r["collected_by"] else None,
        )
        for r in rows
    ]


def _stages(station: Station, application: str, accepted_at: str, unit: str) -> list[StageRow]:
    """The stages, each with its own due date where the profile gives it a limit (domain.deadlines' rule: from the
    day it started, or, not yet started, from the day the stage before it ends at the latest)."""
    rows = station.store.rows(
        "SELECT position, name, limit_days, customer_side, started_at, finished_at FROM stages"
        " WHERE application = ? ORDER BY position",
        (application,),
    )
    clocks = stage_clocks(rows)
    accepted = local_date(from_iso(accepted_at))
    dues = stage_schedule(station.calendar, accepted, clocks, unit, pauses=finished_pauses(station, application))
    return [
        StageRow(
            name=r["name"],
            limit_days=r["limit_days"],
            customer_side=bool(r["customer_side"]),
            position=r["position"],
            started_at=r["started_at"],
            finished_at=r["finished_at"],
            due=due.date if due else None,
            due_estimated=bool(due and due.estimated),
        )
        for r, due in zip(rows, dues, strict=True)
    ]


def _survey(stages: list[StageRow], docs: list[DocumentRow]) -> StageRow | None:
    """The stage the deferred documents are collected at, when they are still to collect."""
    deferred = [d for d in docs if d.status == "deferred"]
    if not deferred or not stages:
        return None
    return stages[survey_index([stage.name for stage in stages], deferred[0].collect_at_stage or "现场勘查")]


def archive_status(
    station: Station, application: str, business_type: str, documents: list[DocumentRow] | None = None
) -> list[ArchiveStageRow]:
    """附件2 for this application: each stage's items marked for its business type, filed or missing."""
    names = operator_names(station)
    if documents is None:
        documents = _documents(station, application, names)
    by_key = {doc.key: doc for doc in documents}
    filed = {
        (r["stage"], r["item"]): r
        for r in station.store.rows(
            "SELECT stage, item, filed_at, operator FROM archive_filed WHERE application = ?", (application,)
        )
    }
    stages = []
    for stage in station.checklists.archive:
        items = []
        for item in stage.items:
            mark = item.mark(business_type)
            if mark is None:
                continue
            symbol = MARK_SYMBOLS[mark]
            if item.documents:
                items.append(
                    _linked_item(stage.id, item.name, symbol, [by_key[k] for k in item.documents if k in by_key])
                )
                continue
            row = filed.get((stage.id, item.name))
            items.append(
                ArchiveItemRow(
                    stage=stage.id,
                    name=item.name,
                    mark=symbol,
                    state="filed" if row else "missing",
                    filed_at=row["filed_at"] if row else None,
                    filed_by=names.get(row["operator"], row["operator"]) if row else None,
                    linked=False,
                )
            )
        stages.append(ArchiveStageRow(stage.id, stage.name, items))
    return stages


def _linked_item(stage: str, name: str, mark: str, docs: list[DocumentRow]) -> ArchiveItemRow:
    if not docs:
        return ArchiveItemRow(stage, name, mark, "not_applicable", None, None, True)
    if any(doc.status == "deferred" for doc in docs):
        return ArchiveItemRow(stage, name, mark, "missing", None, None, True)
    times = [doc.collected_at or doc.received_at for doc in docs]
    last = max((t for t in times if t), default=None)
    by = next((doc.collected_by for doc in docs if doc.collected_at == last and doc.collected_by), None)
    return ArchiveItemRow(stage, name, mark, "filed", last, by, True)


def _events(events: list[Event], names: dict[str, str], docs: list[DocumentRow]) -> list[EventRow]:
    timeline_names = catalogue.TimelineNames(names, {doc.uuid: doc.name for doc in docs})
    return [
        EventRow(
            recorded_at=e.recorded_at,
            type=e.type,
            type_zh=catalogue.label(e.type),
            operator=names.get(e.operator or "", e.operator or ""),
            summary=catalogue.timeline_text(e, timeline_names),
            simulated=e.simulated,
        )
        for e in events
    ]


def _with_returns(station: Station, application: str, rows: list[EventRow], names: dict[str, str]) -> list[EventRow]:
    """The timeline with a line where each checkin returned the application from a laptop: one field.returned event
    ends all of a laptop's leases and belongs to no application, so its line for this one is made from the lease the
    event ended (when, which device, how many events it brought, whose laptop)."""
    leases = station.store.rows(
        "SELECT device_code, manager, returned_at, returned_events FROM leases"
        " WHERE application = ? AND returned_at IS NOT NULL ORDER BY returned_at",
        (application,),
    )
    label = catalogue.label("field.returned")
    for lease in leases:
        at = lease["returned_at"]
        if any(row.type == "field.returned" and row.recorded_at == at for row in rows):
            continue  # an older database's return event of this application: already in the timeline
        line = EventRow(
            recorded_at=at,
            type="field.returned",
            type_zh=label,
            operator=names.get(lease["manager"], ""),
            summary=f"外勤设备 {lease['device_code']} 交回，带回本申请 {lease['returned_events'] or 0} 条事件",
            simulated=False,
        )
        # After the last line recorded by then (the laptop's events came in with it, with their own earlier times).
        place = max((i + 1 for i, row in enumerate(rows) if row.recorded_at <= at), default=0)
        rows.insert(place, line)
    return rows


def _notices(station: Station, application: str, names: dict[str, str]) -> list[NoticeRow]:
    rows = station.store.rows(
        "SELECT uuid, serial, kind, issued_at, operator, reprints FROM notices WHERE application = ? ORDER BY issued_at",
        (application,),
    )
    return [
        NoticeRow(r["uuid"], r["serial"], r["kind"], r["issued_at"], names.get(r["operator"] or "", ""), r["reprints"])
        for r in rows
    ]


def inspections(station: Station, application: str) -> list[InspectionRow]:
    names = operator_names(station)
    result = []
    for r in station.store.rows(
        "SELECT uuid, recorded_at, operator FROM inspections WHERE application = ? ORDER BY recorded_at",
        (application,),
    ):
        defects = [
            d["text"]
            for d in station.store.rows(
                "SELECT text FROM inspection_defects WHERE inspection = ? ORDER BY position", (r["uuid"],)
            )
        ]
        result.append(InspectionRow(r["uuid"], r["recorded_at"], names.get(r["operator"] or "", ""), defects))
    return result


# The read model's fields that are the stored columns as they are.
_AS_STORED = (
    "uuid",
    "number",
    "customer_name",
    "id_type",
    "id_number",
    "phone",
    "address",
    "capacity_kw",
    "voltage",
    "channel",
    "business_type",
    "intake_mode",
    "status",
    "limit_days",
    "limit_unit",
    "flags_reason",
    "accepted_at",
    "paused_at",
    "pause_reason",
    "finished_at",
    "finish_reason",
)


def application_view(station: Station, application: str) -> ApplicationView:
    """Everything the application screen, `show` and a notice say about one application, read in one go (a worker
    calls this)."""
    app = application_row(station, application)
    names = operator_names(station)
    docs = _documents(station, application, names)
    events = station.store.events(application)
    accepted_by = next((e.operator for e in events if e.type == "application.accepted"), None)
    manager = app["customer_manager"] or ""
    stages = _stages(station, application, app["accepted_at"], app["limit_unit"])
    survey = _survey(stages, docs)
    return ApplicationView(
        **{name: app[name] for name in _AS_STORED},
        business_name=business_name(station, app["business_type"]),
        category=category_name(station, app["profile"], app["category"]),
        small_micro=bool(app["small_micro"]),
        three_zero=bool(app["three_zero"]),
        due_date=date.fromisoformat(app["due_date"]),
        due_estimated=bool(app["due_estimated"]),
        current_stage=app["current_stage"] or 0,
        customer_manager=names.get(manager, ""),
        manager_phone=operator_phones(station).get(manager, "") if manager else "",
        accepted_by=names.get(accepted_by or "", ""),
        origin=app.get("origin", "counter"),
        simulated=bool(app["simulated"]),
        documents=docs,
        stages=stages,
        collect_by=survey.due if survey else None,
        collect_by_estimated=bool(survey and survey.due_estimated),
        archive=archive_status(station, application, app["business_type"], docs),
        events=_with_returns(station, application, _events(events, names, docs), names),
        notices=_notices(station, application, names),
        inspections=inspections(station, application),
    )


# --- the list ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListedApplication:
    uuid: str
    number: str
    customer: str  # masked
    business_type: str
    business_zh: str
    mode_zh: str
    status_zh: str
    stage: str
    due_date: str
    overdue: bool


def list_applications(
    station: Station, *, open_only: bool = False, overdue_only: bool = False, today: date | None = None
) -> list[ListedApplication]:
    """Applications, newest first; `open_only`: 办理中 or 暂停; `overdue_only`: 办理中 past the due date."""
    today = today or local_date(station.store.clock())
    where, params = [], []
    if overdue_only:
        where.append("a.status = 'open' AND a.due_date < ?")
        params.append(today.isoformat())
    elif open_only:
        where.append("a.status IN ('open', 'paused')")
    sql = (
        "SELECT a.uuid, a.number, a.customer_name, a.business_type, a.intake_mode, a.status, a.due_date, s.name AS stage"
        " FROM applications a LEFT JOIN stages s ON s.application = a.uuid AND s.position = a.current_stage"
        + (" WHERE " + " AND ".join(where) if where else "")
        + " ORDER BY a.accepted_at DESC, a.number DESC"
    )
    names = {b.id: b.name for b in station.checklists.business_types}
    day = today.isoformat()
    return [
        ListedApplication(
            uuid=r["uuid"],
            number=r["number"],
            customer=mask_name(r["customer_name"]),
            business_type=r["business_type"],
            business_zh=names.get(r["business_type"], r["business_type"]),
            mode_zh=zh(INTAKE_MODES, r["intake_mode"]),
            status_zh=zh(APPLICATION_STATUSES, r["status"]),
            stage=r["stage"] or "",
            due_date=r["due_date"],
            overdue=r["status"] == "open" and r["due_date"] < day,
        )
        for r in station.store.rows(sql, tuple(params))
    ]


def masked_identity(view: ApplicationView) -> tuple[str, str]:
    return mask_id(view.id_number), mask_phone(view.phone)


def document_forms(station: Station, business_type: str, key: str) -> list[tuple[str, str]]:
    """The forms a document may take for this business type, each with 原件/复印件 as 附件1 asks (for collecting)."""
    specs = station.checklists.required_documents(business_type, agent=True, important=True)
    spec = next((s for s in specs if s.key == key), None)
    if spec is None:
        raise StationError("这份资料不在本业务类型的清单中")
    return [(form, spec.copy_for(form)) for form in spec.forms]
