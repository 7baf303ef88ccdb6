"""Importing a 10,000-row ledger (UTF-8, the shapes of tests/ledger_helpers.py) into a fresh station: the whole import
(read, check every row with the screen's rules, save in one transaction) and, for scale, the check alone.

    python bench/ledger_bench.py [ROWS]
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent / "tests"))

from ledger_helpers import rows, write  # noqa: E402

from station_tui.services import ledger  # noqa: E402
from station_tui.services.setup import initialize  # noqa: E402
from station_tui.services.station import Station  # noqa: E402
from station_tui.store import Store  # noqa: E402


def figures(db: Path | None = None, quick: bool = False, count: int | None = None) -> list[str]:
    """For bench/run.py: the demo database is not needed; a fresh station takes the ledger."""
    count = count or (200 if quick else 10_000)
    with tempfile.TemporaryDirectory() as folder:
        station = Station.open(Store(Path(folder) / "station.db"))
        head = initialize(
            station,
            station_name="城关供电所",
            station_code="ZX01",
            profile_id="zhuxian-2020",
            head_name="王站长",
            head_phone="13800000001",
            head_pin="1234",
        )
        path = write(Path(folder) / "ledger.csv", rows(count))
        began = time.perf_counter()
        good, errors, total = ledger.read_ledger(station, path.read_bytes())
        checked = time.perf_counter() - began
        assert not errors and total == count
        began = time.perf_counter()
        result = ledger.import_ledger(station, path, operator=head)
        whole = time.perf_counter() - began
        station.store.close()
    return [
        f"ledger import: {result.imported} 行 {whole:.1f} s（每行 {whole / count * 1000:.2f} ms），"
        f"其中读取和逐行校验 {checked:.1f} s"
    ]


if __name__ == "__main__":
    for line in figures(count=int(sys.argv[1]) if len(sys.argv) > 1 else 10_000):
        print(line)
