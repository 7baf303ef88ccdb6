"""What each event says: one frozen msgspec structure per event type and payload version.

The structures are the contract between devices and program versions (a field laptop, the county office): a stored
payload is decoded into its structure strictly (unknown keys and wrong types refused), and a service records an
instance, never a dict. A change to a shipped structure is a new version beside the old one, with an upgrade step in
catalogue.py; the old structure stays, because databases hold it.

Every field is written, defaults and nulls included, so that a payload of a type still at version 1 is byte-identical
to what the program wrote before versions existed (the county loads events.csv).
"""

from __future__ import annotations

from typing import Any

import msgspec

# The start state of an application transition: "<status>@<stage position>" (open@2, paused@3, connected@5) and, for a
# deferred document, its status ("deferred"). UNKNOWN where an upgraded old event cannot say it from its payload alone.
UNKNOWN = "unknown"


def application_state(status: str, stage: int | None) -> str:
    return f"{status}@{stage}" if stage is not None else status


class Payload(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """The base of every payload structure."""


# --- station, settings, operators --------------------------------------------------------------------------------


class SettingsPayload(Payload, frozen=True):
    settings: dict[str, Any]


class StationInitialized(SettingsPayload, frozen=True):
    pass


class SettingsChanged(SettingsPayload, frozen=True):
    pass


class OperatorCreated(Payload, frozen=True):
    operator: str
    name: str
    role: str
    phone: str
    pin_salt: str
    pin_hash: str


class OperatorLogin(Payload, frozen=True):
    operator: str


class OperatorLoginFailed(Payload, frozen=True):
    operator: str


class OperatorLocked(Payload, frozen=True):
    operator: str
    until: str


# --- applications ------------------------------------------------------------------------------------------------


class AcceptedApplication(Payload, frozen=True):
    number: str
    business_type: str
    intake_mode: str
    customer_name: str
    id_type: str
    id_number: str
    phone: str
    address: str
    capacity_kw: float
    voltage: str
    channel: str
    dual_supply: int
    supporting_works: int
    small_micro: int
    three_zero: int
    important: int
    agent: int
    distribution_upgrade: int
    flags_reason: str
    profile: str
    category: str
    limit_days: int
    limit_unit: str
    customer_manager: str | None
    due_date: str
    due_estimated: int
    # Recorded since schema 2 (ledger imports); before it every application came from the counter.
    origin: str = "counter"


class AcceptedDocument(Payload, frozen=True):
    uuid: str
    doc_key: str
    name: str
    form: str | None
    copy_kind: str | None
    status: str
    assigned_to: str | None
    collect_at_stage: str | None


class AcceptedStage(Payload, frozen=True):
    uuid: str
    name: str
    limit: int | None
    customer_side: bool = False


class ApplicationAccepted(Payload, frozen=True):
    application: AcceptedApplication
    documents: list[AcceptedDocument]
    stages: list[AcceptedStage]


class Override(Payload, frozen=True):
    """A 站长's authorisation to go on although required archive items were missing."""

    head: str
    reason: str
    missing: list[str]


class DocumentCollectedV1(Payload, frozen=True):
    document: str
    form: str | None = None
    copy_kind: str | None = None


class DocumentCollected(DocumentCollectedV1, frozen=True, kw_only=True):
    from_state: str


class StageAdvancedV1(Payload, frozen=True):
    from_position: int
    to_position: int
    override: Override | None = None


class StageAdvanced(StageAdvancedV1, frozen=True, kw_only=True):
    from_state: str


class ApplicationPausedV1(Payload, frozen=True):
    pause: str
    reason: str


class ApplicationPaused(ApplicationPausedV1, frozen=True, kw_only=True):
    from_state: str


class ApplicationResumedV1(Payload, frozen=True):
    pause: str
    paused_workdays: int
    due_date: str
    due_estimated: bool


class ApplicationResumed(ApplicationResumedV1, frozen=True, kw_only=True):
    from_state: str


class ApplicationTerminatedV1(Payload, frozen=True):
    reason: str = ""


class ApplicationTerminated(ApplicationTerminatedV1, frozen=True, kw_only=True):
    from_state: str


class ApplicationConnectedV1(Payload, frozen=True):
    pass


class ApplicationConnected(ApplicationConnectedV1, frozen=True, kw_only=True):
    from_state: str


class ApplicationClosedV1(Payload, frozen=True):
    override: Override | None = None


class ApplicationClosed(ApplicationClosedV1, frozen=True, kw_only=True):
    from_state: str


class DeadlineRecomputed(Payload, frozen=True):
    due_date: str
    due_estimated: bool
    previous: str
    previous_estimated: bool
    cause: str


class ArchiveFiled(Payload, frozen=True):
    filed: str
    stage: str
    item: str


class InspectionRecorded(Payload, frozen=True):
    inspection: str
    defects: list[str]


# --- notices, reservations, visits, ledger, exports, holidays ----------------------------------------------------


class NoticeIssued(Payload, frozen=True):
    notice: str
    serial: str
    kind: str
    content: str  # the notice's content as issued, JSON text
    replaces: str | None = None


class NoticeReprinted(Payload, frozen=True):
    notice: str


class ReservationRegistered(Payload, frozen=True):
    uuid: str
    customer_name: str
    phone: str
    address: str
    business_type: str
    channel: str
    bring: str = ""
    visit: str | None = None


class ReservationHandled(Payload, frozen=True):
    reservation: str


class ReservationConverted(Payload, frozen=True):
    reservation: str


class VisitRefusedV1(Payload, frozen=True):
    visit: str
    business_type: str
    reason: str
    customer_name: str = ""
    phone: str = ""
    received: list[str] = []


class VisitRefused(VisitRefusedV1, frozen=True, kw_only=True):
    # Version 2: the rest of what the clerk typed (address, capacity, identity number, flags…), so that the 零证预约
    # offered at the refused visit becomes an application without typing it all again.
    typed: dict[str, str | bool] = {}


class LedgerImported(Payload, frozen=True):
    # `import` is a Python keyword: the attribute is import_, the JSON key stays "import".
    import_: str = msgspec.field(name="import")
    file: str
    imported: int
    skipped: int
    original_numbers: dict[str, str] = {}


class ExportDone(Payload, frozen=True):
    uuid: str
    folder: str
    first_seq: int | None
    last_seq: int | None
    rows: int
    full: int


class ExportPersonalDataIncluded(Payload, frozen=True):
    export: str
    outbox: str


class HolidayDay(Payload, frozen=True):
    date: str
    kind: str
    name: str


class HolidaysEntered(Payload, frozen=True):
    year: int
    days: list[HolidayDay]
    origin: str = ""


# --- field work: laptops checked out to customer managers (services/field_bundle.py) ------------------------------


class DeviceRegistered(Payload, frozen=True):
    """The station gives a laptop its short device code (02, 03, …: the station PC is 01) for one manager."""

    code: str
    manager: str
    bundle: str


class FieldLeased(Payload, frozen=True):
    """An application taken out on a laptop by a checkout bundle."""

    bundle: str
    manager: str
    device_code: str


class FieldReturnedV1(Payload, frozen=True):
    """A laptop's work on an application checked back in: the lease of the event's application ends."""

    bundle: str
    device_code: str
    events: int


class FieldReturned(FieldReturnedV1, frozen=True, kw_only=True):
    """A checkin ends the laptop's leases in one event (no application): `returned` maps each application whose lease
    ends to the events the bundle brought for it; `events` is their total. None in an upgraded version 1, which was
    recorded once per application (the event's own) with that application's count in `events`."""

    returned: dict[str, int] | None


# --- station duties: supporting grid works, termination review, follow-up calls (issue 16) ----------------------


class WorksRecorded(Payload, frozen=True):
    """配套工程 on an application: the kind from the profile's 配套工程建设时限表, its limit and the agreed dates.
    The due date is computed by the service on the station's calendar and travels here (replays stay exact)."""

    works: str
    voltage: str
    item: str
    project_manager: str
    limit: int
    contract_date: str
    customer_completion: str
    due_date: str
    due_estimated: bool


class WorksFlagged(Payload, frozen=True):
    """The first supporting works recorded on an application accepted without them (有配套工程 = 0): the flag is set
    and the time-limit category chosen again by the application's profile with it (seed 004: 低压 without works 2
    working days, with works 5). The service computes the new limit, due date and stage limits (domain.deadlines'
    rule) and they travel here; a category that does not depend on works (10 kV and above, 小微) stays as it was."""

    works: str  # the works whose recording set the flag
    category: str
    category_name: str
    limit_days: int
    limit_unit: str
    due_date: str
    due_estimated: bool
    stage_limits: list[int | None]  # by stage position, from the new category (same-named stages)
    previous_category: str
    previous_category_name: str
    previous_limit_days: int
    previous_due_date: str


class TerminationReviewed(Payload, frozen=True):
    """The 站长's review of a terminated application: confirmed, or reopened (back to the state it was terminated
    from, `restored_status`) with a reason."""

    outcome: str
    reason: str
    restored_status: str | None
    from_state: str


class FollowupCalled(Payload, frozen=True):
    """回访: one call to the customer of a connected application, reached or not, and what the customer said."""

    call: str
    reached: bool
    satisfied: bool | None
    extra_documents: bool
    fee_asked: bool
    second_visit: bool
    said: str
    complaint: bool
    follow_up: str


class ConflictDecided(Payload, frozen=True):
    """The 站长 decides which device's line holds for an application in conflict: the other lines' transitions from
    the clash on are set aside (kept in the log, no longer projected) and the flag clears."""

    kept_device: str
    set_aside: list[str]
    head: str
    note: str = ""


class LostEvents(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """A device's events a recovery could not find in the damaged file nor in its backup."""

    device: str
    first: int
    last: int


class StoreRecovered(Payload, frozen=True):
    """`station-tui recover` made this database: its sources, and what was lost (which `check` then accepts)."""

    damaged_file: str
    backup: str | None
    from_damaged_only: int
    from_backup_only: int
    from_both: int
    lost: list[LostEvents]
    put_aside: list[str]
