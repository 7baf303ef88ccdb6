"""The event catalogue: every type defined once and completely, stored payloads of every version read through the
upgrade steps, events of an unknown type or a newer version refused whole, `station-tui events --catalogue`."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sqlite3
from pathlib import Path

import msgspec
import pytest
from click.testing import CliRunner

from station_tui.cli import main
from station_tui.services.export.dictionary import dictionary_markdown, dictionary_rows
from station_tui.store import Store, catalogue
from station_tui.store import payloads as ev
from station_tui.store.check import check
from station_tui.store.events import Event
from station_tui.store.schema import PROJECTION_TABLES

FIXTURES = Path(__file__).parent / "fixtures" / "events"
STORED = [
    entry
    for name in (
        "stored-v1.json",
        "stored-v1-demo-history.json",
        "stored-field.json",
        "stored-duties.json",
        "stored-recovery.json",
        "stored-works-category.json",
    )
    for entry in json.loads((FIXTURES / name).read_text(encoding="utf-8"))["events"]
]
TRANSITIONS = {
    "stage.advanced",
    "application.paused",
    "application.resumed",
    "application.terminated",
    "application.connected",
    "application.closed",
    "document.collected",
}


def _event(type_: str, payload: dict, *, version: int = 1, needs: str = "0.1.0", uuid: str = "e-1") -> Event:
    return Event(uuid, "other-device", 1, type_, None, payload, "2026-11-23T10:00:00.000000+08:00", None, False,
                 version, needs)  # fmt: skip


# --- completeness ----------------------------------------------------------------------------------------------


def test_every_type_has_a_projection_a_label_tables_and_a_dictionary_entry() -> None:
    dictionary = {row[2] for row in dictionary_rows("zh", []) if row[0] == "events.csv" and row[3] == "事件类型"}
    markdown = dictionary_markdown()
    for kind in catalogue.KINDS:
        assert callable(kind.project), kind.name
        assert re.search(r"[\u4e00-\u9fff]", kind.label), f"{kind.name} has no Chinese label"
        assert set(kind.tables) <= set(PROJECTION_TABLES), kind.name
        assert kind.name in dictionary and f"`{kind.name}`" in markdown, f"{kind.name} missing from the dictionary"
        assert [v for v, _ in kind.versions()] == list(range(1, kind.version + 1)), kind.name
    # Every projected table is written by some type, and nothing else is: check compares exactly these.
    assert catalogue.written_tables() == set(PROJECTION_TABLES)
    assert len({kind.label for kind in catalogue.KINDS}) == len(catalogue.KINDS)


def test_every_payload_structure_is_in_the_catalogue() -> None:
    """A structure a service could record, or a stored version, that no catalogue entry names would be a second
    definition of an event."""
    named = {kind.payload for kind in catalogue.KINDS} | {o.payload for kind in catalogue.KINDS for o in kind.older}
    parts = {ev.Payload, ev.SettingsPayload, ev.AcceptedApplication, ev.AcceptedDocument, ev.AcceptedStage}
    parts |= {ev.Override, ev.HolidayDay}
    defined = {
        value
        for value in vars(ev).values()
        if isinstance(value, type) and issubclass(value, ev.Payload) and value.__module__ == ev.__name__
    }
    assert defined - parts == named


def test_recording_a_structure_outside_the_catalogue_is_refused(store: Store) -> None:
    class MeterSwapped(ev.Payload, frozen=True):
        meter: str

    with pytest.raises(TypeError, match="MeterSwapped"):
        store.record(MeterSwapped(meter="m1"))
    assert store.one("SELECT count(*) FROM events") == 0


def test_every_type_the_services_record_is_in_the_catalogue_at_its_current_version(tmp_path: Path) -> None:
    """The fixture builder runs every flow (demo, logins, reservations, visits, archive, inspections, notices,
    holidays, ledger, export, overrides) through the services: each type recorded is known, at its current version,
    and every catalogue type is recorded by some flow."""
    from fixtures.events.build import build

    out = tmp_path / "current.json"
    build(out)
    recorded = json.loads(out.read_text(encoding="utf-8"))["events"]
    for entry in recorded:
        kind = catalogue.CATALOGUE[entry["type"]]
        assert entry["version"] == kind.version, entry["type"]
        assert isinstance(kind.read(entry["version"], entry["payload"]), kind.payload)
    assert {e["type"] for e in recorded} == set(catalogue.CATALOGUE)
    transitions = [e for e in recorded if e["type"] in TRANSITIONS]
    assert transitions and all(e["payload"]["from_state"] != ev.UNKNOWN for e in transitions)


# --- upgrades ------------------------------------------------------------------------------------------------------


def test_the_fixtures_hold_every_stored_version_of_every_type() -> None:
    stored = {(e["type"], e["version"]) for e in STORED}
    older = {(kind.name, o.version) for kind in catalogue.KINDS for o in kind.older}
    first = {(kind.name, 1) for kind in catalogue.KINDS}
    assert older <= stored and first <= stored


@pytest.mark.parametrize("entry", STORED, ids=lambda e: f"{e['type']}-v{e['version']}")
def test_a_stored_payload_is_read_as_the_current_version(entry: dict) -> None:
    kind = catalogue.CATALOGUE[entry["type"]]
    payload = catalogue.read(_event(entry["type"], entry["payload"], version=entry["version"]))
    assert type(payload) is kind.payload
    # Nothing the old payload said is lost on the way up (an upgrade may add, e.g. a start state or a default).
    assert _holds(msgspec.to_builtins(payload), entry["payload"]), entry


def _holds(new: object, old: object) -> bool:
    if isinstance(old, dict):
        return isinstance(new, dict) and all(key in new and _holds(new[key], value) for key, value in old.items())
    if isinstance(old, list):
        return isinstance(new, list) and len(new) == len(old) and all(map(_holds, new, old))
    return new == old


def test_an_upgraded_transition_says_its_start_state_where_the_payload_does() -> None:
    found: dict[str, set[str]] = {}
    for entry in STORED:
        if entry["type"] in TRANSITIONS:
            payload = catalogue.read(_event(entry["type"], entry["payload"]))
            found.setdefault(entry["type"], set()).add(payload.from_state)
    assert found.pop("stage.advanced") <= {f"open@{n}" for n in range(1, 10)}
    assert found.pop("document.collected") == {"deferred"}
    assert found == {t: {ev.UNKNOWN} for t in TRANSITIONS - {"stage.advanced", "document.collected"}}


def test_a_stored_stage_advance_keeps_its_override_and_timeline_text() -> None:
    entry = next(e for e in STORED if e["type"] == "stage.advanced" and "override" in e["payload"])
    event = _event("stage.advanced", entry["payload"])
    head = entry["payload"]["override"]["head"]
    text = catalogue.timeline_text(event, catalogue.TimelineNames({head: "王建国"}))
    assert text.startswith(f"第 {entry['payload']['from_position']} 环节") and "站长 王建国 授权" in text


# --- refusing what this program does not know ---------------------------------------------------------------------


def _fingerprint(path: Path) -> tuple[str, list[str]]:
    # The -shm file is SQLite's shared index of the WAL, rewritten by readers too: the data is the file and its WAL.
    files = [f for f in sorted(path.parent.glob(path.name + "*")) if not f.name.endswith("-shm")]
    digest = hashlib.sha256(b"".join(f.read_bytes() for f in files)).hexdigest()
    with sqlite3.connect(path) as conn:
        return digest, list(conn.iterdump())


@pytest.mark.parametrize(
    ("type_", "version", "payload"),
    [
        ("meter.swapped", 1, {"meter": "M-1"}),  # a type from a newer program
        ("stage.advanced", 3, {"from_position": 1, "to_position": 2, "from_state": "open@1", "crew": "c"}),
    ],
)
def test_an_event_from_a_newer_program_is_refused_and_nothing_changes(
    station, type_: str, version: int, payload: dict
) -> None:  # noqa: ANN001
    store = station.store
    before = _fingerprint(store.path)
    event = _event(type_, payload, version=version, needs="0.9.0")
    with pytest.raises(catalogue.UnknownEventError) as refused:
        store.receive(event)
    message = str(refused.value)
    assert type_ in message and f"版本 {version}" in message and "0.9.0" in message and "升级" in message
    assert _fingerprint(store.path) == before


def test_an_unknown_event_claiming_an_old_program_is_called_damaged(station) -> None:  # noqa: ANN001
    with pytest.raises(catalogue.UnknownEventError, match="事件日志已损坏"):
        station.store.receive(_event("meter.swapped", {}, needs="0.1.0"))


def test_an_event_that_fails_its_projection_is_not_half_applied(station) -> None:  # noqa: ANN001
    """A known type whose projection fails (its application is not here) rolls back with the event row."""
    store = station.store
    before = store.one("SELECT count(*) FROM events")
    event = _event("application.connected", {"from_state": "open@3"}, version=2, needs="0.2.0")
    with pytest.raises(TypeError):  # no such application: nothing to connect
        store.receive(event)
    assert store.one("SELECT count(*) FROM events") == before


def test_an_event_from_another_device_is_received_once_and_check_agrees(station) -> None:  # noqa: ANN001
    store = station.store
    settings = _event("settings.changed", {"settings": {"note": "来自笔记本"}}, uuid="laptop-1")
    assert store.receive(settings) is True
    assert store.receive(settings) is False
    assert store.setting("note") == "来自笔记本"
    store.close()
    assert check(store.path).ok


def test_check_names_an_unknown_event_in_the_file(station) -> None:  # noqa: ANN001
    store = station.store
    store.conn.execute(
        "INSERT INTO events (uuid, device, device_seq, type, payload, recorded_at, version, needs_program)"
        " VALUES ('x-1', 'laptop', 1, 'meter.swapped', '{}', '2026-11-23T10:00:00.000000+08:00', 1, '0.9.0')"
    )
    store.close()
    report = check(store.path)
    assert not report.ok
    assert any("meter.swapped" in p and "版本 1" in p and "0.9.0" in p for p in report.problems)


# --- station-tui events --catalogue -------------------------------------------------------------------------------


def test_events_catalogue_lists_every_type_with_version_label_and_tables() -> None:
    result = CliRunner().invoke(main, ["events", "--catalogue"])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert f"共 {len(catalogue.KINDS)} 种" in lines[0]
    for kind in catalogue.KINDS:
        line = next(line for line in lines if line.startswith(kind.name + "\t"))
        assert kind.label in line and f"内容版本 {kind.version}" in line
        assert all(table in line for table in kind.tables), line
    paused = next(line for line in lines if line.startswith("application.paused\t"))
    assert "也读取版本 1" in paused and "from_state" in paused


def test_events_catalogue_json_is_the_catalogue() -> None:
    result = CliRunner().invoke(main, ["events", "--catalogue", "--json"])
    assert result.exit_code == 0, result.output
    entries = {e["type"]: e for e in json.loads(result.output)}
    assert set(entries) == set(catalogue.CATALOGUE)
    advanced = entries["stage.advanced"]
    assert advanced["version"] == 2 and advanced["needs_program"] == catalogue.TRANSITIONS_PROGRAM
    assert advanced["older_versions"] == [{"version": 1, "needs_program": "0.1.0"}]
    assert advanced["tables"] == ["applications", "stages", "conflicts"] and "from_state" in advanced["fields"]
    assert entries["export.personal_data_included"]["tables"] == []


def test_events_help_is_chinese_and_the_flag_is_asked_for() -> None:
    runner = CliRunner()
    help_text = runner.invoke(main, ["events", "--help"]).output
    assert "事件类型" in help_text and "--catalogue" in help_text and "JSON" in help_text
    bare = runner.invoke(main, ["events"])
    assert bare.exit_code == 2 and "请加 --catalogue" in bare.output


# --- a database made before payload versions existed -------------------------------------------------------------

# Made by 76e13b4, the last commit before the catalogue, whose program wrote every event without a payload version
# (schema 3; tests/data/README.md).
BEFORE_CATALOGUE = Path(__file__).resolve().parent / "data" / "schema-v3.db"


def test_a_database_from_before_the_catalogue_migrates_passes_check_and_records_version_2(tmp_path: Path) -> None:
    db = tmp_path / "station.db"
    shutil.copyfile(BEFORE_CATALOGUE, db)
    with sqlite3.connect(db) as conn:
        before = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    from station_tui.services import lifecycle
    from station_tui.services.applications import application_view
    from station_tui.services.station import Station

    store = Store(db)  # migrates, after a backup
    try:
        assert store.one("SELECT count(*) FROM events WHERE version = 1 AND needs_program = '0.1.0'") == before
        station = Station.open(store)
        head = store.one("SELECT uuid FROM operators WHERE role = 'head'")
        app = store.rows("SELECT uuid, current_stage FROM applications WHERE status = 'open' LIMIT 1")[0]
        lifecycle.pause(station, app["uuid"], reason="客户图纸未交", operator=head)
        newest = store.events(app["uuid"])[-1]
        assert (newest.version, newest.needs_program) == (2, catalogue.TRANSITIONS_PROGRAM)
        assert newest.payload["from_state"] == f"open@{app['current_stage']}"
        # The timeline reads old and new events alike.
        timeline = application_view(station, app["uuid"]).events
        assert timeline[0].type_zh == "受理申请" and timeline[-1].summary == "客户图纸未交"
    finally:
        store.close()
    report = check(db)
    assert report.ok, report.problems


def test_events_csv_carries_each_event_s_payload_version_in_its_last_column(station, tmp_path: Path) -> None:  # noqa: ANN001
    import csv

    from notice_helpers import accept_resident

    from station_tui.services import lifecycle
    from station_tui.services.export import run_export

    application = accept_resident(station)
    lifecycle.pause(station, application, reason="客户图纸未交", operator=station.head_id)
    (tmp_path / "outbox").mkdir()
    result = run_export(station, outbox=tmp_path / "outbox")
    with (result.folder / "events.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0][-1] == "内容版本" and rows[0][:2] == ["序号", "事件ID"]
    versions = {row[rows[0].index("事件类型代码")]: row[-1] for row in rows[1:]}
    assert versions["application.paused"] == "2" and versions["application.accepted"] == "1"
