"""Builds the county bench's stations once (bench/work/county-<stations>x<applications>/): each station a real demo
database made by `station-tui demo --station-code Snn`, its full export, then one more day of applications and that
night's incremental export. Run in the background; bench/county_bench.py measures what is there.

    python bench/county_build.py --stations 50 --applications 21500 --workers 2
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
# A rural station accepts about 21,500 applications in the demo's 120 days at 4.6 events each: ~100,000 events.
NIGHT_APPLICATIONS = 180  # about one day's applications (21,500 over 120 days)


def cli(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "station_tui", *args], check=True, stdout=subprocess.DEVNULL)


def work_folder(stations: int, applications: int) -> Path:
    return HERE / "work" / f"county-{stations}x{applications}"


def build_station(root: Path, index: int, applications: int, nights: bool = True) -> None:
    code = f"S{index:02d}"
    db = root / "stations" / f"{code}.db"
    done = root / "stations" / f"{code}.done"
    full = root / "stations" / f"{code}.full"  # the history and its full export are there
    if done.exists() or (full.exists() and not nights):
        return
    if not full.exists():
        db.unlink(missing_ok=True)  # an interrupted build starts this station again
        for part in ("full", "night"):
            shutil.rmtree(root / part / code, ignore_errors=True)
        cli("demo", "--db", str(db), "--applications", str(applications), "--seed", str(index),
            "--station-code", code, "--station-name", f"第{index}供电所")  # fmt: skip
        cli("export", "--db", str(db), "--to", str(root / "full"))
        full.write_text("ok\n", encoding="utf-8")
    if not nights:
        return
    shutil.rmtree(root / "night" / code, ignore_errors=True)
    cli("demo", "--db", str(db), "--applications", str(NIGHT_APPLICATIONS), "--seed", str(1000 + index))
    cli("export", "--db", str(db), "--to", str(root / "night"))
    done.write_text("ok\n", encoding="utf-8")
    print(f"{code} done", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stations", type=int, default=50)
    parser.add_argument("--applications", type=int, default=21_500)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--no-nights", action="store_true", help="only the histories and their full exports")
    args = parser.parse_args()
    root = work_folder(args.stations, args.applications)
    for name in ("stations", "full", "night"):
        (root / name).mkdir(parents=True, exist_ok=True)
    with ThreadPoolExecutor(args.workers) as pool:
        for future in [
            pool.submit(build_station, root, i, args.applications, not args.no_nights)
            for i in range(1, args.stations + 1)
        ]:
            future.result()


if __name__ == "__main__":
    main()
