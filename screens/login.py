"""Login: choose the operator, enter the PIN."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from station_tui.screens.base import StationScreen
from station_tui.services.operators import Operator, list_operators, login


class LoginScreen(StationScreen):
    CSS_PATH = "login.tcss"
    BINDINGS = [("escape", "back_to_list", "重选操作员")]

    def compose(self) -> ComposeResult:
        with Vertical(id="login-box"):
            yield Static("", id="login-station")
            yield Static("请选择操作员（↑↓ 选择，回车确认）")
            yield OptionList(id="operators")
            yield Input(id="pin", password=True, placeholder="输入 PIN 后按回车", disabled=True)
            yield Static("", id="login-error")

    def on_mount(self) -> None:
        self.query_one("#login-station", Static).update(f"{self.station.station_name} 登录")
        self.call_service(list_operators, self.station, done=self._show_operators)

    def _show_operators(self, operators: list[Operator]) -> None:
        options = self.query_one("#operators", OptionList)
        options.clear_options()
        options.add_options([Option(f"{op.name}（{op.role_zh}）", id=op.uuid) for op in operators])
        options.highlighted = 0 if operators else None
        options.focus()
        self.app.first_screen_ready()  # type: ignore[attr-defined]

    @on(OptionList.OptionSelected, "#operators")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        pin = self.query_one("#pin", Input)
        pin.disabled = False
        pin.value = ""
        pin.focus()

    @on(Input.Submitted, "#pin")
    def _submitted(self, event: Input.Submitted) -> None:
        options = self.query_one("#operators", OptionList)
        if options.highlighted is None:
            return
        operator_id = options.get_option_at_index(options.highlighted).id
        self.call_service(
            login,
            self.station,
            operator_id,
            event.value,
            done=self.app.logged_in,
            failed=self._failed,  # type: ignore[attr-defined]
        )

    def _failed(self, message: str) -> None:
        self.query_one("#login-error", Static).update(message)
        pin = self.query_one("#pin", Input)
        pin.value = ""
        pin.focus()

    def action_back_to_list(self) -> None:
        self.query_one("#pin", Input).disabled = True
        self.query_one("#operators", OptionList).focus()
