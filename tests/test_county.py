"""The county office's side, on SQLite and on PostgreSQL: three stations' exports loaded; the same folders again
change nothing; an overlapping resend stores each event once; a tampered, an incomplete and a foreign folder refused
while the others load; a missing night reported as a gap; indicators equal the stations' own; the report's workbook
keeps every digit; silent stations marked."""

from __future__ import annotations

import csv
import json
import sqlite3
from datetime import date, timedelta
from pathlib import Path

from click.testing import CliRunner

from station_tui.cli import main
from station_tui.county.indicators import COUNTY, Range, indicators
from station_tui.county.load import load_folders
from station_tui.county.report import build_report, write_report
from station_tui.county.status import county_status
from station_tui.county.target import open_target
from station_tui.domain.timeutil import from_iso
from station_tui.services.export import run_export
from station_tui.services.indicators import COLUMNS, indicator_rows
from station_tui.services.station import Station
from tests.county_helpers import Stations, stations, target  # noqa: F401 - fixtures

EVERYTHING = Range(date(2000, 1, 1), date(2100, 12, 31))


def station_events(db: Path) -> set[str]:
    """The events a station's exports carry: all but the export receipts."""
    with sqlite3.connect(db) as conn:
        return {u for (u,) in conn.execute("SELECT uuid FROM events WHERE type != 'export.done'")}


def counts(url: str) -> dict[str, int]:
    db = open_target(url)
    try:
        tables = ("events", "applications", "documents", "stages", "notices", "pauses", "loads")
        return {t: db.query(f"SELECT count(*) FROM {t}")[0][0] for t in tables}
    finally:
        db.close()


def manifest_says(path: Path) -> None:
    """The folder's manifest rewritten to the file's new size and SHA-256, as a station that wrote it so would."""
    import hashlib

    manifest_path = path.parent / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    entry = next(e for e in manifest["files"] if e["name"] == path.name)
    entry["bytes"], entry["sha256"] = path.stat().st_size, hashlib.sha256(path.read_bytes()).hexdigest()
    manifest_path.write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")


def load(url: str, *folders: Path):  # noqa: ANN201
    db = open_target(url)
    try:
        return load_folders(db, list(folders))
    finally:
        db.close()


def test_three_stations_load_and_the_same_folders_again_change_nothing(stations: Stations, target: str) -> None:
    folders = [*stations.nights[:3], *stations.others]
    report = load(target, *folders)
    assert [f.status for f in report.folders] == ["loaded"] * 5
    assert report.gaps == []
    db = open_target(target)
    try:
        for code, path in stations.dbs.items():
            stored = {u for (u,) in db.query("SELECT uuid FROM events WHERE station = ?", (code,))}
            assert stored == station_events(path), code
            with sqlite3.connect(path) as conn:
                numbers = {n for (n,) in conn.execute("SELECT number FROM applications")}
            assert {n for (n,) in db.query("SELECT number FROM applications WHERE station = ?", (code,))} == numbers
        names = dict(db.query("SELECT code, name FROM stations"))
    finally:
        db.close()
    assert names == {"0371": "城关供电所", "B2": "河口供电所", "C3": "山前供电所"}
    before = counts(target)
    again = load(target, *folders)
    assert [f.status for f in again.folders] == ["already"] * 5
    assert again.new_events == 0
    assert counts(target) == before


def test_an_overlapping_resend_stores_each_event_once(stations: Stations, target: str) -> None:
    load(target, stations.nights[0], stations.nights[1])
    full = load(target, stations.nights[3])  # a full resend: overlaps both nights, and holds the third
    db = open_target(target)
    try:
        stored = [u for (u,) in db.query("SELECT uuid FROM events WHERE station = '0371'")]
    finally:
        db.close()
    assert len(stored) == len(set(stored)) == len(station_events(stations.dbs["0371"]))
    third_night = json.loads((stations.nights[2] / "manifest.json").read_text(encoding="utf-8"))["events"]["rows"]
    assert full.folders[0].new_events == third_night
    assert full.folders[0].event_rows > third_night


def test_bad_folders_are_refused_with_the_reason_while_the_others_load(
    stations: Stations, target: str, tmp_path: Path
) -> None:
    tampered = stations.copy(stations.nights[1], tmp_path / "in")
    data = (tampered / "events.csv").read_bytes()
    (tampered / "events.csv").write_bytes(data.replace(b"application.", b"applicatioN.", 1))
    incomplete = stations.copy(stations.others[0], tmp_path / "in")
    (incomplete / "manifest.json").unlink()
    foreign = tmp_path / "in" / "X9" / "20261130-220000"
    foreign.mkdir(parents=True)
    (foreign / "manifest.json").write_text(json.dumps({"format": "other-system", "files": []}), encoding="utf-8")
    (foreign / "events.csv").write_text("id,when\n1,2026-11-30\n", encoding="utf-8")

    miscounted = stations.copy(stations.nights[2], tmp_path / "in")  # the manifest itself edited: rows do not match
    manifest = json.loads((miscounted / "manifest.json").read_text(encoding="utf-8"))
    next(e for e in manifest["files"] if e["name"] == "events.csv")["rows"] += 1
    (miscounted / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")

    report = load(target, stations.nights[0], tampered, incomplete, foreign, miscounted, stations.others[1])
    outcome = {f.folder: (f.station, f.status, f.reason) for f in report.folders}
    assert outcome[stations.nights[0]][1] == outcome[stations.others[1]][1] == "loaded"
    assert outcome[tampered][:2] == ("0371", "refused") and "SHA-256" in outcome[tampered][2]
    assert outcome[incomplete][:2] == ("B2", "refused") and "manifest.json" in outcome[incomplete][2]
    assert outcome[foreign][:2] == ("X9", "refused") and "other-system" in outcome[foreign][2]
    assert outcome[miscounted][:2] == ("0371", "refused") and "events.csv 有" in outcome[miscounted][2]
    assert counts(target)["loads"] == 2
    first_night = json.loads((stations.nights[0] / "manifest.json").read_text(encoding="utf-8"))["events"]["rows"]
    second_station = json.loads((stations.others[1] / "manifest.json").read_text(encoding="utf-8"))["events"]["rows"]
    assert counts(target)["events"] == first_night + second_station  # nothing of the refused folders stayed
    db = open_target(target)
    try:
        listed = {r.folder: r.station for r in county_status(db).refusals}
    finally:
        db.close()
    assert listed == {str(tampered): "0371", str(incomplete): "B2", str(foreign): "X9", str(miscounted): "0371"}


def test_a_missing_night_is_a_gap_with_its_range_until_it_arrives(stations: Stations, target: str) -> None:
    report = load(target, stations.nights[0], stations.nights[2])
    missing = json.loads((stations.nights[1] / "manifest.json").read_text(encoding="utf-8"))["events"]
    assert [(g.station, g.first, g.last) for g in report.gaps] == [("0371", missing["first_seq"], missing["last_seq"])]
    assert str(stations.nights[0]) in str(report.gaps[0]) and str(stations.nights[2]) in str(report.gaps[0])
    assert load(target, stations.nights[1]).gaps == []


def test_the_guards_the_export_added_are_removed_and_nothing_else(
    station: Station, tmp_path: Path, target: str
) -> None:
    from station_tui.services.intake import IntakeForm, ReceivedDocument, accept

    names = ['=HYPERLINK("http://x")', "'引号开头", "0371"]
    for name in names:
        form = IntakeForm(
            business_type="lv_resident",
            customer_name=name,
            id_number="11010519491231002X",
            phone="13912345678",
            address="邾县城关镇幸福路 1 号",
            capacity_kw="8",
            received=[ReceivedDocument("identity_proof", "居民身份证", "original_and_copy")],
        )
        accept(station, form, operator=station.head_id)  # type: ignore[attr-defined]
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    folder = run_export(station, outbox=outbox, include_personal_data=True, operator=station.head_id).folder  # type: ignore[attr-defined]
    assert load(target, folder).folders[0].status == "loaded"
    db = open_target(target)
    try:
        rows = set(db.query("SELECT customer_name, id_number, phone FROM applications"))
    finally:
        db.close()
    assert {r[0] for r in rows} == set(names)
    assert {r[1:] for r in rows} == {("11010519491231002X", "13912345678")}


def _theirs(db: Path) -> list[tuple]:
    station = Station.open(__import__("station_tui.store", fromlist=["Store"]).Store(db))
    try:
        return list(indicator_rows(station.store.conn, station.calendar, {}))
    finally:
        station.store.close()


def test_indicators_equal_the_stations_own(stations: Stations, target: str) -> None:
    load(target, stations.nights[3], *stations.others)
    db = open_target(target)
    try:
        rows = indicators(db, EVERYTHING)
    finally:
        db.close()
    names = [c.name for c in COLUMNS]
    for code, path in stations.dbs.items():
        mine = [tuple(r[n] for n in names) for r in rows if r["station"] == code]
        theirs = _theirs(path)
        assert theirs, code
        # The category's name comes with the station's own profiles there and from the export here.
        assert [(*r[:2], *r[3:]) for r in mine] == [(*r[:2], *r[3:]) for r in theirs], code
    # And the station's indicators.csv, as it reached the county, says the same.
    with open(stations.nights[3] / "indicators.csv", encoding="utf-8-sig", newline="") as f:
        written = list(csv.DictReader(f))
    ours = [r for r in rows if r["station"] == "0371"]
    assert [(w["月份"], w["时限类别代码"], int(w["受理件数"]), int(w["送电件数"])) for w in written] == [
        (r["month"], r["category"], r["accepted"], r["connected"]) for r in ours
    ]
    county = [r for r in rows if r["station"] == COUNTY]
    assert sum(r["accepted"] for r in county) == sum(r["accepted"] for r in rows if r["station"] != COUNTY)


def test_a_month_counts_only_its_days(stations: Stations, target: str) -> None:
    load(target, stations.nights[3])
    db = open_target(target)
    try:
        month = max(r["month"] for r in indicators(db, EVERYTHING))
        rows = indicators(db, Range.month(month), station="0371")
        whole = [r for r in indicators(db, EVERYTHING, station="0371") if r["month"] == month]
    finally:
        db.close()
    assert rows == whole and {r["month"] for r in rows} == {month}


def test_the_report_workbook_keeps_every_digit_and_has_a_chart(stations: Stations, target: str, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    load(target, stations.nights[3], *stations.others)
    db = open_target(target)
    try:
        first = min(from_iso(t).date() for (t,) in db.query("SELECT max(recorded_at) FROM events"))
        half = f"{first.year}H{1 if first.month <= 6 else 2}"
        report = build_report(db, half)
        numbers = {n for (n,) in db.query("SELECT number FROM applications")}
    finally:
        db.close()
    assert report.details, "the demo's half year has connected 高压 or 小微 applications"
    out = tmp_path / "报装信息.xlsx"
    write_report(report, out)
    book = load_workbook(out)
    assert book.sheetnames == ["汇总", "明细", "图表"]
    detail = list(book["明细"].iter_rows(min_row=2, values_only=True))
    assert [r[:3] for r in detail] == [r[:3] for r in report.details]
    assert {r[2] for r in detail} <= numbers
    assert any(r[0] == "0371" for r in detail)  # a station code with a leading 0, still text
    assert all(isinstance(r[7], int) and isinstance(r[0], str) for r in detail)
    summary = list(book["汇总"].iter_rows(min_row=2, values_only=True))
    county = [r for r in summary if r[0] == COUNTY]
    assert sum(r[3] for r in county) == len(report.details)
    assert all(r[7] == 0 for r in summary)  # 邾县's profile: 办电零服务费
    assert book["图表"]._charts
    csv_out = write_report(report, tmp_path / "报装信息.csv")
    with open(csv_out[1], encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.reader(f))) == len(report.details) + 1


def test_a_station_silent_for_more_than_a_day_is_marked(stations: Stations, target: str) -> None:
    load(target, stations.nights[3], *stations.others)
    db = open_target(target)
    try:
        newest = max(from_iso(t) for (t,) in db.query("SELECT last_export_at FROM stations"))
        now = county_status(db, newest + timedelta(hours=1))
        later = county_status(db, newest + timedelta(days=2))
    finally:
        db.close()
    assert [s.code for s in now.stations] == ["0371", "B2", "C3"]
    assert not any(s.silent for s in now.stations)
    assert all(s.silent for s in later.stations)
    assert all(s.last_event is not None for s in now.stations)


def test_the_commands_a_county_uses_every_morning(stations: Stations, tmp_path: Path) -> None:
    runner = CliRunner()
    into = str(tmp_path / "county.db")
    outbox = stations.nights[0].parent.parent
    result = runner.invoke(main, ["county", "load", str(outbox), "--into", into])
    assert result.exit_code == 0, result.output
    assert "拒收 0" in result.output and "缺口" not in result.output
    result = runner.invoke(main, ["county", "status", "--into", into])
    assert result.exit_code == 0 and "3 个供电所" in result.output
    broken = tmp_path / "in" / "B2" / "20260101-220000"
    broken.mkdir(parents=True)
    result = runner.invoke(main, ["county", "load", str(broken), "--into", into])
    assert result.exit_code == 1 and "拒收：B2" in result.output
    result = runner.invoke(main, ["county", "report", "--half", "2026H3", "--out", "x.xlsx", "--into", into])
    assert result.exit_code == 1 and result.output.startswith("错误：") and "Traceback" not in result.output


def test_columns_in_another_order_and_unknown_columns_are_read_by_name(
    stations: Stations, target: str, tmp_path: Path
) -> None:
    """A later export may order its columns differently or add some: the loader maps the header, by the manifest's
    language, onto the columns it knows."""
    folder = stations.copy(stations.others[1], tmp_path / "in")
    path = folder / "events.csv"
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    reordered = [[*reversed(row), "新列" if i == 0 else "x"] for i, row in enumerate(rows)]
    with open(path, "w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerows(reordered)
    manifest_says(path)

    assert load(target, folder).folders[0].status == "loaded"
    db = open_target(target)
    try:
        stored = db.query("SELECT seq, uuid, simulated FROM events ORDER BY seq")
    finally:
        db.close()
    with sqlite3.connect(stations.dbs["C3"]) as conn:
        expected = conn.execute(
            "SELECT seq, uuid, simulated FROM events WHERE type != 'export.done' ORDER BY seq"
        ).fetchall()
    assert stored == expected


def test_the_snapshot_follows_the_newest_export(station: Station, tmp_path: Path, target: str, clock) -> None:  # noqa: ANN001
    """A row that changed at the station between two nights changes at the county; an older folder loaded after a
    newer one changes nothing in the snapshot."""
    from station_tui.services.lifecycle import pause, resume
    from tests.test_export import accept_one

    outbox = tmp_path / "outbox"
    outbox.mkdir()
    app = accept_one(station)
    first = run_export(station, outbox=outbox).folder
    clock.advance(hours=24)
    pause(station, app, reason="等客户补资料", operator=station.head_id)  # type: ignore[attr-defined]
    second = run_export(station, outbox=outbox).folder

    def state() -> tuple:
        db = open_target(target)
        try:
            return db.query("SELECT status, pause_reason FROM applications")[0]
        finally:
            db.close()

    clock.advance(hours=24)
    resume(station, app, operator=station.head_id)  # type: ignore[attr-defined]
    third = run_export(station, outbox=outbox).folder
    clock.advance(hours=24)
    pause(station, app, reason="再次暂停", operator=station.head_id)  # type: ignore[attr-defined]
    fourth = run_export(station, outbox=outbox).folder

    load(target, first)
    assert state() == ("open", None)
    assert load(target, fourth).gaps  # the second and third nights are missing
    assert state() == ("paused", "再次暂停")
    # The missing nights arrive late: their events are added, their older snapshots do not overwrite the newer one.
    report = load(target, second, third)
    assert [f.snapshot for f in report.folders] == [False, False] and report.gaps == []
    assert state() == ("paused", "再次暂停")
    db = open_target(target)
    try:
        paused = db.query("SELECT paused_workdays FROM pauses")
    finally:
        db.close()
    assert len(paused) == 1


def test_a_station_past_its_schedule_is_marked_and_an_old_manifest_is_judged_by_silence(
    stations: Stations, target: str, tmp_path: Path
) -> None:
    """The manifest carries the station's schedule and its next run; the county marks a station whose next export
    has not come by then. An export from before the schedule was carried is read as before: no mark."""
    old = stations.copy(stations.others[1], tmp_path / "in")
    manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))
    del manifest["schedule"]
    (old / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    load(target, stations.nights[3], old)
    carried = json.loads((stations.nights[3] / "manifest.json").read_text(encoding="utf-8"))["schedule"]
    assert carried["described"] == "每天 22:00"
    following = from_iso(carried["next_run"])
    written = from_iso(json.loads((stations.nights[3] / "manifest.json").read_text(encoding="utf-8"))["written_at"])
    assert written < following <= written + timedelta(days=1)
    db = open_target(target)
    try:
        before = {s.code: s for s in county_status(db, following - timedelta(minutes=1)).stations}
        after = {s.code: s for s in county_status(db, following + timedelta(minutes=1)).stations}
    finally:
        db.close()
    assert not before["0371"].past_schedule and after["0371"].past_schedule
    assert after["0371"].next_export == following and after["0371"].schedule == "每天 22:00"
    assert after["C3"].schedule == "" and not after["C3"].past_schedule


def test_reading_commands_on_a_database_that_does_not_exist_create_nothing(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = tmp_path / "新县.db"
    for args in (
        ["status"],
        ["indicators", "--month", "2026-11"],
        ["report", "--half", "2026H2", "--out", str(tmp_path / "r.xlsx")],
    ):
        result = runner.invoke(main, ["county", *args, "--into", str(missing)])
        assert result.exit_code == 1, result.output
        assert "不存在：这里还没有载入任何供电所的导出" in result.output and "Traceback" not in result.output
        assert not missing.exists()
    station_db = tmp_path / "站.db"
    sqlite3.connect(station_db).execute("CREATE TABLE events (seq INTEGER)").connection.close()
    result = runner.invoke(main, ["county", "status", "--into", str(station_db)])
    assert result.exit_code == 1 and "没有县公司数据" in result.output
    with sqlite3.connect(station_db) as conn:
        assert [n for (n,) in conn.execute("SELECT name FROM sqlite_master")] == ["events"]


def test_the_works_file_is_checked_against_the_manifest_and_not_loaded(
    stations: Stations, target: str, tmp_path: Path
) -> None:
    from station_tui.county.contract import CHECKED_NOT_LOADED, contracts

    listed = json.loads((stations.nights[0] / "manifest.json").read_text(encoding="utf-8"))["files"]
    works_rows = next(e["rows"] for e in listed if e["name"] == "works.csv")
    assert works_rows > 0, "the demo stations record supporting works"
    assert "works.csv" in CHECKED_NOT_LOADED and "works.csv" not in contracts()
    tampered = stations.copy(stations.nights[0], tmp_path / "in")
    data = (tampered / "works.csv").read_bytes()
    (tampered / "works.csv").write_bytes(data.replace(b'"2026-', b'"2025-', 1))
    refused = load(target, tampered)
    assert refused.folders[0].status == "refused" and "SHA-256" in refused.folders[0].reason
    assert load(target, stations.nights[0]).folders[0].status == "loaded"


def test_a_county_file_and_a_folder_from_before_the_origin_column_was_listed(
    stations: Stations, target: str, tmp_path: Path
) -> None:
    """applications.csv always carried `origin` (counter or ledger), unlisted and headed by its name before the
    dictionary listed it as 来源: such a folder loads, and a county file made before gets the column."""
    assert load(target, stations.nights[0]).folders[0].status == "loaded"
    db = open_target(target)
    try:
        db.execute("ALTER TABLE applications DROP COLUMN origin")  # a county file made before the column was listed
    finally:
        db.close()
    folder = stations.copy(stations.others[1], tmp_path / "in")  # C3: Chinese headers
    path = folder / "applications.csv"
    data = path.read_bytes()
    assert data.count("来源".encode()) == 1
    path.write_bytes(data.replace('"来源"'.encode(), b'"origin"'))
    manifest_says(path)

    assert load(target, folder).folders[0].status == "loaded"
    db = open_target(target)
    try:
        stored = dict(db.query("SELECT number, origin FROM applications WHERE station = 'C3'"))
        earlier = db.query("SELECT count(*) FROM applications WHERE station = '0371' AND origin IS NULL")[0][0]
    finally:
        db.close()
    with sqlite3.connect(stations.dbs["C3"]) as conn:
        assert stored == dict(conn.execute("SELECT number, origin FROM applications"))
    assert earlier > 0  # loaded before the column: empty until the station's next full export
