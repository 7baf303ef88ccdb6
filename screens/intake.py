"""受理: the counter intake form. The checklist, the mode (两证办结 / 容缺办理 / not accepted) and the profile's proposal
follow what the clerk types; messages stand beside their fields; a rejected form keeps everything typed."""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Checkbox, Input, Label, Select, Static

from station_tui.domain.glossary import CHANNELS, COPY_KINDS, INTAKE_MODES, LIMIT_UNITS, VOLTAGES
from station_tui.domain.profiles import BUSINESS_TYPE_IDS
from station_tui.screens.base import StationScreen
from station_tui.screens.dialogs import ConfirmDialog
from station_tui.screens.intake_dialogs import ReservationDialog
from station_tui.services import intake
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


@dataclass(frozen=True)
class Saved:
    accepted: Accepted | None = None
    errors: dict[str, str] | None = None
    refused_visit: str | None = None
    refused_reason: str = ""


def save_form(station, form: IntakeForm, operator: str) -> Saved:  # noqa: ANN001
    """Accept, or record the refused visit; field errors come back as values so the screen can place them."""
    if intake.intake_mode(station, form) == "refused":
        return Saved(
            refused_visit=intake.record_refused_visit(station, form, operator=operator),
            refused_reason=intake.refusal_reason(station, form),
        )
    try:
        return Saved(accepted=intake.accept(station, form, operator=operator))
    except FormErrors as exc:
        return Saved(errors=exc.errors)


def _flag(value: object) -> bool | None:
    return {"yes": True, "no": False}.get(str(value))


class IntakeScreen(StationScreen):
    CSS_PATH = "intake.tcss"
    BINDINGS = [
        Binding("ctrl+s", "save", "保存受理", id="intake-save", priority=True),
        Binding("ctrl+n", "clear", "新客户", id="intake-new"),
        Binding("ctrl+o", "open_saved", "打开刚受理的申请", id="intake-open"),
        Binding("f8,ctrl+f", "search", "查询", id="intake-search"),
        Binding("f9", "reservations", "预约", id="intake-reservations"),
    ]

    def __init__(self, form: IntakeForm | None = None) -> None:
        # The area's own screen has the area id; one opened from a reservation is pushed above the area.
        super().__init__(id="area-intake" if form is None else None)
        self.start_form = form
        self.touched: set[str] = set()
        self.saved: Accepted | None = None
        self.preview_result: IntakePreview | None = None
        self.reservation: str | None = form.reservation if form else None
        self.last_refusal: tuple[str, IntakeForm] | None = None

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
                    yield Checkbox("双电源", id="dual-supply", compact=True)
                    yield Checkbox("需配套工程", id="supporting-works", compact=True)
                with Horizontal(classes="checks"):
                    yield Checkbox("委托代理人", id="agent", compact=True)
                    yield Checkbox("重要客户", id="important", compact=True)
                    yield Checkbox("配网改造", id="distribution-upgrade", compact=True)
                yield from self._field("小微企业", Select(FLAG_CHOICES, id="small-micro", allow_blank=False))
                yield from self._field("三零服务", Select(FLAG_CHOICES, id="three-zero", allow_blank=False))
                yield from self._field("标记改动理由", Input(id="flags-reason", placeholder="改动小微/三零标记时必填"))
                yield from self._field("客户经理", Select([("（本人）", "self")], id="manager", allow_blank=False))
            with VerticalScroll(id="intake-side"):
                yield Static("资料清单（附件1）", classes="side-title")
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
        self._refresh_kinds()

    def _managers(self, managers: list[tuple[str, str]]) -> None:
        select = self.query_one("#manager", Select)
        select.set_options(managers or [("（本人）", "self")])

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
        chosen = {doc.key: doc for doc in form.received}
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
            if previous is not None:
                form_select.value = previous.form
                copy_select.value = previous.copy_kind
            label = f"{spec.name}{'（主要）' if spec.primary else ''}：{spec.copy_label}"
            rows.append(Vertical(Label(label), Horizontal(form_select, copy_select, classes="doc-row"), classes="doc"))
        await box.mount_all(rows)
        self._update_preview()

    @on(Select.Changed, ".doc-form")
    def _document_form_changed(self, event: Select.Changed) -> None:
        business = self.business_type()
        if business is None or event.value in (Select.NULL, NOT_RECEIVED):
            self._update_preview()
            return
        key = event.select.id.removeprefix("doc-form-")  # type: ignore[union-attr]
        form = self.form()
        spec = next((s for s in intake.required_documents(self.station, form) if s.key == key), None)  # type: ignore[arg-type]
        if spec is not None:
            self.query_one(f"#doc-copy-{key}", Select).value = spec.copy_for(str(event.value))
        self._update_preview()

    @on(Input.Changed)
    @on(Select.Changed, "#id-type, #voltage, #channel, #small-micro, #three-zero, .doc-copy")
    @on(Checkbox.Changed, "#dual-supply, #supporting-works, #distribution-upgrade")
    def _changed(self, event) -> None:  # noqa: ANN001
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
        self.preview_result = result
        self._show_field_messages(result.errors, result.warnings, only_touched=True)
        if result.mode == "refused":
            text = f"不能受理：{result.refused_reason}\n保存将记录本次来访，并可登记线上预约（零证预约）。"
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
        for field, widget in FIELD_WIDGETS.items():
            shown = not only_touched or field in self.touched
            if field in errors and shown:
                text, kind = errors[field], "-error"
            elif field in warnings and shown:
                text, kind = "⚠ " + "；".join(warnings[field]), "-warning"
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

    # --- saving -------------------------------------------------------------------------------------------------

    def action_save(self) -> None:
        form = self.form()
        if form is None:
            self._say("请先选择业务类型", error=True)
            return
        self.touched.update(TEXT_FIELDS.values())
        operator = self.app.operator.uuid  # type: ignore[attr-defined]
        self.call_service(save_form, self.station, form, operator, done=self._saved, failed=self._failed, group="save")

    def _failed(self, message: str) -> None:
        self._say(message, error=True)

    def _saved(self, saved: Saved) -> None:
        if saved.errors is not None:
            warnings = self.preview_result.warnings if self.preview_result else {}
            self._show_field_messages(saved.errors, warnings, only_touched=False)
            self._say(f"未保存：有 {len(saved.errors)} 处需要改正（见各栏下方的红字），已填内容都保留着。", error=True)
            return
        if saved.refused_visit is not None:
            self._refused(saved)
            return
        accepted = saved.accepted
        assert accepted is not None
        self.saved = accepted
        self.reservation = None
        mode = INTAKE_MODES[accepted.mode]
        deferred = f"，容缺待收：{'、'.join(accepted.deferred)}" if accepted.deferred else ""
        self._say(f"已受理：{accepted.number}（{mode}{deferred}），到期 {accepted.due.date}。Ctrl+O 打开该申请。")
        self._offer_notice(accepted)

    def _offer_notice(self, accepted: Accepted) -> None:
        def answered(yes: bool | None) -> None:
            if not yes:
                return
            if importlib.util.find_spec("station_tui.screens.notice_preview") is not None:
                module = importlib.import_module("station_tui.screens.notice_preview")
                self.app.push_screen(module.NoticePreviewScreen(accepted.uuid, kind="acceptance"))
            else:
                self._say(f"已受理：{accepted.number}。一次告知书可在 F4「告知书」中打印。")

        text = f"已受理 {accepted.number}。\n现在出具《一次告知书》交给客户吗？"
        self.app.push_screen(ConfirmDialog(text, yes="出具告知书", no="稍后"), answered)

    def _refused(self, saved: Saved) -> None:
        form = self.form()
        self._say(f"未受理：{saved.refused_reason}已记录本次来访。", error=True)
        if form is None or saved.refused_visit is None:
            return
        self.last_refusal = (saved.refused_visit, form)
        self.app.push_screen(
            ReservationDialog(self.station, form, visit=saved.refused_visit), self._reservation_registered
        )

    def _reservation_registered(self, reservation: str | None) -> None:
        if reservation:
            self._say("已登记线上预约（零证预约）：客户经理将在时限内电话联系客户。请告知客户带齐资料。")

    def action_clear(self) -> None:
        self.app.switch_screen(IntakeScreen())

    def action_open_saved(self) -> None:
        if self.saved is None:
            return
        from station_tui.screens.application import ApplicationScreen

        self.app.push_screen(ApplicationScreen(self.saved.uuid))

    def action_search(self) -> None:
        from station_tui.screens.search import SearchScreen

        self.app.push_screen(SearchScreen())

    def action_reservations(self) -> None:
        from station_tui.screens.reservations import ReservationsScreen

        self.app.push_screen(ReservationsScreen())


AREA_SCREEN = IntakeScreen
