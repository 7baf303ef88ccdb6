"""Operators: who is at the keyboard. Every event names one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from station_tui.domain import validation
from station_tui.domain.errors import StationError
from station_tui.domain.glossary import ROLES
from station_tui.domain.pins import check_pin_shape, hash_pin, pin_matches
from station_tui.domain.timeutil import from_iso, to_iso
from station_tui.services.station import Station
from station_tui.store import payloads as ev

MAX_FAILED_LOGINS = 5
LOCK_MINUTES = 5


class LoginError(StationError):
    pass


@dataclass(frozen=True)
class Operator:
    uuid: str
    name: str
    role: str
    phone: str
    active: bool
    locked_until: str | None

    @property
    def role_zh(self) -> str:
        return ROLES.get(self.role, self.role)

    @property
    def is_head(self) -> bool:
        return self.role == "head"


_COLUMNS = "uuid, name, role, phone, active, locked_until"


def _operator(row: tuple) -> Operator:
    return Operator(row[0], row[1], row[2], row[3], bool(row[4]), row[5])


def list_operators(station: Station) -> list[Operator]:
    rows = station.store.conn.execute(f"SELECT {_COLUMNS} FROM operators WHERE active = 1 ORDER BY role DESC, name")
    return [_operator(row) for row in rows]


def get_operator(station: Station, operator_id: str) -> Operator:
    row = station.store.conn.execute(f"SELECT {_COLUMNS} FROM operators WHERE uuid = ?", (operator_id,)).fetchone()
    if row is None:
        raise StationError("没有这个操作员")
    return _operator(row)


def create_operator(station: Station, *, name: str, role: str, phone: str, pin: str, by: str | None) -> str:
    name = name.strip()
    if not name:
        raise StationError("请填写操作员姓名")
    if role not in ROLES:
        raise StationError(f"角色应为 {'、'.join(ROLES.values())} 之一")
    check_pin_shape(pin)
    phone = validation.phone(phone, field="operator_phone")  # the notice prints it: a customer must reach it
    salt, digest = hash_pin(pin)
    operator_id = str(uuid.uuid4())
    station.store.record(
        ev.OperatorCreated(operator=operator_id, name=name, role=role, phone=phone, pin_salt=salt, pin_hash=digest),
        operator=by,
    )
    return operator_id


def login(station: Station, operator_id: str, pin: str) -> Operator:
    """Check the PIN; five wrong in a row lock the operator for a few minutes. Every outcome is an event."""
    store = station.store
    with store.transaction():
        row = store.conn.execute(
            "SELECT pin_salt, pin_hash, failed_logins, locked_until, active FROM operators WHERE uuid = ?",
            (operator_id,),
        ).fetchone()
        if row is None or not row[4]:
            raise LoginError("没有这个操作员")
        salt, digest, failed, locked_until, _ = row
        now = store.clock()
        if locked_until and from_iso(locked_until) > now:
            raise LoginError(
                f"PIN 连续输错 {MAX_FAILED_LOGINS} 次，已锁定到 {from_iso(locked_until):%H:%M}，请稍后再试"
            )
        if pin_matches(pin, salt, digest):
            store.record(ev.OperatorLogin(operator=operator_id), operator=operator_id)
            return get_operator(station, operator_id)
        store.record(ev.OperatorLoginFailed(operator=operator_id), operator=operator_id)
        if failed + 1 >= MAX_FAILED_LOGINS:
            until = to_iso(now + timedelta(minutes=LOCK_MINUTES))
            store.record(ev.OperatorLocked(operator=operator_id, until=until), operator=operator_id)
            message = f"PIN 连续输错 {MAX_FAILED_LOGINS} 次，该操作员锁定 {LOCK_MINUTES} 分钟"
        else:
            message = f"PIN 不对，还可以再试 {MAX_FAILED_LOGINS - failed - 1} 次"
    # Outside the transaction: the failed attempt stays recorded.
    raise LoginError(message)


def authorize_head(station: Station, operator_id: str, pin: str) -> Operator:
    """A 站长's PIN for an action reserved to the 站长 (overrides, operators, settings)."""
    operator = login(station, operator_id, pin)
    if not operator.is_head:
        raise LoginError("此操作需要站长授权")
    return operator


def heads(station: Station) -> list[Operator]:
    return [op for op in list_operators(station) if op.is_head]


def add_operator_authorized(
    station: Station, *, head_id: str, head_pin: str, name: str, role: str, phone: str, pin: str
) -> str:
    """Operator management is the 站长's: the new operator is created only with a 站长's PIN."""
    head = authorize_head(station, head_id, head_pin)
    return create_operator(station, name=name, role=role, phone=phone, pin=pin, by=head.uuid)
