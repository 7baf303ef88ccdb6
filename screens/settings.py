"""设置: the station's identity, its policy profile, its address, phone and office hours (printed on every notice),
and its operators (adding one, or changing the station's contact, needs a 站长's PIN)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from station_tui.domain.glossary import ROLES
from station_tui.screens.base import StationScreen, WriteFinished
from station_tui.services.operators import Operator, add_operator_authorized, heads, list_operators
from station_tui.services.setup import change_station_contact
from station_tui.services.station import StationContact, station_contact

# The contact inputs, by StationContact field.
CONTACT_INPUTS = {"address": "station-address", "phone": "station-phone", "hours": "station-hours"}


class ContactSaved(WriteFinished):
    """The station's contact came back saved (result: StationContact), or refused (error)."""


class SettingsScreen(StationScreen):
    CSS_PATH = "settings.tcss"
    BINDINGS = [("ctrl+s", "add_operator", "新增操作员")]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="settings"):
            yield Static("", id="station-info")
            yield Static("供电所地址、电话和办公时间（印在每份告知书上；需站长 PIN）", classes="section")
            with Grid(id="station-contact"):
                yield Label("地址")
                yield Input(id="station-address", placeholder="如：邾县城关镇北关街1号")
                yield Label("电话")
                yield Input(id="station-phone", placeholder="如：0713-5123456")
                yield Label("办公时间")
                yield Input(id="station-hours", placeholder="如：周一至周五 8:30-17:30")
                yield Label("授权站长")
                yield Select([], id="contact-head", prompt="请选择站长")
                yield Label("站长 PIN")
                yield Input(id="contact-pin", password=True)
            with Horizontal(classes="settings-row"):
                yield Button("保存联系方式", id="contact-save", variant="primary")
            yield Static("", id="contact-message")
            yield Static("操作员", classes="section")
            yield DataTable(id="operator-table", cursor_type="row")
            yield Static("新增操作员（需站长 PIN）", classes="section")
            with Grid(id="new-operator"):
                yield Label("姓名")
                yield Input(id="op-name")
                yield Label("角色")
                yield Select([(zh, code) for code, zh in ROLES.items()], id="op-role", value="clerk", allow_blank=False)
                yield Label("电话")
                yield Input(id="op-phone")
                yield Label("PIN")
                yield Input(id="op-pin", password=True, placeholder="4–8 位数字")
                yield Label("授权站长")
                yield Select([], id="head", prompt="请选择站长")
                yield Label("站长 PIN")
                yield Input(id="head-pin", password=True)
            with Horizontal(id="settings-actions"):
                yield Button("新增操作员", id="add", variant="primary")
            yield Static("", id="settings-message")

    def on_mount(self) -> None:
        station = self.station
        profile = station.profile
        self.query_one("#station-info", Static).update(
            f"供电所：{station.station_name}（代码 {station.station_code}）　本机设备号：{station.store.device_code}\n"
            f"办电政策：{profile.name}，{profile.document}\n数据库：{station.store.path}"
        )
        table = self.query_one("#operator-table", DataTable)
        table.add_columns("姓名", "角色", "电话", "状态")
        self._reload()

    def _reload(self) -> None:
        self.call_service(lambda: (list_operators(self.station), heads(self.station)), done=self._show)
        self.call_service(station_contact, self.station, done=self._show_contact, group="contact")

    def _show_contact(self, contact: StationContact) -> None:
        for name, widget in CONTACT_INPUTS.items():
            self.query_one(f"#{widget}", Input).value = getattr(contact, name)

    # --- the station's contact ------------------------------------------------------------------------------------

    @on(Button.Pressed, "#contact-save")
    @on(Input.Submitted, "#contact-pin")
    def action_save_contact(self) -> None:
        head = self.query_one("#contact-head", Select).value
        if head is Select.NULL:
            self._contact_message("请选择授权的站长并输入其 PIN", error=True)
            return
        values = {name: self.query_one(f"#{widget}", Input).value for name, widget in CONTACT_INPUTS.items()}
        pin, station = self.query_one("#contact-pin", Input).value, self.station

        def save() -> StationContact:
            return change_station_contact(station, head=str(head), pin=pin, **values)

        if self.run_write("save_contact", save, message=ContactSaved):
            self._contact_message("正在保存…")

    @on(ContactSaved)
    def _contact_saved(self, message: ContactSaved) -> None:
        self.query_one("#contact-pin", Input).value = ""
        if message.error is not None:
            self._contact_message(message.error, error=True)  # what was typed stays for the correction
            return
        contact: StationContact = message.result
        self._show_contact(contact)
        self._contact_message(f"已保存：{contact.address}，{contact.phone}，{contact.hours}（新出具的告知书印上）")

    def _contact_message(self, text: str, error: bool = False) -> None:
        widget = self.query_one("#contact-message", Static)
        widget.update(text)
        widget.set_class(error, "-error")

    def _show(self, result: tuple[list[Operator], list[Operator]]) -> None:
        operators, head_list = result
        table = self.query_one("#operator-table", DataTable)
        table.clear()
        for op in operators:
            table.add_row(
                op.name, op.role_zh, op.phone, f"锁定到 {op.locked_until[11:16]}" if op.locked_until else "正常"
            )
        self.query_one("#head", Select).set_options([(op.name, op.uuid) for op in head_list])
        contact_head = self.query_one("#contact-head", Select)
        contact_head.set_options([(op.name, op.uuid) for op in head_list])
        operator = getattr(self.app, "operator", None)
        if operator is not None and operator.is_head:
            contact_head.value = operator.uuid

    @on(Button.Pressed, "#add")
    def action_add_operator(self) -> None:
        head = self.query_one("#head", Select).value
        if head is Select.NULL:
            self._message("请选择授权的站长并输入其 PIN")
            return
        values = {key: self.query_one(f"#{key}", Input).value for key in ("op-name", "op-phone", "op-pin", "head-pin")}
        role = str(self.query_one("#op-role", Select).value)
        self.call_service(
            lambda: add_operator_authorized(
                self.station,
                head_id=str(head),
                head_pin=values["head-pin"],
                name=values["op-name"],
                role=role,
                phone=values["op-phone"],
                pin=values["op-pin"],
            ),
            done=lambda _id: self._added(values["op-name"]),
            failed=self._message,
        )

    def _added(self, name: str) -> None:
        for key in ("op-name", "op-phone", "op-pin", "head-pin"):
            self.query_one(f"#{key}", Input).value = ""
        self._message(f"已新增操作员 {name}")
        self._reload()

    def _message(self, text: str) -> None:
        # A refused form keeps what was typed; the PIN of the 站长 is cleared only on success.
        self.query_one("#settings-message", Static).update(text)
