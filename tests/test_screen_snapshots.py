"""Every area's screen at 120×40 and at 80×24, on fixed rows and a fixed clock (not the Faker demo, whose output
changes with the library's version): what a clerk sees, compared picture by picture."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from stdnum.cn import ric

from pilot_helpers import keys_after_login
from station_tui.app import StationApp
from station_tui.services import intake, notices
from station_tui.services.intake import IntakeForm, ReceivedDocument
from station_tui.services.operators import create_operator
from station_tui.services.reservations import register_reservation
from station_tui.services.station import Station

SIZES = {"wide": (120, 40), "small": (80, 24)}
AREAS = ["f1", "f2", "f3", "f4", "f5", "f6", "f7", "f8", "f9"]
# name, business type, documents brought (all / primary), days before the fixed clock's today
CUSTOMERS = [
    ("张秀兰", "lv_resident", "all", 0),
    ("王德福", "lv_resident", "primary", 3),
    ("邾县城关镇五金经营部", "lv_nonresident", "primary", 12),
    ("李桂芳", "ev_resident", "all", 30),
    ("邾县恒通物流有限公司", "hv_new", "all", 6),
]


def _id(index: int, business_type: str) -> str:
    if business_type in ("lv_nonresident", "hv_new"):
        body = f"91411302MA000000{index}"
        from stdnum.cn import uscc

        return body + uscc.calc_check_digit(body)
    body = f"41130219{60 + index}0312{index:03d}"
    return body + ric.calc_check_digit(body + "0")


def _form(station: Station, index: int, name: str, business_type: str, brought: str) -> IntakeForm:
    form = IntakeForm(
        business_type=business_type,
        customer_name=name,
        id_type=intake.id_types(station, business_type)[0],
        id_number=_id(index, business_type),
        phone=f"1383712{index:04d}",
        address=f"邾县城关镇北关街{index + 10}号",
        capacity_kw="800" if business_type == "hv_new" else "12",
        voltage=station.checklists.business_type(business_type).voltage,
    )
    docs = intake.required_documents(station, form)
    form.received = [
        ReceivedDocument(d.key, d.forms[0], d.copy_for(d.forms[0])) for d in docs if brought == "all" or d.primary
    ]
    return form


@pytest.fixture
def fixed_db(station: Station, clock) -> Path:  # noqa: ANN001
    """The conftest station (城关供电所, 王站长 PIN 1234) with a clerk, a customer manager and fixed applications."""
    head = station.head_id  # type: ignore[attr-defined]
    clerk = create_operator(station, name="李秀英", role="clerk", phone="13800000002", pin="2222", by=head)
    create_operator(station, name="刘强", role="customer_manager", phone="13800000004", pin="4444", by=head)
    for index, (name, business_type, brought, days_ago) in enumerate(CUSTOMERS, start=1):
        form = _form(station, index, name, business_type, brought)
        when = None if days_ago == 0 else clock() - timedelta(days=days_ago)
        accepted = intake.accept(station, form, operator=clerk, simulated_at=when)
        if index == 1:
            notices.issue(station, "acceptance", application=accepted.uuid, operator=clerk)
    register_reservation(
        station,
        customer_name="赵春梅",
        phone="13937120001",
        address="邾县城关镇南街3号",
        business_type="lv_resident",
        channel="phone",
        operator=clerk,
    )
    station.store.close()
    return station.store.path


def _at(db: Path, clock, *keys: str):  # noqa: ANN001, ANN202
    # By its name, from its folder: 设置 shows the database's path, which must not vary from run to run.
    app = StationApp(Path(db.name), clock=clock)
    return app, keys_after_login(app, *keys)


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("key", AREAS)
def test_every_area(snap_compare, fixed_db: Path, clock, key: str, size: str, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(fixed_db.parent)
    app, run_before = _at(fixed_db, clock, key)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", list(SIZES))
def test_deferred_list(snap_compare, fixed_db: Path, clock, size: str, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.chdir(fixed_db.parent)
    app, run_before = _at(fixed_db, clock, "f1", "d")
    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)
