"""Supporting grid works (配套工程, seed 004 三(二)3): recorded on an application with the limit the station's profile
gives for its kind, a project manager (双经理负责制), and an agreed completion date that may not be later than the
customer's own works (契约制: 不得晚于客户工程完成时间). The works' due date is the limit counted in working days on
the station's calendar from the day after the works are recorded (the same counting as an application's limit).

The first works recorded on an application accepted without them (有配套工程 not ticked at the counter) set the flag
and let the application's profile choose its category again (seed 004 三(二)1: 低压无配套工程 ≤2, 有配套工程 ≤5 working
days): the new limit, the due date (services.calendar.application_due, domain.deadlines' one rule, with the finished
pauses) and the stages' limits travel in one application.works_flagged event, in the same transaction as the works.
Where the profile's category does not depend on works (10 kV and above, 小微, every profile but 邾县's) the flag is
set and the category and due date stay. Works are never removed (no event does it): the category stays with works."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime

from station_tui.domain.deadlines import due_date
from station_tui.domain.errors import StationError
from station_tui.domain.profiles import ApplicationAttributes, Category, Profile, SupportingWorksLimit
from station_tui.domain.timeutil import local_date
from station_tui.services.applications import application_row
from station_tui.services.calendar import application_due, finished_pauses
from station_tui.services.station import Station
from station_tui.store import payloads as ev
from station_tui.store.catalogue import TimelineNames, timeline_text


def kind_name(kind: SupportingWorksLimit) -> str:
    return f"{kind.voltage}/{kind.item}"


def works_kinds(station: Station) -> list[SupportingWorksLimit]:
    """The profile's 配套工程建设时限表 (empty where the station's document sets none)."""
    return list(station.profile.supporting_works)


LOW_VOLTAGE = "低压"
# The table's two low-voltage rows (seed 004): which one fits follows from the application's 小微企业 flag.
SMALL_MICRO_ITEMS = {True: "小微企业", False: "非小微企业"}


def kinds_for(station: Station, app: dict) -> list[SupportingWorksLimit]:
    """The kinds of the table that fit an application (an applications row): its voltage class (低压 or above), and
    for 低压 the 小微企业 row or the other by its flag, so that a resident never gets a small business's 13 days.
    Where the table has no row for the application's class (乌海's names only 10 kV works), every row is offered."""
    kinds = works_kinds(station)
    low = app["voltage"] == "low"
    fitting = [k for k in kinds if (k.voltage == LOW_VOLTAGE) == low]
    if low:
        other = SMALL_MICRO_ITEMS[not app["small_micro"]]
        fitting = [k for k in fitting if k.item != other]
    return fitting or kinds


def find_kind(station: Station, name: str, app: dict | None = None) -> SupportingWorksLimit:
    """A kind by "电压/项目" (as `works kinds` prints it); with `app`, one that fits that application."""
    kinds = works_kinds(station)
    if not kinds:
        raise StationError(f"本站策略（{station.profile.name}）没有配套工程建设时限表，无法登记配套工程")
    fitting = kinds_for(station, app) if app is not None else kinds
    for kind in kinds:
        if kind_name(kind) != name.strip():
            continue
        if kind not in fitting:
            raise StationError(
                f"配套工程类型“{name}”不适用于申请 {app['number']}（{_class_words(app)}），"
                f"可选：{'、'.join(kind_name(k) for k in fitting)}"
            )
        return kind
    raise StationError(f"配套工程类型“{name}”不在本站的时限表中，可选：{'、'.join(kind_name(k) for k in fitting)}")


def _class_words(app: dict) -> str:
    if app["voltage"] != "low":
        return "高压"
    return "低压，" + ("小微企业" if app["small_micro"] else "非小微企业")


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
    status: str  # the application's: only an open or paused application's works still count down
    # Only on the row record_works returns: what the works changed in the application's category, in words.
    category_change: str = ""


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
    found = find_kind(station, kind, app)
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
    change = ""
    with station.store.transaction():
        station.store.record(payload, application=application, operator=operator, simulated_at=at)
        current = application_row(station, application)
        if not current["supporting_works"]:
            flagged = works_flagged(station, current, payload.works)
            event = station.store.record(flagged, application=application, operator=operator, simulated_at=at)
            change = timeline_text(event, TimelineNames())
    row = next(r for r in list_works(station, application) if r.uuid == payload.works)
    return replace(row, category_change=change)


def _application_profile(station: Station, app: dict) -> Profile | None:
    loaded = station.profiles.get(app["profile"])
    return loaded.profile if loaded is not None else None


def _category_with_works(station: Station, profile: Profile, app: dict) -> Category:
    """The category the application's profile chooses for it once it has supporting works."""
    attrs = ApplicationAttributes(
        business_type=app["business_type"], voltage=app["voltage"],
        resident=station.checklists.business_type(app["business_type"]).resident,
        small_micro=bool(app["small_micro"]), three_zero=bool(app["three_zero"]), supporting_works=True,
        dual_supply=bool(app["dual_supply"]), important=bool(app["important"]),
        distribution_upgrade=bool(app["distribution_upgrade"]),
    )  # fmt: skip
    return profile.category_for(attrs)


def works_flagged(station: Station, app: dict, works: str) -> ev.WorksFlagged:
    """What recording the first works changes on `app` (an applications row): the flag, and the category, limit, due
    date and stage limits its profile gives an application with works. The category stays where the profile's rules
    do not depend on works, or where the profile the application was accepted under is no longer installed."""
    profile = _application_profile(station, app)
    old_name = profile.category(app["category"]).name if profile is not None else app["category"]
    category = _category_with_works(station, profile, app) if profile is not None else None
    stages = _stage_rows(station, app["uuid"])
    if category is None or category.id == app["category"]:
        new_name, limit, unit = old_name, app["limit_days"], app["limit_unit"]
        due, estimated = app["due_date"], bool(app["due_estimated"])
        stage_limits = [r["limit_days"] for r in stages]
    else:
        new_name, limit, unit = category.name, category.limit, category.unit
        found = application_due(station, {**app, "limit_days": limit, "limit_unit": unit},
                                finished_pauses(station, app["uuid"]))  # fmt: skip
        due, estimated = found.date.isoformat(), found.estimated
        # A stage keeps its place; it takes the limit of the new category's stage of the same name (else its own).
        limits = {stage.name: stage.limit for stage in category.stages}
        stage_limits = [limits.get(r["name"], r["limit_days"]) for r in stages]
    return ev.WorksFlagged(
        works=works, category=category.id if category else app["category"], category_name=new_name,
        limit_days=limit, limit_unit=unit, due_date=due, due_estimated=estimated, stage_limits=stage_limits,
        previous_category=app["category"], previous_category_name=old_name, previous_limit_days=app["limit_days"],
        previous_due_date=app["due_date"],
    )  # fmt: skip


def _stage_rows(station: Station, application: str) -> list:
    return station.store.rows(
        "SELECT name, limit_days FROM stages WHERE application = ? ORDER BY position", (application,)
    )


def list_works(station: Station, application: str | None = None, *, open_only: bool = False) -> list[WorksRow]:
    """Works of one application, or of all (`open_only`: of the open and paused applications, whose works still count
    down), soonest due first."""
    clauses, params = [], []
    if application:
        clauses.append("w.application = ?")
        params.append(application)
    if open_only:
        clauses.append("a.status IN ('open', 'paused')")
    where = f"WHERE {' AND '.join(clauses)} " if clauses else ""
    rows = station.store.rows(
        "SELECT w.*, a.number, a.status FROM supporting_works w JOIN applications a ON a.uuid = w.application "
        f"{where}ORDER BY w.due_date, a.number",
        tuple(params),
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
            r["status"],
        )  # fmt: skip
        for r in rows
    ]
