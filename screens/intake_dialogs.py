"""The 零证预约 offered when the counter cannot accept: the customer's phone and what to bring next time."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static, TextArea

from station_tui.screens.base import ServiceCalls
from station_tui.services.intake import FormErrors, IntakeForm
from station_tui.services.reservations import register_reservation, what_to_bring


def _register(station, values: dict) -> str | dict[str, str]:  # noqa: ANN001
    try:
        return register_reservation(station, **values)
    except FormErrors as exc:
        return exc.errors


class ReservationDialog(ServiceCalls, ModalScreen):
    """Returns the new reservation's id, or None when the clerk declines."""

    DEFAULT_CSS = """
    ReservationDialog { align: center middle; }
    ReservationDialog > Vertical { width: 86; height: auto; max-height: 95%; border: thick $primary;
        background: $surface; padding: 0 2; }
    ReservationDialog TextArea { height: 4; }
    ReservationDialog Horizontal { height: auto; align-horizontal: right; }
    ReservationDialog Button { margin-left: 2; }
    ReservationDialog .dialog-error { color: $error; }
    """
    BINDINGS = [("escape", "cancel", "不登记")]

    def __init__(self, station, form: IntakeForm, visit: str | None) -> None:  # noqa: ANN001
        super().__init__()
        self.station, self.intake_form, self.visit = station, form, visit

    def compose(self) -> ComposeResult:
        form = self.intake_form
        with Vertical():
            yield Static("登记线上预约（零证预约）？客户经理将在时限内电话联系客户，客户带齐资料后转为申请。")
            yield Label("客户名称")
            yield Input(form.customer_name, id="res-name")
            yield Label("联系电话")
            yield Input(form.phone, id="res-phone")
            yield Label("用电地址")
            yield Input(form.address, id="res-address")
            yield Label("需带资料")
            yield TextArea(what_to_bring(self.station, form.business_type), id="res-bring")
            yield Static("", classes="dialog-error", id="res-error")
            with Horizontal():
                yield Button("不登记", id="cancel")
                yield Button("登记预约", id="ok", variant="primary")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        values = {
            "customer_name": self.query_one("#res-name", Input).value,
            "phone": self.query_one("#res-phone", Input).value,
            "address": self.query_one("#res-address", Input).value,
            "business_type": self.intake_form.business_type,
            "channel": "online",
            "bring": self.query_one("#res-bring", TextArea).text,
            "visit": self.visit,
            "operator": self.app.operator.uuid,  # type: ignore[attr-defined]
        }
        self.call_service(_register, self.station, values, done=self._done)

    def _done(self, result: str | dict[str, str]) -> None:
        if isinstance(result, dict):
            self.query_one("#res-error", Static).update("；".join(result.values()))
            return
        self.dismiss(result)
