"""`station-tui offline-bundle`: the zip that installs station-tui on a station PC without network."""

from __future__ import annotations

import time
from pathlib import Path

import click

from station_tui.commands.common import CommandError, plain_errors


def _size(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB（{size:,} 字节）"


@click.command("offline-bundle")
@click.option(
    "--target",
    type=click.Choice(["windows-x64", "linux-x86_64"]),
    required=True,
    help="目标平台：windows-x64（自带嵌入式 Python 3.13）或 linux-x86_64（CPython 3.10–3.13 的 wheel）",
)
@click.option(
    "--out",
    "out",
    type=click.Path(path_type=Path, file_okay=False),
    required=True,
    help="输出文件夹：写入 station-tui-<版本>-<目标>.zip",
)
@click.option(
    "--lock",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="依赖锁文件（默认：源码目录下的 requirements/runtime.txt）",
)
@plain_errors
def offline_bundle_command(target: str, out: Path, lock: Path | None) -> None:
    """生成离线安装包（在能访问软件包索引的电脑上、于源码目录中运行）。"""
    from station_tui.services.offline_bundle import build_bundle

    if out.exists() and not out.is_dir():
        raise CommandError(f"输出位置不是文件夹：{out}")
    started = time.monotonic()
    bundle = build_bundle(target, out, lock=lock, progress=lambda step: click.echo(f"… {step}", err=True))
    seconds = time.monotonic() - started
    click.echo(f"已生成 {bundle.path}：{_size(bundle.size)}，用时 {seconds:.0f} 秒")
    if target == "windows-x64":
        click.echo(f"  Windows 嵌入式 Python {bundle.pythons[0]}（官方签名文件，sha256 已核对）")
    else:
        click.echo(f"  CPython {'、'.join('.'.join(p.split('.')[:2]) for p in bundle.pythons)} 的 wheel")
    click.echo(f"  wheel {len(bundle.wheels)} 个（版本与 sha256 均按依赖锁文件核对）：")
    for wheel in bundle.wheels:
        click.echo(f"    {wheel}")
    click.echo(f"  其他文件：{'、'.join(bundle.files)}")


COMMANDS = [offline_bundle_command]
