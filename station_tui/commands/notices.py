"""`station-tui notice` (issue or reprint one notice to a file) and `station-tui notices` (list them)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from station_tui.commands.common import clock_option, db_option, open_station, plain_errors


@click.command("notice")
@click.argument("number")
@click.option(
    "--kind",
    type=click.Choice(["acceptance", "refusal", "inspection"]),
    default="acceptance",
    show_default=True,
    help="acceptance 受理告知书；refusal 未受理告知（NUMBER 写业务类型，如 低压居民新装）；inspection 竣工检验意见单",
)
@click.option("--format", "fmt", type=click.Choice(["pdf", "txt"]), required=True, help="pdf：A4；txt：小票文本")
@click.option("--width", type=click.Choice(["32", "48"]), default="48", show_default=True, help="小票每行列数")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True, help="写入的文件")
@click.option("--customer", default="", help="未受理告知上的客户名称（可不填）")
@db_option
@clock_option
@plain_errors
def notice_command(
    number: str,
    kind: str,
    fmt: str,
    width: str,
    out: Path,
    customer: str,
    db_path: Path | None,
    allow_clock_behind: bool,
) -> None:
    """出具一次告知书并写入文件；该申请已有同类告知书时补打（标明补打次数）。"""
    from station_tui.services import notices

    station = open_station(db_path, allow_clock_behind=allow_clock_behind)
    if kind == "refusal":
        # A refused visit has no application number: each visit gets its own notice.
        notice = notices.issue(station, "refusal", business_type=number, customer_name=customer)
        reprinted = False
    else:
        notice, reprinted = notices.issue_or_reprint(station, number, kind)
    path = notices.save_notice(station, notice, fmt, int(width), out)
    what = f"补打（第 {notice.reprints} 次）" if reprinted else "已出具"
    click.echo(f"{what} 第 {notice.serial} 号{notice.kind_zh}，已写入 {path}")


@click.command("notices")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(min=1), help="最多列出几份（最新的在前）")
@db_option
@plain_errors
def notices_command(as_json: bool, limit: int, db_path: Path | None) -> None:
    """列出已出具的告知书（最新的在前）。"""
    from station_tui.services import notices

    listed = notices.list_notices(open_station(db_path), limit=limit)
    rows = [
        {
            "serial": n.serial,
            "kind": n.kind,
            "kind_zh": n.kind_zh,
            "application_number": n.application_number,
            "customer": n.customer,
            "issued_at": n.issued_at,
            "operator": n.operator,
            "reprints": n.reprints,
            "replaces": n.content.get("replaces_serial"),
            "replaced_by": n.replaced_by,
        }
        for n in listed
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    if not rows:
        click.echo("还没有出具过告知书。")
        return
    for row in rows:
        notes = []
        if row["reprints"]:
            notes.append(f"补打 {row['reprints']} 次")
        if row["replaced_by"]:
            notes.append(f"已由 {row['replaced_by']} 更正")
        line = [row["serial"], row["kind_zh"], row["application_number"] or "—", row["customer"] or "—"]
        line += [row["issued_at"][:16].replace("T", " "), row["operator"] or "—"]
        click.echo("\t".join(line) + (f"\t（{'，'.join(notes)}）" if notes else ""))


COMMANDS = [notice_command, notices_command]
