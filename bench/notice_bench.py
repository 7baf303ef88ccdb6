"""One notice PDF in a running process: the first (font loading included) and the steady state, and the time for 100.

Measured in a fresh process, so that the first PDF pays for reading the font as the app's first one does. The content
is a draft of a real application of the database (nothing is recorded: the bench database is not written). The
anchor is the same notice laid out as 48-column receipt text in the same process.

    python bench/notice_bench.py bench/work/demo-200000.db
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

_MEASURE = r"""
import json, statistics, sys, tempfile, time
from pathlib import Path
from station_tui.store import Store
from station_tui.store.errors import StoreError
from station_tui.services.station import Station

def station_for(db):
    try:
        return Station.open(Store(Path(db), migrate=False))
    except StoreError:
        # An older bench database: never migrate it here; a small demo gives the same notice shape.
        from station_tui.services.demo import fill_demo
        store = Store(Path(tempfile.mkdtemp()) / "notice-bench.db")
        station = Station.open(store)
        fill_demo(station, 20, seed=7)
        return station

station = station_for(sys.argv[1])
count = int(sys.argv[2])
from station_tui.services import notices
app = station.store.one(
    "SELECT uuid FROM applications WHERE intake_mode = 'deferred' AND status = 'open' LIMIT 1"
) or station.store.one("SELECT uuid FROM applications LIMIT 1")
content = notices.draft(station, "acceptance", application=app)
began = time.perf_counter()
from station_tui.services import pdf
first_bytes = pdf.render(content)
first = time.perf_counter() - began
times = []
for _ in range(count):
    began = time.perf_counter()
    pdf.render(content)
    times.append(time.perf_counter() - began)
from station_tui.domain import receipt
text_times = []
for _ in range(count):
    began = time.perf_counter()
    text = receipt.render(content, 48)
    text_times.append(time.perf_counter() - began)
lines = len(receipt.customer_copy(content, 48))
print(json.dumps({
    "first": first, "median": statistics.median(times), "total": sum(times), "count": count,
    "text_median": statistics.median(text_times), "lines": lines, "bytes": len(first_bytes),
}))
"""


def measure(db: Path, count: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(db), str(count)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=True,
        cwd=HERE.parent,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def figures(db: Path, quick: bool) -> list[str]:
    count = 25 if quick else 100
    m = measure(db, count)
    ms = 1000
    return [
        f"notice PDF (A4, 2 parts, {m['lines']}-line notice, {m['bytes'] // 1024} KB): first in a fresh process"
        f" {m['first'] * ms:.0f} ms (font loading included), then median {m['median'] * ms:.1f} ms each,"
        f" {count} PDFs {m['total'] * ms:.0f} ms; anchor: the same notice as receipt text"
        f" {m['text_median'] * ms:.2f} ms, ratio {m['median'] / m['text_median']:.0f}x"
        f" (target: each PDF <= 150 ms, the first may take longer)"
    ]


if __name__ == "__main__":
    for line in figures(Path(sys.argv[1]), quick="--quick" in sys.argv):
        print(line)
