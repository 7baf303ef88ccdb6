"""预约: online and phone reservations waiting for a customer manager, with the profile's clocks coloured as they run
out; a reservation is dispatched/confirmed, or becomes an application when its documents are collected."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from station_tui.screens.base import StationScreen
from station_tui.screens.intake_dialogs import ReservationDialog
from station_tui.services.reservations import (
    ReservationRow,
    intake_form_for,
    list_reservations,
    mark_handled,
)

REFRESH_SECONDS = 30
LEVEL_STYLES = {"overdue": "bold white on red", "warning": "bold black on yellow", "normal": "green", "handled": "dim"}


class ReservationsScreen(StationScreen):
    CSS_PATH = "reservations.tcss"
    BINDINGS = [
        Binding("escape", "back", "返回", id="res-back"),
        Binding("n", "new", "登记预约", id="res-new"),
        Binding("h", "handled", "已派单/已确认", id="res-handled"),
        Binding("a", "to_application", "资料收齐，转为申请", id="res-convert"),
        Binding("r", "refresh", "刷新", id="res-refresh"),
    ]

    def __init__(self) -> None:
        super().__init__(id="reservations-screen")
        self.rows: list[ReservationRow] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="reservations"):
            yield Static("", id="res-summary")
            yield Static("", id="res-message")
            yield DataTable(id="res-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#res-table", DataTable).add_columns(
            "时限", "客户", "电话", "地址", "业务类型", "渠道", "收到时间", "状态", "需带资料"
        )
        self.action_refresh()
        self.set_interval(REFRESH_SECONDS, self.action_refresh)

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_refresh(self) -> None:
        self.call_service(list_reservations, self.station, done=self._show, group="reservations")

    def _show(self, rows: list[ReservationRow]) -> None:
        self.rows = rows
        table = self.query_one("#res-table", DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in rows:
            table.add_row(
                Text(row.clock_text, style=LEVEL_STYLES[row.level]),
                row.customer_name,
                row.phone,
                row.address,
                row.business_zh,
                row.channel_zh,
                row.received_at[5:16].replace("T", " "),
                row.status_zh,
                row.bring,
                key=row.uuid,
            )
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))
        late = sum(1 for r in rows if r.level == "overdue")
        clocks = self.station.profile.reservation
        self.query_one("#res-summary", Static).update(
            f"预约 {len(rows)} 条，其中超时 {late} 条。电话预约 {clocks.phone_to_work_order_minutes} 分钟内派单，"
            f"线上预约 {clocks.online_confirm_hours} 小时内电话确认。"
        )

    def _current(self) -> ReservationRow | None:
        table = self.query_one("#res-table", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return next((r for r in self.rows if r.uuid == key), None)

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#res-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def action_handled(self) -> None:
        row = self._current()
        if row is None:
            return
        operator = self.app.operator.uuid  # type: ignore[attr-defined]

        def done(_result: object) -> None:
            self._say(f"已记录：{row.customer_name} 的预约已{'派单' if row.channel == 'phone' else '电话确认'}")
            self.action_refresh()

        self.call_service(
            lambda: mark_handled(self.station, row.uuid, operator=operator),
            done=done,
            failed=lambda m: self._say(m, True),
        )

    def action_to_application(self) -> None:
        row = self._current()
        if row is None:
            return

        def opened(form) -> None:  # noqa: ANN001
            self.app.push_area("intake", form)  # type: ignore[attr-defined]

        self.call_service(intake_form_for, self.station, row.uuid, done=opened, failed=lambda m: self._say(m, True))

    def action_new(self) -> None:
        def registered(reservation: str | None) -> None:
            if reservation:
                self._say("已登记预约")
                self.action_refresh()

        self.app.push_screen(ReservationDialog(self.station), registered)

    def action_back(self) -> None:
        self.app.pop_screen()
