"""县公司: the county office's screen. The stations with their freshness (silent ones red), the month's indicators
across stations with the months drawn as bars, and a station's overdue and long-running applications (Enter).

A separate App from the station's (`station-tui county --into TARGET`): the county has no operators, no PIN and
no station database; it reads the county database through station_tui.county in thread workers."""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Sparkline, Static

from station_tui.county.indicators import COUNTY
from station_tui.county.overview import OpenApplication, Overview, overview, station_applications
from station_tui.screens.base import ServiceCalls
from station_tui.screens.charts import bars
from station_tui.screens.indicators import indicator_cell

SILENT_STYLE = "bold #ff5f5f"  # fixed colours: the marks must read the same on every theme
INDICATOR_COLUMNS = (
    ("station", "供电所"),
    ("category_name", "时限类别"),
    ("accepted", "受理"),
    ("connected", "送电"),
    ("terminated", "终止"),
    ("termination_rate", "终止率"),
    ("avg_workdays", "平均用时"),
    ("p90_workdays", "90分位"),
    ("on_time_share", "按期"),
    ("complete_share", "两证办结"),
    ("deferred_share", "容缺"),
)


class CountyScreen(ServiceCalls, Screen):
    BINDINGS = [
        Binding("enter", "open_station", "打开供电所"),
        Binding("left_square_bracket", "month(-1)", "上个月"),
        Binding("right_square_bracket", "month(1)", "下个月"),
        Binding("f5", "refresh", "刷新"),
        Binding("ctrl+q", "app.quit", "退出"),
    ]
    DEFAULT_CSS = """
    CountyScreen #county-body { padding: 0 1; }
    CountyScreen .county-title { text-style: bold; height: 1; margin-top: 1; }
    CountyScreen #county-stations { height: auto; max-height: 12; }
    CountyScreen #county-indicators { height: 1fr; }
    CountyScreen #county-chart { height: auto; max-height: 14; }
    CountyScreen #county-spark { height: 2; }
    CountyScreen #county-notes { color: $text-muted; height: auto; }
    """

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target
        self.data: Overview | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="county-body"):
            yield Static("各供电所（红色：超过一天没有导出）", classes="county-title")
            yield DataTable(id="county-stations", cursor_type="row")
            yield Static("", id="county-notes")
            yield Static("获得电力指标", id="county-month", classes="county-title")
            yield DataTable(id="county-indicators", cursor_type="row")
            yield Static("全县每月受理件数", classes="county-title")
            yield Sparkline([], id="county-spark")
            yield Static("", id="county-chart")
        yield Footer()

    def on_mount(self) -> None:
        self.app.title = "县公司 · 各供电所报装"
        stations = self.query_one("#county-stations", DataTable)
        stations.add_columns("代码", "供电所", "最近导出", "最近事件", "状态")
        table = self.query_one("#county-indicators", DataTable)
        table.add_columns(*(title for _, title in INDICATOR_COLUMNS))
        self.action_refresh()

    def action_refresh(self, month: str | None = None) -> None:
        self.call_service(overview, self.target, month or (self.data.month if self.data else None), done=self._show)

    def action_month(self, step: int) -> None:
        if not self.data or not self.data.months:
            return
        index = self.data.months.index(self.data.month) + step
        if 0 <= index < len(self.data.months):
            self.action_refresh(self.data.months[index])

    def _show(self, data: Overview) -> None:
        self.data = data
        stations = self.query_one("#county-stations", DataTable)
        stations.clear()
        for s in data.status.stations:
            style = SILENT_STYLE if s.silent else ""
            when = [f"{t:%Y-%m-%d %H:%M}" if t else "—" for t in (s.last_export, s.last_event)]
            state = "失联" if s.silent else "正常"
            cells = [s.code, s.name, *when, state]
            stations.add_row(*(Text(c, style=style) for c in cells), key=s.code)
        notes = [f"拒收：{r.station} {r.folder}：{r.reason}" for r in data.status.refusals]
        notes += [f"缺口：{g}" for g in data.status.gaps]
        self.query_one("#county-notes", Static).update("\n".join(notes) or "没有拒收的文件夹，没有缺口。")
        self.query_one("#county-month", Static).update(f"获得电力指标 {data.month or '（还没有数据）'}（[ ] 换月）")
        table = self.query_one("#county-indicators", DataTable)
        table.clear()
        for row in data.rows:
            style = "bold" if row["station"] == COUNTY else ""
            table.add_row(*(Text(indicator_cell(name, row[name]), style=style) for name, _ in INDICATOR_COLUMNS))
        self.query_one("#county-spark", Sparkline).data = [float(n) for n in data.accepted]
        self.query_one("#county-chart", Static).update(bars(data.months, data.accepted))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # Enter on a table is the table's own key: a station's row opens it, an indicator row does nothing.
        if event.data_table.id == "county-stations":
            self.action_open_station()

    def action_open_station(self) -> None:
        stations = self.query_one("#county-stations", DataTable)
        if not stations.row_count:
            return
        code = stations.coordinate_to_cell_key(stations.cursor_coordinate).row_key.value
        self.app.push_screen(StationApplicationsScreen(self.target, str(code)))


class StationApplicationsScreen(ServiceCalls, Screen):
    BINDINGS = [Binding("escape", "app.pop_screen", "返回"), Binding("ctrl+q", "app.quit", "退出")]
    DEFAULT_CSS = """
    StationApplicationsScreen #station-title { text-style: bold; padding: 0 1; height: 1; }
    StationApplicationsScreen DataTable { height: 1fr; }
    """

    def __init__(self, target: str, station: str) -> None:
        super().__init__()
        self.target = target
        self.station = station

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(f"{self.station}：超期和办理已久的申请（按最近一次导出）", id="station-title")
        yield DataTable(id="station-applications", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("申请编号", "业务类型", "客户", "受理日期", "到期日", "状态", "")
        self.call_service(station_applications, self.target, self.station, date.today(), done=self._show)

    def _show(self, rows: list[OpenApplication]) -> None:
        table = self.query_one(DataTable)
        for r in rows:
            mark = Text("超期", style=SILENT_STYLE) if r.overdue else Text("办理已久")
            table.add_row(r.number, r.business_type, r.customer, r.accepted, r.due, r.status, mark, key=r.number)
        title = (
            f"{self.station}：超期 {sum(r.overdue for r in rows)} 件，办理已久 {sum(not r.overdue for r in rows)} 件"
        )
        self.query_one("#station-title", Static).update(title)


class CountyApp(App):
    """`station-tui county --into TARGET`."""

    TITLE = "县公司"

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target

    def on_mount(self) -> None:
        self.push_screen(CountyScreen(self.target))
