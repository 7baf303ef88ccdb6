"""Reservations (预约) waiting for a customer manager, with the profile's clocks, and their conversion to applications.

Seed 004 三(一)1: a phone reservation becomes a work order within 20 minutes; an online one (APP, WeChat, government
portal, and the counter's 零证预约) is confirmed by phone within 18 hours. The clock stops when the reservation is
handled (dispatched or confirmed); it becomes an application when its documents are collected (intake with
`IntakeForm.reservation`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from station_tui.domain import validation
from station_tui.domain.errors import StationError
from station_tui.domain.glossary import CHANNELS, zh
from station_tui.domain.timeutil import from_iso
from station_tui.services.applications import business_name
from station_tui.services.intake import FormErrors, IntakeForm
from station_tui.services.station import Station
from station_tui.store import catalogue
from station_tui.store import payloads as ev
from station_tui.store.events import EVENT_COLUMNS, Event

RESERVATION_CHANNELS = ("online", "phone")
RESERVATION_STATUSES = {"waiting": "待处理", "handled": "已派单/已确认", "converted": "已转申请"}
# Share of the clock left below which a reservation shows as running out.
WARN_SHARE = 0.25


@dataclass(frozen=True)
class ReservationRow:
    uuid: str
    customer_name: str
    phone: str
    address: str
    business_type: str
    business_zh: str
    channel: str
    channel_zh: str
    received_at: str
    status: str
    status_zh: str
    bring: str
    deadline: datetime | None  # None once handled: the clock has stopped
    minutes_left: int | None
    level: str  # normal / warning / overdue / handled

    @property
    def clock_text(self) -> str:
        if self.minutes_left is None:
            return RESERVATION_STATUSES.get(self.status, self.status)
        minutes = abs(self.minutes_left)
        span = f"{minutes // 60} 小时 {minutes % 60} 分" if minutes >= 60 else f"{minutes} 分钟"
        return f"超时 {span}" if self.minutes_left < 0 else f"剩 {span}"


def clock_for(station: Station, channel: str) -> timedelta:
    clocks = station.profile.reservation
    if channel == "phone":
        return timedelta(minutes=clocks.phone_to_work_order_minutes)
    return timedelta(hours=clocks.online_confirm_hours)


def register_reservation(
    station: Station,
    *,
    customer_name: str,
    phone: str,
    address: str,
    business_type: str,
    channel: str,
    operator: str,
    bring: str = "",
    visit: str | None = None,
) -> str:
    """Register a reservation (phone call, online, or 零证预约 at the counter). Returns its id."""
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    checks = {
        "customer_name": lambda: validation.name(customer_name),
        "phone": lambda: validation.phone(phone),
        "address": lambda: validation.address(address),
    }
    for name, check in checks.items():
        try:
            values[name] = check()
        except validation.FieldError as exc:
            errors[name] = str(exc)
    try:
        station.checklists.business_type(business_type)
    except KeyError:
        errors["business_type"] = "请选择业务类型"
    if channel not in RESERVATION_CHANNELS:
        errors["channel"] = "预约渠道应为线上或电话"
    if errors:
        raise FormErrors(errors)
    reservation = str(uuid.uuid4())
    station.store.record(
        ev.ReservationRegistered(
            uuid=reservation,
            customer_name=values["customer_name"],
            phone=values["phone"],
            address=values["address"],
            business_type=business_type,
            channel=channel,
            bring=bring.strip(),
            visit=visit,
        ),
        operator=operator,
    )
    return reservation


def what_to_bring(station: Station, business_type: str) -> str:
    """The documents to bring, as the checklist says them (for the 零证预约 and its notice)."""
    docs = station.checklists.base_documents(business_type)
    return "；".join(f"{doc.name}（{'、'.join(doc.forms[:3])}{'等' if len(doc.forms) > 3 else ''}）" for doc in docs)


def _row(station: Station, r: dict, now: datetime) -> ReservationRow:
    deadline = minutes_left = None
    level = "handled"
    if r["status"] == "waiting":
        received = from_iso(r["received_at"])
        total = clock_for(station, r["channel"])
        deadline = received + total
        left = deadline - now
        minutes_left = int(left.total_seconds() // 60)
        if left.total_seconds() < 0:
            level = "overdue"
        elif left <= total * WARN_SHARE:
            level = "warning"
        else:
            level = "normal"
    return ReservationRow(
        uuid=r["uuid"],
        customer_name=r["customer_name"],
        phone=r["phone"],
        address=r["address"],
        business_type=r["business_type"],
        business_zh=business_name(station, r["business_type"]),
        channel=r["channel"],
        channel_zh=zh(CHANNELS, r["channel"]),
        received_at=r["received_at"],
        status=r["status"],
        status_zh=RESERVATION_STATUSES.get(r["status"], r["status"]),
        bring=r["bring"],
        deadline=deadline,
        minutes_left=minutes_left,
        level=level,
    )


def list_reservations(station: Station, *, include_converted: bool = False) -> list[ReservationRow]:
    """Waiting reservations first, the one running out soonest on top; then those handled, awaiting documents."""
    now = station.store.clock()
    where = "" if include_converted else "WHERE status != 'converted'"
    rows = [_row(station, r, now) for r in station.store.rows(f"SELECT * FROM reservations {where}")]
    far = datetime.max.replace(tzinfo=now.tzinfo)
    return sorted(rows, key=lambda row: (row.deadline is None, row.deadline or far, row.received_at))


def _reservation(station: Station, reservation: str) -> dict:
    rows = station.store.rows("SELECT * FROM reservations WHERE uuid = ?", (reservation,))
    if not rows:
        raise StationError("找不到这条预约")
    return rows[0]


def mark_handled(station: Station, reservation: str, *, operator: str) -> None:
    """Phone: the work order is dispatched to a customer manager; online: the customer was called and confirmed."""
    row = _reservation(station, reservation)
    if row["status"] != "waiting":
        raise StationError(f"这条预约{RESERVATION_STATUSES.get(row['status'], row['status'])}，不用再处理")
    station.store.record(ev.ReservationHandled(reservation=reservation), operator=operator)


def intake_form_for(station: Station, reservation: str) -> IntakeForm:
    """An intake form filled from the reservation, for the clerk to complete when the documents are collected.

    A 零证预约 offered at a refused visit starts from everything typed at that visit (capacity, address, identity
    number, flags…); the reservation's own name, phone and address come last, as the clerk corrected them there.
    """
    row = _reservation(station, reservation)
    if row["status"] == "converted":
        raise StationError("这条预约已经转为申请")
    business = station.checklists.business_type(row["business_type"])
    typed: dict[str, Any] = {
        "id_type": "居民身份证" if business.resident else "营业执照",
        "voltage": business.voltage,
        **_typed_at_visit(station, row["visit"]),
    }
    return IntakeForm(
        **typed,
        business_type=row["business_type"],
        customer_name=row["customer_name"],
        phone=row["phone"],
        address=row["address"],
        channel=row["channel"],
        reservation=reservation,
    )


def _typed_at_visit(station: Station, visit: str | None) -> dict[str, Any]:
    if not visit:
        return {}
    rows = station.store.conn.execute(
        f"SELECT {EVENT_COLUMNS} FROM events WHERE type = 'visit.refused' AND json_extract(payload, '$.visit') = ?",
        (visit,),
    ).fetchall()
    if not rows:
        return {}
    payload = catalogue.read(Event.from_row(rows[0]))
    known = {f.name for f in fields(IntakeForm)}
    # `address` and `channel` are the reservation's; the rest is the visit's as typed.
    return {k: v for k, v in payload.typed.items() if k in known and k not in ("address", "channel")}  # type: ignore[attr-defined]
