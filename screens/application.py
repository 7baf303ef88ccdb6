"""One application: header, documents, archive checklist (附件2), stages, timeline, notices; and the actions on it.

Pushed by other screens as `ApplicationScreen(application_uuid)`. Every action is a service call (an event with the
logged-in operator); the view is read again after each one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from station_tui.domain.application_view import ARCHIVE_STATES, ApplicationView, StageRow
from station_tui.screens import clock_flows
from station_tui.screens.application_dialogs import CollectDialog, DefectsDialog, OverrideDialog
from station_tui.screens.base import StationScreen, WriteFinished
from station_tui.screens.dialogs import ConfirmDialog
from station_tui.services import lifecycle
from station_tui.services.applications import application_view, document_forms
from station_tui.services.operators import heads


def when(iso: str | None) -> str:
    """A stored time as the clerk reads it: 2026-11-23 09:30."""
    return iso[:16].replace("T", " ") if iso else ""


def header_text(view: ApplicationView) -> str:
    flags = [name for name, on in (("小微企业", view.small_micro), ("三零", view.three_zero)) if on]
    lines = [
        f"{view.number}  {view.customer_name}  {view.business_name}  {view.mode_zh}  【{view.status_zh}】",
        f"时限类别：{view.category}，{view.limit_text}　到期：{view.due_text}　当前环节：{view.stage_name or '—'}"
        + (f"　标记：{'、'.join(flags)}" if flags else ""),
        f"受理：{when(view.accepted_at)}{'（台账导入）' if view.origin == 'ledger' else ''}"
        f"　客户经理：{view.customer_manager or '—'}　电话：{view.phone}　容量：{view.capacity_kw:g} 千瓦 {view.voltage_zh}",
        f"地址：{view.address}　证件：{view.id_type} {view.id_number}",
    ]
    if view.deferred_due:
        names = "、".join(doc.name for doc in view.deferred_documents)
        whole = "" if view.collect_by else "，该环节未单设时限，按全流程期限"
        lines.append(f"容缺待收：{names}（现场勘查时收取，最迟于 {view.deferred_due}{whole}）")
    if view.status == "paused":
        lines.append(f"暂停于 {when(view.paused_at)}：{view.pause_reason}")
    if view.finish_reason:
        lines.append(f"终止原因：{view.finish_reason}")
    if view.flags_reason:
        lines.append(f"标记改动理由：{view.flags_reason}")
    return "\n".join(lines)


def stage_note(view: ApplicationView, stage: StageRow) -> str:
    if stage.customer_side:
        return "客户侧，不计入时限"
    if not stage.limit_days:
        return ""
    due = f"，{stage.due}{'（估算）' if stage.due_estimated else ''} 前" if stage.due else ""
    return f"{stage.limit_days} 个{view.unit_zh}{due}"


class ActionFinished(WriteFinished):
    """An action on the application came back: `result` is the sentence to say, or a `NeedsOverride`."""


@dataclass(frozen=True)
class NeedsOverride:
    """A write refused for missing required archive items: `retry(override)` runs it again with a 站长's override."""

    action: str
    missing: list[str]
    retry: Callable[[lifecycle.HeadOverride | None], object]


class ApplicationScreen(StationScreen):
    CSS_PATH = "application.tcss"
    BINDINGS = [
        Binding("escape", "back", "返回", id="app-back"),
        Binding("c", "collect", "补收资料", id="app-collect"),
        Binding("f", "file_item", "归档登记", id="app-file"),
        Binding("n", "next_stage", "下一环节", id="app-next"),
        Binding("i", "inspection", "竣工检验", id="app-inspection"),
        Binding("p", "pause", "暂停", id="app-pause"),
        Binding("r", "resume", "恢复", id="app-resume"),
        Binding("t", "terminate", "终止", id="app-terminate"),
        Binding("s", "connect", "送电", id="app-connect"),
        Binding("g", "close_application", "归档", id="app-close"),
        Binding("w", "works", "配套工程", id="app-works", tooltip="登记配套工程（时限、项目经理、约定完成时间）"),
    ]

    def __init__(self, application_uuid: str) -> None:
        super().__init__()
        self.application_uuid = application_uuid
        self.view: ApplicationView | None = None
        self._reading = False

    def compose(self) -> ComposeResult:
        with Vertical(id="app-view"):
            yield Static("正在读取…", id="app-header")
            yield Static("", id="app-message")
            with TabbedContent(id="app-tabs"):
                with TabPane("资料", id="tab-docs"):
                    yield DataTable(id="docs", cursor_type="row", zebra_stripes=True)
                with TabPane("归档清单（附件2）", id="tab-archive"):
                    yield DataTable(id="archive", cursor_type="row", zebra_stripes=True)
                with TabPane("环节", id="tab-stages"):
                    yield DataTable(id="stages", cursor_type="row")
                with TabPane("记录", id="tab-events"):
                    yield DataTable(id="events", cursor_type="row", zebra_stripes=True)
                    yield Static("", id="events-note")
                with TabPane("告知书与检验", id="tab-notices"):
                    yield DataTable(id="notices", cursor_type="row")
                    yield Static("", id="inspections")

    def on_mount(self) -> None:
        self.query_one("#docs", DataTable).add_columns(
            "资料", "状态", "形式", "原件/复印件", "收到", "由谁收取", "补收"
        )
        self.query_one("#archive", DataTable).add_columns(
            "要求", "状态", "时间", "经办", "附件2环节（随哪个办理环节完成）", "归档资料"
        )
        self.query_one("#stages", DataTable).add_columns("序", "环节", "开始", "结束", "备注")
        self.query_one("#events", DataTable).add_columns("时间", "事件", "操作员", "内容")
        self.query_one("#notices", DataTable).add_columns("编号", "类别", "出具时间", "经办", "补打")
        self.reload()

    # --- reading --------------------------------------------------------------------------------------------

    def reload(self) -> None:
        self.call_service(
            application_view,
            self.station,
            self.application_uuid,
            done=self._show,
            failed=self._read_failed,
            group="app-view",
        )

    def on_screen_resume(self) -> None:
        # Back from 配套工程: the works may have changed the category and the due date shown in the header.
        if self.view is not None:
            self.reload()

    def _read_failed(self, text: str) -> None:
        self._reading = False
        self._fail(text)
        self.refresh_bindings()

    def _show(self, view: ApplicationView) -> None:
        self.view, self._reading = view, False
        self.query_one("#app-header", Static).update(header_text(view))
        self._fill_documents(view)
        self._fill_archive(view)
        stages = self.query_one("#stages", DataTable)
        stages.clear()
        for s in view.stages:
            note = stage_note(view, s)
            marker = "▶ " if s.position == view.current_stage and view.status in ("open", "paused") else ""
            stages.add_row(str(s.position), marker + s.name, when(s.started_at), when(s.finished_at), note)
        events = self.query_one("#events", DataTable)
        events.clear()
        for e in view.events:
            events.add_row(when(e.recorded_at) + ("*" if e.simulated else ""), e.type_zh, e.operator, e.summary)
        simulated = any(e.simulated for e in view.events)
        self.query_one("#events-note", Static).update(
            "时间后带 * 的记录是补录的：演示数据或从纸质台账导入，时间是当时的办理时间，不是本机记录的时间。"
            if simulated
            else ""
        )
        notices = self.query_one("#notices", DataTable)
        notices.clear()
        for n in view.notices:
            notices.add_row(n.serial, n.kind, when(n.issued_at), n.operator, str(n.reprints))
        lines = [
            f"{when(i.recorded_at)} {i.operator}：" + ("检验合格" if not i.defects else "；".join(i.defects))
            for i in view.inspections
        ]
        self.query_one("#inspections", Static).update(
            "竣工检验：\n" + "\n".join(lines) if lines else "尚未记录竣工检验（按 i 录入）"
        )
        self.refresh_bindings()

    def _fill_documents(self, view: ApplicationView) -> None:
        table = self.query_one("#docs", DataTable)
        table.clear()
        for d in view.documents:
            collector = d.assigned_to or ""
            if d.status == "deferred":
                collector += f"（{d.collect_at_stage or '现场勘查'}时）"
            collected = f"{when(d.collected_at)} {d.collected_by or ''}" if d.collected_at else ""
            table.add_row(
                d.name, d.status_zh, d.form or "", d.copy_zh, when(d.received_at), collector, collected, key=d.uuid
            )

    def _fill_archive(self, view: ApplicationView) -> None:
        table = self.query_one("#archive", DataTable)
        table.clear()
        # 附件2 names its stages its own way: say which of this application's stages each one closes with.
        names = [s.name for s in view.stages]
        closes_with = {
            gate: names[i - 1] for i in range(1, len(names) + 1) for gate in lifecycle.archive_gate(names, i)
        }
        for stage in view.archive:
            paired = closes_with.get(stage.id, "归档时")
            for item in stage.items:
                state = ARCHIVE_STATES[item.state]
                if item.state == "missing" and item.mark == "△":
                    state = "视情况"
                table.add_row(
                    item.mark,
                    state,
                    when(item.filed_at),
                    item.filed_by or "",
                    f"{stage.name}（{paired}）",
                    item.name,
                    key=f"{item.stage}\x1f{item.name}",
                )

    # --- actions --------------------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        view = self.view
        if view is None or action in ("back",):
            return True
        if self._reading or self.__dict__.get("_writes_in_flight"):
            return None  # one write at a time, each on what the clerk sees: dimmed until the result is shown
        allowed = {
            "collect": view.status in ("open", "paused") and bool(view.deferred_documents),
            "file_item": view.status != "closed",
            "next_stage": view.status == "open" and view.current_stage < len(view.stages),
            "inspection": view.status == "open",
            "pause": view.status == "open",
            "resume": view.status == "paused",
            "terminate": view.status in ("open", "paused"),
            "connect": view.status == "open" and view.current_stage == len(view.stages),
            "close_application": view.status in ("connected", "terminated"),
        }
        # A key that works on a table's selected row acts only while that table is showing.
        showing = self.query_one("#app-tabs", TabbedContent).active
        allowed["file_item"] = allowed["file_item"] and showing == "tab-archive"
        allowed["collect"] = allowed["collect"] and showing == "tab-docs"
        return allowed.get(action, True)  # False hides the key: only what can be done now is offered

    def on_tabbed_content_tab_activated(self) -> None:
        self.refresh_bindings()

    @property
    def operator_id(self) -> str:
        return self.app.operator.uuid  # type: ignore[attr-defined]

    def _write(self, action: str, fn: Callable[..., Any], *args: Any, said: str, **kwargs: Any) -> None:
        """Run an action's write (never cancelled, never doubled: every action key is dimmed until the application
        has been read again); then say `said`."""

        def act() -> str:
            fn(*args, **kwargs)
            return said

        self.run_write(action, act, message=ActionFinished)

    def _gated_write(self, action: str, fn: Callable[..., Any], said: str, **kwargs: Any) -> None:
        """A write that a missing required archive item refuses: the refusal comes back as `NeedsOverride`, and a
        站长's override runs the same write again."""
        station, application, operator = self.station, self.application_uuid, self.operator_id

        def act(override: lifecycle.HeadOverride | None) -> str | NeedsOverride:
            try:
                fn(station, application, operator=operator, override=override, **kwargs)
            except lifecycle.ArchiveMissing as missing:
                return NeedsOverride(action, missing.missing, act)
            return said + ("（站长授权）" if override else "")

        self.run_write(action, act, None, message=ActionFinished)

    @on(ActionFinished)
    @on(clock_flows.ClockFinished)
    def _write_finished(self, message: WriteFinished) -> None:
        if message.error is not None:
            self._fail(message.error)
        elif isinstance(message.result, NeedsOverride):
            self._ask_override(message.result)
        else:
            self._acted(message.result)

    def _ask_override(self, needs: NeedsOverride) -> None:
        self._fail("缺少必需的归档资料：" + "、".join(needs.missing))

        def answered(override: lifecycle.HeadOverride | None) -> None:
            if override is not None:
                self.run_write(needs.action, needs.retry, override, message=ActionFinished)

        self.call_service(
            heads, self.station, done=lambda found: self.app.push_screen(OverrideDialog(needs.missing, found), answered)
        )

    def _say(self, text: str) -> None:
        message = self.query_one("#app-message", Static)
        message.remove_class("-error")
        message.update(text)

    def _fail(self, text: str) -> None:
        message = self.query_one("#app-message", Static)
        message.add_class("-error")
        message.update(text)

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_works(self) -> None:
        self.app.push_area("works", self.application_uuid)  # type: ignore[attr-defined]

    def action_collect(self) -> None:
        view = self.view
        if view is None:
            return
        table = self.query_one("#docs", DataTable)
        chosen = None
        if table.row_count:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
            chosen = next((d for d in view.deferred_documents if d.uuid == key), None)
        chosen = chosen or (view.deferred_documents[0] if view.deferred_documents else None)
        if chosen is None:
            self._fail("没有待收的容缺资料")
            return

        def got_forms(forms: list[tuple[str, str]]) -> None:
            def answered(result: tuple[str, str] | None) -> None:
                if result is None:
                    return
                form, copy_kind = result
                self._write(
                    "collect",
                    lifecycle.collect_document,
                    self.station,
                    chosen.uuid,
                    form=form,
                    copy_kind=copy_kind,
                    operator=self.operator_id,
                    said=f"已补收：{chosen.name}（{form}）",
                )

            self.app.push_screen(CollectDialog(chosen.name, forms), answered)

        self.call_service(document_forms, self.station, view.business_type, chosen.key, done=got_forms)

    def action_file_item(self) -> None:
        table = self.query_one("#archive", DataTable)
        if not table.row_count:
            return
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        stage, item = key.split("\x1f", 1)

        def answered(yes: bool | None) -> None:
            if yes:
                self._write(
                    "file_item",
                    lifecycle.file_archive_item,
                    self.station,
                    self.application_uuid,
                    stage,
                    item,
                    operator=self.operator_id,
                    said=f"已归档：{item}",
                )

        text = f"归档登记：{stage}环节的「{item}」已收齐归档？\n登记后记入本申请的记录（更正需另记一条）。"
        self.app.push_screen(ConfirmDialog(text, yes="登记归档", no="取消"), answered)

    def action_next_stage(self) -> None:
        if self.view is not None:
            leaving = self.view.current_stage
            self._gated_write("next_stage", lifecycle.advance_stage, "已进入下一环节", leaving=leaving)

    def action_inspection(self) -> None:
        def answered(defects: list[str] | None) -> None:
            if defects is None:
                return
            self._write(
                "inspection",
                lifecycle.record_inspection,
                self.station,
                self.application_uuid,
                defects,
                self.operator_id,
                said=f"已记录竣工检验：{len(defects)} 项缺陷" if defects else "已记录竣工检验：合格",
            )

        self.app.push_screen(DefectsDialog(), answered)

    def _target(self) -> clock_flows.Target | None:
        view = self.view
        if view is None:
            return None
        return clock_flows.Target(view.uuid, view.number, view.customer_name, view.pause_reason)

    def _acted(self, message: str) -> None:
        self._say(message)
        self._reading = True  # the keys stay dimmed until the screen shows what the write changed
        self.refresh_bindings()
        self.reload()

    def action_pause(self) -> None:
        if (target := self._target()) is not None:
            clock_flows.pause(self, target)

    def action_resume(self) -> None:
        if (target := self._target()) is not None:
            clock_flows.resume(self, target)

    def action_terminate(self) -> None:
        if (target := self._target()) is not None:
            clock_flows.terminate(self, target)

    def action_connect(self) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self._write(
                    "connect",
                    lifecycle.connect,
                    self.station,
                    self.application_uuid,
                    operator=self.operator_id,
                    said="已送电",
                )

        self.app.push_screen(ConfirmDialog("确认装表送电？时限计时到此结束。", yes="送电", no="取消"), answered)

    def action_close_application(self) -> None:
        self._gated_write("close_application", lifecycle.close, "已归档")
