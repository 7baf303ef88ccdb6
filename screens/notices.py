"""告知书: the notices issued; find an application by number and issue, preview, print, reprint or correct.

Every output goes through NoticePreviewScreen, so that what is printed is always what the clerk saw first.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, OptionList, Static
from textual.widgets.option_list import Option

from station_tui.domain.application_view import ApplicationView
from station_tui.screens.base import StationScreen
from station_tui.screens.dialogs import ConfirmDialog
from station_tui.screens.notice_preview import NoticePreviewScreen
from station_tui.services import notices
from station_tui.services.applications import application_view, find_by_number

COLUMNS = (("编号", 20), ("种类", 14), ("申请编号", 22), ("客户", 14), ("出具时间", 17), ("补打", 5), ("状态", 12))


def _find(station, number: str) -> ApplicationView:  # noqa: ANN001
    return application_view(station, find_by_number(station, number))


def _list(station, application: str | None) -> list[notices.Notice]:  # noqa: ANN001
    return notices.list_notices(station, application=application, limit=500)


def _business_types(station):  # noqa: ANN001, ANN202

    return [(b.id, b.name) for b in station.checklists.business_types]


class BusinessTypeDialog(ModalScreen[str | None]):
    """Which business type a refused visit was about: its full list goes on the notice."""

    BINDINGS = [("escape", "dismiss(None)", "取消")]

    def __init__(self, choices: list[tuple[str, str]]) -> None:
        super().__init__()
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(id="business-dialog"):
            yield Static("未受理告知：客户要办的业务类型（回车选定，Esc 取消）")
            yield OptionList(*[Option(name, id=key) for key, name in self.choices], id="business-types")

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)


class NoticesScreen(StationScreen):
    CSS_PATH = "notices.tcss"
    BINDINGS = [
        Binding(
            "a", "issue('acceptance')", "受理告知书", id="notices-acceptance", tooltip="为找到的申请出具受理告知书"
        ),
        Binding("i", "issue('inspection')", "竣工检验意见单", id="notices-inspection"),
        Binding("u", "refusal", "未受理告知", id="notices-refusal", tooltip="未受理的来访：告知全部资料"),
        Binding("v", "preview", "预览/打印", id="notices-preview", tooltip="预览所选告知书，可打印（补打）"),
        Binding("c", "correct", "更正", id="notices-correct", tooltip="出具一份新的告知书替代所选的"),
        Binding("slash", "find", "查找申请", id="notices-find"),
        Binding("escape", "show_all", "全部", id="notices-all", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.application: ApplicationView | None = None
        self.rows: list[notices.Notice] = []

    def compose(self) -> ComposeResult:
        with Vertical(id="notices"):
            yield Input(placeholder="输入申请编号后回车查找（/ 回到此处）", id="notices-number")
            yield Static("未选申请：列出全部告知书。按 u 出具未受理告知。", id="notices-found")
            yield DataTable(id="notices-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="notices-detail")

    def on_mount(self) -> None:
        table = self.query_one("#notices-table", DataTable)
        for title, width in COLUMNS:
            table.add_column(title, width=width)
        self.refresh_list()

    def on_screen_resume(self) -> None:
        self.refresh_list()

    # --- the list ---------------------------------------------------------------------------------------------

    def refresh_list(self) -> None:
        application = self.application.uuid if self.application else None
        self.call_service(_list, self.station, application, done=self._show, group="list")

    def _show(self, rows: list[notices.Notice]) -> None:
        self.rows = rows
        table = self.query_one("#notices-table", DataTable)
        table.clear()
        for n in rows:
            state = f"已由{n.replaced_by[-5:]}更正" if n.replaced_by else ("更正件" if n.replaces else "有效")
            table.add_row(
                n.serial,
                n.kind_zh,
                n.application_number or "—",
                n.customer or "—",
                n.issued_at[:16].replace("T", " "),
                str(n.reprints),
                state,
                key=n.uuid,
            )
        if not rows:
            self.query_one("#notices-detail", Static).update("还没有告知书。")

    def _selected(self) -> notices.Notice | None:
        table = self.query_one("#notices-table", DataTable)
        if not self.rows or table.cursor_row is None or table.cursor_row >= len(self.rows):
            self.notify("请先在列表中选一份告知书", severity="warning")
            return None
        return self.rows[table.cursor_row]

    @on(DataTable.RowHighlighted)
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row < len(self.rows):
            n = self.rows[event.cursor_row]
            by = f"，操作员 {n.operator}" if n.operator else ""
            replaces = f"，替代第 {n.content.get('replaces_serial')} 号" if n.replaces else ""
            self.query_one("#notices-detail", Static).update(f"{n.kind_zh} 第 {n.serial} 号{by}{replaces}")

    @on(DataTable.RowSelected)
    def _selected_row(self) -> None:
        self.action_preview()

    # --- finding an application -------------------------------------------------------------------------------

    @on(Input.Submitted, "#notices-number")
    def _find(self, event: Input.Submitted) -> None:
        self.call_service(
            _find, self.station, event.value, done=self._found, failed=self._not_found, group="find"
        )

    def _found(self, application: ApplicationView) -> None:
        self.application = application
        self.query_one("#notices-found", Static).update(
            f"申请 {application.number}　{application.customer_name}："
            "a 受理告知书　i 竣工检验意见单　v 预览/补打所选　Esc 列出全部"
        )
        self.refresh_list()
        self.query_one("#notices-table", DataTable).focus()

    def _not_found(self, message: str) -> None:
        # What the clerk typed stays in the box, to be corrected.
        self.query_one("#notices-found", Static).update(message)

    def action_find(self) -> None:
        self.query_one("#notices-number", Input).focus()

    def action_show_all(self) -> None:
        self.application = None
        self.query_one("#notices-found", Static).update("未选申请：列出全部告知书。按 u 出具未受理告知。")
        self.refresh_list()

    # --- actions ----------------------------------------------------------------------------------------------

    def action_issue(self, kind: str) -> None:
        if self.application is None:
            self.notify("请先输入申请编号并回车查找", severity="warning")
            self.action_find()
            return
        self.app.push_screen(NoticePreviewScreen(self.application.uuid, kind))

    def action_refusal(self) -> None:
        def chosen(business_type: str | None) -> None:
            if business_type:
                self.app.push_screen(NoticePreviewScreen("", "refusal", business_type=business_type))

        self.app.push_screen(BusinessTypeDialog(_business_types(self.station)), chosen)

    def action_preview(self) -> None:
        notice = self._selected()
        if notice is not None:
            self.app.push_screen(NoticePreviewScreen(notice.application or "", notice.kind, notice_uuid=notice.uuid))

    def action_correct(self) -> None:
        notice = self._selected()
        if notice is None:
            return
        if notice.replaced_by:
            self.notify(
                f"第 {notice.serial} 号已由第 {notice.replaced_by} 号更正：请更正最新的那一份", severity="warning"
            )
            return
        text = (
            f"按申请的当前情况出具一份新的{notice.kind_zh}，替代第 {notice.serial} 号？\n"
            "原告知书保持原样、仍可补打；新告知书上注明它替代的编号。"
        )

        def answered(yes: bool | None) -> None:
            if yes:
                # Numbered and issued by its first print or save, like any other notice.
                self.app.push_screen(
                    NoticePreviewScreen(
                        notice.application or "",
                        notice.kind,
                        business_type=notice.content.get("business_type"),
                        customer_name=notice.customer,
                        replaces=notice.uuid,
                    )
                )

        self.app.push_screen(ConfirmDialog(text, yes="出具更正件", no="取消"), answered)


