"""`station-tui applications`, `show NUMBER` and `import-ledger FILE`: applications for scripts and a quick look, and
the going-live import of a paper or Excel ledger."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from station_tui.commands.common import CommandError, clock_option, db_option, open_station, plain_errors


@click.command("applications")
@db_option
@click.option("--open", "open_only", is_flag=True, help="只列在办（办理中、暂停）的申请")
@click.option("--overdue", "overdue_only", is_flag=True, help="只列已超期的申请")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON（每件一个对象），供脚本使用")
@plain_errors
def applications_command(db_path: Path | None, open_only: bool, overdue_only: bool, as_json: bool) -> None:
    """列出申请：编号、客户（脱敏）、业务类型、办理方式、环节、到期日。"""
    from station_tui.services.applications import list_applications

    rows = list_applications(open_station(db_path), open_only=open_only, overdue_only=overdue_only)
    if as_json:
        click.echo(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1))
        return
    for r in rows:
        late = "  超期" if r.overdue else ""
        click.echo(
            f"{r.number}\t{r.customer}\t{r.business_zh}\t{r.mode_zh}\t{r.status_zh}\t{r.stage}\t{r.due_date}{late}"
        )
    click.echo(f"共 {len(rows)} 件", err=True)


@click.command("show")
@click.argument("number")
@db_option
@plain_errors
def show_command(number: str, db_path: Path | None) -> None:
    """显示一件申请：资料、环节、归档清单、事件（证件号、电话脱敏）。"""
    from station_tui.services.applications import application_view, find_by_number, masked_identity

    station = open_station(db_path)
    view = application_view(station, find_by_number(station, number))
    id_masked, phone_masked = masked_identity(view)
    echo = click.echo
    echo(f"{view.number}  {view.customer_name}  {view.business_name}  {view.mode_zh}  【{view.status_zh}】")
    imported = "（台账导入）" if view.origin == "ledger" else ""
    echo(f"受理：{view.accepted_at[:16].replace('T', ' ')}{imported}　客户经理：{view.customer_manager or '—'}")
    echo(f"证件：{view.id_type} {id_masked}　电话：{phone_masked}　地址：{view.address}")
    echo(f"时限类别：{view.category}，{view.limit_text}　到期：{view.due_text}　当前环节：{view.stage_name or '—'}")
    echo("资料：")
    for d in view.documents:
        extra = f"，由 {d.assigned_to} 收取" if d.status == "deferred" and d.assigned_to else ""
        if d.collected_at:
            extra = f"，{d.collected_at[:16].replace('T', ' ')} {d.collected_by or ''} 补收"
        echo(f"  {d.name}：{d.status_zh}{('（' + d.form + '，' + d.copy_zh + '）') if d.form else ''}{extra}")
    echo("环节：")
    for s in view.stages:
        start = s.started_at[:16].replace("T", " ") if s.started_at else "—"
        end = s.finished_at[:16].replace("T", " ") if s.finished_at else "—"
        due = f"　环节到期 {s.due}{'（估算）' if s.due_estimated else ''}" if s.due else ""
        echo(f"  {s.position}. {s.name}　开始 {start}　结束 {end}{due}")
    missing = [name for stage in view.archive for name in stage.missing]
    echo("归档缺：" + ("、".join(missing) if missing else "无"))
    echo("事件：")
    for e in view.events:
        mark = "（补录）" if e.simulated else ""
        echo(f"  {e.recorded_at[:16].replace('T', ' ')}{mark}　{e.type_zh}　{e.operator}　{e.summary}")


@click.command("import-ledger")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False))
@db_option
@clock_option
@click.option("--template", is_flag=True, help="不导入，而是把带中文表头的模板写到 FILE")
@click.option("--skip-bad", is_flag=True, help="只导入正确的行，跳过有误的行（默认：有一行有误就全部不导入）")
@click.option("--head-name", help="授权导入的站长姓名")
@click.option("--head-pin", help="站长 PIN")
@plain_errors
def import_ledger_command(
    file: Path,
    db_path: Path | None,
    allow_clock_behind: bool,
    template: bool,
    skip_bad: bool,
    head_name: str | None,
    head_pin: str | None,
) -> None:
    """导入纸质或 Excel 台账（CSV：UTF-8 或 GBK）中的在办申请。"""
    from station_tui.services import ledger

    if template:
        if file.exists():
            raise CommandError(f"{file} 已存在，不覆盖：请换一个文件名")
        try:
            ledger.write_template(file)
        except OSError as exc:
            raise CommandError(f"无法写入 {file}：{exc.strerror or exc}") from exc
        click.echo(f"已写出模板：{file}（UTF-8，Excel 可直接打开）。各列说明：")
        for name, note in ledger.COLUMNS.items():
            click.echo(f"  {name}{'（必填）' if name in ledger.REQUIRED else ''}：{note}")
        return
    if not head_name or not head_pin:
        raise CommandError("导入台账需要站长授权：请加 --head-name 和 --head-pin")
    if not file.exists():
        raise CommandError(f"文件不存在：{file}")
    from rich.progress import Progress

    from station_tui.commands.common import head_id

    station = open_station(db_path, allow_clock_behind=allow_clock_behind)
    head = head_id(station, head_name, head_pin)
    try:
        with Progress(transient=True, disable=not sys.stderr.isatty()) as bar:
            task = bar.add_task("导入台账", total=None)
            result = ledger.import_ledger(
                station,
                file,
                operator=head,
                skip_bad=skip_bad,
                progress=lambda done, total: bar.update(task, completed=done, total=total),
            )
    except ledger.LedgerRejected as exc:
        for error in exc.errors:
            click.echo(str(error), err=True)
        raise CommandError(str(exc)) from exc
    for error in result.errors:
        click.echo(f"跳过 {error}", err=True)
    skipped = f"，跳过 {result.skipped} 行有误的行" if result.skipped else ""
    click.echo(f"已导入 {result.imported} 件申请{skipped}（受理时间按台账，标记为台账导入）。")


COMMANDS = [applications_command, show_command, import_ledger_command]
