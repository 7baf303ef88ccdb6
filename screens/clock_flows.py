"""Pause, resume and terminate: the same three conversations wherever they are offered (the application screen and
the countdown). Each asks what it needs, calls the lifecycle service in a worker and reports in one sentence."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from station_tui.screens.application_dialogs import ReasonDialog
from station_tui.screens.base import StationScreen
from station_tui.screens.dialogs import ConfirmDialog
from station_tui.services import lifecycle

Said = Callable[[str], None]


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


def _with_reason(screen: StationScreen, target: Target, asked: _Asked, said: Said, failed: Said | None) -> None:
    """Ask for a reason, then act with it in a worker; say what was done."""

    def answered(reason: str | None) -> None:
        if reason:
            screen.call_service(
                lambda: asked.act(screen.station, target.uuid, reason=reason, operator=_operator(screen)),
                done=lambda _: said(asked.done.format(number=target.number, reason=reason)),
                failed=failed,
                group="clock-action",
            )

    title = asked.title.format(number=target.number, customer=target.customer)
    screen.app.push_screen(ReasonDialog(title, asked.ok, asked.example, missing=asked.missing), answered)


def pause(screen: StationScreen, target: Target, said: Said, failed: Said | None = None) -> None:
    _with_reason(screen, target, PAUSE, said, failed)


def terminate(screen: StationScreen, target: Target, said: Said, failed: Said | None = None) -> None:
    _with_reason(screen, target, TERMINATE, said, failed)


def resume(screen: StationScreen, target: Target, said: Said, failed: Said | None = None) -> None:
    def answered(yes: bool | None) -> None:
        if yes:
            screen.call_service(
                lambda: lifecycle.resume(screen.station, target.uuid, operator=_operator(screen)),
                done=lambda due: said(f"{target.number} 已恢复计时，期限顺延至 {due}"),
                failed=failed,
                group="clock-action",
            )

    text = (
        f"恢复 {target.number}（{target.customer}）的计时？\n暂停原因：{target.pause_reason or '—'}\n"
        "期限将顺延暂停期间的工作日数。"
    )
    screen.app.push_screen(ConfirmDialog(text, yes="恢复计时", no="取消"), answered)
