"""The indicators on fixed events, computed by hand: the station's own (services.indicators) and the county's from the
station's export (county.indicators), on SQLite and PostgreSQL, hold the same numbers."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from holiday_helpers import accept

from station_tui.county.indicators import COUNTY, Range, count_range
from station_tui.county.load import load_folders
from station_tui.county.target import open_target
from station_tui.domain.timeutil import CHINA_TZ
from station_tui.services import followups, lifecycle, terminations, works
from station_tui.services.export import run_export
from station_tui.services.followups import CallAnswer
from station_tui.services.indicators import station_indicators
from station_tui.services.station import Station
from tests.county_helpers import target  # noqa: F401, F811 - fixture
from tests.test_duties import _deferred  # a resident accepted with the property certificate deferred (容缺)

SMALL = "lv_small_micro"  # zhuxian-2020's 低压小微企业 (15 working days), the small shops below
RESIDENT = "lv_no_works"  # 低压无配套工程 (2 working days), the residents below


def _at(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=CHINA_TZ)


def _collect(station: Station, application: str, when: datetime) -> None:
    (document,) = station.store.rows(
        "SELECT uuid FROM documents WHERE application = ? AND status = 'deferred'", (application,)
    )
    lifecycle.collect_document(
        station, document["uuid"], form="原件", copy_kind="none", operator=station.head_id, at=when
    )


def _works(station: Station, application: str, when: datetime, contract: str = "2026-12-31") -> str:
    row = works.record_works(
        station, application, kind="低压/小微企业", project_manager="李项目", contract_date=contract,
        customer_completion="2026-12-31", operator=station.head_id, at=when,
    )  # fmt: skip
    return row.due_date


def fixed_events(station: Station) -> dict[str, str]:
    """November 2026 has no holiday: its working days are Monday to Friday (the 2nd is a Monday)."""
    head = station.head_id
    a = accept(station, _at(11, 2), name="甲商店").uuid
    b = accept(station, _at(11, 2), name="乙商店").uuid
    c = accept(station, _at(11, 2), name="丙商店").uuid
    # A: works due in 13 working days (11-19), a stage advanced on 11-04, connected on Friday 11-06: 4 working days.
    dues = {"a": _works(station, a, _at(11, 2, 10))}
    lifecycle.advance_stage(station, a, operator=head, at=_at(11, 4))
    lifecycle.connect(station, a, operator=head, at=_at(11, 6))
    followups.record_call(station, a, CallAnswer(reached=False), operator=head, at=_at(11, 9))
    followups.record_call(station, a, CallAnswer(reached=True, satisfied=True), operator=head, at=_at(11, 10))
    # B: works due in 13 working days (11-19) but agreed with the customer for 11-05, the earlier binds; paused 11-03
    # to 11-05 (2 working days, the customer's); advanced on 11-10, connected on 11-13: 9 working days less 2 = 7;
    # the works late; the customer reached, not satisfied.
    dues["b"] = _works(station, b, _at(11, 2, 10), contract="2026-11-05")
    lifecycle.pause(station, b, reason="等客户补资料", operator=head, at=_at(11, 3))
    lifecycle.resume(station, b, operator=head, at=_at(11, 5))
    lifecycle.advance_stage(station, b, operator=head, at=_at(11, 10))
    lifecycle.connect(station, b, operator=head, at=_at(11, 13))
    followups.record_call(station, b, CallAnswer(reached=True, satisfied=False, said="等太久"), operator=head,
                          at=_at(11, 16))  # fmt: skip
    # C: terminated on 11-04.
    lifecycle.terminate(station, c, reason="客户撤回申请", operator=head, at=_at(11, 4))
    # D, E, F: residents accepted 容缺 on 11-09 (due 11-11) and 11-16 (due 11-18). D's document collected on 11-10
    # (on time), then connected on 11-12 (3 working days, one late); E's on 11-13 (late); F's not yet.
    d = _deferred(station, _at(11, 9))
    e = _deferred(station, _at(11, 9))
    f = _deferred(station, _at(11, 16))
    _collect(station, d, _at(11, 10))
    lifecycle.connect(station, d, operator=head, at=_at(11, 12))
    _collect(station, e, _at(11, 13))
    return {"a": a, "b": b, "c": c, "d": d, "e": e, "f": f, **{f"due_{k}": v for k, v in dues.items()}}


def _by_category(rows: list[dict]) -> dict[str, dict]:
    return {r["category"]: r for r in rows}


def test_the_indicators_of_fixed_events_are_the_numbers_counted_by_hand(station: Station) -> None:
    made = fixed_events(station)
    assert (made["due_a"], made["due_b"]) == ("2026-11-19", "2026-11-19")
    report = station_indicators(station, "2026-11", "2026-11")
    rows = _by_category(report["categories"])
    small, resident = rows[SMALL], rows[RESIDENT]
    assert (small["accepted"], small["connected"], small["terminated"]) == (3, 2, 1)
    assert (small["avg_workdays"], small["max_workdays"], small["p90_workdays"]) == (5.5, 7, 7)
    assert small["excluded_workdays"] == 2  # B's pause: the customer's time, taken off
    assert small["on_time_share"] == 1.0  # 15 working days
    assert small["termination_rate"] == round(1 / 3, 4)
    assert (small["works_connected"], small["works_on_time_share"]) == (2, 0.5)
    assert (small["small_micro_connected"], small["called_share"], small["satisfied_share"]) == (2, 1.0, 0.5)
    assert (small["deferred_documents"], small["deferred_on_time_share"]) == (0, None)
    assert (resident["accepted"], resident["deferred_share"], resident["connected"]) == (3, 1.0, 1)
    assert (resident["avg_workdays"], resident["on_time_share"], resident["excluded_workdays"]) == (3, 0.0, 0)
    assert (resident["deferred_documents"], resident["deferred_on_time_share"]) == (3, round(1 / 3, 4))
    assert (resident["termination_rate"], resident["works_connected"], resident["works_on_time_share"]) == (
        0.0,
        0,
        None,
    )
    assert resident["small_micro_connected"] == 0 and resident["called_share"] is None
    stages = {(r["category"], r["position"]): r for r in report["stages"]}
    # A: 11-02→11-04 (2), then 11-04→11-06 (2); B: 11-02→11-10 (6), then 11-10→11-13 (3); D: its one stage, 3.
    assert (stages[SMALL, 1]["finished"], stages[SMALL, 1]["avg_workdays"], stages[SMALL, 1]["p90_workdays"]) == (
        2,
        4,
        6,
    )
    assert (stages[SMALL, 2]["finished"], stages[SMALL, 2]["avg_workdays"], stages[SMALL, 2]["p90_workdays"]) == (
        2,
        2.5,
        3,
    )
    assert stages[RESIDENT, 1]["finished"] == 1 and stages[RESIDENT, 1]["avg_workdays"] == 3


def test_several_works_pauses_and_calls_and_a_reopened_termination_count_by_hand(station: Station) -> None:
    """December 2026 has no holiday. Each kind of fact is counted once per application and put beside it: an
    application's several works, pauses and calls count as one application's (its earliest works due date, the sum of
    its pauses, its latest call that reached the customer), and a termination the 站长 reopened does not count."""
    head = station.head_id
    g = accept(station, _at(12, 1), name="戊商店").uuid
    h = accept(station, _at(12, 1), name="己商店").uuid
    # G: works due 13 working days on (12-18) and works agreed for 12-03: the earlier binds, connected 12-11 is late.
    assert _works(station, g, _at(12, 1, 10)) == "2026-12-18"
    _works(station, g, _at(12, 1, 11), contract="2026-12-03")
    # Paused 12-02 to 12-03 (1 working day) and 12-07 to 12-09 (2); connected Friday 12-11: 8 working days less 3.
    lifecycle.pause(station, g, reason="等客户补资料", operator=head, at=_at(12, 2))
    lifecycle.resume(station, g, operator=head, at=_at(12, 3))
    lifecycle.pause(station, g, reason="客户现场未具备条件", operator=head, at=_at(12, 7))
    lifecycle.resume(station, g, operator=head, at=_at(12, 9))
    lifecycle.connect(station, g, operator=head, at=_at(12, 11))
    # Reached and satisfied, then reached and not satisfied, then not reached: the latest that reached counts.
    followups.record_call(station, g, CallAnswer(reached=True, satisfied=True), operator=head, at=_at(12, 14))
    followups.record_call(station, g, CallAnswer(reached=True, satisfied=False, said="太慢"), operator=head,
                          at=_at(12, 15))  # fmt: skip
    followups.record_call(station, g, CallAnswer(reached=False), operator=head, at=_at(12, 16))
    # H: terminated 12-02, reopened by the 站长 12-03, connected 12-04 (3 working days); never called.
    lifecycle.terminate(station, h, reason="客户撤回申请", operator=head, at=_at(12, 2))
    terminations.record_review(station, h, head=head, reopen=True, reason="客户补齐了资料", at=_at(12, 3))
    lifecycle.connect(station, h, operator=head, at=_at(12, 4))

    (small,) = station_indicators(station, "2026-12", "2026-12")["categories"]
    assert (small["category"], small["accepted"], small["connected"], small["terminated"]) == (SMALL, 2, 2, 0)
    assert (small["avg_workdays"], small["max_workdays"], small["excluded_workdays"]) == (4, 5, 3)
    assert small["termination_rate"] == 0.0
    assert (small["works_connected"], small["works_on_time_share"]) == (1, 0.0)
    assert (small["small_micro_connected"], small["called_share"], small["satisfied_share"]) == (2, 0.5, 0.0)


def _comparable(rows: list[dict]) -> list[tuple]:
    # The category's name comes with the station's own profiles there and from the export here.
    return [tuple(v for k, v in r.items() if k not in ("station", "category_name")) for r in rows]


def test_the_county_counts_the_same_from_the_export(station: Station, target: str, tmp_path: Path) -> None:  # noqa: F811
    fixed_events(station)
    folder = run_export(station, outbox=tmp_path, full=True).folder
    mine = station_indicators(station)
    db = open_target(target)
    try:
        assert load_folders(db, [folder]).folders[0].status == "loaded"
        month = count_range(db, Range.month("2026-11"))
        everything = count_range(db, Range(date(2000, 1, 1), date(2100, 12, 31)))
    finally:
        db.close()
    for counted in (month, everything):
        for code in ("ZX01", COUNTY):
            assert _comparable([r for r in counted.rows if r["station"] == code]) == _comparable(mine["categories"])
            assert _comparable([r for r in counted.stages if r["station"] == code]) == _comparable(mine["stages"])


def test_county_indicators_command_prints_the_month_and_its_stages(station: Station, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from station_tui.cli import main

    fixed_events(station)
    folder = run_export(station, outbox=tmp_path, full=True).folder
    into = str(tmp_path / "county.db")
    runner = CliRunner()
    assert runner.invoke(main, ["county", "load", str(folder), "--into", into]).exit_code == 0
    result = runner.invoke(
        main, ["county", "indicators", "--month", "2026-11", "--stages", "--into", into], env={"COLUMNS": "400"}
    )
    assert result.exit_code == 0, result.output
    assert "终止率" in result.output and "回访满意占比" in result.output and "各环节用时" in result.output
    assert "0.3333" in result.output  # the small shops' termination rate, as counted by hand above
