"""受理 as fast hands use it: nothing a clerk typed is lost or saved twice (issue 12, first section).

Each test is the clerk's keystrokes. `at_once` hands the app a burst of keys with no pause between them, as a terminal
does when the clerk types faster than the screen redraws."""

from __future__ import annotations

from pathlib import Path

from test_intake_screen import _choose, _fill, _rows
from textual import events
from textual.widgets import Input, Select

from pilot_helpers import login, settle, text_of
from station_tui.app import StationApp
from station_tui.screens.dialogs import ConfirmDialog
from station_tui.screens.home import HomeScreen
from station_tui.screens.intake import IntakeScreen

SIZE = (120, 40)


def at_once(app: StationApp, *keys: str) -> None:
    """Post every key before the app handles any of them."""
    for key in keys:
        app.post_message(events.Key(key, key if len(key) == 1 else None))


async def _intake(app: StationApp, pilot, who: tuple[str, str] = ("李秀英", "2222")) -> None:  # noqa: ANN001
    """Log in and open 受理 (F2)."""
    await login(app, pilot, *who)
    await pilot.press("f2")
    await settle(app, pilot)


def _applications(db: Path, clock) -> list[dict]:  # noqa: ANN001
    return _rows(db, clock, "SELECT number, customer_name FROM applications WHERE simulated = 0 ORDER BY number")


async def test_new_customer_on_a_fresh_form_keeps_the_app_running(counter_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _intake(app, pilot)
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, IntakeScreen)
        assert app.screen.business_type() is None


async def test_new_customer_with_a_filled_form_asks_then_empties_it(counter_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await _fill(app, pilot, "lv_resident", "all")
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        await pilot.press("enter")  # the default answer keeps the form
        await settle(app, pilot)
        assert app.screen.query_one("#customer-name", Input).value == "张秀兰"
        await pilot.press("ctrl+n")
        await settle(app, pilot)
        await pilot.click("#yes")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, IntakeScreen) and screen.business_type() is None
        assert screen.query_one("#customer-name", Input).value == "" and not screen.query(".doc-form")
        assert screen.query_one("#business-type", Select).has_focus


async def test_two_quick_saves_make_one_application_and_start_the_next_customer(counter_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await _fill(app, pilot, "lv_resident", "all")
        at_once(app, "ctrl+s", "ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ConfirmDialog)
        assert app.screen.query_one("#yes").has_focus  # 出具告知书 is the default answer
        await pilot.click("#no")
        await settle(app, pilot)
        message = text_of(app, "#intake-message")
        assert "已受理：DEMO-20261123-01-001（张秀兰，两证办结）" in message
        assert app.screen.query_one("#customer-name", Input).value == ""  # ready for the next customer
        await pilot.press("ctrl+s")  # a third press on the empty form saves nothing
        await settle(app, pilot)
    assert [a["customer_name"] for a in _applications(counter_db, clock)] == ["张秀兰"]


async def test_a_second_open_application_for_the_same_customer_asks_first(counter_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        for answer in ("#no", "#no", "#yes"):
            await _fill(app, pilot, "lv_resident", "all")
            await pilot.press("ctrl+s")
            await settle(app, pilot)
            if "在办的申请" in text_of(app, "#confirm-text"):
                question = text_of(app, "#confirm-text")
                assert "DEMO-20261123-01-001" in question and "另装一块表" in question  # says why it asks
                await pilot.click(answer)
                await settle(app, pilot)
                if answer == "#no":
                    assert "未保存：已有在办申请" in text_of(app, "#intake-message")
                    await pilot.press("ctrl+n")
                    await settle(app, pilot)
                    await pilot.click("#yes")
                    await settle(app, pilot)
                    continue
            await pilot.click("#no")  # no notice now
            await settle(app, pilot)
    assert [a["number"][-3:] for a in _applications(counter_db, clock)] == ["001", "002"]


async def test_keys_typed_at_once_land_in_the_field_with_the_cursor(counter_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _intake(app, pilot)
        await _choose(app, pilot, "#business-type", search="低压居民")
        app.screen.query_one("#phone").focus()
        at_once(app, *"13972001234", "tab", *"红安县某村", "tab", *"12", "shift+tab", "shift+tab")
        await settle(app, pilot)
        screen = app.screen
        assert screen.query_one("#phone", Input).value == "13972001234"
        assert screen.query_one("#address", Input).value == "红安县某村"
        assert screen.query_one("#capacity", Input).value == "12"
        assert screen.query_one("#phone", Input).has_focus


async def test_typing_survives_switching_screens(counter_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await _fill(app, pilot, "lv_nonresident", "primary")
        app.screen.query_one("#agent").focus()
        await pilot.press("space")
        await settle(app, pilot)
        await pilot.press("f1")
        await settle(app, pilot)
        assert isinstance(app.screen, HomeScreen)
        await pilot.press("f2")
        await settle(app, pilot)
        screen = app.screen
        assert "已恢复" in text_of(app, "#intake-message")
        assert screen.business_type() == "lv_nonresident"
        assert screen.query_one("#customer-name", Input).value == "邾县城关镇五金经营部"
        assert screen.query_one("#address", Input).value == "邾县城关镇北关街18号"
        assert screen.query_one("#agent").value is True
        assert screen.query_one("#doc-form-subject_proof", Select).value != "none"  # the document marked received
        assert "容缺办理" in text_of(app, "#mode")


async def test_quitting_with_unsaved_work_asks_and_keeps_a_draft(counter_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await _fill(app, pilot, "lv_resident", "all")
        await pilot.press("ctrl+q")
        await settle(app, pilot)
        assert app.is_running and isinstance(app.screen, ConfirmDialog)
        assert "张秀兰" in text_of(app, "#confirm-text") and "草稿" in text_of(app, "#confirm-text")
        await pilot.press("enter")  # the default: back to the form
        await settle(app, pilot)
        assert isinstance(app.screen, IntakeScreen)
        await pilot.press("ctrl+q")
        await settle(app, pilot)
        await pilot.click("#yes")
        await settle(app, pilot)
    assert app.return_code == 0
    # Another operator at the same PC does not get it; the same operator does.
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _intake(app, pilot, ("张伟", "3333"))
        assert app.screen.query_one("#customer-name", Input).value == ""
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _intake(app, pilot)
        assert app.screen.query_one("#customer-name", Input).value == "张秀兰"
        assert app.screen.query_one("#doc-form-property_proof", Select).value == "产权证"


async def test_typing_survives_a_crash_and_a_save_clears_the_draft(counter_db: Path, clock) -> None:  # noqa: ANN001
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await login(app, pilot, "李秀英", "2222")
        await _fill(app, pilot, "lv_resident", "all")
        await settle(app, pilot)
    # The app ended without Ctrl+Q (a power cut ends it the same way: no question, no last write).
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _intake(app, pilot)
        assert app.screen.query_one("#id-number", Input).value == "41130219850312018x"
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        await pilot.click("#no")
        await settle(app, pilot)
        await pilot.press("ctrl+q")  # nothing unsaved: quits at once
        await settle(app, pilot)
    assert not app.is_running
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _intake(app, pilot)
        assert app.screen.query_one("#customer-name", Input).value == ""
    assert len(_applications(counter_db, clock)) == 1


async def test_the_checklist_has_a_key_and_a_failed_save_goes_to_the_first_field_in_error(
    counter_db: Path, clock
) -> None:  # noqa: ANN001
    app = StationApp(counter_db, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await _intake(app, pilot)
        await _choose(app, pilot, "#business-type", search="低压居民")
        box = app.screen.query_one("#dual-supply")
        assert str(box.render()).startswith("[ ]")  # an unticked box reads as empty
        box.focus()
        await pilot.press("space")
        assert str(box.render()).startswith("[✓]")
        await pilot.press("space")
        app.screen.query_one("#customer-name").focus()
        await pilot.press("ctrl+d")  # from a text field, where Ctrl+D would otherwise delete a character
        await settle(app, pilot)
        assert app.focused is app.screen.query(".doc-form").first()
        await pilot.press("enter", "down", "enter")  # the identity proof: received
        await settle(app, pilot)
        app.screen.query_one("#capacity").focus()
        await pilot.press(*"12")
        app.screen.query_one("#phone").focus()
        await pilot.press(*"6234567")  # no area code
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert "未保存" in text_of(app, "#intake-message")
        assert app.focused is app.screen.query_one("#customer-name")  # the first field in error, top to bottom
    assert _applications(counter_db, clock) == []
