"""What every screen shares: running service calls off the UI thread, and turning failures into plain messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Checkbox, Footer
from textual.worker import Worker, WorkerState

from station_tui.domain.errors import StationError
from station_tui.screens.status_line import StatusLine

# Textual's own widgets show English key descriptions in the footer; a clerk reads Chinese. Shown ones, by action.
TEXTUAL_WORDS = {
    "dismiss": "收起列表",
    "escape": "关闭命令面板",
}


def _speak_chinese() -> None:
    """Give the footer keys of Textual's Select drop-down and command palette Chinese descriptions."""
    from dataclasses import replace

    from textual.command import CommandPalette
    from textual.widgets._select import SelectOverlay

    for cls in (SelectOverlay, CommandPalette):
        bindings = [b if isinstance(b, Binding) else Binding(*b) for b in cls.BINDINGS]
        cls.BINDINGS = [replace(b, description=TEXTUAL_WORDS.get(b.action, b.description)) for b in bindings]
        cls._merged_bindings = cls._merge_bindings()


_speak_chinese()

Done = Callable[[Any], None]
Failed = Callable[[str], None]


def plain_message(error: BaseException) -> str:
    """Our own errors carry a Chinese message; anything else is said plainly, never as a traceback."""
    if isinstance(error, StationError):
        return str(error)
    return f"操作没有完成：{type(error).__name__}: {error}。数据未改变，可重试；若反复出现请联系技术支持。"


class WriteFinished(Message):
    """A write came back: `result` when it succeeded, else `error`, a plain Chinese message. `action` names the write
    (the screen action that started it). Screens subclass it to give each write its own handler."""

    def __init__(self, action: str, result: Any = None, error: str | None = None) -> None:
        super().__init__()
        self.action, self.result, self.error = action, result, error


class ServiceCalls:
    """Mixin for screens: `self.call_service(fn, *args, done=...)` runs a read in a thread worker;
    `self.run_write(action, fn, *args)` runs a write.

    Reads: one worker per `group` at a time (a newer call cancels the older one, whose answer is then ignored).
    That is wrong for a write: cancelling a thread worker does not stop its thread, so two writes would both run while
    only the second one's answer arrives. A write is therefore never cancelled and never started twice: its action is
    disabled while it is in flight, and its result comes back as a message.
    """

    def run_write(
        self, action: str, fn: Callable[..., Any], *args: Any, message: type[WriteFinished] = WriteFinished
    ) -> bool:
        """Start the write `fn(*args)` for `action` unless that action's write is still running (then False)."""
        in_flight: set[str] = self.__dict__.setdefault("_writes_in_flight", set())
        if action in in_flight:
            return False
        in_flight.add(action)
        self.refresh_bindings()  # type: ignore[attr-defined]
        app = self.app  # type: ignore[attr-defined]

        def finish(result: Any, error: str | None) -> None:
            in_flight.discard(action)
            self.refresh_bindings()  # type: ignore[attr-defined]
            self.post_message(message(action, result, error))  # type: ignore[attr-defined]

        def write() -> None:
            try:
                result = fn(*args)
            except Exception as exc:  # noqa: BLE001 - every failure becomes a message for the clerk
                app.call_from_thread(finish, None, plain_message(exc))
            else:
                app.call_from_thread(finish, result, None)

        self.run_worker(write, thread=True, exclusive=False, group=f"write-{action}", name=action)  # type: ignore[attr-defined]
        return True

    def write_in_flight(self, action: str) -> bool:
        return action in self.__dict__.get("_writes_in_flight", set())

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # None: the key is shown dimmed in the footer and does nothing while its write runs.
        if self.write_in_flight(action):
            return None
        return super().check_action(action, parameters)  # type: ignore[misc]

    def call_service(
        self,
        fn: Callable[..., Any],
        *args: Any,
        done: Done | None = None,
        failed: Failed | None = None,
        group: str = "db",
    ) -> Worker:
        callbacks = self.__dict__.setdefault("_service_callbacks", {})
        worker = self.run_worker(  # type: ignore[attr-defined]
            lambda: fn(*args), thread=True, exclusive=True, group=group, exit_on_error=False, name=fn.__name__
        )
        callbacks[worker] = (done, failed)
        return worker

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        callbacks = self.__dict__.get("_service_callbacks", {})
        if event.state not in (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED):
            return
        done, failed = callbacks.pop(event.worker, (None, None))
        if event.state == WorkerState.SUCCESS and done is not None:
            done(event.worker.result)
        elif event.state == WorkerState.ERROR:
            message = plain_message(event.worker.error)  # type: ignore[arg-type]
            if failed is not None:
                failed(message)
            else:
                self.notify(message, title="出错了", severity="error", timeout=10)  # type: ignore[attr-defined]


class TickBox(Checkbox):
    """A checkbox that reads as empty when it is: `[ ]` and `[✓]`. Textual draws `▐X▌` both ways, only coloured
    differently, and an unticked box read as ticked on a clerk's screen."""

    @property
    def _button(self) -> Content:
        style = self.get_visual_style("toggle--button")
        return Content.assemble("[", ("✓" if self.value else " ", style), "]")


class StationScreen(ServiceCalls, Screen):
    """A full screen of the app, with the app's status line and footer."""

    DEFAULT_CSS = """
    StationScreen #bottom-bar { dock: bottom; height: auto; }
    """
    # Priority: the focus moves while the app reads the key, before it hands the next key to a widget. As an ordinary
    # binding, Tab waits in the focused widget's queue, and keys typed right after it (a clerk typing fast, or the
    # screen busy redrawing the checklist) land in the field the clerk has just left.
    BINDINGS = [
        Binding("tab", "app.focus_next", "下一栏", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", "上一栏", show=False, priority=True),
    ]

    def on_mount(self) -> None:
        # Textual calls this for the base class as well as a subclass's own on_mount: every screen gets the
        # status line above its footer without repeating it in each compose.
        self.mount(Vertical(StatusLine(), Footer(), id="bottom-bar"))
        self.app.refresh_status()  # type: ignore[attr-defined]

    @property
    def station(self):  # noqa: ANN201 - the app's Station
        return self.app.station  # type: ignore[attr-defined]
