"""What a one-time notice (一次告知书) says, as structured data: pure functions from the application's read model
(domain.application_view) to a JSON-able dict.

The dict is what the service stores as issued and what both renderers (A4 PDF, receipt text) lay out, so a reprint
says exactly what was told, whatever the application looks like today. Personal data is masked here, once: the full
identity number never enters a notice.

Shape (version 1)::

    {"version": 1, "kind": "acceptance" | "refusal" | "inspection", "title": str, "company": str, "station": str,
     "serial": str, "issued_at": ISO 8601, "date": "2026年11月23日", "application_number": str | None,
     "replaces_serial": str | None,
     "sections": [{"heading": str, "fields": [[label, value], ...], "items": [str, ...], "paragraphs": [str, ...]}],
     "commitment": str | None, "signatures": [[label, printed name or ""], ...]}

A section carries any of fields, items and paragraphs (in that order when printed).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from station_tui.domain.application_view import ApplicationView, DocumentRow, StageRow
from station_tui.domain.glossary import COPY_KINDS, INTAKE_MODES, VOLTAGES, zh
from station_tui.domain.masking import mask_id, mask_phone
from station_tui.domain.timeutil import from_iso, to_iso

CONTENT_VERSION = 1
KINDS = ("acceptance", "refusal", "inspection")
ESTIMATE_MARK = "（估算）"
ESTIMATE_NOTE = "标“估算”的日期所在年度的节假日安排尚未公布，按规则估算；正式安排公布后以实际为准。"
DRAFT_SERIAL = "（出具时编号）"


@dataclass(frozen=True)
class Contacts:
    """The company's and station's contacts, from the policy profile and the settings."""

    company: str
    station: str
    hotlines: list[tuple[str, str]]
    online_channels: list[str]
    fee_statement: str
    phone_to_work_order_minutes: int = 20
    online_confirm_hours: int = 18
    # The station's own, as the 站长 set them in 设置 ("" until then: the notice then leaves the section out).
    station_address: str = ""
    station_phone: str = ""
    station_hours: str = ""


@dataclass(frozen=True)
class RequiredDocument:
    """One document of a business type's full list, with every form it may take."""

    name: str
    forms: list[str]
    copy: str  # original / copy / original_and_copy
    note: str = ""


@dataclass(frozen=True)
class WorksLine:
    """Supporting grid works recorded on the application (配套工程): what the company agreed with the customer."""

    kind: str  # "电压/项目" as the profile's table names it
    project_manager: str
    limit: int  # working days
    contract_date: date  # the agreed completion (契约制)
    customer_completion: date  # the customer's own works, which the agreed date may not be later than
    due: date  # the limit's due date (限时制)
    due_estimated: bool


# The last words above the customer's signature: what the signature says.
ACKNOWLEDGED = {"heading": "客户确认", "paragraphs": ["已知悉以上内容。"]}


def _day(value: date) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _moment(value: datetime) -> str:
    return f"{_day(value)} {value:%H:%M}"


def _due(value: date, estimated: bool) -> str:
    return _day(value) + (ESTIMATE_MARK if estimated else "")


def _capacity(kw: float) -> str:
    return f"{kw:g} 千瓦"


def _header(kind: str, title: str, contacts: Contacts, serial: str, issued_at: datetime) -> dict:
    return {
        "version": CONTENT_VERSION,
        "kind": kind,
        "title": title,
        "company": contacts.company,
        "station": contacts.station,
        "serial": serial,
        "issued_at": to_iso(issued_at),
        "date": _day(issued_at.date()),
        "application_number": None,
        "replaces_serial": None,
        "sections": [],
        "commitment": None,
        "signatures": [],
    }


def _section(heading: str, *, fields=None, items=None, paragraphs=None) -> dict:  # noqa: ANN001
    section: dict = {"heading": heading}
    if fields:
        section["fields"] = [[label, value] for label, value in fields]
    if items:
        section["items"] = list(items)
    if paragraphs:
        section["paragraphs"] = list(paragraphs)
    return section


def _service_sections(contacts: Contacts, manager: tuple[str, str] | None) -> list[dict]:
    """Who to call and how to apply online: every notice ends with these."""
    sections = []
    if manager is not None and manager[0]:
        # The manager's work phone is printed whole: it is the number the customer is meant to call.
        sections.append(_section("客户经理", fields=[("姓名", manager[0]), ("电话", manager[1] or "—")]))
    sections += _station_section(contacts)
    sections.append(_section("咨询与监督电话", fields=contacts.hotlines))
    if contacts.online_channels:
        sections.append(_section("线上办电渠道", items=contacts.online_channels))
    sections.append(_section("收费说明", paragraphs=[contacts.fee_statement]))
    return sections


def _station_section(contacts: Contacts) -> list[dict]:
    """Where to find the station: its address, phone and office hours, those the 站长 has set."""
    fields = [
        (label, value)
        for label, value in (
            ("地址", contacts.station_address),
            ("电话", contacts.station_phone),
            ("办公时间", contacts.station_hours),
        )
        if value
    ]
    return [_section("供电所地址与办公时间", fields=fields)] if fields else []


def _customer_fields(app: ApplicationView) -> list[tuple[str, str]]:
    return [
        ("客户名称", app.customer_name),
        (app.id_type or "证件号码", mask_id(app.id_number)),
        ("联系电话", mask_phone(app.phone)),
        ("用电地址", app.address),
    ]


def _document_line(doc: DocumentRow) -> str:
    parts = []
    for part in (doc.form or "", zh(COPY_KINDS, doc.copy_kind)):
        if part and part not in parts:
            parts.append(part)
    line = f"{doc.name}：{'，'.join(parts)}" if parts else doc.name
    return line + ("（容缺后补，已收）" if doc.status == "collected" else "")


def _stage_line(position: int, stage: StageRow, unit: str) -> str:
    line = f"{position}. {stage.name}"
    if stage.customer_side:
        return line + "：客户自行实施，所用时间不计入供电企业办理时限"
    if stage.limit_days is None:
        return line + "：本环节不单设时限，计入全流程时限"
    line += f"：本环节时限 {stage.limit_days} 个{unit}"
    if stage.due is not None:
        # "最迟于…" says that the due day itself still counts; "…前" could be read as "by the day before".
        line += f"，最迟于 {_due(stage.due, stage.due_estimated)}完成（当天仍在时限内"
        line += "）" if stage.started_at else "；前面各环节按时限完成时）"
    else:
        line += "，自本环节开始时起算"
    return line


def _collect_by(app: ApplicationView) -> str:
    """The deferred documents' deadline: the end of the site survey's stage (see ApplicationView.deferred_due)."""
    return _due(app.deferred_due or app.due_date, app.deferred_due_estimated)


def _collect_note(app: ApplicationView) -> str:
    if app.collect_by is not None:
        return "最迟日期为现场勘查所在环节的办结期限（当天仍在时限内），早于全流程期限。"
    return "本单位办电文件未对现场勘查所在环节单设时限，容缺资料最迟随全流程期限收齐（当天仍在时限内）。"


def _stage_section(app: ApplicationView) -> dict:
    whole = (
        f"全流程时限 {app.limit_days} 个{app.unit_zh}（{app.category}；不含客户自行实施的时间），"
        f"自受理次日起算，最迟于 {_due(app.due_date, app.due_estimated)}办结（当天仍在时限内）。"
    )
    paragraphs = [whole]
    if app.due_estimated or any(stage.due_estimated for stage in app.stages):
        paragraphs.append(ESTIMATE_NOTE)
    items = [_stage_line(i, stage, app.unit_zh) for i, stage in enumerate(app.stages, start=1)]
    return _section("办理环节与时限", items=items, paragraphs=paragraphs)


def _works_section(works: Sequence[WorksLine]) -> dict:
    items = [
        f"{line.kind.replace('/', '')}：约定最迟于 {_day(line.contract_date)}完成"
        f"（不晚于客户工程计划完成时间 {_day(line.customer_completion)}）；建设时限 {line.limit} 个工作日，"
        f"最迟 {_due(line.due, line.due_estimated)}；项目经理 {line.project_manager}"
        for line in works
    ]
    return _section(
        "配套工程",
        items=items,
        paragraphs=["配套工程实行限时制和契约制，由客户经理和项目经理共同负责（双经理负责制）。"],
    )


def acceptance(
    app: ApplicationView,
    contacts: Contacts,
    *,
    serial: str,
    issued_at: datetime,
    works: Sequence[WorksLine] = (),
) -> dict:
    """受理一次性告知书: what was received, what is still missing and who collects it when, stages and due dates,
    and the agreed completion of the supporting grid works when they are recorded."""
    content = _header("acceptance", "用电业务受理一次性告知书", contacts, serial, issued_at)
    content["application_number"] = app.number
    received = [d for d in app.documents if d.status in ("received", "collected")]
    deferred = [d for d in app.documents if d.status == "deferred"]
    sections = [
        _section(
            "申请信息",
            fields=[
                ("申请编号", app.number),
                ("受理时间", _moment(from_iso(app.accepted_at))),
                *_customer_fields(app),
                ("业务类型", app.business_name),
                ("电压等级", zh(VOLTAGES, app.voltage)),
                ("申请容量", _capacity(app.capacity_kw)),
                ("受理方式", zh(INTAKE_MODES, app.intake_mode)),
            ],
        ),
        _section("已收资料", items=[_document_line(d) for d in received] or ["（无）"]),
    ]
    if deferred:
        sections.append(
            _section(
                "容缺资料（暂缺，后补）",
                items=[
                    f"{d.name}：由客户经理{d.assigned_to or app.customer_manager}于{d.collect_at_stage or '现场勘查'}时上门收取"
                    f"（最迟 {_collect_by(app)}）"
                    for d in deferred
                ],
                paragraphs=[
                    "以上资料不影响本次受理；请在约定时间备好原件或复印件，无需再到营业厅。",
                    _collect_note(app),
                ],
            )
        )
        names = "、".join(d.name for d in deferred)
        collect_at = deferred[0].collect_at_stage or "现场勘查"
        content["commitment"] = (
            f"本人已知悉本申请尚缺{names}，承诺于{collect_at}时（最迟 {_collect_by(app)}）"
            f"交客户经理{app.customer_manager}收取。"
            "逾期未能提供的，本申请将予终止。"
        )
    else:
        done = "申请资料已收齐（两证办结）" if app.intake_mode == "complete" else "容缺资料已全部补收"
        sections.append(_section("资料情况", paragraphs=[f"{done}，无需再补充任何资料。"]))
    sections.append(_stage_section(app))
    if works:
        sections.append(_works_section(works))
    sections += _service_sections(contacts, (app.customer_manager, app.manager_phone))
    content["sections"] = sections
    content["sections"].append(ACKNOWLEDGED)
    content["signatures"] = [["客户签名", ""], ["受理人", app.accepted_by]]
    return content


def refusal(
    business_type: str,
    primary: str,
    documents: list[RequiredDocument],
    extra: list[tuple[str, list[RequiredDocument]]],
    contacts: Contacts,
    *,
    serial: str,
    issued_at: datetime,
    customer_name: str = "",
    received_by: str = "",
) -> dict:
    """未受理一次性告知: the business type's full list with every accepted form, and how to reserve online."""
    content = _header("refusal", "用电业务一次性告知书（未受理·请备齐资料）", contacts, serial, issued_at)
    fields = [("业务类型", business_type), ("来访时间", _moment(issued_at))]
    if customer_name:
        fields.insert(0, ("客户名称", customer_name))
    sections = [
        _section(
            "来访信息",
            fields=fields,
            paragraphs=[
                f"本次未能提供{primary}，暂不能受理。请按以下清单一次备齐资料后再来办理，"
                "或通过线上渠道预约办电（零证预约），由客户经理上门收取资料。"
            ],
        ),
        _section("需提供的资料", items=[_required_line(d) for d in documents]),
    ]
    for heading, docs in extra:
        sections.append(_section(heading, items=[_required_line(d) for d in docs]))
    sections.append(
        _section(
            "预约办电",
            paragraphs=[
                f"电话预约挂机后 {contacts.phone_to_work_order_minutes} 分钟内派发工单；"
                f"线上（APP、微信、政务服务网）预约后 {contacts.online_confirm_hours} 小时内电话联系您确认。"
            ],
        )
    )
    content["sections"] = sections + _service_sections(contacts, None)
    content["sections"].append(ACKNOWLEDGED)
    content["signatures"] = [["客户签名", ""], ["接待人", received_by]]
    return content


def _required_line(doc: RequiredDocument) -> str:
    copy = zh(COPY_KINDS, doc.copy)
    line = f"{doc.name}（{copy}）：可为{'、'.join(doc.forms)}之一"
    return f"{line}。{doc.note}" if doc.note else line


def inspection(
    app: ApplicationView,
    defects: list[str],
    contacts: Contacts,
    *,
    inspected_at: datetime,
    inspector: str,
    serial: str,
    issued_at: datetime,
) -> dict:
    """客户受电工程竣工检验意见单: every defect found, in one list, and that connection follows a passed re-inspection."""
    content = _header("inspection", "客户受电工程竣工检验意见单", contacts, serial, issued_at)
    content["application_number"] = app.number
    sections = [
        _section(
            "工程信息",
            fields=[
                ("申请编号", app.number),
                ("客户名称", app.customer_name),
                ("用电地址", app.address),
                ("业务类型", app.business_name),
                ("申请容量", _capacity(app.capacity_kw)),
                ("检验时间", _moment(inspected_at)),
            ],
        )
    ]
    if defects:
        sections.append(
            _section(
                f"检验发现的问题（共 {len(defects)} 项）",
                items=[f"{i}. {text}" for i, text in enumerate(defects, start=1)],
                paragraphs=[
                    "以上为本次检验发现的全部问题，一次性告知。请全部整改完毕后联系客户经理申请复验；"
                    "复验合格后方可装表接电。"
                ],
            )
        )
    else:
        sections.append(_section("检验结论", paragraphs=["经检验，受电工程符合要求，未发现缺陷，可以装表接电。"]))
    content["sections"] = sections + _service_sections(contacts, (app.customer_manager, app.manager_phone))
    content["sections"].append(ACKNOWLEDGED)
    content["signatures"] = [["客户签名", ""], ["检验人", inspector]]
    return content


def texts(content: dict) -> list[tuple[str, str]]:
    """Every printed text with where it stands (for the font check and the tests): (place, text)."""
    found = [("标题", content["title"]), ("单位", content["company"]), ("供电所", content["station"])]
    for section in content["sections"]:
        heading = section["heading"]
        found.append(("栏目", heading))
        found += [(f"{heading}·{label}", f"{label}：{value}") for label, value in section.get("fields", [])]
        found += [(heading, item) for item in section.get("items", [])]
        found += [(heading, text) for text in section.get("paragraphs", [])]
    if content.get("commitment"):
        found.append(("承诺", content["commitment"]))
    found += [(label, f"{label}：{name}") for label, name in content["signatures"]]
    return found
