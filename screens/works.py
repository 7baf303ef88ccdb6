"""配套工程: the supporting grid works of one application (w on the application screen), or of all (w on 工作台),
each with its working days left to the nearer of its due date (the profile's limit) and the agreed completion date,
coloured as the countdown colours applications.

On one application's screen, a form records new works: the kind from the profile's 配套工程建设时限表 (its limit
shown beside it), the project manager (双经理负责制), the agreed completion date and the customer's planned
completion. The service refuses an agreed date later than the customer's completion (契约制); its reason shows
under the form and what was typed stays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import partial

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import DataTable, Input, Label, Select, Static

from station_tui.domain.deadlines import works_deadline
from station_tui.domain.glossary import APPLICATION_STATUSES, zh
from station_tui.domain.timeutil import local_date
from station_tui.screens.base import StationScreen, WriteFinished
from station_tui.screens.countdown import LEVEL_STYLES, _fit
from station_tui.services import countdown
from station_tui.services.applications import application_row
from station_tui.services.station import Station
from station_tui.services.works import WorksRow, kind_name, kinds_for, list_works, record_works, works_kinds

# (title, width); 申请编号 only on the list of all works. One application's list fits 80 columns; a cut value ends
# with "…" and the line under the table shows the highlighted works whole.
COLUMNS = (
    ("剩余", 6), ("到期", 10), ("申请编号", 20), ("配套工程", 14), ("时限", 4), ("项目经理", 8),
    ("约定完成", 10), ("客户工程完成", 12),
)  # fmt: skip


FINISHED = "finished"  # the application is connected, terminated or archived: no countdown


@dataclass(frozen=True)
class WorksLine:
    works: WorksRow
    days_left: int
    level: str


@dataclass(frozen=True)
class WorksList:
    title: str  # the application, or 全部
    lines: list[WorksLine]
    kinds: list[tuple[str, int]]  # (kind name, limit) of the profile's table
    unit_note: str


def read_works(station: Station, application: str | None) -> WorksList:
    today = local_date(station.store.clock())
    warn = station.profile.warning.warn_days
    lines = []
    for works in list_works(station, application, open_only=application is None):
        if works.status not in ("open", "paused"):
            # Connected or terminated: the works are over with it (the program records no completion of its own).
            lines.append(WorksLine(works, 0, FINISHED))
            continue
        # Both dates bind (限时制 and 契约制): the works count down to the nearer one.
        due = works_deadline(date.fromisoformat(works.due_date), date.fromisoformat(works.contract_date))
        left = station.calendar.workdays_between(today, due)
        lines.append(WorksLine(works, left, countdown.level(left, due, today, warn)))
    if application is None:
        title = "在办申请的配套工程（先到期的在前；已送电、已终止的申请见各自的申请页）"
        table = works_kinds(station)
    else:
        app = application_row(station, application)
        title = f"{app['number']} {app['customer_name']} 的配套工程"
        table = kinds_for(station, app)  # the form offers the kinds that fit this application
    kinds = [(kind_name(k), k.limit) for k in table]
    # Seed 004's table names no unit: the station counts working days, as the rest of the seed does.
    note = f"时限按本站策略（{station.profile.name}）的配套工程建设时限表，以工作日计，从登记次日起算"
    return WorksList(title, lines, kinds, note)


def _left(line: WorksLine) -> str:
    if line.level == FINISHED:
        return zh(APPLICATION_STATUSES, line.works.status)
    return f"超{-line.days_left}" if line.level == countdown.OVERDUE else str(line.days_left)


def _cells(line: WorksLine, with_number: bool) -> list[Text]:
    w = line.works
    style = "dim" if line.level == FINISHED else LEVEL_STYLES[line.level]
    due = w.due_date + ("（估）" if w.due_estimated else "")
    number = (w.number,) if with_number else ()
    values = (_left(line), due, *number, w.kind, f"≤{w.limit}", w.project_manager, w.contract_date,
              w.customer_completion)  # fmt: skip
    widths = [width for title, width in COLUMNS if with_number or title != "申请编号"]
    return [Text(_fit(value, width), style=style) for value, width in zip(values, widths, strict=True)]


class WorksScreen(StationScreen):
    DEFAULT_CSS = """
    WorksScreen #works-body { padding: 0 1; }
    WorksScreen #works-title { text-style: bold; height: auto; }
    WorksScreen #works-note { color: $text-muted; height: auto; }
    WorksScreen #works-form { height: auto; margin-top: 1; }
    WorksScreen .row { height: 1; }
    WorksScreen .row Label { width: 14; }
    WorksScreen .row Input { width: 14; margin-right: 2; }
    WorksScreen #works-kind { width: 1fr; }
    WorksScreen #works-manager { width: 1fr; }
    WorksScreen #works-message { height: auto; color: $success; }
    WorksScreen #works-message.-error { color: $error; }
    WorksScreen #works-table { height: 1fr; margin-top: 1; }
    WorksScreen #works-detail { height: auto; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "返回", id="works-back"),
        Binding("ctrl+s", "save", "登记配套工程", id="works-save", priority=True),
    ]

    def __init__(self, application: str | None = None) -> None:
        super().__init__()
        self.application = application
        self.data: WorksList | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="works-body"):
            yield Static("配套工程", id="works-title")
            yield Static("", id="works-note")
            if self.application is not None:
                with Vertical(id="works-form"):
                    with Horizontal(classes="row"):
                        yield Label("配套工程类型")
                        yield Select([], id="works-kind", prompt="请选择（时限随类型）", compact=True)
                    with Horizontal(classes="row"):
                        yield Label("项目经理")
                        yield Input(id="works-manager", placeholder="姓名", compact=True)
                    with Horizontal(classes="row"):
                        yield Label("约定完成时间")
                        yield Input(id="works-contract", placeholder="YYYY-MM-DD", max_length=10, compact=True)
                        yield Label("客户工程完成")
                        yield Input(id="works-completion", placeholder="YYYY-MM-DD", max_length=10, compact=True)
            yield Static("", id="works-message")
            yield DataTable(id="works-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="works-detail")

    def on_mount(self) -> None:
        table = self.query_one("#works-table", DataTable)
        for title, width in COLUMNS:
            if title != "申请编号" or self.application is None:
                table.add_column(title, width=width)
        if self.application is None:
            table.focus()
        self.action_refresh()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "save" and self.application is None:
            return False  # the list of all works: works are recorded on one application's screen
        return super().check_action(action, parameters)

    def action_refresh(self) -> None:
        self.call_service(read_works, self.station, self.application, done=self._show, group="works")

    def _show(self, data: WorksList) -> None:
        first = self.data is None
        self.data = data
        self.query_one("#works-title", Static).update(data.title)
        self.query_one("#works-note", Static).update(data.unit_note if data.kinds else "本站策略没有配套工程建设时限表")
        table = self.query_one("#works-table", DataTable)
        table.clear()
        for line in data.lines:
            table.add_row(*_cells(line, self.application is None))
        if self.application is not None and first:
            kind = self.query_one("#works-kind", Select)
            kind.set_options([(f"{name}（≤{limit} 个工作日）", name) for name, limit in data.kinds])
            kind.focus()
        if not data.lines:
            self._say("还没有登记配套工程。" + ("填好上面各栏，Ctrl+S 登记。" if self.application else ""))

    @on(DataTable.RowHighlighted, "#works-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        lines = self.data.lines if self.data is not None else []
        if not 0 <= event.cursor_row < len(lines):
            return
        w = lines[event.cursor_row].works
        estimated = "（估算日历）" if w.due_estimated else ""
        self.query_one("#works-detail", Static).update(
            f"{w.number} {w.kind}：时限 {w.limit} 个工作日，到期 {w.due_date}{estimated}；项目经理 {w.project_manager}；"
            f"约定 {w.contract_date} 完成，客户工程 {w.customer_completion} 完成"
        )

    def _say(self, text: str, error: bool = False) -> None:
        message = self.query_one("#works-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    def action_save(self) -> None:
        if self.application is None:
            return
        kind = self.query_one("#works-kind", Select).value
        if kind is Select.NULL:
            if self.data is not None and not self.data.kinds:
                kind = ""  # a profile without the table: the service says so
            else:
                self._say("请选择配套工程类型", error=True)
                self.query_one("#works-kind", Select).focus()
                return
        write = partial(
            record_works, self.station, self.application, kind=str(kind),
            project_manager=self.query_one("#works-manager", Input).value,
            contract_date=self.query_one("#works-contract", Input).value,
            customer_completion=self.query_one("#works-completion", Input).value,
            operator=self.app.operator.uuid,  # type: ignore[attr-defined]
        )  # fmt: skip
        if self.run_write("save", write):
            self._say("正在登记…")

    @on(WriteFinished)
    def _saved(self, message: WriteFinished) -> None:
        if message.error is not None:
            self._say(message.error, error=True)  # the typing stays, to be corrected
            return
        row: WorksRow = message.result
        estimated = "（估算日历）" if row.due_estimated else ""
        said = f"已登记 {row.kind}：时限 {row.limit} 个工作日，到期 {row.due_date}{estimated}，约定完成 {row.contract_date}"
        if row.category_change:
            # The customer's notice still says the old limit: the clerk corrects it (F4 更正).
            said += f"\n本申请{row.category_change}；如已出具受理告知书，请在 F4 更正"
        self._say(said)
        for field in ("#works-manager", "#works-contract", "#works-completion"):
            self.query_one(field, Input).value = ""
        self.query_one("#works-kind", Select).clear()
        self.action_refresh()

    def action_back(self) -> None:
        self.app.pop_screen()
