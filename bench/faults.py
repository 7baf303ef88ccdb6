"""The fault bench: the same fault figures every turn, printed as one table.

    python bench/faults.py               # full size, by hand (about 10 minutes on a 2-core machine)
    python bench/faults.py --size ci     # the small size tests/test_faults_bench.py runs

Rows: SIGKILL rounds during intake, during export and during recover; 4 KiB of noise at a random place in a demo
database (check, then recover, each trial); the app's writer and an export process together; the clock set back a
day and ten years (an injected clock: faketime is not installed by .ci/run); a full disk (a small tmpfs where the
machine allows mounting, else SQLite's own page limit and an injected ENOSPC for the outbox). Columns: rounds, faults
injected, events lost, check failures, tracebacks. Every figure is counted, none is timed.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import hashlib
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from station_tui.domain.timeutil import system_now  # noqa: E402
from station_tui.services.demo import fill_demo  # noqa: E402
from station_tui.services.station import Station  # noqa: E402
from station_tui.store import Store  # noqa: E402
from station_tui.store import payloads as ev  # noqa: E402
from station_tui.store.check import check  # noqa: E402

SIZES = {
    "ci": {"intake": 3, "export": 3, "recover": 3, "damage": 6, "together": 8.0, "apps": 60},
    "full": {"intake": 40, "export": 40, "recover": 30, "damage": 50, "together": 120.0, "apps": 300},
}
BACKUP = "station.backup-20261122-220000-000000.db"


@dataclass
class Row:
    name: str
    rounds: int = 0
    faults: int = 0
    lost: int = 0
    check_failures: int = 0
    tracebacks: int = 0
    note: str = ""


def _traceback(row: Row, err: str | bytes) -> None:
    """Count a traceback, and keep the first one's last line in the note: a figure without its cause helps nobody."""
    text = err.decode("utf-8", "replace") if isinstance(err, bytes) else err
    if "Traceback" in text:
        row.tracebacks += 1
        if "traceback:" not in row.note:
            row.note += f" traceback: {text.strip().splitlines()[-1][:200]}"


def _cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "station_tui", *args]


def _kill(process: subprocess.Popen) -> None:
    if sys.platform == "win32":
        process.kill()
    else:
        os.kill(process.pid, signal.SIGKILL)
    process.wait()


def _timed(command: list[str]) -> float:
    """Seconds one whole run of the command takes here, the least of three (the first compiles and warms caches):
    to place the kills inside a run, not a figure reported."""
    times = []
    for _ in range(3):
        start = time.monotonic()
        subprocess.run(command, capture_output=True)
        times.append(time.monotonic() - start)
    return min(times)


def _events(path: Path) -> set[str]:
    conn = sqlite3.connect(path)
    try:
        return {row[0] for row in conn.execute("SELECT uuid FROM events")}
    finally:
        conn.close()


def demo(path: Path, applications: int) -> Path:
    with Store(path, clock=system_now) as store:
        fill_demo(Station.open(store), applications, seed=17)
    return path


# --- SIGKILL rounds ---------------------------------------------------------------------------------------------


def intake_worker(db: str) -> None:
    """Accepts applications one by one through the services; after each commit prints how many events are stored."""
    store = Store(Path(db), clock=system_now)
    station = Station.open(store)
    for seed in range(10**6):
        fill_demo(station, 1, seed=seed)
        print(store.one("SELECT count(*) FROM events"), flush=True)


def _worker(db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, str(Path(__file__).resolve()), "--intake-worker", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def intake_kills(folder: Path, rounds: int, rng: random.Random) -> Row:
    row = Row("SIGKILL 受理中", rounds=rounds)
    db = demo(folder / "intake.db", 5)
    for _ in range(rounds):
        process = _worker(db)
        time.sleep(rng.uniform(1.0, 3.0))
        _kill(process)
        row.faults += 1
        out, err = process.communicate()
        committed = [int(line) for line in out.split()]
        stored = len(_events(db))
        row.lost += max(0, (committed[-1] if committed else 0) - stored)
        _traceback(row, err)
        row.check_failures += not check(db).ok
    return row


def _verify_outbox(outbox: Path) -> int:
    """Folders with a manifest that fail `export verify`, and export.done marks without such a folder."""
    from station_tui.services.export.verify import verify_folder

    failures = 0
    for manifest in outbox.rglob("manifest.json"):
        failures += not verify_folder(manifest.parent).ok
    return failures


def export_kills(folder: Path, rounds: int, rng: random.Random, apps: int) -> Row:
    row = Row("SIGKILL 导出中", rounds=rounds)
    db = demo(folder / "export.db", apps)
    outbox = folder / "outbox"
    outbox.mkdir()
    before = _events(db)
    for _ in range(rounds):
        process = subprocess.Popen(
            _cli("export", "--db", str(db), "--to", str(outbox), "--full"),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        time.sleep(rng.uniform(0.3, 2.5))
        if process.poll() is None:
            _kill(process)
            row.faults += 1
        _out, err = process.communicate()
        _traceback(row, err)
        row.check_failures += not check(db).ok
    row.lost = len(before - _events(db))
    row.check_failures += _verify_outbox(outbox)
    conn = sqlite3.connect(db)
    for (payload,) in conn.execute("SELECT payload FROM events WHERE type = 'export.done'"):
        done = Path(json.loads(payload).get("folder", ""))
        row.check_failures += not (done / "manifest.json").exists()
    conn.close()
    return row


def _noise(path: Path, rng: random.Random, places: int = 1) -> None:
    data = bytearray(path.read_bytes())
    for _ in range(places):
        at = rng.randrange(4096, len(data) - 4096)
        data[at : at + 4096] = rng.randbytes(4096)
    path.write_bytes(bytes(data))


def _damaged_pair(source: Path, folder: Path, rng: random.Random) -> Path:
    """A copy of `source` with noise at one random place, and its (older) backup beside it."""
    folder.mkdir(parents=True)
    shutil.copy(source.with_name(BACKUP), folder / BACKUP)
    path = folder / "station.db"
    shutil.copy(source, path)
    _noise(path, rng)
    return path


def _source_with_backup(folder: Path, apps: int) -> Path:
    """A demo database, its backup, then events recorded after the backup (which only the damaged file holds)."""
    path = demo(folder / "station.db", apps)
    shutil.copy(path, folder / BACKUP)
    with Store(path, clock=system_now) as store:
        for n in range(100):
            store.record(ev.SettingsChanged(settings={"note": f"after the backup {n}"}))
    return path


def recover_kills(folder: Path, rounds: int, rng: random.Random, apps: int) -> Row:
    row = Row("SIGKILL 恢复中", rounds=rounds)
    source = _source_with_backup(folder / "source-r", apps)
    whole: float | None = None
    for n in range(rounds):
        path = _damaged_pair(source, folder / f"recover-{n}", rng)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        target = path.with_name("new.db")
        command = _cli("recover", "--db", str(path), "--to", str(target))
        if whole is None:
            whole = _timed([*command[:-1], str(path.with_name("timed.db"))])
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        time.sleep(rng.uniform(0.05, 0.95) * whole)
        if process.poll() is None:
            _kill(process)
            row.faults += 1
        _out, err = process.communicate()
        _traceback(row, err)
        row.lost += hashlib.sha256(path.read_bytes()).hexdigest() != digest  # the damaged file must not change
        if target.exists():
            row.check_failures += not check(target).ok
            continue
        again = subprocess.run(_cli("recover", "--db", str(path), "--to", str(target)), capture_output=True)
        _traceback(row, again.stderr)
        row.check_failures += again.returncode != 0 or not check(target).ok
    return row


# --- damage -----------------------------------------------------------------------------------------------------


def readable_one_by_one(path: Path) -> set[str]:
    """Every event of a damaged file that SQLite gives when asked for it alone (a second reading than recover's)."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "copy.db"
        shutil.copy(path, copy)
        conn = sqlite3.connect(copy)
        found: set[str] = set()
        for seq in range(1, path.stat().st_size // 40):
            with contextlib.suppress(sqlite3.DatabaseError):
                row = conn.execute("SELECT uuid, payload FROM events WHERE seq = ?", (seq,)).fetchone()
                if row is not None and isinstance(json.loads(row[1]), dict):
                    found.add(row[0])
        conn.close()
    return found


def damage(folder: Path, trials: int, rng: random.Random, apps: int) -> Row:
    from click.testing import CliRunner

    from station_tui.cli import main

    row = Row("随机位置 4 KiB 噪声", rounds=trials)
    source = _source_with_backup(folder / "source-d", apps)
    damaged_checks = 0
    for n in range(trials):
        path = _damaged_pair(source, folder / f"damage-{n}", rng)
        row.faults += 1
        answer = CliRunner().invoke(main, ["check", "--db", str(path)])
        row.tracebacks += answer.exception is not None and not isinstance(answer.exception, SystemExit)
        damaged_checks += answer.exit_code == 1
        wanted = _events(path.with_name(BACKUP)) | readable_one_by_one(path)
        target = path.with_name("new.db")
        result = CliRunner().invoke(main, ["recover", "--db", str(path), "--to", str(target)])
        row.tracebacks += result.exception is not None and not isinstance(result.exception, SystemExit)
        if not target.exists():
            row.check_failures += 1
            row.lost += len(wanted)
            continue
        aside = path.with_name("new.未能重放的事件.jsonl")
        put_aside = {json.loads(x)["uuid"] for x in aside.read_text("utf-8").splitlines()} if aside.exists() else set()
        row.lost += len(wanted - _events(target) - put_aside)
        row.check_failures += not check(target).ok
    row.note = f"check 判为损坏 {damaged_checks}/{trials}"
    return row


# --- the app and an export together -----------------------------------------------------------------------------


def together(folder: Path, seconds: float, apps: int) -> Row:
    row = Row("界面写入 + 导出进程同时")
    db = demo(folder / "together.db", apps)
    outbox = folder / "outbox-t"
    outbox.mkdir()
    writer = _worker(db)
    locked = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        export = subprocess.run(_cli("export", "--db", str(db), "--to", str(outbox)), capture_output=True)
        row.rounds += 1
        locked += b"database is locked" in export.stderr
        _traceback(row, export.stderr)
    writer.send_signal(signal.SIGTERM) if sys.platform != "win32" else writer.kill()
    out, err = writer.communicate()
    locked += "database is locked" in err
    _traceback(row, err)
    committed = [int(line) for line in out.split()]
    row.lost = max(0, (committed[-1] if committed else 0) - len(_events(db)))
    row.check_failures = (not check(db).ok) + _verify_outbox(outbox)
    row.note = f"database is locked {locked} 次"
    return row


# --- the clock --------------------------------------------------------------------------------------------------


def clock_back(folder: Path) -> Row:
    from station_tui.services.export import run_export
    from station_tui.store.errors import ClockBehindError

    row = Row("时钟回拨 1 天 / 10 年")
    for name, ahead in (("1d", timedelta(days=1)), ("10y", timedelta(days=3653))):
        db = demo(folder / f"clock-{name}.db", 5)
        with Store(db, clock=lambda ahead=ahead: system_now() + ahead) as store:
            store.record(ev.SettingsChanged(settings={"note": "recorded while the clock read ahead"}))
        outbox = folder / f"outbox-{name}"
        outbox.mkdir()
        before = _events(db)
        with Store(db, clock=system_now) as store:
            station = Station.open(store)
            attempts = (
                lambda station=station, outbox=outbox: run_export(station, outbox=outbox),
                lambda store=store: store.record(ev.SettingsChanged(settings={"note": "behind"})),
            )
            for attempt in attempts:
                row.rounds += 1
                row.faults += 1
                with contextlib.suppress(ClockBehindError):
                    attempt()
                    row.check_failures += 1  # recorded or exported although the clock reads behind
        row.check_failures += any(outbox.iterdir()) + (_events(db) != before) + (not check(db).ok)
    return row


# --- a full disk ------------------------------------------------------------------------------------------------


@contextlib.contextmanager
def small_disk(folder: Path, megabytes: int):  # noqa: ANN201
    """A tmpfs of this size mounted at `folder`, or None where the machine does not allow mounting."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = False
    if sys.platform.startswith("linux") and shutil.which("mount"):
        done = subprocess.run(
            ["mount", "-t", "tmpfs", "-o", f"size={megabytes}m", "tmpfs", str(folder)], capture_output=True
        )
        mounted = done.returncode == 0
    try:
        yield folder if mounted else None
    finally:
        if mounted:
            subprocess.run(["umount", str(folder)], capture_output=True)


def full_disk(folder: Path, apps: int) -> Row:
    from station_tui.services.export import run_export
    from station_tui.services.export.files import ExportError

    row = Row("磁盘已满")
    source = demo(folder / "full-source.db", apps)
    with small_disk(folder / "tmpfs", max(1, source.stat().st_size // 2**20 + 1)) as disk:
        db = (disk or folder) / "station.db"
        shutil.copy(source, db)
        row.note = "tmpfs" if disk else "SQLite max_page_count + 注入 ENOSPC"
        store = Store(db, clock=system_now)
        if disk is None:
            store.conn.execute(f"PRAGMA max_page_count = {db.stat().st_size // 4096 + 8}")
        recorded: set[str] = set()
        for n in range(100_000):
            row.rounds += 1
            try:
                recorded.add(store.record(ev.SettingsChanged(settings={"note": "满" * 500, "n": n})).uuid)
            except sqlite3.Error as exc:
                row.faults += 1
                row.note += f"；写满时：{exc}"
                break
        store.close()
        row.lost = len(recorded - _events(db))
        row.check_failures += not check(db).ok
    # The outbox full: on a full tmpfs when mounted, else an injected ENOSPC between files.
    with small_disk(folder / "usb", 1) as usb:
        store = Store(source, clock=system_now)
        station = Station.open(store)
        outbox = usb or folder / "usb"
        if usb is not None:
            (usb / "filler").write_bytes(b"\0" * (1024 * 1024 - 64 * 1024))
        before = _events(source)

        def no_space(_name: str) -> None:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        row.rounds += 1
        row.faults += 1
        try:
            run_export(station, outbox=outbox, full=True, _between_files=None if usb else no_space)
            row.check_failures += usb is not None  # the export cannot fit on a full stick
        except ExportError:
            pass
        store.close()
        row.check_failures += _verify_outbox(outbox) + (not check(source).ok)
        row.lost += len(before - _events(source))
    return row


# --- the table --------------------------------------------------------------------------------------------------


def run(size: str, seed: int = 2026, folder: Path | None = None) -> list[Row]:
    config = SIZES[size]
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="station-faults-", dir=folder) as scratch:
        base = Path(scratch)
        for name in "iercdtf":
            (base / name).mkdir()
        return [
            intake_kills(base / "i", config["intake"], rng),
            export_kills(base / "e", config["export"], rng, config["apps"]),
            recover_kills(base / "r", config["recover"], rng, config["apps"]),
            damage(base / "d", config["damage"], rng, config["apps"]),
            together(base / "t", config["together"], config["apps"]),
            clock_back(base / "c"),
            full_disk(base / "f", config["apps"]),
        ]


def table(rows: list[Row]) -> str:
    lines = [
        "| 故障 | 轮数 | 注入故障 | 丢失事件 | check 失败 | traceback | 备注 |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.name} | {r.rounds} | {r.faults} | {r.lost} | {r.check_failures} | {r.tracebacks} | {r.note} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", choices=sorted(SIZES), default="full")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--intake-worker", metavar="DB", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.intake_worker:
        intake_worker(args.intake_worker)
        return
    print(table(run(args.size, args.seed)))


if __name__ == "__main__":
    main()
