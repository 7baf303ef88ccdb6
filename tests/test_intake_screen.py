"""受理 as a clerk does it, for every business type: 两证办结, 容缺办理 and a visit that cannot be accepted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from textual.widgets import Input, Select

from pilot_helpers import SIZE, login, settle, text_of
from station_tui.app import StationApp
from station_tui.domain.profiles import BUSINESS_TYPE_IDS
from station_tui.screens.dialogs import ConfirmDialog
from station_tui.screens.intake import IntakeScreen
from station_tui.screens.intake_dialogs import ReservationDialog
from station_tui.screens.notice_preview import NoticePreviewScreen
from station_tui.store import Store

PERSON_ID = "41130219850312018x"  # lower-case x, as clerks type it
COMPANY_CODE = "91411302MA0000001H"
VILLAGE_CODE = "54411302MA0000002F"
PERSON_TYPES = {"lv_resident", "well_private", "ev_resident"}
# What a clerk types in the business-type drop-down to find each type.
SEARCH = {
    "lv_resident": "低压居民",
    "lv_nonresident": "低压非居民",
    "hv_new": "高压",
    "well_private": "个人所有",
    "well_collective": "村委会",
    "ev_resident": "居民个人",
    "ev_nonresident": "非居民充电",
    "base_station_5g": "5G",
}


def _customer(business_type: str) -> dict[str, str]:
    person = business_type in PERSON_TYPES
    number = PERSON_ID if person else (VILLAGE_CODE if business_type == "well_collective" else COMPANY_CODE)
    return {
        "#customer-name": "张秀兰" if person else "邾县城关镇五金经营部",
        "#id-number": number,
        "#phone": "138 3712 3456",
        "#address": "邾县城关镇北关街18号",
        "#capacity": "800" if business_type == "hv_new" else "12",
    }


async def _type(app: StationApp, pilot, selector: str, text: str) -> None:  # noqa: ANN001
    app.screen.query_one(selector).focus()
    await pilot.press(*text)


async def _choose(app: StationApp, pilot, selector: str, search: str | None = None, downs: int = 0) -> None:  # noqa: ANN001
    """Open a drop-down with Enter, find the option by typing or with ↓, confirm with Enter."""
    app.screen.query_one(selector, Select).focus()
    await pilot.press("enter")
    if search:
        await pilot.press(*search)
    for _ in range(downs):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(app, pilot)


async def _fill(app: StationApp, pilot, business_type: str, received: str) -> None:  # noqa: ANN001
    """received: all / primary / none."""
    await pilot.press("f2")
    await settle(app, pilot)
    assert isinstance(app.screen, IntakeScreen)
    await _choose(app, pilot, "#business-type", search=SEARCH[business_type])
    assert app.screen.query_one("#business-type", Select).value == business_type
    for selector, text in _customer(business_type).items():
        await _type(app, pilot, selector, text)
    await settle(app, pilot)
    docs = app.station.checklists.required_documents(business_type)
    for doc in docs:
        if received == "all" or (received == "primary" and doc.primary):
            await _choose(app, pilot, f"#doc-form-{doc.key}", downs=1)  # the first accepted form
    await settle(app, pilot)


def _rows(db: Path, clock, sql: str, params: tuple = ()) -> list[dict]:  # noqa: ANN001
    with Store(db, clock=clock) as store:
        return store.rows(sql, params)


@pytest.mark.parametrize("business_type", BUSINESS_TYPE_IDS)
async def test_complete_intake(business_type: str, counter_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await _fill(app, pilot, business_type, "all")
        assert "两证办结" in text_of(app, "#mode")
        assert "时限类别" in text_of(app, "#proposal")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)  # the 一次告知书 is offered
        await pilot.click("#no")
        await settle(app, pilot)
        message = text_of(app, "#intake-message")
        assert "已受理：ZX01-20261123-01-" not in message  # the demo station's code is DEMO
        assert "已受理：DEMO-20261123-01-" in message and "两证办结" in message
    row = _rows(counter_db, clock, "SELECT * FROM applications WHERE accepted_date = '2026-11-23' AND simulated = 0")
    assert len(row) == 1
    app_row = row[0]
    assert app_row["business_type"] == business_type and app_row["intake_mode"] == "complete"
    assert app_row["phone"] == "13837123456"
    if business_type in PERSON_TYPES:
        assert app_row["id_number"] == PERSON_ID.upper()
    docs = _rows(counter_db, clock, "SELECT status FROM documents WHERE application = ?", (app_row["uuid"],))
    assert docs and all(d["status"] == "received" for d in docs)
    stage = _rows(
        counter_db, clock, "SELECT started_at FROM stages WHERE application = ? AND position = 1", (app_row["uuid"],)
    )[0]
    assert stage["started_at"].startswith("2026-11-23T09:30")  # the clock started at the real time


@pytest.mark.parametrize("business_type", BUSINESS_TYPE_IDS)
async def test_deferred_intake(business_type: str, counter_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "张伟", "3333")
        await _fill(app, pilot, business_type, "primary")
        assert "容缺办理" in text_of(app, "#mode")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.click("#no")
        await settle(app, pilot)
        assert "容缺办理" in text_of(app, "#intake-message")
    app_row = _rows(counter_db, clock, "SELECT * FROM applications WHERE simulated = 0")[0]
    assert app_row["intake_mode"] == "deferred"
    deferred = _rows(
        counter_db,
        clock,
        "SELECT d.name, d.collect_at_stage, o.name AS manager, o.role FROM documents d"
        " JOIN operators o ON o.uuid = d.assigned_to WHERE d.application = ? AND d.status = 'deferred'",
        (app_row["uuid"],),
    )
    assert deferred, "the documents not brought are deferred"
    assert all(d["role"] == "customer_manager" and d["collect_at_stage"] == "现场勘查" for d in deferred)


@pytest.mark.parametrize("business_type", BUSINESS_TYPE_IDS)
async def test_refused_visit(business_type: str, counter_db: Path, clock) -> None:  # noqa: ANN001
    register = business_type in ("lv_resident", "hv_new", "base_station_5g")
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await _fill(app, pilot, business_type, "none")
        assert "不能受理" in text_of(app, "#mode")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        # The 未受理告知书 is offered at once (the default answer); then the 零证预约.
        assert isinstance(app.screen, ConfirmDialog) and "未受理告知书" in text_of(app, "#confirm-text")
        if register:
            await pilot.press("enter")
            await settle(app, pilot)
            assert isinstance(app.screen, NoticePreviewScreen) and app.screen.kind == "refusal"
            preview = text_of(app, "#preview-text")
            assert preview.count(_customer(business_type)["#customer-name"]) >= 2  # the customer's part and the stub
            await pilot.press("escape")
        else:
            await pilot.click("#no")
        await settle(app, pilot)
        assert isinstance(app.screen, ReservationDialog)
        assert app.screen.query_one("#res-phone", Input).value == "138 3712 3456"
        await pilot.click("#ok" if register else "#cancel")
        await settle(app, pilot)
        assert isinstance(app.screen, IntakeScreen)
        message = text_of(app, "#intake-message")
        assert ("已登记线上预约" if register else "已记录本次来访") in message
        # Everything typed is still there.
        assert app.screen.query_one("#address", Input).value == "邾县城关镇北关街18号"
    assert _rows(counter_db, clock, "SELECT count(*) AS n FROM applications WHERE simulated = 0")[0]["n"] == 0
    visit = _rows(counter_db, clock, "SELECT * FROM visits")[0]
    assert visit["business_type"] == business_type and "不能受理" in visit["reason"]
    reservations = _rows(counter_db, clock, "SELECT * FROM reservations WHERE visit = ?", (visit["uuid"],))
    if register:
        assert reservations[0]["channel"] == "online" and reservations[0]["phone"] == "13837123456"
        assert "证明" in reservations[0]["bring"] and visit["reservation"] == reservations[0]["uuid"]
    else:
        assert reservations == [] and visit["reservation"] is None


async def test_rejected_form_keeps_what_was_typed(counter_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await _fill(app, pilot, "lv_resident", "all")
        phone = app.screen.query_one("#phone", Input)
        phone.value = ""
        await _type(app, pilot, "#phone", "6234567")  # no area code
        id_input = app.screen.query_one("#id-number", Input)
        id_input.value = ""
        await _type(app, pilot, "#id-number", "110105194912310023")  # wrong check digit
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "未保存：有 2 处需要改正" in text_of(app, "#intake-message")
        assert "区号" in text_of(app, "#msg-phone")
        assert "校验码" in text_of(app, "#msg-id-number")
        assert app.screen.query_one("#customer-name", Input).value == "张秀兰"
        assert app.screen.query_one("#phone", Input).value == "6234567"
        assert app.screen.query_one("#doc-form-property_proof", Select).value == "产权证"
    assert _rows(counter_db, clock, "SELECT count(*) AS n FROM applications WHERE simulated = 0")[0]["n"] == 0


async def test_flag_change_needs_a_reason_and_is_kept(counter_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await _fill(app, pilot, "lv_nonresident", "all")
        assert "小微企业：是" in text_of(app, "#proposal") and "低压小微企业" in text_of(app, "#proposal")
        await _choose(app, pilot, "#small-micro", downs=2)  # 否
        assert "小微企业：否" in text_of(app, "#proposal")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "请写明理由" in text_of(app, "#msg-flags-reason")
        await _type(app, pilot, "#flags-reason", "连锁集团分店不属小微企业")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.click("#no")
        await settle(app, pilot)
    row = _rows(counter_db, clock, "SELECT small_micro, flags_reason, category FROM applications WHERE simulated = 0")[
        0
    ]
    assert row == {"small_micro": 0, "flags_reason": "连锁集团分店不属小微企业", "category": "lv_no_works"}


async def test_unknown_region_code_is_a_warning_not_an_error(counter_db: Path, clock) -> None:  # noqa: ANN001
    from stdnum.cn import ric

    body = "41139919850312002"  # 411399: no such county in stdnum's list
    number = body + ric.calc_check_digit(body + "0")
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await _fill(app, pilot, "lv_resident", "all")
        app.screen.query_one("#id-number", Input).value = ""
        await _type(app, pilot, "#id-number", number)
        await pilot.press("tab")
        await settle(app, pilot)
        assert "不在已知行政区划表中" in text_of(app, "#msg-id-number")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
    payload = _rows(
        counter_db, clock, "SELECT payload FROM events WHERE type = 'application.accepted' AND simulated = 0"
    )
    assert json.loads(payload[0]["payload"])["application"]["id_number"] == number


async def test_agent_and_important_customer_add_their_documents(counter_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await _fill(app, pilot, "lv_nonresident", "all")
        screen = app.screen
        screen.query_one("#agent").focus()
        await pilot.press("space")
        await settle(app, pilot)
        keys = [w.id for w in screen.query(".doc-form")]
        assert keys[-2:] == ["doc-form-authorization_letter", "doc-form-agent_identity"]
        assert "容缺办理" in text_of(app, "#mode") and "授权委托书或单位介绍信" in text_of(app, "#mode")
        assert screen.query_one("#doc-form-property_proof", Select).value == "产权证"  # kept through the rebuild
        assert screen.query_one("#important").disabled  # 重要客户 is a high-voltage matter
        await _choose(app, pilot, "#business-type", search=SEARCH["hv_new"])
        screen.query_one("#important").focus()
        await pilot.press("space")
        await settle(app, pilot)
        assert "doc-form-government_approval" in [w.id for w in screen.query(".doc-form")]
        assert "10千伏及以上重要客户" in text_of(app, "#proposal") and "21 个工作日" in text_of(app, "#proposal")


async def test_saving_offers_the_acceptance_notice(counter_db: Path, clock) -> None:  # noqa: ANN001
    notice_preview = pytest.importorskip("station_tui.screens.notice_preview")
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await _fill(app, pilot, "lv_resident", "primary")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "一次告知书" in str(app.screen.query_one("Static").render())
        await pilot.click("#yes")
        await settle(app, pilot)
        assert isinstance(app.screen, notice_preview.NoticePreviewScreen)
        assert app.screen.kind == "acceptance"
        saved = _rows(counter_db, clock, "SELECT uuid FROM applications")[0]["uuid"]
        assert app.screen.application == saved


async def test_reservation_from_a_refused_visit_keeps_what_was_typed(counter_db: Path, clock) -> None:  # noqa: ANN001
    """A 零证预约 offered at a refused visit, turned into an application another day: the form starts from the visit."""
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await _fill(app, pilot, "hv_new", "none")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.click("#no")  # no 未受理告知书 today; the 零证预约 next
        await settle(app, pilot)
        assert isinstance(app.screen, ReservationDialog)
        await pilot.click("#ok")
        await settle(app, pilot)
        assert "已登记线上预约" in text_of(app, "#intake-message")
    clock.advance(days=1)
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "刘强", "4444")  # another clerk, another day: nothing left on any screen
        await pilot.press("f2")
        await settle(app, pilot)
        await pilot.press("f9")
        await settle(app, pilot)
        table = app.screen.query_one("#res-table")
        table.focus()
        row = next(i for i, r in enumerate(app.screen.rows) if r.customer_name == "邾县城关镇五金经营部")
        table.move_cursor(row=row)
        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, IntakeScreen)
        typed = {selector: app.screen.query_one(selector, Input).value for selector in _customer("hv_new")}
        assert app.screen.query_one("#business-type", Select).value == "hv_new"
        assert app.screen.query_one("#voltage", Select).value == "high"
    assert typed["#capacity"] == "800"  # lost before: the visit kept only name and phone
    assert typed["#id-number"] == COMPANY_CODE
    assert typed["#address"] == "邾县城关镇北关街18号" and typed["#customer-name"] == "邾县城关镇五金经营部"
    assert typed["#phone"].replace(" ", "") == "13837123456"
