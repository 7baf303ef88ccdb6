"""`station-tui events --catalogue [--json]`: the event types this program reads and records."""

from __future__ import annotations

import json

import click


@click.command("events")
@click.option(
    "--catalogue", "show_catalogue", is_flag=True, help="列出本程序认识的全部事件类型：版本、中文名称、写入的表"
)
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出（供程序读取）")
def events_command(show_catalogue: bool, as_json: bool) -> None:
    """事件：--catalogue 列出每种事件类型的内容版本、中文名称、字段和写入的表（与导出的数据字典同源）。"""
    from station_tui.store.catalogue import describe, describe_line

    if not show_catalogue:
        raise click.UsageError("请加 --catalogue：列出本程序认识的全部事件类型（加 --json 以 JSON 输出）")
    entries = describe()
    if as_json:
        click.echo(json.dumps(entries, ensure_ascii=False, indent=2))
        return
    click.echo(f"事件类型（共 {len(entries)} 种）：类型　中文名称　说明")
    for entry in entries:
        click.echo(f"{entry['type']}\t{entry['label']}\t{describe_line(entry)}")


COMMANDS = [events_command]
