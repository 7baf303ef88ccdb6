"""One-time notices (一次告知书): issue with a serial number, keep what was told, reprint, correct, list.

- Serial: ``<station>-<year>-<device>-<nnnnn>``, counted per station, year and device inside the transaction that
  records the notice (BEGIN IMMEDIATE), so two processes never get the same number and no number is skipped; a field
  laptop with another device code numbers its own series, so merged notices stay unique.
- The content (domain/notice_content.py) is rendered once, at issue, and stored in the event: a reprint prints that
  stored content marked 补打 with its count, whatever the application says today. A correction is a new notice naming
  the one it replaces; the old one stays as it was.
- Every character is checked against the font before anything is recorded: a notice that cannot print is never issued.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from station_tui.domain import notice_content
from station_tui.domain.errors import StationError
from station_tui.domain.glossary import NOTICE_KINDS
from station_tui.domain.notice_content import Contacts, RequiredDocument
from station_tui.domain.timeutil import from_iso, local_date
from station_tui.services.applications import application_view, find_by_number, operator_names
from station_tui.services.station import Station, station_contact
from station_tui.services.works import list_works
from station_tui.store import catalogue
from station_tui.store import payloads as ev

KIND_NAMES = NOTICE_KINDS


@dataclass(frozen=True)
class Notice:
    uuid: str
    serial: str
    kind: str
    application: str | None
    content: dict
    issued_at: str
    operator: str  # name, "" when issued from the command line
    replaces: str | None
    reprints: int
    replaced_by: str | None = None  # serial of the correction, when there is one

    @property
    def kind_zh(self) -> str:
        return KIND_NAMES.get(self.kind, self.kind)

    @property
    def application_number(self) -> str:
        return self.content.get("application_number") or ""

    @property
    def customer(self) -> str:
        for section in self.content["sections"][:1]:
            for label, value in section.get("fields", []):
                if label == "客户名称":
                    return value
        return ""


def _kind(kind: str) -> str:
    if kind not in notice_content.KINDS:
        raise StationError(
            f"告知书种类应为 acceptance（受理）、refusal（未受理）或 inspection（竣工检验），不是 {kind}"
        )
    return kind


# --- reading the application -----------------------------------------------------------------------------------


def _operator_name(station: Station, operator_id: str | None) -> str:
    return operator_names(station).get(operator_id or "", "")


def contacts(station: Station) -> Contacts:
    profile, here = station.profile, station_contact(station)
    return Contacts(
        company=profile.company,
        station=station.station_name,
        hotlines=[(h.name, h.number) for h in profile.hotlines],
        online_channels=list(profile.online_channels),
        fee_statement=profile.fee_statement,
        phone_to_work_order_minutes=profile.reservation.phone_to_work_order_minutes,
        online_confirm_hours=profile.reservation.online_confirm_hours,
        station_address=here.address,
        station_phone=here.phone,
        station_hours=here.hours,
    )


def latest_inspection(station: Station, application: str) -> tuple[list[str], datetime, str]:
    """The defects of the application's latest completion inspection, when and by whom it was recorded."""
    found = [e for e in station.store.events(application) if e.type == "inspection.recorded"]
    if not found:
        raise StationError("这件申请还没有录入竣工检验结果：请先在申请页录入检验发现的问题")
    event = found[-1]
    defects = list(catalogue.read(event).defects)
    return defects, from_iso(event.recorded_at), _operator_name(station, event.operator)


def business_type_id(station: Station, text: str) -> str:
    """A business type by its code (lv_resident) or its Chinese name (低压居民新装)."""
    wanted = text.strip()
    for business in station.checklists.business_types:
        if wanted in (business.id, business.name):
            return business.id
    names = "、".join(b.name for b in station.checklists.business_types)
    raise StationError(f"没有业务类型「{wanted}」，可选：{names}")


def _required(spec) -> RequiredDocument:  # noqa: ANN001
    return RequiredDocument(spec.name, list(spec.forms), spec.copy, spec.note)


# --- building the content --------------------------------------------------------------------------------------


def build_content(
    station: Station,
    kind: str,
    *,
    serial: str,
    issued_at: datetime,
    application: str | None = None,
    business_type: str | None = None,
    customer_name: str = "",
    operator: str | None = None,
) -> dict:
    """The notice's content as of now (a draft when serial is DRAFT_SERIAL)."""
    kind = _kind(kind)
    if kind == "refusal":
        return _refusal_content(station, business_type, application, customer_name, operator, serial, issued_at)
    if application is None:
        raise StationError(f"{KIND_NAMES[kind]}须针对一件申请：请先输入申请编号")
    view = application_view(station, application)
    if kind == "acceptance":
        lines = _works_lines(station, application)
        return notice_content.acceptance(view, contacts(station), serial=serial, issued_at=issued_at, works=lines)
    defects, inspected_at, inspector = latest_inspection(station, application)
    return notice_content.inspection(
        view,
        defects,
        contacts(station),
        inspected_at=inspected_at,
        inspector=inspector,
        serial=serial,
        issued_at=issued_at,
    )


def _works_lines(station: Station, application: str) -> list[notice_content.WorksLine]:
    return [
        notice_content.WorksLine(
            w.kind, w.project_manager, w.limit, date.fromisoformat(w.contract_date),
            date.fromisoformat(w.customer_completion), date.fromisoformat(w.due_date), w.due_estimated,
        )  # fmt: skip
        for w in list_works(station, application)
    ]


def _refusal_content(
    station: Station,
    business_type: str | None,
    application: str | None,
    customer_name: str,
    operator: str | None,
    serial: str,
    issued_at: datetime,
) -> dict:
    if business_type is None and application is not None:
        rows = station.store.rows(
            "SELECT business_type, customer_name FROM applications WHERE uuid = ?", (application,)
        )
        if rows:
            business_type = rows[0]["business_type"]
            customer_name = customer_name or rows[0]["customer_name"]
    if business_type is None:
        raise StationError("未受理告知须说明业务类型")
    lists = station.checklists
    business = lists.business_type(business_type_id(station, business_type))
    extra = []
    if business.agent_documents:
        extra.append(("委托他人办理的，另需", [_required(lists.document(k)) for k in lists.agent_documents]))
    if business.voltage == "high":
        extra.append(("重要客户另需", [_required(lists.document(k)) for k in lists.important_documents]))
    content = notice_content.refusal(
        business.name,
        lists.primary_document(business.id).name,
        [_required(spec) for spec in lists.base_documents(business.id)],
        extra,
        contacts(station),
        serial=serial,
        issued_at=issued_at,
        customer_name=customer_name.strip(),
        received_by=_operator_name(station, operator),
    )
    content["business_type"] = business.id
    return content


# --- issuing, reprinting, correcting ---------------------------------------------------------------------------


def serial_prefix(station: Station, year: int) -> str:
    return f"{station.station_code}-{year}-{station.store.device_code}-"


def _next_serial(station: Station, year: int) -> str:
    prefix = serial_prefix(station, year)
    # Counted inside the recording transaction: numbers are never skipped nor repeated.
    count = station.store.one(
        "SELECT count(*) FROM notices WHERE serial >= ? AND serial < ?", (prefix, prefix + "\uffff")
    )
    return f"{prefix}{count + 1:05d}"


def draft(
    station: Station,
    kind: str,
    *,
    application: str | None = None,
    business_type: str | None = None,
    customer_name: str = "",
    operator: str | None = None,
    replaces: str | None = None,
) -> dict:
    """What the notice would say if issued now (for the preview), without a number and without recording."""
    content = build_content(
        station,
        kind,
        serial=notice_content.DRAFT_SERIAL,
        issued_at=station.store.clock(),
        application=application,
        business_type=business_type,
        customer_name=customer_name,
        operator=operator,
    )
    if replaces is not None:
        content["replaces_serial"] = get_notice(station, replaces).serial
    return content


def issue(
    station: Station,
    kind: str,
    *,
    application: str | None = None,
    business_type: str | None = None,
    customer_name: str = "",
    operator: str | None = None,
    replaces: str | None = None,
) -> Notice:
    """Number the notice, render its content and record it, in one transaction."""
    from station_tui.services.pdf import check_printable

    store = station.store
    notice_id = str(uuid.uuid4())
    with store.transaction():
        now = store.clock()
        serial = _next_serial(station, local_date(now).year)
        content = build_content(
            station,
            kind,
            serial=serial,
            issued_at=now,
            application=application,
            business_type=business_type,
            customer_name=customer_name,
            operator=operator,
        )
        if replaces is not None:
            content["replaces_serial"] = get_notice(station, replaces).serial
        check_printable(content)
        store.record(
            ev.NoticeIssued(
                notice=notice_id,
                serial=serial,
                kind=kind,
                content=json.dumps(content, ensure_ascii=False, sort_keys=True),
                replaces=replaces,
            ),
            application=application,
            operator=operator,
        )
    return get_notice(station, notice_id)


def reprint(station: Station, notice: str, *, operator: str | None = None) -> Notice:
    """Record one more printing of an issued notice; it prints with its stored content, marked 补打 (n)."""
    found = get_notice(station, notice)
    station.store.record(ev.NoticeReprinted(notice=found.uuid), application=found.application, operator=operator)
    return get_notice(station, notice)


def correct(station: Station, notice: str, *, operator: str | None = None) -> Notice:
    """A new notice, as of today's data, that names the one it replaces."""
    old = get_notice(station, notice)
    if old.replaced_by:
        raise StationError(f"第 {old.serial} 号已由第 {old.replaced_by} 号更正：请更正最新的那一份")
    return issue(
        station,
        old.kind,
        application=old.application,
        business_type=old.content.get("business_type"),
        customer_name=old.customer,
        operator=operator,
        replaces=old.uuid,
    )


def issue_or_reprint(station: Station, number: str, kind: str, *, operator: str | None = None) -> tuple[Notice, bool]:
    """What `station-tui notice` does: issue when the application has no notice of this kind yet, else reprint the
    current one (the newest not replaced). Returns the notice and whether it was a reprint."""
    application = find_by_number(station, number)
    current = current_notice(station, application, _kind(kind))
    if current is None:
        return issue(station, kind, application=application, operator=operator), False
    return reprint(station, current.uuid, operator=operator), True


# --- listing -----------------------------------------------------------------------------------------------------

_SELECT = """SELECT n.uuid, n.serial, n.kind, n.application, n.content, n.issued_at, coalesce(o.name, '') AS operator,
                    n.replaces, n.reprints
             FROM notices n LEFT JOIN operators o ON o.uuid = n.operator"""


def _notices(station: Station, where: str = "", params: tuple = (), limit: int | None = None) -> list[Notice]:
    sql = f"{_SELECT} {where} ORDER BY n.issued_at DESC, n.serial DESC"
    if limit is not None:
        sql += f" LIMIT {int(limit)}"
    rows = station.store.rows(sql, params)
    if not rows:
        return []
    ids = [r["uuid"] for r in rows]
    marks = ", ".join("?" * len(ids))
    replaced = {
        r["replaces"]: r["serial"]
        for r in station.store.rows(f"SELECT replaces, serial FROM notices WHERE replaces IN ({marks})", tuple(ids))
    }
    return [Notice(**{**r, "content": json.loads(r["content"])}, replaced_by=replaced.get(r["uuid"])) for r in rows]


def get_notice(station: Station, notice: str) -> Notice:
    found = _notices(station, "WHERE n.uuid = ? OR n.serial = ?", (notice, notice))
    if not found:
        raise StationError(f"没有这份告知书：{notice}")
    return found[0]


def current_notice(station: Station, application: str, kind: str) -> Notice | None:
    """The application's notice of this kind that has not been replaced, if any."""
    for notice in _notices(station, "WHERE n.application = ? AND n.kind = ?", (application, kind)):
        if notice.replaced_by is None:
            return notice
    return None


def list_notices(station: Station, *, application: str | None = None, limit: int | None = 500) -> list[Notice]:
    """Notices issued, newest first (one application's when given)."""
    if application is not None:
        return _notices(station, "WHERE n.application = ?", (application,), limit)
    return _notices(station, limit=limit)


# --- output --------------------------------------------------------------------------------------------------------

FORMATS = ("pdf", "txt")


def render(notice: Notice, fmt: str = "pdf", width: int = 48) -> bytes:
    """The stored content laid out as a PDF or as receipt text (UTF-8), marked 补打 when it is a reprint."""
    if fmt == "pdf":
        from station_tui.services import pdf

        return pdf.render(notice.content, notice.reprints)
    if fmt == "txt":
        from station_tui.domain import receipt

        if width not in receipt.WIDTHS:
            raise StationError(f"小票宽度只能是 32 或 48 列，不是 {width}")
        return receipt.render(notice.content, width, notice.reprints).encode("utf-8")
    raise StationError(f"格式只能是 pdf 或 txt，不是 {fmt}")


def notices_folder(station: Station):  # noqa: ANN201 - Path
    """Where printed notices are kept as files: beside the database, in notices/."""
    return station.store.path.parent / "notices"


def default_file(station: Station, notice: Notice, fmt: str = "pdf"):  # noqa: ANN201 - Path
    suffix = f"-补打{notice.reprints}" if notice.reprints else ""
    return notices_folder(station) / f"{notice.serial}{suffix}.{fmt}"


def save_notice(station: Station, notice: Notice, fmt: str = "pdf", width: int = 48, path=None):  # noqa: ANN001, ANN201
    from station_tui.services.printing import save

    target = path if path is not None else default_file(station, notice, fmt)
    try:
        return save(render(notice, fmt, width), target)
    except OSError as exc:
        raise StationError(f"无法写入 {target}：{exc.strerror or exc}。告知书已出具，可稍后补打。") from exc


def print_notice(station: Station, notice: Notice):  # noqa: ANN201 - PrintOutcome
    """Save the PDF and send it to the printer; a printer problem is in the outcome's message, never raised."""
    from station_tui.services.printing import send_to_printer

    return send_to_printer(save_notice(station, notice, "pdf"))
