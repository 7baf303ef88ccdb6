"""Driving the app as a clerk does: wait for the workers, log in, read what a widget shows."""

from __future__ import annotations

import contextlib

from textual.widgets import OptionList, Static
from textual.worker import WorkerCancelled, WorkerFailed

from station_tui.app import StationApp

SIZE = (110, 34)


async def settle(app: StationApp, pilot) -> None:  # noqa: ANN001
    for _ in range(6):
        # A failed worker is part of what some tests check: the screen shows its message. A read is cancelled when
        # its screen closes or a newer read replaces it.
        with contextlib.suppress(WorkerFailed, WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()


def text_of(app: StationApp, selector: str) -> str:
    return str(app.screen.query_one(selector, Static).render())


async def login(app: StationApp, pilot, name: str, pin: str) -> None:  # noqa: ANN001
    await settle(app, pilot)
    options = app.screen.query_one("#operators", OptionList)
    index = next(i for i in range(options.option_count) if options.get_option_at_index(i).prompt.startswith(name))
    options.highlighted = index
    await pilot.press("enter")
    await pilot.press(*pin, "enter")
    await settle(app, pilot)


def keys_after_login(app: StationApp, *keys: str, name: str = "王站长", pin: str = "1234"):  # noqa: ANN201
    """A snapshot's run_before: log in, press the keys (each awaited), then still the cursors and the notices, so
    that the picture is the same on every run."""
    from textual.widgets import Input

    async def run_before(pilot) -> None:  # noqa: ANN001
        await login(app, pilot, name, pin)
        # The greeting goes before the keys: a dialog opened over it would otherwise keep it drawn on some runs.
        app.clear_notifications()
        for key in keys:
            await pilot.press(key)
            await settle(app, pilot)
        for field in app.screen.query(Input):
            field.cursor_blink = False
        app.clear_notifications()
        await pilot.pause()

    return run_before
