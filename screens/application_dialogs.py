"""Dialogs of the application screen: a reason, a 站长 override, collecting a document, inspection defects."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from station_tui.domain.glossary import COPY_KINDS
from station_tui.services.lifecycle import HeadOverride
from station_tui.services.operators import Operator

DIALOG_CSS = """
ReasonDialog, OverrideDialog, CollectDialog, DefectsDialog { align: center middle; }
ReasonDialog > Vertical, OverrideDialog > Vertical, CollectDialog > Vertical, DefectsDialog > Vertical {
    width: 80; height: auto; max-height: 90%; border: thick $primary; background: $surface; padding: 1 2;
}
ReasonDialog Horizontal, OverrideDialog Horizontal, CollectDialog Horizontal, DefectsDialog Horizontal {
    height: auto; margin-top: 1; align-horizontal: right;
}
ReasonDialog Button, OverrideDialog Button, CollectDialog Button, DefectsDialog Button { margin-left: 2; }
DefectsDialog TextArea { height: 10; }
.dialog-error { color: $error; }
"""


class _Dialog(ModalScreen):
    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [("escape", "cancel", "取消")]

    def action_cancel(self) -> None:
        self.dismiss(None)

    def buttons(self, ok: str) -> ComposeResult:
        with Horizontal():
            yield Button("取消", id="cancel")
            yield Button(ok, id="ok", variant="primary")

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)

    def error(self, message: str) -> None:
        self.query_one(".dialog-error", Static).update(message)


class ReasonDialog(_Dialog):
    """Asks for a reason (pause, terminate): returns the text, or None when cancelled."""

    def __init__(self, title: str, ok: str, placeholder: str = "", missing: str = "请写明理由") -> None:
        super().__init__()
        self.title_text, self.ok, self.placeholder, self.missing = title, ok, placeholder, missing

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.title_text)
            yield Input(id="reason", placeholder=self.placeholder)
            yield Static("", classes="dialog-error", id="reason-error")
            yield from self.buttons(self.ok)

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted, "#reason")
    def _ok(self) -> None:
        reason = self.query_one("#reason", Input).value.strip()
        if not reason:
            self.error(self.missing)
            return
        self.dismiss(reason)


class OverrideDialog(_Dialog):
    """A 站长 authorises going on although required archive items are missing: who, PIN, reason."""

    def __init__(self, missing: list[str], heads: list[Operator]) -> None:
        super().__init__()
        self.missing, self.heads = missing, heads

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("缺少必需的归档资料：\n" + "\n".join(f"  · {m}" for m in self.missing))
            yield Static("补齐后再办；确需先办，须站长授权并写明理由（记入记录）。")
            yield Label("站长")
            yield Select([(head.name, head.uuid) for head in self.heads], id="head", allow_blank=False)
            yield Label("站长 PIN")
            yield Input(id="pin", password=True)
            yield Label("理由")
            yield Input(id="reason")
            yield Static("", classes="dialog-error")
            yield from self.buttons("站长授权")

    @on(Button.Pressed, "#ok")
    @on(Input.Submitted, "#reason")
    def _ok(self) -> None:
        head = self.query_one("#head", Select).value
        pin = self.query_one("#pin", Input).value
        reason = self.query_one("#reason", Input).value.strip()
        if head is Select.NULL or not pin:
            self.error("请选择站长并输入 PIN")
            return
        if not reason:
            self.error("请写明理由")
            return
        self.dismiss(HeadOverride(str(head), pin, reason))


class CollectDialog(_Dialog):
    """Collecting a deferred document: the form it takes and original or copy. Returns (form, copy_kind)."""

    def __init__(self, document: str, forms: list[tuple[str, str]]) -> None:
        super().__init__()
        self.document, self.forms = document, forms

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(f"补收容缺资料：{self.document}")
            yield Label("资料形式")
            yield Select(
                [(f"{form}（{COPY_KINDS.get(kind, kind)}）", index) for index, (form, kind) in enumerate(self.forms)],
                id="form",
                allow_blank=False,
            )
            yield Static("", classes="dialog-error")
            yield from self.buttons("确认补收")

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        index = self.query_one("#form", Select).value
        self.dismiss(self.forms[int(index)])  # type: ignore[arg-type]


class DefectsDialog(_Dialog):
    """竣工检验: one defect per line; an empty list means the inspection passed."""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("竣工检验：每行写一项缺陷（没有缺陷则留空，记为检验合格）")
            yield TextArea(id="defects")
            yield Static("", classes="dialog-error")
            yield from self.buttons("记录检验结果")

    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        text = self.query_one("#defects", TextArea).text
        self.dismiss([line.strip() for line in text.splitlines() if line.strip()])
