"""The demo writes only what the project's own validators accept, whatever the generator library yields, and the
same seed gives the same people."""

from __future__ import annotations

from pathlib import Path

import pytest
from faker import Faker

from station_tui.domain import validation
from station_tui.domain.errors import StationError
from station_tui.services import followups, terminations, works
from station_tui.services.demo import fill_demo
from station_tui.services.indicators import station_indicators
from station_tui.services.station import Station
from station_tui.store import Store
from station_tui.store.check import check


def _build(path: Path, clock, count: int, seed: int) -> list[dict]:  # noqa: ANN001
    store = Store(path, clock=clock)
    try:
        fill_demo(Station.open(store), count, seed=seed)
        return store.rows(
            "SELECT customer_name, id_type, id_number, phone, address, business_type, status FROM applications"
            " ORDER BY number"
        )
    finally:
        store.close()


# What the duties left behind, without the random UUIDs: the same seed must give the same.
DUTIES = (
    "SELECT a.number, w.voltage, w.item, w.project_manager, w.contract_date, w.customer_completion, w.due_date"
    " FROM supporting_works w JOIN applications a ON a.uuid = w.application ORDER BY a.number",
    "SELECT a.number, c.reached, c.satisfied, c.complaint, c.said, c.called_at"
    " FROM followup_calls c JOIN applications a ON a.uuid = c.application ORDER BY a.number, c.called_at",
    "SELECT a.number, r.outcome, r.reviewed_at FROM termination_reviews r JOIN applications a ON a.uuid = r.application"
    " ORDER BY a.number",
)


def _duties(path: Path, clock) -> list[list[dict]]:  # noqa: ANN001
    store = Store(path, clock=clock)
    try:
        return [store.rows(sql) for sql in DUTIES]
    finally:
        store.close()


def _assert_every_value_is_accepted(rows: list[dict]) -> None:
    for row in rows:
        validation.name(row["customer_name"])
        assert not validation.identity_document(row["id_type"], row["id_number"]).warnings, row["id_number"]
        validation.phone(row["phone"])
        validation.address(row["address"])


@pytest.mark.parametrize("seed", [1, 2, 3, 2026])
def test_the_default_demo_builds_for_any_seed_and_every_value_passes_the_validators(
    tmp_path: Path, clock, seed: int
) -> None:  # noqa: ANN001
    path = tmp_path / f"demo-{seed}.db"
    rows = _build(path, clock, 300, seed)
    assert len(rows) == 300
    _assert_every_value_is_accepted(rows)
    assert check(path).ok


@pytest.mark.slow
@pytest.mark.parametrize("seed", [7, 11])
def test_a_2000_application_demo_builds_and_checks(tmp_path: Path, clock, seed: int) -> None:  # noqa: ANN001
    path = tmp_path / "demo-2000.db"
    rows = _build(path, clock, 2000, seed)
    assert len(rows) == 2000
    _assert_every_value_is_accepted(rows)
    assert check(path).ok


def test_the_same_seed_gives_the_same_people_and_histories(tmp_path: Path, clock) -> None:  # noqa: ANN001
    start = clock.now
    first = _build(tmp_path / "a.db", clock, 120, 5)
    clock.now = start
    second = _build(tmp_path / "b.db", clock, 120, 5)
    clock.now = start
    other = _build(tmp_path / "c.db", clock, 120, 6)
    assert first == second
    assert first != other
    duties = _duties(tmp_path / "a.db", clock)
    assert all(duties), "works, calls and reviews all made"
    assert duties == _duties(tmp_path / "b.db", clock)
    assert duties != _duties(tmp_path / "c.db", clock)


class _Faker149:
    """Faker as 40.61+ behaves: some of its zh_CN mobiles start with 149, a block no carrier has."""

    def __init__(self) -> None:
        self.faker = Faker("zh_CN")
        self.calls = 0

    def __getattr__(self, name: str):  # noqa: ANN204
        return getattr(self.faker, name)

    def phone_number(self) -> str:
        self.calls += 1
        return "14961138759" if self.calls % 2 else self.faker.phone_number()


def test_a_generator_yielding_refused_phones_is_drawn_again(tmp_path: Path, clock) -> None:  # noqa: ANN001
    people = _Faker149()
    store = Store(tmp_path / "d.db", clock=clock)
    fill_demo(Station.open(store), 40, seed=9, people=people)
    phones = [row["phone"] for row in store.rows("SELECT phone FROM applications")]
    store.close()
    assert people.calls > 40, "the refused numbers were drawn and thrown away"
    assert phones and not any(phone.startswith("149") for phone in phones)


class _Broken(_Faker149):
    def phone_number(self) -> str:
        return "14961138759"


def test_a_generator_that_never_yields_a_valid_value_is_a_plain_error_and_nothing_is_half_written(
    tmp_path: Path,
    clock,  # noqa: ANN001
) -> None:
    store = Store(tmp_path / "e.db", clock=clock)
    station = Station.open(store)
    with pytest.raises(StationError, match="手机号"):
        fill_demo(station, 10, seed=1, people=_Broken())
    assert store.one("SELECT count(*) FROM applications") == 0
    store.close()


# --- the station's duties (issue 16) ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def new_demo(tmp_path_factory: pytest.TempPathFactory) -> Station:
    """What `station-tui demo` makes on a new machine (300 applications, the default seed), at the fixture's time."""
    from conftest import START, MovableClock

    store = Store(tmp_path_factory.mktemp("new-demo") / "demo.db", clock=MovableClock(START))
    station = Station.open(store)
    fill_demo(station, 300)
    yield station
    store.close()


def test_every_figure_of_the_indicators_has_data_on_a_new_demo(new_demo: Station) -> None:
    report = station_indicators(new_demo)
    assert report["categories"] and report["months"]
    for kind, rows in report.items():
        for key in rows[0]:
            values = [row[key] for row in rows]
            if key == "termination_rate_max":  # the profile's threshold, not data: zhuxian-2020 sets none
                assert set(values) == {new_demo.profile.termination_rate_max}
                continue
            if key == "termination_rate_over":  # against that threshold: never over where there is none
                assert set(values) == {False}
                continue
            assert any(v not in (None, 0) for v in values), f"{kind}.{key} has no data"


def test_the_demo_works_are_the_right_kinds_with_contract_dates_before_the_customer_s_completion(
    new_demo: Station,
) -> None:
    rows = works.list_works(new_demo)
    apps = {r["uuid"]: r for r in new_demo.store.rows("SELECT uuid, voltage, small_micro, status FROM applications")}
    assert len(rows) >= 20
    for row in rows:
        app = apps[row.application]
        assert row.contract_date <= row.customer_completion
        assert row.contract_date <= row.due_date, "the agreed date never later than the limit allows"
        if app["voltage"] == "high":
            assert row.kind.startswith("10千伏/")
        else:
            assert row.kind == ("低压/小微企业" if app["small_micro"] else "低压/非小微企业")
    today = new_demo.store.clock().date().isoformat()
    finished = {r["uuid"]: r["finished_at"] for r in new_demo.store.rows("SELECT uuid, finished_at FROM applications")}
    on_time = [r for r in rows if finished[r.application] and finished[r.application][:10] <= r.contract_date]
    late = [r for r in rows if finished[r.application] and finished[r.application][:10] > r.contract_date]
    overdue_open = [r for r in rows if apps[r.application]["status"] == "open" and r.contract_date < today]
    assert on_time and late and overdue_open


def test_the_demo_calls_and_reviews_leave_some_waiting_and_show_each_outcome(new_demo: Station) -> None:
    calls = new_demo.store.rows("SELECT reached, satisfied, complaint, follow_up FROM followup_calls")
    assert {(c["reached"], c["satisfied"]) for c in calls} == {(0, None), (1, 1), (1, 0)}
    complaints = [c for c in calls if c["complaint"]]
    assert len(complaints) == 1 and complaints[0]["follow_up"]
    assert followups.awaiting_calls(new_demo), "the newest connections wait for their call"
    outcomes = [r["outcome"] for r in new_demo.store.rows("SELECT outcome FROM termination_reviews")]
    assert outcomes.count("reopened") == 1 and outcomes.count("confirmed") >= 2
    assert terminations.awaiting_review(new_demo), "some terminations wait for the 站长"
    assert check(new_demo.store.path).ok
