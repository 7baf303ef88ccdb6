"""`station-tui recover` (a new database from a damaged file and its newest good backup) and `station-tui restore`."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from station_tui.commands.common import clock_option, db_option, plain_errors, resolve_db


def _when(recorded_at: str | None) -> str:
    return recorded_at[:16].replace("T", " ") if recorded_at else "（无）"


def print_report(report) -> None:  # noqa: ANN001 - a RecoverReport
    damaged = report.damaged
    click.echo(f"已恢复到新数据库 {report.target}（原文件 {damaged.path} 未被改动）")
    click.echo(
        f"  损坏文件中读出 {len(damaged.events)} 条事件" + (f"（{damaged.problem}）" if damaged.problem else "")
        + (f"，另有 {len(damaged.garbled)} 行内容已乱，未采用" if damaged.garbled else "")
    )  # fmt: skip
    if report.garbled_file:
        click.echo(f"  内容已乱的行（新数据库中没有其事件）原样另存在 {report.garbled_file}，请人工查看")
    if report.backup is not None:
        click.echo(f"  备份 {report.backup.path} 中 {len(report.backup.events)} 条事件")
    else:
        click.echo("  没有可用的备份")
    for skipped in report.skipped_backups:
        click.echo(f"  跳过备份 {skipped}")
    click.echo(
        f"  两处都有 {report.from_both} 条，只在损坏文件中 {report.from_damaged_only} 条，只在备份中 "
        f"{report.from_backup_only} 条；新数据库共 {report.events} 条事件"
    )
    for conflict in report.conflicts:
        click.echo(f"  ⚠ {conflict}")
    if report.losses:
        click.echo("丢失的事件（两处都没有）：")
        for loss in report.losses:
            click.echo(
                f"  设备 {loss.device[:8]} 序号 {loss.first}–{loss.last}，"
                f"记录于 {_when(loss.before)} 之后、{_when(loss.after)} 之前"
            )
    else:
        click.echo("没有发现丢失的事件：每台设备的序号都连续。")
    if report.unread_local:
        spans = "、".join(f"{a}–{b}" if a != b else str(a) for a, b in report.unread_local[:10])
        click.echo(f"  损坏文件中读不出的本地序号：{spans}（若在最后，其后的事件无法得知）")
    if report.touched:
        click.echo(f"受丢失影响的申请（请对照纸质材料补录）：{'、'.join(report.touched)}")
    if report.put_aside:
        click.echo(f"⚠ {len(report.put_aside)} 条事件所依赖的记录已丢失，未能重放，另存在 {report.aside_file}")


@click.command("recover")
@click.option(
    "--db",
    "damaged",
    required=True,
    type=click.Path(path_type=Path, dir_okay=False),
    help="损坏的数据库文件（只读，不会改动）",
)
@click.option(
    "--to", "target", required=True, type=click.Path(path_type=Path, dir_okay=False), help="恢复结果写入的新文件"
)
@click.option(
    "--backup",
    type=click.Path(path_type=Path, dir_okay=False),
    help="用这个备份（默认：数据库旁最新的完好备份）",
)
@clock_option
@plain_errors
def recover_command(damaged: Path, target: Path, backup: Path | None, allow_clock_behind: bool) -> None:
    """从损坏的数据库救出能读的记录，与最近的完好备份合并，写入新文件并报告丢失的范围。"""
    from station_tui.store.recover import recover

    report = recover(damaged, target, backup=backup, allow_clock_behind=allow_clock_behind)
    print_report(report)
    if report.check_problems:
        for problem in report.check_problems:
            click.echo(f"✗ {problem}")
        click.echo(f"新数据库未通过检查：请保留 {damaged} 与 {target}，联系技术支持。")
        sys.exit(1)
    click.echo(
        f"检查通过：{target}。下一步：station-tui --db {target} 打开它，或用 station-tui restore 放到原来的位置。"
    )


@click.command("restore")
@click.argument("backup", type=click.Path(path_type=Path, dir_okay=False))
@db_option
@plain_errors
def restore_command(backup: Path, db_path: Path | None) -> None:
    """把一个备份放回为数据库（先退出界面）。当前文件改名保留，不会删除。"""
    from station_tui.domain.timeutil import system_now
    from station_tui.store.restore import restore

    done = restore(backup, resolve_db(db_path), system_now())
    if done.aside is not None:
        click.echo(f"原数据库已改名保留：{done.aside}")
    click.echo(f"已把备份 {backup} 放到 {done.database}，检查通过。")


COMMANDS = [recover_command, restore_command]
