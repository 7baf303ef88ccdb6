"""Notices as a clerk relies on them: every field printed, identity masked, numbered without gaps, kept as issued."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from notice_helpers import (
    ID_NUMBER,
    PHONE,
    accept_resident,
    add_manager,
    pdf_text,
    record_inspection,
    squeeze,
)

from station_tui.domain.errors import StationError
from station_tui.domain.notice_content import texts
from station_tui.services import lifecycle, notices, works
from station_tui.services.pdf import MissingCharacters


@pytest.fixture
def manager(station) -> str:  # noqa: ANN001
    return add_manager(station)


def _assert_every_text_printed(notice: notices.Notice) -> str:
    printed = squeeze(pdf_text(notices.render(notice, "pdf")))
    for place, text in texts(notice.content):
        assert squeeze(text) in printed, f"{place}: {text}"
    assert squeeze(notice.serial) in printed
    return printed


def test_acceptance_notice_prints_every_field_and_masks_identity(station, manager) -> None:  # noqa: ANN001
    application = accept_resident(station)
    notice = notices.issue(station, "acceptance", application=application, operator=station.head_id)

    printed = _assert_every_text_printed(notice)
    receipt = notices.render(notice, "txt", 48).decode("utf-8")
    for text in (printed, squeeze(receipt), json.dumps(notice.content, ensure_ascii=False)):
        assert ID_NUMBER not in text
        assert PHONE not in text
    assert "110105********002X" in printed
    assert "138****5678" in printed
    # What the issue asks a deferred acceptance to say: the missing document, who collects it and when, the promise.
    assert "产权证明：由客户经理刘强于现场勘查时上门收取" in printed
    assert "承诺" in printed and "逾期未能提供的，本申请将予终止" in printed
    assert "刘强" in printed and "13900000004" in printed
    assert "95598" in printed and "12398" in printed and "办电零服务费" in printed
    assert "全流程时限2个工作日" in printed
    assert "最迟于2026年11月25日办结（当天仍在时限内）" in printed  # Monday + 2 working days
    assert "客户联" in printed and "存根联" in printed and "客户签名" in printed and "受理人：王站长" in printed
    assert printed.index("已知悉以上内容") < printed.index("客户签名")  # what the signature says, above it


def test_complete_acceptance_says_nothing_is_missing(station, manager) -> None:  # noqa: ANN001
    application = accept_resident(station, deferred=False)
    notice = notices.issue(station, "acceptance", application=application)
    assert notice.content["commitment"] is None
    printed = squeeze(pdf_text(notices.render(notice)))
    assert "申请资料已收齐（两证办结）" in printed
    assert "产权证明：购房合同，复印件" in printed


def test_estimated_due_dates_are_marked(station, manager, clock) -> None:  # noqa: ANN001
    clock.advance(days=365 * 6)  # a year whose holidays nobody has published
    application = accept_resident(station)
    notice = notices.issue(station, "acceptance", application=application)
    printed = squeeze(pdf_text(notices.render(notice)))
    assert "（估算）办结" in printed
    assert "节假日安排尚未公布" in printed


def test_refusal_lists_every_document_with_every_form(station) -> None:  # noqa: ANN001
    notice = notices.issue(station, "refusal", business_type="低压非居民新装", customer_name="邾县𠮷祥商贸")
    printed = _assert_every_text_printed(notice)
    for spec in station.checklists.base_documents("lv_nonresident"):
        for form in spec.forms:
            assert squeeze(form) in printed
    assert "授权委托书" in printed  # an organisation may send an agent
    assert "“网上国网”APP" in printed
    assert "20分钟内派发工单" in printed
    assert notice.application is None


def test_refusal_for_an_unknown_business_type_names_the_choices(station) -> None:  # noqa: ANN001
    with pytest.raises(StationError, match="没有业务类型「路灯」.*低压居民新装"):
        notices.issue(station, "refusal", business_type="路灯")


def test_inspection_lists_every_defect_in_one_notice(station, manager) -> None:  # noqa: ANN001
    application = accept_resident(station, deferred=False)
    with pytest.raises(StationError, match="还没有录入竣工检验结果"):
        notices.issue(station, "inspection", application=application)
    defects = ["进户线截面不足，应不小于10平方毫米", "表箱未可靠接地", "漏电保护器未安装"]
    record_inspection(station, application, defects)
    notice = notices.issue(station, "inspection", application=application)
    printed = _assert_every_text_printed(notice)
    for i, defect in enumerate(defects, start=1):
        assert f"{i}.{squeeze(defect)}" in printed
    assert "复验合格后方可装表接电" in printed
    assert "共3项" in printed


def test_a_character_the_font_lacks_is_refused_before_anything_is_recorded(station, manager) -> None:  # noqa: ANN001
    application = accept_resident(station, name="王𪚥")
    events_before = len(station.store.events())
    with pytest.raises(MissingCharacters) as caught:
        notices.issue(station, "acceptance", application=application)
    assert "「𪚥」" in str(caught.value) and "U+2A6A5" in str(caught.value) and "客户名称" in str(caught.value)
    assert len(station.store.events()) == events_before
    assert notices.list_notices(station) == []


def test_reprint_gives_the_content_as_issued_after_the_application_changed(station, manager, clock) -> None:  # noqa: ANN001
    application = accept_resident(station)
    notice = notices.issue(station, "acceptance", application=application)
    original_text = notices.render(notice, "txt", 48).decode("utf-8")
    clock.advance(days=1)
    deferred = station.store.one(
        "SELECT uuid FROM documents WHERE application = ? AND status = 'deferred'", (application,)
    )
    lifecycle.collect_document(station, deferred, form="购房合同", copy_kind="copy", operator=manager)
    assert "容缺资料已全部补收" in squeeze(
        json.dumps(notices.draft(station, "acceptance", application=application), ensure_ascii=False)
    )

    again = notices.reprint(station, notice.uuid, operator=station.head_id)
    assert again.content == notice.content
    assert again.reprints == 1
    text = notices.render(again, "txt", 48).decode("utf-8")
    assert "补打（第 1 次）" in text
    assert text.replace("补打（第 1 次）\n", "") == original_text
    assert "补打（第2次）" in squeeze(pdf_text(notices.render(notices.reprint(station, notice.uuid))))


def test_correction_is_a_new_notice_naming_the_one_it_replaces(station, manager, clock) -> None:  # noqa: ANN001
    application = accept_resident(station)
    first = notices.issue(station, "acceptance", application=application)
    clock.advance(hours=1)
    fixed = notices.correct(station, first.uuid, operator=station.head_id)
    assert fixed.serial != first.serial and fixed.replaces == first.uuid
    assert f"替代第{first.serial}号" in squeeze(pdf_text(notices.render(fixed)))
    assert notices.get_notice(station, first.uuid).replaced_by == fixed.serial
    assert notices.current_notice(station, application, "acceptance").uuid == fixed.uuid
    with pytest.raises(StationError, match=f"已由第 {fixed.serial} 号更正"):
        notices.correct(station, first.uuid)
    # The replaced one still prints as it was.
    assert notices.get_notice(station, first.uuid).content == first.content


def test_serial_numbers_per_station_year_and_device(station, manager, clock) -> None:  # noqa: ANN001
    application = accept_resident(station)
    a = notices.issue(station, "acceptance", application=application)
    b = notices.issue(station, "refusal", business_type="lv_resident")
    assert (a.serial, b.serial) == ("ZX01-2026-01-00001", "ZX01-2026-01-00002")
    clock.advance(days=40)
    assert notices.issue(station, "refusal", business_type="lv_resident").serial == "ZX01-2027-01-00001"
    station.store.set_meta("device_code", "07")  # a field laptop
    assert notices.issue(station, "refusal", business_type="lv_resident").serial == "ZX01-2027-07-00001"


def test_issue_or_reprint(station, manager) -> None:  # noqa: ANN001
    application = accept_resident(station)
    number = station.store.one("SELECT number FROM applications WHERE uuid = ?", (application,))
    first, reprinted = notices.issue_or_reprint(station, number.lower(), "acceptance")
    assert not reprinted and first.reprints == 0
    second, reprinted = notices.issue_or_reprint(station, number, "acceptance")
    assert reprinted and second.uuid == first.uuid and second.reprints == 1
    with pytest.raises(StationError, match="没有编号为 ZX01-0000 的申请"):
        notices.issue_or_reprint(station, "zx01-0000", "acceptance")


SCRIPT = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from station_tui.store import Store
    from station_tui.services.station import Station
    from station_tui.services import notices
    store = Store(Path(sys.argv[1]))
    store.clock_behind_confirmed = True
    station = Station.open(store)
    station.profile  # reference data read before the start line, like a running app
    start = float(sys.argv[2])
    while time.time() < start:
        pass
    print(notices.issue(station, "refusal", business_type="lv_resident").serial)
    """
)


def test_notices_issued_at_the_same_moment_by_two_processes_get_consecutive_serials(station) -> None:  # noqa: ANN001
    station.store.close()
    start = time.time() + 3
    runs = [
        subprocess.Popen(
            [sys.executable, "-c", SCRIPT, str(station.store.path), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
        )
        for _ in range(2)
    ]
    serials = []
    for run in runs:
        out, err = run.communicate(timeout=60)
        assert run.returncode == 0, err
        serials.append(out.strip())
    year = serials[0].split("-")[1]
    assert sorted(serials) == [f"ZX01-{year}-01-00001", f"ZX01-{year}-01-00002"]


def test_list_notices_newest_first(station, manager, clock) -> None:  # noqa: ANN001
    application = accept_resident(station)
    notices.issue(station, "acceptance", application=application)
    clock.advance(minutes=5)
    notices.issue(station, "refusal", business_type="lv_resident")
    listed = notices.list_notices(station)
    assert [n.kind for n in listed] == ["refusal", "acceptance"]
    assert listed[1].customer == "张䶮𠮷" and listed[1].application_number.startswith("ZX01-")
    assert [n.kind for n in notices.list_notices(station, application=application)] == ["acceptance"]


def test_saved_files_are_named_by_serial(station, manager, tmp_path: Path) -> None:  # noqa: ANN001
    notice = notices.issue(station, "refusal", business_type="lv_resident")
    path = notices.save_notice(station, notice)
    assert path.name == f"{notice.serial}.pdf" and path.read_bytes().startswith(b"%PDF")
    again = notices.reprint(station, notice.uuid)
    assert notices.save_notice(station, again).name == f"{notice.serial}-补打1.pdf"


def test_the_projection_rebuilds_notices_from_the_event_log(station, manager) -> None:  # noqa: ANN001
    from station_tui.store.check import check

    application = accept_resident(station)
    first = notices.issue(station, "acceptance", application=application)
    notices.reprint(station, first.uuid)
    notices.correct(station, first.uuid)
    station.store.close()
    report = check(station.store.path)
    assert report.ok, report.problems


def test_the_acceptance_notice_gives_the_agreed_completion_of_the_supporting_works(station, manager, clock) -> None:  # noqa: ANN001
    application = accept_resident(station, deferred=False)
    before = notices.draft(station, "acceptance", application=application)
    assert "配套工程" not in [section["heading"] for section in before["sections"]], "no works: nothing said of them"
    # Recorded on Monday 2026-11-23: a resident's low-voltage works, 3 working days → 2026-11-26; agreed 2026-11-25.
    works.record_works(
        station, application, kind="低压/非小微企业", project_manager="周海涛", contract_date="2026-11-25",
        customer_completion="2026-12-18", operator=station.head_id,
    )  # fmt: skip
    notice = notices.issue(station, "acceptance", application=application)
    line = (
        "低压非小微企业：约定最迟于2026年11月25日完成（不晚于客户工程计划完成时间2026年12月18日）；"
        "建设时限3个工作日，最迟2026年11月26日；项目经理周海涛"
    )
    printed = _assert_every_text_printed(notice)
    assert line in printed and "双经理负责制" in printed
    receipt = squeeze(notices.render(notice, "txt", 32).decode("utf-8"))
    assert line in receipt and "配套工程" in receipt
