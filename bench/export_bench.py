"""The --full export as whole processes at two sizes, beside anchors writing the same five tables (applications,
documents, stages, notices, events) as CSV files in the same run:

* the sqlite3 shell (`sqlite3 -csv -header`): target, the export takes at most 2x its time at both sizes;
* the shell's CSV files + `PRAGMA quick_check` + `.backup`: what every export also does (issue 13), for comparison;
* `sqlite-utils rows ... --csv`, one process per table (the large size only): target, the export is faster;
* the export's peak memory: its own process (VmHWM, see bench/peak_memory.py), and with its worker processes
  (sampled): target under 100 MB.

Sizes: bench/work/demo-100000.db (508,457 events) and bench/work/demo-250000.db (1,269,595), built with
`station-tui demo --applications N` when missing. Each exports from a copy, so the cached database is never
written. The export and the shells run interleaved, each taking the first turn in every other round, after one
untimed pass of the shell; every timed run starts alike (bench/settle.py: earlier writes flushed, the page cache
emptied where allowed, the database read back into it). Medians; the CPU time (user + system, worker processes included) of
each side is given too, as a machine shared with other work makes wall times of two processes and one differ.
quick=True uses the database it is given and one run of each.
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
SIZES = (100_000, 250_000)  # demo applications: about 437,000 and 1,090,000 events
RUNS = 3
TABLES = ("applications", "documents", "stages", "notices", "events")


def _run(args: list[str], stdin=None, stdout=subprocess.DEVNULL, tree=None) -> tuple[float, float | None]:  # noqa: ANN001
    """Wall time of a whole process and its CPU time, user + system, its children's included (None where the OS
    does not say). `tree`: a list that gets the memory the process and its children allocate (MB, or None)."""
    from bench.peak_memory import TreeSampler

    began = time.perf_counter()
    process = subprocess.Popen(args, stdin=stdin, stdout=stdout, stderr=subprocess.PIPE)
    sampler = TreeSampler(process.pid) if tree is not None else None
    if hasattr(os, "wait4"):
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - began
        process.returncode = os.waitstatus_to_exitcode(status)
        cpu = usage.ru_utime + usage.ru_stime
    else:
        process.wait()
        elapsed, cpu = time.perf_counter() - began, None
    if sampler is not None:
        tree.append(sampler.stop())
    if process.returncode != 0:
        err = process.stderr.read().decode("utf-8", "replace") if process.stderr else ""
        raise RuntimeError(f"{args[:3]} failed: {err}")
    return elapsed, cpu


def _fresh(out: Path, db: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    from bench.settle import settle

    settle([db, Path(f"{db}-wal")])


def _ours(db: Path, out: Path) -> tuple[float, float | None, tuple[int | None, int | None]]:
    """Wall time, CPU time and peak memory: the export process's own (see bench/peak_memory.py for why not
    ru_maxrss), and that of the export with its worker processes (sampled)."""
    _fresh(out, db)
    report = out.parent / "peak.txt"
    args = [sys.executable, str(HERE / "peak_memory.py"), str(report), "export", "--db", str(db), "--to", str(out)]
    tree: list[int | None] = []
    elapsed, cpu = _run([*args, "--full"], tree=tree)
    text = report.read_text(encoding="utf-8").strip()
    return elapsed, cpu, (int(text) if text else None, tree[0])


def _columns(db: Path, table: str) -> str:
    """Every column of the table but the export forms kept with each event (schema 7): the shell writes what it
    wrote before them, and the export does not write them either."""
    with sqlite3.connect(db) as conn:
        names = [row[1] for row in conn.execute(f"PRAGMA table_info({table})")]
    conn.close()
    return ", ".join(name for name in names if not name.startswith("export_"))


def _shell(shell: str, db: Path, out: Path, safety: bool = False) -> tuple[float, float | None]:
    """The five tables as CSV files; with `safety`, also what every export does besides (store/backup.py): the
    database checked (PRAGMA quick_check) and backed up (.backup, SQLite's backup API, as the export's)."""
    _fresh(out, db)
    script = out.parent / "shell.sql"
    lines = [f".output {(out / f'{t}.csv').as_posix()}\nSELECT {_columns(db, t)} FROM {t};\n" for t in TABLES]
    if safety:
        lines.append(f".output {(out / 'check.txt').as_posix()}\nPRAGMA quick_check;\n")
        lines.append(f".backup {(out / 'backup.db').as_posix()}\n")
    script.write_text("".join(lines))
    with open(script, "rb") as stdin:
        return _run([shell, "-csv", "-header", str(db)], stdin=stdin)


def _sqlite_utils(db: Path, out: Path) -> float:
    tool = shutil.which("sqlite-utils") or str(Path(sys.executable).parent / "sqlite-utils")
    _fresh(out, db)
    total = 0.0
    for table in TABLES:
        with open(out / f"{table}.csv", "wb") as f:
            total += _run([tool, "rows", str(db), table, "--csv"], stdout=f)[0]
    return total


def _cpu(ours: list[float | None], anchor: list[float | None]) -> str:
    mine, theirs = [v for v in ours if v is not None], [v for v in anchor if v is not None]
    if not mine or not theirs:
        return "CPU time n/a here"
    a, b = statistics.median(mine), statistics.median(theirs)
    return f"CPU time {a:.2f} s vs {b:.2f} s, ratio {a / b:.2f}x"


def _measure(source: Path, runs: int, with_utils: bool, work: Path) -> tuple[list[str], int | None]:
    copy = work / "export-copy.db"
    shutil.copyfile(source, copy)  # the export records export.done: never in the cached database
    # A cached database from an older build migrates on its first opening: here, outside every timing.
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from station_tui.store import Store; Store(sys.argv[1]).close()",
            str(copy),
        ],
        check=True,
    )
    with sqlite3.connect(copy) as conn:
        events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    shell = shutil.which("sqlite3")
    if shell:
        _shell(shell, copy, work / "warm")  # one untimed pass, so that neither side pays for a cold cache alone
    ours, ours_cpu, shells, shells_cpu, safes, safes_cpu, peaks = [], [], [], [], [], [], []
    for turn in range(runs):
        sides = ["ours", "shell", "safe"] if turn % 2 == 0 else ["safe", "shell", "ours"]
        for side in sides:
            if side == "ours":
                elapsed, cpu, peak = _ours(copy, work / "ours")
                ours.append(elapsed)
                ours_cpu.append(cpu)
                peaks.append(peak)
            elif shell and side == "shell":
                elapsed, cpu = _shell(shell, copy, work / "shell")
                shells.append(elapsed)
                shells_cpu.append(cpu)
            elif shell:
                elapsed, cpu = _shell(shell, copy, work / "shell", safety=True)
                safes.append(elapsed)
                safes_cpu.append(cpu)
    median = statistics.median(ours)
    size = f"{events:,} events"
    lines = []
    if shell:
        anchor = statistics.median(shells)
        lines.append(
            f"export --full ({size}): station-tui {median:.2f} s, sqlite3 -csv -header {anchor:.2f} s, ratio"
            f" {median / anchor:.2f}x (target <= 2x); medians of {runs}, interleaved; {_cpu(ours_cpu, shells_cpu)}"
        )
        safe = statistics.median(safes)
        lines.append(
            f"export --full ({size}): station-tui {median:.2f} s, the shell's CSV files + PRAGMA quick_check +"
            f" .backup (what every export does besides, issue 13) {safe:.2f} s, ratio {median / safe:.2f}x;"
            f" {_cpu(ours_cpu, safes_cpu)}"
        )
    else:
        lines.append("export vs sqlite3 shell: skipped, the sqlite3 shell is not installed (apt-get install sqlite3)")
    if with_utils:
        utils = _sqlite_utils(copy, work / "utils")
        lines.append(
            f"export --full ({size}): station-tui {median:.2f} s, sqlite-utils rows --csv {utils:.2f} s"
            f" (1 run), ratio {median / utils:.2f}x (target: faster, < 1x)"
        )
    return lines, _peaks(peaks)


def _peaks(peaks: list[tuple[int | None, int | None]]) -> tuple[int | None, int | None]:
    own = [p for p, _ in peaks if p is not None]
    tree = [t for _, t in peaks if t is not None]
    return max(own, default=None), max(tree, default=None)


def _memory_line(peak: tuple[int | None, int | None]) -> str:
    own, tree = peak
    if own is None:
        return "export peak memory: n/a here"
    with_workers = (
        f"; allocated by it and its worker processes together {tree} MB (RssAnon + RssShmem, sampled)"
        if tree is not None
        else ""
    )
    return f"export --full peak memory: the export process {own} MB{with_workers} (target < 100 MB)"


def figures(db: Path, quick: bool) -> list[str]:
    if quick:
        sources = [db]
    else:
        from bench.run import demo_database

        sources = [demo_database(size, HERE / "work")[0] for size in SIZES]
    lines, peaks = [], []
    for source in sources:
        with tempfile.TemporaryDirectory(dir=None if quick else HERE / "work") as tmp:
            more, peak = _measure(source, 1 if quick else RUNS, with_utils=source == sources[-1], work=Path(tmp))
        lines += more
        peaks.append(peak)
    lines.append(_memory_line(_peaks([p for p in peaks if p is not None])))
    return lines


if __name__ == "__main__":
    # `python bench/export_bench.py [APPLICATIONS ...]`: the export figures alone (default: both sizes).
    sys.path.insert(0, str(HERE.parent))
    from bench.run import demo_database

    sizes = [int(a) for a in sys.argv[1:]] or list(SIZES)
    for size in sizes:
        with tempfile.TemporaryDirectory(dir=HERE / "work") as tmp:
            found, peak = _measure(demo_database(size, HERE / "work")[0], RUNS, size == max(SIZES), Path(tmp))
        for line in [*found, _memory_line(peak)]:
            print(line, flush=True)
