"""The facts the county keeps per application at load time (county/facts.py), on SQLite and PostgreSQL: after folders
loaded in any order (a night arriving late, a full resend) they are what a computation from scratch gives, they
follow each application's newest snapshot and every one of its events, and the indicators counted from them equal
the station's own (categories and stages). A county file loaded before the facts were kept gets them once."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from station_tui.county.indicators import COUNTY, Range, count_range
from station_tui.county.load import load_folders
from station_tui.county.schema import ensure_schema
from station_tui.county.target import open_target
from station_tui.services import followups, lifecycle, terminations
from station_tui.services.export import run_export
from station_tui.services.followups import CallAnswer
from station_tui.services.indicators import station_indicators
from station_tui.services.station import Station
from station_tui.store import Store
from tests.county_helpers import Stations, stations, target  # noqa: F401 - fixtures
from tests.test_indicators import _at, _collect, _comparable, fixed_events

EVERYTHING = Range(date(2000, 1, 1), date(2100, 12, 31))


def load(url: str, *folders: Path) -> None:
    db = open_target(url)
    try:
        report = load_folders(db, list(folders))
    finally:
        db.close()
    assert {f.status for f in report.folders} == {"loaded"}, [f.reason for f in report.folders]


def kept(url: str) -> list[tuple]:
    """Every row of application_facts, the stages' JSON read (its order within a row is the database's)."""
    db = open_target(url)
    try:
        rows = db.query("SELECT * FROM application_facts ORDER BY station, uuid")
    finally:
        db.close()
    return [(*row[:-1], sorted(map(tuple, json.loads(row[-1] or "[]")))) for row in rows]


def from_scratch(url: str) -> list[tuple]:
    """The facts computed again for every application, as for a county file that never had them."""
    db = open_target(url)
    try:
        db.execute("DELETE FROM county_meta WHERE key = 'facts_version'")
        ensure_schema(db)
    finally:
        db.close()
    return kept(url)


def counted(url: str, span: Range, station: str | None = None):  # noqa: ANN201
    db = open_target(url)
    try:
        return count_range(db, span, station=station)
    finally:
        db.close()


def assert_same_as_station(url: str, station: Station, code: str, spans: tuple[Range, ...]) -> None:
    theirs = station_indicators(station)
    for span in spans:
        mine = counted(url, span)
        first, last = span.start.isoformat()[:7], span.end.isoformat()[:7]
        categories = [r for r in theirs["categories"] if first <= r["month"] <= last]
        stages = [r for r in theirs["stages"] if first <= r["month"] <= last]
        assert categories and stages
        assert _comparable([r for r in mine.rows if r["station"] == code]) == _comparable(categories), span
        assert _comparable([r for r in mine.stages if r["station"] == code]) == _comparable(stages), span


def test_facts_follow_the_newest_snapshot_and_the_events_of_a_night_arriving_late(
    station: Station,
    tmp_path: Path,
    target: str,  # noqa: F811
    clock,  # noqa: ANN001
) -> None:
    made = fixed_events(station)
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    first = run_export(station, outbox=outbox).folder
    clock.advance(hours=24)
    # The second night: A called again (not satisfied now), F's document collected and F connected, C's termination
    # reopened by the 站长. A's rows come with this night; its connection is in the first.
    head = station.head_id  # type: ignore[attr-defined]
    followups.record_call(station, made["a"], CallAnswer(reached=True, satisfied=False), operator=head, at=_at(11, 20))
    _collect(station, made["f"], _at(11, 17))
    lifecycle.connect(station, made["f"], operator=head, at=_at(11, 19))
    terminations.record_review(station, made["c"], head=head, reopen=True, reason="客户补齐了资料", at=_at(11, 18))
    second = run_export(station, outbox=outbox).folder
    clock.advance(hours=24)
    resend = run_export(station, outbox=outbox, full=True).folder

    load(target, second)
    month = counted(target, Range.month("2026-11"), "ZX01").rows
    assert sum(r["connected"] for r in month) == 1  # F only: A's connection is in the night not yet here
    load(target, first)  # late: its older snapshot changes nothing, its events (A's connection) count
    assert_same_as_station(target, station, "ZX01", (Range.month("2026-11"), EVERYTHING))
    month = counted(target, Range.month("2026-11"), "ZX01").rows
    assert sum(r["connected"] for r in month) == 4 and sum(r["terminated"] for r in month) == 0
    assert sum(r["small_micro_connected"] for r in month) == 2
    assert [r["satisfied_share"] for r in month if r["small_micro_connected"]] == [0.0]  # A's newest call
    before = kept(target)
    assert len(before) == 6 and before == from_scratch(target)
    load(target, resend)
    assert kept(target) == before


def test_demo_stations_loaded_out_of_order_count_what_each_station_counts(
    stations: Stations,  # noqa: F811
    target: str,  # noqa: F811
) -> None:
    # 0371's second and third nights arrive before its first, then its full resend; the other two stations once.
    night_1, night_2, night_3, resend = stations.nights
    load(target, night_3, *stations.others)
    load(target, night_1)
    load(target, night_2)
    before = kept(target)
    assert before == from_scratch(target)
    load(target, resend)
    assert kept(target) == before
    everything = counted(target, EVERYTHING)
    for code, path in stations.dbs.items():
        station = Station.open(Store(path))
        try:
            assert_same_as_station(target, station, code, (EVERYTHING,))
            stages = station_indicators(station)["stages"]
        finally:
            station.store.close()
        assert len([r for r in everything.stages if r["station"] == code]) == len(stages) > 0
    county = [r for r in everything.rows if r["station"] == COUNTY]
    assert sum(r["connected"] for r in county) == sum(r["connected"] for r in everything.rows if r["station"] != COUNTY)


def test_a_county_file_loaded_before_the_facts_were_kept_gets_them_once(
    stations: Stations,  # noqa: F811
    target: str,  # noqa: F811
) -> None:
    load(target, stations.nights[3], *stations.others)
    expected = counted(target, EVERYTHING)
    facts = kept(target)
    db = open_target(target)
    try:  # as an older station-tui left it: no table, no version
        db.execute("DROP TABLE application_facts")
        db.execute("DELETE FROM county_meta WHERE key = 'facts_version'")
    finally:
        db.close()
    assert counted(target, EVERYTHING) == expected
    assert kept(target) == facts
