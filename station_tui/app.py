"""The Textual App: start-up (open, first run, clock check, login), navigation, status line."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen

from station_tui.domain.timeutil import Clock, local_date, system_now
from station_tui.screens.base import ServiceCalls
from station_tui.screens.dialogs import ConfirmDialog, FatalDialog
from station_tui.screens.home import HomeScreen
from station_tui.screens.login import LoginScreen
from station_tui.screens.setup import SetupScreen
from station_tui.screens.status_line import StatusLine
from station_tui.services.dashboard import status_warnings
from station_tui.services.operators import Operator
from station_tui.services.station import Station
from station_tui.store import Store
from station_tui.store.errors import DamagedDatabaseError, NotStationDatabaseError


@dataclass(frozen=True)
class OpenProblem:
    kind: str  # "damaged" or "empty"
    message: str


def is_sqlite_file(path: Path) -> bool:
    try:
        with open(path, "rb") as file:
            return file.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def recovered_name(db_path: Path, moment: datetime) -> Path:
    return db_path.with_name(f"{db_path.stem}-恢复-{moment:%Y%m%d-%H%M%S}{db_path.suffix}")


if TYPE_CHECKING:
    from station_tui.screens.export import ExportSchedule

# The areas of the app: key, code name, Chinese title.
AREAS = [
    ("f1", "home", "工作台"),
    ("f2", "intake", "受理"),
    ("f3", "countdown", "时限倒计时"),
    ("f4", "notices", "告知书"),
    ("f5", "holidays", "节假日"),
    ("f6", "export", "导出"),
    ("f7", "settings", "设置"),
    ("f8", "search", "查询"),
    ("f9", "reservations", "预约"),
    ("f10", "conflicts", "冲突裁定"),
    ("f11", "field", "外勤"),
    ("f12", "indicators", "指标"),
]


def open_station(db_path: Path, clock: Clock, replace_empty: bool = False) -> tuple[Station, bool]:
    """Open the database and its reference data; also say whether the clock reads behind the newest event."""
    store = Store(db_path, clock=clock, replace_empty=replace_empty)
    station = Station.open(store)
    return station, store.clock_behind() is not None


def checked_backup_of_the_day(station: Station) -> None:
    """The first start of a day checks the file (PRAGMA quick_check) and backs it up beside the database. A damaged
    file raises DamagedDatabaseError (never backed up: it would push a good backup out); a backup that cannot be
    written does not stop the counter."""
    from station_tui.store.backup import backup_of_the_day

    store = station.store
    try:
        backup_of_the_day(store.conn, store.path, store.clock())
    except DamagedDatabaseError:
        store.close()
        raise
    except OSError:
        pass


def open_or_diagnose(db_path: Path, clock: Clock) -> tuple[Station, bool] | OpenProblem:
    """open_station, or what a person may do about the file: recover a damaged one, make a station in an empty one."""
    try:
        station, clock_behind = open_station(db_path, clock)
        checked_backup_of_the_day(station)
        return station, clock_behind
    except DamagedDatabaseError as exc:
        if not is_sqlite_file(db_path):  # not a database at all: nothing to recover from
            raise
        return OpenProblem("damaged", str(exc))
    except NotStationDatabaseError as exc:
        if not exc.empty:
            raise
        return OpenProblem("empty", str(exc))


class StationApp(ServiceCalls, App):
    TITLE = "供电所业扩报装终端"
    BINDINGS = [
        *[Binding(key, f"goto('{area}')", title, id=area, tooltip=f"打开「{title}」") for key, area, title in AREAS],
        Binding("ctrl+p", "command_palette", "命令", id="palette", tooltip="搜索并执行命令", priority=True, show=False),
        Binding("ctrl+q", "quit", "退出", id="quit", tooltip="退出程序", priority=True),
    ]

    def __init__(self, db_path: Path, *, clock: Clock = system_now, exit_when_ready: bool = False) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.clock = clock
        self.exit_when_ready = exit_when_ready
        self.station: Station | None = None
        self.operator: Operator | None = None
        self.quit_asked = False
        self.export_schedule: ExportSchedule | None = None  # started at the first login, kept for the app's life

    # --- start-up -------------------------------------------------------------------------------------------

    def on_mount(self) -> None:
        self.call_service(
            open_or_diagnose, self.db_path, self.clock, done=self._opened, failed=self._fatal, group="open"
        )

    def _fatal(self, message: str) -> None:
        self.push_screen(FatalDialog(message))

    def _opened(self, result: tuple[Station, bool] | OpenProblem) -> None:
        if isinstance(result, OpenProblem):
            self._offer_repair(result)
            return
        self.station, clock_behind = result
        if not self.station.initialized:
            self.push_screen(SetupScreen())
        elif clock_behind:
            self._ask_about_clock()
        else:
            self.push_screen(LoginScreen())

    def _offer_repair(self, problem: OpenProblem) -> None:
        """A damaged file: offer `recover` into a new file beside it, then open that. An empty file: offer a new
        station in it. Either way nothing is written without the person's yes."""
        if problem.kind == "empty":
            text = f"{problem.message}\n\n要在这个空文件里新建一个供电所吗？"
            yes, opener = "新建供电所", (lambda: open_station(self.db_path, self.clock, replace_empty=True))
        else:
            target = recovered_name(self.db_path, self.clock())
            text = (
                f"{problem.message}\n\n要从这个文件中救出能读的记录，与最近的完好备份合并，存为新文件\n{target}\n"
                "然后打开它吗？原文件不会被改动；丢失的范围会列出来。"
            )
            yes, opener = "恢复到新文件并打开", (lambda: self._recover_then_open(target))

        def answered(go_on: bool | None) -> None:
            if go_on:
                self.call_service(opener, done=self._opened, failed=self._fatal, group="open")
            else:
                self.exit(return_code=1, message=problem.message)

        self.push_screen(ConfirmDialog(text, yes=yes, no="退出"), answered)

    def _recover_then_open(self, target: Path) -> tuple[Station, bool]:
        from station_tui.store.recover import recover

        report = recover(self.db_path, target, clock=self.clock)
        self.db_path = target
        lost = sum(loss.last - loss.first + 1 for loss in report.losses)
        self.call_from_thread(
            self.notify,
            f"已恢复到 {target}：{report.events} 条事件；丢失 {lost} 条"
            + (f"，涉及申请 {'、'.join(report.touched[:5])}" if report.touched else "")
            + "。详细报告：station-tui recover。",
            title="数据库已恢复",
            timeout=30,
        )
        return open_station(target, self.clock)

    def _ask_about_clock(self) -> None:
        assert self.station is not None
        now, newest = self.station.store.clock_behind() or (None, None)
        text = (
            f"注意：系统时间 {now:%Y-%m-%d %H:%M} 早于本机最近一条记录的时间 {newest:%Y-%m-%d %H:%M}。\n\n"
            "可能是电脑时钟不准（如主板电池没电）。所有记录都以系统时间为准，时间错了会让时限计算出错。\n"
            "请退出并校正系统时间。确需继续，之后的记录会使用当前（较早的）系统时间。"
        )

        def answered(go_on: bool | None) -> None:
            if go_on:
                self.station.store.clock_behind_confirmed = True  # type: ignore[union-attr]
                self.push_screen(LoginScreen())
            else:
                self.exit(return_code=1, message="已退出：请先校正系统时间。")

        self.push_screen(ConfirmDialog(text, yes="时间无误，继续", no="退出并校正时间"), answered)

    def after_setup(self) -> None:
        self.pop_screen()
        self.push_screen(LoginScreen())

    def first_screen_ready(self) -> None:
        """Called by the login screen when it can take input: the end of start-up, as the bench measures it.

        The status line needs no refresh here: every StationScreen asks for one when it mounts."""
        if self.exit_when_ready:
            self.exit()

    def logged_in(self, operator: Operator) -> None:
        self.operator = operator
        self.switch_screen(HomeScreen())
        self.notify(f"{operator.name}（{operator.role_zh}），您好", timeout=3)
        from station_tui.screens.export import start_export_schedule  # here, not at the top: start-up stays quick

        start_export_schedule(self)  # the scheduled export while the app runs; at once when one was missed

    # --- navigation -----------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "goto":
            return self.operator is not None
        return True

    async def action_goto(self, area: str) -> None:
        if self.operator is None or self.screen.id == f"area-{area}":
            return  # already there: keep the screen and what is typed on it
        while len(self.screen_stack) > 2 and not isinstance(self.screen, HomeScreen):
            # Awaited: a screen with an area id must be gone before the area's new screen takes that id.
            await self.pop_screen()
        if area != "home":
            self.push_area(area)

    def push_area(self, area: str, *args: object) -> None:
        """An area's screen over the current one (Esc comes back): how one screen opens another area's without
        importing it (intake ↔ reservations)."""
        self.push_screen(area_screens()[area](*args))

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        if self.operator is not None:
            for _key, area, title in AREAS:
                yield SystemCommand(title, f"打开「{title}」", lambda area=area: self.action_goto(area))
        yield SystemCommand("退出", "退出程序", self.action_quit)

    def action_help_quit(self) -> None:
        """Ctrl+C (a reflex to quit): Textual's own hint is English."""
        self.notify("退出程序请按 Ctrl+Q", title="要退出吗？", timeout=4)

    async def action_quit(self) -> None:
        """Quit, but ask first when a screen holds unsaved work (kept as a draft all the same)."""
        unsaved = [s for s in self.screen_stack if getattr(s, "unsaved_work", lambda: None)()]
        if not unsaved or self.quit_asked:  # Ctrl+Q again on the question: the clerk means it
            self.exit()
            return
        for screen in unsaved:
            screen.keep_draft_now()
        what = "；".join(screen.unsaved_work() for screen in unsaved)
        text = f"{what}。\n\n仍要退出吗？"

        def answered(leave: bool | None) -> None:
            self.quit_asked = False
            if leave:
                self.exit()

        self.quit_asked = True
        self.push_screen(ConfirmDialog(text, yes="退出", no="回去继续填写"), answered)

    def action_command_palette(self) -> None:
        if not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(placeholder="搜索命令…", id="--command-palette"))

    # --- status line ----------------------------------------------------------------------------------------

    def refresh_status(self) -> None:
        if self.station is not None:
            self.call_service(status_facts, self.station, done=self._show_status, group="status")

    def _show_status(self, facts: dict) -> None:
        if not self.is_running or not self.screen_stack:
            return  # the worker finished while the app was closing: there is no screen left to show it on
        for line in self.screen.query(StatusLine):
            line.show(operator=self.operator.name if self.operator else "", **facts)


def area_screens() -> dict[str, Callable[[], Screen]]:
    """Every area's screen class, imported here rather than at the top so that the login screen shows before them
    (start-up is measured); a screen that fails to import fails the first area key, and the tests press every one."""
    from station_tui.screens.conflicts import ConflictsScreen
    from station_tui.screens.countdown import CountdownScreen
    from station_tui.screens.export import ExportScreen
    from station_tui.screens.field import FieldScreen
    from station_tui.screens.followups import FollowupsScreen
    from station_tui.screens.holidays import HolidayScreen
    from station_tui.screens.indicators import IndicatorsScreen
    from station_tui.screens.intake import IntakeScreen
    from station_tui.screens.notices import NoticesScreen
    from station_tui.screens.reservations import ReservationsScreen
    from station_tui.screens.search import SearchScreen
    from station_tui.screens.settings import SettingsScreen
    from station_tui.screens.terminations import TerminationsScreen
    from station_tui.screens.works import WorksScreen

    return {
        "intake": IntakeScreen,
        "countdown": CountdownScreen,
        "notices": NoticesScreen,
        "holidays": HolidayScreen,
        "export": ExportScreen,
        "settings": SettingsScreen,
        "search": SearchScreen,
        "reservations": ReservationsScreen,
        "conflicts": ConflictsScreen,
        "field": FieldScreen,
        "indicators": IndicatorsScreen,
        # Opened from 工作台 (c, t, w) and from an application (w), not by a function key of their own.
        "followups": FollowupsScreen,
        "terminations": TerminationsScreen,
        "works": WorksScreen,
    }


def status_facts(station: Station) -> dict:
    from station_tui.services.calendar import day_label

    today = local_date(station.store.clock())
    return {
        "station": f"{station.station_name}（{station.station_code}）",
        "today": f"{today:%Y-%m-%d} 星期{'一二三四五六日'[today.weekday()]}",
        "day_kind": day_label(station, today),
        "warnings": status_warnings(station),
        "demo": station.is_demo,
    }
