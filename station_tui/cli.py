"""The command line: one function per command. `station-tui` alone starts the app."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from station_tui import __version__
from station_tui.commands import (
    applications,
    cli_zh,
    county,
    duties,
    events,
    export,
    field,
    holidays,
    notices,
    offline,
    recovery,
)
from station_tui.commands.common import (
    CommandError,
    clock_option,
    db_option,
    existing_db,
    head_id,
    open_station,
    plain_errors,
    resolve_db,
)

cli_zh.install()  # click's help, usage and error texts in Chinese, for every command


@click.group(invoke_without_command=True, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", "-V", message="station-tui %(version)s")
@db_option
@click.pass_context
def main(ctx: click.Context, db_path: Path | None) -> None:
    """供电所业扩报装终端。不带命令时启动界面。"""
    if ctx.invoked_subcommand is None:
        run_app(db_path)


@plain_errors
def run_app(db_path: Path | None) -> None:
    from station_tui.app import StationApp

    app = StationApp(resolve_db(db_path))
    app.run()
    if app.return_code:
        sys.exit(app.return_code)


@main.command("init")
@db_option
@click.option("--station-name", required=True, help="供电所名称")
@click.option("--station-code", required=True, help="供电所代码（2–10 位字母或数字，用于申请编号）")
@click.option("--profile", "profile_id", required=True, help="策略编号，见 station-tui profiles")
@click.option("--head-name", required=True, help="第一位站长的姓名")
@click.option("--head-phone", required=True, help="站长电话")
@click.option("--head-pin", required=True, help="站长 PIN（4–8 位数字）")
@plain_errors
def init_command(db_path: Path | None, **values: str) -> None:
    """初始化数据库：站点信息与第一位站长（不开界面）。"""
    from station_tui.services.setup import initialize

    station = open_station(db_path, must_exist=False)
    initialize(station, **values)
    click.echo(f"已初始化：{station.station_name}（{station.station_code}），数据库 {station.store.path}")


@main.command("check")
@db_option
@plain_errors
def check_command(db_path: Path | None) -> None:
    """检查数据库：完整性，并由事件日志重建状态与库中状态比对。"""
    from station_tui.store.check import check

    path = existing_db(db_path)
    report = check(path)
    for problem in report.problems:
        click.echo(f"✗ {problem}")
    if report.ok:
        click.echo(f"检查通过：{report.applications} 件申请，{report.events} 条事件，状态与事件日志一致。")
        return
    if report.damaged:
        from station_tui.store.backup import backup_hint

        click.echo(f"检查未通过：数据库文件 {path} 已损坏。{backup_hint(path)}")
        click.echo("下一步：退出程序，不要再往这个文件里记录；运行")
        click.echo(f"  station-tui recover --db {path} --to {path.with_name(path.stem + '-recovered.db')}")
        click.echo("它只读这个文件，把能读出的记录与最近的备份合并成新文件并报告丢失的范围；原文件不会被改动。")
    else:
        summary = f"{report.applications} 件申请，{report.events} 条事件"
        click.echo(f"检查未通过：{summary}，发现 {len(report.problems)} 处问题。")
    sys.exit(1)


@main.command("backup")
@db_option
@click.option("--to", "folder", required=True, type=click.Path(path_type=Path, file_okay=False), help="备份到的文件夹")
@plain_errors
def backup_command(db_path: Path | None, folder: Path) -> None:
    """备份数据库到一个文件夹（如 U 盘），运行中也可备份。"""
    from station_tui.store.backup import backup_into_folder

    station = open_station(db_path)
    try:
        target = backup_into_folder(station.store.conn, folder, station.station_code, station.store.clock())
    except OSError as exc:
        raise CommandError(f"无法写入 {folder}：{exc.strerror or exc}") from exc
    click.echo(f"已备份到 {target}")


@main.command("profiles")
@db_option
@plain_errors
def profiles_command(db_path: Path | None) -> None:
    """列出找到的办电策略及其文件（含设置中县公司的策略文件夹）。"""
    from station_tui.domain.profiles import uncovered_combinations

    path = resolve_db(db_path)
    if path.exists():
        profiles = open_station(path).profiles
    else:
        from station_tui.services.station import load_all_profiles

        profiles = load_all_profiles()
    for profile_id, loaded in profiles.items():
        p = loaded.profile
        gaps = uncovered_combinations(p)
        note = f"  ⚠ {len(gaps)} 种情形没有适用规则" if gaps else ""
        click.echo(f"{profile_id}\t{p.name}\t{p.company} {p.document}\t{loaded.source}{note}")


@main.group("operators", invoke_without_command=True)
@db_option
@click.pass_context
@plain_errors
def operators_group(ctx: click.Context, db_path: Path | None) -> None:
    """操作员：不带子命令时列出。"""
    if ctx.invoked_subcommand is not None:
        return
    from station_tui.services.operators import list_operators

    for op in list_operators(open_station(db_path)):
        locked = f"（锁定到 {op.locked_until[11:16]}）" if op.locked_until else ""
        click.echo(f"{op.name}\t{op.role_zh}\t{op.phone}{locked}")


@operators_group.command("add")
@db_option
@clock_option
@click.option("--name", required=True, help="姓名")
@click.option(
    "--role", type=click.Choice(["clerk", "customer_manager", "head"]), required=True, help="柜台/客户经理/站长"
)
@click.option("--phone", required=True, help="电话")
@click.option("--pin", required=True, help="新操作员的 PIN（4–8 位数字）")
@click.option("--head", "head_name", required=True, help="授权的站长姓名")
@click.option("--head-pin", required=True, help="授权站长的 PIN")
@plain_errors
def operators_add(
    db_path: Path | None,
    allow_clock_behind: bool,
    name: str,
    role: str,
    phone: str,
    pin: str,
    head_name: str,
    head_pin: str,
) -> None:
    """新增操作员（需站长授权）。"""
    from station_tui.services.operators import create_operator

    station = open_station(db_path, allow_clock_behind=allow_clock_behind)
    head = head_id(station, head_name, head_pin)
    create_operator(station, name=name, role=role, phone=phone, pin=pin, by=head)
    click.echo(f"已新增操作员 {name}")


@main.command("settings")
@db_option
@clock_option
@click.option(
    "--profile-folder", type=click.Path(path_type=Path, file_okay=False, exists=True), help="县公司自己的策略文件夹"
)
@click.option("--head", "head_name", required=True, help="授权的站长姓名")
@click.option("--head-pin", required=True, help="授权站长的 PIN")
@plain_errors
def settings_command(
    db_path: Path | None, allow_clock_behind: bool, profile_folder: Path | None, head_name: str, head_pin: str
) -> None:
    """修改设置（需站长授权）。"""
    from station_tui.services.station import change_settings, load_all_profiles

    station = open_station(db_path, allow_clock_behind=allow_clock_behind)
    changes = {}
    if profile_folder is not None:
        found = load_all_profiles(str(profile_folder.resolve()))  # refuses a broken or clashing file before saving
        changes["profile_folder"] = str(profile_folder.resolve())
        click.echo(f"策略文件夹 {profile_folder} 可用，共 {len(found)} 个策略")
    if not changes:
        raise CommandError("没有要修改的设置")
    change_settings(station, changes, operator=head_id(station, head_name, head_pin))
    click.echo("设置已保存")


@main.command("demo")
@db_option
@click.option("--applications", "count", default=300, show_default=True, type=click.IntRange(min=0), help="申请件数")
@click.option("--seed", default=2026, show_default=True, help="随机种子（同一种子得到同样的数据）")
@click.option("--station-code", default="DEMO", show_default=True, help="新演示供电所的代码（做多个供电所时各不相同）")
@click.option("--station-name", default="演示供电所", show_default=True, help="新演示供电所的名称")
@plain_errors
def demo_command(db_path: Path | None, count: int, seed: int, station_code: str, station_name: str) -> None:
    """生成演示数据库（演示操作员及其 PIN 会打印出来）。"""
    from rich.progress import Progress

    from station_tui.services.demo import fill_demo

    station = open_station(db_path, must_exist=False)
    with Progress(transient=True) as progress:
        task = progress.add_task("生成演示数据", total=count)
        operators = fill_demo(
            station,
            count,
            seed=seed,
            station_code=station_code,
            station_name=station_name,
            progress=lambda n: progress.update(task, completed=n),
        )
    click.echo(f"演示数据库：{station.store.path}（{station.station_name}，{count} 件申请）")
    click.echo("演示操作员（姓名 / 角色 / PIN）：")
    for name, role, pin in operators:
        click.echo(f"  {name}\t{role}\t{pin}")


# Each area's commands live in its own module (station_tui/commands/<area>.py), each exposing COMMANDS.
for _area in (holidays, applications, notices, export, events, offline, field, duties, county, recovery):
    for _command in _area.COMMANDS:
        main.add_command(_command)
