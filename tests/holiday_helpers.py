"""Open applications accepted at a chosen moment, through the real intake service, for the deadline tests."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from station_tui.domain.timeutil import CHINA_TZ
from station_tui.services import intake
from station_tui.services.intake import Accepted, IntakeForm, ReceivedDocument
from station_tui.services.station import Station, change_settings

RESIDENT_ID = "450327199611081411"
CREDIT_CODE = "91330100MA2B3C4D5N"

# A 2027 schedule as a station would receive it (fictional: the State Council had not published 2027 when this was
# written). The make-up Saturday 9 January moves January due dates one working day earlier than the estimate.
SCHEDULE_2027 = """日期,类型,名称
2027-01-01,休,元旦
2027-01-02,休,元旦
2027-01-03,休,元旦
2027-01-09,班,元旦
2027-10-01,休,国庆节
2027-10-02,休,国庆节
2027-10-03,休,国庆节
2027-10-04,休,国庆节
2027-10-05,休,国庆节
2027-10-06,休,国庆节
2027-10-07,休,国庆节
2027-09-26,班,国庆节
2027-10-09,班,国庆节
"""


def accept(
    station: Station,
    when: datetime,
    *,
    clock=None,  # noqa: ANN001
    small_micro_shop: bool = True,
    name: str = "邾县便民超市",
) -> Accepted:
    """Accept one complete low-voltage application at `when`: the clock is set there when given (a clerk at the
    counter), else the event is recorded as simulated history (so that a later command on the real clock may write).

    A small shop falls in 低压小微企业 (15 working days on zhuxian-2020); a resident in 低压无配套工程 (2)."""
    when = when.replace(tzinfo=CHINA_TZ) if when.tzinfo is None else when
    if clock is not None:
        clock.now = when
    form = IntakeForm(
        business_type="lv_nonresident" if small_micro_shop else "lv_resident",
        customer_name=name,
        id_type="营业执照" if small_micro_shop else "居民身份证",
        id_number=CREDIT_CODE if small_micro_shop else RESIDENT_ID,
        phone="13912345678",
        address="邾县城关镇建设路 8 号",
        capacity_kw="50" if small_micro_shop else "8",
        voltage="low",
    )
    form.received = [
        ReceivedDocument(doc.key, doc.forms[0], doc.copy_for(doc.forms[0]))
        for doc in intake.required_documents(station, form)
    ]
    return intake.accept(station, form, operator=station.head_id, simulated_at=None if clock else when)


def accept_high_voltage(
    station: Station, when: datetime, name: str = "邾县水泥有限公司", *, primary_only: bool = False
) -> str:
    """Accept one high-voltage application (hv_new, an important customer) as recorded history at `when`: complete,
    or with only the primary document (容缺办理)."""
    form = IntakeForm(
        business_type="hv_new",
        customer_name=name,
        id_type="营业执照",
        id_number=CREDIT_CODE,
        phone="13912345678",
        address="邾县工业园 1 号",
        capacity_kw="800",
        voltage="high",
        important=True,
    )
    form.received = [
        ReceivedDocument(d.key, d.forms[0], d.copy_for(d.forms[0]))
        for d in intake.required_documents(station, form)
        if d.primary or not primary_only
    ]
    return intake.accept(station, form, operator=station.head_id, simulated_at=when).uuid


SANXIA = Path(__file__).resolve().parent.parent / "data" / "profiles" / "sanxia-2021.toml"


def county_sanxia(station: Station, folder: Path, first_stage_limit: int) -> Station:
    """The station on a county copy of the 三峡水利 profile (high voltage in calendar days) whose first high-voltage
    stage has its own limit."""
    folder.mkdir()
    text = SANXIA.read_text(encoding="utf-8").replace('id = "sanxia-2021"', 'id = "sanxia-county"', 1)
    hv_stages = 'stages = [\n  { name = "用电申请" },\n  { name = "供电方案答复" },'
    assert hv_stages in text
    limited = f'stages = [\n  {{ name = "用电申请", limit = {first_stage_limit} }},\n  {{ name = "供电方案答复" }},'
    (folder / "sanxia-county.toml").write_text(text.replace(hv_stages, limited, 1), encoding="utf-8")
    change_settings(station, {"profile_folder": str(folder), "profile": "sanxia-county"}, operator=station.head_id)
    assert station.profile.id == "sanxia-county"  # the station rereads its profiles: no restart
    return station
