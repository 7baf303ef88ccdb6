"""Real processes: an export killed with SIGKILL at random moments, and an export process running beside the app's
store for a few hundred rounds. Whatever happens, the mark moves only with a complete folder, and nothing is lost."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from station_tui.domain.timeutil import system_now
from station_tui.services.export import MANIFEST, last_mark
from station_tui.services.export.verify import verify_folder
from station_tui.services.setup import initialize
from station_tui.services.station import Station
from station_tui.store import Store
from station_tui.store.check import check

pytestmark = pytest.mark.slow

KILLS = 25
MAX_ROUNDS = 20_000


def _station(path: Path, applications: int) -> None:
    """A station whose history is demo data (simulated times), recorded now with the real clock, as the CLI does."""
    from station_tui.services.demo import fill_demo

    store = Store(path, clock=system_now)
    fill_demo(Station.open(store), applications, seed=11)
    store.close()


def _export_process(db: Path, outbox: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "station_tui", "export", "--db", str(db), "--to", str(outbox)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _done_events(db: Path) -> list[dict]:
    store = Store(db)
    try:
        rows = store.rows("SELECT payload FROM events WHERE type = 'export.done' ORDER BY seq")
        return [json.loads(r["payload"]) for r in rows]
    finally:
        store.close()


@pytest.mark.skipif(os.name == "nt", reason="SIGKILL is POSIX")
def test_an_export_killed_at_random_moments_never_moves_the_mark_without_a_complete_folder(tmp_path: Path) -> None:
    db = tmp_path / "station.db"
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    _station(db, 800)
    began = time.perf_counter()
    first = _export_process(db, outbox)
    assert first.wait() == 0, first.stderr.read().decode() if first.stderr else ""
    one_run = time.perf_counter() - began
    rng = random.Random(7)
    killed_before_done = 0
    rounds = 0
    # At least KILLS rounds, and on until a third of KILLS landed during an export: counted, so a slow or a fast
    # machine gets the same test. The cap only stops a machine on which no kill ever lands mid-run.
    while (rounds < KILLS or killed_before_done < KILLS // 3) and rounds < 4 * KILLS:
        rounds += 1
        before = _done_events(db)
        process = _export_process(db, outbox)
        time.sleep(rng.uniform(0.0, one_run * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        after = _done_events(db)
        if len(after) == len(before):
            killed_before_done += 1
        else:  # it finished before the kill: its folder is complete
            assert len(after) == len(before) + 1
            assert verify_folder(Path(after[-1]["folder"])).ok
    # Every folder with a manifest is whole; those without are incomplete by definition, never read.
    for folder in (outbox / "DEMO").iterdir():
        if (folder / MANIFEST).exists():
            assert verify_folder(folder).ok, folder
    assert killed_before_done >= KILLS // 3, "the kills should mostly land during the export"
    # The next run resends everything after the mark, and the recorded ranges join without a gap.
    last = _export_process(db, outbox)
    assert last.wait() == 0
    done = _done_events(db)
    for previous, current in zip(done, done[1:], strict=False):
        assert current["first_seq"] == previous["last_seq"] + 1
    store = Store(db)
    try:
        assert last_mark(store.conn, store.device_id) == done[-1]["last_seq"]
        # Nothing wrote after the last run but its own receipt.
        assert done[-1]["last_seq"] == store.one("SELECT max(seq) FROM events") - 1
    finally:
        store.close()
    assert check(db).ok


EXPORTER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from station_tui.store import Store
    from station_tui.services.station import Station
    from station_tui.services.export import run_export

    db, outbox, stop, count = (Path(a) for a in sys.argv[1:5])
    station = Station.open(Store(db))
    runs = 0
    while not stop.exists():
        run_export(station, outbox=outbox)
        runs += 1
        count.with_suffix(".tmp").write_text(str(runs), encoding="utf-8")
        count.with_suffix(".tmp").replace(count)
    run_export(station, outbox=outbox)
    print(runs + 1)
    """
)


def test_the_app_and_an_export_process_together_lose_nothing_and_never_lock(tmp_path: Path) -> None:
    from test_export import accept_one

    from station_tui.services.lifecycle import pause

    db = tmp_path / "station.db"
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    stop = tmp_path / "stop"
    store = Store(db, clock=system_now)
    station = Station.open(store)
    station.head_id = initialize(  # type: ignore[attr-defined]
        station,
        station_name="城关供电所",
        station_code="ZX01",
        profile_id="zhuxian-2020",
        head_name="王站长",
        head_phone="13800000001",
        head_pin="1234",
    )
    count = tmp_path / "runs"
    exporter = subprocess.Popen(
        [sys.executable, "-c", EXPORTER, str(db), str(outbox), str(stop), str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def exports_done() -> int:
        return int(count.read_text(encoding="utf-8")) if count.exists() else 0

    # The clerk's work, one change per round, until at least 300 rounds and 3 whole exports have run beside it: the
    # overlap is counted, not assumed from the machine's speed. The cap only stops a hung exporter.
    rounds = 0
    try:
        at_start = exports_done()
        while (rounds < 300 or exports_done() - at_start < 3) and rounds < MAX_ROUNDS:
            app = accept_one(station, customer_name=f"客户{rounds}")
            if rounds % 2:
                pause(station, app, reason="等客户资料", operator=station.head_id)  # type: ignore[attr-defined]
            rounds += 1
        overlapped = exports_done() - at_start
    finally:
        stop.touch()
        out, err = exporter.communicate(timeout=600)
    assert exporter.returncode == 0, err
    assert "locked" not in err
    assert overlapped >= 3, f"only {overlapped} exports finished during {rounds} rounds of the clerk's work"
    runs = int(out.strip())
    exported: list[str] = []
    done = [json.loads(r["payload"]) for r in store.rows("SELECT payload FROM events WHERE type = 'export.done'")]
    assert len(done) == runs, "every run the exporter counted left its receipt"
    for previous, current in zip(done, done[1:], strict=False):
        assert current["first_seq"] == previous["last_seq"] + 1
    import csv

    for receipt in done:
        with open(Path(receipt["folder"]) / "events.csv", encoding="utf-8-sig", newline="") as f:
            exported += [row["事件ID"] for row in csv.DictReader(f)]
    expected = [r["uuid"] for r in store.rows("SELECT uuid FROM events WHERE type != 'export.done' ORDER BY seq")]
    assert exported == expected, "every event exported exactly once, in order"
    store.close()
