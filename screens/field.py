"""外勤 (issue 14): at the station, check a customer manager's applications out to a file and check a laptop's file
back in; on a laptop, the applications it holds and packing its work to take back. File paths are typed in."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Label, Static

from station_tui.screens.base import StationScreen
from station_tui.services import field


class FieldScreen(StationScreen):
    CSS_PATH = "field.tcss"
    BINDINGS = [Binding("escape", "app.pop_screen", "返回")]

    def compose(self) -> ComposeResult:
        laptop = field.is_laptop(self.station)
        yield Label("外勤电脑：本机借出的申请" if laptop else "外勤：借出与交回", id="title")
        yield Static("", id="clock")
        if laptop:
            yield DataTable(id="leased", cursor_type="row")
            with Horizontal(classes="row"):
                yield Input(placeholder="交回文件，如 D:\\外勤\\交回.zip", id="pack-to")
                yield Button("打包交回", id="pack", variant="primary")
        else:
            with Vertical(classes="block"):
                yield Label("借出：把客户经理在办的申请写入借出文件")
                with Horizontal(classes="row"):
                    yield Input(placeholder="客户经理姓名", id="manager")
                    yield Input(placeholder="借出文件，如 E:\\借出.zip", id="checkout-to")
                    yield Button("借出", id="checkout", variant="primary")
            with Vertical(classes="block"):
                yield Label("交回：读入外勤电脑打包的交回文件")
                with Horizontal(classes="row"):
                    yield Input(placeholder="交回文件，如 E:\\交回.zip", id="checkin-from")
                    yield Button("交回", id="checkin", variant="primary")
        yield Static("", id="result")

    def on_mount(self) -> None:
        if field.is_laptop(self.station):
            self.query_one("#leased", DataTable).add_columns("申请编号", "客户", "本机状态")
            self.call_service(field.leased_here, self.station, done=self.show_leased)
            self.call_service(field.laptop_clock_warning, self.station.store, done=self.show_clock, group="clock")

    def show_leased(self, rows: list[field.LeasedApplication]) -> None:
        table = self.query_one("#leased", DataTable)
        table.clear()
        for row in rows:
            table.add_row(row.number, row.customer, row.state)
        if not rows:
            self.say("本机没有借出中的申请")

    def show_clock(self, warning: str | None) -> None:
        self.query_one("#clock", Static).update(f"注意：{warning}" if warning else "")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        action = {"checkout": self.checkout, "checkin": self.checkin, "pack": self.pack}.get(event.button.id or "")
        if action is not None:
            action()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a file's path presses its row's button; in the manager's name it moves on to the path."""
        button = {"checkout-to": "#checkout", "checkin-from": "#checkin", "pack-to": "#pack"}.get(event.input.id or "")
        if event.input.id == "manager":
            self.query_one("#checkout-to", Input).focus()
        elif button is not None:
            self.query_one(button, Button).press()

    def _path(self, selector: str, what: str) -> Path | None:
        text = self.query_one(selector, Input).value.strip().strip('"')
        if not text:
            self.say(f"请填写{what}的路径")
            return None
        return Path(text)

    def checkout(self) -> None:
        manager = self.query_one("#manager", Input).value.strip()
        to = self._path("#checkout-to", "借出文件")
        if not manager:
            return self.say("请填写客户经理姓名")
        if to is None:
            return None
        self.say("正在借出…")
        lender = self.app.operator.uuid  # type: ignore[attr-defined]
        self.call_service(
            lambda: field.checkout(self.station, manager, to, operator=lender), done=self.checked_out, failed=self.say
        )
        return None

    def checked_out(self, result: field.CheckoutResult) -> None:
        lines = [
            f"已借出 {len(result.applications)} 件申请到外勤设备 {result.device_code}（{result.events} 条事件）：",
            f"文件 {result.path}",
            "、".join(result.applications),
        ]
        lines += [f"注意：{n} 仍借出在外勤设备 {code} 上，两边都改动时交回会标出冲突" for n, code in result.already_out]
        self.say("\n".join(lines))

    def checkin(self) -> None:
        source = self._path("#checkin-from", "交回文件")
        if source is not None:
            self.say("正在交回…")
            taker = self.app.operator.uuid  # type: ignore[attr-defined]
            self.call_service(
                lambda: field.checkin(self.station, source, operator=taker), done=self.checked_in, failed=self.say
            )

    def checked_in(self, report: field.CheckinReport) -> None:
        self.say("\n".join(report.lines(decide="待站长裁定（F10）")))
        # The checkin left its pages in the WAL (services/field.py: _checkpoint_later): moved now, off the clerk's wait.
        self.call_service(field.settle, self.station, group="settle")

    def pack(self) -> None:
        to = self._path("#pack-to", "交回文件")
        if to is not None:
            self.say("正在打包…")
            self.call_service(field.pack, self.station.store.path, to, done=self.packed, failed=self.say)

    def packed(self, result: field.PackResult) -> None:
        self.say(f"已生成交回文件 {result.path}（设备 {result.device_code}）：{result.events} 条事件，请带回供电所交回")

    def say(self, text: str) -> None:
        self.query_one("#result", Static).update(text)
