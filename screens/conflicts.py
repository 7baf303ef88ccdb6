"""冲突裁定 (issue 14): applications both the station and a laptop moved from the same state. The 站长 reads each
side's line (what, when, by whom, from which state) and keeps one; the other lines are set aside by an event."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Label, Select, Static

from station_tui.screens.base import StationScreen
from station_tui.services import conflicts as service


class ConflictsScreen(StationScreen):
    CSS_PATH = "conflicts.tcss"
    BINDINGS = [
        Binding("ctrl+d", "decide", "裁定", tooltip="保留所选一方，搁置另一方"),
        Binding("escape", "app.pop_screen", "返回"),
    ]

    def compose(self) -> ComposeResult:
        yield Label("冲突裁定：两边从同一状态各自办理的申请，由站长决定以哪一方为准", id="title")
        yield DataTable(id="conflicts", cursor_type="row")
        yield Static("", id="detail")
        with Vertical(id="decision"):
            yield Select([], prompt="以哪一方为准", id="keep")
            with Horizontal():
                yield Input(placeholder="裁定说明（可不填）", id="note")
                yield Button("裁定", id="decide", variant="warning")
        yield Static("", id="message")

    def on_mount(self) -> None:
        table = self.query_one("#conflicts", DataTable)
        table.add_columns("申请编号", "客户", "现在的状态", "冲突各方")
        self.found: list[service.Conflict] = []
        self.load()

    def load(self) -> None:
        self.call_service(service.conflicts, self.station, done=self.show)

    def show(self, found: list[service.Conflict]) -> None:
        self.found = found
        table = self.query_one("#conflicts", DataTable)
        table.clear()
        for c in found:
            table.add_row(c.number, c.customer, c.state, "、".join(s.where for s in c.sides), key=c.application)
        if not found:
            self.query_one("#detail", Static).update("没有待裁定的冲突。")
            self.query_one("#keep", Select).set_options([])
        else:
            self.show_detail(found[min(table.cursor_row, len(found) - 1)])

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if 0 <= event.cursor_row < len(self.found):
            self.show_detail(self.found[event.cursor_row])

    def show_detail(self, conflict: service.Conflict) -> None:
        lines = [f"申请 {conflict.number}（{conflict.customer}），现在显示：{conflict.state}"]
        for side in conflict.sides:
            lines.append(f"【{side.where}】")
            for m in side.moves:
                lines.append(f"  {m.recorded_at[:16].replace('T', ' ')} {m.operator} {m.label}（从 {m.from_state}）")
        self.query_one("#detail", Static).update("\n".join(lines))
        options = [(f"以{s.where}为准（{s.moves[0].label}）", s.device) for s in conflict.sides if s.moves]
        self.query_one("#keep", Select).set_options(options)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "decide":
            self.action_decide()

    def action_decide(self) -> None:
        table = self.query_one("#conflicts", DataTable)
        keep = self.query_one("#keep", Select).value
        operator = self.app.operator  # type: ignore[attr-defined]
        if not self.found:
            return self.say("没有待裁定的冲突")
        if not operator.is_head:
            return self.say("只有站长可以裁定冲突")
        if keep is Select.NULL:
            return self.say("请先选择以哪一方为准")
        conflict = self.found[table.cursor_row]
        note = self.query_one("#note", Input).value

        def decided(count: int) -> None:
            self.say(f"申请 {conflict.number} 已裁定，搁置另一方 {count} 条办理记录")
            self.query_one("#note", Input).value = ""
            self.load()

        def decide(station, application: str) -> int:  # noqa: ANN001 - the app's Station
            return service.decide(station, application, keep_device=keep, head=operator.uuid, note=note)

        self.call_service(decide, self.station, conflict.application, done=decided, failed=self.say)

    def say(self, text: str) -> None:
        self.query_one("#message", Static).update(text)

