"""`station-tui export`: the CSV export to the county office, and `export verify DIR` for the county's side."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from station_tui.commands.common import CommandError, clock_option, db_option, open_station, plain_errors


def _authorize(station, name: str | None, pin: str | None) -> str:  # noqa: ANN001 - a Station
    """The 站长 who allows personal data out: by name and PIN (asked for without echo when not given)."""
    from station_tui.services.operators import authorize_head, list_operators

    if not name:
        raise CommandError("导出含个人信息须由站长授权：请用 --operator 指定站长姓名")
    matches = [o for o in list_operators(station) if o.name == name]
    if not matches:
        raise CommandError(f"没有名为 {name} 的操作员")
    if pin is None:
        pin = click.prompt(f"{name} 的 PIN", hide_input=True)
    return authorize_head(station, matches[0].uuid, pin).uuid


@click.group("export", invoke_without_command=True)
@db_option
@click.option(
    "--to",
    "folder",
    type=click.Path(path_type=Path, file_okay=False),
    help="导出到的文件夹（默认：设置中的导出文件夹）",
)
@click.option("--full", is_flag=True, help="导出全部事件（默认只导出上次成功导出之后的事件）")
@click.option(
    "--headers", "language", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="列名：中文或英文"
)
@click.option(
    "--encoding", type=click.Choice(["utf-8-sig", "gbk"]), default="utf-8-sig", show_default=True, help="文件编码"
)
@click.option("--include-personal-data", is_flag=True, help="不遮蔽证件号和电话（须站长授权，并记录在事件日志中）")
@click.option("--operator", "operator_name", help="授权的站长姓名（与 --include-personal-data 一起用）")
@click.option("--pin", help="站长 PIN（不给则提示输入，不回显）")
@clock_option
@click.pass_context
@plain_errors
def export_group(
    ctx: click.Context,
    db_path: Path | None,
    folder: Path | None,
    full: bool,
    language: str,
    encoding: str,
    include_personal_data: bool,
    operator_name: str | None,
    pin: str | None,
    allow_clock_behind: bool,
) -> None:
    """导出给县公司的 CSV 文件（增量；--full 为全部）。子命令 verify 校验一个导出文件夹。"""
    if ctx.invoked_subcommand is not None:
        return
    from station_tui.services.export import run_export

    station = open_station(db_path, allow_clock_behind=allow_clock_behind)
    operator = _authorize(station, operator_name, pin) if include_personal_data else None
    shown = {"last": -1}

    def progress(done: int, total: int) -> None:
        percent = done * 100 // total
        if sys.stderr.isatty() and percent != shown["last"]:
            shown["last"] = percent
            click.echo(f"\r导出中 {percent}%", nl=False, err=True)

    result = run_export(
        station,
        outbox=folder,
        full=full,
        language=language,
        encoding=encoding,
        include_personal_data=include_personal_data,
        operator=operator,
        progress=progress,
    )
    if shown["last"] >= 0:
        click.echo("\r" + " " * 20 + "\r", nl=False, err=True)
    span = f"序号 {result.first_seq}–{result.last_seq}" if result.last_seq >= result.first_seq else "无新事件"
    click.echo(f"已导出到 {result.folder}")
    click.echo(f"  事件 {result.event_rows} 行（{span}）" + ("，全量" if result.full else ""))
    for written in result.files:
        click.echo(f"  {written.name}\t{written.rows} 行\t{written.bytes} 字节")
    for backup in result.backups:
        click.echo(f"  备份 {backup}")
    if result.backup_problem:
        click.echo(f"⚠ {result.backup_problem}", err=True)


@export_group.command("verify")
@click.argument("folder", type=click.Path(path_type=Path, file_okay=False))
@plain_errors
def verify_command(folder: Path) -> None:
    """按 manifest.json 校验一个导出文件夹：文件齐全、大小、SHA-256、行数。不符时退出码为 1。"""
    from station_tui.services.export.verify import verify_folder

    result = verify_folder(folder)
    if result.ok:
        first, last = result.event_range or (None, None)
        click.echo(f"校验通过：{folder}，{result.files} 个文件，事件序号 {first}–{last}。")
        return
    for problem in result.problems:
        click.echo(f"✗ {problem}", err=True)
    click.echo(f"校验未通过：{folder}", err=True)
    sys.exit(1)


COMMANDS = [export_group]
