"""The station's indicators (indicators.csv: `indicator_rows`) by this checkout's code and by another revision's,
alternating in one process on the same database, thread CPU time (time.thread_time), medians of 5; fails when the
two give different rows. Use a copy of a demo database (its first opening migrates it).

    python bench/indicators_ab.py COPY.db [REVISION]      # REVISION: main by default
"""

from __future__ import annotations

import importlib.util
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

from station_tui.services import indicators
from station_tui.services.export import category_names
from station_tui.services.station import Station
from station_tui.store import Store
from station_tui.store.database import connect

RUNS = 5
MODULE = "station_tui/services/indicators.py"


def _module_at(revision: str, folder: Path) -> ModuleType:
    """The indicators module as it is at `revision`, imported under another name."""
    source = subprocess.run(
        ["git", "show", f"{revision}:{MODULE}"], capture_output=True, check=True, cwd=Path(__file__).parent
    ).stdout
    path = folder / "indicators_then.py"
    path.write_bytes(source)
    spec = importlib.util.spec_from_file_location("indicators_then", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main(db: Path, revision: str) -> None:
    store = Store(db)
    station = Station.open(store)
    names, calendar = category_names(station), station.calendar
    conn = connect(db)
    with tempfile.TemporaryDirectory() as folder:
        then = _module_at(revision, Path(folder))
        times: dict[str, list[float]] = {revision: [], "this checkout": []}
        rows = {}
        for _ in range(RUNS):
            for name, module in ((revision, then), ("this checkout", indicators)):
                began = time.thread_time()
                rows[name] = list(module.indicator_rows(conn, calendar, names))
                times[name].append(time.thread_time() - began)
    if rows[revision] != rows["this checkout"]:
        sys.exit("the two give different rows")
    events = conn.execute("SELECT count(*) FROM events").fetchone()[0]
    print(f"indicators, {events:,} events, {len(rows[revision])} rows (the same from both):")
    for name, taken in times.items():
        print(f"  {name:14} {statistics.median(taken):5.2f} s  (runs: {', '.join(f'{t:.2f}' for t in taken)})")
    conn.close()
    store.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "main")
