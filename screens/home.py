"""工作台: today's numbers at a glance. Refreshes by itself, so a screen left open overnight moves to the new day."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Vertical
from textual.widgets import Static

from station_tui.domain.timeutil import local_date
from station_tui.screens.base import StationScreen
from station_tui.services.dashboard import HomeNumbers, home_numbers
from station_tui.services.station import Station

if TYPE_CHECKING:
    from station_tui.services.terminations import TerminationRate

REFRESH_SECONDS = 60

CARDS = [
    ("accepted_today", "今日受理"),
    ("due_today", "今日到期"),
    ("overdue", "已超期"),
    ("deferred_waiting", "容缺资料待收（件）　d 清单"),
    ("open_total", "在办"),
    ("last_export", "最近导出"),
]


def month_rate(station: Station) -> TerminationRate:
    """This month's termination rate (seed 002: 报装工单终止率低于3%), against the profile's threshold."""
    from station_tui.services.terminations import termination_rate  # here: the login screen shows before it loads

    return termination_rate(station, local_date(station.store.clock()).strftime("%Y-%m"))


class HomeScreen(StationScreen):
    CSS_PATH = "home.tcss"
    BINDINGS = [
        Binding("r", "refresh", "刷新", id="home-refresh"),
        Binding("d", "deferred", "容缺待收清单", id="home-deferred", tooltip="谁收什么资料、何时收齐，超期在前"),
        Binding("c", "duty('followups')", "回访", id="home-calls", tooltip="已送电的小微企业待回访，先送电的在前"),
        Binding("t", "duty('terminations')", "终止审核", id="home-terminations", tooltip="站长审核终止的申请"),
        Binding("w", "duty('works')", "配套工程", id="home-works", tooltip="全部配套工程及其剩余工作日"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="home"):
            yield Static("", id="home-title")
            with Grid(id="home-cards"):
                for key, label in CARDS:
                    with Vertical(classes="card", id=f"card-{key}"):
                        yield Static(label, classes="card-label")
                        yield Static("…", classes="card-value", id=f"value-{key}")
            yield Static("", id="home-rate")
            yield Static(
                "F2 受理　F3 时限倒计时　F4 告知书　F5 节假日　F6 导出　F7 设置　F8 查询　F9 预约　F12 指标　"
                "d 容缺待收清单　c 回访　t 终止审核　w 配套工程　Ctrl+P 命令面板",
                id="home-keys",
            )

    def on_mount(self) -> None:
        self.query_one("#home-title", Static).update(f"{self.station.station_name} 工作台")
        self.action_refresh()
        self.set_interval(REFRESH_SECONDS, self.action_refresh)

    def on_screen_resume(self) -> None:
        self.action_refresh()

    def action_deferred(self) -> None:
        from station_tui.screens.deferred import DeferredScreen

        self.app.push_screen(DeferredScreen())

    def action_duty(self, duty: str) -> None:
        """The station's duties after intake (issue 16): 回访, 终止审核, 配套工程 (of every application)."""
        self.app.push_area(duty)  # type: ignore[attr-defined]

    def action_refresh(self) -> None:
        self.call_service(home_numbers, self.station, done=self._show, group="home")
        self.call_service(month_rate, self.station, done=self._show_rate, group="home-rate")

    def _show_rate(self, rate: TerminationRate) -> None:
        from station_tui.screens.terminations import rate_text

        self.query_one("#home-rate", Static).update(rate_text(rate))

    def _show(self, numbers: HomeNumbers) -> None:
        for key, _label in CARDS:
            value = getattr(numbers, key)
            if key == "last_export" and numbers.laptop:
                text = "外勤电脑不导出"  # its work reaches the county in the station's export, after checkin
            elif key == "last_export":
                text = f"{value:%m-%d %H:%M}" if value else "从未导出"
            else:
                text = str(value)
            self.query_one(f"#value-{key}", Static).update(text)
        self.query_one("#card-overdue").set_class(numbers.overdue > 0, "-alert")
        self.query_one("#card-due_today").set_class(numbers.due_today > 0, "-warn")
        self.app.refresh_status()  # type: ignore[attr-defined]
