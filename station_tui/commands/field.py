"""`station-tui field checkout | open | pack | checkin`: a customer manager's laptop out in the field (issue 14)."""

from __future__ import annotations

from pathlib import Path

import click

from station_tui.commands.common import CommandError, db_option, open_station, plain_errors

_FILE = click.Path(path_type=Path, dir_okay=False)


@click.group("field")
def field_group() -> None:
    """外勤：客户经理把申请带到笔记本电脑上离线办理（现场勘查、补收资料、竣工检验、暂停、告知书），回所后交回。

    \b
    在供电所电脑上：  field checkout（借出）、field checkin（交回）
    在外勤电脑上：    field open（打开借出文件）、field pack（生成交回文件）
    """


@field_group.command("checkout")
@click.option("--manager", required=True, help="客户经理姓名")
@click.option("--to", "to", type=_FILE, required=True, help="要生成的借出文件")
@click.option("--device", "device", default=None, help="已登记的外勤设备代码（给同一台电脑补充借出时用）")
@db_option
@plain_errors
def checkout_command(manager: str, to: Path, device: str | None, db_path: Path | None) -> None:
    """借出：该客户经理的在办申请及其全部事件、笔记本需要的参考数据，写入借出文件。"""
    from station_tui.services.field import checkout

    station = open_station(db_path)
    try:
        result = checkout(station, manager, to, device_code=device)
    finally:
        station.store.close()
    click.echo(
        f"已借出 {len(result.applications)} 件申请给客户经理 {result.manager}（外勤设备 {result.device_code}），"
        f"{result.events} 条事件 → {result.path}"
    )
    for number in result.applications:
        click.echo(f"  {number}")
    for number, code in result.already_out:
        click.echo(f"注意：{number} 仍借出在外勤设备 {code} 上，两边都改动时交回会标出冲突，由站长处理")


@field_group.command("open")
@click.argument("file", type=_FILE)
@click.option("--db", "db_path", type=_FILE, required=True, help="外勤电脑上的数据库文件（不存在则新建）")
@plain_errors
def open_command(file: Path, db_path: Path) -> None:
    """在外勤电脑上打开借出文件 FILE：新建或更新本机数据库（新数据库有自己的设备标识，不从供电所复制）。"""
    from station_tui.services.field import open_laptop

    result = open_laptop(file, db_path)
    what = "已新建外勤数据库" if result.created else "已更新外勤数据库"
    click.echo(
        f"{what} {result.path}（设备 {result.device_code}）：{result.applications} 件申请，新增 {result.added} 条事件"
    )
    if result.clock_warning:
        click.echo(f"注意：{result.clock_warning}")


@field_group.command("pack")
@click.option("--to", "to", type=_FILE, required=True, help="要生成的交回文件")
@click.option("--db", "db_path", type=_FILE, required=True, help="外勤电脑上的数据库文件")
@plain_errors
def pack_command(to: Path, db_path: Path) -> None:
    """在外勤电脑上生成交回文件：本机记录的全部事件。"""
    from station_tui.services.field import pack

    if not db_path.exists():
        raise CommandError(f"数据库文件不存在：{db_path}")
    result = pack(db_path, to)
    click.echo(f"已生成交回文件 {result.path}（设备 {result.device_code}）：{result.events} 条事件")


@field_group.command("checkin")
@click.argument("file", type=_FILE)
@db_option
@plain_errors
def checkin_command(file: Path, db_path: Path | None) -> None:
    """交回：校验交回文件 FILE，按 UUID 补入本所没有的事件，结束借出；同一文件交回两次不会重复记录。"""
    from station_tui.services.field import checkin

    station = open_station(db_path)
    try:
        report = checkin(station, file)
    finally:
        station.store.close()
    click.echo("\n  ".join(report.lines()))


COMMANDS = [field_group]
