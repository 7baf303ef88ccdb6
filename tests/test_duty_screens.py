"""The duty screens of issue 16 driven as a clerk drives them: 指标 (F12), 回访 and 终止审核 from 工作台, 配套工程
from an application. Data recorded through the services (duty_helpers); what is checked is what the clerk sees and
what the database then holds."""

from __future__ import annotations

import pytest
from duty_helpers import Duties, fill_duties
from textual.widgets import DataTable, Input, Select

from pilot_helpers import SIZE, login, settle, text_of
from station_tui.app import StationApp
from station_tui.screens.application import ApplicationScreen
from station_tui.screens.charts import OVER_STYLE
from station_tui.screens.duty_dialogs import CallDialog, ReviewDialog
from station_tui.screens.followups import FollowupsScreen
from station_tui.screens.home import HomeScreen
from station_tui.screens.indicators import IndicatorsScreen
from station_tui.screens.terminations import TerminationsScreen, rate_text
from station_tui.screens.works import WorksScreen
from station_tui.services.station import Station, change_settings
from station_tui.services.terminations import TerminationRate
from station_tui.store import open_store


@pytest.fixture
def duties(station: Station) -> Duties:
    return fill_duties(station)


def rows(app: StationApp, selector: str) -> list[list[str]]:
    table = app.screen.query_one(selector, DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def start(app: StationApp, pilot, *keys: str) -> None:  # noqa: ANN001
    await login(app, pilot, "王站长", "1234")
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


async def open_works(app: StationApp, pilot, customer: str) -> None:  # noqa: ANN001
    """From any area: find the customer's application with F8, open it, then its 配套工程 with w."""
    await pilot.press("f8", *customer)
    await settle(app, pilot)
    await pilot.press("down", "enter")
    await settle(app, pilot)
    assert isinstance(app.screen, ApplicationScreen)
    await pilot.press("w")
    await settle(app, pilot)
    assert isinstance(app.screen, WorksScreen)


async def retype(app: StationApp, pilot, text: str) -> None:  # noqa: ANN001
    """Clear the focused field (End, then Ctrl+U: everything left of the cursor) and type `text`."""
    await pilot.press("end", "ctrl+u", *text)
    await settle(app, pilot)


# --- 指标 ------------------------------------------------------------------------------------------------------


async def test_indicators_show_the_months_by_category_with_the_limit_drawn(duties: Duties, clock) -> None:  # noqa: ANN001
    app = StationApp(duties.path, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await start(app, pilot, "f12")
        assert isinstance(app.screen, IndicatorsScreen)
        assert app.screen.query_one("#ind-from", Input).value == "2026-06"
        # Counted by hand: 乙 (10-09 → 11-04: 16 working days in October with the make-up Saturday 10-10, 3 in
        # November; due 10-29, late) and 丙 (11-02 → 11-10: 6, on time) connected in November; 丁 terminated.
        november = ["2026-11", "低压小微企业", "3", "2", "12.5", "19", "50.0%", "1", "100.0%", "0.0%", "2"]
        assert november in rows(app, "#ind-table")
        assert ["2026-11", "1/3", "33.3%", "未规定", "2", "0.0%", "—"] in rows(app, "#ind-duties")
        # The first row's category (低压小微企业, 15 working days) is charted, month by month, the limit marked.
        assert "时限 15 个工作日" in text_of(app, "#ind-days-title")
        days = text_of(app, "#ind-days").splitlines()
        assert len(days) == 6 and days[0].startswith("2026-06") and days[0].endswith("—")
        assert days[3].startswith("2026-09 █") and days[3].endswith(" 5") and "│" in days[3]
        assert days[5].endswith(" 12.5")
        on_time = text_of(app, "#ind-ontime").splitlines()
        assert on_time[3].endswith("100.0%") and on_time[5].endswith("50.0%")
        assert on_time[5].count("█") * 2 == on_time[3].count("█")

        # Down the table to the residents' category: the charts follow the cursor.
        await pilot.press("tab", "tab")
        assert app.focused is app.screen.query_one("#ind-table")
        await pilot.press("down", "down")
        await settle(app, pilot)
        assert "「低压（无配套工程）」" in text_of(app, "#ind-days-title") and "时限 2 个工作日" in text_of(
            app, "#ind-days-title"
        )


async def test_a_wrong_month_is_refused_in_chinese_and_kept_for_correcting(duties: Duties, clock) -> None:  # noqa: ANN001
    app = StationApp(duties.path, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, "f12")
        await retype(app, pilot, "2026-13")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "月份“2026-13”格式不对，请写成 YYYY-MM" in text_of(app, "#ind-message")
        assert app.screen.query_one("#ind-from", Input).value == "2026-13"
        assert len(rows(app, "#ind-table")) == 4  # what was shown stays until a good range replaces it
        await retype(app, pilot, "2026-12")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "晚于截止月份" in text_of(app, "#ind-message")
        await retype(app, pilot, "2026-10")
        await pilot.press("enter")
        await settle(app, pilot)
        assert {r[0] for r in rows(app, "#ind-table")} == {"2026-10", "2026-11"}
        await pilot.press("left_square_bracket")  # a month earlier, both ends
        await settle(app, pilot)
        assert app.screen.query_one("#ind-to", Input).value == "2026-10"
        assert {r[0] for r in rows(app, "#ind-table")} == {"2026-09", "2026-10"}
        assert text_of(app, "#ind-days").splitlines()[0].startswith("2026-09 █")


# --- 回访 ------------------------------------------------------------------------------------------------------


async def test_a_call_is_recorded_after_the_service_s_refusals_keeping_what_was_typed(
    duties: Duties,
    clock,  # noqa: ANN001
) -> None:
    app = StationApp(duties.path, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, "f1", "c")
        assert isinstance(app.screen, FollowupsScreen)
        assert [r[2] for r in rows(app, "#calls-table")] == ["甲便利店", "乙五金店", "丙超市"]  # oldest first
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, CallDialog)
        await pilot.press("enter", "down", "enter", "ctrl+s")  # 接通, and nothing about satisfaction
        await settle(app, pilot)
        assert text_of(app, "#call-error") == "已接通的回访请记录客户是否满意"
        # 不满意; asked for a fee and a second visit; what the customer said; a complaint with no follow-up yet.
        await pilot.press("tab", "enter", "down", "down", "enter")
        await pilot.press("tab", "tab", "space", "tab", "space", "tab", *"装表时让我交了200元", "tab", "space")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert text_of(app, "#call-error") == "客户有投诉：请写明后续处理（谁、何时跟进）"
        assert app.screen.query_one("#said", Input).value == "装表时让我交了200元"
        await pilot.press("tab", *"站长明日上门核实", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, FollowupsScreen)
        assert [r[2] for r in rows(app, "#calls-table")] == ["乙五金店", "丙超市"]
        # A call that did not get through: 乙 stays on the list, its attempt counted.
        await pilot.press("enter", "enter", "down", "down", "enter", "ctrl+s")
        await settle(app, pilot)
        assert [(r[2], r[4]) for r in rows(app, "#calls-table")] == [("乙五金店", "1 次"), ("丙超市", "—")]
    with open_store(duties.path, clock=clock) as store:
        calls = store.rows("SELECT * FROM followup_calls ORDER BY called_at, reached DESC")
    assert [(c["application"], c["reached"]) for c in calls] == [(duties.september, 1), (duties.october, 0)]
    first = calls[0]
    assert (first["satisfied"], first["extra_documents"], first["fee_asked"], first["second_visit"]) == (0, 0, 1, 1)
    assert (first["said"], first["complaint"], first["follow_up"]) == ("装表时让我交了200元", 1, "站长明日上门核实")


# --- 配套工程 --------------------------------------------------------------------------------------------------


async def test_works_are_recorded_from_the_application_and_a_late_contract_date_refused(
    duties: Duties,
    clock,  # noqa: ANN001
) -> None:
    app = StationApp(duties.path, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await open_works(app, pilot, "戊农资店")
        assert len(rows(app, "#works-table")) == 1  # recorded with the data
        # A small shop: the one kind that fits it is offered (after the prompt), its limit shown with it.
        await pilot.press("enter", "down", "enter")
        await settle(app, pilot)
        assert app.screen.query_one("#works-kind", Select).selection == "低压/小微企业"
        assert "≤13 个工作日" in str(
            app.screen.query_one("#works-kind", Select).query_one("SelectCurrent Static").render()
        )
        await pilot.press("tab", *"张项目", "tab", *"2026-12-20", "tab", *"2026-12-18", "ctrl+s")
        await settle(app, pilot)
        assert text_of(app, "#works-message") == (
            "配套工程约定完成时间 2026-12-20 晚于客户工程完成时间 2026-12-18：配套工程完成时间不得晚于客户工程完成时间"
        )
        assert len(rows(app, "#works-table")) == 1
        assert app.screen.query_one("#works-manager", Input).value == "张项目"
        await pilot.press("shift+tab")
        await retype(app, pilot, "2026-12-16")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        # 13 working days from the day after 11-23: 11-24 … 12-10.
        assert text_of(app, "#works-message").startswith("已登记 低压/小微企业：时限 13 个工作日，到期 2026-12-10")
        assert ["13", "2026-12-10", "低压/小微企业", "≤13", "张项目"] in [r[:5] for r in rows(app, "#works-table")]
        assert app.screen.query_one("#works-contract", Input).value == ""  # ready for the next works
        # 工作台 w: every application's works, soonest first.
        await pilot.press("escape", "escape", "f1", "w")
        await settle(app, pilot)
        listed = rows(app, "#works-table")
        assert [r[3] for r in listed] == ["低压/小微企业"] * 2 and sorted(r[5] for r in listed) == ["张项目", "李项目"]


# --- 终止审核 --------------------------------------------------------------------------------------------------


async def test_the_head_reopens_a_termination_with_a_reason_after_a_wrong_pin(duties: Duties, clock) -> None:  # noqa: ANN001
    app = StationApp(duties.path, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, "f1", "t")
        assert isinstance(app.screen, TerminationsScreen)
        assert [r[2] for r in rows(app, "#term-table")] == ["丁商店"]
        assert [r[2:] for r in rows(app, "#term-proposals")] == [["张秀兰", "产权证明"]]
        await pilot.press("o")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewDialog)
        await pilot.press(*"9999", "tab", *"客户并未撤回", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ReviewDialog) and "PIN" in text_of(app, "#review-error")
        assert app.screen.query_one("#reason", Input).value == "客户并未撤回"
        await pilot.press("shift+tab")
        await retype(app, pilot, "1234")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, TerminationsScreen)
        assert rows(app, "#term-table") == []
        assert "已退回重办" in text_of(app, "#term-message")
        assert "终止 0 / 办结 2" in text_of(app, "#term-rate")
        # A proposal is only shown: Enter opens the application, where a person decides.
        await pilot.press("tab", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ApplicationScreen) and app.screen.application_uuid == duties.deferred
    with open_store(duties.path, clock=clock) as store:
        assert store.one("SELECT status FROM applications WHERE uuid = ?", (duties.terminated,)) == "open"
        assert store.one("SELECT reason FROM termination_reviews") == "客户并未撤回"
        assert store.one("SELECT status FROM applications WHERE uuid = ?", (duties.deferred,)) == "open"


async def test_the_head_confirms_a_termination(duties: Duties, clock) -> None:  # noqa: ANN001
    app = StationApp(duties.path, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, "f1", "t", "y")
        assert isinstance(app.screen, ReviewDialog)
        await pilot.press(*"1234", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, TerminationsScreen) and rows(app, "#term-table") == []
        assert "终止 1 / 办结 3" in text_of(app, "#term-rate")
    with open_store(duties.path, clock=clock) as store:
        assert store.one("SELECT outcome FROM termination_reviews") == "confirmed"
        assert store.one("SELECT status FROM applications WHERE uuid = ?", (duties.terminated,)) == "terminated"


# --- 工作台 ----------------------------------------------------------------------------------------------------


async def test_home_shows_the_month_s_termination_rate_against_the_profile_s_threshold(
    duties: Duties,
    clock,  # noqa: ANN001
) -> None:
    with open_store(duties.path, clock=clock) as store:
        head = store.one("SELECT uuid FROM operators WHERE name = '王站长'")
        change_settings(Station.open(store), {"profile": "wuhai-2023"}, operator=head)
    app = StationApp(duties.path, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        assert text_of(app, "#home-rate") == "2026-11 终止率 33.3%（终止 1 / 办结 3，要求低于 3%）　超过门槛"


def test_the_rate_is_red_at_the_threshold_and_green_under_it() -> None:
    def style_of_share(rate: TerminationRate) -> str:
        text = rate_text(rate)
        return next(str(s.style) for s in text.spans if text.plain[s.start : s.end].endswith("%"))

    assert style_of_share(TerminationRate("2026-11", 3, 100, 0.03, 0.03)) == OVER_STYLE
    assert style_of_share(TerminationRate("2026-11", 2, 100, 0.02, 0.03)) == "bold green"
    assert "未规定门槛" in rate_text(TerminationRate("2026-11", 2, 100, 0.02, None)).plain


async def test_on_a_small_terminal_the_page_keys_bring_the_charts_into_view(duties: Duties, clock) -> None:  # noqa: ANN001
    app = StationApp(duties.path, clock=clock)
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot, "f12")
        chart = app.screen.query_one("#ind-ontime")
        body = app.screen.query_one("#ind-body")
        assert chart.region.y >= body.region.bottom  # below the fold at first
        await pilot.press("pagedown", "pagedown")
        await settle(app, pilot)
        assert body.region.contains_region(chart.region)
        assert isinstance(app.focused, Input)  # the month field kept the focus


async def test_a_profile_without_a_works_table_is_said_on_the_works_screen(duties: Duties, clock) -> None:  # noqa: ANN001
    with open_store(duties.path, clock=clock) as store:
        head = store.one("SELECT uuid FROM operators WHERE name = '王站长'")
        change_settings(Station.open(store), {"profile": "sanxia-2021"}, operator=head)
    app = StationApp(duties.path, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, "f8", *"戊农资店")
        await pilot.press("down", "enter", "w")
        await settle(app, pilot)
        assert text_of(app, "#works-note") == "本站策略没有配套工程建设时限表"
        await pilot.press("tab", *"张项目", "tab", *"2026-12-10", "tab", *"2026-12-18", "ctrl+s")
        await settle(app, pilot)
        assert "没有配套工程建设时限表，无法登记配套工程" in text_of(app, "#works-message")
        assert app.screen.query_one("#works-manager", Input).value == "张项目"


async def test_a_long_company_name_on_the_call_list_ends_with_an_ellipsis(station: Station, clock) -> None:  # noqa: ANN001
    from duty_helpers import at
    from holiday_helpers import accept

    from station_tui.services import lifecycle

    name = "邾县城关镇新时代农业机械维修服务有限公司"
    long_named = accept(station, at(2026, 11, 9, 9), name=name).uuid
    lifecycle.connect(station, long_named, operator=station.head_id, at=at(2026, 11, 13, 10))
    path = fill_duties(station).path
    app = StationApp(path, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot, "f1", "c")
        assert isinstance(app.screen, FollowupsScreen)
        cells = [row[2] for row in rows(app, "#calls-table")]
        assert "邾县城关镇新时…" in cells and name not in cells
        # The dialog names the customer whole.
        table = app.screen.query_one("#calls-table", DataTable)
        table.move_cursor(row=cells.index("邾县城关镇新时…"))
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, CallDialog) and name in str(app.screen.query_one("Static").render())
