"""Counter intake (受理): validate the form, decide 两证办结 / 容缺办理 / not accepted, and save in one transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, fields
from datetime import date, datetime

from station_tui.domain import validation
from station_tui.domain.checklists import DocumentSpec
from station_tui.domain.deadlines import due_date
from station_tui.domain.errors import StationError
from station_tui.domain.profiles import ApplicationAttributes, Category
from station_tui.domain.timeutil import local_date
from station_tui.domain.workdays import Due
from station_tui.services.station import Station
from station_tui.store import payloads as ev


class FormErrors(StationError):
    """Every field that is wrong, at once, so the clerk fixes them in one pass."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("；".join(errors.values()))
        self.errors = errors


class NotAccepted(StationError):
    """No identity or subject proof: the counter does not accept (零证预约 instead)."""


@dataclass(frozen=True)
class ReceivedDocument:
    key: str
    form: str
    copy_kind: str  # "original" or "copy"


@dataclass
class IntakeForm:
    """What the clerk typed, as text: validation turns it into values."""

    business_type: str
    customer_name: str = ""
    id_type: str = "居民身份证"
    id_number: str = ""
    phone: str = ""
    address: str = ""
    capacity_kw: str = ""
    voltage: str = "low"
    channel: str = "counter"
    dual_supply: bool = False
    supporting_works: bool = False
    agent: bool = False
    important: bool = False
    distribution_upgrade: bool = False
    small_micro: bool | None = None  # None: take the profile's proposal
    three_zero: bool | None = None
    flags_reason: str = ""
    received: list[ReceivedDocument] = field(default_factory=list)
    customer_manager: str | None = None
    reservation: str | None = None  # the 预约 this application comes from (its documents now collected)


@dataclass(frozen=True)
class Proposal:
    small_micro: bool
    three_zero: bool
    category: Category
    due: Due


@dataclass(frozen=True)
class Accepted:
    uuid: str
    number: str
    mode: str
    due: Due
    deferred: list[str]


def required_documents(station: Station, form: IntakeForm) -> list:
    return station.checklists.required_documents(form.business_type, agent=form.agent, important=form.important)


def intake_mode(station: Station, form: IntakeForm) -> str:
    """complete: everything on the list; deferred: the identity/subject proof at least; refused: not even that."""
    keys = {doc.key for doc in form.received}
    required = required_documents(station, form)
    if all(doc.key in keys for doc in required):
        return "complete"
    primary = station.checklists.primary_document(form.business_type)
    return "deferred" if primary.key in keys else "refused"


def propose(station: Station, form: IntakeForm, capacity: float, start: date) -> Proposal:
    """The profile's reading of the form: 小微企业 and 三零 (unless the clerk set them), category, due date."""
    profile = station.profile
    business = station.checklists.business_type(form.business_type)
    low_nonresident = form.voltage == "low" and not business.resident
    small_micro = form.small_micro
    if small_micro is None:
        small_micro = (
            low_nonresident and capacity <= profile.small_micro_max_kw and not business.excluded_from_small_micro
        )
    three_zero = form.three_zero
    if three_zero is None:
        three_zero = low_nonresident and profile.three_zero_max_kw is not None and capacity <= profile.three_zero_max_kw
    attrs = ApplicationAttributes(
        business_type=form.business_type,
        voltage=form.voltage,
        resident=business.resident,
        small_micro=small_micro,
        three_zero=three_zero,
        supporting_works=form.supporting_works,
        dual_supply=form.dual_supply,
        important=form.important,
        distribution_upgrade=form.distribution_upgrade,
    )
    category = profile.category_for(attrs)
    receipt = profile.rest_day_receipt_next_workday
    due = due_date(station.calendar, start, category.limit, category.unit, receipt_next_workday=receipt)
    return Proposal(small_micro, three_zero, category, due)


@dataclass(frozen=True)
class FieldReport:
    """Every field checked: normalised values, errors (field -> message) and warnings (field -> messages)."""

    values: dict[str, object]
    errors: dict[str, str]
    warnings: dict[str, list[str]]


def check_fields(form: IntakeForm) -> FieldReport:
    """Check each field on its own, so that the screen can show every message beside its field at once."""
    errors: dict[str, str] = {}
    values: dict[str, object] = {}
    warnings: dict[str, list[str]] = {}

    def identity() -> str:
        checked = validation.identity_document(form.id_type, form.id_number)
        if checked.warnings:
            warnings["id_number"] = list(checked.warnings)
        return checked.value

    checks = {
        "customer_name": lambda: validation.name(form.customer_name),
        "id_number": identity,
        "phone": lambda: validation.phone(form.phone),
        "address": lambda: validation.address(form.address),
        "capacity_kw": lambda: validation.capacity_kw(form.capacity_kw, form.voltage),
    }
    for name, check in checks.items():
        try:
            values[name] = check()
        except validation.FieldError as exc:
            # A FieldError names its own field (证件类型 for a missing type, voltage for a bad voltage).
            errors[exc.field if exc.field in _FORM_FIELDS else name] = str(exc)
    if (form.small_micro is not None or form.three_zero is not None) and not form.flags_reason.strip():
        errors["flags_reason"] = "改动了小微企业或三零标记，请写明理由"
    return FieldReport(values, errors, warnings)


_FORM_FIELDS = {"customer_name", "id_type", "id_number", "phone", "address", "capacity_kw", "voltage", "flags_reason"}


def _check_documents(station: Station, form: IntakeForm) -> dict[str, str]:
    """Received documents must be on the profile's list, in a form it accepts: never ask for, or take, more."""
    specs = {spec.key: spec for spec in required_documents(station, form)}
    for doc in form.received:
        spec = specs.get(doc.key)
        if spec is None:
            return {"documents": f"资料 {doc.key} 不在本业务类型的资料清单中，不能收取"}
        if doc.form not in spec.forms:
            return {"documents": f"{spec.name}不接受“{doc.form}”，可用：{'、'.join(spec.forms)}"}
        if doc.copy_kind not in ("original", "copy", "original_and_copy"):
            return {"documents": f"{spec.name}：请选择原件或复印件"}
    return {}


def validate(form: IntakeForm) -> dict[str, object]:
    """Normalised values, or FormErrors naming every bad field."""
    report = check_fields(form)
    if report.errors:
        raise FormErrors(report.errors)
    return report.values


def refusal_reason(station: Station, form: IntakeForm) -> str:
    primary = station.checklists.primary_document(form.business_type)
    return f"未收到{primary.name}（{'、'.join(primary.forms[:3])}等），不能受理。"


@dataclass(frozen=True)
class IntakePreview:
    """What the screen shows while the clerk types: the checklist, the mode, the proposal, the field messages."""

    documents: list[DocumentSpec]
    mode: str
    missing: list[str]
    refused_reason: str | None
    proposal: Proposal | None
    errors: dict[str, str]
    warnings: dict[str, list[str]]


def preview(station: Station, form: IntakeForm, start: date | None = None) -> IntakePreview:
    """The profile's reading of the form so far; never raises for what the clerk typed."""
    report = check_fields(form)
    documents = required_documents(station, form)
    received = {doc.key for doc in form.received}
    mode = intake_mode(station, form)
    proposal = None
    capacity = report.values.get("capacity_kw")
    if capacity is not None:
        proposal = propose(station, form, float(capacity), start or local_date(station.store.clock()))  # type: ignore[arg-type]
    return IntakePreview(
        documents=documents,
        mode=mode,
        missing=[doc.name for doc in documents if doc.key not in received],
        refused_reason=refusal_reason(station, form) if mode == "refused" else None,
        proposal=proposal,
        errors={**report.errors, **_check_documents(station, form)},
        warnings=report.warnings,
    )


def record_refused_visit(station: Station, form: IntakeForm, *, operator: str) -> str:
    """The counter could not accept (no identity/subject proof): the visit is recorded, with what was typed."""
    station.checklists.business_type(form.business_type)  # a KeyError here is a programming error, not input
    visit = str(uuid.uuid4())
    station.store.record(
        ev.VisitRefused(
            visit=visit,
            business_type=form.business_type,
            customer_name=" ".join(form.customer_name.split())[:100],
            phone=" ".join(form.phone.split())[:40],
            reason=refusal_reason(station, form),
            received=[doc.key for doc in form.received],
            typed=typed_at_visit(form),
        ),
        operator=operator,
    )
    return visit


# Kept elsewhere in the visit (or the reservation made from it), or not the clerk's typing.
_NOT_TYPED = ("business_type", "customer_name", "phone", "received", "reservation")


def typed_at_visit(form: IntakeForm) -> dict[str, str | bool]:
    """What the clerk typed at a refused visit beyond name and phone: every field that holds something."""
    values = {f.name: getattr(form, f.name) for f in fields(form) if f.name not in _NOT_TYPED}
    return {name: value for name, value in values.items() if value not in (None, "")}


def open_duplicates(station: Station, form: IntakeForm) -> list[str]:
    """Numbers of open or paused applications for the same identity number, business type and address.

    Usually a second save of the same customer; sometimes right (a second meter at one address, a new application
    while the old one is being terminated), so the counter asks instead of refusing.
    """
    report = check_fields(form)
    id_number, address = report.values.get("id_number"), report.values.get("address")
    if not id_number or not address:
        return []
    rows = station.store.rows(
        "SELECT number FROM applications WHERE id_number = ? AND business_type = ? AND address = ?"
        " AND status IN ('open', 'paused') ORDER BY number",
        (id_number, form.business_type, address),
    )
    return [r["number"] for r in rows]


def customer_managers(station: Station) -> list[tuple[str, str]]:
    """(name, uuid) of the active customer managers, who collect deferred documents at the site survey."""
    return [
        (r["name"], r["uuid"])
        for r in station.store.rows(
            "SELECT uuid, name FROM operators WHERE role = 'customer_manager' AND active = 1 ORDER BY name"
        )
    ]


def _next_number(station: Station, day: date) -> str:
    """Station code, date, device and a per-day sequence without gaps (the insert shares the transaction)."""
    prefix = f"{station.station_code}-{day:%Y%m%d}-{station.store.device_code}-"
    # A range on the unique index, not LIKE, so that numbering stays quick with hundreds of thousands of rows.
    count = station.store.one(
        "SELECT count(*) FROM applications WHERE number >= ? AND number < ?", (prefix, prefix + "\uffff")
    )
    return f"{prefix}{count + 1:03d}"


def _default_manager(station: Station, operator: str) -> str:
    manager = station.store.one("SELECT uuid FROM operators WHERE role = 'customer_manager' AND active = 1 LIMIT 1")
    return manager or operator


def accept(
    station: Station,
    form: IntakeForm,
    *,
    operator: str,
    simulated_at: datetime | None = None,
    origin: str = "counter",
) -> Accepted:
    """Save the application, its documents, its first stage started now and the event: all or nothing."""
    report = check_fields(form)
    errors = {**report.errors, **_check_documents(station, form)}
    if errors:
        raise FormErrors(errors)
    values = report.values
    mode = intake_mode(station, form)
    if mode == "refused":
        raise NotAccepted(refusal_reason(station, form) + "可登记线上预约（零证预约），请客户带齐资料再来。")
    store = station.store
    received = {doc.key: doc for doc in form.received}
    application = str(uuid.uuid4())
    manager = form.customer_manager or _default_manager(station, operator)
    with store.transaction():
        moment = simulated_at or store.clock()
        start = local_date(moment)
        proposal = propose(station, form, float(values["capacity_kw"]), start)  # type: ignore[arg-type]
        number = _next_number(station, start)
        documents = []
        deferred = []
        for spec in required_documents(station, form):
            got = received.get(spec.key)
            documents.append(
                ev.AcceptedDocument(
                    uuid=str(uuid.uuid4()),
                    doc_key=spec.key,
                    name=spec.name,
                    form=got.form if got else None,
                    copy_kind=got.copy_kind if got else None,
                    status="received" if got else "deferred",
                    assigned_to=None if got else manager,
                    collect_at_stage=None if got else "现场勘查",
                )
            )
            if not got:
                deferred.append(spec.name)
        category = proposal.category
        payload = ev.ApplicationAccepted(
            application=ev.AcceptedApplication(
                number=number,
                business_type=form.business_type,
                intake_mode=mode,
                customer_name=values["customer_name"],
                id_type=form.id_type,
                id_number=values["id_number"],
                phone=values["phone"],
                address=values["address"],
                capacity_kw=values["capacity_kw"],
                voltage=form.voltage,
                channel=form.channel,
                dual_supply=int(form.dual_supply),
                supporting_works=int(form.supporting_works),
                small_micro=int(proposal.small_micro),
                three_zero=int(proposal.three_zero),
                important=int(form.important),
                agent=int(form.agent),
                distribution_upgrade=int(form.distribution_upgrade),
                flags_reason=form.flags_reason.strip(),
                profile=station.profile.id,
                category=category.id,
                limit_days=category.limit,
                limit_unit=category.unit,
                customer_manager=manager,
                due_date=proposal.due.date.isoformat(),
                due_estimated=int(proposal.due.estimated),
                origin=origin,
            ),
            documents=documents,
            stages=[
                ev.AcceptedStage(uuid=str(uuid.uuid4()), name=s.name, limit=s.limit, customer_side=s.customer_side)
                for s in category.stages
            ],
        )
        store.record(payload, application=application, operator=operator, simulated_at=simulated_at)
        if form.reservation:
            _convert_reservation(station, form.reservation, application, operator, simulated_at)
    return Accepted(application, number, mode, proposal.due, deferred)


def _convert_reservation(
    station: Station, reservation: str, application: str, operator: str, simulated_at: datetime | None
) -> None:
    status = station.store.one("SELECT status FROM reservations WHERE uuid = ?", (reservation,))
    if status is None:
        raise StationError("找不到这条预约")
    if status == "converted":
        raise StationError("这条预约已经转为申请")
    station.store.record(
        ev.ReservationConverted(reservation=reservation),
        application=application,
        operator=operator,
        simulated_at=simulated_at,
    )


# Forms of the identity/subject proof as validation knows them (the checklist's wording is longer).
_ID_KINDS = {
    "外国永久居留证（绿卡）": "外国永久居留证",
    "军队或武警出具的办理用电业务的证明": "军队或武警证明",
}


def id_types(station: Station, business_type: str) -> list[str]:
    """The identity or subject document types the customer's number can come from, for this business type.

    A village collective's well (机井（集体）) is applied for with an authorisation letter; the number recorded is the
    village committee's 统一社会信用代码 (or the representative's identity card).
    """
    primary = station.checklists.primary_document(business_type)
    if primary.key == "subject_proof" and business_type == "well_collective":
        return ["统一社会信用代码", "居民身份证"]
    return [_ID_KINDS.get(form, form) for form in primary.forms]
