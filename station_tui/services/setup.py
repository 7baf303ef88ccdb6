"""First run: the station's identity and its first 站长, recorded together.

Above both the station and the operators (it needs both), so that neither imports the other.
"""

from __future__ import annotations

import re

from station_tui.domain.errors import StationError
from station_tui.services.operators import create_operator
from station_tui.services.station import Station
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
