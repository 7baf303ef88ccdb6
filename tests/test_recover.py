"""`station-tui recover` and `station-tui restore`: a damaged file is never written; the new database holds every
event of the newest good backup and every event still readable in the file, reports what was lost, and passes check."""

from __future__ import annotations

import json
import random
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from station_tui.cli import main
from station_tui.services import lifecycle
from station_tui.services.demo import fill_demo
from station_tui.services.station import Station
from station_tui.store import Store
from station_tui.store import payloads as ev
from station_tui.store.check import check

BACKUP_NAME = "station.backup-20261122-220000-000000.db"


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def demo_with_later_events(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database, its backup, then 200 more events recorded after the backup (the backup is older)."""
    folder = tmp_path_factory.mktemp("recover")
    path = folder / "station.db"
    with Store(path) as store:
        fill_demo(Station.open(store), 150, seed=9)
    shutil.copy(path, folder / BACKUP_NAME)  # closed: everything is in the file, none in a -wal
    with Store(path) as store:
        for n in range(200):
            store.record(ev.SettingsChanged(settings={"note": f"after the backup {n}"}))
    return path


def _setup(source: Path, tmp_path: Path) -> Path:
    path = tmp_path / "station.db"
    shutil.copy(source, path)
    shutil.copy(source.parent / BACKUP_NAME, tmp_path / BACKUP_NAME)
    return path


def _uuids(path: Path) -> set[str]:
    with sqlite3.connect(path) as conn:
        found = {row[0] for row in conn.execute("SELECT uuid FROM events")}
    conn.close()
    return found


def _readable_one_by_one(path: Path, tmp_path: Path) -> set[str]:
    """The events of a damaged file read row by row, each on its own (a second way than recover's range halving)."""
    copy = tmp_path / "probe" / "copy.db"
    copy.parent.mkdir()
    shutil.copy(path, copy)
    found = set()
    conn = sqlite3.connect(copy)
    top = max(_uuids_count_hint(path), 20000)
    for seq in range(1, top):
        try:
            row = conn.execute("SELECT uuid, payload FROM events WHERE seq = ?", (seq,)).fetchone()
        except (sqlite3.DatabaseError, UnicodeDecodeError):  # the second: an error message quoting the noise
            continue
        if row is not None:
            try:
                json.loads(row[1])
            except (ValueError, TypeError):
                continue
            found.add(row[0])
    conn.close()
    return found


def _uuids_count_hint(path: Path) -> int:
    return path.stat().st_size // 40


def _noise(path: Path, rng: random.Random, places: int) -> None:
    data = bytearray(path.read_bytes())
    for _ in range(places):
        at = rng.randrange(4096, len(data) - 4096)
        data[at : at + 4096] = rng.randbytes(4096)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("seed", range(8))
def test_recover_after_noise_holds_the_backup_and_every_readable_event(
    demo_with_later_events: Path, tmp_path: Path, seed: int
) -> None:
    path = _setup(demo_with_later_events, tmp_path)
    _noise(path, random.Random(seed), places=3)
    damaged = path.read_bytes()
    readable = _readable_one_by_one(path, tmp_path)
    target = tmp_path / "new.db"
    result = CliRunner().invoke(main, ["recover", "--db", str(path), "--to", str(target)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code == 0, result.output
    assert "检查通过" in result.output
    assert path.read_bytes() == damaged
    assert not Path(f"{path}-wal").exists() and not Path(f"{path}-shm").exists()
    recovered = _uuids(target)
    assert _uuids(tmp_path / BACKUP_NAME) <= recovered
    aside = _uuids_in(tmp_path / "new.未能重放的事件.jsonl") | _uuids_in(tmp_path / "new.已乱的事件行.jsonl")
    assert readable - recovered <= aside  # every readable event is in the new file, or kept aside with its reason
    assert check(target).ok


def _uuids_in(lines: Path) -> set[str]:
    if not lines.exists():
        return set()
    return {json.loads(line)["uuid"] for line in lines.read_text("utf-8").splitlines()}


def test_an_event_whose_time_is_garbled_is_kept_aside_as_read(demo_with_later_events: Path, tmp_path: Path) -> None:
    """Noise inside a row's recorded time (bytes that are not UTF-8): the event cannot be replayed (its time is not
    known), but its UUID and payload still read, and are kept for a person, not dropped with the row."""
    path = _setup(demo_with_later_events, tmp_path)
    with sqlite3.connect(path) as conn:
        uuid, payload = conn.execute("SELECT uuid, payload FROM events ORDER BY seq DESC LIMIT 1").fetchone()
        conn.execute("DROP TRIGGER IF EXISTS events_no_update")
        conn.execute("UPDATE events SET recorded_at = CAST(x'323032362dfffe' AS TEXT) WHERE uuid = ?", (uuid,))
    conn.close()
    target = tmp_path / "new.db"
    result = run("recover", "--db", str(path), "--to", str(target))
    assert result.exit_code == 0, result.output
    garbled = tmp_path / "new.已乱的事件行.jsonl"
    assert f"另存在 {garbled}" in result.output
    (row,) = [json.loads(line) for line in garbled.read_text("utf-8").splitlines()]
    assert (row["uuid"], row["payload"]) == (uuid, payload)
    assert row["recorded_at"].startswith("2026-\ufffd")
    assert uuid not in _uuids(target)
    assert check(target).ok


def test_events_lost_in_both_are_reported_with_device_range_times_and_applications(
    demo_with_later_events: Path, tmp_path: Path
) -> None:
    path = _setup(demo_with_later_events, tmp_path)
    # Events lost from the file (as a damaged page loses them) that the older backup does not hold either:
    # 3 application events recorded after the backup.
    with Store(path) as store:
        station = Station.open(store)
        app = store.rows("SELECT uuid, number FROM applications WHERE status = 'open' LIMIT 1")[0]
        head = store.one("SELECT uuid FROM operators WHERE role = 'head'")
        lifecycle.pause(station, app["uuid"], reason="等客户补材料", operator=head)
        lifecycle.resume(station, app["uuid"], operator=head)
        lifecycle.pause(station, app["uuid"], reason="再等", operator=head)
        for n in range(5):
            store.record(ev.SettingsChanged(settings={"note": f"later {n}"}))
        lost = store.rows(
            "SELECT device, device_seq FROM events WHERE application = ? AND seq > (SELECT max(seq) - 8 FROM events)"
            " ORDER BY seq",
            (app["uuid"],),
        )
        assert len(lost) == 3
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER events_no_delete")
        conn.execute("DELETE FROM events WHERE uuid IN (SELECT uuid FROM events ORDER BY seq DESC LIMIT 3 OFFSET 5)")
    conn.close()
    target = tmp_path / "new.db"
    result = run("recover", "--db", str(path), "--to", str(target))
    assert result.exit_code == 0, result.output
    first, last = lost[0]["device_seq"], lost[-1]["device_seq"]
    assert f"设备 {lost[0]['device'][:8]} 序号 {first}–{last}" in result.output
    assert "记录于" in result.output
    assert app["number"] in result.output  # the application whose state in the file shows the lost pause
    assert check(target).ok


def test_a_uuid_with_two_contents_is_not_merged_silently(demo_with_later_events: Path, tmp_path: Path) -> None:
    path = _setup(demo_with_later_events, tmp_path)
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER events_no_update")
        uuid = conn.execute("SELECT uuid FROM events WHERE type = 'station.initialized'").fetchone()[0]
        original = conn.execute("SELECT payload FROM events WHERE uuid = ?", (uuid,)).fetchone()[0]
        conn.execute('UPDATE events SET payload = \'{"settings":{"station_name":"别处"}}\' WHERE uuid = ?', (uuid,))
    conn.close()
    target = tmp_path / "new.db"
    result = run("recover", "--db", str(path), "--to", str(target))
    assert f"事件 {uuid} 在两处内容不同" in result.output
    with sqlite3.connect(target) as conn:
        assert conn.execute("SELECT payload FROM events WHERE uuid = ?", (uuid,)).fetchone()[0] == original
    conn.close()


def test_the_station_keeps_its_device_id(demo_with_later_events: Path, tmp_path: Path) -> None:
    path = _setup(demo_with_later_events, tmp_path)
    _noise(path, random.Random(42), places=2)
    target = tmp_path / "new.db"
    run("recover", "--db", str(path), "--to", str(target))
    with Store(tmp_path / BACKUP_NAME) as backup, Store(target) as new:
        assert new.device_id == backup.device_id


def test_recover_refuses_to_overwrite(demo_with_later_events: Path, tmp_path: Path) -> None:
    path = _setup(demo_with_later_events, tmp_path)
    target = tmp_path / "new.db"
    target.write_bytes(b"something")
    result = CliRunner().invoke(main, ["recover", "--db", str(path), "--to", str(target)])
    assert result.exit_code == 1 and "已存在" in result.output
    assert target.read_bytes() == b"something"


def test_restore_puts_a_backup_in_place_and_keeps_the_current_file(
    demo_with_later_events: Path, tmp_path: Path
) -> None:
    path = _setup(demo_with_later_events, tmp_path)
    _noise(path, random.Random(7), places=2)
    damaged = path.read_bytes()
    result = run("restore", str(tmp_path / BACKUP_NAME), "--db", str(path))
    assert result.exit_code == 0, result.output
    aside = next(tmp_path.glob("station.replaced-*.db"))
    assert aside.read_bytes() == damaged and str(aside) in result.output
    assert _uuids(path) == _uuids(tmp_path / BACKUP_NAME)
    assert run("check", "--db", str(path)).exit_code == 0


def test_restore_refuses_a_damaged_backup_and_moves_nothing(demo_with_later_events: Path, tmp_path: Path) -> None:
    path = _setup(demo_with_later_events, tmp_path)
    bad = tmp_path / "bad-backup.db"
    bad.write_bytes(b"not a database at all" * 300)
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["restore", str(bad), "--db", str(path)])
    assert result.exit_code == 1 and "错误：" in result.output
    assert path.read_bytes() == before and not list(tmp_path.glob("station.replaced-*"))
