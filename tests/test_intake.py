"""The intake service: one transaction (a failure half-way leaves the database exactly as before), readable numbers
without gaps, documents checked against the list (migrations: tests/test_migrations.py)."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from station_tui.services import intake
from station_tui.services.intake import FormErrors, IntakeForm, NotAccepted, ReceivedDocument
from station_tui.store import catalogue
from station_tui.store.check import check
from station_tui.store.schema import PROJECTION_TABLES


def _form(**changes) -> IntakeForm:  # noqa: ANN003
    form = IntakeForm(
        business_type="lv_resident",
        customer_name="张秀兰",
        id_number="411302198503120024",
        phone="13837123456",
        address="邾县城关镇北关街18号",
        capacity_kw="8",
        received=[
            ReceivedDocument("identity_proof", "居民身份证", "original_and_copy"),
            ReceivedDocument("property_proof", "产权证", "copy"),
        ],
    )
    for key, value in changes.items():
        setattr(form, key, value)
    return form


def _snapshot(path: Path) -> dict[str, list]:
    with sqlite3.connect(path) as conn:
        return {
            table: conn.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in ("events", "meta", *PROJECTION_TABLES)
        }


def test_numbers_are_readable_and_without_gaps(station) -> None:  # noqa: ANN001
    first = intake.accept(station, _form(), operator=station.head_id)
    second = intake.accept(station, _form(received=_form().received[:1]), operator=station.head_id)
    assert (first.number, second.number) == ("ZX01-20261123-01-001", "ZX01-20261123-01-002")
    assert (first.mode, second.mode) == ("complete", "deferred") and second.deferred == ["产权证明"]


def test_failure_half_way_leaves_the_database_exactly_as_before(station, monkeypatch) -> None:  # noqa: ANN001
    intake.accept(station, _form(), operator=station.head_id)
    reservation = station.store.one("SELECT 1")  # the database is open and in use
    assert reservation == 1
    before = _snapshot(station.store.path)
    original = catalogue.CATALOGUE["application.accepted"]

    def fails_after_the_insert(conn, event, payload) -> None:  # noqa: ANN001
        original.project(conn, event, payload)  # the application, its documents and stages are written…
        raise RuntimeError("disk unplugged")  # …and then something breaks

    broken = dataclasses.replace(original, project=fails_after_the_insert)
    monkeypatch.setitem(catalogue.CATALOGUE, "application.accepted", broken)
    monkeypatch.setitem(catalogue._BY_PAYLOAD, original.payload, broken)
    with pytest.raises(RuntimeError):
        intake.accept(station, _form(), operator=station.head_id)
    assert _snapshot(station.store.path) == before
    monkeypatch.setitem(catalogue.CATALOGUE, "application.accepted", original)
    monkeypatch.setitem(catalogue._BY_PAYLOAD, original.payload, original)
    assert intake.accept(station, _form(), operator=station.head_id).number == "ZX01-20261123-01-002"


def test_conversion_failing_rolls_back_the_application_too(station) -> None:  # noqa: ANN001
    before = _snapshot(station.store.path)
    with pytest.raises(Exception, match="找不到这条预约"):
        intake.accept(station, _form(reservation="no-such-reservation"), operator=station.head_id)
    assert _snapshot(station.store.path) == before


def test_documents_outside_the_list_are_refused(station) -> None:  # noqa: ANN001
    extra = _form(received=[*_form().received, ReceivedDocument("government_approval", "政府部门批复文件", "copy")])
    with pytest.raises(FormErrors) as caught:
        intake.accept(station, extra, operator=station.head_id)
    assert "不在本业务类型的资料清单中" in caught.value.errors["documents"]
    wrong_form = _form(received=[ReceivedDocument("identity_proof", "营业执照", "copy")])
    with pytest.raises(FormErrors, match="身份证明不接受“营业执照”"):
        intake.accept(station, wrong_form, operator=station.head_id)
    with pytest.raises(NotAccepted, match="未收到身份证明"):
        intake.accept(station, _form(received=[]), operator=station.head_id)
    assert station.store.one("SELECT count(*) FROM applications") == 0


def test_preview_gives_every_message_and_never_raises(station) -> None:  # noqa: ANN001
    result = intake.preview(station, _form(phone="6234567", id_number="41130219850312002", capacity_kw="-1"))
    assert set(result.errors) == {"phone", "id_number", "capacity_kw"} and result.proposal is None
    fine = intake.preview(station, _form(business_type="lv_nonresident", id_type="营业执照", received=[]))
    assert fine.mode == "refused" and "主体证明" in fine.refused_reason
    assert fine.proposal is not None and fine.proposal.small_micro and fine.proposal.category.id == "lv_small_micro"


TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=TEXT,
    id_type=st.sampled_from(
        ["居民身份证", "营业执照", "统一社会信用代码", "外国护照", "其它有效身份证明文书", "", "乱写"]
    ),
    id_number=TEXT,
    phone=TEXT,
    address=TEXT,
    capacity=TEXT,
    voltage=st.sampled_from(["low", "high", "", "中压"]),
)
def test_no_typing_makes_intake_raise_anything_but_its_own_error(
    station,
    name,
    id_type,
    id_number,
    phone,
    address,
    capacity,
    voltage,  # noqa: ANN001
) -> None:
    form = _form(
        customer_name=name, id_type=id_type, id_number=id_number, phone=phone, address=address,
        capacity_kw=capacity, voltage=voltage,
    )  # fmt: skip
    preview = intake.preview(station, form)
    assert all(isinstance(message, str) and message for message in preview.errors.values())
    try:
        intake.accept(station, form, operator=station.head_id)
    except FormErrors as exc:
        assert exc.errors and str(exc)
        assert set(exc.errors) <= {
            "customer_name",
            "id_type",
            "id_number",
            "phone",
            "address",
            "capacity_kw",
            "voltage",
        }


def test_every_new_event_replays_to_the_same_state(station, tmp_path: Path) -> None:  # noqa: ANN001
    """`check` rebuilds the projection from the events: the events of this issue must replay exactly."""
    from ledger_helpers import rows, write

    from station_tui.services import ledger, lifecycle, reservations
    from station_tui.services.lifecycle import HeadOverride

    head = station.head_id
    accepted = intake.accept(station, _form(), operator=head)
    lifecycle.file_archive_item(station, accepted.uuid, "acceptance", "用电登记表", operator=head)
    lifecycle.advance_stage(station, accepted.uuid, operator=head, override=HeadOverride(head, "1234", "先行办理"))
    lifecycle.record_inspection(station, accepted.uuid, ["接地电阻不合格", "  "], head)
    visit = intake.record_refused_visit(station, _form(received=[]), operator=head)
    reservation = reservations.register_reservation(
        station, customer_name="张秀兰", phone="13837123456", address="邾县城关镇北关街18号",
        business_type="lv_resident", channel="online", operator=head, bring="身份证明", visit=visit,
    )  # fmt: skip
    reservations.mark_handled(station, reservation, operator=head)
    intake.accept(station, _form(reservation=reservation), operator=head)
    ledger.import_ledger(station, write(tmp_path / "ledger.csv", rows(4)), operator=head)
    assert station.store.one("SELECT status FROM reservations") == "converted"
    assert station.store.one("SELECT reservation FROM visits") == reservation
    station.store.close()
    report = check(station.store.path)
    assert report.ok, report.problems
