"""时限倒计时: every open application, most urgent first, coloured by the profile's warning levels.

Refreshes by itself (so a screen left open overnight moves to the new day), filters by stage, business type and
customer manager without going back to the database, pauses and resumes with a reason, and opens an application.
"""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Select, Static

from station_tui.domain.glossary import COUNTDOWN_LEVELS
from station_tui.screens import clock_flows
from station_tui.screens.application import ApplicationScreen
from station_tui.screens.base import StationScreen
from station_tui.services import countdown as service
from station_tui.services.countdown import Countdown, CountdownRow, WorksClock

REFRESH_SECONDS = 60.0
WEEKDAYS = "一二三四五六日"
# Fixed colours rather than theme variables: the levels must read the same on every theme.
LEVEL_STYLES = {
    service.OVERDUE: "bold #ff5f5f",
    service.URGENT: "bold #ff8700",
    service.WARNING: "#ffd75f",
    service.NORMAL: "",
    service.PAUSED: "#8a8a8a",
}
# (title, width in cells). 剩余 and 状态 come first, so that at 80 columns what is urgent is never cut off; a longer
# value is cut with "…" and the detail line under the table shows it whole.
COLUMNS = (
    ("剩余", 6),
    ("状态", 8),
    ("编号", 20),
    ("客户", 10),
    ("当前环节", 10),
    ("全流程到期", 14),
    ("环节到期", 10),
    ("配套工程到期", 16),  # the supporting works' own countdown (its own colour), "—" without works
    ("业务类型", 12),
)
WORKS_COLUMN = next(i for i, (title, _width) in enumerate(COLUMNS) if title == "配套工程到期")
ALL = Select.NULL


def _day(day: date | None, estimated: bool = False) -> str:
    if day is None:
        return "—"
    return f"{day:%Y-%m-%d}" + ("（估）" if estimated else "")


def _works_left(works: WorksClock) -> str:
    return f"剩{works.days_left}" if works.days_left >= 0 else f"超{-works.days_left}"


def _cells(row: CountdownRow) -> list[Text]:
    style = LEVEL_STYLES[row.level]
    stage = row.stage + ("（客户）" if row.customer_side else "")
    # ASCII brackets: full-width ones took 4 of the column's 6 cells, and cut a paused "-70" to "（-70…".
    left = f"({row.days_left})" if row.level == service.PAUSED else str(row.days_left)
    values = (
        left,
        COUNTDOWN_LEVELS[row.level],
        row.number,
        row.customer,
        stage,
        _day(row.due, row.estimated),
        _day(row.stage_due),
        "—" if row.works is None else f"{_day(row.works.due, row.works.estimated)} {_works_left(row.works)}",
        row.business_type_name,
    )
    styles = [style] * len(values)
    if row.works is not None:
        styles[WORKS_COLUMN] = LEVEL_STYLES[row.works.level]
    return [
        Text(_fit(value, width), style=cell_style)
        for value, cell_style, (_title, width) in zip(values, styles, COLUMNS, strict=True)
    ]


def _fit(value: str, width: int) -> str:
    """The value, or as much as fits followed by "…": a cut never looks like a whole value."""
    if cell_len(value) <= width:
        return value
    kept = ""
    for char in value:
        if cell_len(kept + char) > width - 1:
            break
        kept += char
    return kept + "…"


class CountdownScreen(StationScreen):
    CSS_PATH = "countdown.tcss"
    BINDINGS = [
        Binding("enter", "open", "打开申请", id="countdown-open", show=True),
        Binding("p", "pause", "暂停", id="countdown-pause", tooltip="等待客户：暂停计时（写明原因）"),
        Binding("u", "resume", "恢复", id="countdown-resume", tooltip="恢复计时，期限顺延暂停的工作日"),
        Binding("r", "refresh", "刷新", id="countdown-refresh"),
        Binding("x", "clear_filters", "清除筛选", id="countdown-clear"),
    ]

    def __init__(self) -> None:
        super().__init__(id="countdown")
        self.data: Countdown | None = None
        self.shown: list[CountdownRow] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="countdown-body"):
            yield Static("时限倒计时", id="countdown-title")
            yield Static("正在读取…", id="countdown-counts")
            with Horizontal(id="countdown-filters"):
                yield Select([], prompt="全部环节", id="filter-stage", compact=True)
                yield Select([], prompt="全部业务类型", id="filter-type", compact=True)
                yield Select([], prompt="全部客户经理", id="filter-manager", compact=True)
            yield DataTable(id="countdown-table", cursor_type="row")
            yield Static("", id="countdown-detail")

    def on_mount(self) -> None:
        table = self.query_one("#countdown-table", DataTable)
        for title, width in COLUMNS:
            table.add_column(title, width=width)
        table.focus()  # Enter and PageDown work the list, as the footer says; Tab reaches the filters
        self.action_refresh()
        self.set_interval(REFRESH_SECONDS, self.action_refresh)

    def on_screen_resume(self) -> None:
        # Back from an application: what was done there shows here.
        if self.data is not None:
            self.action_refresh()

    # --- data ----------------------------------------------------------------------------------------------

    def action_refresh(self) -> None:
        self.call_service(service.countdown, self.station, done=self._loaded, group="countdown")

    def _loaded(self, data: Countdown) -> None:
        self.data = data
        today = data.today
        self.query_one("#countdown-title", Static).update(
            f"时限倒计时　{today:%Y-%m-%d} 星期{WEEKDAYS[today.weekday()]}　"
            f"（剩余 {data.warn_days} 个工作日及以内预警；（估）= 期限落在无官方节假日数据的年份）"
        )
        self._fill_filters(data.rows)
        self._show()
        self.app.refresh_status()  # type: ignore[attr-defined]

    def _fill_filters(self, rows: list[CountdownRow]) -> None:
        wanted = {
            "#filter-stage": sorted({(r.stage, r.stage) for r in rows}),
            "#filter-type": sorted({(r.business_type_name, r.business_type) for r in rows}),
            "#filter-manager": sorted({(r.manager_name or "（未指定）", r.manager) for r in rows if r.manager}),
        }
        for selector, options in wanted.items():
            select = self.query_one(selector, Select)
            if getattr(select, "_shown_options", None) == options:
                continue
            keep = select.value
            with self.prevent(Select.Changed):
                select.set_options(options)
                if keep is not ALL and any(value == keep for _label, value in options):
                    select.value = keep
            select._shown_options = options  # type: ignore[attr-defined]

    def _filters(self) -> dict[str, str | None]:
        def value(selector: str) -> str | None:
            chosen = self.query_one(selector, Select).value
            return None if chosen is ALL else str(chosen)

        return {
            "stage": value("#filter-stage"),
            "business_type": value("#filter-type"),
            "manager": value("#filter-manager"),
        }

    def _show(self) -> None:
        if self.data is None:
            return
        table = self.query_one("#countdown-table", DataTable)
        current = self._current()
        self.shown = service.filter_rows(self.data.rows, **self._filters())
        table.clear()
        for row in self.shown:
            table.add_row(*_cells(row), key=row.application)
        if current is not None:
            index = next((i for i, r in enumerate(self.shown) if r.application == current.application), None)
            if index is not None:
                table.move_cursor(row=index, animate=False)
        counts = service.level_counts(self.shown)
        parts = [f"{COUNTDOWN_LEVELS[level]} {counts[level]}" for level in service.LEVELS]
        total = f"共 {len(self.shown)} 件" + (f"（全部 {len(self.data.rows)} 件）" if self._any_filter() else "")
        self.query_one("#countdown-counts", Static).update(f"{total}：" + "　".join(parts) + "　　回车 打开申请")
        self._describe(self._current())

    def _any_filter(self) -> bool:
        return any(v is not None for v in self._filters().values())

    @on(Select.Changed)
    def _filter_changed(self) -> None:
        self._show()

    def action_clear_filters(self) -> None:
        for selector in ("#filter-stage", "#filter-type", "#filter-manager"):
            with self.prevent(Select.Changed):
                self.query_one(selector, Select).clear()
        self._show()
        self.query_one("#countdown-table", DataTable).focus()

    # --- the highlighted row -------------------------------------------------------------------------------

    def _current(self) -> CountdownRow | None:
        table = self.query_one("#countdown-table", DataTable)
        if not self.shown or table.row_count == 0:
            return None
        index = table.cursor_row
        return self.shown[index] if 0 <= index < len(self.shown) else None

    @on(DataTable.RowHighlighted)
    def _highlighted(self) -> None:
        self._describe(self._current())

    def _describe(self, row: CountdownRow | None) -> None:
        text = ""
        if row is not None:
            text = f"{row.number}　{row.customer}　{row.business_type_name}　客户经理：{row.manager_name or '—'}"
            if row.level == service.PAUSED:
                text += f"　暂停于 {row.paused_since:%Y-%m-%d}，原因：{row.pause_reason}（暂停期间不计时）"
            elif row.customer_side:
                text += "　客户外部工程实施中"
            elif row.stage_due is None:
                text += "　本环节未单设时限，按全流程到期日"
            if row.works is not None:
                left = row.works.days_left
                text += f"　配套工程 {row.works.kind} 约定 {row.works.contract_date:%Y-%m-%d} 完成，" + (
                    f"剩 {left} 个工作日" if left >= 0 else f"已超期 {-left} 个工作日"
                )
            if row.estimated:
                text += "　期限为估算：该年尚无官方节假日安排"
        self.query_one("#countdown-detail", Static).update(text)

    # --- actions ---------------------------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        row = self._current()
        if row is not None:
            self.app.push_screen(ApplicationScreen(row.application))

    def _target(self, status: str, refusal: str) -> clock_flows.Target | None:
        row = self._current()
        if row is None:
            return None
        if row.status != status:
            self.notify(f"{row.number} {refusal}", severity="warning")
            return None
        return clock_flows.Target(row.application, row.number, row.customer, row.pause_reason)

    def action_pause(self) -> None:
        if (target := self._target("open", "已在暂停中")) is not None:
            clock_flows.pause(self, target)

    def action_resume(self) -> None:
        if (target := self._target("paused", "没有暂停，无需恢复")) is not None:
            clock_flows.resume(self, target)

    @on(clock_flows.ClockFinished)
    def _clock_finished(self, message: clock_flows.ClockFinished) -> None:
        if message.error is not None:
            self.notify(message.error, title="出错了", severity="error", timeout=10)
        else:
            self._acted(message.result)

    def _acted(self, message: str) -> None:
        self.notify(message, timeout=5)
        self.action_refresh()


