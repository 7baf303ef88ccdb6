"""The catalogue of events: the one definition of each event type.

Each entry names the type, its payload structure and version (payloads.py), the station-tui version that introduced
that version, its Chinese label and timeline text, its projection handler (projection.py) and the tables the handler
writes. Recording, replaying, `check`, the application timeline, `station-tui events --catalogue` and the export's
data dictionary all read this one table.

Reading a stored event (`read`): the current version is decoded as it is; an older version is decoded into its own
structure and upgraded one version at a time by the entry's explicit steps; a type this program does not know, or a
version newer than it records, is refused whole (UnknownEventError, naming the type, the version and the program
version the event says it needs) before anything is written.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import msgspec

from station_tui import __version__
from station_tui.domain.glossary import COPY_KINDS, INTAKE_MODES, zh
from station_tui.store import conflicts, projection
from station_tui.store import payloads as p
from station_tui.store.errors import StoreError
from station_tui.store.events import Event

FIRST_PROGRAM = "0.1.0"  # every type's version 1: the payloads recorded before versions were written down
TRANSITIONS_PROGRAM = "0.2.0"  # transitions name the state they started from (version 2)
FIELD_PROGRAM = "0.2.0"  # field laptops: device codes, leases
DUTIES_PROGRAM = "0.2.0"  # supporting works, termination review, follow-up calls (issue 16)
DECISION_PROGRAM = "0.2.0"  # the 站长's decision on a conflict
CHECKIN_PROGRAM = "0.3.0"  # one field.returned per checkin (version 2), not one per application
VISIT_FORM_PROGRAM = "0.3.0"  # a refused visit keeps everything the clerk typed (version 2)
# Recording works sets 有配套工程 and re-chooses the category (低压 2 → 5 working days). A new type: 0.3.0 programs do not
# know it and must say "upgrade to 0.4.0", not "damaged" (an event needing a program not newer than the reader).
WORKS_CATEGORY_PROGRAM = "0.4.0"


class UnknownEventError(StoreError):
    """An event this program cannot read: written by a newer program, or damaged."""


@dataclass(frozen=True)
class TimelineNames:
    """What a timeline line may name: operators and the application's documents by id."""

    operators: Mapping[str, str] = field(default_factory=dict)
    documents: Mapping[str, str] = field(default_factory=dict)


def _no_text(payload: Any, names: TimelineNames) -> str:
    return ""


@dataclass(frozen=True)
class OlderVersion:
    """A payload version databases still hold: its structure and the step that turns it into the next version."""

    version: int
    payload: type[p.Payload]
    since: str
    upgrade: Callable[[Any], p.Payload]


@dataclass(frozen=True)
class EventKind:
    name: str
    label: str
    payload: type[p.Payload]
    project: Callable[[sqlite3.Connection, Event, Any], None]
    tables: tuple[str, ...]
    version: int = 1
    since: str = FIRST_PROGRAM
    timeline: Callable[[Any, TimelineNames], str] = _no_text
    older: tuple[OlderVersion, ...] = ()

    def versions(self) -> list[tuple[int, str]]:
        """(version, program that introduced it), oldest first."""
        return [(o.version, o.since) for o in self.older] + [(self.version, self.since)]

    def read(self, version: int, data: Mapping[str, Any]) -> p.Payload:
        """The stored payload of `version` as this version's structure, upgraded step by step."""
        if version == self.version:
            return msgspec.convert(data, self.payload)
        steps = [o for o in self.older if o.version >= version]
        if not steps or steps[0].version != version:
            raise KeyError(version)
        value: Any = msgspec.convert(data, steps[0].payload)
        for step in steps:
            value = step.upgrade(value)
        return value


# --- the upgrade steps -------------------------------------------------------------------------------------------
# Version 1 of a transition did not say the state it started from. The step derives it from the payload alone (never
# from clocks or other events): stage.advanced was only recorded from an open application at `from_position`, and a
# document was only collected while deferred; for the others the stage is not in the payload, so "unknown".


def _with_state(new: type[p.Payload], state: Callable[[Any], str]) -> Callable[[Any], p.Payload]:
    def upgrade(old: p.Payload) -> p.Payload:
        return new(**msgspec.structs.asdict(old), from_state=state(old))

    return upgrade


def _returned_v1(old: p.FieldReturnedV1) -> p.FieldReturned:
    # Version 1 ended the lease of the event's own application: no list of applications in the payload.
    return p.FieldReturned(**msgspec.structs.asdict(old), returned=None)


def _unknown(old: Any) -> str:
    return p.UNKNOWN


def _transition_v1(payload: type[p.Payload], new: type[p.Payload], state: Callable[[Any], str] = _unknown) -> tuple:
    return (OlderVersion(1, payload, FIRST_PROGRAM, _with_state(new, state)),)


# --- timeline texts ----------------------------------------------------------------------------------------------


def _decided_text(payload: p.ConflictDecided, names: TimelineNames) -> str:
    head = names.operators.get(payload.head, "站长")
    note = f"：{payload.note}" if payload.note else ""
    return f"站长 {head} 裁定冲突，搁置 {len(payload.set_aside)} 条{note}"


def _accepted_text(payload: p.ApplicationAccepted, names: TimelineNames) -> str:
    return f"{payload.application.number} {zh(INTAKE_MODES, payload.application.intake_mode)}"


def _collected_text(payload: p.DocumentCollected, names: TimelineNames) -> str:
    return f"补收 {names.documents.get(payload.document, '资料')}（{zh(COPY_KINDS, payload.copy_kind)}）"


def _override_text(override: p.Override | None, names: TimelineNames) -> str:
    if override is None:
        return ""
    head = names.operators.get(override.head, override.head)
    return f"站长 {head} 授权越过缺少的归档资料（{'、'.join(override.missing)}），理由：{override.reason}"


def _advanced_text(payload: p.StageAdvanced, names: TimelineNames) -> str:
    text = f"第 {payload.from_position} 环节 → 第 {payload.to_position} 环节"
    override = _override_text(payload.override, names)
    return f"{text}；{override}" if override else text


def _works_flagged_text(payload: p.WorksFlagged, names: TimelineNames) -> str:
    if payload.category == payload.previous_category:
        return f"时限类别“{payload.category_name}”不随配套工程改变，到期日 {payload.due_date}"
    return (
        f"时限类别由“{payload.previous_category_name}”改为“{payload.category_name}”（{payload.limit_days} 个工作日），"
        f"到期日由 {payload.previous_due_date} 改为 {payload.due_date}"
    )


def _inspection_text(payload: p.InspectionRecorded, names: TimelineNames) -> str:
    return "检验合格" if not payload.defects else f"{len(payload.defects)} 项缺陷：" + "；".join(payload.defects)


# --- the catalogue -----------------------------------------------------------------------------------------------

_APPLICATION_TABLES = ("applications", "documents", "stages")

KINDS: tuple[EventKind, ...] = (
    EventKind("station.initialized", "站点初始化", p.StationInitialized, projection.settings, ("settings",)),
    EventKind("settings.changed", "设置变更", p.SettingsChanged, projection.settings, ("settings",)),
    EventKind("operator.created", "新增操作员", p.OperatorCreated, projection.operator_created, ("operators",)),
    EventKind("operator.login", "登录", p.OperatorLogin, projection.operator_login, ("operators",)),
    EventKind("operator.login_failed", "PIN错误", p.OperatorLoginFailed, projection.operator_login_failed, ("operators",)),
    EventKind("operator.locked", "操作员锁定", p.OperatorLocked, projection.operator_locked, ("operators",)),
    EventKind(
        "application.accepted", "受理申请", p.ApplicationAccepted, projection.accepted, _APPLICATION_TABLES,
        timeline=_accepted_text,
    ),
    EventKind(
        "document.collected", "补收容缺资料", p.DocumentCollected, projection.document_collected, ("documents", "conflicts"),
        version=2, since=TRANSITIONS_PROGRAM, timeline=_collected_text,
        older=_transition_v1(p.DocumentCollectedV1, p.DocumentCollected, lambda old: "deferred"),
    ),
    EventKind(
        "stage.advanced", "进入下一环节", p.StageAdvanced, projection.stage_advanced, ("applications", "stages", "conflicts"),
        version=2, since=TRANSITIONS_PROGRAM, timeline=_advanced_text,
        older=_transition_v1(
            p.StageAdvancedV1, p.StageAdvanced, lambda old: p.application_state("open", old.from_position)
        ),
    ),
    EventKind(
        "deadline.recomputed", "重算期限", p.DeadlineRecomputed, projection.deadline_recomputed, ("applications",),
        timeline=lambda payload, names: f"期限改为 {payload.due_date}",
    ),
    EventKind(
        "application.paused", "暂停", p.ApplicationPaused, projection.paused, ("applications", "pauses", "conflicts"),
        version=2, since=TRANSITIONS_PROGRAM, timeline=lambda payload, names: payload.reason,
        older=_transition_v1(p.ApplicationPausedV1, p.ApplicationPaused),
    ),
    EventKind(
        "application.resumed", "恢复", p.ApplicationResumed, projection.resumed, ("applications", "pauses", "conflicts"),
        version=2, since=TRANSITIONS_PROGRAM,
        timeline=lambda payload, names: f"暂停 {payload.paused_workdays} 个工作日，期限顺延至 {payload.due_date}",
        older=_transition_v1(p.ApplicationResumedV1, p.ApplicationResumed),
    ),
    EventKind(
        "application.terminated", "终止", p.ApplicationTerminated, projection.terminated, ("applications", "conflicts"),
        version=2, since=TRANSITIONS_PROGRAM, timeline=lambda payload, names: payload.reason,
        older=_transition_v1(p.ApplicationTerminatedV1, p.ApplicationTerminated),
    ),
    EventKind(
        "application.connected", "装表送电", p.ApplicationConnected, projection.connected, ("applications", "stages", "conflicts"),
        version=2, since=TRANSITIONS_PROGRAM,
        older=_transition_v1(p.ApplicationConnectedV1, p.ApplicationConnected),
    ),
    EventKind(
        "application.closed", "归档", p.ApplicationClosed, projection.closed, ("applications", "conflicts"),
        version=2, since=TRANSITIONS_PROGRAM, timeline=lambda payload, names: _override_text(payload.override, names),
        older=_transition_v1(p.ApplicationClosedV1, p.ApplicationClosed),
    ),
    EventKind(
        "notice.issued", "出具告知书", p.NoticeIssued, projection.notice_issued, ("notices",),
        timeline=lambda payload, names: payload.serial,
    ),
    EventKind("notice.reprinted", "补打告知书", p.NoticeReprinted, projection.notice_reprinted, ("notices",)),
    EventKind(
        "reservation.registered", "登记预约", p.ReservationRegistered, projection.reservation_registered,
        ("reservations", "visits"),
    ),
    EventKind(
        "reservation.handled", "预约已派单/确认", p.ReservationHandled, projection.reservation_handled,
        ("reservations",),
    ),
    EventKind(
        "reservation.converted", "预约转为申请", p.ReservationConverted, projection.reservation_converted,
        ("reservations",), timeline=lambda payload, names: "由预约转为申请",
    ),
    EventKind(
        "visit.refused", "未受理来访", p.VisitRefused, projection.visit_refused, ("visits",),
        version=2, since=VISIT_FORM_PROGRAM,
        older=(OlderVersion(1, p.VisitRefusedV1, FIRST_PROGRAM, lambda old: p.VisitRefused(**msgspec.structs.asdict(old))),),
    ),
    EventKind(
        "archive.filed", "归档资料登记", p.ArchiveFiled, projection.archive_filed, ("archive_filed",),
        timeline=lambda payload, names: payload.item,
    ),
    EventKind(
        "inspection.recorded", "竣工检验", p.InspectionRecorded, projection.inspection_recorded,
        ("inspections", "inspection_defects"), timeline=_inspection_text,
    ),
    EventKind("ledger.imported", "导入台账", p.LedgerImported, projection.ledger_imported, ("imports",)),
    EventKind(
        "holidays.entered", "录入节假日安排", p.HolidaysEntered, projection.holidays_entered,
        ("holiday_days", "holiday_years"),
    ),
    EventKind("export.done", "导出完成", p.ExportDone, projection.export_done, ("exports",)),
    # Kept in the event log for the audit trail only: no table.
    EventKind("export.personal_data_included", "导出含个人信息", p.ExportPersonalDataIncluded, projection.audit_only, ()),
    EventKind("store.recovered", "数据库恢复", p.StoreRecovered, projection.audit_only, (), since="0.2.0"),
    EventKind(
        "device.registered", "登记外勤设备", p.DeviceRegistered, projection.device_registered, ("devices",),
        since=FIELD_PROGRAM, timeline=lambda payload, names: f"设备代码 {payload.code}",
    ),
    EventKind(
        "field.leased", "外勤借出", p.FieldLeased, projection.field_leased, ("leases",),
        since=FIELD_PROGRAM, timeline=lambda payload, names: f"借出到外勤设备 {payload.device_code}",
    ),
    EventKind(
        "field.returned", "外勤交回", p.FieldReturned, projection.field_returned, ("leases",),
        version=2, since=CHECKIN_PROGRAM,
        timeline=lambda payload, names: f"外勤设备 {payload.device_code} 交回，带回 {payload.events} 条事件",
        older=(OlderVersion(1, p.FieldReturnedV1, FIELD_PROGRAM, _returned_v1),),
    ),
    EventKind(
        "works.recorded", "登记配套工程", p.WorksRecorded, projection.works_recorded, ("supporting_works",),
        since=DUTIES_PROGRAM,
        timeline=lambda payload, names: (
            f"{payload.voltage}{payload.item}，项目经理 {payload.project_manager}，约定 {payload.contract_date} 完成"
        ),
    ),
    EventKind(
        "termination.reviewed", "终止审核", p.TerminationReviewed, projection.termination_reviewed,
        ("termination_reviews", "applications", "conflicts"), since=DUTIES_PROGRAM,
        timeline=lambda payload, names: "站长确认终止" if payload.outcome == "confirmed" else f"站长退回重办：{payload.reason}",
    ),
    EventKind(
        "followup.called", "回访", p.FollowupCalled, projection.followup_called, ("followup_calls",),
        since=DUTIES_PROGRAM, timeline=lambda payload, names: payload.said or ("已接通" if payload.reached else "未接通"),
    ),
    # Its handler as written records nothing of its own: the decision is the replay (conflicts.deciding) below.
    EventKind(
        "conflict.decided", "站长裁定冲突", p.ConflictDecided, projection.audit_only, conflicts.APPLICATION_TABLES,
        since=DECISION_PROGRAM, timeline=_decided_text,
    ),
    EventKind(
        "application.works_flagged", "改为有配套工程", p.WorksFlagged, projection.works_flagged,
        ("applications", "stages"), since=WORKS_CATEGORY_PROGRAM, timeline=_works_flagged_text,
    ),
)  # fmt: skip

# The handlers as written; every type but acceptance and the leases is guarded by the conflict check
# (store/conflicts.py), which re-projects an application in conflict through these. Leases are not the application's
# state: a replay leaves them as they are (a checkin ends many leases in one event of no application).
_HANDLERS = {kind.name: kind.project for kind in KINDS}
UNGUARDED = frozenset({"application.accepted", *conflicts.LEASE_TYPES})
KINDS = tuple(
    kind if kind.name in UNGUARDED
    else dataclasses.replace(kind, project=conflicts.deciding(_HANDLERS, lambda event: read(event)))
    if kind.name == "conflict.decided"
    else dataclasses.replace(kind, project=conflicts.guarded(kind.project, _HANDLERS, lambda event: read(event)))
    for kind in KINDS
)  # fmt: skip

CATALOGUE: dict[str, EventKind] = {kind.name: kind for kind in KINDS}
_BY_PAYLOAD: dict[type, EventKind] = {kind.payload: kind for kind in KINDS}


def kind_of(payload: p.Payload) -> EventKind:
    """The entry whose current structure `payload` is (a service records only current versions)."""
    kind = _BY_PAYLOAD.get(type(payload))
    if kind is None:
        raise TypeError(f"{type(payload).__name__} is not the current payload of any event type in the catalogue")
    return kind


def handler(type_: str) -> Callable[[sqlite3.Connection, Event, Any], None]:
    """The type's projection as written, without the conflict guard (store/batch.py checks the guard itself)."""
    return _HANDLERS[type_]


def labels() -> dict[str, str]:
    """Event type → Chinese label (the export's code list, the timeline)."""
    return {kind.name: kind.label for kind in KINDS}


def label(type_: str) -> str:
    kind = CATALOGUE.get(type_)
    return kind.label if kind else type_


def _release(text: str) -> tuple[int, ...]:
    return tuple(int(part) if part.isdigit() else 0 for part in text.split("."))


def _refusal(event: Event, what: str) -> UnknownEventError:
    where = f"无法读取事件 {event.uuid}（类型 {event.type}，版本 {event.version}）：{what}"
    if _release(event.needs_program) <= _release(__version__):
        # The event claims a program this one is not older than: not a newer program's event, a damaged one.
        return UnknownEventError(
            f"{where}，而事件标明的 station-tui {event.needs_program} 不比本程序新：事件日志已损坏。"
        )
    return UnknownEventError(
        f"{where}，需要 station-tui {event.needs_program} 或更新的版本（本程序是 {__version__}）。请先升级本程序。"
    )


def read(event: Event) -> p.Payload:
    """The event's payload as the current structure of its type. Refuses what this program does not know."""
    kind = CATALOGUE.get(event.type)
    if kind is None:
        raise _refusal(event, "本程序不认识这种事件")
    if event.version > kind.version:
        raise _refusal(event, f"本程序只认识到版本 {kind.version}")
    try:
        return kind.read(event.version, event.payload)
    except KeyError:
        raise UnknownEventError(
            f"事件 {event.uuid}（类型 {event.type}）的版本 {event.version} 不存在：事件日志已损坏。"
        ) from None
    except msgspec.ValidationError as exc:
        raise UnknownEventError(
            f"事件 {event.uuid}（类型 {event.type}，版本 {event.version}）的内容不符合定义：{exc}"
        ) from None


def decode(kind: EventKind, data: Mapping[str, Any]) -> p.Payload:
    """A payload of the current version, from its JSON form; a service's mistake (a wrong type) stops here."""
    try:
        return msgspec.convert(data, kind.payload)
    except msgspec.ValidationError as exc:
        raise TypeError(f"{kind.name}: {exc}") from exc


def apply(conn: sqlite3.Connection, event: Event) -> None:
    """Project one event (read and upgraded first, so an unreadable event changes nothing)."""
    payload = read(event)
    CATALOGUE[event.type].project(conn, event, payload)


def apply_all(conn: sqlite3.Connection, events: Iterable[Event]) -> int:
    count = 0
    for event in events:
        apply(conn, event)
        count += 1
    return count


def timeline_text(event: Event, names: TimelineNames) -> str:
    """One line saying what the event did, in the clerk's words ("" when the label says it all)."""
    return CATALOGUE[event.type].timeline(read(event), names)


def written_tables() -> set[str]:
    return {table for kind in KINDS for table in kind.tables}


def describe() -> list[dict[str, Any]]:
    """Every type as plain data, sorted by type: `station-tui events --catalogue --json` and the data dictionary."""
    return [
        {
            "type": kind.name,
            "label": kind.label,
            "version": kind.version,
            "needs_program": kind.since,
            "older_versions": [{"version": o.version, "needs_program": o.since} for o in kind.older],
            "fields": [f.encode_name for f in msgspec.structs.fields(kind.payload)],
            "tables": list(kind.tables),
        }
        for kind in sorted(KINDS, key=lambda k: k.name)
    ]


def describe_line(entry: Mapping[str, Any]) -> str:
    """One type in words: version, the older versions still read, the payload's fields, the tables written."""
    older = "、".join(f"版本 {o['version']}" for o in entry["older_versions"])
    reads = f"（也读取{older}，经升级步骤）" if older else ""
    tables = "、".join(entry["tables"]) or "无（只记入事件日志）"
    return (
        f"内容版本 {entry['version']}{reads}，需要 station-tui {entry['needs_program']} 或更新；"
        f"字段：{'、'.join(entry['fields']) or '无'}；写入的表：{tables}"
    )


__all__ = [
    "CATALOGUE",
    "KINDS",
    "EventKind",
    "TimelineNames",
    "UnknownEventError",
    "apply",
    "apply_all",
    "describe",
    "kind_of",
    "label",
    "labels",
    "read",
    "timeline_text",
]
