"""The station's address, phone and office hours: set by a 站长 in 设置, printed on every notice with a place for the
seal, and 已知悉以上内容 right above the customer's signature (receipt text and PDF)."""

from __future__ import annotations

import io
import os
from pathlib import Path

from notice_helpers import accept_resident, add_manager, pdf_text, squeeze
from pypdf import PdfReader
from textual.widgets import Input

from pilot_helpers import login, settle, text_of
from station_tui.app import StationApp
from station_tui.domain import receipt
from station_tui.services import notices
from station_tui.services.setup import change_station_contact
from station_tui.services.station import Station, station_contact
from station_tui.store import Store

ADDRESS, PHONE, HOURS = "邾县城关镇北关街1号", "0713-5123456", "周一至周五 8:30-17:30"


async def _type(app: StationApp, pilot, selector: str, text: str) -> None:  # noqa: ANN001
    field = app.screen.query_one(selector, Input)
    field.value = ""
    field.focus()
    await pilot.press(*text)


async def test_head_sets_the_contact_in_settings_and_a_bad_phone_is_named(demo_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await login(app, pilot, "王建国", "1111")
        await pilot.press("f7")
        await settle(app, pilot)
        await _type(app, pilot, "#station-address", ADDRESS)
        await _type(app, pilot, "#station-phone", "5123")  # no area code
        await _type(app, pilot, "#station-hours", HOURS)
        await _type(app, pilot, "#contact-pin", "1111")
        await pilot.press("enter")
        await settle(app, pilot)
        refused = text_of(app, "#contact-message")
        assert refused.startswith("供电所电话：") and "\n" not in refused
        assert app.screen.query_one("#station-address", Input).value == ADDRESS  # nothing typed is lost
        await _type(app, pilot, "#station-phone", PHONE)
        await _type(app, pilot, "#contact-pin", "1111")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "已保存" in text_of(app, "#contact-message")
    with Store(demo_db, clock=clock) as store:
        contact = station_contact(Station.open(store))
    assert (contact.address, contact.hours) == (ADDRESS, HOURS) and contact.phone.replace("-", "") == "07135123456"


async def test_a_clerk_cannot_set_it_without_a_heads_pin(demo_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(demo_db, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await pilot.press("f7")
        await settle(app, pilot)
        await _type(app, pilot, "#station-address", ADDRESS)
        await _type(app, pilot, "#station-phone", PHONE)
        await _type(app, pilot, "#station-hours", HOURS)
        await _type(app, pilot, "#contact-pin", "2222")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "站长" in text_of(app, "#contact-message")  # no 站长 chosen, or her PIN is not his
    with Store(demo_db, clock=clock) as store:
        assert station_contact(Station.open(store)).address == ""


def test_the_notice_prints_the_contact_a_seal_place_and_the_acknowledgement(station) -> None:  # noqa: ANN001
    add_manager(station)
    change_station_contact(station, head=station.head_id, pin="1234", address=ADDRESS, phone=PHONE, hours=HOURS)
    application = accept_resident(station)
    notice = notices.issue(station, "acceptance", application=application, operator=station.head_id)
    text = receipt.render(notice.content)
    customer, stub = text.split("沿此线撕开")
    for printed in (squeeze(customer), squeeze(pdf_text(notices.render(notice, "pdf")))):
        assert squeeze(f"地址：{ADDRESS}") in printed and squeeze(f"办公时间：{HOURS}") in printed
        assert "电话：0713" in printed and "盖章处" in printed
    # The acknowledgement is the last thing the customer reads before signing: after the commitment, on both parts.
    for part in (customer, stub):
        lines = [line for line in part.splitlines() if line.strip() and not set(line) <= {"-"}]
        signature = next(i for i, line in enumerate(lines) if line.startswith("客户签名"))
        assert "已知悉以上内容" in lines[signature - 1], lines[signature - 3 : signature + 1]
    pdf = notices.render(notice, "pdf")
    printed = pdf_text(pdf)
    assert printed.count("盖章处") == 2  # the customer's part and the stub
    assert printed.count("已知悉以上内容") == 2
    pages = [page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages]
    for page in pages:  # a page turn never parts the acknowledgement from the signature under it
        for before in page.split("客户签名")[:-1]:
            assert "已知悉以上内容" in before.rsplit("日期", 1)[-1], page
    if folder := os.environ.get("STATION_PDF_OUT"):  # to look at a page by hand (pdftoppm -png)
        Path(folder, "contact.pdf").write_bytes(pdf)


def test_a_notice_before_the_contact_is_set_leaves_the_section_out(station) -> None:  # noqa: ANN001
    add_manager(station)
    application = accept_resident(station)
    content = notices.issue(station, "acceptance", application=application, operator=station.head_id).content
    assert "供电所地址与办公时间" not in [section["heading"] for section in content["sections"]]
