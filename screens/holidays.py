"""节假日: a year as twelve month grids (holidays, make-up workdays, weekends, today) with where its days come from;
a 站长 enters a year festival by festival as the State Council notice is written, or imports a file.

A bad entry or file shows every problem and changes nothing; what was typed stays. An accepted schedule shows the
applications whose due dates moved, and by how many working days.
"""

from __future__ import annotations

import calendar as _calendar
import re
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from station_tui.domain.holiday_files import parse_date
from station_tui.domain.workdays import DayKind, YearSource
from station_tui.screens.base import ServiceCalls, StationScreen
from station_tui.services import holidays as service
from station_tui.services.operators import heads

WEEK_HEADER = "一 二 三 四 五 六 日"
# Fixed colours: the kinds of day must read the same on every theme.
STYLES = {
    DayKind.HOLIDAY: "bold #ffffff on #af0000",
    DayKind.MAKEUP: "bold #000000 on #ffaf00",
    DayKind.WEEKEND: "#8a8a8a",
    DayKind.WORKDAY: "",
}
TODAY_STYLE = "reverse"


def month_text(view: service.YearView, month: int) -> Text:
    """One month as a grid: a title, the weekdays, then one line per week, each day coloured by its kind."""
    text = Text(f"{month} 月\n", style="bold")
    text.append(WEEK_HEADER + "\n", style="#8a8a8a")
    weeks = _calendar.Calendar(firstweekday=0).monthdatescalendar(view.year, month)
    for number, week in enumerate(weeks):
        if number:
            text.append("\n")
        for position, day in enumerate(week):
            if day.month != month:
                text.append("  ")
            else:
                style = STYLES[view.kinds[day]]
                if day == view.today:
                    style = f"{style} {TODAY_STYLE}".strip()
                text.append(f"{day.day:>2}", style=style)
            if position < 6:
                text.append(" ")
    return text


def _md(day: date) -> str:
    return f"{day.month}/{day.day}"


def festival_lines(view: service.YearView) -> str:
    """Each festival as the notice gives it, short enough for the side panel: 春节 2/15-2/23 9天, then 班 2/14、2/28."""
    lines = []
    for name, holidays, makeup in view.festivals:
        if holidays:
            first, last = holidays[0], holidays[-1]
            span = _md(first) if first == last else f"{_md(first)}-{_md(last)}"
            lines.append(f"{name} {span} {len(holidays)}天")
        else:
            lines.append(name)
        if makeup:
            lines.append("  班 " + "、".join(_md(d) for d in makeup))
    return "\n".join(lines) or "（无）"


def moved_text(result: service.Accepted) -> str:
    head = (
        f"已采用 {result.year} 年节假日安排：放假 {result.holidays} 天，调休上班 {result.makeup_workdays} 天"
        f"（原来：{result.previous_source.label}）。"
    )
    if not result.moved:
        lines = [head, "", "在办申请的期限均未变动。"]
    else:
        lines = [head, "", f"期限变动的申请 {len(result.moved)} 件："]
        for m in result.moved:
            mark = "（估算）" if m.estimated else ""
            lines.append(
                f"  {m.number}  {m.customer}  {m.previous:%Y-%m-%d} → {m.due:%Y-%m-%d}{mark}  {m.shift:+d} 个工作日"
            )
    if result.estimate_cleared:
        lines.append(f"另有 {result.estimate_cleared} 件期限未变，已由估算转为依据官方安排。")
    return "\n".join(lines)


# --- dialogs (styled in holidays.tcss) ----------------------------------------------------------------------------------------------------


# Where a year's days come from, said for a clerk: official or not, and whose data (never a package name).
SOURCE_WORDS = {
    YearSource.ENTERED: "官方数据（本所按国务院办公厅通知录入）",
    YearSource.CHINESE_CALENDAR: "官方数据（国务院办公厅通知，程序内置的节假日日历）",
    YearSource.SHIPPED: "官方数据（国务院办公厅通知，程序随附的节假日文件）",
}

class _HeadDialog(ServiceCalls, ModalScreen):
    """What entering and importing share: a 站长 and the PIN, the error shown whole, the result returned."""

    BINDINGS = [Binding("escape", "cancel", "取消")]

    def __init__(self, heads: list[tuple[str, str]], preferred: str | None) -> None:
        super().__init__()
        self.heads = heads
        self.preferred = preferred if any(h == preferred for h, _ in heads) else None

    def head_fields(self) -> ComposeResult:
        with Horizontal():
            with Vertical(classes="field"):
                yield Label("站长")
                yield Select(
                    [(name, uuid) for uuid, name in self.heads],
                    id="head",
                    allow_blank=False,
                    value=self.preferred or self.heads[0][0],
                    compact=True,
                )
            with Vertical(classes="field"):
                yield Label("站长 PIN")
                yield Input(id="pin", password=True, placeholder="站长输入 PIN 确认")

    def buttons(self, ok: str) -> ComposeResult:
        with Horizontal(classes="buttons"):
            yield Button("取消", id="cancel")
            yield Button(ok, id="save", variant="primary")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def error(self, message: str) -> None:
        self.query_one(".error", Static).update(message)

    def head_and_pin(self) -> tuple[str, str] | None:
        head = self.query_one("#head", Select).value
        pin = self.query_one("#pin", Input).value
        if not pin:
            self.error("请站长输入 PIN")
            return None
        return str(head), pin

    def run(self, fn, *args) -> None:  # noqa: ANN001
        self.error("正在保存…")
        self.call_service(fn, *args, done=self.dismiss, failed=self.error, group="holidays-save")


class EnterScheduleDialog(_HeadDialog):
    """A year festival by festival: name, first and last holiday, make-up workdays (as the notice writes them)."""

    def __init__(self, year: int, heads: list[tuple[str, str]], preferred: str | None) -> None:
        super().__init__(heads, preferred)
        self.year = year
        self.festivals: list[tuple[str, date, date, list[date]]] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                f"录入 {self.year} 年节假日安排：按《国务院办公厅关于{self.year}年部分节假日安排的通知》逐项填写，"
                "每个节日填放假起止日期和调休上班日（日期之间用空格或顿号分隔）。",
                id="enter-title",
            )
            yield Static("（尚未添加节日）", id="festival-list")
            with Horizontal():
                for field_id, label, hint in (
                    ("f-name", "节日名称", "如：春节"),
                    ("f-first", "放假首日", f"{self.year}-02-06"),
                    ("f-last", "放假末日", f"{self.year}-02-13"),
                    ("f-makeup", "调休上班日", f"{self.year}-02-20"),
                ):
                    with Vertical(classes="field"):
                        yield Label(label)
                        yield Input(id=field_id, placeholder=hint)
            with Horizontal(classes="buttons"):
                yield Button("删除最后一项", id="remove-last")
                yield Button("添加此节日", id="add", variant="success")
            yield from self.head_fields()
            yield Static("", classes="error", id="enter-error")
            yield from self.buttons(f"保存 {self.year} 年安排")

    def _show_list(self) -> None:
        lines = []
        for index, (name, first, last, makeup) in enumerate(self.festivals, start=1):
            extra = f"；调休上班 {'、'.join(f'{d:%m-%d}' for d in makeup)}" if makeup else ""
            lines.append(f"{index}. {name}：{first:%Y-%m-%d} 至 {last:%Y-%m-%d}{extra}")
        self.query_one("#festival-list", Static).update("\n".join(lines) or "（尚未添加节日）")

    @on(Button.Pressed, "#add")
    @on(Input.Submitted, "#f-makeup")
    def add_festival(self) -> None:
        values = {i: self.query_one(f"#{i}", Input).value.strip() for i in ("f-name", "f-first", "f-last", "f-makeup")}
        problems = []
        if not values["f-name"]:
            problems.append("请填写节日名称")
        first, last = parse_date(values["f-first"]), parse_date(values["f-last"])
        if first is None:
            problems.append(f"放假首日“{values['f-first']}”无法识别（应写作 {self.year}-10-01）")
        if last is None:
            problems.append(f"放假末日“{values['f-last']}”无法识别（应写作 {self.year}-10-07）")
        makeup: list[date] = []
        for part in re.split(r"[\s,，、;；]+", values["f-makeup"]):
            if not part:
                continue
            day = parse_date(part)
            if day is None:
                problems.append(f"调休上班日“{part}”无法识别")
            else:
                makeup.append(day)
        if problems:
            self.error("；".join(problems))
            return
        assert first is not None and last is not None
        self.festivals.append((values["f-name"], first, last, sorted(makeup)))
        for field_id in values:
            self.query_one(f"#{field_id}", Input).value = ""
        self.error("")
        self._show_list()
        self.query_one("#f-name", Input).focus()

    @on(Button.Pressed, "#remove-last")
    def remove_last(self) -> None:
        if self.festivals:
            self.festivals.pop()
            self._show_list()

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#pin")
    def save(self) -> None:
        if any(self.query_one(f"#{i}", Input).value.strip() for i in ("f-name", "f-first", "f-last")):
            self.error("还有填写了但未添加的节日：请先按「添加此节日」或清空这几栏")
            return
        who = self.head_and_pin()
        if who is None:
            return
        festivals = [(n, f, last, list(m)) for n, f, last, m in self.festivals]
        self.run(self._enter, self.app.station, self.year, festivals, *who)

    @staticmethod
    def _enter(station, year: int, festivals: list, head: str, pin: str) -> service.Accepted:  # noqa: ANN001
        return service.enter_festivals(station, year, festivals, head=head, pin=pin)


class ImportScheduleDialog(_HeadDialog):
    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(
                "导入节假日安排文件（CSV，表头“日期,类型,名称”，类型为“休”或“班”；UTF-8 或 GBK），如县公司下发的文件。"
            )
            yield Label("文件路径")
            yield Input(id="path", placeholder="如 D:\\节假日2027.csv 或 /media/usb/2027.csv")
            yield from self.head_fields()
            yield Static("", classes="error", id="import-error")
            yield from self.buttons("导入")

    @on(Button.Pressed, "#save")
    @on(Input.Submitted, "#pin")
    def save(self) -> None:
        path = self.query_one("#path", Input).value.strip().strip('"')
        if not path:
            self.error("请填写文件路径")
            return
        who = self.head_and_pin()
        if who is None:
            return
        self.run(self._import, self.app.station, path, *who)

    @staticmethod
    def _import(station, path: str, head: str, pin: str) -> service.Accepted:  # noqa: ANN001
        from pathlib import Path

        return service.import_file_as_head(station, Path(path), head=head, pin=pin)


class ScheduleResultDialog(ModalScreen[None]):
    BINDINGS = [Binding("escape,enter", "dismiss(None)", "关闭")]

    def __init__(self, result: service.Accepted) -> None:
        super().__init__()
        self.result = result

    def compose(self) -> ComposeResult:
        with Vertical():
            with VerticalScroll(id="result-text"):
                yield Static(moved_text(self.result), id="result-body")
            with Horizontal(classes="buttons"):
                yield Button("关闭", id="close", variant="primary")

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)


# --- the screen ---------------------------------------------------------------------------------------------------


class HolidayScreen(StationScreen):
    CSS_PATH = "holidays.tcss"
    BINDINGS = [
        Binding("left", "year(-1)", "上一年", id="holidays-prev"),
        Binding("right", "year(1)", "下一年", id="holidays-next"),
        Binding("t", "this_year", "今年", id="holidays-today"),
        Binding("e", "enter", "录入安排", id="holidays-enter", tooltip="站长按国务院通知逐项录入该年安排"),
        Binding("i", "import_file", "导入文件", id="holidays-import", tooltip="站长导入县公司下发的安排文件"),
        Binding("down", "scroll_months(2)", "下翻", id="holidays-down", show=False),
        Binding("up", "scroll_months(-2)", "上翻", id="holidays-up", show=False),
        Binding("pagedown", "scroll_months(10)", "下一页", id="holidays-pagedown"),
        Binding("pageup", "scroll_months(-10)", "上一页", id="holidays-pageup", show=False),
    ]
    # Below 110 columns the months stand three abreast, with the festivals under them; the year scrolls.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

    def __init__(self) -> None:
        super().__init__(id="holidays")
        self.year: int | None = None
        self.view: service.YearView | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="holidays-body"):
            yield Static("节假日安排", id="holidays-title")
            with VerticalScroll(id="holidays-main", can_focus=False):
                with Grid(id="holidays-months"):
                    for month in range(1, 13):
                        yield Static("", id=f"month-{month}", classes="month")
                with Vertical(id="holidays-side"):
                    yield Static("", id="holidays-festivals")
                    yield Static(self._legend(), id="holidays-legend")

    def action_scroll_months(self, lines: int) -> None:
        self.query_one("#holidays-main", VerticalScroll).scroll_relative(y=lines, animate=False)

    @staticmethod
    def _legend() -> Text:
        text = Text("图例\n", style="bold")
        for label, style in (
            ("休 节假日", STYLES[DayKind.HOLIDAY]),
            ("班 调休上班", STYLES[DayKind.MAKEUP]),
            ("周末", STYLES[DayKind.WEEKEND]),
            ("今天", TODAY_STYLE),
        ):
            text.append(f" {label} ", style=style)
            text.append("\n")
        return text

    def on_mount(self) -> None:
        self.load(None)

    def load(self, year: int | None) -> None:
        def read(station, wanted):  # noqa: ANN001, ANN202
            from station_tui.domain.timeutil import local_date

            return service.year_view(station, wanted or local_date(station.store.clock()).year)

        self.call_service(read, self.station, year, done=self._show, group="holidays-view")

    def _show(self, view: service.YearView) -> None:
        self.view, self.year = view, view.year
        source = SOURCE_WORDS.get(view.source, "估算（无官方数据：按法定节日规则推算，不含调休）")
        entered = f"，录入于 {view.entered_at[:16].replace('T', ' ')}" if view.entered_at else ""
        self.query_one("#holidays-title", Static).update(
            Text.assemble((f"{view.year} 年节假日安排", "bold"), f"　来源：{source}{entered}")
        )
        self.query_one("#holidays-title").set_class(not view.source.official, "-estimate")
        for month in range(1, 13):
            self.query_one(f"#month-{month}", Static).update(month_text(view, month))
        self.query_one("#holidays-festivals", Static).update(Text.assemble(("节日\n", "bold"), festival_lines(view)))

    def action_year(self, step: int) -> None:
        if self.year is not None:
            self.load(self.year + step)

    def action_this_year(self) -> None:
        self.load(None)

    def _heads(self, then) -> None:  # noqa: ANN001
        def got(heads: list[tuple[str, str]]) -> None:
            if not heads:
                self.notify("本站没有站长，不能录入节假日安排", severity="error")
                return
            then(heads)

        station = self.station
        self.call_service(lambda: [(op.uuid, op.name) for op in heads(station)], done=got, group="holidays-heads")

    def _operator_id(self) -> str | None:
        operator = self.app.operator  # type: ignore[attr-defined]
        return operator.uuid if operator is not None else None

    def action_enter(self) -> None:
        if self.year is None:
            return
        year = self.year
        self._heads(
            lambda heads: self.app.push_screen(EnterScheduleDialog(year, heads, self._operator_id()), self._accepted)
        )

    def action_import_file(self) -> None:
        self._heads(
            lambda heads: self.app.push_screen(ImportScheduleDialog(heads, self._operator_id()), self._accepted)
        )

    def _accepted(self, result: service.Accepted | None) -> None:
        if result is None:
            return
        self.load(result.year)
        self.app.refresh_status()  # type: ignore[attr-defined]
        self.app.push_screen(ScheduleResultDialog(result))


