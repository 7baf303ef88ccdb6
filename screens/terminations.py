"""终止审核: terminated applications waiting for the 站长 (confirm, or reopen with a reason), and the 容缺
applications proposed for termination because a deferred document is past its committed date (services.terminations).
A proposal is only shown: Enter opens the application, where a person terminates it (t) or collects the document."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from station_tui.domain.timeutil import local_date
from station_tui.screens.base import StationScreen
from station_tui.screens.charts import OVER_STYLE
from station_tui.screens.duty_dialogs import ReviewDialog
from station_tui.services.operators import heads
from station_tui.services.station import Station
from station_tui.services.terminations import (
    Proposal,
    TerminatedRow,
    TerminationRate,
    awaiting_review,
    proposed_terminations,
    termination_rate,
)


@dataclass(frozen=True)
class ReviewList:
    waiting: list[TerminatedRow]
    proposals: list[Proposal]
    rate: TerminationRate


def read_reviews(station: Station) -> ReviewList:
    month = local_date(station.store.clock()).strftime("%Y-%m")
    return ReviewList(awaiting_review(station), proposed_terminations(station), termination_rate(station, month))


def rate_text(rate: TerminationRate) -> Text:
    """The month's termination rate, red at or over the profile's threshold, green under it."""
    share = "—" if rate.rate is None else f"{rate.rate:.1%}"
    line = Text(f"{rate.month} 终止率 ")
    line.append(share, style=OVER_STYLE if rate.over else "bold green")
    line.append(f"（终止 {rate.terminated} / 办结 {rate.finished}")
    line.append("，本站策略未规定门槛）" if rate.threshold is None else f"，要求低于 {rate.threshold:.0%}）")
    if rate.over:
        line.append("　超过门槛", style=OVER_STYLE)
    return line


class TerminationsScreen(StationScreen):
    DEFAULT_CSS = """
    TerminationsScreen #term-body { padding: 0 1; }
    TerminationsScreen .term-title { text-style: bold; height: auto; }
    TerminationsScreen #term-message { height: auto; color: $success; }
    TerminationsScreen #term-message.-error { color: $error; }
    TerminationsScreen #term-table { height: 1fr; min-height: 4; }
    TerminationsScreen #term-proposals { height: 1fr; min-height: 3; }
    """
    BINDINGS = [
        Binding("escape", "back", "返回", id="term-back"),
        Binding("y", "review(False)", "确认终止", id="term-confirm"),
        Binding("o", "review(True)", "退回重办", id="term-reopen"),
        Binding("enter", "open", "打开申请", id="term-open", priority=True),
        Binding("r", "refresh", "刷新", id="term-refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.data: ReviewList | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="term-body"):
            yield Static("", id="term-rate", classes="term-title")
            yield Static("", id="term-message")
            yield Static("待站长审核的终止申请（先终止的在前）", id="term-waiting-title", classes="term-title")
            yield DataTable(id="term-table", cursor_type="row", zebra_stripes=True)
            yield Static("建议终止：容缺资料过了承诺时间仍未补齐（不会自动终止）", classes="term-title")
            yield DataTable(id="term-proposals", cursor_type="row")

    def on_mount(self) -> None:
        self.query_one("#term-table", DataTable).add_columns("终止时间", "申请编号", "客户", "终止原因")
        self.query_one("#term-proposals", DataTable).add_columns("承诺时间", "申请编号", "客户", "未补资料")
        self.query_one("#term-table", DataTable).focus()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()  # back from an application terminated or collected there

    def action_refresh(self) -> None:
        self.call_service(read_reviews, self.station, done=self._show, group="terminations")

    def _show(self, data: ReviewList) -> None:
        self.data = data
        self.query_one("#term-rate", Static).update(rate_text(data.rate))
        self.query_one("#term-waiting-title", Static).update(
            f"待站长审核的终止申请 {len(data.waiting)} 件（先终止的在前）"
        )
        table = self.query_one("#term-table", DataTable)
        table.clear()
        for row in data.waiting:
            table.add_row(row.terminated_at[:16].replace("T", " "), row.number, row.customer_name, row.reason)
        proposals = self.query_one("#term-proposals", DataTable)
        proposals.clear()
        for p in data.proposals:
            proposals.add_row(p.committed, p.number, p.customer_name, "、".join(p.missing))
        self.refresh_bindings()

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#term-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "review":
            # Offered only on a waiting termination, in the table of those.
            return bool(self.data and self.data.waiting) and self.focused is self.query_one("#term-table")
        return super().check_action(action, parameters)

    def on_descendant_focus(self) -> None:
        self.refresh_bindings()

    def _waiting_row(self) -> TerminatedRow | None:
        table = self.query_one("#term-table", DataTable)
        if self.data is None or table.cursor_row >= len(self.data.waiting):
            return None
        return self.data.waiting[table.cursor_row]

    def action_review(self, reopen: bool) -> None:
        row = self._waiting_row()
        if row is None:
            return

        def reviewed(done: bool | None) -> None:
            if done:
                self._say(f"{row.number}：" + ("已退回重办" if reopen else "已确认终止"))
                self.action_refresh()

        def got_heads(found: list) -> None:
            self.app.push_screen(ReviewDialog(row, self.station, found, reopen=reopen), reviewed)

        self.call_service(heads, self.station, done=got_heads)

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        if self.data is None:
            return
        focused = self.focused
        if focused is self.query_one("#term-proposals"):
            table, rows = self.query_one("#term-proposals", DataTable), self.data.proposals
        else:
            table, rows = self.query_one("#term-table", DataTable), self.data.waiting
        if not rows or table.cursor_row >= len(rows):
            return
        from station_tui.screens.application import ApplicationScreen

        self.app.push_screen(ApplicationScreen(rows[table.cursor_row].application))

    def action_back(self) -> None:
        self.app.pop_screen()
