"""`station-tui works`, `terminations`, `calls` and `indicators`: the station's duties after intake (issue 16) —
supporting grid works, the 站长's termination review, follow-up calls, and the indicators they report."""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import click

from station_tui.commands.common import CommandError, clock_option, db_option, open_station, plain_errors


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


# --- works -----------------------------------------------------------------------------------------------------------


@click.group("works")
def works_group() -> None:
    """配套工程：按本站策略的配套工程建设时限表登记（工作日），约定完成时间不得晚于客户工程完成时间。"""


@works_group.command("kinds")
@db_option
@plain_errors
def works_kinds_command(db_path: Path | None) -> None:
    """列出本站策略的配套工程类型及时限（工作日）。"""
    from station_tui.services.works import kind_name, works_kinds

    kinds = works_kinds(open_station(db_path))
    if not kinds:
        raise CommandError("本站策略没有配套工程建设时限表")
    for kind in kinds:
        click.echo(f"{kind_name(kind)}\t≤{kind.limit} 个工作日")


@works_group.command("add")
@click.argument("number")
@click.option("--kind", required=True, help="配套工程类型，写成“电压/项目”（见 works kinds），如 10千伏/线路T接")
@click.option("--manager", "project_manager", required=True, help="项目经理姓名")
@click.option("--contract", "contract_date", required=True, help="约定完成时间 YYYY-MM-DD")
@click.option("--completion", "customer_completion", required=True, help="客户工程计划完成时间 YYYY-MM-DD")
@db_option
@clock_option
@plain_errors
def works_add_command(
    number: str, kind: str, project_manager: str, contract_date: str, customer_completion: str,
    db_path: Path | None, allow_clock_behind: bool,
) -> None:  # fmt: skip
    """给申请 NUMBER 登记配套工程；到期日按本站节假日日历从次日起算工作日。"""
    from station_tui.services.applications import find_by_number
    from station_tui.services.works import record_works

    station = open_station(db_path, allow_clock_behind=allow_clock_behind)
    row = record_works(
        station, find_by_number(station, number), kind=kind, project_manager=project_manager,
        contract_date=contract_date, customer_completion=customer_completion, operator=None,
    )  # fmt: skip
    estimated = "（估算日历）" if row.due_estimated else ""
    click.echo(f"已登记 {row.number} 配套工程 {row.kind}：时限 {row.limit} 个工作日，到期 {row.due_date}{estimated}")
    if row.category_change:
        click.echo(f"本申请{row.category_change}；如已出具受理告知书，请在 F4 告知书 更正")


@works_group.command("list")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON")
@db_option
@plain_errors
def works_list_command(as_json: bool, db_path: Path | None) -> None:
    """列出配套工程，先到期的在前。"""
    from station_tui.services.works import list_works

    rows = list_works(open_station(db_path))
    if as_json:
        click.echo(json.dumps([asdict(r) for r in rows], ensure_ascii=False, indent=1))
        return
    for r in rows:
        mark = "（估算）" if r.due_estimated else ""
        click.echo(
            f"{r.number}\t{r.kind}\t项目经理 {r.project_manager}\t≤{r.limit} 工作日\t到期 {r.due_date}{mark}\t"
            f"约定 {r.contract_date}\t客户工程 {r.customer_completion}"
        )
    click.echo(f"共 {len(rows)} 项", err=True)


# --- terminations ----------------------------------------------------------------------------------------------------


@click.group("terminations")
def terminations_group() -> None:
    """终止工单：站长审核（确认或退回重办）、当月终止率、容缺资料逾期未补的终止建议。"""


@terminations_group.command("pending")
@db_option
@plain_errors
def terminations_pending_command(db_path: Path | None) -> None:
    """列出等待站长审核的终止申请，先终止的在前。"""
    from station_tui.services.terminations import awaiting_review

    rows = awaiting_review(open_station(db_path))
    for r in rows:
        click.echo(f"{r.number}\t{r.customer_name}\t{r.terminated_at[:16].replace('T', ' ')}\t{r.reason}")
    click.echo(f"共 {len(rows)} 件待审核", err=True)


@terminations_group.command("review")
@click.argument("number")
@click.option("--head", "head_name", required=True, help="站长姓名")
@click.option("--pin", prompt="站长 PIN", hide_input=True, help="站长 PIN")
@click.option("--reopen", "reason", default=None, help="退回重办并写明理由（不写则确认终止）")
@db_option
@clock_option
@plain_errors
def terminations_review_command(
    number: str, head_name: str, pin: str, reason: str | None, db_path: Path | None, allow_clock_behind: bool
) -> None:
    """站长审核终止申请 NUMBER：确认终止，或用 --reopen 理由 退回重办。"""
    from station_tui.services.applications import find_by_number
    from station_tui.services.operators import heads
    from station_tui.services.terminations import review

    station = open_station(db_path, allow_clock_behind=allow_clock_behind)
    head = next((op.uuid for op in heads(station) if op.name == head_name), None)
    if head is None:
        raise CommandError(f"没有名为 {head_name} 的站长")
    review(station, find_by_number(station, number), head=head, pin=pin, reopen=reason is not None, reason=reason or "")
    click.echo(f"{number.strip().upper()}：" + (f"已退回重办（{reason}）" if reason is not None else "已确认终止"))


@terminations_group.command("rate")
@click.argument("month")
@db_option
@plain_errors
def terminations_rate_command(month: str, db_path: Path | None) -> None:
    """MONTH（YYYY-MM）当月办结的工单中终止的比例，与本站策略的门槛比较。"""
    from station_tui.services.terminations import termination_rate

    rate = termination_rate(open_station(db_path), month)
    line = f"{rate.month} 终止 {rate.terminated} 件 / 办结 {rate.finished} 件，终止率 {_share(rate.rate)}"
    if rate.threshold is None:
        line += "（本站策略未规定门槛）"
    else:
        line += f"，门槛：低于 {rate.threshold:.0%}" + ("  超过门槛" if rate.over else "")
    click.echo(line)


@terminations_group.command("proposed")
@db_option
@plain_errors
def terminations_proposed_command(db_path: Path | None) -> None:
    """容缺办理的申请：客户未在承诺时间前补齐资料，建议终止（只列出，不会自动终止）。"""
    from station_tui.services.terminations import proposed_terminations

    rows = proposed_terminations(open_station(db_path))
    for r in rows:
        click.echo(f"{r.number}\t{r.customer_name}\t建议终止：{r.reason}")
    click.echo(f"共 {len(rows)} 件建议终止", err=True)


# --- follow-up calls -------------------------------------------------------------------------------------------------


@click.group("calls")
def calls_group() -> None:
    """回访：已送电的小微企业申请逐一电话回访（先送电的在前），记录客户意见、满意度和投诉跟进。"""


@calls_group.command("pending")
@db_option
@plain_errors
def calls_pending_command(db_path: Path | None) -> None:
    """列出等待回访（尚未接通）的小微企业申请。"""
    from station_tui.services.followups import awaiting_calls

    rows = awaiting_calls(open_station(db_path))
    for r in rows:
        tried = f"\t已拨 {r.attempts} 次未接通" if r.attempts else ""
        click.echo(f"{r.number}\t{r.customer_name}\t{r.phone}\t送电 {r.connected_at[:10]}{tried}")
    click.echo(f"共 {len(rows)} 件待回访", err=True)


@calls_group.command("add")
@click.argument("number")
@click.option("--not-reached", is_flag=True, help="未接通")
@click.option("--satisfied/--unsatisfied", default=None, help="客户满意 / 不满意（接通时必填）")
@click.option("--extra-documents", is_flag=True, help="客户说被要求提供额外资料")
@click.option("--fee-asked", is_flag=True, help="客户说被要求收费")
@click.option("--second-visit", is_flag=True, help="客户说需要跑第二趟")
@click.option("--said", default="", help="客户原话或意见")
@click.option("--complaint", "follow_up", default=None, help="客户投诉：写明后续处理")
@db_option
@clock_option
@plain_errors
def calls_add_command(
    number: str, not_reached: bool, satisfied: bool | None, extra_documents: bool, fee_asked: bool,
    second_visit: bool, said: str, follow_up: str | None, db_path: Path | None, allow_clock_behind: bool,
) -> None:  # fmt: skip
    """记录对申请 NUMBER 客户的一次回访。"""
    from station_tui.services.applications import find_by_number
    from station_tui.services.followups import CallAnswer, record_call

    station = open_station(db_path, allow_clock_behind=allow_clock_behind)
    answer = CallAnswer(
        reached=not not_reached, satisfied=satisfied, extra_documents=extra_documents, fee_asked=fee_asked,
        second_visit=second_visit, said=said, complaint=follow_up is not None, follow_up=follow_up or "",
    )  # fmt: skip
    record_call(station, find_by_number(station, number), answer, operator=None)
    click.echo(f"{number.strip().upper()}：已记录回访（{'已接通' if answer.reached else '未接通'}）")


@calls_group.command("shares")
@click.option("--month", default=None, help="只算该月（YYYY-MM）送电的申请")
@db_option
@plain_errors
def calls_shares_command(month: str | None, db_path: Path | None) -> None:
    """已送电小微企业申请的回访覆盖率和满意率。"""
    from station_tui.services.followups import call_shares

    s = call_shares(open_station(db_path), month)
    click.echo(
        f"送电小微企业 {s.connected} 件，已回访 {s.called} 件（{_share(s.called_share)}），"
        f"满意 {s.satisfied} 件（{_share(s.satisfied_share)}）"
    )


@click.command("indicators")
@click.option("--from", "first", default=None, help="起始月份 YYYY-MM（按受理、送电、终止所在月份）")
@click.option("--to", "last", default=None, help="截止月份 YYYY-MM（含）")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON，供脚本使用")
@db_option
@plain_errors
def indicators_command(first: str | None, last: str | None, as_json: bool, db_path: Path | None) -> None:
    """本站获得电力指标：按月份和时限类别（与导出的 indicators.csv 同一算法），以及每月终止率和小微企业回访。"""
    from station_tui.services.indicators import station_indicators

    report = station_indicators(open_station(db_path), first, last)
    if as_json:
        click.echo(json.dumps(report, ensure_ascii=False, indent=1))
        return
    for r in report["categories"]:
        click.echo(
            f"{r['month']}\t{r['category_name'] or r['category']}\t受理 {r['accepted']}\t容缺 {_share(r['deferred_share'])}"
            f"\t送电 {r['connected']}\t平均用时 {r['avg_workdays'] if r['avg_workdays'] is not None else '—'} 工作日"
            f"\t按期 {_share(r['on_time_share'])}\t终止 {r['terminated']}"
        )
    for m in report["months"]:
        limit = "未规定门槛" if m["termination_rate_max"] is None else f"门槛 低于 {m['termination_rate_max']:.0%}"
        over = "  超过门槛" if m["termination_rate_over"] else ""
        click.echo(
            f"{m['month']}\t终止率 {_share(m['termination_rate'])}（{limit}）{over}"
            f"\t小微送电 {m['small_micro_connected']}\t回访 {_share(m['called_share'])}"
            f"\t满意 {_share(m['satisfied_share'])}"
        )


COMMANDS = [works_group, terminations_group, calls_group, indicators_command]
