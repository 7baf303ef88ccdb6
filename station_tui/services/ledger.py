"""Going live: importing the applications in progress from a paper or Excel ledger (CSV).

Every row is checked with the same rules as the intake screen (services.intake.check_fields and the document list).
Default: one bad row and nothing is imported, with a report of each bad row (line, column, reason); `skip_bad`
imports the good rows and counts the others. Imported applications keep the ledger's acceptance time, marked as not
recorded live (simulated) and `origin = 'ledger'`; the import itself is an event. All in one transaction.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, time
from pathlib import Path

from station_tui.domain.errors import StationError
from station_tui.domain.glossary import CHANNELS, VOLTAGES
from station_tui.domain.timeutil import CHINA_TZ, to_iso
from station_tui.services import intake
from station_tui.services.intake import IntakeForm, ReceivedDocument
from station_tui.services.station import Station
from station_tui.store import payloads as ev

# Column header -> meaning. The first seven are required.
COLUMNS = {
    "受理时间": "如 2026-11-02 09:30（只写日期则按 09:00）；不能晚于现在",
    "业务类型": "八类之一，如 低压居民新装、低压非居民新装、高压新装、增容、5G基站",
    "客户名称": "个人姓名或单位名称",
    "证件号码": "身份证号或统一社会信用代码等",
    "联系电话": "手机号，或带区号的固定电话",
    "用电地址": "",
    "申请容量（千瓦）": "正数，单位千瓦",
    "已收资料": "“全部”，或用顿号列出收到的资料名称（如 身份证明、产权证明）；至少要有身份证明或主体证明",
    "证件类型": "可空：个人默认居民身份证，单位默认营业执照",
    "电压等级": "可空：低压/高压，默认按业务类型",
    "受理渠道": "可空：营业厅/线上预约/电话预约，默认营业厅",
    "双电源": "是/否，可空（否）",
    "配套工程": "是/否，可空（否）",
    "委托代理人": "是/否，可空（否）",
    "重要客户": "是/否，可空（否）",
    "客户经理": "可空：操作员姓名，默认第一位客户经理",
    "原台账编号": "可空：纸质台账上的编号，记入导入记录",
}
REQUIRED = list(COLUMNS)[:8]
MAX_ROWS = 100_000
_YES = {"是", "有", "y", "yes", "true", "1", "√"}
_NO = {"", "否", "无", "n", "no", "false", "0", "×"}
_SEPARATORS = re.compile(r"[、,，;；/\s]+")
_TIME_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y-%m-%dT%H:%M:%S")
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日")


class LedgerError(StationError):
    """The file as a whole cannot be imported (encoding, headers, empty)."""


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"第 {self.line} 行「{self.column}」：{self.reason}"


class LedgerRejected(StationError):
    """Some rows are bad and `skip_bad` was not given: nothing was imported."""

    def __init__(self, errors: list[RowError], total: int) -> None:
        bad_lines = len({e.line for e in errors})
        super().__init__(
            f"台账有 {bad_lines} 行有误（共 {total} 行），未导入任何一行。改正后重新导入，或加 --skip-bad 只导入正确的行。"
        )
        self.errors = errors
        self.total = total


@dataclass
class ImportResult:
    imported: int
    skipped: int
    errors: list[RowError] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    form: IntakeForm
    accepted_at: datetime
    original_number: str
    id_number: str = ""  # as validation normalises it


def write_template(path: Path) -> None:
    """The headers only, UTF-8 with BOM so that Excel opens it with the Chinese intact."""
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle).writerow(COLUMNS)


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GBK/GB18030 as Excel on a Chinese Windows saves it."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise LedgerError("文件编码无法识别：请在 Excel 中另存为“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”")


def _records(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    if "\x00" in text:
        raise LedgerError("文件中有空字符，不是 CSV 文本文件：请在 Excel 中另存为 CSV 后再导入")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise LedgerError("文件是空的：第一行应是表头（可用 station-tui import-ledger --template 生成模板）")
        names = [cell.strip() for cell in header]
        missing = [name for name in REQUIRED if name not in names]
        if missing:
            raise LedgerError(f"表头缺少列：{'、'.join(missing)}（可用 --template 生成模板）")
        unknown = [name for name in names if name and name not in COLUMNS]
        if unknown:
            raise LedgerError(f"表头有不认识的列：{'、'.join(unknown)}")
        count = 0
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            count += 1
            if count > MAX_ROWS:
                raise LedgerError(f"一次最多导入 {MAX_ROWS} 行，请分成几个文件")
            yield reader.line_num, {name: (cells[i] if i < len(cells) else "") for i, name in enumerate(names) if name}
    except csv.Error as exc:
        raise LedgerError(f"第 {reader.line_num} 行不是有效的 CSV：{exc}") from None


def _flag(value: str, column: str, line: int) -> bool:
    word = value.strip().lower()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise _Bad(line, column, f"应填“是”或“否”，现在是“{value.strip()[:20]}”")


class _Bad(Exception):
    def __init__(self, line: int, column: str, reason: str) -> None:
        super().__init__(reason)
        self.error = RowError(line, column, reason)


def _when(value: str, line: int, now: datetime) -> datetime:
    text = " ".join(value.split())
    if not text:
        raise _Bad(line, "受理时间", "请填写受理时间")
    moment = None
    for fmt in _TIME_FORMATS:
        try:
            moment = datetime.strptime(text, fmt)
            break
        except ValueError:
            continue
    if moment is None:
        for fmt in _DATE_FORMATS:
            try:
                moment = datetime.combine(datetime.strptime(text, fmt).date(), time(9, 0))
                break
            except ValueError:
                continue
    if moment is None:
        raise _Bad(line, "受理时间", f"看不懂的时间“{text[:30]}”，请写成 2026-11-02 09:30")
    moment = moment.replace(tzinfo=CHINA_TZ)
    if moment > now:
        raise _Bad(line, "受理时间", f"受理时间 {text} 晚于现在，不能导入")
    if moment.year < 2000:
        raise _Bad(line, "受理时间", f"受理时间 {text} 太早，请核对")
    return moment


def _choice(value: str, mapping: dict[str, str], column: str, line: int, default: str) -> str:
    word = value.strip()
    if not word:
        return default
    for code, label in mapping.items():
        if word in (code, label):
            return code
    raise _Bad(line, column, f"应为 {'、'.join(mapping.values())} 之一，现在是“{word[:20]}”")


class _Context:
    """What every row needs, read once."""

    def __init__(self, station: Station) -> None:
        lists = station.checklists
        self.station = station
        self.lists = lists
        self.types = {b.name: b.id for b in lists.business_types} | {b.id: b.id for b in lists.business_types}
        self.types["高压新装"] = self.types["增容"] = "hv_new"
        self.managers = {
            r["name"]: r["uuid"]
            for r in station.store.rows("SELECT uuid, name FROM operators WHERE active = 1 ORDER BY role, name")
        }
        self.now = station.store.clock()


def _received(ctx: _Context, value: str, form: IntakeForm, line: int) -> list[ReceivedDocument]:
    specs = intake.required_documents(ctx.station, form)
    words = [w for w in _SEPARATORS.split(value.strip()) if w]
    if not words:
        raise _Bad(line, "已收资料", "请填写已收资料：“全部”，或列出收到的资料名称")
    if words in (["全部"], ["齐全"], ["全"]):
        chosen = specs
    else:
        chosen = []
        for word in words:
            spec = next((s for s in specs if word in (s.name, s.key) or word in s.forms), None)
            if spec is None:
                names = "、".join(s.name for s in specs)
                raise _Bad(line, "已收资料", f"“{word[:20]}”不在本业务类型的资料清单中（{names}）")
            if spec not in chosen:
                chosen.append(spec)
    # The ledger does not say which form: the first accepted form of each, as the checklist asks for it.
    return [ReceivedDocument(s.key, s.forms[0], s.copy_for(s.forms[0])) for s in chosen]


def _row(ctx: _Context, line: int, record: dict[str, str]) -> _Row:
    get = lambda name: (record.get(name) or "").strip()  # noqa: E731
    business_type = ctx.types.get(get("业务类型"))
    if business_type is None:
        raise _Bad(line, "业务类型", f"不认识的业务类型“{get('业务类型')[:20]}”")
    business = ctx.lists.business_type(business_type)
    person = business.resident or business_type == "well_private"
    default_id = intake.id_types(ctx.station, business_type)[0] if not person else "居民身份证"
    manager_name = get("客户经理")
    if manager_name and manager_name not in ctx.managers:
        raise _Bad(line, "客户经理", f"没有名为“{manager_name[:20]}”的操作员")
    form = IntakeForm(
        business_type=business_type,
        customer_name=record.get("客户名称", ""),
        id_type=get("证件类型") or default_id,
        id_number=record.get("证件号码", ""),
        phone=record.get("联系电话", ""),
        address=record.get("用电地址", ""),
        capacity_kw=record.get("申请容量（千瓦）", ""),
        voltage=_choice(get("电压等级"), VOLTAGES, "电压等级", line, business.voltage),
        channel=_choice(get("受理渠道"), CHANNELS, "受理渠道", line, "counter"),
        dual_supply=_flag(get("双电源"), "双电源", line),
        supporting_works=_flag(get("配套工程"), "配套工程", line),
        agent=_flag(get("委托代理人"), "委托代理人", line),
        important=_flag(get("重要客户"), "重要客户", line),
        customer_manager=ctx.managers.get(manager_name),
    )
    accepted_at = _when(get("受理时间"), line, ctx.now)
    form.received = _received(ctx, get("已收资料"), form, line)
    return _Row(line, form, accepted_at, get("原台账编号")[:50])


_FIELD_COLUMNS = {
    "customer_name": "客户名称",
    "id_type": "证件类型",
    "id_number": "证件号码",
    "phone": "联系电话",
    "address": "用电地址",
    "capacity_kw": "申请容量（千瓦）",
    "voltage": "电压等级",
    "documents": "已收资料",
}


def _check(ctx: _Context, row: _Row) -> list[RowError]:
    """The intake screen's rules, reported by ledger column."""
    report = intake.check_fields(row.form)
    errors = [RowError(row.line, _FIELD_COLUMNS.get(f, f), message) for f, message in report.errors.items()]
    if intake.intake_mode(ctx.station, row.form) == "refused":
        errors.append(RowError(row.line, "已收资料", intake.refusal_reason(ctx.station, row.form)))
    row.id_number = str(report.values.get("id_number", ""))
    return errors


def read_ledger(station: Station, data: bytes) -> tuple[list[_Row], list[RowError], int]:
    """Parse and check every row: (good rows, errors, number of data rows)."""
    ctx = _Context(station)
    good, errors, total = [], [], 0
    seen: dict[tuple[str, str], int] = {}
    for line, record in _records(decode(data)):
        total += 1
        try:
            row = _row(ctx, line, record)
        except _Bad as bad:
            errors.append(bad.error)
            continue
        problems = _check(ctx, row)
        key = (row.id_number, row.accepted_at.isoformat())
        if not problems and key in seen:
            problems.append(RowError(line, "证件号码", f"与第 {seen[key]} 行是同一件（证件号码和受理时间相同）"))
        seen.setdefault(key, line)
        if problems:
            errors.extend(problems)
        else:
            good.append(row)
    if total == 0:
        raise LedgerError("文件只有表头，没有数据行")
    return good, errors, total


def import_ledger(
    station: Station,
    path: Path,
    *,
    operator: str,
    skip_bad: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import the ledger at `path`; see the module docstring. `progress(done, total)` is called as rows are saved."""
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise LedgerError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
    good, errors, total = read_ledger(station, data)
    if errors and not skip_bad:
        raise LedgerRejected(errors, total)
    if not good:
        raise LedgerRejected(errors, total) if errors else LedgerError("没有可导入的行")
    store = station.store
    numbers = []
    with store.transaction():
        _refuse_reimport(station, good)
        for done, row in enumerate(good, start=1):
            accepted = intake.accept(
                station, row.form, operator=operator, simulated_at=row.accepted_at, origin="ledger"
            )
            numbers.append(accepted.number)
            if progress and (done % 100 == 0 or done == len(good)):
                progress(done, len(good))
        store.record(
            ev.LedgerImported(
                import_=str(uuid.uuid4()),
                file=Path(path).name,
                imported=len(good),
                skipped=total - len(good),
                original_numbers={
                    n: r.original_number for n, r in zip(numbers, good, strict=True) if r.original_number
                },
            ),
            operator=operator,
        )
    return ImportResult(len(good), total - len(good), errors, numbers)


def _refuse_reimport(station: Station, rows: list[_Row]) -> None:
    """The same ledger imported twice would double the applications: refuse rows already imported."""
    for row in rows:
        found = station.store.one(
            "SELECT number FROM applications WHERE id_number = ? AND accepted_at = ? AND origin = 'ledger'",
            (row.id_number, to_iso(row.accepted_at)),
        )
        if found:
            raise LedgerError(f"第 {row.line} 行已在之前导入过（申请 {found}），本次未导入任何一行")
