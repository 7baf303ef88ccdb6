"""The benchmark runner: builds its databases with `station-tui demo`, measures each figure beside its anchor in the
same run, prints the ratios and writes bench/results.md.

    python bench/run.py                     # the full run: 200,000 applications
    python bench/run.py --applications 500 --runs 3 --no-write   # the quick version the tests run
"""

from __future__ import annotations

import argparse
import platform
import statistics
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))


def cpu_name() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine()


def demo_database(applications: int, folder: Path) -> tuple[Path, float]:
    """The demo database of this size, built through the CLI (kept between runs; the build time is reported)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"demo-{applications}.db"
    if path.exists():
        return path, 0.0
    partial = path.with_suffix(".partial.db")
    for leftover in folder.glob(partial.name + "*"):
        leftover.unlink()
    began = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "station_tui", "demo", "--db", str(partial), "--applications", str(applications)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    built = time.perf_counter() - began
    partial.rename(path)
    return path, built


def time_process(args: list[str]) -> float:
    """Wall time of one whole process, in seconds."""
    began = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - began


def startup(db: Path, runs: int) -> dict:
    bare_cmd = [sys.executable, str(HERE / "startup_bare.py")]
    app_cmd = [sys.executable, str(HERE / "startup_app.py"), str(db)]
    # A first run of each, not timed: it migrates an older database and warms the disk cache.
    time_process(bare_cmd)
    time_process(app_cmd)
    # Interleaved, so that a load from elsewhere on a shared machine falls on both sides alike.
    bare, app = [], []
    for _ in range(runs):
        bare.append(time_process(bare_cmd))
        app.append(time_process(app_cmd))
    return {
        "bare": statistics.median(bare),
        "app": statistics.median(app),
        "ratio": statistics.median(app) / statistics.median(bare),
    }


# Each area's benchmark: bench/<name>.py with `figures(db: Path, quick: bool) -> list[str]`, one line per figure,
# each line giving the measured value, its anchor measured in the same run, the ratio and the target.
AREA_BENCHES = ("calendar_bench", "countdown_bench", "search_bench", "ledger_bench", "notice_bench", "export_bench")


def area_figures(db: Path, quick: bool) -> list[str]:
    import importlib

    lines = []
    for name in AREA_BENCHES:
        try:
            module = importlib.import_module(f"bench.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"bench.{name}":
                raise
            continue
        lines += module.figures(db, quick)
    return lines


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--applications", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--quick", action="store_true", help="small sizes everywhere: the version the tests run")
    parser.add_argument("--work", type=Path, default=HERE / "work")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/results.md alone")
    args = parser.parse_args(argv)

    db, built = demo_database(args.applications, args.work)
    lines = [f"demo database: {args.applications} applications" + (f", built in {built:.1f} s" if built else "")]
    s = startup(db, args.runs)
    lines.append(
        f"start-up to first screen: station-tui {s['app'] * 1000:.0f} ms, bare Textual app {s['bare'] * 1000:.0f} ms,"
        f" ratio {s['ratio']:.2f}x (target <= 1.5x)"
    )
    for line in lines:
        print(line, flush=True)
    for line in area_figures(db, args.quick):
        print(line, flush=True)
        lines.append(line)
    if not args.no_write:
        header = [
            "# Benchmark results",
            "",
            f"- date: {datetime.now():%Y-%m-%d %H:%M}",
            f"- CPU: {cpu_name()} ({platform.machine()}), Python {platform.python_version()}",
            f"- whole processes: medians of {args.runs} runs; ratios are within this one run",
            "",
        ]
        (HERE / "results.md").write_text("\n".join(header + [f"- {line}" for line in lines]) + "\n", encoding="utf-8")
    return lines


if __name__ == "__main__":
    main()
