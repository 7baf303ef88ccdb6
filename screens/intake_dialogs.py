"""Registering a reservation, one dialog for both ways in: taken by phone or copied from the online channels (预约,
F9: the clerk picks the channel and the business type), or the 零证预约 offered when the counter cannot accept
(受理: filled from the intake form, online, with what to bring next time)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from station_tui.domain.profiles import BUSINESS_TYPE_IDS
from station_tui.screens.base import ServiceCalls
from station_tui.services.intake import FormErrors, IntakeForm
from station_tui.services.reservations import register_reservation, what_to_bring

REFUSED_INTRO = "登记线上预约（零证预约）？客户经理将在时限内电话联系客户，客户带齐资料后转为申请。"


def _register(station, values: dict) -> str | dict[str, str]:  # noqa: ANN001
    try:
        return register_reservation(station, **values)
    except FormErrors as exc:
        return exc.errors


class ReservationDialog(ServiceCalls, ModalScreen):
    """Returns the new reservation's id, or None when the clerk declines.

    With an intake form (the counter could not accept): the customer's fields come from it, the channel is online and
    the dialog lists what to bring. Without one: a new reservation, channel and business type chosen here.
    """

    DEFAULT_CSS = """
    ReservationDialog { align: center middle; }
    ReservationDialog > Vertical { width: 86; height: auto; max-height: 95%; border: thick $primary;
        background: $surface; padding: 0 2; }
    ReservationDialog TextArea { height: 4; }
    ReservationDialog Horizontal { height: auto; align-horizontal: right; }
    ReservationDialog Button { margin-left: 2; }
    ReservationDialog #res-error { color: $error; }
    """
    BINDINGS = [("escape", "cancel", "取消")]

    def __init__(self, station, form: IntakeForm | None = None, visit: str | None = None) -> None:  # noqa: ANN001
        super().__init__()
        self.station, self.intake_form, self.visit = station, form, visit

    def compose(self) -> ComposeResult:
        form = self.intake_form
        with Vertical():
            if form is None:
                yield from self._choices()
            else:
                yield Static(REFUSED_INTRO)
            yield Label("客户名称")
            yield Input(form.customer_name if form else "", id="res-name")
            yield Label("联系电话")
            yield Input(form.phone if form else "", id="res-phone")
            yield Label("用电地址")
            yield Input(form.address if form else "", id="res-address")
            if form is not None:
                yield Label("需带资料")
                yield TextArea(what_to_bring(self.station, form.business_type), id="res-bring")
            yield Static("", id="res-error")
            with Horizontal():
                yield Button("不登记" if form else "取消", id="cancel")
                yield Button("登记预约", id="ok", variant="primary")

    def _choices(self) -> ComposeResult:
        lists = self.station.checklists
        yield Label("渠道")
        yield Select([("电话预约", "phone"), ("线上预约", "online")], id="res-channel", allow_blank=False)
        yield Label("业务类型")
        yield Select([(lists.business_type(b).name, b) for b in BUSINESS_TYPE_IDS], id="res-type")

    def action_cancel(self) -> None:
        self.dismiss(None)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def _kind(self) -> dict[str, str | None]:
        """Channel, business type, what to bring and the refused visit: from the form, or as chosen here."""
        form = self.intake_form
        if form is not None:
            bring = self.query_one("#res-bring", TextArea).text
            return {"business_type": form.business_type, "channel": "online", "bring": bring, "visit": self.visit}
        business = self.query_one("#res-type", Select).value
        return {
            "business_type": "" if business is Select.NULL else str(business),
            "channel": str(self.query_one("#res-channel", Select).value),
        }

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        values = {
            "customer_name": self.query_one("#res-name", Input).value,
            "phone": self.query_one("#res-phone", Input).value,
            "address": self.query_one("#res-address", Input).value,
            **self._kind(),
            "operator": self.app.operator.uuid,  # type: ignore[attr-defined]
        }
        self.call_service(_register, self.station, values, done=self._done)

    def _done(self, result: str | dict[str, str]) -> None:
        if isinstance(result, dict):
            self.query_one("#res-error", Static).update("；".join(result.values()))
            return
        self.dismiss(result)
