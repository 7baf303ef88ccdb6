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


def pause(screen: StationScreen, target: Target, said: Said, failed: Said | None = None) -> None:
    def answered(reason: str | None) -> None:
        if reason:
            screen.call_service(
                lambda: lifecycle.pause(screen.station, target.uuid, reason=reason, operator=_operator(screen)),
                done=lambda _: said(f"{target.number} 已暂停计时：{reason}"),
                failed=failed,
                group="clock-action",
            )

    title = f"暂停 {target.number}（{target.customer}）：等待客户期间不计入时限，请写明原因"
    dialog = ReasonDialog(title, "暂停计时", "如：客户内部工程未完工", missing="请写明暂停原因")
    screen.app.push_screen(dialog, answered)


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


def terminate(screen: StationScreen, target: Target, said: Said, failed: Said | None = None) -> None:
    def answered(reason: str | None) -> None:
        if reason:
            screen.call_service(
                lambda: lifecycle.terminate(screen.station, target.uuid, reason=reason, operator=_operator(screen)),
                done=lambda _: said(f"{target.number} 已终止：{reason}"),
                failed=failed,
                group="clock-action",
            )

    title = f"终止 {target.number}（{target.customer}）：请写明原因"
    dialog = ReasonDialog(title, "终止申请", "如：客户撤回申请", missing="请写明终止原因")
    screen.app.push_screen(dialog, answered)
