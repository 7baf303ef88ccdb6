"""What every screen shares: running service calls off the UI thread, and turning failures into plain messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from station_tui.domain.errors import StationError
from station_tui.screens.status_line import StatusLine

Done = Callable[[Any], None]
Failed = Callable[[str], None]


def plain_message(error: BaseException) -> str:
    """Our own errors carry a Chinese message; anything else is said plainly, never as a traceback."""
    if isinstance(error, StationError):
        return str(error)
    return f"操作没有完成：{type(error).__name__}: {error}。数据未改变，可重试；若反复出现请联系技术支持。"


class ServiceCalls:
    """Mixin for screens: `self.call_service(fn, *args, done=...)` runs fn in a thread worker.

    One worker per `group` at a time (a newer call cancels the older one); the result comes back on the UI thread.
    """

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


class StationScreen(ServiceCalls, Screen):
    """A full screen of the app, with the app's status line and footer."""

    DEFAULT_CSS = """
    StationScreen #bottom-bar { dock: bottom; height: auto; }
    """

    def on_mount(self) -> None:
        # Textual calls this for the base class as well as a subclass's own on_mount: every screen gets the
        # status line above its footer without repeating it in each compose.
        self.mount(Vertical(StatusLine(), Footer(), id="bottom-bar"))
        self.app.refresh_status()  # type: ignore[attr-defined]

    @property
    def station(self):  # noqa: ANN201 - the app's Station
        return self.app.station  # type: ignore[attr-defined]
