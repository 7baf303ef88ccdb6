"""容缺待收: applications with documents still to collect, for the clerk and the customer manager who collects them.

Overdue first; m shows only the operator's own; Enter opens the application (where c 补收资料 records a collection)."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from station_tui.screens.base import StationScreen
from station_tui.services.deferred import DeferredRow, deferred_rows

WEEKDAYS = "一二三四五六日"
COLUMNS = (("剩余", 6), ("收取期限", 12), ("编号", 20), ("客户", 8), ("电话", 12), ("收取人", 6), ("待收资料", 40))


def _cells(row: DeferredRow) -> list[Text]:
    style = "bold #ff5f5f" if row.overdue else ("#ffd75f" if row.days_left <= 1 else "")
    left = f"超{-row.days_left}" if row.overdue else str(row.days_left)
    by = f"{row.collect_by:%m-%d} 周{WEEKDAYS[row.collect_by.weekday()]}"
    values = (left, by, row.number, row.customer, row.phone, row.collector, "、".join(row.documents))
    return [Text(value, style=style) for value in values]


class DeferredScreen(StationScreen):
    DEFAULT_CSS = """
    DeferredScreen #deferred-body { padding: 0 1; }
    DeferredScreen #deferred-title { text-style: bold; height: auto; }
    DeferredScreen #deferred-table { height: 1fr; }
    DeferredScreen #deferred-detail { height: auto; color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape", "back", "返回", id="deferred-back"),
        Binding("enter", "open", "打开申请", id="deferred-open"),
        Binding("m", "mine", "只看我的/全部", id="deferred-mine"),
        Binding("r", "refresh", "刷新", id="deferred-refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[DeferredRow] = []
        self.shown: list[DeferredRow] = []
        self.only_mine = False

    def compose(self) -> ComposeResult:
        with Vertical(id="deferred-body"):
            yield Static("容缺资料待收", id="deferred-title")
            yield DataTable(id="deferred-table", cursor_type="row")
            yield Static("", id="deferred-detail")

    def on_mount(self) -> None:
        table = self.query_one("#deferred-table", DataTable)
        for title, width in COLUMNS:
            table.add_column(title, width=width)
        table.focus()
        self.action_refresh()

    def on_screen_resume(self) -> None:
        self.action_refresh()  # back from an application where a document was collected

    def action_refresh(self) -> None:
        self.call_service(deferred_rows, self.station, done=self._loaded, group="deferred")

    def _loaded(self, rows: list[DeferredRow]) -> None:
        self.rows = rows
        self._show()

    def _show(self) -> None:
        me = self.app.operator.uuid  # type: ignore[attr-defined]
        self.shown = [r for r in self.rows if not self.only_mine or r.collector_id == me]
        overdue = sum(r.overdue for r in self.shown)
        documents = sum(len(r.documents) for r in self.shown)
        whose = "我收取的" if self.only_mine else "全部"
        self.query_one("#deferred-title", Static).update(
            f"容缺资料待收（{whose}）：{len(self.shown)} 件申请，{documents} 份资料，其中超期 {overdue} 件"
            "　期限＝现场勘查所在环节的到期日（未开始的按前面各环节用满时限推算；该环节未单设时限的，按全流程到期日）"
        )
        table = self.query_one("#deferred-table", DataTable)
        table.clear()
        for row in self.shown:
            table.add_row(*_cells(row), key=row.application)
        if not self.shown:
            self.query_one("#deferred-detail", Static).update("没有待收的容缺资料。")

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        row = self._current()
        if row is not None:
            self.query_one("#deferred-detail", Static).update(
                f"{row.number} {row.customer} {row.phone}：{row.collector} 在{row.stage}时收取 "
                f"{'、'.join(row.documents)}，最迟 {row.collect_by:%Y-%m-%d}"
                + ("" if row.stage_limit else "（该环节未单设时限，按全流程到期日）")
            )

    def _current(self) -> DeferredRow | None:
        table = self.query_one("#deferred-table", DataTable)
        if not self.shown or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row]

    @on(DataTable.RowSelected)
    def action_open(self) -> None:
        row = self._current()
        if row is None:
            return
        from station_tui.screens.application import ApplicationScreen

        self.app.push_screen(ApplicationScreen(row.application))

    def action_mine(self) -> None:
        self.only_mine = not self.only_mine
        self._show()

    def action_back(self) -> None:
        self.app.pop_screen()
