"""Preview of one notice as receipt text, with print and save-as-PDF.

Opened by the intake screen after saving (a draft: the notice is numbered and issued by the first print or save) and by
the notices screen (an issued notice: each print or save after the first is a 补打, marked with its count). A character
the font lacks is said before anything is issued; a failed print is said plainly and the notice stays issued.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import Static

from station_tui.screens.base import StationScreen
from station_tui.services import notices


@dataclass(frozen=True)
class _Loaded:
    notice: notices.Notice | None
    content: dict
    problem: str  # a character the font lacks, said before issuing


def _load(
    station, kind: str, application: str | None, business_type, customer_name: str, notice_id, operator, replaces
):  # noqa: ANN001, ANN202
    from station_tui.domain.notice_content import texts
    from station_tui.services import pdf

    notice = None
    if notice_id:
        notice = notices.get_notice(station, notice_id)
    elif application and kind != "refusal":
        notice = notices.current_notice(station, application, kind)
    if notice is not None:
        content = notice.content
    else:
        content = notices.draft(
            station,
            kind,
            application=application,
            business_type=business_type,
            customer_name=customer_name,
            operator=operator,
            replaces=replaces,
        )
    missing = pdf.missing_characters(texts(content))
    problem = str(pdf.MissingCharacters(missing)) if missing else ""
    pdf.warm_up()  # the font is read here, in the worker, not when the clerk presses print
    return _Loaded(notice, content, problem)


def _output(
    station,
    loaded: _Loaded,
    action: str,
    kind: str,
    application,
    business_type,
    customer,
    operator,
    replaces,
    other_medium=False,
):  # noqa: ANN001, ANN202, E501
    """Issue on the first output, reprint on every later one; then print or save. Returns (notice, message, ok).

    other_medium: the notice was just issued here in the other medium (saved as PDF, now printed, or the reverse):
    that first copy on paper (or on file) is no 补打; only a second copy in the same medium is."""
    if loaded.notice is not None and other_medium:
        notice = loaded.notice
    elif loaded.notice is None:
        notice = notices.issue(
            station,
            kind,
            application=application,
            business_type=business_type,
            customer_name=customer,
            operator=operator,
            replaces=replaces,
        )
    else:
        notice = notices.reprint(station, loaded.notice.uuid, operator=operator)
    if action == "print":
        outcome = notices.print_notice(station, notice)
        return notice, outcome.message, outcome.printed
    path = notices.save_notice(station, notice, "pdf")
    return notice, f"已保存 PDF：{path}", True


class NoticePreviewScreen(StationScreen):
    CSS_PATH = "notices.tcss"
    BINDINGS = [
        Binding("p", "output('print')", "打印", id="preview-print", tooltip="出具（或补打）并送打印机"),
        Binding("s", "output('save')", "保存PDF", id="preview-save", tooltip="出具（或补打）并保存为 PDF 文件"),
        Binding("w", "toggle_width", "32/48列", id="preview-width", tooltip="小票预览宽度"),
        Binding("escape", "back", "返回", id="preview-back"),
    ]

    def __init__(
        self,
        application_uuid: str,
        kind: str = "acceptance",
        *,
        business_type: str | None = None,
        customer_name: str = "",
        notice_uuid: str | None = None,
        replaces: str | None = None,
    ) -> None:
        super().__init__()
        self.application = application_uuid or None
        self.kind = kind
        self.business_type = business_type
        self.customer_name = customer_name
        self.notice_uuid = notice_uuid
        self.replaces = replaces  # a correction: the notice it replaces
        self.width = 48
        self.loaded: _Loaded | None = None
        self.busy = False
        self.media_done: set[str] = set()  # outputs ("print", "save") of the notice issued on this screen

    def compose(self) -> ComposeResult:
        with Vertical(id="preview"):
            yield Static("正在准备预览…", id="preview-title")
            yield Static("", id="preview-problem")
            with VerticalScroll(id="preview-scroll"):
                yield Static("", id="preview-text", markup=False)
            yield Static("", id="preview-result")

    def on_mount(self) -> None:
        self.reload()

    @property
    def operator_id(self) -> str | None:
        operator = self.app.operator  # type: ignore[attr-defined]
        return operator.uuid if operator else None

    def reload(self) -> None:
        self.call_service(
            _load,
            self.station,
            self.kind,
            self.application,
            self.business_type,
            self.customer_name,
            self.notice_uuid,
            self.operator_id,
            self.replaces,
            done=self._show,
            failed=self._failed,
            group="preview",
        )

    def _failed(self, message: str) -> None:
        self.busy = False
        problem = self.query_one("#preview-problem", Static)
        problem.update(message)
        problem.set_class(True, "-shown")
        if self.loaded is None:
            self.query_one("#preview-title", Static).update("无法预览")

    def _show(self, loaded: _Loaded) -> None:
        from station_tui.domain import receipt

        self.loaded = loaded
        notice = loaded.notice
        name = notices.KIND_NAMES.get(self.kind, self.kind)
        if notice is None:
            title = f"{name}预览（尚未出具：打印或保存时编号并出具）"
        else:
            extra = f"，已补打 {notice.reprints} 次" if notice.reprints else ""
            replaced = f"，已由第 {notice.replaced_by} 号更正" if notice.replaced_by else ""
            title = f"{notice.kind_zh} 第 {notice.serial} 号（{notice.issued_at[:16].replace('T', ' ')} 出具{extra}{replaced}）"
        self.query_one("#preview-title", Static).update(title)
        problem = self.query_one("#preview-problem", Static)
        problem.update(loaded.problem)
        problem.set_class(bool(loaded.problem), "-shown")
        reprints = notice.reprints if notice else 0
        self.query_one("#preview-text", Static).update(receipt.render(loaded.content, self.width, reprints))

    def action_toggle_width(self) -> None:
        self.width = 32 if self.width == 48 else 48
        if self.loaded is not None:
            self._show(self.loaded)

    def action_output(self, action: str) -> None:
        if self.loaded is None or self.busy:
            return
        if self.loaded.problem:
            self.notify(self.loaded.problem, title="不能出具", severity="error", timeout=10)
            return
        self.busy = True
        other_medium = bool(self.media_done) and action not in self.media_done
        if self.loaded.notice is None or self.media_done:  # only a notice issued on this screen
            self.media_done.add(action)
        self.query_one("#preview-result", Static).update("正在出具并" + ("打印…" if action == "print" else "保存…"))
        self.call_service(
            _output,
            self.station,
            self.loaded,
            action,
            self.kind,
            self.application,
            self.business_type,
            self.customer_name,
            self.operator_id,
            self.replaces,
            other_medium,
            done=self._done,
            failed=self._failed,
            group="preview",
        )

    def _done(self, result: tuple[notices.Notice, str, bool]) -> None:
        notice, message, ok = result
        self.busy = False
        self.notice_uuid = notice.uuid
        self.query_one("#preview-result", Static).update(message)
        self.notify(
            message, title="已出具" if ok else "未能打印", severity="information" if ok else "warning", timeout=8
        )
        self.reload()

    def action_back(self) -> None:
        self.dismiss(self.notice_uuid)
