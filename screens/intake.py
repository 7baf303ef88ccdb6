"""受理: the counter intake form. The checklist, the mode (两证办结 / 容缺办理 / not accepted) and the profile's proposal
follow what the clerk types; messages stand beside their fields; a rejected form keeps everything typed."""

from __future__ import annotations

import contextlib
import time
from dataclasses import dataclass, field
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Input, Label, Select, Static
from textual.widgets.select import InvalidSelectValueError

from station_tui.domain.glossary import CHANNELS, COPY_KINDS, INTAKE_MODES, LIMIT_UNITS, VOLTAGES
from station_tui.domain.profiles import BUSINESS_TYPE_IDS
from station_tui.screens.base import StationScreen, TickBox, WriteFinished
from station_tui.screens.dialogs import ConfirmDialog
from station_tui.screens.intake_dialogs import ReservationDialog
from station_tui.screens.notice_preview import NoticePreviewScreen
from station_tui.services import drafts, intake
from station_tui.services.intake import Accepted, FormErrors, IntakeForm, IntakePreview, ReceivedDocument

FLAG_CHOICES = [("按规则", "auto"), ("是", "yes"), ("否", "no")]
NOT_RECEIVED = "none"
# Text fields: widget id -> IntakeForm field.
TEXT_FIELDS = {
    "customer-name": "customer_name",
    "id-number": "id_number",
    "phone": "phone",
    "address": "address",
    "capacity": "capacity_kw",
    "flags-reason": "flags_reason",
}
FIELD_WIDGETS = {field: widget for widget, field in TEXT_FIELDS.items()} | {"id_type": "id-type", "voltage": "voltage"}
# The other widgets a draft keeps, with the value a new form starts with.
SELECTS = {"id-type": None, "voltage": "low", "channel": "counter", "small-micro": "auto", "three-zero": "auto"}
CHECKBOXES = ["dual-supply", "supporting-works", "agent", "important", "distribution-upgrade"]


@dataclass(frozen=True)
class Saved:
    accepted: Accepted | None = None
    errors: dict[str, str] | None = None
    refused_visit: str | None = None
    refused_reason: str = ""
    duplicates: list[str] = field(default_factory=list)


def save_form(station, form: IntakeForm, operator: str, allow_duplicate: bool, revision: int | None) -> Saved:  # noqa: ANN001
    """Accept, or record the refused visit; field errors and open duplicates come back as values for the screen.

    The operator's draft is cleared here, in the same worker as the save, so that it goes even when the clerk has
    already left the screen."""
    if intake.intake_mode(station, form) == "refused":
        return Saved(
            refused_visit=intake.record_refused_visit(station, form, operator=operator),
            refused_reason=intake.refusal_reason(station, form),
        )
    if not allow_duplicate:
        duplicates = intake.open_duplicates(station, form)
        if duplicates:
            return Saved(duplicates=duplicates)
    try:
        accepted = intake.accept(station, form, operator=operator)
    except FormErrors as exc:
        return Saved(errors=exc.errors)
    if revision is not None:  # None: a screen that keeps no draft (one opened from a reservation)
        drafts.clear_draft(station, operator, revision)
    return Saved(accepted=accepted)


def _choose(select: Select, value: object) -> None:
    """Choose a value a draft kept, if the drop-down still offers it (a manager may have left since)."""
    with contextlib.suppress(InvalidSelectValueError):
        select.value = value


def _flag(value: object) -> bool | None:
    return {"yes": True, "no": False}.get(str(value))


class SaveFinished(WriteFinished):
    """The intake save came back (result: Saved)."""


class IntakeScreen(StationScreen):
    CSS_PATH = "intake.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "保存受理", id="intake-save", priority=True),
        Binding("ctrl+n", "clear", "新客户", id="intake-new"),
        Binding(
            "ctrl+d", "documents", "资料清单", id="intake-documents", tooltip="跳到资料清单（附件1）", priority=True
        ),
        Binding("ctrl+o", "open_saved", "打开刚受理的申请", id="intake-open"),
        Binding("f8,ctrl+f", "search", "查询", id="intake-search"),
        Binding("f9", "reservations", "预约", id="intake-reservations"),
    ]

    def __init__(self, form: IntakeForm | None = None) -> None:
        # The area's own screen has the area id; one opened from a reservation is pushed above the area.
        super().__init__(id="area-intake" if form is None else None)
        self.start_form = form
        # One draft per operator, the area's form's: a form opened from a reservation above it must not replace it.
        self.keeps_draft = form is None
        self.touched: set[str] = set()
        self.saved: Accepted | None = None
        self.preview_result: IntakePreview | None = None
        self.reservation: str | None = form.reservation if form else None
        self.last_refusal: tuple[str, IntakeForm] | None = None
        # Drafts: what the form held at the last change, whether it is written, and what was last recorded.
        self.draft_fields: dict[str, Any] = {}
        self.draft_written = True
        self.draft_busy = False
        self.recorded_fields: dict[str, Any] | None = None
        self.restoring: dict[str, Any] | None = None  # a draft being put back, applied as the checklist is built
        self.wanted_manager: str | None = None

    # --- layout ---------------------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        lists = self.station.checklists
        types = [(lists.business_type(b).name, b) for b in BUSINESS_TYPE_IDS]
        with Horizontal(id="intake"):
            with VerticalScroll(id="intake-form"):
                yield Static("", id="intake-message")
                yield from self._field("业务类型", Select(types, id="business-type", prompt="请选择业务类型"))
                yield from self._field("客户名称", Input(id="customer-name"))
                yield from self._field(
                    "证件类型", Select([("居民身份证", "居民身份证")], id="id-type", allow_blank=False)
                )
                yield from self._field("证件号码", Input(id="id-number"))
                yield from self._field("联系电话", Input(id="phone", placeholder="手机号，或带区号的固定电话"))
                yield from self._field("用电地址", Input(id="address"))
                yield from self._field("申请容量（千瓦）", Input(id="capacity"))
                yield from self._field(
                    "电压等级", Select([(v, k) for k, v in VOLTAGES.items()], id="voltage", allow_blank=False)
                )
                yield from self._field(
                    "受理渠道", Select([(v, k) for k, v in CHANNELS.items()], id="channel", allow_blank=False)
                )
                with Horizontal(classes="checks"):
                    yield TickBox("双电源", id="dual-supply", compact=True)
                    yield TickBox("需配套工程", id="supporting-works", compact=True)
                with Horizontal(classes="checks"):
                    yield TickBox("委托代理人", id="agent", compact=True)
                    yield TickBox("重要客户", id="important", compact=True)
                    yield TickBox("配网改造", id="distribution-upgrade", compact=True)
                yield from self._field("小微企业", Select(FLAG_CHOICES, id="small-micro", allow_blank=False))
                yield from self._field("三零服务", Select(FLAG_CHOICES, id="three-zero", allow_blank=False))
                yield from self._field("标记改动理由", Input(id="flags-reason", placeholder="改动小微/三零标记时必填"))
                yield from self._field("客户经理", Select([("（本人）", "self")], id="manager", allow_blank=False))
            with VerticalScroll(id="intake-side"):
                yield Static("资料清单（附件1）　Ctrl+D 跳到这里", classes="side-title")
                yield Vertical(id="documents")
                yield Static("", id="mode")
                yield Static("", id="proposal")

    def _field(self, label: str, widget) -> ComposeResult:  # noqa: ANN001
        widget.compact = True
        with Vertical(classes="field", id=f"field-{widget.id}"):
            with Horizontal(classes="field-line"):
                yield Label(label)
                yield widget
            message = Static("", classes="field-message", id=f"msg-{widget.id}")
            message.display = False
            yield message

    def on_mount(self) -> None:
        self.call_service(intake.customer_managers, self.station, done=self._managers, group="managers")
        form = self.start_form
        if form is not None:
            self._fill(form)
        else:
            self.query_one("#business-type", Select).focus()
            self.call_service(drafts.load_draft, self.station, self._operator, done=self._restore, group="draft")
        self._refresh_kinds()

    @property
    def _operator(self) -> str:
        return self.app.operator.uuid  # type: ignore[attr-defined]

    def _managers(self, managers: list[tuple[str, str]]) -> None:
        select = self.query_one("#manager", Select)
        select.set_options(managers or [("（本人）", "self")])
        self._choose_manager()

    def _choose_manager(self) -> None:
        if self.wanted_manager:
            _choose(self.query_one("#manager", Select), self.wanted_manager)

    def _fill(self, form: IntakeForm) -> None:
        self.query_one("#business-type", Select).value = form.business_type
        for widget, name in TEXT_FIELDS.items():
            self.query_one(f"#{widget}", Input).value = str(getattr(form, name) or "")
        self.query_one("#voltage", Select).value = form.voltage
        self.query_one("#channel", Select).value = form.channel
        self.query_one("#customer-name", Input).focus()

    # --- reading the form -------------------------------------------------------------------------------------

    def business_type(self) -> str | None:
        value = self.query_one("#business-type", Select).value
        return None if value is Select.NULL else str(value)

    def form(self) -> IntakeForm | None:
        business = self.business_type()
        if business is None:
            return None
        values = {name: self.query_one(f"#{widget}", Input).value for widget, name in TEXT_FIELDS.items()}
        id_type = self.query_one("#id-type", Select).value
        manager = self.query_one("#manager", Select).value
        return IntakeForm(
            business_type=business,
            id_type="" if id_type is Select.NULL else str(id_type),
            voltage=str(self.query_one("#voltage", Select).value),
            channel=str(self.query_one("#channel", Select).value),
            dual_supply=self.query_one("#dual-supply", Checkbox).value,
            supporting_works=self.query_one("#supporting-works", Checkbox).value,
            agent=self.query_one("#agent", Checkbox).value,
            important=self.query_one("#important", Checkbox).value,
            distribution_upgrade=self.query_one("#distribution-upgrade", Checkbox).value,
            small_micro=_flag(self.query_one("#small-micro", Select).value),
            three_zero=_flag(self.query_one("#three-zero", Select).value),
            received=self._received(),
            customer_manager=None if manager in (Select.NULL, "self") else str(manager),
            reservation=self.reservation,
            **values,
        )

    def _received(self) -> list[ReceivedDocument]:
        received = []
        for select in self.query_one("#documents").query(Select).filter(".doc-form"):
            if select.value in (Select.NULL, NOT_RECEIVED):
                continue
            key = select.id.removeprefix("doc-form-")  # type: ignore[union-attr]
            copy = self.query_one(f"#doc-copy-{key}", Select).value
            received.append(ReceivedDocument(key, str(select.value), str(copy)))
        return received

    def fields(self) -> dict[str, Any]:
        """What the form shows, as a draft keeps it: widget id -> value."""

        def value(select: Select) -> Any:
            return None if select.value is Select.NULL else select.value

        shown: dict[str, Any] = {"business-type": self.business_type(), "reservation": self.reservation}
        shown |= {widget: self.query_one(f"#{widget}", Input).value for widget in TEXT_FIELDS}
        shown |= {widget: value(self.query_one(f"#{widget}", Select)) for widget in [*SELECTS, "manager"]}
        shown |= {widget: self.query_one(f"#{widget}", Checkbox).value for widget in CHECKBOXES}
        shown["documents"] = {doc.key: [doc.form, doc.copy_kind] for doc in self._received()}
        return shown

    def _typed_anything(self, fields: dict[str, Any]) -> bool:
        return bool(fields.get("business-type") or any(fields.get(widget) for widget in TEXT_FIELDS))

    # --- drafts: typing survives leaving the screen, quitting and a crash -----------------------------------

    def unsaved_work(self) -> str | None:
        """What would be lost if the form went now (None: nothing), said for the clerk."""
        fields = self.fields() if self.is_mounted else self.draft_fields
        if not self._typed_anything(fields) or fields == self.recorded_fields:
            return None
        what = f"受理表（{fields.get('customer-name') or '未填客户名称'}）尚未保存"
        if self.keeps_draft:
            return what + "，已存为草稿：下次同一操作员打开「受理」时恢复"
        return what + "（从预约转来的表不存草稿，预约仍在 F9「预约」中）"

    def _changed_for_draft(self) -> None:
        if self.restoring is None:
            self.draft_written = False
            self._write_draft()

    def _write_draft(self, *, now: bool = False) -> None:
        """Write the form as the draft. One write at a time: a change made meanwhile is written when it returns,
        so a burst of keystrokes costs two writes, and the newest form is always the last one written."""
        if self.draft_written or self.restoring is not None or (self.draft_busy and not now) or not self.keeps_draft:
            return
        if self.is_mounted:
            self.draft_fields = self.fields()
        self.draft_written = True
        fields, revision = self.draft_fields, time.monotonic_ns()
        if not self._typed_anything(fields) or fields == self.recorded_fields:
            call: tuple = (drafts.clear_draft, self.station, self._operator, revision)
        else:
            call = (drafts.save_draft, self.station, self._operator, fields, revision)
        if now:
            call[0](*call[1:])  # quitting: written before the app ends
            return
        self.draft_busy = True

        def written(_result: object = None) -> None:
            self.draft_busy = False
            self._write_draft()

        # The app's worker, not the screen's: the write must finish when the clerk has just left the screen.
        self.app.call_service(*call, done=written, failed=lambda _m: written(), group=f"draft-{id(self)}")  # type: ignore[attr-defined]

    def keep_draft_now(self) -> None:
        """Called before the app quits."""
        self.draft_written = False
        self._write_draft(now=True)

    def _restore(self, draft: drafts.Draft | None) -> None:
        if draft is None or self.unsaved_work():
            return
        fields = draft.fields
        self.reservation = fields.get("reservation")
        self.wanted_manager = fields.get("manager")
        self._choose_manager()
        for widget in TEXT_FIELDS:
            self.query_one(f"#{widget}", Input).value = str(fields.get(widget) or "")
        self.touched.update(TEXT_FIELDS[w] for w in TEXT_FIELDS if fields.get(w))
        if fields.get("business-type"):
            self.restoring = fields  # applied when the business type has set its defaults and built the checklist
            self.query_one("#business-type", Select).value = fields["business-type"]
        self._say(f"已恢复 {draft.saved_at:%m-%d %H:%M} 未保存的受理草稿。Ctrl+N 清空，开始新客户。")

    def _apply_restored_choices(self, fields: dict[str, Any]) -> None:
        for widget in SELECTS:
            if fields.get(widget) is not None:
                _choose(self.query_one(f"#{widget}", Select), fields[widget])
        for widget in CHECKBOXES:
            self.query_one(f"#{widget}", Checkbox).value = bool(fields.get(widget))

    # --- reacting to typing -----------------------------------------------------------------------------------

    @on(Select.Changed, "#business-type")
    def _business_changed(self, event: Select.Changed) -> None:
        business = self.business_type()
        if business is None:
            return
        spec = self.station.checklists.business_type(business)
        self.query_one("#voltage", Select).value = spec.voltage
        self.query_one("#agent", Checkbox).disabled = not spec.agent_documents
        self.query_one("#important", Checkbox).disabled = spec.voltage != "high"
        if spec.voltage != "high":
            self.query_one("#important", Checkbox).value = False
        if not spec.agent_documents:
            self.query_one("#agent", Checkbox).value = False
        kinds = intake.id_types(self.station, business)
        id_type = self.query_one("#id-type", Select)
        id_type.set_options([(k, k) for k in kinds])
        id_type.value = kinds[0]
        if self.restoring is not None:
            self._apply_restored_choices(self.restoring)
        self._rebuild_documents()

    def _refresh_kinds(self) -> None:
        if self.business_type() is not None:
            self._business_changed(None)  # type: ignore[arg-type]

    @on(Checkbox.Changed, "#agent, #important")
    def _extras_changed(self) -> None:
        self._rebuild_documents()

    def _rebuild_documents(self) -> None:
        self.call_later(self._rebuild_documents_now)

    async def _rebuild_documents_now(self) -> None:
        form = self.form()
        box = self.query_one("#documents", Vertical)
        if form is None:
            return
        chosen = {doc.key: (doc.form, doc.copy_kind) for doc in form.received}
        if self.restoring is not None:
            chosen = {key: tuple(value) for key, value in self.restoring.get("documents", {}).items()}
        # Awaited: the new drop-downs reuse the ids of the old ones.
        await box.remove_children()
        rows = []
        for spec in intake.required_documents(self.station, form):
            previous = chosen.get(spec.key)
            forms = [("未收", NOT_RECEIVED)] + [(f, f) for f in spec.forms]
            form_select = Select(
                forms,
                id=f"doc-form-{spec.key}",
                classes="doc-form",
                allow_blank=False,
                value=NOT_RECEIVED,
                compact=True,
            )
            copy_select = Select(
                [(v, k) for k, v in COPY_KINDS.items()],
                id=f"doc-copy-{spec.key}",
                classes="doc-copy",
                allow_blank=False,
                value=spec.copy,
                compact=True,
            )
            if previous is not None and previous[0] in spec.forms:
                form_select.value, copy_select.value = previous
            label = f"{spec.name}{'（主要）' if spec.primary else ''}：{spec.copy_label}"
            rows.append(Vertical(Label(label), Horizontal(form_select, copy_select, classes="doc-row"), classes="doc"))
        await box.mount_all(rows)
        if self.restoring is not None and self.restoring.get("business-type") == form.business_type:
            self.restoring = None
            self.draft_written = True  # what is on screen is the draft just read
        self._update_preview()

    @on(Select.Changed, ".doc-form")
    def _document_form_changed(self, event: Select.Changed) -> None:
        self._changed_for_draft()
        business = self.business_type()
        if business is None or event.value in (Select.NULL, NOT_RECEIVED):
            self._update_preview()
            return
        key = event.select.id.removeprefix("doc-form-")  # type: ignore[union-attr]
        form = self.form()
        spec = next((s for s in intake.required_documents(self.station, form) if s.key == key), None)  # type: ignore[arg-type]
        if spec is not None and self.restoring is None:
            self.query_one(f"#doc-copy-{key}", Select).value = spec.copy_for(str(event.value))
        self._update_preview()

    @on(Input.Changed)
    @on(Select.Changed, "#business-type, #id-type, #voltage, #channel, #small-micro, #three-zero, #manager, .doc-copy")
    @on(Checkbox.Changed)
    def _changed(self, event) -> None:  # noqa: ANN001
        self._changed_for_draft()
        if getattr(event, "select", None) is None or event.select.id != "business-type":
            self._update_preview()

    @on(Input.Blurred)
    def _blurred(self, event: Input.Blurred) -> None:
        name = TEXT_FIELDS.get(event.input.id or "")
        if name and event.input.value:
            self.touched.add(name)
            self._update_preview()

    def _update_preview(self) -> None:
        form = self.form()
        if form is None:
            return
        self.call_service(intake.preview, self.station, form, done=self._show_preview, group="preview")

    def _show_preview(self, result: IntakePreview) -> None:
        if self.business_type() is None:
            return  # the form was emptied while the preview was computed
        self.preview_result = result
        self._show_field_messages(result.errors, result.warnings, only_touched=True)
        if result.mode == "refused":
            text = f"不能受理：{result.refused_reason}\n保存将记录本次来访，出具未受理告知书，并可登记线上预约（零证预约）。"
        elif result.mode == "deferred":
            text = f"办理方式：容缺办理\n待收：{'、'.join(result.missing)}（客户经理现场勘查时收取）"
        else:
            text = "办理方式：两证办结（资料齐全）"
        self._set("#mode", text, f"-{result.mode}")
        self._set("#proposal", self._proposal_text(result))

    def _set(self, selector: str, text: str, classes: str | None = None) -> None:
        widget = self.query_one(selector, Static)
        if getattr(widget, "shown_text", None) == (text, classes):
            return
        widget.shown_text = (text, classes)  # type: ignore[attr-defined]
        widget.update(text)
        if classes is not None:
            widget.set_classes(classes)

    def _proposal_text(self, result: IntakePreview) -> str:
        proposal = result.proposal
        if proposal is None:
            return "填写容量后显示时限类别和到期日"
        unit = LIMIT_UNITS.get(proposal.category.unit, "")
        due = proposal.due.date.isoformat() + ("（估算）" if proposal.due.estimated else "")
        return (
            f"小微企业：{'是' if proposal.small_micro else '否'}　三零：{'是' if proposal.three_zero else '否'}\n"
            f"时限类别：{proposal.category.name}\n时限：{proposal.category.limit} 个{unit}，到期：{due}\n"
            f"环节：{' → '.join(s.name for s in proposal.category.stages)}"
        )

    def _show_field_messages(
        self, errors: dict[str, str], warnings: dict[str, list[str]], *, only_touched: bool
    ) -> None:
        for name, widget in FIELD_WIDGETS.items():
            shown = not only_touched or name in self.touched
            if name in errors and shown:
                text, kind = errors[name], "-error"
            elif name in warnings and shown:
                text, kind = "⚠ " + "；".join(warnings[name]), "-warning"
            else:
                text, kind = "", ""
            message = self.query_one(f"#msg-{widget}", Static)
            # Only touch what changed: this runs after every keystroke.
            if getattr(message, "shown_text", None) != (text, kind):
                message.shown_text = (text, kind)  # type: ignore[attr-defined]
                message.update(text)
                message.set_classes(f"field-message {kind}".strip())
                message.display = bool(text)
        if "documents" in errors and not only_touched:
            self._say(errors["documents"], error=True)

    def _say(self, text: str, *, error: bool = False) -> None:
        message = self.query_one("#intake-message", Static)
        message.update(text)
        message.set_class(error, "-error")

    # --- keys -------------------------------------------------------------------------------------------------

    def action_documents(self) -> None:
        first = self.query_one("#documents").query(".doc-form")
        if first:
            first.first().focus()
        else:
            self._say("先选业务类型，资料清单随之列出。", error=True)
            self.query_one("#business-type", Select).focus()

    # --- saving -------------------------------------------------------------------------------------------------

    def action_save(self) -> None:
        form = self.form()
        if form is None:
            self._say("请先选择业务类型", error=True)
            self.query_one("#business-type", Select).focus()
            return
        self._start_save(form, allow_duplicate=False)

    def _start_save(self, form: IntakeForm, *, allow_duplicate: bool) -> None:
        self.touched.update(TEXT_FIELDS.values())
        revision = time.monotonic_ns() if self.keeps_draft else None
        args = (self.station, form, self._operator, allow_duplicate, revision)
        if self.run_write("save", save_form, *args, message=SaveFinished):
            self._say("正在保存…")

    @on(SaveFinished)
    def _save_finished(self, message: SaveFinished) -> None:
        if message.error is not None:
            self._say(message.error, error=True)
            return
        saved: Saved = message.result
        if saved.errors is not None:
            self._rejected(saved.errors)
        elif saved.duplicates:
            self._ask_duplicate(saved.duplicates)
        elif saved.refused_visit is not None:
            self._refused(saved)
        elif saved.accepted is not None:
            self._accepted(saved.accepted)

    def _rejected(self, errors: dict[str, str]) -> None:
        warnings = self.preview_result.warnings if self.preview_result else {}
        self._show_field_messages(errors, warnings, only_touched=False)
        self._say(f"未保存：有 {len(errors)} 处需要改正（见各栏下方的红字），已填内容都保留着。", error=True)
        first = next((widget for name, widget in FIELD_WIDGETS.items() if name in errors), None)
        if first is not None:
            self.query_one(f"#{first}").focus()
        elif "documents" in errors:
            self.action_documents()

    def _ask_duplicate(self, numbers: list[str]) -> None:
        form = self.form()
        text = (
            f"这位客户已有在办的申请：{'、'.join(numbers)}\n（证件号码、业务类型和用电地址都相同）。\n\n"
            "多半是同一申请又保存了一次，这时不要再保存。确需第二份申请时（如同一地址另装一块表，"
            "或原申请正在终止）才保存。"
        )

        def answered(yes: bool | None) -> None:
            if yes and form is not None:
                self._start_save(form, allow_duplicate=True)
            else:
                self._say(f"未保存：已有在办申请 {'、'.join(numbers)}。F8 查询可打开它。", error=True)

        self.app.push_screen(ConfirmDialog(text, yes="仍保存为新申请", no="不保存"), answered)

    def _accepted(self, accepted: Accepted) -> None:
        form = self.form()
        self.saved = accepted
        mode = INTAKE_MODES[accepted.mode]
        deferred = f"，容缺待收：{'、'.join(accepted.deferred)}" if accepted.deferred else ""
        who = f"{form.customer_name.strip()}，" if form else ""
        self._reset()
        self._say(
            f"已受理：{accepted.number}（{who}{mode}{deferred}），到期 {accepted.due.date}。"
            "Ctrl+O 打开该申请；表已清空，可录入下一位客户。"
        )
        self._offer_notice(accepted)

    def _offer_notice(self, accepted: Accepted) -> None:
        def answered(yes: bool | None) -> None:
            if yes:
                self.app.push_screen(NoticePreviewScreen(accepted.uuid, kind="acceptance"))

        text = f"已受理 {accepted.number}。\n现在出具《一次告知书》交给客户吗？（以后也可在 F4「告知书」出具）"
        self.app.push_screen(ConfirmDialog(text, yes="出具告知书", no="稍后", default="yes"), answered)

    def _refused(self, saved: Saved) -> None:
        form = self.form()
        self._say(f"未受理：{saved.refused_reason}已记录本次来访。", error=True)
        if form is None or saved.refused_visit is None:
            return
        self.recorded_fields = self.fields()
        self._changed_for_draft()  # a recorded visit is no unsaved work: the draft goes
        self.last_refusal = (saved.refused_visit, form)

        def offer_reservation(_result: object = None) -> None:
            dialog = ReservationDialog(self.station, form, visit=saved.refused_visit)
            self.app.push_screen(dialog, self._reservation_registered)

        def answered(yes: bool | None) -> None:
            if yes:
                notice = NoticePreviewScreen(
                    "", kind="refusal", business_type=form.business_type, customer_name=form.customer_name
                )
                self.app.push_screen(notice, offer_reservation)
            else:
                offer_reservation()

        text = (
            f"未受理：{saved.refused_reason}\n已记录本次来访。\n\n"
            f"现在出具《未受理告知书》交给{form.customer_name.strip() or '客户'}吗？（写明下次要带齐的资料）"
        )
        self.app.push_screen(ConfirmDialog(text, yes="出具未受理告知书", no="不出具", default="yes"), answered)

    def _reservation_registered(self, reservation: str | None) -> None:
        if reservation:
            self._say("已登记线上预约（零证预约）：客户经理将在时限内电话联系客户。请告知客户带齐资料。")

    # --- a new customer ---------------------------------------------------------------------------------------

    def action_clear(self) -> None:
        if not self.unsaved_work():
            self._reset()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._reset()

        text = "受理表里有尚未保存的内容。清空后不能恢复。\n清空，开始新客户吗？"
        self.app.push_screen(ConfirmDialog(text, yes="清空", no="继续填写"), answered)

    def _reset(self) -> None:
        """An empty form in place (a new screen would take the area's id a second time)."""
        self.restoring = None
        self.reservation = None
        self.recorded_fields = None
        self.touched.clear()
        self.preview_result = None
        self.query_one("#business-type", Select).clear()
        for widget in TEXT_FIELDS:
            self.query_one(f"#{widget}", Input).value = ""
        for widget, default in SELECTS.items():
            if default is not None:
                self.query_one(f"#{widget}", Select).value = default
        for widget in CHECKBOXES:
            checkbox = self.query_one(f"#{widget}", Checkbox)
            checkbox.value, checkbox.disabled = False, False
        self.query_one("#documents", Vertical).remove_children()
        self._show_field_messages({}, {}, only_touched=False)
        for selector in ("#mode", "#proposal"):
            self._set(selector, "", "")
        self._say("")
        self._changed_for_draft()  # the empty form clears the draft
        self.query_one("#business-type", Select).focus()

    def action_open_saved(self) -> None:
        if self.saved is None:
            return
        from station_tui.screens.application import ApplicationScreen

        self.app.push_screen(ApplicationScreen(self.saved.uuid))

    def action_search(self) -> None:
        from station_tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_reservations(self) -> None:
        self.app.push_area("reservations")  # type: ignore[attr-defined]


