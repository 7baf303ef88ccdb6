"""Field work end to end with real files: checkout at the station, work on a laptop database through the services,
pack, checkin; refused bundles leave the database byte-identical; two laptops in either order agree."""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from notice_helpers import accept_resident, add_manager

from station_tui.cli import main
from station_tui.services import field_bundle as fb
from station_tui.services import lifecycle, notices
from station_tui.services.applications import application_view, archive_status
from station_tui.services.station import Station
from station_tui.store import Store
from station_tui.store.check import check
from station_tui.store.schema import PROJECTION_TABLES


def cli(*args: str | Path):  # noqa: ANN201
    return CliRunner().invoke(main, [str(a) for a in args])


def ok(*args: str | Path) -> str:
    result = cli(*args)
    assert result.exit_code == 0, result.output
    return result.output


def refused(*args: str | Path) -> str:
    result = cli(*args)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output


@pytest.fixture
def office(station: Station) -> Path:
    """A station with a customer manager (刘强) and two applications with a deferred 产权证明 assigned to him."""
    add_manager(station)
    accept_resident(station, name="张三")
    accept_resident(station, name="李四")
    station.store.close()
    return station.store.path


def _laptop(path: Path, clock) -> Station:  # noqa: ANN001
    return Station.open(Store(path, clock=clock))


def _work_on_laptop(laptop: Station) -> str:
    """Collect the deferred document of the first application and advance it a stage; issue a notice."""
    store = laptop.store
    manager = store.one("SELECT uuid FROM operators WHERE role = 'customer_manager'")
    app = store.one("SELECT uuid FROM applications ORDER BY number LIMIT 1")
    doc = store.one("SELECT uuid FROM documents WHERE application = ? AND status = 'deferred'", (app,))
    lifecycle.collect_document(laptop, doc, form="购房合同", copy_kind="copy", operator=manager)
    missing = lifecycle.missing_for_next_stage(laptop, app)
    business = store.one("SELECT business_type FROM applications WHERE uuid = ?", (app,))
    for stage in archive_status(laptop, app, business):
        for item in stage.items:
            if item.name in missing and not item.linked:
                lifecycle.file_archive_item(laptop, app, stage.id, item.name, operator=manager)
    lifecycle.advance_stage(laptop, app, operator=manager)
    notice = notices.issue(laptop, "acceptance", application=app, operator=manager)
    return notice.serial


def _state(path: Path) -> dict[str, list]:
    store = Store(path, migrate=False)
    try:
        return {t: sorted(map(tuple, store.conn.execute(f"SELECT * FROM {t}")), key=repr) for t in PROJECTION_TABLES}
    finally:
        store.close()


def _checked(path: Path) -> None:
    report = check(path)
    assert report.ok, report.problems
    assert "✗" not in ok("check", "--db", path)


def test_a_round_trip_through_a_laptop(office: Path, tmp_path: Path, clock) -> None:  # noqa: ANN001
    out = ok("field", "checkout", "--manager", "刘强", "--to", tmp_path / "out.zip", "--db", office)
    assert "已借出 2 件申请" in out and "外勤设备 02" in out and "仍借出" not in out
    laptop_db = tmp_path / "laptop.db"
    assert "已新建外勤数据库" in ok("field", "open", tmp_path / "out.zip", "--db", laptop_db)
    laptop = _laptop(laptop_db, clock)
    # Its own device: never the station's id; its code is the one the station registered.
    station_device = Store(office).device_id
    assert laptop.store.device_id != station_device and laptop.store.device_code == "02"
    assert laptop.station_code == "ZX01" and laptop.profile is not None
    clock.advance(hours=2)
    serial = _work_on_laptop(laptop)
    assert serial.startswith("ZX01-2026-02-")
    made = laptop.store.one("SELECT count(*) FROM events WHERE device = ?", (laptop.store.device_id,))
    laptop.store.close()
    _checked(laptop_db)

    ok("field", "pack", "--to", tmp_path / "back.zip", "--db", laptop_db)
    out = ok("field", "checkin", tmp_path / "back.zip", "--db", office)
    assert f"新增 {made} 条事件，结束借出 2 件" in out, out
    # Short, however many applications: the events by kind, the applications by the state they went from and to.
    assert "补收容缺资料 1 条" in out and "进入下一环节 1 条" in out and "出具告知书 1 条" in out, out
    assert "办理中·第 1 环节 → 办理中·第 2 环节：1 件" in out and len(out.splitlines()) == 3, out
    _checked(office)
    # Each application's timeline says when it came back, from whose laptop, with how many of its events.
    station = Station.open(Store(office))
    for position, brought in ((0, made), (1, 0)):
        app = station.store.rows("SELECT uuid FROM applications ORDER BY number")[position]["uuid"]
        timeline = application_view(station, app).events
        back = [row for row in timeline if row.type == "field.returned"]
        assert len(back) == 1 and back[0].operator == "刘强", timeline
        assert back[0].summary == f"外勤设备 02 交回，带回本申请 {brought} 条事件" and timeline[-1] == back[0]
    station.store.close()
    store = Store(office)
    assert store.one("SELECT count(*) FROM documents WHERE status = 'collected' AND collected_by IS NOT NULL") == 1
    assert store.one("SELECT serial FROM notices WHERE serial LIKE 'ZX01-2026-02-%'") == serial
    assert store.one("SELECT count(*) FROM leases WHERE returned_at IS NULL") == 0
    assert store.one("SELECT count(*) FROM conflicts") == 0
    store.close()

    # The same bundle twice changes nothing.
    before = _state(office)
    events = Store(office).one("SELECT count(*) FROM events")
    out = ok("field", "checkin", tmp_path / "back.zip", "--db", office)
    assert "新增 0 条事件，结束借出 0 件" in out
    assert _state(office) == before and Store(office).one("SELECT count(*) FROM events") == events


def _packed(office: Path, tmp_path: Path, clock, name: str) -> Path:  # noqa: ANN001
    ok("field", "checkout", "--manager", "刘强", "--to", tmp_path / f"{name}-out.zip", "--db", office)
    ok("field", "open", tmp_path / f"{name}-out.zip", "--db", tmp_path / f"{name}.db")
    laptop = _laptop(tmp_path / f"{name}.db", clock)
    clock.advance(minutes=5)
    _work_on_laptop(laptop)
    laptop.store.close()
    ok("field", "pack", "--to", tmp_path / f"{name}-back.zip", "--db", tmp_path / f"{name}.db")
    return tmp_path / f"{name}-back.zip"


def _rewrite(source: Path, target: Path, change) -> None:  # noqa: ANN001
    """Copy a bundle, changing its parts (and, when asked, re-signing nothing: the point is what a reader sees)."""
    with zipfile.ZipFile(source) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    change(parts)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def _resign(parts: dict[str, bytes], key: str) -> None:
    manifest = json.loads(parts[fb.MANIFEST])
    manifest["parts"] = {n: fb.hashlib.sha256(parts[n]).hexdigest() for n in (fb.EVENTS, fb.REFERENCE)}
    manifest["hmac"] = fb._signature(key, manifest)
    parts[fb.MANIFEST] = json.dumps(manifest).encode()


def _drop_middle_event(key: str):  # noqa: ANN202
    def change(parts: dict[str, bytes]) -> None:
        lines = parts[fb.EVENTS].splitlines(keepends=True)
        parts[fb.EVENTS] = b"".join(lines[:1] + lines[2:])
        manifest = json.loads(parts[fb.MANIFEST])
        (entry,) = manifest["devices"].values()
        entry["count"] -= 1
        parts[fb.MANIFEST] = json.dumps(manifest).encode()
        _resign(parts, key)

    return change


def _newer_event(key: str):  # noqa: ANN202
    def change(parts: dict[str, bytes]) -> None:
        lines = parts[fb.EVENTS].splitlines(keepends=True)
        last = json.loads(lines[-1])
        last.update(version=9, needs_program="9.0.0")
        parts[fb.EVENTS] = b"".join(lines[:-1]) + json.dumps(last).encode() + b"\n"
        _resign(parts, key)

    return change


def test_refused_bundles_leave_the_station_byte_identical(office: Path, tmp_path: Path, clock) -> None:  # noqa: ANN001
    back = _packed(office, tmp_path, clock, "a")
    key = Store(office).one("SELECT value FROM meta WHERE key = 'field_key'")
    data = back.read_bytes()
    bad: dict[str, Path] = {}
    bad["truncated"] = tmp_path / "truncated.zip"
    bad["truncated"].write_bytes(data[: len(data) * 2 // 3])
    bad["changed"] = tmp_path / "changed.zip"
    _rewrite(
        back, bad["changed"], lambda parts: parts.update({fb.EVENTS: parts[fb.EVENTS].replace(b"2026", b"2025", 1)})
    )
    bad["gapped"] = tmp_path / "gapped.zip"
    _rewrite(back, bad["gapped"], _drop_middle_event(key))
    bad["newer"] = tmp_path / "newer.zip"
    _rewrite(back, bad["newer"], _newer_event(key))
    bad["newer format"] = tmp_path / "format.zip"

    def newer_format(parts: dict[str, bytes]) -> None:
        manifest = json.loads(parts[fb.MANIFEST])
        manifest["format"] = fb.FORMAT + 1
        parts[fb.MANIFEST] = json.dumps(manifest).encode()

    _rewrite(back, bad["newer format"], newer_format)
    bad["foreign"] = tmp_path / "foreign.zip"

    def foreign(parts: dict[str, bytes]) -> None:
        manifest = json.loads(parts[fb.MANIFEST])
        manifest["station_code"] = "ZX99"
        parts[fb.MANIFEST] = json.dumps(manifest).encode()

    _rewrite(back, bad["foreign"], foreign)
    expected = {
        "truncated": "不完整或已损坏",
        "changed": "SHA-256 不符",
        "gapped": "序号不连续：缺少第 2 号",
        "newer": "需要 station-tui 9.0.0",
        "newer format": "格式版本 2 比本程序支持的 1 新",
        "foreign": "属于供电所 ZX99，不是本所 ZX01",
    }
    original = office.read_bytes()
    for what, path in bad.items():
        out = refused("field", "checkin", path, "--db", office)
        assert expected[what] in out and str(path) in out, (what, out)
        assert office.read_bytes() == original, what
    # A changed event stored here with other contents: check in the good file, then a re-signed altered copy.
    ok("field", "checkin", back, "--db", office)
    altered = tmp_path / "altered.zip"

    def change_payload(parts: dict[str, bytes]) -> None:
        parts[fb.EVENTS] = parts[fb.EVENTS].replace("购房合同".encode(), "房产证".encode(), 1)
        _resign(parts, key)

    _rewrite(back, altered, change_payload)
    merged = office.read_bytes()
    out = refused("field", "checkin", altered, "--db", office)
    assert "与本库已有的同一事件内容不同" in out
    assert office.read_bytes() == merged


def test_a_checkout_file_is_not_a_checkin_and_a_station_is_not_a_laptop(office: Path, tmp_path: Path) -> None:
    ok("field", "checkout", "--manager", "刘强", "--to", tmp_path / "out.zip", "--db", office)
    # A laptop never exports to the county: its work goes there in the station's export after checkin.
    ok("field", "open", tmp_path / "out.zip", "--db", tmp_path / "laptop.db")
    (tmp_path / "outbox").mkdir()
    out = refused("export", "--to", tmp_path / "outbox", "--db", tmp_path / "laptop.db")
    assert "外勤电脑，不能向县公司导出" in out and len(out.strip().splitlines()) == 1, out
    assert list((tmp_path / "outbox").iterdir()) == []
    assert "这里需要交回文件" in refused("field", "checkin", tmp_path / "out.zip", "--db", office)
    assert "不是外勤电脑的数据库" in refused("field", "pack", "--to", tmp_path / "x.zip", "--db", office)
    assert "没有名为「王五」的客户经理" in refused("field", "checkout", "--manager", "王五", "--to", tmp_path / "y.zip",
                                                 "--db", office)  # fmt: skip


def test_two_laptops_moving_the_same_application_conflict_the_same_way_in_either_order(
    office: Path,
    tmp_path: Path,
    clock,  # noqa: ANN001
) -> None:
    first = _packed(office, tmp_path, clock, "a")
    second = _packed(office, tmp_path, clock, "b")  # the same applications out on a second laptop (device 03)
    other = tmp_path / "other.db"
    shutil.copyfile(office, other)
    ok("field", "checkin", first, "--db", office)
    out = ok("field", "checkin", second, "--db", office)
    assert "冲突，待站长处理" in out
    ok("field", "checkin", second, "--db", other)
    ok("field", "checkin", first, "--db", other)
    state = _state(office)
    leases = state.pop("leases")  # returned in different orders: the times differ, the applications do not
    other_state = _state(other)
    assert {row[:4] for row in leases} == {row[:4] for row in other_state.pop("leases")}
    assert state == other_state
    # Both advances are kept; each laptop's is flagged against the other's, the collections too.
    conflicts = state["conflicts"]
    assert {row[3] for row in conflicts} == {"stage.advanced", "document.collected"}
    _checked(office)
    _checked(other)
    store = Store(office)
    assert store.one("SELECT count(*) FROM events WHERE type = 'stage.advanced'") == 2
    store.close()


def test_the_station_pausing_what_the_laptop_advanced_keeps_both_and_flags_the_application(
    office: Path,
    tmp_path: Path,
    clock,  # noqa: ANN001
) -> None:
    back = _packed(office, tmp_path, clock, "a")  # the laptop advanced the first application from 办理中·第 1 环节
    # The command line recorded the checkout at the system clock: the station goes on with it.
    station = Station.open(Store(office))
    app = station.store.one("SELECT uuid FROM applications ORDER BY number LIMIT 1")
    lifecycle.pause(
        station, app, reason="客户要求暂缓", operator=station.store.one("SELECT uuid FROM operators LIMIT 1")
    )
    station.store.close()
    out = ok("field", "checkin", back, "--db", office)
    assert "处冲突，待站长处理" in out, out
    store = Store(office)
    kinds = {r["type"]: r for r in store.rows("SELECT * FROM conflicts WHERE application = ?", (app,))}
    # The pause came later: it is the one that found the application moved on; it names the advance it clashes with.
    assert set(kinds) == {"application.paused"} and kinds["application.paused"]["from_state"] == "open@1"
    advance = store.one("SELECT uuid FROM events WHERE type = 'stage.advanced' AND application = ?", (app,))
    assert json.loads(kinds["application.paused"]["others"]) == [advance]
    assert store.one("SELECT count(*) FROM events WHERE application = ? AND type IN"
                     " ('stage.advanced', 'application.paused')", (app,)) == 2  # fmt: skip
    store.close()
    _checked(office)


def test_a_laptop_is_refreshed_by_a_later_checkout_and_refuses_another_laptop_s(
    office: Path,
    tmp_path: Path,
    clock,  # noqa: ANN001
) -> None:
    back = _packed(office, tmp_path, clock, "a")
    ok("field", "checkin", back, "--db", office)
    ok("field", "checkout", "--manager", "刘强", "--device", "02", "--to", tmp_path / "again.zip", "--db", office)
    laptop_db = tmp_path / "a.db"
    out = ok("field", "open", tmp_path / "again.zip", "--db", laptop_db)
    assert "已更新外勤数据库" in out and "（设备 02）" in out
    assert "新增 0 条事件" in ok("field", "open", tmp_path / "again.zip", "--db", laptop_db)
    _checked(laptop_db)
    store = Store(laptop_db)
    # The station's returns and new leases came back; the laptop's own events are still its own, once each.
    assert store.one("SELECT count(*) FROM leases WHERE returned_at IS NULL") == 2
    assert store.one("SELECT count(*) FROM events GROUP BY uuid HAVING count(*) > 1") is None
    store.close()
    # A checkout for another laptop (device 03) is refused by this one, which stays as it was.
    out = ok("field", "checkout", "--manager", "刘强", "--to", tmp_path / "other.zip", "--db", office)
    assert out.count("仍借出在外勤设备 02 上") == 2, out
    before = laptop_db.read_bytes()
    assert "是给设备 03 的，本电脑是设备 02" in refused("field", "open", tmp_path / "other.zip", "--db", laptop_db)
    assert laptop_db.read_bytes() == before
    assert "设备代码 09 未在本所登记" in refused(
        "field", "checkout", "--manager", "刘强", "--device", "09", "--to", tmp_path / "x.zip", "--db", office
    )


def _paused_on_laptop(office: Path, tmp_path: Path, clock, name: str, *, second: bool = False) -> Path:  # noqa: ANN001
    """A third laptop pauses the first application for the customer (a conflict with the others' advances); with
    `second`, it also pauses and resumes the second twice (no clash: its rows are written once, store/batch_merge.py)."""
    ok("field", "checkout", "--manager", "刘强", "--to", tmp_path / f"{name}-out.zip", "--db", office)
    ok("field", "open", tmp_path / f"{name}-out.zip", "--db", tmp_path / f"{name}.db")
    laptop = _laptop(tmp_path / f"{name}.db", clock)
    clock.advance(minutes=5)
    store = laptop.store
    manager = store.one("SELECT uuid FROM operators WHERE role = 'customer_manager'")
    app = store.one("SELECT uuid FROM applications ORDER BY number LIMIT 1")
    lifecycle.pause(laptop, app, reason="客户要求暂缓", operator=manager)
    other = store.one("SELECT uuid FROM applications ORDER BY number LIMIT 1 OFFSET 1")
    for _ in range(2 if second else 0):
        lifecycle.pause(laptop, other, reason="客户外出", operator=manager)
        lifecycle.resume(laptop, other, operator=manager)
    store.close()
    ok("field", "pack", "--to", tmp_path / f"{name}-back.zip", "--db", tmp_path / f"{name}.db")
    return tmp_path / f"{name}-back.zip"


def test_any_order_of_a_set_of_bundles_gives_the_same_state(office: Path, tmp_path: Path, clock) -> None:  # noqa: ANN001
    """Four laptops (two advancing the same application, two pausing it, one of them also pausing and resuming the
    other application) checked in in any order that hypothesis draws: the same tables, the same conflicts, the same
    events; `check` passes after each."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    bundles = [
        _packed(office, tmp_path, clock, "a"),
        _packed(office, tmp_path, clock, "b"),
        _paused_on_laptop(office, tmp_path, clock, "c"),
        _paused_on_laptop(office, tmp_path, clock, "d", second=True),
    ]
    first: list[tuple[dict[str, list], set]] = []

    @settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(order=st.permutations(range(len(bundles))))
    def checked_in(order: list[int]) -> None:
        target = tmp_path / f"order-{''.join(map(str, order))}.db"
        shutil.copyfile(office, target)
        for i in order:
            ok("field", "checkin", bundles[i], "--db", target)
            _checked(target)
        state = _state(target)
        leases = {row[:4] for row in state.pop("leases")}  # returned at different times; the same applications
        if not first:
            first.append((state, leases))
        assert (state, leases) == first[0], f"order {order} differs"
        assert state["conflicts"], "the advances and the pauses clash"
        assert len([p for p in state["pauses"] if p[5] is not None]) == 2, "the second application's two pauses ended"

    checked_in()
