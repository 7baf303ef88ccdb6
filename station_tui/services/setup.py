"""First run: the station's identity and its first 站长, recorded together.

Above both the station and the operators (it needs both), so that neither imports the other.
"""

from __future__ import annotations

import re

from station_tui.domain import validation
from station_tui.domain.errors import StationError
from station_tui.services.operators import authorize_head, create_operator
from station_tui.services.station import CONTACT_SETTINGS, Station, StationContact, change_settings
from station_tui.store import payloads as ev

STATION_CODE = re.compile(r"^[0-9A-Za-z]{2,10}$")


def initialize(
    station: Station,
    *,
    station_name: str,
    station_code: str,
    profile_id: str,
    head_name: str,
    head_phone: str,
    head_pin: str,
    demo: bool = False,
) -> str:
    """First run: the station's identity and its first 站长, in one transaction. Returns the 站长's operator id."""
    if station.initialized:
        raise StationError(f"本数据库已初始化为 {station.station_name}（{station.station_code}），不能再次初始化。")
    station_name = station_name.strip()
    if not station_name:
        raise StationError("请填写供电所名称")
    if not STATION_CODE.match(station_code):
        raise StationError("供电所代码应为 2–10 位字母或数字（用于申请编号）")
    if profile_id not in station.profiles:
        raise StationError(f"没有编号为 {profile_id} 的策略，可选：{', '.join(station.profiles)}")
    store = station.store
    with store.transaction():
        store.record(
            ev.StationInitialized(
                settings={
                    "station_name": station_name,
                    "station_code": station_code.upper(),
                    "profile": profile_id,
                    "demo": demo,
                }
            ),
        )
        head = create_operator(station, name=head_name, role="head", phone=head_phone, pin=head_pin, by=None)
    return head


HOURS_MAX = 60


def _contact_field(label: str, check) -> str:  # noqa: ANN001
    try:
        return check()
    except validation.FieldError as exc:
        raise StationError(f"{label}：{exc}") from None


def change_station_contact(
    station: Station, *, head: str, pin: str, address: str, phone: str, hours: str
) -> StationContact:
    """The station's address, phone and office hours (printed on every notice), set by a 站长.

    Each field is checked before the PIN, so that a typo costs no PIN attempt; a refusal names the field.
    """
    contact = StationContact(
        address=_contact_field(
            "供电所地址", lambda: validation.address(address, field="station_address", label="地址")
        ),
        phone=_contact_field("供电所电话", lambda: validation.phone(phone, field="station_phone")),
        hours=_contact_field(
            "办公时间",
            lambda: validation.name(hours, field="station_hours", label="办公时间（如 周一至周五 8:30-17:30）"),
        ),
    )
    if len(contact.hours) > HOURS_MAX:
        raise StationError(f"办公时间：不能超过{HOURS_MAX}个字，现在是{len(contact.hours)}个字")
    authorized = authorize_head(station, head, pin)
    changes = {key: getattr(contact, name) for name, key in CONTACT_SETTINGS.items()}
    change_settings(station, changes, operator=authorized.uuid)
    return contact
