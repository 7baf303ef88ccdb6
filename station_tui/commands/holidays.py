"""`station-tui deadline` and `station-tui holidays import | export | status`."""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import click

from station_tui.commands.common import CommandError, db_option, open_station, plain_errors, resolve_db
from station_tui.domain.deadlines import due_date

WEEKDAYS = "一二三四五六日"


def _usage_error(message: str) -> None:
    """A bad argument: one line and exit status 2 (as for any usage error), never a traceback."""
    click.echo(f"错误：{message}", err=True)
    sys.exit(2)


def _station_if_any(db_path: Path | None):  # noqa: ANN202
    """The station when --db is given or the default database exists; None otherwise (library data only)."""
    if db_path is None and not resolve_db(None).exists():
        return None
    return open_station(db_path)


def _calendar(station):  # noqa: ANN001, ANN202
    from station_tui.domain.workdays import WorkCalendar

    return station.calendar if station is not None else WorkCalendar()


def _runs(days: list[tuple[date, str]]) -> list[tuple[date, date, str]]:
    """Consecutive days with the same reason, as (first, last, reason)."""
    runs: list[tuple[date, date, str]] = []
    for day, reason in days:
        if runs and runs[-1][2] == reason and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day, reason)
        else:
            runs.append((day, day, reason))
    return runs


def _day(day: date) -> str:
    return f"{day.isoformat()}（星期{WEEKDAYS[day.weekday()]}）"


@click.command("deadline", context_settings={"ignore_unknown_options": True})
@click.argument("start")
@click.argument("n")
@click.option("--calendar-days", is_flag=True, help="按自然日计算（到期日遇休息日、节假日顺延到下一个工作日）")
@db_option
@plain_errors
def deadline_command(start: str, n: str, calendar_days: bool, db_path: Path | None) -> None:
    """到期日：从 START（YYYY-MM-DD，当日不计入）起 N 个工作日（或自然日）。

    给出 --db 或默认数据库存在时，计入本站录入的节假日安排及其策略的受理顺延设置。
    """
    from station_tui.domain.holiday_files import parse_date
    from station_tui.domain.workdays import CALENDAR_DAY, WORKDAY

    day = parse_date(start)
    if day is None:
        _usage_error(f"无法识别的日期“{start}”，应写作 2026-09-30")
    try:
        count = int(n.strip())
    except ValueError:
        _usage_error(f"天数“{n}”不是整数")
    if count < 0:
        _usage_error(f"天数不能为负数：{count}")
    station = _station_if_any(db_path)
    cal = _calendar(station)
    receipt = bool(station is not None and station.initialized and station.profile.rest_day_receipt_next_workday)
    unit = CALENDAR_DAY if calendar_days else WORKDAY
    try:
        due = due_date(cal, day, count, unit, receipt_next_workday=receipt)
    except (ValueError, OverflowError):  # past 9999-12-31, the last day a date can hold
        _usage_error(f"从 {day.isoformat()} 起 {count} 天的到期日超出了能计算的日期范围（到 9999-12-31 为止）")
    unit_zh = "个自然日" if calendar_days else "个工作日"
    click.echo(f"{due.date.isoformat()}  星期{WEEKDAYS[due.date.weekday()]}  {day.isoformat()} 起 {count} {unit_zh}")
    if due.received is not None and due.received != day:
        click.echo(f"受理顺延：休息日收到，视为 {_day(due.received)} 受理")
    if due.skipped:
        click.echo("跳过的休息日：")
        for first, last, reason in _runs(due.skipped):
            span = _day(first) if first == last else f"{_day(first)} 至 {_day(last)}"
            click.echo(f"  {span} {reason}")
    else:
        click.echo("跳过的休息日：无")
    makeup = [
        info
        for info in (cal.day_info(day + timedelta(days=i)) for i in range(1, (due.date - day).days + 1))
        if info.kind.value == "makeup"
    ]
    for info in makeup:
        click.echo(f"调休上班日（计为工作日）：{_day(info.day)} {info.festival or ''}".rstrip())
    years = range(min(day, due.date).year, due.date.year + 1)
    sources = "、".join(f"{y} 年：{cal.source(y).label}" for y in years)
    if due.estimated:
        click.echo(f"依据：估算（{sources}）：该年尚无官方节假日安排，按法定节日规则推算，不含调休，仅供参考")
    else:
        click.echo(f"依据：官方安排（{sources}）")


@click.group("holidays")
def holidays_group() -> None:
    """节假日安排：导入、导出、各年份来源。"""


@holidays_group.command("import")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@db_option
@plain_errors
def import_command(file: Path, db_path: Path | None) -> None:
    """导入一年的节假日安排（CSV：日期,类型,名称；UTF-8 或 GBK），并重算在办申请的期限。"""
    from station_tui.services.holidays import import_file

    station = open_station(db_path)
    result = import_file(station, file, operator=None)
    click.echo(
        f"已采用 {result.year} 年节假日安排：放假 {result.holidays} 天，调休上班 {result.makeup_workdays} 天"
        f"（原来：{result.previous_source.label}）"
    )
    _print_moved(result)


def _print_moved(result) -> None:  # noqa: ANN001
    if not result.moved:
        click.echo("在办申请的期限均未变动。")
    else:
        click.echo(f"期限变动的申请 {len(result.moved)} 件：")
        for m in result.moved:
            mark = "（估算）" if m.estimated else ""
            click.echo(
                f"  {m.number}  {m.customer}  {m.previous.isoformat()} → {m.due.isoformat()}{mark}"
                f"  {m.shift:+d} 个工作日"
            )
    if result.estimate_cleared:
        click.echo(f"另有 {result.estimate_cleared} 件期限未变，已由估算转为依据官方安排。")


@holidays_group.command("export")
@click.argument("year", type=int)
@click.option("--out", "out", type=click.Path(path_type=Path, dir_okay=False), help="写入文件（默认输出到屏幕）")
@db_option
@plain_errors
def export_command(year: int, out: Path | None, db_path: Path | None) -> None:
    """导出一年的节假日安排（与导入同一格式），供其他供电所导入。"""
    from station_tui.services.holidays import export_text

    station = _station_if_any(db_path)
    text = export_text(_calendar(station), year)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        # With a BOM, so that Excel on Windows opens it as UTF-8; the importer reads both.
        out.write_text(text, encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise CommandError(f"无法写入 {out}：{exc.strerror or exc}") from exc
    click.echo(f"已导出 {year} 年节假日安排到 {out}")


@holidays_group.command("status")
@db_option
@plain_errors
def status_command(db_path: Path | None) -> None:
    """列出 2004 年至三年后每一年节假日数据的来源。"""
    from station_tui.domain.timeutil import local_date, system_now
    from station_tui.services.holidays import year_statuses

    station = _station_if_any(db_path)
    today = local_date(station.store.clock() if station is not None else system_now())
    for status in year_statuses(station, _calendar(station), today):
        when = f"  录入于 {status.entered_at[:16].replace('T', ' ')}" if status.entered_at else ""
        click.echo(f"{status.year}  {status.label}{when}")


COMMANDS = [deadline_command, holidays_group]
