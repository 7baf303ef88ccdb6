"""Small modal dialogs: a question with two answers, and a message that stops the app."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Static

DIALOG_CSS = """
ConfirmDialog, FatalDialog { align: center middle; }
ConfirmDialog > Vertical, FatalDialog > Vertical {
    width: 70; height: auto; border: thick $warning; background: $surface; padding: 1 2;
}
ConfirmDialog Horizontal, FatalDialog Horizontal { height: auto; margin-top: 1; align-horizontal: right; }
ConfirmDialog Button, FatalDialog Button { margin-left: 2; }
"""


class ConfirmDialog(ModalScreen[bool]):
    """A question with two answers. The default answer has the focus (Enter) and the primary style; `yes` is styled
    as a warning only when it is the risky choice (default "no")."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [("escape", "dismiss(False)", "取消")]

    def __init__(self, text: str, yes: str, no: str, *, default: str = "no") -> None:
        super().__init__()
        self.text, self.yes, self.no, self.default = text, yes, no, default

    def compose(self) -> ComposeResult:
        yes_first = self.default == "yes"
        with Vertical():
            yield Static(self.text, id="confirm-text")
            with Horizontal():
                yield Button(self.no, id="no", variant="default" if yes_first else "primary")
                yield Button(self.yes, id="yes", variant="primary" if yes_first else "warning")

    def on_mount(self) -> None:
        self.query_one(f"#{'yes' if self.default == 'yes' else 'no'}", Button).focus()

    @on(Button.Pressed)
    def _answer(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "yes")


class FatalDialog(ModalScreen[None]):
    """The app cannot go on (a damaged database): say why and where the backup is, then quit."""

    DEFAULT_CSS = DIALOG_CSS
    BINDINGS = [("escape,enter,q", "quit_app", "退出")]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(self.text, id="fatal-text")
            with Horizontal():
                yield Button("退出", id="quit", variant="error")

    @on(Button.Pressed)
    def action_quit_app(self) -> None:
        self.app.exit(return_code=1, message=self.text)
