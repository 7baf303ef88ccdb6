"""Shared fixtures: real SQLite files in a temporary folder, and a clock a test can move."""

from __future__ import annotations

import shutil
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from station_tui.domain.timeutil import CHINA_TZ
from station_tui.services.setup import initialize
from station_tui.services.station import Station
from station_tui.store import Store

HEAD_PIN = "1234"
START = datetime(2026, 11, 23, 9, 30, tzinfo=CHINA_TZ)  # the fixture clock's time


class MovableClock:
    """The system clock is the edge of the system: tests set it instead of waiting for it."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kwargs: float) -> None:
        self.now += timedelta(**kwargs)


@pytest.fixture
def clock() -> MovableClock:
    return MovableClock(START)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "station.db"


@pytest.fixture
def store(db_path: Path, clock: MovableClock) -> Store:
    s = Store(db_path, clock=clock)
    yield s
    s.close()


@pytest.fixture
def station(store: Store) -> Station:
    """An initialized station on the 国网邾县 profile with its first 站长."""
    st = Station.open(store)
    st.head_id = initialize(  # type: ignore[attr-defined]
        st,
        station_name="城关供电所",
        station_code="ZX01",
        profile_id="zhuxian-2020",
        head_name="王站长",
        head_phone="13800000001",
        head_pin=HEAD_PIN,
    )
    return st


@pytest.fixture
def bare_station(store: Store) -> Station:
    """A database not yet initialized (first run, or demo)."""
    return Station.open(store)


@pytest.fixture(scope="session")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database, built once per test session: 60 applications, fixed seed, at the fixture clock's time, fixed
    people (the same on every machine, whatever Faker release is installed)."""
    from fixed_people import FixedPeople

    from station_tui.services.demo import fill_demo

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    store = Store(path, clock=MovableClock(START))
    try:
        fill_demo(Station.open(store), 60, seed=3, people=FixedPeople())
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the whole database in the one file, to copy it
    finally:
        store.close()
    return path


@pytest.fixture
def demo_db(_demo_template: Path, db_path: Path) -> Path:
    """A closed demo database of this test's own (a copy of the session's), ready for an app or a command."""
    shutil.copyfile(_demo_template, db_path)
    return db_path


@pytest.fixture
def counter_db(bare_station: Station) -> Path:
    """A demo station with its operators and no applications yet: what is saved is what the test typed."""
    from station_tui.services.demo import fill_demo

    fill_demo(bare_station, 0)
    bare_station.store.close()
    return bare_station.store.path


@pytest.fixture(autouse=True)
def _no_default_database(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the user's own station database through the default path."""
    monkeypatch.setenv("STATION_TUI_DB", str(tmp_path_factory.mktemp("default") / "station.db"))
