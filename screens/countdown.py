"""时限倒计时: every open application, most urgent first, coloured by the profile's warning levels.

Refreshes by itself (so a screen left open overnight moves to the new day), filters by stage, business type and
customer manager without going back to the database, pauses and resumes with a reason, and opens an application.
"""

from __future__ import annotations

import importlib
from datetime import date

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Select, Static

from station_tui.domain.glossary import COUNTDOWN_LEVELS
from station_tui.screens.base import StationScreen
from station_tui.screens.dialogs import ConfirmDialog
from station_tui.services import countdown as service
from station_tui.services.countdown import Countdown, CountdownRow

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
    ("业务类型", 12),
)
ALL = Select.NULL


def _day(day: date | None, estimated: bool = False) -> str:
    if day is None:
        return "—"
    return f"{day:%Y-%m-%d}" + ("（估）" if estimated else "")


def _cells(row: CountdownRow) -> list[Text]:
    style = LEVEL_STYLES[row.level]
    stage = row.stage + ("（客户）" if row.customer_side else "")
    left = f"（{row.days_left}）" if row.level == service.PAUSED else str(row.days_left)
    values = (
        left,
        COUNTDOWN_LEVELS[row.level],
        row.number,
        row.customer,
        stage,
        _day(row.due, row.estimated),
        _day(row.stage_due),
        row.business_type_name,
    )
    return [Text(_fit(value, width), style=style) for value, (_title, width) in zip(values, COLUMNS, strict=True)]


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


class PauseReasonDialog(ModalScreen[str | None]):
    """The reason the clock stops (waiting on the customer): returns it, or None when cancelled."""

    DEFAULT_CSS = """
    PauseReasonDialog { align: center middle; }
    PauseReasonDialog > Vertical { width: 72; height: auto; border: thick $primary; background: $surface; padding: 1 2; }
    PauseReasonDialog Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    PauseReasonDialog Button { margin-left: 2; }
    PauseReasonDialog #pause-error { color: $error; }
    """
    BINDINGS = [("escape", "dismiss(None)", "取消")]

    def __init__(self, number: str, customer: str) -> None:
        super().__init__()
        self.number, self.customer = number, customer

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"暂停 {self.number}（{self.customer}）：等待客户期间不计入时限，请写明原因")
            yield Input(id="pause-reason", placeholder="如：客户内部工程未完工")
            yield Static("", id="pause-error")
            with Horizontal():
                yield Button("取消", id="cancel")
                yield Button("暂停计时", id="ok", variant="primary")

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted, "#pause-reason")
    def _ok(self) -> None:
        reason = self.query_one("#pause-reason", Input).value.strip()
        if not reason:
            self.query_one("#pause-error", Static).update("请写明暂停原因")
            return
        self.dismiss(reason)


class ApplicationDetailsDialog(ModalScreen[None]):
    """The application's facts, when the application screen is not available."""

    DEFAULT_CSS = """
    ApplicationDetailsDialog { align: center middle; }
    ApplicationDetailsDialog > Vertical {
        width: 90; height: auto; max-height: 90%; border: thick $primary; background: $surface; padding: 1 2;
    }
    ApplicationDetailsDialog Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
    """
    BINDINGS = [("escape,enter", "dismiss(None)", "关闭")]

    def __init__(self, details: service.ApplicationDetails) -> None:
        super().__init__()
        self.details = details

    def compose(self) -> ComposeResult:
        d = self.details
        lines = [
            f"{d.number}  {d.customer}  {d.business_type}  {d.status}（{d.intake_mode}）",
            f"地址：{d.address}",
            f"受理：{d.accepted_at:%Y-%m-%d %H:%M}  时限：{d.limit}  到期：{_day(d.due, d.estimated)}",
            f"客户经理：{d.manager or '—'}",
            "环节："
            + "；".join(f"{name} {start or '未开始'}{' 至 ' + end if end else ''}" for name, start, end in d.stages),
        ]
        for reason, start, end, days in d.pauses:
            span = f"{start} 至 {end}，{days} 个工作日" if end else f"{start} 起，暂停中"
            lines.append(f"暂停：{reason}（{span}）")
        if d.deferred:
            lines.append("容缺待收：" + "、".join(d.deferred))
        with Vertical():
            yield Static("\n".join(lines), id="details-text")
            with Horizontal():
                yield Button("关闭", id="close", variant="primary")

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)


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
            if row.estimated:
                text += "　期限为估算：该年尚无官方节假日安排"
        self.query_one("#countdown-detail", Static).update(text)

    # --- actions ---------------------------------------------------------------------------------------------

    @on(DataTable.RowSelected)
    def _selected(self) -> None:
        self.action_open()

    def action_open(self) -> None:
        row = self._current()
        if row is None:
            return
        try:
            module = importlib.import_module("station_tui.screens.application")
        except ModuleNotFoundError as exc:
            if exc.name != "station_tui.screens.application":
                raise
            module = None
        if module is not None and hasattr(module, "ApplicationScreen"):
            self.app.push_screen(module.ApplicationScreen(row.application))
            return
        self.call_service(
            service.application_details,
            self.station,
            row.application,
            done=lambda details: self.app.push_screen(ApplicationDetailsDialog(details)),
            group="countdown-open",
        )

    def action_pause(self) -> None:
        row = self._current()
        if row is None:
            return
        if row.status != "open":
            self.notify(f"{row.number} 已在暂停中", severity="warning")
            return

        def paused(reason: str | None) -> None:
            if reason:
                self.call_service(
                    service.pause,
                    self.station,
                    row.application,
                    reason,
                    self.app.operator.uuid,  # type: ignore[attr-defined]
                    done=lambda _: self._acted(f"{row.number} 已暂停计时：{reason}"),
                    group="countdown-action",
                )

        self.app.push_screen(PauseReasonDialog(row.number, row.customer), paused)

    def action_resume(self) -> None:
        row = self._current()
        if row is None:
            return
        if row.status != "paused":
            self.notify(f"{row.number} 没有暂停，无需恢复", severity="warning")
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.call_service(
                    service.resume,
                    self.station,
                    row.application,
                    self.app.operator.uuid,  # type: ignore[attr-defined]
                    done=lambda due: self._acted(f"{row.number} 已恢复计时，期限顺延至 {due}"),
                    group="countdown-action",
                )

        text = (
            f"恢复 {row.number}（{row.customer}）的计时？\n暂停原因：{row.pause_reason}\n期限将顺延暂停期间的工作日数。"
        )
        self.app.push_screen(ConfirmDialog(text, yes="恢复计时", no="取消"), answered)

    def _acted(self, message: str) -> None:
        self.notify(message, timeout=5)
        self.action_refresh()


AREA_SCREEN = CountdownScreen
