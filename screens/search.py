"""查询: search applications as the clerk types (number, name, phone, identity number or its end, address)."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Input, Static

from station_tui.screens.base import StationScreen
from station_tui.services.search import SearchResult, search


class SearchScreen(StationScreen):
    CSS_PATH = "search.tcss"
    BINDINGS = [
        Binding("escape", "back", "返回", id="search-back"),
        Binding("down", "to_results", "结果", show=False),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(id="search"):
            yield Input(id="query", placeholder="申请编号、客户名称、电话、证件号码（或后4–6位）、地址片段")
            yield Static("输入后自动查找；↓ 进入结果，回车打开申请", id="search-status")
            yield DataTable(id="results", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        self.query_one("#results", DataTable).add_columns(
            "申请编号", "客户", "电话", "证件号码", "业务类型", "状态", "受理时间", "地址"
        )
        self.query_one("#query", Input).focus()

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        self.call_service(search, self.station, event.value, done=self._show, group="search")

    def _show(self, result: SearchResult) -> None:
        if result.query != self.query_one("#query", Input).value:
            return  # an older keystroke's answer
        table = self.query_one("#results", DataTable)
        table.clear()
        for hit in result.hits:
            table.add_row(
                hit.number,
                hit.customer_name,
                hit.phone,
                hit.id_masked,
                hit.business_zh,
                hit.status_zh,
                hit.accepted_at[:16].replace("T", " "),
                hit.address,
                key=hit.uuid,
            )
        status = self.query_one("#search-status", Static)
        if not result.query.strip():
            status.update("输入后自动查找；↓ 进入结果，回车打开申请")
        elif not result.kinds:
            status.update("请多输入几个字")
        else:
            more = "（只显示前 50 件，请输入更多以缩小范围）" if len(result.hits) >= 50 else ""
            status.update(f"按{result.kinds_zh}查找：{len(result.hits)} 件{more}")

    def action_to_results(self) -> None:
        self.query_one("#results", DataTable).focus()

    @on(DataTable.RowSelected, "#results")
    def _open(self, event: DataTable.RowSelected) -> None:
        from station_tui.screens.application import ApplicationScreen

        self.app.push_screen(ApplicationScreen(str(event.row_key.value)))

    def action_back(self) -> None:
        self.app.pop_screen()

