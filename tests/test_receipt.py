"""Receipt text: no line wider than the printer, measured in display cells, with long Chinese names and addresses."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from notice_helpers import LONG_ADDRESS
from wcwidth import wcswidth

from station_tui.domain import notice_content, receipt
from station_tui.domain.application_view import ApplicationView, DocumentRow, StageRow
from station_tui.domain.notice_content import Contacts
from station_tui.domain.timeutil import CHINA_TZ

CONTACTS = Contacts(
    company="国网邾县供电公司",
    station="城关供电所",
    hotlines=[("供电服务热线", "95598"), ("能源监管热线", "12398")],
    online_channels=["“网上国网”APP", "微信公众号（豫电管家）"],
    fee_statement="办电零服务费：供电公司不收取任何办电服务费。",
)
MOMENT = datetime(2026, 11, 23, 9, 30, tzinfo=CHINA_TZ)


def _view(name: str, address: str) -> ApplicationView:
    return ApplicationView(
        number="ZX01-20261123-01-001",
        accepted_at=MOMENT.isoformat(),
        business_name="低压居民新装",
        intake_mode="deferred",
        customer_name=name,
        id_type="居民身份证",
        id_number="11010519491231002X",
        phone="13812345678",
        address=address,
        capacity_kw=8,
        voltage="low",
        category="低压（无配套工程）",
        limit_days=2,
        limit_unit="workday",
        due_date=date(2026, 11, 25),
        due_estimated=False,
        customer_manager="刘强",
        manager_phone="13900000004",
        accepted_by="李秀英",
        documents=[
            DocumentRow("身份证明", "received", "居民身份证", "original_and_copy"),
            DocumentRow("产权证明", "deferred", assigned_to="刘强", collect_at_stage="现场勘查"),
        ],
        stages=[StageRow("用电申请"), StageRow("客户外部工程实施", customer_side=True), StageRow("装表送电")],
    )


def _content(name: str = "欧阳䶮𠮷", address: str = LONG_ADDRESS) -> dict:
    return notice_content.acceptance(_view(name, address), CONTACTS, serial="ZX01-2026-01-00001", issued_at=MOMENT)


def _check_widths(text: str, width: int) -> None:
    for line in text.splitlines():
        # Our measure counts ambiguous characters wide; wcwidth counts them narrow: both must fit.
        assert receipt.display_width(line) <= width, line
        assert wcswidth(line) <= width, line


@pytest.mark.parametrize("width", [32, 48])
def test_no_line_is_wider_than_the_printer(width: int) -> None:
    content = _content("邾县城关镇䶮𠮷新能源汽车充电服务有限责任公司第二分公司" * 2)
    text = receipt.render(content, width, reprints=3)
    _check_widths(text, width)
    assert "补打（第 3 次）" in text
    assert "【客户联】" in text and "【存根联】" in text and "沿此线撕开" in text
    # Nothing lost in the wrapping: the address reads whole once the breaks are taken out.
    assert LONG_ADDRESS in "".join(line.strip() for line in text.splitlines())
    # The full identity number never shows.
    assert "11010519491231002X" not in text and "110105********002X" in text


@pytest.mark.parametrize("width", [32, 48])
def test_numbers_stay_on_one_line_and_no_line_starts_with_closing_punctuation(width: int) -> None:
    text = receipt.render(_content(), width)
    assert any("ZX01-20261123-01-001" in line for line in text.splitlines())
    for line in text.splitlines():
        assert line.lstrip()[:1] not in set("，。、；：）》」"), line


def test_wrap_breaks_a_token_longer_than_the_line() -> None:
    lines = receipt.wrap("编号" + "A" * 70, 32, first="编号：")
    assert all(receipt.display_width(line) <= 32 for line in lines)
    assert "".join(lines).count("A") == 70


def test_ambiguous_characters_count_as_wide() -> None:
    assert receipt.display_width("“网上国网”") == 12
    assert receipt.display_width("𠮷a") == 3


names = st.text(alphabet=st.sampled_from("张王欧阳䶮𠮷龘·ABCdef0123（）“”，。- "), min_size=1, max_size=120).filter(
    lambda s: s.strip()
)


@settings(max_examples=60, deadline=None)
@given(name=names, address=names, width=st.sampled_from([32, 48]))
def test_any_name_and_address_fit(name: str, address: str, width: int) -> None:
    _check_widths(receipt.render(_content(name, address), width), width)


def test_unknown_width_is_refused() -> None:
    with pytest.raises(ValueError):
        receipt.render(_content(), 40)
