"""How the county loads, beyond what it loads (tests/test_county.py): a load killed half-way through a folder (a real
process, killed for real) leaves nothing of that folder, the next run loads it whole, and the county then holds what
a load that never crashed holds; on SQLite and on PostgreSQL, for a station's first load (COPY straight into the
tables on PostgreSQL) and for a resend that overlaps. On PostgreSQL, stations loaded side by side (--jobs) give what
one at a time gives."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from station_tui.county import prepare
from station_tui.county.load import Gap, load_folders
from station_tui.county.target import open_target
from tests.county_helpers import Stations, stations, target  # noqa: F401 - fixtures

TABLES = ("events", "applications", "documents", "stages", "notices", "pauses", "outcomes", "loads")

# The child loads the folders; once the last folder's events and snapshot rows are written (not yet committed) it
# says so and waits to be killed.
CHILD = """
import sys, time
from pathlib import Path
import station_tui.county.load as loader
from station_tui.county.target import open_target

marker, url, crash_in = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
folders = [Path(p) for p in sys.argv[4:] if p != "with workers"]
write_snapshot = loader._apply_snapshot

def then_wait(target, folder, manifest, station):
    applied = write_snapshot(target, folder, manifest, station)
    if str(folder) == crash_in:
        marker.write_text("written", encoding="utf-8")
        time.sleep(600)
    return applied

loader._apply_snapshot = then_wait
loader.load_folders(open_target(url), folders, workers=2 if "with workers" in sys.argv else 0)
"""


def counts(url: str) -> dict[str, int]:
    db = open_target(url)
    try:
        return {t: db.query(f"SELECT count(*) FROM {t}")[0][0] for t in TABLES}
    finally:
        db.close()


def load(url: str, folders: list[Path], jobs: int = 1) -> list[str]:
    return [f.status for f in load_report(url, folders, jobs).folders]


def load_report(url: str, folders: list[Path], jobs: int = 1):  # noqa: ANN201
    db = open_target(url)
    try:
        return load_folders(db, folders, jobs=jobs)
    finally:
        db.close()


def crash_while_loading(url: str, folders: list[Path], crash_in: Path, tmp_path: Path, workers: bool = False) -> None:
    marker = tmp_path / "written"
    args = [sys.executable, "-c", CHILD, str(marker), url, str(crash_in), *map(str, folders)]
    args += ["with workers"] if workers else []
    # The killed load's scratch folder (its workers' files) stays in the test's own temporary folder.
    temporary = tmp_path / "temporary"
    temporary.mkdir()
    env = {**os.environ, "TMPDIR": str(temporary), "TEMP": str(temporary), "TMP": str(temporary)}
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert child.poll() is None, child.stderr.read().decode() if child.stderr else ""
            assert time.monotonic() < deadline, "the child never reached the folder"
            time.sleep(0.05)
    finally:
        child.kill()
        child.wait()
        if child.stderr:
            child.stderr.close()


@pytest.mark.parametrize("case", ["first load", "overlapping resend", "read by workers"])
def test_a_load_killed_half_way_leaves_nothing_of_its_folder(
    stations: Stations, target: str, tmp_path: Path, case: str
) -> None:
    also = []
    if case == "first load":  # C3's only folder, nothing of C3 loaded before it
        before, crashed = [stations.nights[0]], stations.others[1]
    elif case == "overlapping resend":  # the full resend, over two nights already loaded
        before, crashed = stations.nights[:2], stations.nights[3]
    else:  # SQLite: B2's and C3's first folders read by worker processes, the load killed in C3's
        if not target.endswith(".db"):
            pytest.skip("worker processes read the folders for SQLite only")
        before, also, crashed = [stations.nights[0]], [stations.others[0]], stations.others[1]
    assert load(target, before) == ["loaded"] * len(before)
    loaded = counts(target)
    crash_while_loading(target, [*before, *also, crashed], crashed, tmp_path, workers=bool(also))
    if also:  # the folders before the killed one are in, as a load of them alone gives
        until = str(tmp_path / "until.db")
        load(until, [*before, *also])
        loaded = counts(until)
    assert counts(target) == loaded  # not a row of the killed folder's, in any table

    everything = [*before, *also, crashed]
    assert load(target, everything) == ["already"] * (len(before) + len(also)) + ["loaded"]
    clean = str(tmp_path / "clean.db")
    assert load(clean, everything) == ["loaded"] * len(everything)
    after = counts(target)
    assert after == counts(clean)
    assert after["events"] > loaded["events"]
    assert load(target, everything) == ["already"] * len(everything)
    assert counts(target) == after


def test_stations_loaded_side_by_side_hold_what_one_at_a_time_holds(
    stations: Stations, target: str, tmp_path: Path
) -> None:
    if not target.startswith("postgresql"):
        pytest.skip("SQLite 同一时间只有一个写入者：--jobs 只用于 PostgreSQL")
    tampered = stations.copy(stations.others[0], tmp_path / "in")
    data = (tampered / "stages.csv").read_bytes()
    # One byte changed near the end (always a change, whatever the last row holds): its hash no longer matches.
    (tampered / "stages.csv").write_bytes(data[:-2] + bytes([data[-2] ^ 1]) + data[-1:])
    # 0371's first and third nights (the second missing: a gap), C3, and B2 tampered.
    folders = [stations.nights[0], stations.nights[2], stations.others[1], tampered]
    report = load_report(target, folders, jobs=3)
    clean = str(tmp_path / "clean.db")
    alone = load_report(clean, folders)
    assert [(f.folder, f.status, f.new_events) for f in report.folders] == [
        (f.folder, f.status, f.new_events) for f in alone.folders
    ]
    assert {f.folder: f.status for f in report.folders} == dict.fromkeys(folders[:3], "loaded") | {tampered: "refused"}
    assert report.gaps == alone.gaps and [type(g) for g in report.gaps] == [Gap]
    assert counts(target) == counts(clean)
    # Then the full resend (overlapping both nights, filling the gap) and B2 untampered, side by side again.
    more = [*folders[:3], stations.nights[3], stations.others[0]]
    again = load_report(target, more, jobs=3)
    assert {f.folder: f.status for f in again.folders} == dict.fromkeys(folders[:3], "already") | dict.fromkeys(
        more[3:], "loaded"
    )
    assert again.gaps == load_report(clean, more).gaps == []
    assert counts(target) == counts(clean)


def test_the_guards_come_off_the_bytes_only_where_a_cell_begins() -> None:
    # What COPY straight into the tables reads (PostgreSQL's first load); unguard_sql does the same cell by cell.
    from station_tui.county.target import unguard_bytes

    line = '"\t0371","\'=SUM(A1)","\'引号","a,""\'=b","x,""\tc","多行\r\n""\t1"\r\n"\'-5",1\r\n'.encode()
    assert (
        unguard_bytes(line).decode() == '"0371","=SUM(A1)","\'引号","a,""\'=b","x,""\tc","多行\r\n""\t1"\r\n"-5",1\r\n'
    )


COUNTY_TABLES = (
    *TABLES[:-1],
    "snapshot_applications",
    "application_facts",
    "stations",
    "station_schedules",
)


def everything_in(url: str) -> dict[str, list[tuple]]:
    """Every row of the county's tables (the loads and refusals without the times they happened)."""
    db = open_target(url)
    try:
        found = {t: db.query(f"SELECT * FROM {t} ORDER BY 1, 2") for t in COUNTY_TABLES}
        found["loads"] = db.query(
            "SELECT station, export, folder, first_seq, last_seq, new_events FROM loads ORDER BY 1, 2"
        )
        found["refusals"] = db.query("SELECT folder, station, reason FROM refusals ORDER BY 1")
        return found
    finally:
        db.close()


def load_with_workers(url: str, folders: list[Path], workers: int) -> dict[Path, str]:
    db = open_target(url)
    try:
        return {f.folder: f.status for f in load_folders(db, folders, workers=workers).folders}
    finally:
        db.close()


def _tampered_and_all(stations: Stations, tmp_path: Path) -> list[Path]:
    """0371's four folders, B2's tampered and C3's, in a folder named in Chinese (as a county's inbox may be)."""
    inbox = tmp_path / "县公司收件箱"
    folders = [stations.copy(folder, inbox) for folder in (*stations.nights, stations.others[0], stations.others[1])]
    tampered = folders[4]
    data = (tampered / "events.csv").read_bytes()
    (tampered / "events.csv").write_bytes(data[:-2] + bytes([data[-2] ^ 1]) + data[-1:])
    return folders


def test_folders_read_by_worker_processes_load_as_the_loader_reads_them(
    stations: Stations, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders = _tampered_and_all(stations, tmp_path)
    taken = []
    take = prepare.Preparer.take

    def counted(self: prepare.Preparer, folder: Path) -> prepare.Prepared | None:
        taken.append(got := take(self, folder))
        return got

    monkeypatch.setattr(prepare.Preparer, "take", counted)
    statuses = dict.fromkeys(folders, "loaded") | {folders[4]: "refused"}
    assert load_with_workers(str(tmp_path / "workers.db"), folders, workers=2) == statuses
    # Every folder was read by a worker but the tampered one, which the loader refused with its reasons.
    assert sum(got is not None for got in taken) == 5 and len(taken) == 6
    assert load_with_workers(str(tmp_path / "alone.db"), folders, workers=0) == statuses
    assert len(taken) == 6  # no worker the second time
    workers, alone = everything_in(str(tmp_path / "workers.db")), everything_in(str(tmp_path / "alone.db"))
    assert workers["events"] and workers["application_facts"] and workers["refusals"]
    assert workers == alone


def test_workers_gone_mid_load_leave_the_folders_to_the_loader(
    stations: Stations, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folders = _tampered_and_all(stations, tmp_path)
    take = prepare.Preparer.take
    read_by_workers = []

    def killing(self: prepare.Preparer, folder: Path) -> prepare.Prepared | None:
        if len(read_by_workers) == 2:  # two folders in: every worker is killed (as out of memory would)
            for worker in self._workers:
                worker.process.kill()
                worker.process.wait()
        read_by_workers.append(got := take(self, folder))
        return got

    monkeypatch.setattr(prepare.Preparer, "take", killing)
    statuses = dict.fromkeys(folders, "loaded") | {folders[4]: "refused"}
    assert load_with_workers(str(tmp_path / "workers.db"), folders, workers=2) == statuses
    assert [got is not None for got in read_by_workers][:2] == [True, True]
    # Folders read before the kill are used; the last, asked for after it, the loader read itself.
    assert len(read_by_workers) == 6 and read_by_workers[-1] is None
    assert load_with_workers(str(tmp_path / "alone.db"), folders, workers=0) == statuses
    assert everything_in(str(tmp_path / "workers.db")) == everything_in(str(tmp_path / "alone.db"))


def test_a_killed_loads_scratch_folder_is_removed_a_day_later(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prepare.tempfile, "tempdir", str(tmp_path))
    stale, recent = tmp_path / f"{prepare.SCRATCH_PREFIX}old", tmp_path / f"{prepare.SCRATCH_PREFIX}new"
    for folder in (stale, recent):
        folder.mkdir()
        (folder / "0.db").write_bytes(b"rows read before the kill")
    day_ago = time.time() - prepare.STALE_SECONDS - 60
    os.utime(stale, (day_ago, day_ago))
    with prepare.Preparer([], 0):
        pass
    assert not stale.exists()
    assert (recent / "0.db").exists()  # perhaps another load's, running now
    assert [p.name for p in tmp_path.iterdir()] == [recent.name]  # and this one's own is gone
