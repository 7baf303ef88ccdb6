"""Stations for the county's tests: three demo stations with real exports, made once per session, and a target
(a SQLite file, or a fresh database on the PostgreSQL server .ci/run starts) per test."""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from station_tui.services.demo import fill_demo
from station_tui.services.export import run_export
from station_tui.services.station import Station
from station_tui.store import Store

PG_ENV = "STATION_TUI_TEST_PG"


@dataclass
class Stations:
    root: Path
    dbs: dict[str, Path]  # station code → its database
    # Station 0371's four exports in order: the first night, two more nights, then a full resend (overlaps all).
    nights: list[Path]
    others: list[Path]  # one full export each of B2 (English headers, GBK) and C3

    def copy(self, folder: Path, into: Path) -> Path:
        """A folder copied under `into`, as <station>/<stamp>/, to tamper with."""
        target = into / folder.parent.name / folder.name
        shutil.copytree(folder, target)
        return target


def _station(path: Path, code: str, name: str, count: int, seed: int) -> Station:
    station = Station.open(Store(path))
    fill_demo(station, count, seed=seed, station_code=code, station_name=name)
    return station


@pytest.fixture(scope="session")
def stations(tmp_path_factory: pytest.TempPathFactory) -> Stations:
    root = tmp_path_factory.mktemp("county")
    outbox = root / "outbox"
    outbox.mkdir()
    dbs = {code: root / f"{code}.db" for code in ("0371", "B2", "C3")}
    first = _station(dbs["0371"], "0371", "城关供电所", 40, seed=1)
    nights = [run_export(first, outbox=outbox).folder]
    for seed in (11, 12):
        fill_demo(first, 8, seed=seed)
        nights.append(run_export(first, outbox=outbox).folder)
    nights.append(run_export(first, outbox=outbox, full=True).folder)
    first.store.close()
    others = []
    for code, name, options in (
        ("B2", "河口供电所", {"language": "en", "encoding": "gbk"}),
        ("C3", "山前供电所", {}),
    ):
        station = _station(dbs[code], code, name, 30, seed=len(others) + 2)
        others.append(run_export(station, outbox=outbox, **options).folder)
        station.store.close()
    return Stations(root, dbs, nights, others)


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a test loads: a new SQLite file, or a new database on the test server."""
    if request.param == "sqlite":
        yield str(tmp_path / "county.db")
        return
    url = os.environ.get(PG_ENV)
    if not url:
        pytest.skip(f"没有 PostgreSQL 测试服务器（{PG_ENV} 未设置；.ci/run 会启动一个）")
    import psycopg

    name = f"county_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"CREATE DATABASE {name}")
    yield url.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE {name} WITH (FORCE)")
