"""The nightly export and load, on SQLite and on PostgreSQL: an incremental export sends the snapshot rows of the
applications its events name (a partial snapshot, said in its manifest, which verify accepts); the county replaces
those and leaves the others as they were; a full export after partial ones gives the county the same state."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

from station_tui.county.load import load_folders
from station_tui.county.target import open_target
from station_tui.services.export import run_export
from station_tui.services.export.verify import verify_folder
from station_tui.services.lifecycle import pause
from station_tui.services.station import Station
from tests.county_helpers import target  # noqa: F401 - fixture
from tests.test_export import accept_one

TABLES = ("applications", "documents", "stages", "notices")


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


def file_column(folder: Path, name: str, header: str) -> list[str]:
    with open(folder / name, encoding="utf-8-sig", newline="") as f:
        return [row[header] for row in csv.DictReader(f)]


def state(url: str) -> dict[str, list[tuple]]:
    """Every snapshot row the county holds, and which export each application's rows are as of."""
    db = open_target(url)
    try:
        found = {t: db.query(f"SELECT * FROM {t} ORDER BY uuid") for t in TABLES}
        found["as_of"] = db.query("SELECT uuid, written_at FROM snapshot_applications ORDER BY uuid")
        return found
    finally:
        db.close()


def load(url: str, folder: Path) -> None:
    db = open_target(url)
    try:
        report = load_folders(db, [folder])
    finally:
        db.close()
    assert [f.status for f in report.folders] == ["loaded"], report.folders[0].reason


def test_a_night_sends_and_loads_only_the_applications_that_changed(
    station: Station,
    tmp_path: Path,
    target: str,  # noqa: F811
    clock,  # noqa: ANN001
) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    changed = accept_one(station)
    unchanged = accept_one(station, customer_name="李四", id_number="110105194912310038", phone="13912345679")
    first = run_export(station, outbox=outbox).folder
    clock.advance(hours=24)
    pause(station, changed, reason="等客户补资料", operator=station.head_id)  # type: ignore[attr-defined]
    night = run_export(station, outbox=outbox).folder

    # The first export holds everything; the night only the application that changed, with all its rows.
    assert manifest(first)["snapshot"] == "full"
    assert manifest(night)["snapshot"] == "partial"
    assert verify_folder(night).ok
    assert sorted(file_column(first, "applications.csv", "申请ID")) == sorted([changed, unchanged])
    assert file_column(night, "applications.csv", "申请ID") == [changed]
    assert set(file_column(night, "documents.csv", "申请ID")) == {changed}
    assert len(file_column(night, "documents.csv", "申请ID")) == file_column(first, "documents.csv", "申请ID").count(
        changed
    )

    load(target, first)
    before = state(target)
    load(target, night)
    after = state(target)
    statuses = {row[1]: row for row in after["applications"]}
    db = open_target(target)
    try:
        now = dict(db.query("SELECT uuid, status FROM applications"))
    finally:
        db.close()
    assert now == {changed: "paused", unchanged: "open"}
    # The unchanged application was not rewritten: its rows and the export they are as of are those of the first.
    as_of = dict(after["as_of"])
    assert as_of[unchanged] == manifest(first)["written_at"]
    assert as_of[changed] == manifest(night)["written_at"]
    for table in ("applications", "documents", "stages"):
        kept = [row for row in before[table] if unchanged in row]
        assert kept and kept == [row for row in after[table] if unchanged in row], table
    assert len(statuses) == 2

    # A full export after the partial ones: the same rows; every application now as of the full export.
    clock.advance(hours=24)
    full = run_export(station, outbox=outbox, full=True).folder
    load(target, full)
    again = state(target)
    assert {t: again[t] for t in TABLES} == {t: after[t] for t in TABLES}
    assert dict(again["as_of"]) == {changed: manifest(full)["written_at"], unchanged: manifest(full)["written_at"]}


def test_every_event_that_changes_a_state_file_names_its_application(demo_db: Path) -> None:
    """What the partial snapshot rests on: an incremental export sends the applications its events name, so every event
    whose projection writes applications, documents, stages or notices must name its application."""
    from station_tui.store.catalogue import KINDS

    state_files = {"applications", "documents", "stages", "notices"}
    changing = {kind.name for kind in KINDS if state_files & set(kind.tables)}
    with sqlite3.connect(demo_db) as conn:
        rows = [{"type": t, "application": a} for t, a in conn.execute("SELECT type, application FROM events")]
    seen = [row for row in rows if row["type"] in changing]
    assert {row["type"] for row in seen} >= {"application.accepted", "stage.advanced", "application.connected"}
    assert [row["type"] for row in seen if not row["application"]] == []


def test_a_snapshot_kind_the_county_does_not_know_is_refused(station: Station, tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    accept_one(station)
    folder = run_export(station, outbox=outbox).folder
    values = manifest(folder)
    values["snapshot"] = "delta"
    (folder / "manifest.json").write_text(json.dumps(values, ensure_ascii=False), encoding="utf-8")
    db = open_target(tmp_path / "county.db")
    try:
        report = load_folders(db, [folder])
        held = db.query("SELECT count(*) FROM applications")[0][0]
    finally:
        db.close()
    assert [f.status for f in report.folders] == ["refused"]
    assert "快照类型 'delta' 无法识别" in report.folders[0].reason
    assert held == 0
