"""A checkin projects the bundle's events in batches (store/batch.py): the tables must end exactly as adding the same
events one by one (Store.receive, each projected as it comes) leaves them, conflicts and replays included."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from notice_helpers import accept_resident, add_manager

from station_tui.services import field, lifecycle, notices, operators
from station_tui.services import field_bundle as fb
from station_tui.services.station import Station
from station_tui.store import Store
from station_tui.store.check import check
from station_tui.store.schema import PROJECTION_TABLES

APPLICATIONS = 6


@pytest.fixture
def office(station: Station) -> Path:
    add_manager(station)
    for n in range(APPLICATIONS):
        accept_resident(station, name=f"客户{n}")
    station.store.close()
    return station.store.path


def _day_on_a_laptop(laptop: Station) -> None:
    """Many kinds of field work, several events per application, a login (an event of no application) between."""
    store = laptop.store
    manager = store.one("SELECT uuid FROM operators WHERE role = 'customer_manager'")
    apps = [r["uuid"] for r in store.rows("SELECT uuid FROM applications ORDER BY number")]
    deferred = {
        app: store.one("SELECT uuid FROM documents WHERE application = ? AND status = 'deferred'", (app,))
        for app in apps
    }
    lifecycle.collect_document(laptop, deferred[apps[0]], form="购房合同", copy_kind="copy", operator=manager)
    lifecycle.advance_stage(laptop, apps[0], operator=manager, at=store.clock())  # history: not archive-gated
    notices.issue(laptop, "acceptance", application=apps[0], operator=manager)
    for _ in range(2):
        lifecycle.pause(laptop, apps[1], reason="客户外出", operator=manager)
        lifecycle.resume(laptop, apps[1], operator=manager)
    operators.login(laptop, manager, "4444")
    lifecycle.record_inspection(laptop, apps[1], ["计量箱未接地", "进户线截面不足"], manager)
    lifecycle.terminate(laptop, apps[2], reason="客户撤回申请", operator=manager)
    lifecycle.collect_document(laptop, deferred[apps[3]], form="房产证", copy_kind="copy", operator=manager)
    lifecycle.connect(laptop, apps[3], operator=manager)  # reads the current stage: projected on its own
    lifecycle.record_inspection(laptop, apps[4], [], manager)
    lifecycle.pause(laptop, apps[4], reason="等客户备料", operator=manager)
    # The same as the first application's, with no clash: its document, stage and notice on the merged path.
    lifecycle.collect_document(laptop, deferred[apps[5]], form="购房合同", copy_kind="copy", operator=manager)
    lifecycle.advance_stage(laptop, apps[5], operator=manager, at=store.clock())
    notices.issue(laptop, "acceptance", application=apps[5], operator=manager)


def _bundle(office: Path, tmp_path: Path, clock, name: str) -> Path:  # noqa: ANN001
    station = Station.open(Store(office, clock=clock))
    field.checkout(station, "刘强", tmp_path / f"{name}-out.zip")
    station.store.close()
    field.open_laptop(tmp_path / f"{name}-out.zip", tmp_path / f"{name}.db", clock=clock)
    laptop = Station.open(Store(tmp_path / f"{name}.db", clock=clock))
    clock.advance(minutes=10)
    _day_on_a_laptop(laptop)
    laptop.store.close()
    field.pack(tmp_path / f"{name}.db", tmp_path / f"{name}-back.zip")
    return tmp_path / f"{name}-back.zip"


def _one_by_one(store: Store, bundle: fb.Bundle) -> None:
    """What checkin did before batches: each event inserted and projected on its own."""
    fb.check_against(store, bundle)
    with store.transaction():
        for event in bundle.events:
            store.receive(event)


def _tables(path: Path) -> dict[str, list]:
    store = Store(path, migrate=False)
    try:
        tables = {t: sorted(map(tuple, store.conn.execute(f"SELECT * FROM {t}")), key=repr) for t in PROJECTION_TABLES}
        tables["events"] = list(map(tuple, store.conn.execute("SELECT * FROM events ORDER BY seq")))
        return tables
    finally:
        store.close()


@pytest.mark.parametrize("order", [("a", "b"), ("b", "a")])
def test_batched_checkin_leaves_the_tables_as_one_event_at_a_time(
    office: Path,
    tmp_path: Path,
    clock,  # noqa: ANN001
    order: tuple[str, str],
) -> None:
    bundles = {name: _bundle(office, tmp_path, clock, name) for name in ("a", "b")}  # the same applications, twice
    # The station pauses the first application meanwhile: both laptops' work on it clashes with this and each other.
    station = Station.open(Store(office, clock=clock))
    first = station.store.one("SELECT uuid FROM applications ORDER BY number LIMIT 1")
    lifecycle.pause(station, first, reason="客户要求暂缓", operator=station.store.one("SELECT uuid FROM operators"))
    key, code = station.store.meta("field_key"), station.station_code
    station.store.close()
    batched, single = tmp_path / "batched.db", tmp_path / "single.db"
    shutil.copyfile(office, batched)
    shutil.copyfile(office, single)
    for name in order:
        bundle = fb.read_bundle(bundles[name], station_code=code, key=key, kind=fb.PACK)
        for path, merge in ((batched, fb.merge), (single, _one_by_one)):
            store = Store(path, clock=clock)
            merge(store, bundle)
            store.close()
        assert _tables(batched) == _tables(single), name
    # The batches met what they are there for: conflicts (replays), a connection, defects, several rounds.
    store = Store(batched)
    kinds = {r[0] for r in store.conn.execute("SELECT type FROM conflicts")}
    assert kinds >= {"application.paused", "stage.advanced", "document.collected"}, kinds
    assert store.one("SELECT count(*) FROM inspection_defects") == 4
    assert store.one("SELECT count(*) FROM applications WHERE status = 'connected'") == 1
    store.close()
    assert check(batched).ok, check(batched).problems


def test_a_checkin_ends_every_lease_in_one_event_and_a_replay_keeps_them_ended(
    office: Path,
    tmp_path: Path,
    clock,  # noqa: ANN001
) -> None:
    back = _bundle(office, tmp_path, clock, "a")
    station = Station.open(Store(office, clock=clock))
    report = field.checkin(station, back)
    store = station.store
    assert report.returned == APPLICATIONS
    assert store.one("SELECT count(*) FROM events WHERE type = 'field.returned'") == 1
    assert store.one("SELECT count(*) FROM leases WHERE returned_at IS NULL") == 0
    counts = dict(store.conn.execute("SELECT application, returned_events FROM leases"))
    assert sum(counts.values()) == report.added - 1  # the login belongs to no application
    assert sorted(counts.values()) == [1, 2, 2, 3, 3, 5]
    # Out again on the same laptop; both sides pause the same open application: checking in replays it.
    field.checkout(station, "刘强", tmp_path / "again.zip", device_code="02")
    field.open_laptop(tmp_path / "again.zip", tmp_path / "a.db", clock=clock)
    laptop = Station.open(Store(tmp_path / "a.db", clock=clock))
    # The station's one return event came with the checkout: on the laptop only the new leases are open.
    assert laptop.store.one("SELECT count(*) FROM leases WHERE returned_at IS NULL") == laptop.store.one(
        "SELECT count(*) FROM applications WHERE status IN ('open', 'paused')"
    )
    app = laptop.store.one("SELECT uuid FROM applications WHERE status = 'open' ORDER BY number")
    manager = laptop.store.one("SELECT uuid FROM operators WHERE role = 'customer_manager'")
    clock.advance(minutes=5)
    lifecycle.pause(laptop, app, reason="客户外出", operator=manager)
    laptop.store.close()
    lifecycle.pause(
        station, app, reason="客户要求暂缓", operator=store.one("SELECT uuid FROM operators WHERE role = 'head'")
    )
    field.pack(tmp_path / "a.db", tmp_path / "again-back.zip")
    field.checkin(station, tmp_path / "again-back.zip")
    assert store.one("SELECT count(*) FROM conflicts WHERE application = ?", (app,)) == 1
    assert store.one("SELECT count(*) FROM leases WHERE application = ? AND returned_at IS NOT NULL", (app,)) == 2
    assert store.one("SELECT count(*) FROM leases WHERE returned_at IS NULL") == 0
    station.store.close()
    assert check(office).ok, check(office).problems
    assert check(tmp_path / "a.db").ok


def test_a_checkin_writes_each_row_once_where_its_updates_can_be_folded(
    office: Path,
    tmp_path: Path,
    clock,  # noqa: ANN001
) -> None:
    """store/batch_merge.py: a pause and its resume on the laptop reach the station as one pause row written whole
    and one update of the application (not an insert, an update of the pause and two of the application)."""
    back = _bundle(office, tmp_path, clock, "a")
    station = Station.open(Store(office, clock=clock))
    apps = [r["uuid"] for r in station.store.rows("SELECT uuid FROM applications ORDER BY number")]
    ran: list[str] = []
    station.store.conn.set_trace_callback(ran.append)
    field.checkin(station, back)
    station.store.conn.set_trace_callback(None)
    updates = {app: sum(s.startswith("UPDATE applications") and f"'{app}'" in s for s in ran) for app in apps}
    # Paused and resumed twice: the second pause's row comes between, so two updates (one by one: four).
    assert updates[apps[1]] == 2, updates
    assert all(count <= 1 for app, count in updates.items() if app != apps[1]), updates
    assert not [s for s in ran if s.startswith("UPDATE pauses")]  # each pause inserted with its end
    store = station.store
    assert store.one("SELECT count(*) FROM pauses WHERE application = ? AND ended_at IS NOT NULL", (apps[1],)) == 2
    assert store.one("SELECT status FROM applications WHERE uuid = ?", (apps[4],)) == "paused"
    station.store.close()
    assert check(office).ok, check(office).problems
