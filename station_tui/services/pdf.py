"""A4 PDF of a notice, in two parts (客户联, 存根联), with the shipped font embedded as a subset.

Why reportlab: it parses the TrueType font once per process and builds each document's subset itself (a few
milliseconds a PDF), where fpdf2 reads the 16 MB font again for every document (about 280 ms). reportlab writes
characters outside the BMP (𠮷) wrongly into the ToUnicode map (`<20BB7>` instead of UTF-16 `<D842DFB7>`), so their
text would not extract or search; `_to_unicode_cmap` below writes them as UTF-16, and a test extracts 𠮷 back.

Neither library fails on a character the font lacks (reportlab draws an empty box): `missing_characters` checks every
character against the font's cmap (fontTools) before anything is issued or printed.
"""

from __future__ import annotations

import io
import threading
import unicodedata
from collections.abc import Iterable
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

from station_tui.domain.errors import StationError
from station_tui.domain.notice_content import texts
from station_tui.domain.receipt import NUMBERED, wrap
from station_tui.paths import data_dir

FONT_FILE = "LXGWWenKai-Regular.ttf"
FONT_NAME = "LXGWWenKai"
PAGE_WIDTH, PAGE_HEIGHT = 595.2756, 841.8898  # A4 in points
MARGIN = 48.0
BODY_SIZE = 10.5
LEADING = 14.5
SEAL_WIDTH, SEAL_HEIGHT = 120.0, 56.0  # 盖章处: room for a round seal of 4–5 cm
SEAL_BELOW = SEAL_HEIGHT - 12 - 14 - LEADING  # how far the box, level with the signatures, reaches below the date
SIGNATURES_HEIGHT = LEADING * 5 + SEAL_BELOW
_lock = threading.Lock()  # reportlab keeps per-document state inside the shared font object


class MissingCharacters(StationError):
    """The font lacks characters of the notice: said before printing, naming each and where it stands."""

    def __init__(self, missing: list[tuple[str, str]]) -> None:
        shown = "；".join(f"「{ch}」(U+{ord(ch):04X}，在{place})" for ch, place in missing[:5])
        more = f" 等 {len(missing)} 处" if len(missing) > 5 else ""
        super().__init__(
            f"告知书字库缺少以下字符，打印出来会是空白：{shown}{more}。"
            "请核对是否录入有误；确为生僻字的，请改用规范写法后出具，或打印后在该处手写补填。"
        )
        self.missing = missing


def font_path() -> Path:
    return data_dir() / "fonts" / FONT_FILE


@lru_cache(maxsize=1)
def font_characters() -> frozenset[int]:
    """The code points the font draws (its best cmap), read once per process."""
    from fontTools.ttLib import TTFont

    path = font_path()
    if not path.is_file():
        raise StationError(f"找不到告知书字体文件 {path}：安装不完整，请重新安装 station-tui。")
    font = TTFont(path, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def _needs_glyph(ch: str) -> bool:
    # Line breaks and format characters are layout, not ink.
    return unicodedata.category(ch) not in ("Cc", "Cf", "Zl", "Zp")


def missing_characters(places: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(character, where) for each distinct character the font lacks, in the order they first appear."""
    have = font_characters()
    seen: set[str] = set()
    missing = []
    for place, text in places:
        for ch in text:
            if ch not in seen and _needs_glyph(ch) and ord(ch) not in have:
                seen.add(ch)
                missing.append((ch, place))
    return missing


def check_printable(content: dict) -> None:
    missing = missing_characters(texts(content))
    if missing:
        raise MissingCharacters(missing)


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's makeToUnicodeCMap with each code point written as UTF-16BE, as the PDF reference requires."""
    entries = [f"<{i:02X}> <{chr(cp).encode('utf-16-be').hex().upper()}>" for i, cp in enumerate(subset)]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo",
            f"<< /Registry ({fontname})",
            f"/Ordering ({fontname})",
            "/Supplement 0",
            ">> def",
            f"/CMapName /{fontname} def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            f"<00> <{len(subset) - 1:02X}>",
            "endcodespacerange",
            f"{len(subset)} beginbfchar",
            *entries,
            "endbfchar",
            "endcmap",
            "CMapName currentdict /CMap defineresource pop",
            "end",
            "end",
        ]
    )


@lru_cache(maxsize=1)
def _register_font() -> str:
    """Parse the font once per process and register it with reportlab."""
    from reportlab.pdfbase import pdfmetrics, ttfonts

    ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # see the module docstring
    path = font_path()
    if not path.is_file():
        raise StationError(f"找不到告知书字体文件 {path}：安装不完整，请重新安装 station-tui。")
    pdfmetrics.registerFont(ttfonts.TTFont(FONT_NAME, str(path)))
    return FONT_NAME


class _Layout:
    """A cursor down A4 pages: wrapped lines, new pages when full, each page footed with the serial."""

    def __init__(self, canvas, content: dict, part: str) -> None:  # noqa: ANN001
        from reportlab.pdfbase.pdfmetrics import stringWidth

        self.c = canvas
        self.content = content
        self.part = part
        self.parts_on_page = [part]
        self.page = 0
        self._widths: dict[tuple[str, float], float] = {}
        self._string_width = stringWidth
        self.new_page()

    def measure(self, size: float):  # noqa: ANN201
        def width(ch: str) -> float:
            key = (ch, size)
            if key not in self._widths:
                self._widths[key] = self._string_width(ch, FONT_NAME, size)
            return self._widths[key]

        return width

    def new_page(self) -> None:
        if self.page:
            self.end_page()
        self.page += 1
        self.parts_on_page = [self.part]
        self.y = PAGE_HEIGHT - MARGIN
        if self.page > 1:
            self.text(f"（续）{self.content['title']} {self.part}", size=9)

    def begin_part(self, part: str) -> None:
        """Another part goes on under a cut line on this same page."""
        self.part = part
        self.parts_on_page.append(part)

    def end_page(self) -> None:
        """The footer names every part the page holds: it is written last, when the page is known."""
        self.c.setFont(FONT_NAME, 8)
        parts = "、".join(self.parts_on_page)
        self.c.drawString(MARGIN, MARGIN / 2, f"编号 {self.content['serial']} · {parts} · 第 {self.page} 页")
        self.c.showPage()

    def need(self, height: float) -> None:
        if self.y - height < MARGIN:
            self.new_page()

    def text(self, text: str, *, size: float = BODY_SIZE, x: float = MARGIN, first: str = "", rest: str = "") -> None:
        limit = PAGE_WIDTH - MARGIN - x
        leading = max(LEADING, size * 1.45)
        for line in wrap(text, limit, self.measure(size), first=first, rest=rest):
            self.need(leading)
            self.y -= leading
            self.c.setFont(FONT_NAME, size)
            self.c.drawString(x, self.y, line)

    def item(self, item: str, size: float = BODY_SIZE) -> None:
        """A bulleted or numbered item: the marker in the margin, every line of the text aligned after it."""
        number = NUMBERED.match(item)
        marker, text = (number.group().strip(), item[number.end() :]) if number else ("·", item)
        x = MARGIN + 12
        self.need(LEADING)
        # The marker first, so that extracted text reads "1. 用电申请" in order.
        self.c.setFont(FONT_NAME, size)
        self.c.drawString(x, self.y - LEADING, marker)
        self.text(text, size=size, x=x + 18)

    def centered(self, text: str, size: float) -> None:
        self.need(size * 1.6)
        self.y -= size * 1.6
        self.c.setFont(FONT_NAME, size)
        self.c.drawCentredString(PAGE_WIDTH / 2, self.y, text)

    def rule(self, gap: float = 6) -> None:
        self.need(gap * 2)
        self.y -= gap
        self.c.setLineWidth(0.6)
        self.c.line(MARGIN, self.y, PAGE_WIDTH - MARGIN, self.y)
        self.y -= gap

    def space(self, points: float) -> None:
        self.y -= points


def _header(layout: _Layout, content: dict, reprints: int) -> None:
    c = layout.c
    layout.centered(content["company"] + " " + content["station"], 11)
    layout.centered(content["title"], 17)
    layout.space(4)
    layout.text(f"编号：{content['serial']}", size=10)
    c.setFont(FONT_NAME, 12)
    c.drawRightString(PAGE_WIDTH - MARGIN, layout.y, f"【{layout.part}】")
    marks = []
    if reprints:
        marks.append(f"补打（第 {reprints} 次）")
    if content.get("replaces_serial"):
        marks.append(f"更正：本告知书替代第 {content['replaces_serial']} 号")
    for mark in marks:
        layout.text(f"※ {mark}", size=12)
    layout.rule()


def _fields(layout: _Layout, fields: list[list[str]]) -> None:
    """Two short fields share a row; a long one takes the whole row."""
    half = (PAGE_WIDTH - 2 * MARGIN) / 2
    measure = layout.measure(BODY_SIZE)
    texts_ = [f"{label}：{value or '—'}" for label, value in fields]
    fits = [sum(measure(ch) for ch in t) < half - 12 for t in texts_]
    i = 0
    while i < len(texts_):
        if fits[i] and i + 1 < len(texts_) and fits[i + 1]:
            layout.need(LEADING)
            layout.y -= LEADING
            layout.c.setFont(FONT_NAME, BODY_SIZE)
            layout.c.drawString(MARGIN + 12, layout.y, texts_[i])
            layout.c.drawString(MARGIN + 12 + half, layout.y, texts_[i + 1])
            i += 2
        else:
            label = fields[i][0]
            layout.text(fields[i][1] or "—", x=MARGIN + 12, first=f"{label}：", rest="　" * (len(label) + 1))
            i += 1


def _body(layout: _Layout, content: dict) -> None:
    sections = content["sections"]
    # 客户确认 (已知悉以上内容) goes last, after the commitment, right above the signatures.
    last = [x for x in sections if x["heading"] == "客户确认"]
    for section in [x for x in sections if x["heading"] != "客户确认"]:
        layout.need(LEADING * 3)
        layout.space(3)
        layout.text(f"【{section['heading']}】", size=11.5)
        if section.get("fields"):
            _fields(layout, section["fields"])
        for item in section.get("items", []):
            layout.item(item)
        for paragraph in section.get("paragraphs", []):
            layout.text(paragraph, x=MARGIN + 12, first="　　")
    if content.get("commitment"):
        layout.need(LEADING * 4)
        layout.space(6)
        layout.text("【客户承诺】", size=11.5)
        layout.text(content["commitment"], x=MARGIN + 12, first="　　")
    for section in last:
        layout.need(LEADING * 2 + SIGNATURES_HEIGHT)  # never a page turn between it and the signature it explains
        layout.space(3)
        layout.text(f"【{section['heading']}】", size=11.5)
        for paragraph in section.get("paragraphs", []):
            layout.text(paragraph, size=11.5)


def _seal_place(layout: _Layout, top: float, station: str) -> None:
    """盖章处: a dashed box, named, at the right of the signatures and the date, for the station's seal."""
    c = layout.c
    x = PAGE_WIDTH - MARGIN - SEAL_WIDTH
    c.setLineWidth(0.5)
    c.setDash(3, 2)
    c.rect(x, top - SEAL_HEIGHT, SEAL_WIDTH, SEAL_HEIGHT)
    c.setDash()
    c.setFont(FONT_NAME, 9)
    c.drawCentredString(x + SEAL_WIDTH / 2, top - 12, "盖章处")
    c.setFont(FONT_NAME, 8)
    c.drawCentredString(x + SEAL_WIDTH / 2, top - SEAL_HEIGHT + 6, station)
    layout.y = min(layout.y, top - SEAL_HEIGHT) - 4


def _signatures(layout: _Layout, content: dict) -> None:
    layout.need(SIGNATURES_HEIGHT)
    layout.rule(8)
    layout.space(10)
    # The signature lines share the width left of the seal's box.
    column = (PAGE_WIDTH - 2 * MARGIN - SEAL_WIDTH - 12) / len(content["signatures"])
    layout.y -= LEADING
    top = layout.y + 12
    layout.c.setFont(FONT_NAME, 11)
    for i, (label, name) in enumerate(content["signatures"]):
        x = MARGIN + i * column
        layout.c.drawString(x, layout.y, f"{label}：{name}")
        layout.c.line(x + (len(label) + 1) * 11, layout.y - 3, x + column - 16, layout.y - 3)
    layout.space(14)
    layout.text(f"日期：{content['date']}", size=11)
    _seal_place(layout, top, content["station"])


def _part(canvas, content: dict, part: str, reprints: int) -> _Layout:  # noqa: ANN001
    layout = _Layout(canvas, content, part)
    _header(layout, content, reprints)
    _body(layout, content)
    _signatures(layout, content)
    return layout


# What the station keeps (存根联): who, what, what is missing, the signatures and the date; not the whole notice.
STUB_FIELDS = ("申请编号", "客户名称", "业务类型", "受理方式", "申请容量")
# Above the customer's signature on the stub too: what the signature there says.
STUB_ACKNOWLEDGED = "客户确认：已知悉以上内容（见客户联）。"


def _stub_fields(content: dict) -> list[list[str]]:
    known = {label: value for section in content["sections"] for label, value in section.get("fields", [])}
    fields = [[label, known[label]] for label in STUB_FIELDS if known.get(label)]
    if not known.get("客户名称") and content.get("customer_name"):
        fields.insert(0, ["客户名称", content["customer_name"]])
    return fields


def _stub_items(content: dict) -> list[str]:
    """What is still missing (容缺) or was not brought (未受理): the names only."""
    for section in content["sections"]:
        if section["heading"].startswith(("容缺资料", "需提供的资料")):
            return ["、".join(item.split("：", 1)[0] for item in section.get("items", []))]
    return []


def _stub(canvas, content: dict, reprints: int, after: _Layout) -> _Layout:  # noqa: ANN001
    """The 存根联 under a cut line on the customer's page where it fits, else on a page of its own."""
    fields, missing = _stub_fields(content), _stub_items(content)
    height = LEADING * (10 + len(fields) / 2 + 2 * len(missing)) + 60 + SEAL_BELOW
    if after.y - height - 24 >= MARGIN:
        layout = after
        layout.space(12)
        layout.c.setDash(4, 3)
        layout.c.line(MARGIN, layout.y, PAGE_WIDTH - MARGIN, layout.y)
        layout.c.setDash()
        layout.c.setFont(FONT_NAME, 8)
        layout.c.drawCentredString(PAGE_WIDTH / 2, layout.y + 3, "沿此线剪下　以下为存根联（供电所留存）")
        layout.begin_part("存根联")
        layout.space(4)
    else:
        after.end_page()
        layout = _Layout(canvas, content, "存根联")
    layout.centered(f"{content['title']}【存根联】", 12)
    layout.text(f"编号：{content['serial']}" + (f"　补打（第 {reprints} 次）" if reprints else ""), size=10)
    _fields(layout, fields)
    if missing:
        layout.text(missing[0], x=MARGIN + 12, first="暂缺/需带资料：", rest="　" * 8)
    if content.get("commitment"):
        layout.text("客户已作出承诺（见客户联【客户承诺】）。", x=MARGIN + 12)
    layout.text(STUB_ACKNOWLEDGED, size=11)
    _signatures(layout, content)
    return layout


def _properties(canvas, content: dict) -> None:  # noqa: ANN001 - a reportlab Canvas
    """What a PDF viewer's 属性 shows: the notice, the station that issued it, and the day it was issued.

    invariant=True keeps the file the same for the same notice; its date would be 2000-01-01, so the issue time is put
    in its place (reportlab has no public setter for it)."""
    from types import SimpleNamespace

    from station_tui.domain.timeutil import from_iso

    canvas.setTitle(f"{content['title']} {content['serial']}")
    canvas.setAuthor(content.get("station") or content["company"])
    canvas.setSubject(f"{content['company']} {content['title']}")
    canvas.setCreator("供电所业扩报装终端")
    issued = from_iso(content["issued_at"])
    offset = int((issued.utcoffset() or timedelta()).total_seconds() // 60)
    ymdhms = (issued.year, issued.month, issued.day, issued.hour, issued.minute, issued.second)
    canvas._doc._timeStamp = SimpleNamespace(t=issued.timestamp(), YMDhms=ymdhms, dhh=offset // 60, dmm=offset % 60)


def render(content: dict, reprints: int = 0) -> bytes:
    """The notice as a PDF: the customer copy, then the stub (存根联) under a cut line where it fits on the same sheet,
    else on a second page."""
    check_printable(content)
    from reportlab.pdfgen.canvas import Canvas

    _register_font()
    buffer = io.BytesIO()
    with _lock:
        canvas = Canvas(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), invariant=True, initialFontName=FONT_NAME)
        _properties(canvas, content)
        customer_copy = _part(canvas, content, "客户联", reprints)
        _stub(canvas, content, reprints, customer_copy).end_page()
        canvas.save()
    return buffer.getvalue()


def warm_up() -> None:
    """Load the font (about 0.15 s) before the clerk asks for the first PDF."""
    font_characters()
    _register_font()
