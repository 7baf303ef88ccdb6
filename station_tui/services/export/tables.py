"""What each exported file holds: its columns with a Chinese and an English header, their kind and meaning, and the
SQL that reads them with the cell rules and masking applied inside SQLite. The data dictionary is made from this.

Column kinds decide what happens to a cell:
  uuid, enum, date, time, int, real, bool: machine-made, written as they are;
  code, text: the injection guard and the Excel digit rule (services/export/files.py);
  free: text a person typed that may hold a phone or an identity number: masked inside, then guarded;
  id, phone: masked (unless personal data is included), then guarded;
  json: an event payload: secrets dropped, personal data masked (services/export/masking.py).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field

from station_tui.domain import glossary
from station_tui.domain.deadlines import WORKS_DEADLINE_SQL
from station_tui.domain.masking import PERSONAL_KEYS, mask_id
from station_tui.services.export.files import NUMERIC_KINDS, guard_cell, guard_sql, line_sql
from station_tui.services.export.masking import clean_csv_cell, id_sql, phone_sql
from station_tui.store import catalogue
from station_tui.store.masking import clean_payload, export_form_sql, fast_mask_id, fast_mask_phone, mask_text

KIND_LABELS = {
    "uuid": "标识（UUID）",
    "code": "编号（文本）",
    "text": "文本",
    "free": "文本（其中的电话、证件号已遮蔽）",
    "id": "证件号码（已遮蔽）",
    "phone": "电话（已遮蔽）",
    "enum": "代码",
    "name": "代码的中文名",
    "date": "日期 YYYY-MM-DD",
    "time": "时间 ISO 8601，带时区 +08:00",
    "int": "整数",
    "real": "数值",
    "bool": "是否：1 是，0 否",
    "share": "比例 0–1（4 位小数）",
    "json": "JSON（个人信息已遮蔽，不含 PIN）",
}

GUARDED = {"code", "text", "free", "id", "phone"}


@dataclass(frozen=True)
class Column:
    name: str  # the English header, stable for loaders: also the database column when `sql` is empty
    zh: str
    kind: str
    meaning: str = ""
    sql: str = ""  # an expression instead of the column itself (a name from the glossary, a joined value)


@dataclass(frozen=True)
class Table:
    file: str
    source: str  # the FROM clause; the main table is aliased `t`
    columns: tuple[Column, ...]
    meaning: str
    order: str = "t.rowid"
    extra_from: str = field(default="")  # the table whose unlisted columns are exported too (forward compatibility)


def case_sql(expr: str, mapping: Mapping[str, str]) -> str:
    """A glossary mapping as a SQL CASE: the Chinese word for a code, in C, not in Python per row."""
    whens = " ".join(f"WHEN '{code}' THEN '{word}'" for code, word in mapping.items())
    return f"CASE {expr} {whens} ELSE {expr} END"


def _business_type_names() -> dict[str, str]:
    from station_tui.domain.checklists import load_checklists

    return {b.id: b.name for b in load_checklists().business_types}


def _named(code: str, zh: str, mapping: Mapping[str, str], meaning: str = "") -> tuple[Column, Column]:
    return (
        Column(code, f"{zh}代码", "enum", meaning),
        Column(f"{code}_name", zh, "name", sql=case_sql(f"t.{code}", mapping)),
    )


def tables(category_names: Mapping[str, str]) -> list[Table]:
    """The snapshot files in the order they are written (events.csv, written after them, is the incremental one).

    `category_names` maps "<profile>/<category>" to the category's Chinese name."""
    app_number = Column("application_number", "申请编号", "code", "所属申请的编号", sql="a.number")
    applications = Table(
        "applications.csv",
        "applications t LEFT JOIN operators o ON o.uuid = t.customer_manager",
        (
            Column("uuid", "申请ID", "uuid", "申请的唯一标识，各文件以此关联"),
            Column("number", "申请编号", "code"),
            *_named("business_type", "业务类型", _business_type_names()),
            *_named("intake_mode", "受理方式", glossary.INTAKE_MODES, "complete 两证办结，deferred 容缺办理"),
            *_named("status", "状态", glossary.APPLICATION_STATUSES),
            Column("customer_name", "客户名称", "text"),
            Column("id_type", "证件类型", "text"),
            Column("id_number", "证件号码", "id", "前 6 位和后 4 位可见"),
            Column("phone", "联系电话", "phone", "中间 4 位隐去"),
            Column("address", "用电地址", "free"),
            Column("capacity_kw", "报装容量（千瓦）", "real"),
            *_named("voltage", "电压等级", glossary.VOLTAGES),
            *_named("channel", "受理渠道", glossary.CHANNELS),
            Column("dual_supply", "双电源", "bool"),
            Column("supporting_works", "有配套工程", "bool"),
            Column("small_micro", "小微企业", "bool"),
            Column("three_zero", "三零服务", "bool"),
            Column("important", "重要客户", "bool"),
            Column("agent", "委托代理办理", "bool"),
            Column("distribution_upgrade", "配网改造", "bool"),
            Column("flags_reason", "认定说明", "free"),
            Column("profile", "办电策略", "enum", "策略编号，见 station-tui profiles"),
            Column("category", "时限类别代码", "enum"),
            Column("category_name", "时限类别", "name", sql=case_sql("t.profile || '/' || t.category", category_names)),
            Column("limit_days", "时限天数", "int"),
            *_named("limit_unit", "时限单位", glossary.LIMIT_UNITS),
            Column("customer_manager", "客户经理ID", "uuid"),
            Column("customer_manager_name", "客户经理", "text", sql="o.name"),
            Column("current_stage", "当前环节序号", "int", "从 1 起，见 stages.csv"),
            Column("accepted_at", "受理时间", "time"),
            Column("accepted_date", "受理日期", "date"),
            Column("due_date", "到期日", "date", "暂停的工作日已顺延"),
            Column("due_estimated", "到期日为估算", "bool", "到期日所在年份尚无官方节假日安排"),
            Column("paused_at", "暂停时间", "time"),
            Column("pause_reason", "暂停原因", "free"),
            Column("finished_at", "送电或终止时间", "time"),
            Column("finish_reason", "终止原因", "free"),
            Column("simulated", "演示或补录数据", "bool", "1：不是当场录入的记录"),
            Column("device", "录入设备", "uuid"),
            # Last, where the exports made before it was listed put it (as an unlisted column, headed by its name).
            Column(
                "origin", "来源", "enum",
                "counter：在供电所受理（柜台、线上、电话）；ledger：从纸质台账补录，受理时间为台账所记",
            ),  # fmt: skip
        ),
        "每件报装申请的当前状态（增量导出时只含本次事件涉及的申请）",
        extra_from="applications",
    )
    documents = Table(
        "documents.csv",
        "documents t",
        (
            Column("uuid", "资料ID", "uuid"),
            Column("application", "申请ID", "uuid", "与 applications.csv 的申请ID 对应"),
            Column("doc_key", "资料代码", "enum"),
            Column("name", "资料名称", "text"),
            Column("form", "资料形式", "text"),
            *_named("copy_kind", "原件/复印件", glossary.COPY_KINDS),
            *_named("status", "资料状态", glossary.DOCUMENT_STATUSES),
            Column("received_at", "收取时间", "time"),
            Column("assigned_to", "补收人ID", "uuid"),
            Column("collect_at_stage", "补收环节", "text"),
            Column("collected_at", "补收时间", "time"),
            Column("collected_by", "补收操作员ID", "uuid"),
            Column("device", "录入设备", "uuid"),
        ),
        "每件申请所需的每份资料及其收取情况（增量导出时只含本次事件涉及的申请）：份数即「收资份数」",
        extra_from="documents",
    )
    stages = Table(
        "stages.csv",
        "stages t",
        (
            Column("uuid", "环节ID", "uuid"),
            Column("application", "申请ID", "uuid", "与 applications.csv 的申请ID 对应"),
            Column("position", "环节序号", "int"),
            Column("name", "环节名称", "text"),
            Column("limit_days", "环节时限天数", "int"),
            Column("customer_side", "客户侧环节", "bool", "客户自行实施的外部工程，不计入供电企业时限"),
            Column("started_at", "开始时间", "time"),
            Column("finished_at", "完成时间", "time"),
            Column("device", "录入设备", "uuid"),
        ),
        "每件申请的办电环节（增量导出时只含本次事件涉及的申请）",
        extra_from="stages",
    )
    notices = Table(
        "notices.csv",
        "notices t LEFT JOIN applications a ON a.uuid = t.application",
        (
            Column("uuid", "告知书ID", "uuid"),
            Column("application", "申请ID", "uuid"),
            app_number,
            Column("serial", "告知书编号", "code"),
            Column("kind", "告知书类型", "enum"),
            Column("content", "告知书内容", "free"),
            Column("issued_at", "出具时间", "time"),
            Column("operator", "出具操作员ID", "uuid"),
            Column("replaces", "替代的告知书ID", "uuid"),
            Column("reprints", "补打次数", "int"),
            Column("device", "录入设备", "uuid"),
        ),
        "出具的一次告知书（增量导出时只含本次事件涉及的申请）",
        extra_from="notices",
    )
    return [applications, documents, stages, notices, works_table(app_number)]


# An application connected (or archived after its connection): the day its supporting works were finished at the latest.
_CONNECTED_DAY = (
    "CASE WHEN a.status IN ('connected', 'closed') AND coalesce(a.finish_reason, '') = ''"
    " THEN substr(a.finished_at, 1, 10) END"
)


def works_table(app_number: Column) -> Table:
    """Supporting grid works (配套工程). Their deadline is the earlier of the limit's due date and the agreed date;
    the program records no completion of the works of their own, so they count as finished by the connection."""
    deadline = WORKS_DEADLINE_SQL.format(t="t")
    return Table(
        "works.csv",
        "supporting_works t JOIN applications a ON a.uuid = t.application",
        (
            Column("uuid", "配套工程ID", "uuid"),
            Column("application", "申请ID", "uuid", "与 applications.csv 的申请ID 对应"),
            app_number,
            Column("voltage", "电压等级", "text", "配套工程建设时限表的电压等级，如 10千伏"),
            Column("item", "工程项目", "text", "配套工程建设时限表的项目，如 线路T接"),
            Column("project_manager", "项目经理", "text", "双经理负责制：与客户经理共同负责"),
            Column("limit_days", "建设时限（工作日）", "int", "本站策略的配套工程建设时限"),
            Column("contract_date", "约定完成时间", "date", "与客户约定（契约制），不晚于客户工程完成时间"),
            Column("customer_completion", "客户工程计划完成时间", "date"),
            Column("due_date", "时限到期日", "date", "登记次日起按本站节假日日历计工作日（限时制）"),
            Column("due_estimated", "到期日为估算", "bool", "到期日所在年份尚无官方节假日安排"),
            Column("deadline", "完成期限", "date", "约定完成时间与时限到期日中较早者", sql=deadline),
            Column(
                "connected_date", "送电日期", "date", "所属申请装表送电的日期；未送电或已终止为空", sql=_CONNECTED_DAY
            ),
            Column(
                "on_time",
                "按期完成",
                "bool",
                "送电日不晚于完成期限为 1，晚于为 0，未送电为空（配套工程最迟随装表送电完成，本程序不另记竣工）",
                sql=f"CASE WHEN {_CONNECTED_DAY} IS NOT NULL THEN {_CONNECTED_DAY} <= {deadline} END",
            ),
            Column("recorded_at", "登记时间", "time"),
            Column("operator", "登记操作员ID", "uuid"),
            Column("device", "录入设备", "uuid"),
        ),
        "每件申请登记的配套工程及其期限（全量）",
        extra_from="supporting_works",
    )


def events_table() -> Table:
    return Table(
        "events.csv",
        "events t",
        (
            Column("seq", "序号", "int", "本机事件序号；manifest.json 给出本次范围"),
            Column("uuid", "事件ID", "uuid", "全局唯一：重复收到的事件按此去重"),
            Column("device", "设备", "uuid"),
            Column("device_seq", "设备内序号", "int"),
            *_named("type", "事件类型", catalogue.labels()),
            Column("application", "申请ID", "uuid"),
            Column("payload", "事件内容", "json"),
            Column("recorded_at", "记录时间", "time", "事件发生时系统时钟的真实时间"),
            Column("operator", "操作员ID", "uuid"),
            Column("simulated", "演示或补录", "bool"),
            # Last, so that a loader reading the columns by position still finds the others where they were.
            Column(
                "version",
                "内容版本",
                "int",
                "事件内容（payload）的版本：各事件类型的版本及其字段见 station-tui events --catalogue",
            ),
        ),
        "自上次成功导出以来的事件（--full 时为全部），不含「导出完成」事件本身",
        order="t.seq",
    )


# --- reading with the rules applied ------------------------------------------------------------------------------

_SEVEN_DIGITS = "'*" + "[0-9０-９]" * 7 + "*'"  # full-width digits too (store/masking.py reads them)


def _free_sql(expr: str) -> str:
    # Only text with seven digits in a row can hold a phone or an identity number: the rest never leaves SQLite.
    return f"CASE WHEN {expr} GLOB {_SEVEN_DIGITS} THEN x_text({expr}) ELSE {guard_sql(expr)} END"


def has_secret_sql(expr: str) -> str:
    """True for a payload that may hold a PIN's hash or salt (only an operator's payload does): the only payloads an
    export with personal data needs Python for. For any other, clean_payload(include_personal=True) gives the payload
    itself (a test checks the SQL against the definition)."""
    return f"instr({expr}, '\"pin_')"


def json_sql(column: Column, include_personal: bool) -> str:
    """An event payload as exported. Without personal data: the payload with the export form each event row keeps
    laid over it (store/masking.py makes it when the event is written), no Python and no scan of the payload at
    export time. With personal data only the secrets go, in Python."""
    expr = column.sql or f"t.{column.name}"
    if not include_personal:
        return export_form_sql(expr, "t.export_at", "t.export_text")
    # As bytes: the payload is UTF-8 in the file, so the shortcut in masking.py never decodes it.
    return f"CASE WHEN {has_secret_sql(expr)} THEN x_payload(CAST({expr} AS BLOB)) ELSE {expr} END"


def column_sql(column: Column, include_personal: bool) -> str:
    expr = column.sql or f"t.{column.name}"
    kind = column.kind
    if kind in ("code", "text") or (kind in ("id", "phone", "free") and include_personal):
        return guard_sql(expr)
    if kind == "free":
        return _free_sql(expr)
    # The masks of the shapes SQLite handles itself never need the cell rules (they hold '*', and start with a
    # letter or a digit): only the Python fallbacks apply them.
    if kind == "id":
        return id_sql(expr, "x_id")
    if kind == "phone":
        return phone_sql(expr, "x_phone")
    if kind == "json":
        return json_sql(column, include_personal)
    return expr


def register_functions(conn: sqlite3.Connection, include_personal: bool) -> None:
    """The Python side of the SQL above, each returning a guarded cell."""

    def masked(fn):  # noqa: ANN001, ANN202
        return lambda value: None if value is None else guard_cell(fn(value) if isinstance(value, str) else value)

    conn.create_function("x_id", 1, masked(fast_mask_id), deterministic=True)
    conn.create_function("x_phone", 1, masked(fast_mask_phone), deterministic=True)
    conn.create_function("x_text", 1, masked(mask_text), deterministic=True)
    conn.create_function(
        "x_payload",
        1,
        lambda value: None if value is None else clean_payload(value, include_personal=include_personal),
        deterministic=True,
    )


def full_columns(conn: sqlite3.Connection, table: Table) -> tuple[Column, ...]:
    """The listed columns, plus any the table has gained since (a later migration), exported as guarded free text."""
    if not table.extra_from:
        return table.columns
    listed = {c.name for c in table.columns}
    extra = []
    for row in conn.execute(f"PRAGMA table_info({table.extra_from})"):
        name = row[1]
        if name not in listed:
            kind = "id" if PERSONAL_KEYS.get(name) is mask_id else "phone" if name in PERSONAL_KEYS else "free"
            extra.append(Column(name, name, kind, "（本版本数据字典未收录的新列）"))
    return (*table.columns, *extra)


def numeric_flags(columns: tuple[Column, ...]) -> list[bool]:
    return [c.kind in NUMERIC_KINDS for c in columns]


def select_sql(table: Table, columns: tuple[Column, ...], include_personal: bool, where: str = "") -> str:
    """One column: each row's whole CSV line, cell rules and masking applied (for a look at single rows)."""
    line = line_sql([column_sql(c, include_personal) for c in columns], numeric_flags(columns))
    return f"SELECT {line} FROM {table.source} {where} ORDER BY {table.order}"


CHUNK_ROWIDS = 2000


# A byte that UTF-8 text never holds: in a chunk's lines, it marks where a payload for Python begins and ends.
HOLE = b"\xff"
_HOLE_SQL = "CAST(x'ff' AS TEXT)"


def chunk_sql(table: Table, columns: tuple[Column, ...], include_personal: bool, condition: str = "") -> str:
    """The CSV lines of the rows with a rowid in (:lo, :hi], in rowid order, as one UTF-8 blob (each line ending with
    CRLF), and how many lines.

    One step of SQLite makes a whole chunk: Python touches each chunk once instead of each row or payload, and SQLite
    works meanwhile without Python's lock, so chunks made by several threads really run side by side. A payload only
    Python can clean stands in its cell between two HOLEs, quoted but not yet cleaned (see fill_holes)."""
    exprs = []
    for column in columns:
        if column.kind == "json" and include_personal:
            expr = column.sql or f"t.{column.name}"
            exprs.append(f"CASE WHEN {has_secret_sql(expr)} THEN {_HOLE_SQL} || {expr} || {_HOLE_SQL} ELSE {expr} END")
        else:
            exprs.append(column_sql(column, include_personal))
    line = line_sql(exprs, numeric_flags(columns))
    where = " AND ".join(["t.rowid > :lo", "t.rowid <= :hi", *([condition] if condition else [])])
    # group_concat takes the rows in the order they come, the inner ORDER BY's (a test checks it).
    return (
        f"SELECT CAST(group_concat(line, '') AS BLOB), count(*)"
        f" FROM (SELECT {line} AS line FROM {table.source} WHERE {where} ORDER BY t.rowid)"
    )


def fill_holes(lines: bytes, include_personal: bool) -> bytes | None:
    """The chunk's lines with each payload between HOLEs (quotes already doubled) cleaned; None if the HOLEs do not
    pair up (only text that is not UTF-8 could do that)."""
    if HOLE not in lines:  # memchr; a split would walk the bytes one by one
        return lines
    parts = lines.split(HOLE)
    if len(parts) % 2 == 0:
        return None
    plain = b"\\" not in lines  # checked once for the whole chunk (memchr), not once per payload
    for i in range(1, len(parts), 2):
        parts[i] = clean_csv_cell(parts[i], include_personal=include_personal, plain=plain)
    return b"".join(parts)


def chunk_bounds(conn: sqlite3.Connection, table: Table) -> list[tuple[int, int]]:
    """The (lo, hi] rowid ranges of the table's chunks, in order."""
    name = table.source.split()[0]
    # Two subqueries: each end of the table's b-tree is one step, while min() and max() in one SELECT read it whole.
    low, high = conn.execute(f"SELECT (SELECT min(rowid) FROM {name}), (SELECT max(rowid) FROM {name})").fetchone()
    if low is None:
        return []
    return [(lo, lo + CHUNK_ROWIDS) for lo in range(low - 1, high, CHUNK_ROWIDS)]


def headers(columns: tuple[Column, ...], language: str) -> list[str]:
    return [c.zh if language == "zh" else c.name for c in columns]
