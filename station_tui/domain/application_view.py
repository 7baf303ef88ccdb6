"""One application as everything that shows it reads it: the application screen, `station-tui show`, the notices
(notice_content lays them out from it) and the countdown (which opens the application screen).

The service `services.applications.application_view` fills it from the projection in one go, with the due dates
computed by domain.deadlines; here it is plain data with the Chinese words each reader needs, so no reader looks an
operator, a category or a business type up again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from station_tui.domain.glossary import (
    APPLICATION_STATUSES,
    CHANNELS,
    COPY_KINDS,
    DOCUMENT_STATUSES,
    INTAKE_MODES,
    LIMIT_UNITS,
    VOLTAGES,
    zh,
)

MARK_SYMBOLS = {"required": "√", "when_applicable": "△"}
# Archive item states on screen.
ARCHIVE_STATES = {"filed": "已归档", "missing": "缺", "not_applicable": "不适用"}


@dataclass(frozen=True)
class DocumentRow:
    name: str
    status: str  # received / deferred / collected
    form: str | None = None
    copy_kind: str | None = None
    assigned_to: str = ""  # the customer manager who collects a deferred document (name)
    collect_at_stage: str = ""  # when: the stage at which it is collected (现场勘查)
    uuid: str = ""
    key: str = ""
    received_at: str | None = None
    collected_at: str | None = None
    collected_by: str | None = None

    @property
    def status_zh(self) -> str:
        return zh(DOCUMENT_STATUSES, self.status)

    @property
    def copy_zh(self) -> str:
        return zh(COPY_KINDS, self.copy_kind)


@dataclass(frozen=True)
class StageRow:
    name: str
    limit_days: int | None = None
    customer_side: bool = False
    position: int = 0
    started_at: str | None = None
    finished_at: str | None = None
    due: date | None = None  # when the stage has its own limit and has started
    due_estimated: bool = False


@dataclass(frozen=True)
class EventRow:
    recorded_at: str
    type: str
    type_zh: str
    operator: str
    summary: str
    simulated: bool


@dataclass(frozen=True)
class NoticeRow:
    uuid: str
    serial: str
    kind: str
    issued_at: str
    operator: str
    reprints: int


@dataclass(frozen=True)
class ArchiveItemRow:
    stage: str
    name: str
    mark: str  # √ or △
    state: str  # filed / missing / not_applicable
    filed_at: str | None
    filed_by: str | None
    linked: bool  # filed through the application's documents, not by hand

    @property
    def blocking(self) -> bool:
        return self.mark == "√" and self.state == "missing"


@dataclass(frozen=True)
class ArchiveStageRow:
    id: str
    name: str
    items: list[ArchiveItemRow]

    @property
    def missing(self) -> list[str]:
        return [item.name for item in self.items if item.blocking]


@dataclass(frozen=True)
class InspectionRow:
    uuid: str
    recorded_at: str
    operator: str
    defects: list[str]


@dataclass(frozen=True)
class ApplicationView:
    number: str
    accepted_at: str  # ISO 8601, as recorded
    business_name: str  # 低压居民新装
    intake_mode: str
    customer_name: str
    id_type: str
    id_number: str
    phone: str
    address: str
    capacity_kw: float
    voltage: str
    category: str  # the profile's name for the time-limit category
    limit_days: int
    limit_unit: str
    due_date: date
    due_estimated: bool
    customer_manager: str = ""  # name
    manager_phone: str = ""
    accepted_by: str = ""  # name
    documents: list[DocumentRow] = field(default_factory=list)
    stages: list[StageRow] = field(default_factory=list)
    uuid: str = ""
    business_type: str = ""  # the code: lv_resident
    status: str = "open"
    channel: str = "counter"
    small_micro: bool = False
    three_zero: bool = False
    flags_reason: str = ""
    current_stage: int = 1
    paused_at: str | None = None
    pause_reason: str | None = None
    finished_at: str | None = None
    finish_reason: str | None = None
    origin: str = "counter"
    simulated: bool = False
    archive: list[ArchiveStageRow] = field(default_factory=list)
    events: list[EventRow] = field(default_factory=list)
    notices: list[NoticeRow] = field(default_factory=list)
    inspections: list[InspectionRow] = field(default_factory=list)
    # The end of the stage the deferred documents are collected at (现场勘查), where the profile gives it a limit.
    collect_by: date | None = None
    collect_by_estimated: bool = False

    @property
    def mode_zh(self) -> str:
        return zh(INTAKE_MODES, self.intake_mode)

    @property
    def status_zh(self) -> str:
        return zh(APPLICATION_STATUSES, self.status)

    @property
    def voltage_zh(self) -> str:
        return zh(VOLTAGES, self.voltage)

    @property
    def channel_zh(self) -> str:
        return zh(CHANNELS, self.channel)

    @property
    def unit_zh(self) -> str:
        return zh(LIMIT_UNITS, self.limit_unit)

    @property
    def limit_text(self) -> str:
        return f"{self.limit_days} 个{self.unit_zh}"

    @property
    def due_text(self) -> str:
        return f"{self.due_date.isoformat()}{'（估算）' if self.due_estimated else ''}"

    @property
    def deferred_documents(self) -> list[DocumentRow]:
        return [doc for doc in self.documents if doc.status == "deferred"]

    @property
    def deferred_due(self) -> date | None:
        """Deferred documents are collected at the site survey: by the end of the stage it belongs to where the profile
        gives that stage a limit (`collect_by`), else by the application's due date."""
        if not self.deferred_documents:
            return None
        return self.collect_by or self.due_date

    @property
    def deferred_due_estimated(self) -> bool:
        return self.collect_by_estimated if self.collect_by else self.due_estimated

    @property
    def stage_name(self) -> str:
        return next((stage.name for stage in self.stages if stage.position == self.current_stage), "")
