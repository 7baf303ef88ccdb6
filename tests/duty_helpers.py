"""A station with the duties of issue 16 on fixed dates, recorded through the services: connected 小微 shops waiting
for their call, a termination waiting for the 站长, a 容缺 application past its committed date, works on an open one.

The conftest clock reads 2026-11-23 09:30 (a Monday); the events before it are recorded as history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from holiday_helpers import accept

from station_tui.domain.timeutil import CHINA_TZ
from station_tui.services import intake, lifecycle, works
from station_tui.services.intake import IntakeForm, ReceivedDocument
from station_tui.services.operators import create_operator
from station_tui.services.station import Station


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CHINA_TZ)


@dataclass(frozen=True)
class Duties:
    path: Path
    september: str  # 甲便利店, connected 09-08
    october: str  # 乙五金店, accepted 10-09, connected 11-04 (late: due 10-29)
    november: str  # 丙超市, accepted 11-02, connected 11-10
    terminated: str  # 丁商店, terminated 11-05
    open_shop: str  # 戊农资店, open, with works
    deferred: str  # 张秀兰, 容缺, committed 11-18


def deferred_resident(station: Station, when: datetime) -> str:
    """A resident who brought only an identity card: accepted 容缺, the property proof deferred (2 working days)."""
    form = IntakeForm(
        business_type="lv_resident", customer_name="张秀兰", id_number="411302198503120024", phone="13837123456",
        address="邾县城关镇北关街18号", capacity_kw="8",
        received=[ReceivedDocument("identity_proof", "居民身份证", "original_and_copy")],
    )  # fmt: skip
    return intake.accept(station, form, operator=station.head_id, simulated_at=when).uuid


def fill_duties(station: Station) -> Duties:
    head = station.head_id  # type: ignore[attr-defined]
    create_operator(station, name="李秀英", role="clerk", phone="13800000002", pin="2222", by=head)
    september = accept(station, at(2026, 9, 1, 9), name="甲便利店").uuid
    lifecycle.connect(station, september, operator=head, at=at(2026, 9, 8, 10))
    october = accept(station, at(2026, 10, 9, 9), name="乙五金店").uuid
    lifecycle.connect(station, october, operator=head, at=at(2026, 11, 4, 10))
    november = accept(station, at(2026, 11, 2, 9), name="丙超市").uuid
    lifecycle.connect(station, november, operator=head, at=at(2026, 11, 10, 10))
    terminated = accept(station, at(2026, 11, 3, 9), name="丁商店").uuid
    lifecycle.terminate(station, terminated, reason="客户撤回申请", operator=head, at=at(2026, 11, 5, 10))
    open_shop = accept(station, at(2026, 11, 16, 9), name="戊农资店").uuid
    works.record_works(
        station, open_shop, kind="低压/小微企业", project_manager="李项目", contract_date="2026-12-10",
        customer_completion="2026-12-15", operator=head,
    )  # fmt: skip
    deferred = deferred_resident(station, at(2026, 11, 16, 9, 30))
    station.store.close()
    return Duties(station.store.path, september, october, november, terminated, open_shop, deferred)
