"""First run: the station's name, code, policy profile and its first 站长."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from station_tui.screens.base import StationScreen
from station_tui.services.setup import initialize


class SetupScreen(StationScreen):
    CSS_PATH = "setup.tcss"
    BINDINGS = [("ctrl+s", "save", "保存")]

    def compose(self) -> ComposeResult:
        profiles = [(f"{lp.profile.name}（{lp.profile.document}）", pid) for pid, lp in self.station.profiles.items()]
        with Vertical(id="setup-box"):
            yield Static("首次使用：请填写本供电所的信息和第一位站长", id="setup-title")
            with Grid(id="setup-grid"):
                yield Label("供电所名称")
                yield Input(id="station-name", placeholder="如：城关供电所")
                yield Label("供电所代码")
                yield Input(id="station-code", placeholder="2–10 位字母或数字，用于申请编号")
                yield Label("执行的办电政策")
                yield Select(profiles, id="profile", prompt="请选择", allow_blank=True)
                yield Label("站长姓名")
                yield Input(id="head-name")
                yield Label("站长电话")
                yield Input(id="head-phone")
                yield Label("站长 PIN")
                yield Input(id="head-pin", password=True, placeholder="4–8 位数字")
            yield Static("", id="setup-error")
            yield Button("保存并开始使用", id="save", variant="primary")

    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        profile = self.query_one("#profile", Select).value
        if profile is Select.NULL:
            self._failed("请选择执行的办电政策")
            return
        values = {name: self.query_one(f"#{name}", Input).value for name in ("station-name", "station-code")}
        head = {name: self.query_one(f"#{name}", Input).value for name in ("head-name", "head-phone", "head-pin")}
        self.call_service(
            lambda: initialize(
                self.station,
                station_name=values["station-name"],
                station_code=values["station-code"].strip(),
                profile_id=str(profile),
                head_name=head["head-name"],
                head_phone=head["head-phone"],
                head_pin=head["head-pin"],
            ),
            done=lambda _head_id: self.app.after_setup(),  # type: ignore[attr-defined]
            failed=self._failed,
        )

    def _failed(self, message: str) -> None:
        # What the clerk typed stays in the fields; only the message changes.
        self.query_one("#setup-error", Static).update(message)
