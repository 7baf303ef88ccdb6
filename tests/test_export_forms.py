"""Each event row keeps its export form (payload with secrets dropped and personal data masked, NULL where that is
the payload itself), made once when the row is written: by every path that writes rows, by the migration for the rows
already there, and `check` finds a row whose form is not the masking rule's. The export writes the form as it is."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

from station_tui.services import lifecycle
from station_tui.services.export import run_export
from station_tui.services.station import Station
from station_tui.store import Store, batch, catalogue
from station_tui.store.check import check
from station_tui.store.masking import apply_export_form, clean_payload_slow, export_form
from station_tui.store.recover import recover

PACKAGE = Path(__file__).resolve().parent.parent / "station_tui"


def _forms_agree(path: Path) -> int:
    """How many rows hold a form (the rest must need none); fails on a row whose form is not the rule's."""
    with sqlite3.connect(path) as conn:
        rows = conn.execute("SELECT seq, payload, export_at, export_text FROM events").fetchall()
    for seq, payload, at, text in rows:
        assert (None if text is None else (at, text)) == export_form(payload), f"event {seq}"
        assert apply_export_form(payload, at, text) == clean_payload_slow(payload), f"event {seq}"
    return sum(text is not None for *_, text in rows)


def _accepted_forms(path: Path) -> list[dict]:
    with sqlite3.connect(path) as conn:
        rows = conn.execute(
            "SELECT payload, export_at, export_text FROM events WHERE type = 'application.accepted'"
        ).fetchall()
    return [json.loads(apply_export_form(*row))["application"] for row in rows]


def test_only_one_module_inserts_into_the_log() -> None:
    inserting = sorted(
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        if re.search(r"INTO\s+events\b", path.read_text(encoding="utf-8"), re.IGNORECASE)
    )
    assert inserting == ["store/append.py"]


def test_recorded_events_keep_their_export_form(demo_db: Path) -> None:
    assert _forms_agree(demo_db) > 0
    accepted = _accepted_forms(demo_db)
    assert accepted and all("*" in a["id_number"] and "****" in a["phone"] for a in accepted)


def test_received_batched_and_recovered_events_keep_their_export_form(demo_db: Path, tmp_path: Path, clock) -> None:  # noqa: ANN001
    with Store(demo_db, clock=clock) as source:
        events = source.events()
    one_by_one, batched = tmp_path / "received.db", tmp_path / "batched.db"
    with Store(one_by_one, clock=clock) as store:
        for event in events:
            store.receive(event)
    with Store(batched, clock=clock) as store, store.transaction() as conn:
        batch.add(conn, [(event, catalogue.read(event)) for event in events])
    recovered = tmp_path / "recovered.db"
    report = recover(demo_db, recovered, clock=clock)
    assert not report.check_problems
    expected = _forms_agree(demo_db)
    for path in (one_by_one, batched, recovered):
        assert _forms_agree(path) == expected, path.name


def test_check_finds_an_export_form_that_is_not_the_rule(demo_db: Path) -> None:
    with sqlite3.connect(demo_db) as conn:
        conn.execute("DROP TRIGGER events_no_update")
        # No form: the export would send the identity number as it is.
        conn.execute(
            "UPDATE events SET export_at = NULL, export_text = NULL WHERE seq = (SELECT min(seq) FROM events"
            " WHERE type = 'application.accepted')"
        )
    report = check(demo_db)
    assert any("export_text" in problem and "recover" in problem for problem in report.problems)


def test_the_export_writes_the_payload_with_its_form(demo_db: Path, tmp_path: Path, clock) -> None:  # noqa: ANN001
    with Store(demo_db, clock=clock) as store:
        seq, *row = store.conn.execute(
            "SELECT seq, payload, export_at, export_text FROM events WHERE type = 'application.accepted'"
            " ORDER BY seq LIMIT 1"
        ).fetchone()
        result = run_export(Station.open(store), outbox=tmp_path, full=True)
    text = (result.folder / "events.csv").read_text(encoding="utf-8-sig")
    line = next(line for line in text.splitlines() if line.startswith(f"{seq},"))
    assert '"' + apply_export_form(*row).replace('"', '""') + '"' in line


def test_numbers_typed_in_full_width_digits_leave_the_station_masked(demo_db: Path, tmp_path: Path, clock) -> None:  # noqa: ANN001
    """A Chinese input method in full-width mode types a customer's numbers as １３９…: masked like ASCII ones, in the
    event's payload and in the application's pause reason; sent as typed only with personal data."""
    reason = "客户出差，回来后联系１３９１２３４５６７８或０３７１－６６６６８８８８"
    for outbox in ("masked", "personal"):
        (tmp_path / outbox).mkdir()
    with Store(demo_db, clock=clock) as store:
        station = Station.open(store)
        application = store.one("SELECT uuid FROM applications WHERE status = 'open' ORDER BY rowid LIMIT 1")
        head = store.one("SELECT uuid FROM operators WHERE role = 'head' ORDER BY rowid LIMIT 1")
        lifecycle.pause(station, application, reason=reason, operator=head)
        masked = run_export(station, outbox=tmp_path / "masked", full=True)
        personal = run_export(
            station, outbox=tmp_path / "personal", full=True, include_personal_data=True, operator=head
        )
    for name in ("events.csv", "applications.csv"):
        sent = (masked.folder / name).read_text(encoding="utf-8-sig")
        assert "客户出差，回来后联系139****5678或0371-66****88" in sent, name
        assert "１３９" not in sent and "６６６６８８８８" not in sent, name
        assert reason in (personal.folder / name).read_text(encoding="utf-8-sig"), name
    assert check(demo_db).ok
