"""`station-tui county …`: the county office's commands. `county load` every morning, `county status` to see who is
silent, `county indicators`, `county report --half`, and `county --into TARGET` for the screen."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from datetime import date
from pathlib import Path

import click

from station_tui.commands.common import CommandError, plain_errors

TARGET_HELP = "县公司数据库：SQLite 文件（默认 county.db），或 postgresql://… 地址"


def into_option(fn):  # noqa: ANN001, ANN201
    return click.option("--into", "target", default="county.db", show_default=True, help=TARGET_HELP)(fn)


def _open(target: str):  # noqa: ANN202
    from station_tui.county.target import open_target

    return open_target(target)


def _open_loaded(target: str):  # noqa: ANN202
    """For the commands that read (status, indicators, report, the screen): a database nothing was loaded into is
    said to be so, never created empty."""
    from station_tui.county.status import require_county, require_loaded

    require_loaded(target)
    db = _open(target)
    try:
        require_county(db, target)
    except Exception:
        db.close()
        raise
    return db


def _when(moment) -> str:  # noqa: ANN001
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "—"


@click.group("county", invoke_without_command=True)
@into_option
@click.pass_context
@plain_errors
def county_group(ctx: click.Context, target: str) -> None:
    """县公司：载入各供电所的导出、查看指标和报表。不带子命令时打开县公司界面。"""
    if ctx.invoked_subcommand is not None:
        return
    from station_tui.screens.county import CountyApp

    _open_loaded(target).close()
    CountyApp(target).run()


@county_group.command("load")
@click.argument("folders", nargs=-1, required=True, type=click.Path(path_type=Path))
@into_option
@click.option("--jobs", default=1, show_default=True, type=click.IntRange(1, 64), help="PostgreSQL：同时载入几个供电所")
@plain_errors
def load_command(folders: tuple[Path, ...], target: str, jobs: int) -> None:
    """载入导出文件夹（一次导出、一个供电所的文件夹，或整个收件箱）。先按 manifest 校验，不合格的拒收并说明原因。"""
    from rich.console import Console
    from rich.progress import Progress
    from rich.table import Table

    from station_tui.county.load import load_folders

    db = _open(target)
    try:
        with Progress(transient=True, console=Console(stderr=True)) as progress:
            task = progress.add_task("载入", total=None)

            def step(done: int, total: int, folder: str) -> None:
                progress.update(task, completed=done, total=total, description=f"载入 {Path(folder).name}")

            report = load_folders(db, folders, progress=step, jobs=jobs)
    finally:
        db.close()
    labels = {"loaded": "已载入", "already": "已载入过", "refused": "拒收"}
    table = Table(title=f"载入到 {target}")
    for name in ("供电所", "文件夹", "结果", "事件行", "新事件", "说明"):
        table.add_column(name)
    for f in report.folders:
        note = f.reason or ("站点状态表已更新" if f.snapshot else "")
        table.add_row(f.station, f.folder.name, labels[f.status], str(f.event_rows), str(f.new_events), note)
    console = Console()
    console.print(table)
    loaded = sum(f.status == "loaded" for f in report.folders)
    click.echo(
        f"共 {len(report.folders)} 个文件夹：载入 {loaded}，已载入过 "
        f"{sum(f.status == 'already' for f in report.folders)}，拒收 {len(report.refused)}；新事件 {report.new_events} 条。"
    )
    for gap in report.gaps:
        click.echo(f"缺口：{gap}")
    if report.refused:
        for f in report.refused:
            click.echo(f"拒收：{f.station} {f.folder}：{f.reason}", err=True)
        sys.exit(1)


def _state(s) -> str:  # noqa: ANN001 - a county.status.StationStatus
    marks = []
    if s.silent:
        marks.append("失联（超过一天没有导出）")
    if s.past_schedule:
        marks.append(f"超过导出周期（应在 {_when(s.next_export)} 导出）")
    return f"[red]{'；'.join(marks)}[/red]" if marks else "正常"


@county_group.command("status")
@into_option
@plain_errors
def status_command(target: str) -> None:
    """每个供电所最近一次导出和最近一条事件的时间；超过一天没有导出的标为「失联」，过了导出周期（下次应导出的时间已过）仍没有新导出的标为「超过导出周期」；列出拒收的文件夹和缺口。"""
    from rich.console import Console
    from rich.table import Table

    from station_tui.county.status import county_status

    db = _open_loaded(target)
    try:
        status = county_status(db)
    finally:
        db.close()
    table = Table(title="各供电所")
    for name in ("供电所代码", "名称", "最近导出", "最近事件", "导出周期", "应有下次导出", "状态"):
        table.add_column(name)
    for s in status.stations:
        table.add_row(
            s.code, s.name, _when(s.last_export), _when(s.last_event), s.schedule or "（导出未带周期）",
            _when(s.next_export), _state(s),
        )  # fmt: skip
    Console().print(table)
    silent = [s.code for s in status.stations if s.silent]
    late = [s.code for s in status.stations if s.past_schedule]
    click.echo(
        f"{len(status.stations)} 个供电所，失联 {len(silent)} 个" + (f"：{'、'.join(silent)}" if silent else "")
        + f"；超过导出周期 {len(late)} 个" + (f"：{'、'.join(late)}" if late else "")
    )  # fmt: skip
    for r in status.refusals:
        click.echo(f"拒收的文件夹：{r.station} {r.folder}：{r.reason}")
    for gap in status.gaps:
        click.echo(f"缺口：{gap}")


# The columns a terminal can hold (all of them: county.indicators.indicators, and the data dictionary).
SHOWN = (
    "station", "month", "category_name", "accepted", "connected", "terminated", "termination_rate", "avg_workdays",
    "p90_workdays", "on_time_share", "excluded_workdays", "deferred_on_time_share", "works_on_time_share",
    "called_share", "satisfied_share",
)  # fmt: skip


@county_group.command("indicators")
@into_option
@click.option("--month", help="月份 YYYY-MM（按月）")
@click.option("--from", "first", help="起始日期 YYYY-MM-DD（与 --to 一起：整个区间合计）")
@click.option("--to", "last", help="截止日期 YYYY-MM-DD（含）")
@click.option("--station", help="只看一个供电所（代码）")
@click.option("--stages", "per_stage", is_flag=True, help="再列出各环节的平均用时和90百分位")
@plain_errors
def indicators_command(
    target: str, month: str | None, first: str | None, last: str | None, station: str | None, per_stage: bool
) -> None:
    """各供电所、各时限类别的获得电力指标（与供电所自己的 indicators.csv 同一定义），以及全县合计。"""

    from station_tui.county.indicators import STAGE_NAMES, ZH, Range, count_range

    try:
        if month:
            span, by_month = Range.month(month), True
        elif first and last:
            span, by_month = Range(date.fromisoformat(first), date.fromisoformat(last)), False
        else:
            raise CommandError("请给出 --month YYYY-MM，或 --from 与 --to")
    except ValueError as exc:
        raise CommandError(f"日期写法不对：{exc}") from exc
    db = _open_loaded(target)
    try:
        counted = count_range(db, span, by_month=by_month, station=station, with_stages=per_stage)
    finally:
        db.close()
    _print_rows(f"获得电力指标 {span.label()}", SHOWN, ZH, counted.rows)
    if per_stage:
        from station_tui.services.indicators import STAGE_COLUMNS

        heads = {"station": "供电所", **{c.name: c.zh for c in STAGE_COLUMNS}}
        shown = [n for n in STAGE_NAMES if n != "category"]
        _print_rows(f"各环节用时 {span.label()}（当期送电的申请）", shown, heads, counted.stages)


def _print_rows(title: str, names: Sequence[str], heads: dict[str, str], rows: list[dict]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=title)
    for name in names:
        table.add_column(heads[name])
    for row in rows:
        table.add_row(*("" if row[n] is None else str(row[n]) for n in names))
    Console().print(table)


@county_group.command("report")
@into_option
@click.option("--half", required=True, help="半年：YYYYH1（1–6 月）或 YYYYH2（7–12 月）")
@click.option("--out", required=True, type=click.Path(path_type=Path, dir_okay=False), help="FILE.xlsx 或 FILE.csv")
@plain_errors
def report_command(target: str, half: str, out: Path) -> None:
    """半年报装信息报表（每年 1 月 10 日、7 月 10 日前）：已送电的高压新装及增容和小微企业申请。"""
    from station_tui.county.report import build_report, write_report

    db = _open_loaded(target)
    try:
        report = build_report(db, half)
    finally:
        db.close()
    for path in write_report(report, out):
        click.echo(f"已写出 {path}")
    click.echo(f"{report.half}：{len(report.details)} 件（{len(report.summary)} 行汇总）")


COMMANDS = [county_group]
