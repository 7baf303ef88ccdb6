"""The data dictionary written with each export (dictionary.csv) and, as Markdown, in the README."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

from station_tui.services.export.tables import KIND_LABELS, Column, Table, events_table, full_columns, tables

HEADER = (("文件", "file"), ("列名", "column"), ("英文列名", "column_en"), ("类型", "type"), ("说明", "meaning"))

GENERAL = (
    (
        "编码",
        "默认 UTF-8（带 BOM），Excel 双击即可正确打开；--encoding gbk 时为 GBK（无法用 GBK 表示的字符会使导出失败并逐一列出，绝不替换）。",
    ),
    ("列名", "默认中文列名；--headers en 时为本字典「英文列名」一列的稳定 ASCII 名称，供程序读取。"),
    ("空值", '文本单元格都带双引号，没有值时写作 ""；数值单元格不带引号，没有值时为空。'),
    ("时间与日期", "日期为 YYYY-MM-DD；时间为 ISO 8601，带时区 +08:00，精确到微秒。"),
    (
        "长数字",
        "看起来像数字的文本（以数字开头、只含数字、小数点和字母 E，如 0371、身份证号、纯数字的申请编号）前面加一个制表符：Excel 双击打开时按文本保留全部数字和开头的 0；程序读取时去掉开头的一个制表符。",
    ),
    (
        "防公式注入",
        "人工录入的文本若以 = + - @ 制表符 或回车 开头，前面加一个单引号（'），Excel 不会把它当公式执行；程序读取时去掉开头的一个单引号。数值列中的负数不受影响。",
    ),
    (
        "个人信息",
        "证件号码只显示前 6 位和后 4 位，电话隐去中间 4 位；文本和事件内容中的证件号、电话同样遮蔽。用 --include-personal-data 导出时不遮蔽，并记录操作员。操作员的 PIN 及其摘要从不导出。",
    ),
    (
        "增量与去重",
        "events.csv 只含上次成功导出之后的事件（--full 时为全部）；事件 ID 全局唯一，重复收到时按事件 ID 去重。applications、documents、stages、notices 是申请的状态：第一次导出和 --full 时为全部申请；每晚的增量导出只含本次事件涉及的申请（每件的全部行），其余申请没有变化（manifest.json 中 snapshot 为 partial，否则为 full）。indicators.csv 和 dictionary.csv 总是全量。",
    ),
    (
        "完整性",
        "manifest.json 最后写入，列出每个文件的行数、字节数和 SHA-256；没有 manifest.json 的文件夹是未完成的导出，不要读取。读取前可运行 station-tui export verify 文件夹。",
    ),
)

FILE_MEANINGS = {
    "indicators.csv": "按时限类别和月份统计的获得电力指标（全量）",
    "dictionary.csv": "本数据字典",
    "manifest.json": "导出清单：站点、设备、事件序号范围、各文件行数、字节数、SHA-256、数据库结构版本、写入时间、导出周期及下次导出时间（schedule，旧版导出没有）",
}


def _column_rows(file: str, columns: tuple[Column, ...]) -> Iterator[tuple[str, str, str, str, str]]:
    for column in columns:
        yield (file, column.zh, column.name, KIND_LABELS[column.kind], column.meaning)


def _event_type_rows() -> list[tuple[str, str, str, str, str]]:
    """events.csv's types from the event catalogue: 列名 holds the Chinese label, 英文列名 the type code."""
    from station_tui.store.catalogue import describe, describe_line

    return [("events.csv", e["label"], e["type"], "事件类型", describe_line(e)) for e in describe()]


def dictionary_rows(language: str, snapshot: list[Table], conn: sqlite3.Connection | None = None) -> list[tuple]:
    """Every row of dictionary.csv (a few hundred: built in memory). Cells are plain text the cell rules leave alone."""
    from station_tui.services.indicators import COLUMNS as INDICATOR_COLUMNS

    rows: list[tuple] = [("（全部）", topic, "", "", text) for topic, text in GENERAL]
    for table in [*snapshot, events_table()]:
        rows.append((table.file, "", "", "", table.meaning))
        columns = full_columns(conn, table) if conn is not None else table.columns
        rows += _column_rows(table.file, columns)
    rows += _event_type_rows()
    rows.append(("indicators.csv", "", "", "", FILE_MEANINGS["indicators.csv"]))
    rows += _column_rows("indicators.csv", INDICATOR_COLUMNS)
    rows += [(name, "", "", "", meaning) for name, meaning in FILE_MEANINGS.items() if name != "indicators.csv"]
    return rows


def dictionary_markdown() -> str:
    """The dictionary for the README."""
    from station_tui.services.indicators import COLUMNS as INDICATOR_COLUMNS

    lines = ["### 导出文件的数据字典", ""]
    lines += [f"- **{topic}**：{text}" for topic, text in GENERAL]
    for table in [*tables({}), events_table()]:
        lines += [
            "",
            f"#### {table.file}：{table.meaning}",
            "",
            "| 列名 | 英文列名 | 类型 | 说明 |",
            "|---|---|---|---|",
        ]
        lines += [f"| {c.zh} | `{c.name}` | {KIND_LABELS[c.kind]} | {c.meaning} |" for c in table.columns]
    lines += [
        "",
        "#### events.csv 的事件类型（事件类型代码 `type`）",
        "",
        "| 中文名称 | 事件类型代码 | 说明 |",
        "|---|---|---|",
    ]
    lines += [f"| {label} | `{code}` | {text} |" for _, label, code, _, text in _event_type_rows()]
    lines += ["", f"#### indicators.csv：{FILE_MEANINGS['indicators.csv']}", "", "| 列名 | 英文列名 | 类型 | 说明 |"]
    lines += ["|---|---|---|---|"]
    lines += [f"| {c.zh} | `{c.name}` | {KIND_LABELS[c.kind]} | {c.meaning} |" for c in INDICATOR_COLUMNS]
    from station_tui.services.indicators import STAGE_COLUMNS

    lines += ["", "#### 各环节用时（不单独导出：station-tui indicators --json 的 stages，county indicators --stages）", ""]
    lines += ["| 列名 | 英文列名 | 类型 | 说明 |", "|---|---|---|---|"]
    lines += [f"| {c.zh} | `{c.name}` | {KIND_LABELS[c.kind]} | {c.meaning} |" for c in STAGE_COLUMNS]
    lines += ["", f"- **manifest.json**：{FILE_MEANINGS['manifest.json']}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    # `python -m station_tui.services.export.dictionary > docs/export-dictionary.md`
    import sys

    sys.stdout.reconfigure(encoding="utf-8")  # the Chinese text, also on a Windows console
    sys.stdout.write(dictionary_markdown())
