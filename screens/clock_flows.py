"""Pause, resume and terminate: the same three conversations wherever they are offered (the application screen and
the countdown). Each asks what it needs, then runs the lifecycle service as a write (`run_write`: never cancelled,
never started twice, its key dimmed meanwhile); the sentence to say comes back in a `ClockFinished` message, which the
screen handles."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from station_tui.screens.application_dialogs import ReasonDialog
from station_tui.screens.base import StationScreen, WriteFinished
from station_tui.screens.dialogs import ConfirmDialog
from station_tui.services import lifecycle


class ClockFinished(WriteFinished):
    """A pause, resume or termination came back: `result` is the sentence to say, or `error` the plain message."""


@dataclass(frozen=True)
class Target:
    """The application acted on, as the clerk sees it."""

    uuid: str
    number: str
    customer: str
    pause_reason: str | None = None


def _operator(screen: StationScreen) -> str:
    return screen.app.operator.uuid  # type: ignore[attr-defined]


@dataclass(frozen=True)
class _Asked:
    """An action that needs a reason: the service, and the words of its dialog and of its report."""

    act: Callable[..., object]
    title: str  # {number} and {customer} are filled in
    ok: str
    example: str
    missing: str
    done: str  # {number} and {reason} are filled in


PAUSE = _Asked(
    lifecycle.pause,
    "暂停 {number}（{customer}）：等待客户期间不计入时限，请写明原因",
    "暂停计时",
    "如：客户内部工程未完工",
    "请写明暂停原因",
    "{number} 已暂停计时：{reason}",
)
TERMINATE = _Asked(
    lifecycle.terminate,
    "终止 {number}（{customer}）：请写明原因",
    "终止申请",
    "如：客户撤回申请",
    "请写明终止原因",
    "{number} 已终止：{reason}",
)


def _with_reason(screen: StationScreen, target: Target, action: str, asked: _Asked) -> None:
    """Ask for a reason, then act with it as a write; the screen is told what was done."""
    station, operator = screen.station, _operator(screen)

    def act(reason: str) -> str:
        asked.act(station, target.uuid, reason=reason, operator=operator)
        return asked.done.format(number=target.number, reason=reason)

    def answered(reason: str | None) -> None:
        if reason:
            screen.run_write(action, act, reason, message=ClockFinished)

    title = asked.title.format(number=target.number, customer=target.customer)
    screen.app.push_screen(ReasonDialog(title, asked.ok, asked.example, missing=asked.missing), answered)


def pause(screen: StationScreen, target: Target) -> None:
    _with_reason(screen, target, "pause", PAUSE)


def terminate(screen: StationScreen, target: Target) -> None:
    _with_reason(screen, target, "terminate", TERMINATE)


def resume(screen: StationScreen, target: Target) -> None:
    station, operator = screen.station, _operator(screen)

    def act() -> str:
        due = lifecycle.resume(station, target.uuid, operator=operator)
        return f"{target.number} 已恢复计时，期限顺延至 {due}"

    def answered(yes: bool | None) -> None:
        if yes:
            screen.run_write("resume", act, message=ClockFinished)

    text = (
        f"恢复 {target.number}（{target.customer}）的计时？\n暂停原因：{target.pause_reason or '—'}\n"
        "期限将顺延暂停期间的工作日数。"
    )
    screen.app.push_screen(ConfirmDialog(text, yes="恢复计时", no="取消"), answered)
