"""指标: the station's 获得电力 indicators per month and time-limit category (services.indicators: the same
computation as the export and the county's), the month's duties (termination rate against the profile's threshold,
follow-up calls), and two charts drawn in the terminal for the category under the table's cursor: whole-process
working days per month against the category's limit, and the share connected on time per month.

The months shown are chosen with 从/至 (YYYY-MM, Enter), or moved a month at a time with [ and ]."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import DataTable, Input, Label, Static

from station_tui.domain.errors import StationError
from station_tui.domain.timeutil import local_date
from station_tui.screens.base import StationScreen
from station_tui.screens.charts import OVER_STYLE, bars
from station_tui.services.indicators import COLUMNS, station_indicators
from station_tui.services.station import Station
from station_tui.services.terminations import check_month

MONTHS_SHOWN = 6  # the range the screen opens with: this month and the five before it
# (row key, title): short titles, so that the table reads at 80 columns.
CATEGORY_COLUMNS = (
    ("month", "月份"),
    ("category_name", "时限类别"),
    ("accepted", "受理"),
    ("connected", "送电"),
    ("avg_workdays", "平均用时"),
    ("max_workdays", "最长"),
    ("on_time_share", "按期"),
    ("terminated", "终止"),
    ("complete_share", "两证办结"),
    ("deferred_share", "容缺"),
    ("avg_documents", "收资"),
)
DUTY_COLUMNS = ("月份", "终止/办结", "终止率", "门槛", "小微送电", "已回访", "满意")


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


# Told by the column's kind, not by the value: 1.0 is a share of 100 % in one column and one working day in another.
SHARES = frozenset(column.name for column in COLUMNS if column.kind == "share")


def indicator_cell(name: str, value: object) -> str:
    """The indicator `name` as the screens show it: a share (0–1) as a percentage, a number as it is."""
    if value is None:
        return "—"
    return _share(value) if name in SHARES else f"{value:g}" if isinstance(value, float) else str(value)  # type: ignore[arg-type]


def month_range(first: str, last: str) -> list[str]:
    """Every month from first to last (YYYY-MM), both included."""
    year, month = int(first[:4]), int(first[5:7])
    months = []
    while f"{year:04d}-{month:02d}" <= last:
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return months


def shift(month: str, step: int) -> str:
    index = int(month[:4]) * 12 + int(month[5:7]) - 1 + step
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


@dataclass(frozen=True)
class Limit:
    days: int
    unit: str  # "workday" or "calendar_day"


@dataclass(frozen=True)
class IndicatorView:
    first: str
    last: str
    categories: list[dict]
    months: list[dict]
    limits: dict[str, Limit]  # by category name


def read_indicators(station: Station, first: str, last: str) -> IndicatorView:
    """The indicators of months first..last, and each category's limit (by name, from every profile the station has
    used: an older month may count a category of a profile changed since)."""
    for month in (first, last):
        check_month(month)
    if first > last:
        raise StationError(f"起始月份 {first} 晚于截止月份 {last}：请把“从”写成较早的月份")
    report = station_indicators(station, first, last)
    limits = {
        category.name: Limit(category.limit, category.unit)
        for loaded in station.profiles.values()
        for category in loaded.profile.categories
    }
    limits.update({c.name: Limit(c.limit, c.unit) for c in station.profile.categories})  # the current profile wins
    return IndicatorView(first, last, report["categories"], report["months"], limits)


class MonthInput(Input):
    """A month field that leaves [ and ] to the screen (a month is never typed with them): Textual takes a printable
    key away from every binding while an Input has the focus."""

    def check_consume_key(self, key: str, character: str | None) -> bool:
        return character not in ("[", "]") and super().check_consume_key(key, character)


class IndicatorsScreen(StationScreen):
    DEFAULT_CSS = """
    IndicatorsScreen #ind-body { padding: 0 1; }
    IndicatorsScreen #ind-range { height: 1; }
    IndicatorsScreen #ind-range Label { margin: 0 1 0 0; }
    IndicatorsScreen #ind-range Input { width: 10; margin-right: 2; }
    IndicatorsScreen #ind-hint { color: $text-muted; width: 1fr; }
    IndicatorsScreen #ind-message { height: auto; display: none; }
    IndicatorsScreen #ind-message.-shown { display: block; }
    IndicatorsScreen #ind-message.-error { color: $error; }
    IndicatorsScreen .ind-title { text-style: bold; height: auto; margin-top: 1; }
    IndicatorsScreen DataTable { height: auto; max-height: 12; }
    IndicatorsScreen .ind-chart { height: auto; }
    """
    BINDINGS = [
        Binding("escape", "back", "返回", id="ind-back"),
        # Priority: the month fields (MonthInput) have the focus.
        Binding("left_square_bracket", "move(-1)", "前移一月", id="ind-earlier", priority=True),
        Binding("right_square_bracket", "move(1)", "后移一月", id="ind-later", priority=True),
        # The charts lie below the tables on a small terminal: the page keys scroll the screen wherever the focus is.
        Binding("pagedown", "page(1)", "下翻", id="ind-page-down", priority=True),
        Binding("pageup", "page(-1)", "上翻", id="ind-page-up", priority=True),
    ]

    def __init__(self) -> None:
        super().__init__(id="area-indicators")
        self.view: IndicatorView | None = None
        self.chart_category: str | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="ind-body"):
            with Horizontal(id="ind-range"):
                yield Label("从")
                yield MonthInput(id="ind-from", placeholder="YYYY-MM", max_length=7, compact=True)
                yield Label("至")
                yield MonthInput(id="ind-to", placeholder="YYYY-MM", max_length=7, compact=True)
                yield Static("Enter 查看　[ ] 前后移一月　Tab 选类别　PgDn 看图", id="ind-hint")
            yield Static("", id="ind-message")
            yield Static(
                "各时限类别（受理、两证办结、容缺、收资按受理月份计，其余按办结月份计）",
                classes="ind-title",
            )
            yield DataTable(id="ind-table", cursor_type="row", zebra_stripes=True)
            yield Static("终止率与回访", classes="ind-title")
            yield DataTable(id="ind-duties", cursor_type="row")
            yield Static("", id="ind-days-title", classes="ind-title")
            yield Static("", id="ind-days", classes="ind-chart")
            yield Static("", id="ind-ontime-title", classes="ind-title")
            yield Static("", id="ind-ontime", classes="ind-chart")

    def on_mount(self) -> None:
        self.query_one("#ind-table", DataTable).add_columns(*(title for _, title in CATEGORY_COLUMNS))
        self.query_one("#ind-duties", DataTable).add_columns(*DUTY_COLUMNS)
        last = local_date(self.station.store.clock()).strftime("%Y-%m")
        self.query_one("#ind-from", Input).value = shift(last, 1 - MONTHS_SHOWN)
        self.query_one("#ind-to", Input).value = last
        self.query_one("#ind-from", Input).focus()
        self.action_show()

    # --- reading -----------------------------------------------------------------------------------------------

    @on(Input.Submitted)
    def action_show(self) -> None:
        first = self.query_one("#ind-from", Input).value.strip()
        last = self.query_one("#ind-to", Input).value.strip()
        self.call_service(read_indicators, self.station, first, last, done=self._show, failed=self._fail, group="ind")

    def action_move(self, step: int) -> None:
        if self.view is None:
            return
        self.query_one("#ind-from", Input).value = shift(self.view.first, step)
        self.query_one("#ind-to", Input).value = shift(self.view.last, step)
        self.action_show()

    def action_page(self, step: int) -> None:
        body = self.query_one("#ind-body", VerticalScroll)
        if step > 0:
            body.scroll_page_down()
        else:
            body.scroll_page_up()

    def _fail(self, message: str) -> None:
        # What was typed stays in the fields, to be corrected.
        self._say(message, error=True)

    def _say(self, text: str, error: bool = False) -> None:
        line = self.query_one("#ind-message", Static)
        line.update(text)
        line.set_class(error, "-error")
        line.set_class(bool(text), "-shown")

    def _show(self, view: IndicatorView) -> None:
        self.view = view
        self._say("")
        table = self.query_one("#ind-table", DataTable)
        table.clear()
        for index, row in enumerate(view.categories):
            cells = [indicator_cell(name, row[name]) for name, _ in CATEGORY_COLUMNS]
            table.add_row(*cells, key=str(index))
        duties = self.query_one("#ind-duties", DataTable)
        duties.clear()
        for month in view.months:
            duties.add_row(*self._duty_cells(month))
        if not view.categories:
            self._say(f"{view.first} 至 {view.last} 没有受理或办结的申请。")
        names = [row["category_name"] for row in view.categories]
        if self.chart_category not in names:
            self.chart_category = names[0] if names else None
        self._draw()

    @staticmethod
    def _duty_cells(month: dict) -> list[Text | str]:
        over = month["termination_rate_over"]
        threshold = month["termination_rate_max"]
        rate = Text(_share(month["termination_rate"]), style=OVER_STYLE if over else "green")
        return [
            month["month"],
            f"{month['terminated']}/{month['finished']}",
            rate,
            "未规定" if threshold is None else f"低于 {threshold:.0%}",
            str(month["small_micro_connected"]),
            _share(month["called_share"]),
            _share(month["satisfied_share"]),
        ]

    @on(DataTable.RowHighlighted, "#ind-table")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.view is None or event.row_key.value is None:
            return
        name = self.view.categories[int(event.row_key.value)]["category_name"]
        if name != self.chart_category:
            self.chart_category = name
            self._draw()

    # --- charts ------------------------------------------------------------------------------------------------

    def _draw(self) -> None:
        view, name = self.view, self.chart_category
        days_title = self.query_one("#ind-days-title", Static)
        ontime_title = self.query_one("#ind-ontime-title", Static)
        if view is None or name is None:
            days_title.update("")
            ontime_title.update("")
            for chart in ("#ind-days", "#ind-ontime"):
                self.query_one(chart, Static).update("")
            return
        months = month_range(view.first, view.last)
        rows = {r["month"]: r for r in view.categories if r["category_name"] == name}
        days = [rows[m]["avg_workdays"] if m in rows else None for m in months]
        on_time = [rows[m]["on_time_share"] if m in rows else None for m in months]
        limit = view.limits.get(name)
        if limit is not None and limit.unit == "workday":
            days_title.update(f"「{name}」每月全流程平均用时（工作日），│ 为时限 {limit.days} 个工作日，超出标红")
            mark = float(limit.days)
        else:
            what = "按日历日计，与工作日不可比，" if limit is not None else ""
            days_title.update(f"「{name}」每月全流程平均用时（工作日；时限{what}未画）")
            mark = None
        self.query_one("#ind-days", Static).update(bars(months, days, limit=mark))
        ontime_title.update(f"「{name}」每月按期送电占比")
        self.query_one("#ind-ontime", Static).update(bars(months, on_time, top=1.0, number=_share))

    def action_back(self) -> None:
        self.app.pop_screen()
