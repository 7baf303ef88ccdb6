"""Seed 004 三(二)1: 低压 without supporting works 2 working days, with works 5. Recording the first works on a 低压
application accepted without them moves it to the with-works category (application.works_flagged): its due date is
computed again by domain.deadlines' one rule, and the notice, F3, the timeline and the export all say the new one.
A 10 kV application's category does not depend on works (every profile), nor does a 小微企业's.

The fixture clock reads Monday 2026-11-23 09:30; the applications are accepted then, on the real clock."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from conftest import MovableClock
from duty_helpers import at, fill_duties
from holiday_helpers import accept, accept_high_voltage

from station_tui import __version__
from station_tui.services import countdown, lifecycle, notices, works
from station_tui.services.applications import application_row, application_view
from station_tui.services.calendar import application_due, finished_pauses
from station_tui.services.export import run_export
from station_tui.services.station import Station
from station_tui.store import Store, catalogue
from station_tui.store.check import check

TODAY = date(2026, 11, 23)


def _works(station: Station, application: str, kind: str = "低压/非小微企业") -> works.WorksRow:
    return works.record_works(
        station, application, kind=kind, project_manager="李项目", contract_date="2026-11-26",
        customer_completion="2026-11-27", operator=station.head_id,
    )  # fmt: skip


@pytest.fixture
def resident(station: Station, clock: MovableClock) -> str:
    """A resident accepted 两证办结 at the counter today, without supporting works: 低压（无配套工程）, due in 2."""
    uuid = accept(station, clock(), clock=clock, small_micro_shop=False).uuid
    app = application_row(station, uuid)
    assert (app["category"], app["limit_days"], app["due_date"]) == ("lv_no_works", 2, "2026-11-25")
    clock.advance(minutes=30)
    return uuid


def test_the_first_works_move_a_low_voltage_application_to_5_working_days(station: Station, resident: str) -> None:
    row = _works(station, resident)
    assert row.category_change.startswith("时限类别由“低压（无配套工程）”改为“低压（有配套工程）”")
    app = application_row(station, resident)
    # 5 working days from the day after acceptance: 11-24, 25, 26, 27, 30.
    assert (app["category"], app["limit_days"], app["supporting_works"]) == ("lv_works", 5, 1)
    assert app["due_date"] == "2026-11-30" == application_due(station, app).date.isoformat()
    # More works change nothing more: one flag event.
    _works(station, resident)
    flagged = [e for e in station.store.events(resident) if e.type == "application.works_flagged"]
    assert len(flagged) == 1 and flagged[0].needs_program == catalogue.WORKS_CATEGORY_PROGRAM
    assert application_row(station, resident)["due_date"] == "2026-11-30"
    station.store.close()
    assert check(station.store.path).ok  # the replay gives the same category and due date


def test_the_new_due_date_keeps_the_working_days_a_pause_added(
    station: Station, resident: str, clock: MovableClock
) -> None:
    lifecycle.pause(station, resident, reason="客户外出", operator=station.head_id)
    clock.advance(days=2)  # Wednesday 11-25: paused 2 working days
    lifecycle.resume(station, resident, operator=station.head_id)
    assert application_row(station, resident)["due_date"] == "2026-11-27"
    _works(station, resident)
    # 11-30 by the limit of 5, moved on by the 2 working days paused: 12-02; the one rule gives the same.
    app = application_row(station, resident)
    assert app["due_date"] == "2026-12-02"
    assert application_due(station, app, finished_pauses(station, resident)).date == date(2026, 12, 2)


def test_a_10kv_application_keeps_its_category_and_due_date(station: Station) -> None:
    uuid = accept_high_voltage(station, at(2026, 11, 16, 9))  # 10千伏及以上重要客户
    before = application_row(station, uuid)
    _works(station, uuid, "10千伏/线路T接")
    after = application_row(station, uuid)
    assert after["supporting_works"] == 1
    assert (after["category"], after["limit_days"], after["due_date"]) == (
        before["category"], before["limit_days"], before["due_date"],
    )  # fmt: skip
    timeline = application_view(station, uuid).events[-1]
    assert timeline.type_zh == "改为有配套工程" and "不随配套工程改变" in timeline.summary


def test_a_small_micro_shop_stays_in_its_own_category(station: Station, clock: MovableClock) -> None:
    uuid = accept(station, clock(), clock=clock).uuid  # 低压小微企业, 15 working days
    due = application_row(station, uuid)["due_date"]
    _works(station, uuid, "低压/小微企业")
    app = application_row(station, uuid)
    assert (app["category"], app["limit_days"], app["due_date"]) == ("lv_small_micro", 15, due)


def test_notice_countdown_timeline_and_export_show_the_new_category(
    station: Station, resident: str, tmp_path: Path
) -> None:
    first = notices.issue(station, "acceptance", application=resident, operator=station.head_id)
    assert "全流程时限 2 个工作日（低压（无配套工程）" in json.dumps(first.content, ensure_ascii=False)
    _works(station, resident)
    # The notice, corrected after the works: the new limit, category and due date.
    text = json.dumps(notices.correct(station, first.uuid, operator=station.head_id).content, ensure_ascii=False)
    assert "全流程时限 5 个工作日（低压（有配套工程）" in text and "最迟于 2026年11月30日办结" in text
    # F3.
    row = next(r for r in countdown.countdown(station, TODAY).rows if r.application == resident)
    assert row.due == date(2026, 11, 30) and row.days_left == 5
    # The timeline.
    line = application_view(station, resident).events[-2]  # the notice's correction is the last
    assert line.type_zh == "改为有配套工程"
    assert line.summary == (
        "时限类别由“低压（无配套工程）”改为“低压（有配套工程）”（5 个工作日），到期日由 2026-11-25 改为 2026-11-30"
    )
    assert application_view(station, resident).category == "低压（有配套工程）"
    # The export.
    (tmp_path / "outbox").mkdir()
    folder = run_export(station, outbox=tmp_path / "outbox").folder
    apps = _csv(folder / "applications.csv")
    exported = next(r for r in apps if r["申请ID"] == resident)
    assert (exported["时限类别"], exported["时限天数"], exported["到期日"], exported["有配套工程"]) == (
        "低压（有配套工程）", "5", "2026-11-30", "1",
    )  # fmt: skip
    types = [r["事件类型"] for r in _csv(folder / "events.csv") if r["申请ID"] == resident]
    assert "改为有配套工程" in types


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_a_program_older_than_the_type_refuses_it_naming_the_version_to_install(
    station: Station, resident: str, tmp_path: Path, clock: MovableClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 0.3.0 program (the catalogue before this type) receiving the event from a laptop or a station on 0.4.0:
    refused whole, asking for 0.4.0, not called damaged; its database is unchanged."""
    _works(station, resident)
    event = next(e for e in station.store.events(resident) if e.type == "application.works_flagged")
    assert catalogue.WORKS_CATEGORY_PROGRAM == __version__ == "0.4.0"
    older = Store(tmp_path / "older.db", clock=clock)
    try:
        monkeypatch.setattr(catalogue, "__version__", "0.3.0")
        monkeypatch.delitem(catalogue.CATALOGUE, "application.works_flagged")
        before = older.one("SELECT count(*) FROM events")
        with pytest.raises(catalogue.UnknownEventError) as refused:
            older.receive(event)
        message = str(refused.value)
        assert "application.works_flagged" in message and "需要 station-tui 0.4.0" in message and "升级" in message
        assert "损坏" not in message
        assert older.one("SELECT count(*) FROM events") == before
    finally:
        older.close()


# --- as a clerk: 配套工程 from the application, then F3 -------------------------------------------------------------


async def test_a_clerk_records_works_and_f3_shows_the_new_due_date(station: Station, clock: MovableClock) -> None:
    """张秀兰 (低压居民, accepted 11-16 without works: due 11-18, overdue today 11-23). The clerk records works on her
    application with w; F3 then shows her due on 11-23 (5 working days: 11-17 … 11-23), due today."""
    from test_duty_screens import open_works
    from textual.widgets import DataTable

    from pilot_helpers import SIZE, login, settle, text_of
    from station_tui.app import StationApp
    from station_tui.screens.application import ApplicationScreen
    from station_tui.screens.countdown import COLUMNS

    duties = fill_duties(station)
    with Store(duties.path, clock=clock) as store:
        number = store.one("SELECT number FROM applications WHERE uuid = ?", (duties.deferred,))
    app = StationApp(duties.path, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")

        async def f3_row() -> list[str]:
            await pilot.press("f3")
            await settle(app, pilot)
            table = app.screen.query_one("#countdown-table", DataTable)
            found = [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]
            return next(r for r in found if r[2] == number)

        due = [title for title, _ in COLUMNS].index("全流程到期")
        before = await f3_row()
        assert before[due].startswith("2026-11-18") and before[0] == "-3"
        await open_works(app, pilot, "张秀兰")
        await pilot.press("enter", "down", "enter")  # the first kind: 低压/非小微企业 (≤3)
        await pilot.press("tab", *"李项目", "tab", *"2026-11-25", "tab", *"2026-11-27", "ctrl+s")
        await settle(app, pilot)
        said = text_of(app, "#works-message")
        assert said.startswith("已登记 低压/非小微企业：时限 3 个工作日，到期 2026-11-26")
        assert (
            "时限类别由“低压（无配套工程）”改为“低压（有配套工程）”（5 个工作日），到期日由 2026-11-18 改为 2026-11-23"
            in said
        )
        assert "F4 更正" in said
        await pilot.press("escape")
        await settle(app, pilot)
        # Back on the application: its header says the new category and due date.
        assert isinstance(app.screen, ApplicationScreen)
        assert "时限类别：低压（有配套工程），5 个工作日　到期：2026-11-23" in text_of(app, "#app-header")
        await pilot.press("escape")
        await settle(app, pilot)
        after = await f3_row()
        assert after[due].startswith("2026-11-23") and after[0] == "0"


def test_works_of_a_connected_application_no_longer_count_down(station: Station, resident: str) -> None:
    """工作台 w lists the works still running (open and paused applications, as F3); on a connected application's
    own 配套工程 screen its works say 已送电 instead of an overdue count."""
    from station_tui.screens.works import FINISHED, _cells, read_works

    _works(station, resident)
    other = accept(station, at(2026, 11, 16, 9), name="己杂货店").uuid
    _works(station, other, "低压/小微企业")
    lifecycle.connect(station, resident, operator=station.head_id)
    assert [line.works.application for line in read_works(station, None).lines] == [other]
    (line,) = read_works(station, resident).lines
    assert line.level == FINISHED and str(_cells(line, with_number=False)[0]) == "已送电"


def test_works_add_says_the_new_category(station: Station, db_path: Path) -> None:
    from click.testing import CliRunner

    from station_tui.cli import main

    number = accept(station, at(2026, 11, 16, 9), small_micro_shop=False).number
    station.store.close()
    result = CliRunner().invoke(main, ["works", "add", number, "--kind", "低压/非小微企业", "--manager", "李项目",
                                       "--contract", "2027-12-10", "--completion", "2027-12-15", "--db", str(db_path)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "本申请时限类别由“低压（无配套工程）”改为“低压（有配套工程）”（5 个工作日）" in result.output
    assert "F4 告知书 更正" in result.output


def test_works_recorded_while_paused_then_resuming_counts_the_new_limit_and_the_pause(
    station: Station, resident: str, clock: MovableClock
) -> None:
    lifecycle.pause(station, resident, reason="客户外出", operator=station.head_id)
    clock.advance(hours=1)
    _works(station, resident)
    assert application_row(station, resident)["due_date"] == "2026-11-30"  # the running pause is not counted yet
    clock.advance(days=1)  # Tuesday 11-24: paused 1 working day
    assert lifecycle.resume(station, resident, operator=station.head_id) == "2026-12-01"


def test_the_indicators_count_it_in_the_with_works_category_against_its_new_due_date(station: Station) -> None:
    """Accepted Monday 11-02 without works (due 11-04), works recorded 11-03 (due 11-09), connected Friday 11-06:
    on 指标 it counts under 低压（有配套工程）, on time; nothing is left under 低压（无配套工程）."""
    from station_tui.services.indicators import station_indicators

    uuid = accept(station, at(2026, 11, 2, 9), small_micro_shop=False).uuid
    works.record_works(
        station, uuid, kind="低压/非小微企业", project_manager="李项目", contract_date="2026-11-05",
        customer_completion="2026-11-06", operator=station.head_id, at=at(2026, 11, 3, 9),
    )  # fmt: skip
    lifecycle.connect(station, uuid, operator=station.head_id, at=at(2026, 11, 6, 10))
    rows = {r["category"]: r for r in station_indicators(station, "2026-11", "2026-11")["categories"]}
    assert set(rows) == {"lv_works"}
    row = rows["lv_works"]
    assert (row["accepted"], row["connected"], row["avg_workdays"], row["on_time_share"]) == (1, 1, 4, 1.0)
    # Works are judged by the earlier of their limit's due date (3 working days from 11-03: 11-06) and the agreed
    # 11-05, as works.csv and the countdown judge them: connected on 11-06, the works were late.
    assert (row["works_connected"], row["works_on_time_share"]) == (1, 0.0)
