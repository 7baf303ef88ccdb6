"""The facts step of a full first load (county/facts.py), this checkout's against an earlier revision's, on SQLite or
PostgreSQL: the built stations' full exports loaded into an emptied database, the two versions interleaved, median of
--runs; each load's facts step timed in process (the one place load.py calls it). Both versions' facts are checked
equal row for row (the stages' JSON lists compared as sets: their order within a row is the database's).

    python bench/county_facts_compare.py --before 59a2a5a --target postgresql://…   (or a .db path)
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.county_bench import finished_stations  # noqa: E402
from bench.county_build import work_folder  # noqa: E402
from station_tui.county import facts, load  # noqa: E402
from station_tui.county.target import open_target  # noqa: E402


def module_at(revision: str, folder: Path):  # noqa: ANN201 - a module
    source = subprocess.run(
        ["git", "show", f"{revision}:station_tui/county/facts.py"], capture_output=True, check=True, text=True
    ).stdout
    path = folder / "facts_before.py"
    path.write_text(source, encoding="utf-8")
    spec = importlib.util.spec_from_file_location("facts_before", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def emptied(target: str) -> None:
    if target.startswith("postgresql:"):
        import psycopg

        with psycopg.connect(target, autocommit=True) as conn:
            conn.execute("DROP SCHEMA public CASCADE")
            conn.execute("CREATE SCHEMA public")
        return
    for leftover in Path(target).parent.glob(Path(target).name + "*"):
        leftover.unlink()


def one_load(target: str, folder: Path, step: Callable) -> tuple[float, list[tuple]]:
    """The facts step's time in a full load of `folder` into an emptied `target`, and the facts it kept."""
    spent = [0.0]

    def timed(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
        began = time.perf_counter()
        step(*args, **kwargs)
        spent[0] += time.perf_counter() - began

    emptied(target)
    load.follow_folder = timed
    db = open_target(target)
    try:
        report = load.load_folders(db, [folder])
        rows = db.query("SELECT * FROM application_facts ORDER BY station, uuid")
    finally:
        db.close()
    assert report.folders and not report.refused, [f.reason for f in report.refused]
    return spent[0], [(*r[:-1], sorted(map(tuple, json.loads(r[-1]))) if r[-1] else r[-1]) for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True, help="the git revision to compare with")
    parser.add_argument("--target", required=True, help="a PostgreSQL URL (its schema public is emptied) or a .db path")
    parser.add_argument("--stations", type=int, default=5)
    parser.add_argument("--applications", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    full, _, stations = finished_stations(work_folder(args.stations, args.applications))
    with tempfile.TemporaryDirectory() as scratch:
        before = module_at(args.before, Path(scratch))
        times: dict[str, list[float]] = {"before": [], "now": []}
        kept = {}
        for _ in range(args.runs):
            for name, step in (("before", before.follow_folder), ("now", facts.follow_folder)):
                took, kept[name] = one_load(args.target, full, step)
                times[name].append(took)
    assert kept["before"] == kept["now"], "the facts differ"
    kind = "PostgreSQL" if args.target.startswith("postgresql:") else "SQLite"
    print(
        f"Facts step of a full load, {kind}, {stations} stations, {len(kept['now']):,} facts equal; median of {args.runs}"
    )
    for name, taken in times.items():
        print(f"  {name}: {statistics.median(taken):.2f} s ({', '.join(f'{t:.2f}' for t in taken)})")
    print(f"  ratio now / before: {statistics.median(times['now']) / statistics.median(times['before']):.2f}")


if __name__ == "__main__":
    main()
