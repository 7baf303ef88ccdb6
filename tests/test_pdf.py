"""The A4 PDF: embedded font, rare characters extract back, both parts, a missing character refused by name."""

from __future__ import annotations

import io
import re

import pytest
from notice_helpers import pdf_text, squeeze
from pypdf import PdfReader
from test_receipt import _content

from station_tui.services import pdf


def test_rare_characters_print_and_extract_back() -> None:
    data = pdf.render(_content("欧阳䶮𠮷"))
    text = squeeze(pdf_text(data))
    assert "客户名称：欧阳䶮𠮷" in text


def test_a4_two_parts_font_embedded_as_a_subset() -> None:
    data = pdf.render(_content())
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) >= 2
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)
    texts = [squeeze(page.extract_text()) for page in reader.pages]
    assert "【客户联】" in texts[0] and any("【存根联】" in t for t in texts[1:])
    assert all("ZX01-2026-01-00001" in t for t in texts)  # the serial on every page
    assert all("客户签名" in t for t in (texts[0], texts[-1]))
    stub = texts[-1]
    assert "客户名称：欧阳" not in stub or "【咨询与监督电话】" not in stub  # a stub, not a second full copy
    assert "暂缺/需带资料：产权证明" in stub and "盖章" in stub
    assert _footers(texts) == [("客户联", "1"), ("存根联", "1")]

    fonts = {
        font["/FontDescriptor"]["/FontName"]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
        if "/FontDescriptor" in font.get_object()
    }
    assert fonts and all("LXGWWenKai" in name for name in fonts)
    assert all(
        "/FontFile2" in font["/FontDescriptor"]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    )
    assert len(data) < 300_000  # a subset, not the 16 MB font


def _footers(texts: list[str]) -> list[tuple[str, ...]]:
    """(the parts named, the page number) of each page's footer."""
    return [re.search(r"·([^·]+)·第(\d+)页", t).groups() for t in texts]


def test_a_page_holding_the_end_of_the_customer_copy_and_the_stub_names_both() -> None:
    content = _content()
    content["sections"].append({"heading": "附加说明", "paragraphs": ["请按约定时间备好资料。" * 30]})
    reader = PdfReader(io.BytesIO(pdf.render(content)))
    texts = [squeeze(page.extract_text()) for page in reader.pages]
    assert "（续）" in texts[1] and "【存根联】" in texts[1]  # the customer copy runs onto the stub's page
    assert _footers(texts) == [("客户联", "1"), ("客户联、存根联", "2")]


def test_missing_character_is_named_before_printing() -> None:
    with pytest.raises(pdf.MissingCharacters) as caught:
        pdf.render(_content("王𪚥"))
    assert caught.value.missing == [("𪚥", "申请信息·客户名称")]
    assert "「𪚥」" in str(caught.value)


def test_missing_characters_lists_each_once() -> None:
    found = pdf.missing_characters([("客户名称", "𪚥𪚥张"), ("用电地址", "䲜村𪚥")])
    assert found == [("𪚥", "客户名称"), ("䲜", "用电地址")]


def test_properties_name_the_notice_the_station_and_the_day_it_was_issued() -> None:
    content = _content()
    info = PdfReader(io.BytesIO(pdf.render(content))).metadata
    assert info.title == f"{content['title']} {content['serial']}"
    assert info.author == content["station"] and "anonymous" not in (info.creator or "")
    assert info["/CreationDate"].startswith("D:" + content["issued_at"][:10].replace("-", ""))
    assert pdf.render(content) == pdf.render(content)  # the same notice prints to the same file


def test_a_short_notice_and_its_stub_share_one_sheet_with_a_cut_line() -> None:
    content = _content()
    content["sections"] = content["sections"][:2]
    reader = PdfReader(io.BytesIO(pdf.render(content)))
    assert len(reader.pages) == 1
    text = squeeze(reader.pages[0].extract_text())
    assert text.index("【客户联】") < text.index("沿此线剪下") < text.index("【存根联】")
    assert text.count("客户签名") == 2
