"""Issue 16: supporting grid works, the 站长's termination review and rate, follow-up calls — services, events, CLI."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import HEAD_PIN, MovableClock
from duty_helpers import deferred_resident
from holiday_helpers import accept, accept_high_voltage

from station_tui.cli import main
from station_tui.domain.errors import StationError
from station_tui.domain.timeutil import CHINA_TZ
from station_tui.services import followups, lifecycle, terminations, works
from station_tui.services.applications import application_row
from station_tui.services.followups import CallAnswer
from station_tui.services.station import Station, change_settings
from station_tui.store import open_store
from station_tui.store.check import check

ZHUXIAN_WORKS = {
    "低压/非小微企业": 3, "低压/小微企业": 13,
    "10千伏/线路T接": 7, "10千伏/新、改建架空线路": 20, "10千伏/新、改建环网柜或分支箱": 30,
    "10千伏/新建开闭所或电缆线路": 50, "10千伏/新建变电站间隔": 60,
    "35千伏/新、改建变电站间隔": 60, "35千伏/新、改建架空线路": 90, "35千伏/新建电缆线路及其它": 120,
    "110千伏/新、改建变电站间隔": 90, "110千伏/新、改建架空线路": 120, "110千伏/新建电缆线路及其他": 180,
}  # fmt: skip


def _at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=CHINA_TZ)


def _run(db_path: Path, *args: str, input: str | None = None):  # noqa: ANN202, A002
    return CliRunner().invoke(main, [*args, "--db", str(db_path)], input=input)


# --- supporting works --------------------------------------------------------------------------------------------


def test_each_kind_gets_the_limit_of_the_profile_s_table(station: Station) -> None:
    assert {works.kind_name(k): k.limit for k in works.works_kinds(station)} == ZHUXIAN_WORKS
    at = _at(2026, 11, 2, 9)
    fitting = {  # each kind on an application it fits
        "低压/非小微企业": accept(station, at, small_micro_shop=False, name="王居民").uuid,
        "低压/小微企业": accept(station, at).uuid,
    }
    high = accept_high_voltage(station, at)
    for name, limit in ZHUXIAN_WORKS.items():
        app = fitting.get(name, high)
        row = works.record_works(
            station, app, kind=name, project_manager="李项目", contract_date="2027-12-31",
            customer_completion="2027-12-31", operator=station.head_id,
        )  # fmt: skip
        assert row.limit == limit
        assert row.due_date == station_calendar_due(station, date(2026, 11, 23), limit)
    assert len(works.list_works(station, high)) == len(ZHUXIAN_WORKS) - 2
    assert check(station.store.path).ok


def test_only_the_kinds_that_fit_the_application_are_offered_and_accepted(station: Station) -> None:
    at = _at(2026, 11, 2, 9)
    resident = application_row(station, accept(station, at, small_micro_shop=False, name="王居民").uuid)
    shop = application_row(station, accept(station, at).uuid)
    high = application_row(station, accept_high_voltage(station, at))
    names = {key: [works.kind_name(k) for k in works.kinds_for(station, app)]
             for key, app in (("resident", resident), ("shop", shop), ("high", high))}  # fmt: skip
    assert names["resident"] == ["低压/非小微企业"] and names["shop"] == ["低压/小微企业"]
    assert names["high"] == [name for name in ZHUXIAN_WORKS if not name.startswith("低压")]
    before = station.store.one("SELECT count(*) FROM events")
    # A resident never gets a small business's 13 days, nor a 10 kV line's limit.
    for app, kind in ((resident, "低压/小微企业"), (resident, "10千伏/线路T接"), (high, "低压/非小微企业")):
        with pytest.raises(StationError, match=f"配套工程类型“{kind}”不适用于申请 {app['number']}") as refused:
            works.record_works(
                station, app["uuid"], kind=kind, project_manager="李项目", contract_date="2026-12-01",
                customer_completion="2026-12-19", operator=station.head_id,
            )  # fmt: skip
        assert "可选：" in str(refused.value)
    assert station.store.one("SELECT count(*) FROM events") == before


def test_where_the_table_has_no_row_for_the_voltage_every_row_is_offered(station: Station) -> None:
    change_settings(station, {"profile": "wuhai-2023"}, operator=station.head_id)
    resident = application_row(station, accept(station, _at(2026, 11, 2, 9), small_micro_shop=False).uuid)
    assert works.kinds_for(station, resident) == works.works_kinds(station) != []


def station_calendar_due(station: Station, start: date, n: int) -> str:
    return station.calendar.due(start, n).date.isoformat()


def test_works_due_date_skips_national_day_and_counts_the_make_up_saturday(station: Station) -> None:
    app = accept_high_voltage(station, _at(2026, 9, 25, 9))
    row = works.record_works(
        station, app, kind="10千伏/线路T接", project_manager="李项目", contract_date="2026-10-20",
        customer_completion="2026-10-30", operator=station.head_id, at=_at(2026, 9, 28, 10),
    )  # fmt: skip
    # 9-29, 9-30, (10-1..10-7 国庆节), 10-8, 10-9, 10-10 (调休上班), (10-11 周日), 10-12, 10-13.
    assert row.due_date == "2026-10-13" and not row.due_estimated


def test_a_contract_date_after_the_customer_s_completion_is_refused(station: Station) -> None:
    app = accept(station, _at(2026, 11, 2, 9)).uuid
    before = station.store.one("SELECT count(*) FROM events")
    with pytest.raises(StationError, match="不得晚于客户工程完成时间"):
        works.record_works(
            station, app, kind="低压/小微企业", project_manager="李项目", contract_date="2026-12-20",
            customer_completion="2026-12-19", operator=station.head_id,
        )  # fmt: skip
    with pytest.raises(StationError, match="不在本站的时限表中"):
        works.record_works(
            station, app, kind="低压/其它", project_manager="李项目", contract_date="2026-12-01",
            customer_completion="2026-12-19", operator=station.head_id,
        )  # fmt: skip
    assert station.store.one("SELECT count(*) FROM events") == before
    assert works.list_works(station) == []


def test_a_profile_without_a_works_table_says_so(station: Station) -> None:
    change_settings(station, {"profile": "sanxia-2021"}, operator=station.head_id)
    app = accept(station, _at(2026, 11, 2, 9)).uuid
    with pytest.raises(StationError, match="没有配套工程建设时限表"):
        works.record_works(
            station, app, kind="10千伏/线路T接", project_manager="李", contract_date="2026-12-01",
            customer_completion="2026-12-19", operator=station.head_id,
        )  # fmt: skip


def test_works_cli_adds_lists_and_refuses_in_chinese(station: Station, db_path: Path) -> None:
    number = application_row(station, accept_high_voltage(station, _at(2026, 11, 2, 9)))["number"]
    # The command records on the system clock: the due date counts from today.
    due = station_calendar_due(station, datetime.now(CHINA_TZ).date(), 7)
    station.store.close()
    ok = _run(db_path, "works", "add", number, "--kind", "10千伏/线路T接", "--manager", "李项目",
              "--contract", "2026-12-10", "--completion", "2026-12-15")  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert f"时限 7 个工作日，到期 {due}" in ok.output
    late = _run(db_path, "works", "add", number, "--kind", "10千伏/线路T接", "--manager", "李项目",
                "--contract", "2026-12-16", "--completion", "2026-12-15")  # fmt: skip
    assert late.exit_code == 1 and "不得晚于客户工程完成时间" in late.output and "Traceback" not in late.output
    listed = _run(db_path, "works", "list")
    assert listed.exit_code == 0 and listed.output.count(number) == 1 and "李项目" in listed.output


# --- termination review ------------------------------------------------------------------------------------------


def test_terminated_applications_wait_for_review_until_confirmed_or_reopened(station: Station) -> None:
    first = accept(station, _at(2026, 11, 2, 9), name="甲商店").uuid
    second = accept(station, _at(2026, 11, 3, 9), name="乙商店").uuid
    lifecycle.pause(station, second, reason="客户外出", operator=station.head_id)
    for app in (first, second):
        lifecycle.terminate(station, app, reason="客户撤回申请", operator=station.head_id)
    assert [r.application for r in terminations.awaiting_review(station)] == [first, second]
    with pytest.raises(StationError, match="写明理由"):
        terminations.review(station, second, head=station.head_id, pin=HEAD_PIN, reopen=True)
    terminations.review(station, first, head=station.head_id, pin=HEAD_PIN)
    terminations.review(station, second, head=station.head_id, pin=HEAD_PIN, reopen=True, reason="客户并未撤回")
    assert terminations.awaiting_review(station) == []
    # Reopened back to the state it was terminated from (paused), its reason on the timeline.
    assert station.store.one("SELECT status FROM applications WHERE uuid = ?", (second,)) == "paused"
    assert (
        station.store.one("SELECT reason FROM termination_reviews WHERE application = ?", (second,)) == "客户并未撤回"
    )
    assert check(station.store.path).ok


def test_termination_rate_against_the_wuhai_threshold(station: Station) -> None:
    change_settings(station, {"profile": "wuhai-2023"}, operator=station.head_id)
    apps = [accept(station, _at(2026, 11, 2, 9), name=f"商店{i}").uuid for i in range(3)]
    lifecycle.connect(station, apps[0], operator=station.head_id)
    lifecycle.connect(station, apps[1], operator=station.head_id)
    lifecycle.terminate(station, apps[2], reason="客户撤回申请", operator=station.head_id)
    rate = terminations.termination_rate(station, "2026-11")
    assert (rate.terminated, rate.finished, rate.rate, rate.threshold, rate.over) == (1, 3, 0.3333, 0.03, True)
    terminations.review(station, apps[2], head=station.head_id, pin=HEAD_PIN, reopen=True, reason="误终止")
    rate = terminations.termination_rate(station, "2026-11")
    assert (rate.terminated, rate.finished, rate.over) == (0, 2, False)
    assert terminations.termination_rate(station, "2026-10").rate is None


def _deferred(station: Station, when: datetime) -> str:
    application = deferred_resident(station, when)
    assert station.store.one("SELECT intake_mode FROM applications WHERE uuid = ?", (application,)) == "deferred"
    return application


def test_a_deferred_document_past_its_committed_date_is_proposed_never_terminated(
    station: Station, db_path: Path
) -> None:
    late = _deferred(station, _at(2026, 11, 16, 9))  # 2 working days: due 11-18, today is 11-23
    _deferred(station, _at(2026, 11, 20, 9))  # due 11-24: not yet late
    proposals = terminations.proposed_terminations(station)
    assert [p.application for p in proposals] == [late]
    assert proposals[0].reason == "容缺资料（产权证明）未在承诺时间 2026-11-18 前补齐"
    assert station.store.one("SELECT status FROM applications WHERE uuid = ?", (late,)) == "open"
    station.store.close()
    out = _run(db_path, "terminations", "proposed")
    assert out.exit_code == 0 and "建议终止：容缺资料（产权证明）" in out.output


def test_review_cli_checks_the_pin_and_records_the_reason(station: Station, db_path: Path) -> None:
    app = accept(station, _at(2026, 11, 2, 9))
    lifecycle.terminate(station, app.uuid, reason="客户撤回申请", operator=station.head_id)
    station.store.close()
    assert app.number in _run(db_path, "terminations", "pending").output
    wrong = _run(db_path, "terminations", "review", app.number, "--head", "王站长", "--pin", "9999")
    assert wrong.exit_code == 1 and "Traceback" not in wrong.output
    ok = _run(db_path, "terminations", "review", app.number, "--head", "王站长", "--reopen", "客户补齐资料",
              input=f"{HEAD_PIN}\n")  # fmt: skip
    assert ok.exit_code == 0 and "已退回重办" in ok.output, ok.output
    assert app.number not in _run(db_path, "terminations", "pending").output


# --- follow-up calls ---------------------------------------------------------------------------------------------


def test_connected_small_micro_applications_wait_for_a_call_oldest_first(station: Station) -> None:
    older = accept(station, _at(2026, 11, 2, 9), name="甲商店").uuid
    newer = accept(station, _at(2026, 11, 3, 9), name="乙商店").uuid
    resident = accept(station, _at(2026, 11, 3, 9), small_micro_shop=False, name="丙").uuid
    lifecycle.connect(station, newer, operator=station.head_id, at=_at(2026, 11, 10, 9))
    lifecycle.connect(station, older, operator=station.head_id, at=_at(2026, 11, 12, 9))
    lifecycle.connect(station, resident, operator=station.head_id, at=_at(2026, 11, 9, 9))
    assert [w.application for w in followups.awaiting_calls(station)] == [newer, older]
    followups.record_call(station, newer, CallAnswer(reached=False), operator=station.head_id)
    assert [(w.application, w.attempts) for w in followups.awaiting_calls(station)] == [(newer, 1), (older, 0)]
    assert followups.call_shares(station).called_share == 0.0
    followups.record_call(
        station, newer, CallAnswer(reached=True, satisfied=False, fee_asked=True, second_visit=True,
                                   said="装表时让我交了200元", complaint=True, follow_up="站长明日上门核实"),
        operator=station.head_id,
    )  # fmt: skip
    followups.record_call(station, older, CallAnswer(reached=True, satisfied=True), operator=station.head_id)
    assert followups.awaiting_calls(station) == []
    shares = followups.call_shares(station, "2026-11")
    assert (shares.connected, shares.called, shares.satisfied) == (2, 2, 1)
    assert (shares.called_share, shares.satisfied_share) == (1.0, 0.5)
    assert station.store.one("SELECT fee_asked + second_visit FROM followup_calls WHERE complaint = 1") == 2
    assert check(station.store.path).ok


def test_a_call_is_refused_when_it_contradicts_itself_or_the_application_is_open(station: Station) -> None:
    app = accept(station, _at(2026, 11, 2, 9)).uuid
    with pytest.raises(StationError, match="尚未送电"):
        followups.record_call(station, app, CallAnswer(reached=True, satisfied=True), operator=station.head_id)
    lifecycle.connect(station, app, operator=station.head_id)
    for answer, message in (
        (CallAnswer(reached=True), "是否满意"),
        (CallAnswer(reached=False, satisfied=True), "未接通"),
        (CallAnswer(reached=True, satisfied=False, complaint=True), "后续处理"),
    ):
        with pytest.raises(StationError, match=message):
            followups.record_call(station, app, answer, operator=station.head_id)
    assert station.store.one("SELECT count(*) FROM followup_calls") == 0


def test_calls_cli_lists_records_and_counts(station: Station, db_path: Path) -> None:
    app = accept(station, _at(2026, 11, 2, 9))
    lifecycle.connect(station, app.uuid, operator=station.head_id)
    station.store.close()
    assert app.number in _run(db_path, "calls", "pending").output
    bad = _run(db_path, "calls", "add", app.number, "--complaint", "")
    assert bad.exit_code == 1 and "错误" in bad.output and "Traceback" not in bad.output
    ok = _run(db_path, "calls", "add", app.number, "--satisfied", "--extra-documents", "--said", "又让我交了一次身份证")
    assert ok.exit_code == 0, ok.output
    assert app.number not in _run(db_path, "calls", "pending").output
    assert "已回访 1 件（100.0%），满意 1 件（100.0%）" in _run(db_path, "calls", "shares").output


# --- indicators --------------------------------------------------------------------------------------------------


def test_indicators_command_prints_the_export_rows_and_the_month_s_duties(
    station: Station, db_path: Path, clock: MovableClock
) -> None:
    import json

    change_settings(station, {"profile": "wuhai-2023"}, operator=station.head_id)
    early = accept(station, _at(2026, 10, 12, 9), name="早商店").uuid
    apps = [accept(station, _at(2026, 11, 2, 9), name=f"商店{i}").uuid for i in range(2)]
    lifecycle.connect(station, early, operator=station.head_id, at=_at(2026, 10, 14, 9))
    lifecycle.connect(station, apps[0], operator=station.head_id, at=_at(2026, 11, 4, 9))
    lifecycle.terminate(station, apps[1], reason="客户撤回申请", operator=station.head_id, at=_at(2026, 11, 5, 9))
    followups.record_call(station, apps[0], CallAnswer(reached=True, satisfied=True), operator=station.head_id)
    station.store.close()
    out = _run(db_path, "indicators", "--from", "2026-11", "--json")
    assert out.exit_code == 0, out.output
    report = json.loads(out.output)
    assert {r["month"] for r in report["categories"]} == {"2026-11"}
    (row,) = report["categories"]
    assert (row["accepted"], row["connected"], row["terminated"], row["avg_workdays"]) == (2, 1, 1, 2)
    (month,) = report["months"]
    assert (month["termination_rate"], month["termination_rate_over"], month["called_share"]) == (0.5, True, 1.0)
    # A termination the 站长 reopens no longer counts, in the rows as in the rate.
    with open_store(db_path, clock=clock) as store:
        reopen = Station.open(store)
        terminations.review(reopen, apps[1], head=reopen.store.one("SELECT uuid FROM operators"), pin=HEAD_PIN,
                            reopen=True, reason="误终止")  # fmt: skip
    report = json.loads(_run(db_path, "indicators", "--from", "2026-11", "--json").output)
    assert report["categories"][0]["terminated"] == 0 and report["months"][0]["termination_rate"] == 0.0
    text = _run(db_path, "indicators", "--to", "2026-10")
    assert text.exit_code == 0 and "2026-10" in text.output and "2026-11" not in text.output
    bad = _run(db_path, "indicators", "--from", "2026-13")
    assert bad.exit_code == 1 and "YYYY-MM" in bad.output and "Traceback" not in bad.output
