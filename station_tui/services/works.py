"""Supporting grid works (配套工程, seed 004 三(二)3): recorded on an application with the limit the station's profile
gives for its kind, a project manager (双经理负责制), and an agreed completion date that may not be later than the
customer's own works (契约制: 不得晚于客户工程完成时间). The works' due date is the limit counted in working days on
the station's calendar from the day after the works are recorded (the same counting as an application's limit)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from station_tui.domain.deadlines import due_date
from station_tui.domain.errors import StationError
from station_tui.domain.profiles import SupportingWorksLimit
from station_tui.domain.timeutil import local_date
from station_tui.services.applications import application_row
from station_tui.services.station import Station
from station_tui.store import payloads as ev


def kind_name(kind: SupportingWorksLimit) -> str:
    return f"{kind.voltage}/{kind.item}"


def works_kinds(station: Station) -> list[SupportingWorksLimit]:
    """The profile's 配套工程建设时限表 (empty where the station's document sets none)."""
    return list(station.profile.supporting_works)


def find_kind(station: Station, name: str) -> SupportingWorksLimit:
    """A kind by "电压/项目" (as `works kinds` prints it)."""
    kinds = works_kinds(station)
    if not kinds:
        raise StationError(f"本站策略（{station.profile.name}）没有配套工程建设时限表，无法登记配套工程")
    for kind in kinds:
        if kind_name(kind) == name.strip():
            return kind
    raise StationError(f"配套工程类型“{name}”不在本站的时限表中，可选：{'、'.join(kind_name(k) for k in kinds)}")


def _day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise StationError(f"{what}“{text}”不是日期，请写成 YYYY-MM-DD") from None


@dataclass(frozen=True)
class WorksRow:
    uuid: str
    application: str
    number: str
    kind: str
    project_manager: str
    limit: int
    contract_date: str
    customer_completion: str
    due_date: str
    due_estimated: bool
    recorded_at: str


def record_works(
    station: Station,
    application: str,
    *,
    kind: str,
    project_manager: str,
    contract_date: str,
    customer_completion: str,
    operator: str,
    at: datetime | None = None,
) -> WorksRow:
    """Record the works; refuses a contract date after the customer's completion, and finished applications."""
    app = application_row(station, application)
    if app["status"] not in ("open", "paused"):
        raise StationError(f"申请 {app['number']} 已办结，不能登记配套工程")
    found = find_kind(station, kind)
    if not project_manager.strip():
        raise StationError("请写明配套工程的项目经理")
    contract = _day(contract_date, "配套工程约定完成时间")
    completion = _day(customer_completion, "客户工程计划完成时间")
    if contract > completion:
        raise StationError(
            f"配套工程约定完成时间 {contract} 晚于客户工程完成时间 {completion}：配套工程完成时间不得晚于客户工程完成时间"
        )
    now = at or station.store.clock()
    due = due_date(station.calendar, local_date(now), found.limit)
    payload = ev.WorksRecorded(
        works=str(uuid.uuid4()), voltage=found.voltage, item=found.item, project_manager=project_manager.strip(),
        limit=found.limit, contract_date=contract.isoformat(), customer_completion=completion.isoformat(),
        due_date=due.date.isoformat(), due_estimated=due.estimated,
    )  # fmt: skip
    station.store.record(payload, application=application, operator=operator, simulated_at=at)
    return next(r for r in list_works(station, application) if r.uuid == payload.works)


def list_works(station: Station, application: str | None = None) -> list[WorksRow]:
    """Works of one application, or of all, soonest due first."""
    where, params = ("WHERE w.application = ?", (application,)) if application else ("", ())
    rows = station.store.rows(
        "SELECT w.*, a.number FROM supporting_works w JOIN applications a ON a.uuid = w.application "
        f"{where} ORDER BY w.due_date, a.number",
        params,
    )
    return [
        WorksRow(
            r["uuid"],
            r["application"],
            r["number"],
            f"{r['voltage']}/{r['item']}",
            r["project_manager"],
            r["limit_days"],
            r["contract_date"],
            r["customer_completion"],
            r["due_date"],
            bool(r["due_estimated"]),
            r["recorded_at"],
        )  # fmt: skip
        for r in rows
    ]
