"""回访: every connected 小微企业 application whose customer has not been reached yet, oldest connection first
(services.followups); Enter records a call. A call that did not get through leaves the application on the list."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from station_tui.domain.timeutil import local_date
from station_tui.screens.base import StationScreen
from station_tui.screens.countdown import _fit
from station_tui.screens.duty_dialogs import CallDialog
from station_tui.services.followups import CallShares, WaitingCall, awaiting_calls, call_shares
from station_tui.services.station import Station

COLUMNS = (("送电日期", 10), ("申请编号", 20), ("客户", 16), ("电话", 12), ("已拨打", 6))


@dataclass(frozen=True)
class CallList:
    waiting: list[WaitingCall]
    month: str
    shares: CallShares


def read_calls(station: Station) -> CallList:
    month = local_date(station.store.clock()).strftime("%Y-%m")
    return CallList(awaiting_calls(station), month, call_shares(station, month))


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


class FollowupsScreen(StationScreen):
    DEFAULT_CSS = """
    FollowupsScreen #calls-body { padding: 0 1; }
    FollowupsScreen #calls-title { text-style: bold; height: auto; }
    FollowupsScreen #calls-message { height: auto; color: $success; }
    FollowupsScreen #calls-message.-error { color: $error; }
    FollowupsScreen #calls-table { height: 1fr; }
    """
    BINDINGS = [
        Binding("escape", "back", "返回", id="calls-back"),
        Binding("enter", "call", "记录回访", id="calls-call", priority=True),
        Binding("r", "refresh", "刷新", id="calls-refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[WaitingCall] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="calls-body"):
            yield Static("回访（小微企业送电后电话回访）", id="calls-title")
            yield Static("", id="calls-message")
            yield DataTable(id="calls-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one("#calls-table", DataTable)
        for title, width in COLUMNS:
            table.add_column(title, width=width)
        table.focus()
        self.action_refresh()

    def action_refresh(self) -> None:
        self.call_service(read_calls, self.station, done=self._show, group="calls")

    def _show(self, calls: CallList) -> None:
        self.rows = calls.waiting
        table = self.query_one("#calls-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in calls.waiting:
            attempts = f"{row.attempts} 次" if row.attempts else "—"
            # A long company name ends with … (the call dialog names it whole).
            table.add_row(row.connected_at[:10], row.number, _fit(row.customer_name, 16), row.phone, attempts)
        if calls.waiting:
            table.move_cursor(row=min(cursor, len(calls.waiting) - 1))
        s = calls.shares
        self.query_one("#calls-title", Static).update(
            f"回访：已送电的小微企业 {len(calls.waiting)} 件待回访（先送电的在前）\n"
            f"{calls.month} 送电的小微企业 {s.connected} 件，已回访 {s.called} 件（{_share(s.called_share)}），"
            f"满意 {s.satisfied} 件（{_share(s.satisfied_share)}）"
        )
        if not calls.waiting:
            self._say("没有待回访的申请。")

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#calls-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def _current(self) -> WaitingCall | None:
        table = self.query_one("#calls-table", DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowSelected)
    def action_call(self) -> None:
        row = self._current()
        if row is None:
            self._say("没有待回访的申请。", error=True)
            return

        def recorded(call: str | None) -> None:
            if call:
                self._say(f"已记录 {row.number}（{row.customer_name}）的回访")
                self.action_refresh()

        self.app.push_screen(CallDialog(row, self.station, self.app.operator.uuid), recorded)  # type: ignore[attr-defined]

    def action_back(self) -> None:
        self.app.pop_screen()
