"""The --full export of a database with at least 1,000,000 events, as whole processes, beside two anchors writing the
same five tables (applications, documents, stages, notices, events) as CSV in the same run:

* the sqlite3 shell (`sqlite3 -csv -header`): target, the export takes at most 2x its time;
* `sqlite-utils rows ... --csv`, one process per table: target, the export is faster;
* the export's peak memory (its own resident set, VmHWM, see bench/peak_memory.py): target under 100 MB.

The full run uses bench/work/demo-250000.db (250,000 demo applications, about 1.09 million events; built with
`station-tui demo --applications 250000` when missing). It exports from a copy, so the cached database is never
written. quick=True uses the database it is given and one run of each.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
BIG_APPLICATIONS = 250_000
MIN_EVENTS = 1_000_000
TABLES = ("applications", "documents", "stages", "notices", "events")


def _run(args: list[str], stdout=subprocess.DEVNULL) -> tuple[float, int | None]:  # noqa: ANN001
    """Wall time of a whole process and its peak resident set in MB (None where the OS does not say)."""
    began = time.perf_counter()
    process = subprocess.Popen(args, stdout=stdout, stderr=subprocess.PIPE)
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        # Linux reports kilobytes, macOS bytes.
        peak = usage.ru_maxrss // (1 << 20 if sys.platform == "darwin" else 1 << 10)
    else:
        process.wait()
        elapsed, peak = time.perf_counter() - began, None
    if process.returncode != 0:
        err = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
        raise RuntimeError(f"{args[:3]} failed: {err}")
    return elapsed, peak


def _ours(db: Path, out: Path) -> tuple[float, int | None]:
    """Wall time and the export's own peak memory (see bench/peak_memory.py for why not ru_maxrss)."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    report = out.parent / "peak.txt"
    elapsed, _inherited = _run(
        [
            sys.executable,
            str(HERE / "peak_memory.py"),
            str(report),
            "export",
            "--db",
            str(db),
            "--to",
            str(out),
            "--full",
        ]
    )
    text = report.read_text(encoding="utf-8").strip()
    return elapsed, int(text) if text else None


def _shell(shell: str, db: Path, out: Path) -> float:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    script = "".join(f".output {(out / f'{t}.csv').as_posix()}\nSELECT * FROM {t};\n" for t in TABLES)
    began = time.perf_counter()
    subprocess.run([shell, "-csv", "-header", str(db)], input=script.encode(), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - began


def _sqlite_utils(db: Path, out: Path) -> float:
    tool = shutil.which("sqlite-utils") or str(Path(sys.executable).parent / "sqlite-utils")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    total = 0.0
    for table in TABLES:
        with open(out / f"{table}.csv", "wb") as f:
            total += _run([tool, "rows", str(db), table, "--csv"], stdout=f)[0]
    return total


def _database(db: Path, quick: bool) -> Path:
    if quick:
        return db
    from bench.run import demo_database

    return demo_database(BIG_APPLICATIONS, HERE / "work")[0]


def figures(db: Path, quick: bool) -> list[str]:
    source = _database(db, quick)
    runs = 1 if quick else 3
    with tempfile.TemporaryDirectory(dir=HERE / "work" if not quick else None) as tmp:
        work = Path(tmp)
        copy = work / "export-copy.db"
        shutil.copyfile(source, copy)  # the export records export.done: never in the cached database
        with sqlite3.connect(copy) as conn:
            events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
        shell = shutil.which("sqlite3")
        if shell:
            _shell(shell, copy, work / "warm")  # one untimed pass, so that neither side pays for a cold cache alone
        ours, shells, peaks = [], [], []
        for _ in range(runs):  # interleaved
            elapsed, peak = _ours(copy, work / "ours")
            ours.append(elapsed)
            peaks.append(peak)
            if shell:
                shells.append(_shell(shell, copy, work / "shell"))
        utils = _sqlite_utils(copy, work / "utils")
    ours_median = statistics.median(ours)
    size = f"{events:,} events" + ("" if quick or events >= MIN_EVENTS else f" (fewer than {MIN_EVENTS:,}!)")
    lines = []
    if shell:
        anchor = statistics.median(shells)
        lines.append(
            f"export --full ({size}): station-tui {ours_median:.2f} s, sqlite3 -csv -header {anchor:.2f} s,"
            f" ratio {ours_median / anchor:.2f}x (target <= 2x)"
        )
    else:
        lines.append("export vs sqlite3 shell: skipped, the sqlite3 shell is not installed (apt-get install sqlite3)")
    lines.append(
        f"export --full ({size}): station-tui {ours_median:.2f} s, sqlite-utils rows --csv {utils:.2f} s"
        f" (1 run), ratio {ours_median / utils:.2f}x (target: faster, < 1x)"
    )
    peak = max((p for p in peaks if p is not None), default=None)
    lines.append(
        f"export --full peak memory: {peak} MB (target < 100 MB)"
        if peak is not None
        else "export peak memory: n/a here"
    )
    return lines
