"""The semiannual 报装信息 report (seed 003: sent by 10 January and 10 July): the high-voltage and 小微企业
applications connected in the half year, with their number, average working days, stages, documents and the cost to
the customer, per station and for the county. Written as an Excel workbook with real types (numbers as numbers,
application numbers and codes as text, so no digit is lost), one sheet per table and a chart sheet, or as CSV."""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from station_tui.county.indicators import COUNTY
from station_tui.county.schema import OUTCOME_TYPES
from station_tui.county.target import CountyError, Target
from station_tui.domain.workdays import WorkCalendar
from station_tui.services.indicators import workdays_used
from station_tui.services.station import load_all_profiles

ZERO_FEE = "办电零服务费"
HIGH, SMALL = "高压新装及增容", "小微企业"
_HALF = re.compile(r"(\d{4})H([12])")

DETAIL_HEADER = (
    "供电所代码", "供电所", "申请编号", "业务类型", "类别", "受理日期", "送电日期", "办理时长（工作日）", "环节数", "申请材料份数",
    "接电费用（元）", "办电策略",
)  # fmt: skip
SUMMARY_HEADER = (
    "供电所代码",
    "供电所",
    "类别",
    "件数",
    "平均办理时长（工作日）",
    "平均环节数",
    "平均申请材料份数",
    "接电费用合计（元）",
)

# The last outcome of each application finished in the half year; counted when it was a connection.
_CONNECTED = """
SELECT a.station, s.name, a.number, a.business_type_name, a.voltage, a.accepted_date, a.profile,
    (SELECT count(*) FROM stages g WHERE g.station = a.station AND g.application = a.uuid),
    (SELECT count(*) FROM documents d WHERE d.station = a.station AND d.application = a.uuid),
    (SELECT CAST(coalesce(sum(p.paused_workdays), 0) AS BIGINT) FROM pauses p WHERE p.station = a.station AND p.application = a.uuid),
    a.uuid
FROM applications a JOIN stations s ON s.code = a.station
JOIN (SELECT DISTINCT station, application FROM outcomes
    WHERE station IN (SELECT code FROM stations) AND type = ? AND day >= ? AND day <= ?) o
    ON o.station = a.station AND o.application = a.uuid
WHERE a.voltage = 'high' OR a.small_micro = 1
ORDER BY a.station, a.number
"""
_OUTCOMES = """
SELECT station, application, type, day FROM outcomes WHERE station IN (SELECT code FROM stations) AND day >= ?
ORDER BY station, application, seq
"""


def half_year(text: str) -> tuple[date, date]:
    match = _HALF.fullmatch(text.strip().upper())
    if not match:
        raise CountyError(f"半年应写作 YYYYH1 或 YYYYH2（如 2026H2），收到 {text!r}")
    year, half = int(match[1]), int(match[2])
    return (date(year, 1, 1), date(year, 6, 30)) if half == 1 else (date(year, 7, 1), date(year, 12, 31))


@dataclass
class Report:
    half: str
    details: list[tuple]
    summary: list[tuple]


def _fee(profiles: dict, profile_id: str) -> float | None:
    """0 where the profile states 办电零服务费; unknown (empty) otherwise: the county fills it in."""
    loaded = profiles.get(profile_id)
    return 0.0 if loaded is not None and ZERO_FEE in loaded.profile.fee_statement else None


def build_report(target: Target, half: str, calendar: WorkCalendar | None = None) -> Report:
    start, end = half_year(half)
    used = workdays_used(calendar or WorkCalendar())
    last: dict[tuple[str, str], tuple[str, str]] = {}
    for station, application, kind, day in target.query(_OUTCOMES, (start.isoformat(),)):
        last[station, application] = (kind, day)
    profiles = load_all_profiles()
    details = []
    rows = target.query(_CONNECTED, (OUTCOME_TYPES[0], start.isoformat(), end.isoformat()))
    for code, name, number, business, voltage, accepted, profile, stages, documents, paused, uuid in rows:
        kind, day = last.get((code, uuid), (None, None))
        if kind != OUTCOME_TYPES[0] or not (start.isoformat() <= day <= end.isoformat()):
            continue  # terminated after its connection, or its last connection fell outside the half year
        category = HIGH if voltage == "high" else SMALL
        details.append(
            (code, name, number, business, category, accepted, day, used(accepted, day, paused), stages,
             documents, _fee(profiles, profile), profile)
        )  # fmt: skip
    return Report(half.upper(), details, _summary(details))


def _mean(values: Sequence[float]) -> float | None:
    return round(sum(values) / len(values), 2) if values else None


def _summary(details: list[tuple]) -> list[tuple]:
    groups: dict[tuple[str, str, str], list[tuple]] = {}
    for row in details:
        groups.setdefault((row[0], row[1], row[4]), []).append(row)
        groups.setdefault((COUNTY, "", row[4]), []).append(row)
    result = []
    for (code, name, category), rows in sorted(groups.items(), key=lambda item: (item[0][0] == COUNTY, item[0])):
        fees = [r[10] for r in rows]
        total = None if any(f is None for f in fees) else sum(fees)
        result.append(
            (code, name, category, len(rows), _mean([r[7] for r in rows]), _mean([r[8] for r in rows]),
             _mean([r[9] for r in rows]), total)
        )  # fmt: skip
    return result


def write_report(report: Report, out: Path) -> list[Path]:
    out = Path(out)
    if out.suffix.lower() == ".xlsx":
        _write_xlsx(report, out)
        return [out]
    if out.suffix.lower() == ".csv":
        detail = out.with_name(out.stem + "-明细.csv")
        _write_csv(out, SUMMARY_HEADER, report.summary)
        _write_csv(detail, DETAIL_HEADER, report.details)
        return [out, detail]
    raise CountyError(f"报表文件应以 .xlsx 或 .csv 结尾：{out}")


def _write_csv(path: Path, header: Sequence[str], rows: list[tuple]) -> None:
    # UTF-8 with BOM as the station's export: Excel opens it by double-click. Codes are text cells as they are; the
    # workbook is the form that keeps every digit in Excel.
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)


def _write_xlsx(report: Report, out: Path) -> None:
    try:
        from openpyxl import Workbook
        from openpyxl.chart import BarChart, Reference
    except ImportError as exc:
        raise CountyError("写 Excel 报表需要 openpyxl：请安装 station-tui[county]，或改用 .csv") from exc
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    _fill(summary, SUMMARY_HEADER, report.summary, text_columns={0, 1, 2})
    detail = book.create_sheet("明细")
    _fill(detail, DETAIL_HEADER, report.details, text_columns={0, 1, 2, 3, 4, 5, 6, 11})
    stations = [r for r in report.summary if r[0] != COUNTY]
    if stations:
        chart = BarChart()
        chart.title = f"{report.half} 报装件数（已送电）"
        chart.y_axis.title = "件数"
        data = Reference(summary, min_col=4, min_row=1, max_row=1 + len(stations))
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(Reference(summary, min_col=2, min_row=2, max_row=1 + len(stations)))
        sheet = book.create_chartsheet("图表")
        sheet.add_chart(chart)
    try:
        book.save(out)
    except OSError as exc:
        raise CountyError(f"无法写入 {out}（{exc.strerror or exc}）") from exc


def _fill(sheet, header: Sequence[str], rows: list[tuple], text_columns: set[int]) -> None:  # noqa: ANN001
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    for index in text_columns:
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index + 1, max_col=index + 1):
            cell.data_type = "s"  # text, never a number: 0371… and long all-digit numbers keep every digit
            cell.number_format = "@"
    sheet.freeze_panes = "A2"
