"""Dialogs of the station's duties: recording a follow-up call (回访), and a 站长's review of a termination.

Each runs its own write (run_write: never cancelled, never started twice) and stays open on a refusal, with the
service's Chinese reason under the fields and everything typed still in them; it closes only when the write is done."""

from __future__ import annotations

from functools import partial

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Select, Static

from station_tui.screens.application_dialogs import _Dialog
from station_tui.screens.base import ServiceCalls, TickBox, WriteFinished
from station_tui.services.followups import CallAnswer, WaitingCall, record_call
from station_tui.services.operators import Operator
from station_tui.services.station import Station
from station_tui.services.terminations import TerminatedRow, review

DUTY_DIALOG_CSS = """
CallDialog, ReviewDialog { align: center middle; }
CallDialog > Vertical, ReviewDialog > Vertical {
    width: 76; height: auto; max-height: 100%; border: thick $primary; background: $surface; padding: 0 1;
}
CallDialog .row, ReviewDialog .row { height: 1; margin-top: 1; }
CallDialog .row Label, ReviewDialog .row Label { width: auto; margin-right: 1; }
CallDialog .row Select, ReviewDialog .row Select { width: 20; }
CallDialog .row TickBox { margin-right: 2; }
CallDialog .row Input, ReviewDialog .row Input { width: 1fr; }
CallDialog Horizontal.buttons, ReviewDialog Horizontal.buttons { height: auto; margin-top: 1; align-horizontal: right; }
CallDialog Button, ReviewDialog Button { margin-left: 2; }
"""


class _WriteDialog(ServiceCalls, _Dialog):
    """A dialog whose OK runs one write; Ctrl+S is OK as well."""

    DEFAULT_CSS = DUTY_DIALOG_CSS
    BINDINGS = [Binding("ctrl+s", "ok", "保存", priority=True)]

    @on(Button.Pressed, "#ok")
    def action_ok(self) -> None:
        if self.write_in_flight("ok"):
            return
        write = self.prepared()
        if write is None:
            return
        self.error("正在保存…")
        self.run_write("ok", write)

    def prepared(self) -> partial | None:
        """The write for what is typed, or None after saying what is missing."""
        raise NotImplementedError

    @on(WriteFinished)
    def _finished(self, message: WriteFinished) -> None:
        if message.error is not None:
            self.error(message.error)  # the typing stays: correct it and save again
            return
        self.dismiss(message.result if message.result is not None else True)


def _choice(select: Select) -> str | None:
    value = select.value
    return None if value is Select.NULL else str(value)


class CallDialog(_WriteDialog):
    """回访 one connected application: reached or not, satisfied or not, what the customer said, a complaint's
    follow-up. Returns the call's id when recorded."""

    def __init__(self, row: WaitingCall, station: Station, operator: str) -> None:
        super().__init__()
        self.row, self.station, self.operator = row, station, operator

    def compose(self) -> ComposeResult:
        row = self.row
        with Vertical():
            yield Static(
                f"回访 {row.number} {row.customer_name}　电话 {row.phone}\n"
                f"送电 {row.connected_at[:10]}，这是第 {row.attempts + 1} 次拨打"
            )
            with Horizontal(classes="row"):
                yield Label("是否接通")
                yield Select([("接通", "yes"), ("未接通", "no")], id="reached", prompt="请选择", compact=True)
                yield Label("　是否满意")
                yield Select([("满意", "yes"), ("不满意", "no")], id="satisfied", prompt="（未接通不填）", compact=True)
            with Horizontal(classes="row"):
                yield Label("客户反映")
                yield TickBox("要求补交资料", id="extra-documents", compact=True)
                yield TickBox("收取费用", id="fee-asked", compact=True)
                yield TickBox("二次上门", id="second-visit", compact=True)
            with Horizontal(classes="row"):
                yield Label("客户原话")
                yield Input(id="said", placeholder="客户说了什么（可不填）", compact=True)
            with Horizontal(classes="row"):
                yield TickBox("有投诉", id="complaint", compact=True)
                yield Label("后续处理")
                yield Input(id="follow-up", placeholder="有投诉时必填：谁、何时跟进", compact=True)
            yield Static("", classes="dialog-error", id="call-error")
            with Horizontal(classes="buttons"):
                yield Button("取消", id="cancel")
                yield Button("记录回访 Ctrl+S", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#reached", Select).focus()

    def prepared(self) -> partial | None:
        reached = _choice(self.query_one("#reached", Select))
        if reached is None:
            self.error("请选择是否接通")
            self.query_one("#reached", Select).focus()
            return None
        satisfied = _choice(self.query_one("#satisfied", Select))
        answer = CallAnswer(
            reached=reached == "yes",
            satisfied=None if satisfied is None else satisfied == "yes",
            extra_documents=self.query_one("#extra-documents", TickBox).value,
            fee_asked=self.query_one("#fee-asked", TickBox).value,
            second_visit=self.query_one("#second-visit", TickBox).value,
            said=self.query_one("#said", Input).value,
            complaint=self.query_one("#complaint", TickBox).value,
            follow_up=self.query_one("#follow-up", Input).value,
        )
        return partial(record_call, self.station, self.row.application, answer, operator=self.operator)


class ReviewDialog(_WriteDialog):
    """The 站长 confirms a termination or reopens the application with a reason; the PIN is checked by the service.
    Returns True when recorded."""

    def __init__(self, row: TerminatedRow, station: Station, heads: list[Operator], *, reopen: bool) -> None:
        super().__init__()
        self.row, self.station, self.heads, self.reopen = row, station, heads, reopen

    def compose(self) -> ComposeResult:
        row = self.row
        what = "退回重办（恢复到终止前的状态）" if self.reopen else "确认终止"
        with Vertical():
            yield Static(
                f"终止审核：{what}\n{row.number} {row.customer_name}　{row.terminated_at[:16].replace('T', ' ')} 终止"
                f"\n终止原因：{row.reason}"
            )
            with Horizontal(classes="row"):
                yield Label("站长")
                yield Select([(h.name, h.uuid) for h in self.heads], id="head", allow_blank=False, compact=True)
            with Horizontal(classes="row"):
                yield Label("站长 PIN")
                yield Input(id="pin", password=True, compact=True)
            if self.reopen:
                with Horizontal(classes="row"):
                    yield Label("退回理由")
                    yield Input(id="reason", placeholder="为什么不应终止", compact=True)
            yield Static("", classes="dialog-error", id="review-error")
            with Horizontal(classes="buttons"):
                yield Button("取消", id="cancel")
                yield Button(("退回重办" if self.reopen else "确认终止") + " Ctrl+S", id="ok", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#pin", Input).focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_ok()

    def prepared(self) -> partial | None:
        head = _choice(self.query_one("#head", Select))
        if head is None:
            self.error("请选择站长")
            return None
        reason = self.query_one("#reason", Input).value if self.reopen else ""
        pin = self.query_one("#pin", Input).value
        return partial(
            review, self.station, self.row.application, head=head, pin=pin, reopen=self.reopen, reason=reason
        )
