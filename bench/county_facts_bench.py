"""What keeping each application's facts at load time (county/facts.py) costs the loads, on SQLite: the full load of
the built stations' exports and the nightly load of their night folders, each with the facts step and without it (the
anchor: the same load with follow_folder left out), interleaved, median of --runs, in process; and the time spent in
the facts step itself. Also the one-time cost of computing the facts of a county file loaded before they existed
(on the 50-station copy county_indicators_bench.py makes, when it is there).

    python bench/county_build.py --stations 5 --applications 5000
    python bench/county_facts_bench.py --stations 5 --applications 5000
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.county_bench import finished_stations  # noqa: E402
from bench.county_build import work_folder  # noqa: E402
from station_tui.county import facts, load  # noqa: E402
from station_tui.county.target import open_target  # noqa: E402


class FactsStep:
    """load.py's facts step, timed, or left out."""

    def __init__(self) -> None:
        self.spent = self.cpu = 0.0
        self.on = True

    def __call__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        if not self.on:
            return
        began, cpu = time.perf_counter(), time.process_time()
        facts.follow_folder(*args, **kwargs)
        self.spent += time.perf_counter() - began
        self.cpu += time.process_time() - cpu


Times = tuple[float, float, float, float]  # the load's wall and CPU time, the facts step's wall and CPU time


def timed_load(step: FactsStep, folder: Path, db: Path, on: bool) -> Times:
    step.on, step.spent, step.cpu = on, 0.0, 0.0
    target = open_target(db)
    try:
        began, cpu = time.perf_counter(), time.process_time()
        report = load.load_folders(target, [folder])
        took, cpu = time.perf_counter() - began, time.process_time() - cpu
    finally:
        target.close()
    assert report.folders and not report.refused, [f.reason for f in report.refused]
    return took, cpu, step.spent, step.cpu


def compare(runs: int, once: Callable[[bool], Times]) -> tuple[Times, Times]:
    """Medians of each time of the load with the facts and of the load without them (interleaved)."""
    with_facts, without = [], []
    for _ in range(runs):
        with_facts.append(once(True))
        without.append(once(False))
    return tuple(tuple(statistics.median(t[i] for t in taken) for i in range(4)) for taken in (with_facts, without))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=5)
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    root = work_folder(args.stations, args.applications)
    full, night, stations = finished_stations(root)
    step = FactsStep()
    load.follow_folder = step  # the one place load.py calls it
    work = root / "facts-bench"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()

    def full_load(on: bool) -> Times:
        db = work / "full.db"
        for leftover in work.glob("full.db*"):
            leftover.unlink()
        return timed_load(step, full, db, on)

    loaded = work / "loaded.db"
    timed_load(step, full, loaded, True)

    def night_load(on: bool) -> Times:
        db = work / "night.db"
        shutil.copy(loaded, db)
        return timed_load(step, night, db, on)

    rows = [("full load", *compare(args.runs, full_load)), ("nightly load", *compare(args.runs, night_load))]
    print(f"Facts bench: {stations} stations × {args.applications} applications, median of {args.runs}, interleaved")
    print("| load | with the facts | of which the facts step | without (anchor) | ratio | CPU with / step / without |")
    print("|---|---|---|---|---|---|")
    for name, (wall, cpu, step_wall, step_cpu), (bare, bare_cpu, _, _) in rows:
        print(
            f"| {name} | {wall:.2f} s | {step_wall:.2f} s | {bare:.2f} s | {wall / bare:.2f}x |"
            f" {cpu:.2f} s / {step_cpu:.2f} s / {bare_cpu:.2f} s ({cpu / bare_cpu:.2f}x) |"
        )
    copy = root / f"county-as-{10 * stations}.db"
    if copy.exists():
        db = work / "older.db"
        shutil.copy(copy, db)
        target = open_target(db)
        try:
            target.execute("DELETE FROM application_facts")
            target.execute("DELETE FROM county_meta WHERE key = ?", (facts.META_KEY,))
            applications = target.query("SELECT count(*) FROM applications")[0][0]
            began = time.perf_counter()
            with target.transaction():
                facts.rebuild(target)
            took = time.perf_counter() - began
        finally:
            target.close()
        print(f"Computing the facts of an older county file once ({applications:,} applications): {took:.2f} s")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
