"""Plain text for narrow receipt printers (32 or 48 columns), laid out by display width.

A Chinese character takes two cells. East Asian "ambiguous" characters (“ ” · — × ①) are counted as two as well:
receipt printers print every GB18030 double-byte character double width, so counting them narrow would overflow.
Counting them wide can only leave a line a little short, never too long. The line wrapper is shared with the PDF
renderer, which passes its own width of a character.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

WIDTHS = (32, 48)
DEFAULT_WIDTH = 48
ACKNOWLEDGED_HEADING = "客户确认"  # notice_content.ACKNOWLEDGED: printed last, right above the signatures
SEAL_LINES = 4  # blank lines left for the station's seal

# No line starts with these (禁则): they stay with the character before them.
_NO_LINE_START = set("，。、；：！？）》」』】”’…%·,.;:!?)]")
# ... and no line ends with these: they go down with the character after them.
_NO_LINE_END = set("（《「『【“‘([")
# A numbered item ("3. 装表送电") carries its own number instead of a bullet.
NUMBERED = re.compile(r"^\d+\. ")
# A run of these is one token: numbers, codes and Latin words are not broken unless they must be.
_WORD = re.compile(r"[0-9A-Za-z\-_./@+#*]+|.", re.DOTALL)


def char_width(ch: str) -> int:
    """Cells a character takes on a receipt printer (0 for combining marks, 2 for wide and ambiguous)."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F", "A") else 1


def display_width(text: str) -> int:
    return sum(char_width(ch) for ch in text)


def wrap(
    text: str,
    limit: float,
    measure: Callable[[str], float] = char_width,
    *,
    first: str = "",
    rest: str = "",
) -> list[str]:
    """Lines of at most `limit` (cells, or points with a PDF measure), the first after `first`, the others after `rest`.

    Breaks anywhere between Chinese characters, keeps runs of digits and Latin letters whole when they fit on a line,
    and never starts a line with closing punctuation.
    """

    def width(s: str) -> float:
        return sum(measure(ch) for ch in s)

    lines: list[str] = []
    prefix, tokens = first, []  # tokens of the current line
    used = width(prefix)
    for token in _WORD.findall(text):
        w = width(token)
        if used + w <= limit:
            tokens.append(token)
            used += w
            continue
        carry: list[str] = []
        if token[0] in _NO_LINE_START and len(tokens) > 1:
            carry = [tokens.pop()]
        while len(tokens) > 1 and tokens[-1] in _NO_LINE_END:
            carry.insert(0, tokens.pop())
        lines.append(prefix + "".join(tokens))
        prefix, tokens = rest, carry
        used = width(prefix) + width("".join(carry))
        for ch in token if used + w > limit else [token]:
            # A token longer than a whole line is broken where it must be.
            cw = width(ch)
            if used + cw > limit and tokens:
                lines.append(prefix + "".join(tokens))
                tokens, used = [], width(prefix)
            tokens.append(ch)
            used += cw
    lines.append(prefix + "".join(tokens))
    return [line.rstrip() for line in lines]


def item_prefixes(item: str, bullet: str = "· ", pad: str = " ") -> dict[str, str]:
    """A bulleted item, or a numbered one whose continuation lines stand under its text."""
    number = NUMBERED.match(item)
    if number:
        return {"first": "", "rest": pad * display_width(number.group())}
    return {"first": bullet, "rest": pad * display_width(bullet)}


def _center(text: str, width: int) -> list[str]:
    lines = wrap(text, width)
    return [" " * ((width - display_width(line)) // 2) + line for line in lines]


def _field(label: str, value: str, width: int) -> list[str]:
    head = f"{label}："
    # Values continue under themselves when the label is short enough to leave room; else under the label.
    indent = " " * display_width(head) if display_width(head) <= width // 3 else "  "
    return wrap(value or "—", width, first=head, rest=indent)


def _marks(content: dict, reprints: int) -> list[str]:
    marks = []
    if reprints:
        marks.append(f"补打（第 {reprints} 次）")
    if content.get("replaces_serial"):
        marks.append(f"更正：本告知书替代第 {content['replaces_serial']} 号")
    return marks


def _signatures(content: dict, width: int) -> list[str]:
    lines = []
    for label, name in content["signatures"]:
        blank = "_" * max(6, min(16, width - display_width(f"{label}：{name} ") - 2))
        lines += wrap(f"{name} {blank}" if name else blank, width, first=f"{label}：", rest="  ")
        lines.append("")
    lines += wrap(content["date"], width, first="日期：")
    # 盖章处: blank lines under its label, room for the station's seal on the paper.
    return lines + [""] + wrap(f"盖章处（{content['station']}）：", width) + [""] * SEAL_LINES


def _part_header(content: dict, width: int, part: str, reprints: int) -> list[str]:
    lines = _center(content["company"], width) + _center(content["station"], width)
    lines += _center(content["title"], width)
    lines += wrap(f"【{part}】", width)
    lines += wrap(content["serial"], width, first="编号：", rest="  ")
    for mark in _marks(content, reprints):
        lines += wrap(mark, width)
    return lines


def customer_copy(content: dict, width: int = DEFAULT_WIDTH, reprints: int = 0) -> list[str]:
    rule = "-" * width
    lines = _part_header(content, width, "客户联", reprints) + [rule]
    # 客户确认 (已知悉以上内容) last, after the commitment: right above the customer's signature, as on the PDF.
    acknowledged = [section for section in content["sections"] if section["heading"] == ACKNOWLEDGED_HEADING]
    for section in [section for section in content["sections"] if section["heading"] != ACKNOWLEDGED_HEADING]:
        lines += wrap(f"【{section['heading']}】", width)
        for label, value in section.get("fields", []):
            lines += _field(label, value, width)
        for item in section.get("items", []):
            lines += wrap(item, width, **item_prefixes(item))
        for paragraph in section.get("paragraphs", []):
            lines += wrap(paragraph, width, first="  ")
        lines.append("")
    if content.get("commitment"):
        lines += wrap("【客户承诺】", width)
        lines += wrap(content["commitment"], width, first="  ")
        lines.append("")
    for section in acknowledged:
        lines += wrap(f"【{section['heading']}】", width)
        for paragraph in section.get("paragraphs", []):
            lines += wrap(paragraph, width, first="  ")
        lines.append("")
    return lines + [rule] + _signatures(content, width)


def stub(content: dict, width: int = DEFAULT_WIDTH, reprints: int = 0) -> list[str]:
    """The stub kept with the file: who, what, when, and the signatures (the customer copy carries the rest)."""
    lines = _part_header(content, width, "存根联", reprints) + ["-" * width]
    first = content["sections"][0]
    for label, value in first.get("fields", []):
        lines += _field(label, value, width)
    if content.get("commitment"):
        lines += wrap(content["commitment"], width, first="承诺：", rest="  ")
    lines += wrap("已知悉以上内容（见客户联）。", width, first="客户确认：", rest="  ")
    return lines + ["-" * width] + _signatures(content, width)


def render(content: dict, width: int = DEFAULT_WIDTH, reprints: int = 0) -> str:
    """Both parts, the customer copy first, with a tear-off line between them."""
    if width not in WIDTHS:
        raise ValueError(f"width must be one of {WIDTHS}")
    label = " 沿此线撕开 "
    side = (width - display_width(label)) // 2
    cut = "-" * side + label + "-" * (width - side - display_width(label))
    lines = customer_copy(content, width, reprints) + ["", cut, ""] + stub(content, width, reprints)
    return "\n".join(lines) + "\n"
