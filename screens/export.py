"""导出: past exports, "export now" with a progress bar, and the schedule and outbox (站长 PIN to change).

Also the export schedule while the app runs (`start_export_schedule`, called once the clerk is logged in): a check
every minute on a timer, the export itself in a thread worker, so the screen never waits. At start, a missed
scheduled export (the PC was off) runs at once and the clerk is told.
"""

from __future__ import annotations

from pathlib import Path

from textual import on
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Grid, Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, DataTable, Input, Label, ProgressBar, Select, Static

from station_tui.screens.base import StationScreen, TickBox
from station_tui.services.export import (
    ExportError,
    ExportResult,
    incomplete_folders,
    past_exports,
    pending_events,
    refuse_on_laptop,
    run_export,
)
from station_tui.services.operators import authorize_head, heads
from station_tui.services.schedule import (
    DueState,
    Schedule,
    change_schedule,
    current_schedule,
    daily_rule,
    export_due,
    next_run,
    rule_times,
)

CHECK_SECONDS = 60
RETRY_SECONDS = 15 * 60  # after a failed scheduled export (no stick in the port): not every minute
NO_OUTBOX = "还没有设置导出文件夹：请站长在本页下方「导出文件夹」中选定并保存（需站长 PIN），之后随时可以导出。"
STATUS = {"complete": "完整", "missing": "文件夹已不在（U 盘已取走？）"}


def _span(first: int | None, last: int | None, rows: int) -> str:
    if first is None or last is None or last < first:
        return "无新事件"
    return f"{first}–{last}（{rows} 行）"


# --- the schedule while the app runs -----------------------------------------------------------------------------


class ExportSchedule:
    """Owned by the app: checks on a timer whether a scheduled export is due and runs it in a worker."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.running = False
        self.failed_at: float | None = None
        self.stopped = False
        self.timer = app.set_interval(CHECK_SECONDS, self.check)

    def check(self, catch_up: bool = False) -> None:
        station = getattr(self.app, "station", None)
        if station is None or self.running or self.stopped:
            return
        self.app.call_service(  # type: ignore[attr-defined]
            export_due, station, done=lambda state: self._decide(state, catch_up), group="export-check"
        )

    def _decide(self, state: DueState, catch_up: bool) -> None:
        if state.laptop:  # a field laptop: the station exports its events after checkin; no schedule here
            self.stopped = True
            self.timer.stop()
            return
        if not state.due or self.running:
            return
        if state.schedule.outbox is None:
            if catch_up:
                self.app.notify("到了导出时间，但还没有设置导出文件夹：请在「导出」(F6) 中设置。", severity="warning")
            return
        if self.failed_at is not None and self._clock() - self.failed_at < RETRY_SECONDS:
            return
        if catch_up:
            self.app.notify(
                f"上次预定的导出时间 {state.scheduled:%m-%d %H:%M} 已过而未导出（电脑关机了？），现在补做导出。",
                title="补做导出",
                timeout=8,
            )
        self.run()

    def _clock(self) -> float:
        import time

        return time.monotonic()

    def run(self) -> None:
        station = self.app.station  # type: ignore[attr-defined]
        operator = getattr(self.app, "operator", None)
        self.running = True

        def scheduled_export() -> ExportResult:
            return run_export(station, operator=operator.uuid if operator else None)

        self.app.call_service(  # type: ignore[attr-defined]
            scheduled_export, done=self._done, failed=self._failed, group="export-scheduled"
        )

    def _done(self, result: ExportResult) -> None:
        self.running = False
        self.failed_at = None
        self.app.notify(f"已按计划导出：{result.folder}（事件 {result.event_rows} 行）", title="导出完成", timeout=6)
        self.app.refresh_status()  # type: ignore[attr-defined]
        for screen in self.app.screen_stack:
            if isinstance(screen, ExportScreen):
                screen.reload()

    def _failed(self, message: str) -> None:
        self.running = False
        self.failed_at = self._clock()
        self.app.notify(message, title="按计划导出未完成", severity="error", timeout=15)


def start_export_schedule(app: App) -> ExportSchedule:
    """Once per app, kept in its `export_schedule` (a second login keeps the first); checks at once, as a catch-up."""
    schedule = app.export_schedule  # type: ignore[attr-defined]
    if schedule is None:
        schedule = app.export_schedule = ExportSchedule(app)  # type: ignore[attr-defined]
    schedule.check(catch_up=True)
    return schedule


# --- the screen -------------------------------------------------------------------------------------------------


class ExportScreen(StationScreen):
    CSS_PATH = "export.tcss"
    # Priority: Ctrl+E works wherever the cursor is (an input field would take it as "go to end").
    BINDINGS = [
        Binding("ctrl+e", "export_now", "立即导出", id="export-now-key", priority=True),
        Binding("ctrl+s", "save_settings", "保存设置", id="export-save-key", priority=True),
        Binding("ctrl+r", "reload", "刷新", id="export-reload-key"),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="export"):
            yield Static("", id="export-summary")
            with Horizontal(id="export-actions"):
                yield Button("立即导出", id="export-now", variant="primary")
                yield ProgressBar(id="export-progress", total=100, show_eta=False)
            yield Static("", id="export-message")
            yield Static("导出记录", classes="section")
            yield DataTable(id="export-table", cursor_type="row", zebra_stripes=True)
            yield Static("导出计划与文件夹（需站长 PIN）", classes="section")
            with Grid(id="export-settings"):
                yield Label("导出时间")
                yield Input(id="export-times", placeholder="22:00（几个时间用逗号隔开）")
                yield Label("仅工作日")
                yield TickBox("节假日和周末不导出", id="export-workdays")
                yield Label("导出文件夹")
                yield Input(id="export-outbox", placeholder="U 盘或共享文件夹的完整路径")
                yield Label("授权站长")
                yield Select([], id="export-head", prompt="请选择站长")
                yield Label("站长 PIN")
                yield Input(id="export-pin", password=True)
            with Horizontal(id="export-settings-actions"):
                yield Button("保存设置", id="export-save")
            yield Static("", id="settings-message")

    def on_mount(self) -> None:
        table = self.query_one("#export-table", DataTable)
        table.add_columns("完成时间", "事件序号（行数）", "类型", "文件夹", "状态")
        self.query_one("#export-progress", ProgressBar).display = False
        self.reload()
        self.call_service(self._settings_values, done=self._fill_settings, group="export-settings")

    def on_screen_resume(self) -> None:
        self.reload()

    # --- what is shown ----------------------------------------------------------------------------------------

    def _settings_values(self) -> tuple[Schedule, list]:
        return current_schedule(self.station), heads(self.station)

    def _fill_settings(self, values: tuple[Schedule, list]) -> None:
        schedule, head_list = values
        self.query_one("#export-times", Input).value = rule_times(schedule.rule)
        self.query_one("#export-workdays", Checkbox).value = schedule.workdays_only
        self.query_one("#export-outbox", Input).value = str(schedule.outbox or "")
        select = self.query_one("#export-head", Select)
        select.set_options([(op.name, op.uuid) for op in head_list])
        operator = getattr(self.app, "operator", None)
        if operator is not None and operator.is_head:
            select.value = operator.uuid

    def _facts(self) -> dict:
        station = self.station
        now = station.store.clock()
        schedule = current_schedule(station)
        return {
            "schedule": schedule,
            "next": next_run(station, now, schedule),
            "pending": pending_events(station),
            "past": past_exports(station),
            "incomplete": incomplete_folders(station, schedule.outbox),
        }

    def action_reload(self) -> None:
        self.reload()

    def reload(self) -> None:
        self.call_service(self._facts, done=self._show, group="export-facts")

    def _show(self, facts: dict) -> None:
        schedule: Schedule = facts["schedule"]
        when = f"{facts['next']:%m-%d %H:%M}" if facts["next"] else "无"
        outbox = str(schedule.outbox) if schedule.outbox else "未设置"
        self.query_one("#export-summary", Static).update(
            f"计划：{schedule.describe()}　下次：{when}　待导出事件：{facts['pending']} 条\n导出文件夹：{outbox}"
        )
        table = self.query_one("#export-table", DataTable)
        table.clear()
        for folder in facts["incomplete"]:
            table.add_row(folder.name, "—", "—", str(folder), "未完成（无清单，不会被读取）")
        for past in facts["past"]:
            table.add_row(
                f"{past.finished_at:%Y-%m-%d %H:%M}",
                _span(past.first_seq, past.last_seq, past.rows),
                "全量" if past.full else "增量",
                past.folder,
                STATUS.get(past.status, past.status),
            )

    def _message(self, selector: str, text: str, error: bool = False) -> None:
        widget = self.query_one(selector, Static)
        widget.update(text)
        widget.set_class(error, "-error")

    # --- export now -------------------------------------------------------------------------------------------

    @on(Button.Pressed, "#export-now")
    def action_export_now(self) -> None:
        bar = self.query_one("#export-progress", ProgressBar)
        bar.display = True
        bar.update(total=100, progress=0)
        self.query_one("#export-now", Button).disabled = True
        self._message("#export-message", "正在导出……（可以继续使用其他功能）")
        station = self.station
        operator = getattr(self.app, "operator", None)

        def progress(done: int, total: int) -> None:
            self.app.call_from_thread(bar.update, total=total, progress=done)

        def export_now() -> ExportResult:
            refuse_on_laptop(station)  # before the folder: on a laptop there is nothing to set up
            if current_schedule(station).outbox is None:  # said for the screen (the service's words are the CLI's)
                raise ExportError(NO_OUTBOX)
            return run_export(station, operator=operator.uuid if operator else None, progress=progress)

        self.call_service(export_now, done=self._exported, failed=self._export_failed, group="export-run")

    def _exported(self, result: ExportResult) -> None:
        self.query_one("#export-now", Button).disabled = False
        self.query_one("#export-progress", ProgressBar).display = False
        span = _span(result.first_seq, result.last_seq, result.event_rows)
        self._message("#export-message", f"已导出到 {result.folder}：事件序号 {span}，{len(result.files) + 1} 个文件。")
        self.reload()
        self.app.refresh_status()  # type: ignore[attr-defined]

    def _export_failed(self, message: str) -> None:
        self.query_one("#export-now", Button).disabled = False
        self.query_one("#export-progress", ProgressBar).display = False
        self._message("#export-message", message, error=True)
        self.reload()

    # --- settings ---------------------------------------------------------------------------------------------

    @on(Button.Pressed, "#export-save")
    @on(Input.Submitted, "#export-pin")  # Enter after the 站长's PIN, as at the login
    def action_save_settings(self) -> None:
        head = self.query_one("#export-head", Select).value
        if head is Select.NULL:
            self._message("#settings-message", "请选择授权的站长并输入其 PIN", error=True)
            return
        times = self.query_one("#export-times", Input).value
        workdays = self.query_one("#export-workdays", Checkbox).value
        outbox = self.query_one("#export-outbox", Input).value
        pin = self.query_one("#export-pin", Input).value
        station = self.station

        def save() -> Schedule:
            rule = daily_rule(times)  # checked before the PIN: a typo costs no PIN attempt
            folder = Path(outbox.strip()).expanduser()
            if outbox.strip() and folder.is_absolute() and not folder.is_dir():
                raise ExportError(f"导出文件夹 {folder} 不存在：请先插好 U 盘或建好文件夹，再保存。")
            authorized = authorize_head(station, str(head), pin)
            return change_schedule(station, operator=authorized.uuid, rule=rule, workdays_only=workdays, outbox=outbox)

        self.call_service(save, done=self._saved, failed=self._save_failed, group="export-settings")

    def _saved(self, schedule: Schedule) -> None:
        self.query_one("#export-pin", Input).value = ""
        self._message("#settings-message", f"已保存：{schedule.describe()}，导出到 {schedule.outbox}")
        self.reload()

    def _save_failed(self, message: str) -> None:
        self.query_one("#export-pin", Input).value = ""
        self._message("#settings-message", message, error=True)


