"""Shared by the notice tests: a station with a customer manager, applications accepted through intake, text helpers."""

from __future__ import annotations

import io
import re

from station_tui.services import lifecycle
from station_tui.services.intake import IntakeForm, ReceivedDocument, accept
from station_tui.services.operators import create_operator
from station_tui.services.station import Station

ID_NUMBER = "11010519491231002X"  # valid check digit (GB 11643)
PHONE = "13812345678"
LONG_ADDRESS = "邾县城关镇幸福路东段与建设大道交叉口向北二百米路西侧䶮𠮷家园小区十七号楼三单元六层六〇二室南侧车棚"


def add_manager(station: Station) -> str:
    return create_operator(
        station, name="刘强", role="customer_manager", phone="13900000004", pin="4444", by=station.head_id
    )


def accept_resident(
    station: Station, *, name: str = "张䶮𠮷", address: str = LONG_ADDRESS, deferred: bool = True
) -> str:
    received = [ReceivedDocument("identity_proof", "居民身份证", "original_and_copy")]
    if not deferred:
        received.append(ReceivedDocument("property_proof", "购房合同", "copy"))
    form = IntakeForm(
        business_type="lv_resident",
        customer_name=name,
        id_number=ID_NUMBER,
        phone=PHONE,
        address=address,
        capacity_kw="8",
        received=received,
    )
    return accept(station, form, operator=station.head_id).uuid


def record_inspection(station: Station, application: str, defects: list[str]) -> None:
    lifecycle.record_inspection(station, application, defects, station.head_id)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squeeze(text: str) -> str:
    """Without any blank: wrapping splits a value over lines, the words stay in order."""
    return re.sub(r"\s+", "", text)
