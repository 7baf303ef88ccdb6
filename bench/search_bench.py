"""Search over the demo's applications: each kind of search through `services.search.search` against the plain SQL
query a careful engineer would write for the same rows on the same table, in the same run.

The figures run on a copy of the demo's `applications` table (with settings and operators) in a fresh database, so that
the cached demo file is never migrated or written; the copy has the current schema and its indexes.

Anchors (each returns the same columns, newest first, at most 50 rows):

* number (a number without its last 2 digits): ``number >= ? AND number < ? ORDER BY number DESC`` on the unique index;
* phone (a whole mobile number): ``phone = ?`` on the phone index;
* identity number, whole: ``id_number = ?`` on its index;
* identity number (of persons), last 4 / last 6: ``substr(id_number, -N) = ?`` on migration 2's expression index (also shown: the
  ``id_number LIKE '%1234'`` scan an engineer without that index would write);
* name (its first 2 characters) and address fragment (4 characters from its middle): ``customer_name LIKE ?`` /
  ``address LIKE ?`` (a scan: a fragment cannot use an index). The service scans name OR address in one pass.

Times are medians over the sampled queries, service and anchor interleaved. Target: ratio <= 3.

    python bench/search_bench.py DEMO.db [--quick]
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from station_tui.services.search import LIMIT, search  # noqa: E402
from station_tui.services.station import Station  # noqa: E402
from station_tui.store import Store  # noqa: E402
from station_tui.store.database import read_only_uri  # noqa: E402

TARGET = 3.0
COLUMNS = (
    "uuid, number, customer_name, phone, id_type, id_number, address, business_type, status, accepted_at, due_date"
)
ANCHORS = {
    "number": ("number >= ? AND number < ? ORDER BY number DESC", lambda q: (q, q + "\uffff")),
    "phone": ("phone = ? ORDER BY accepted_at DESC", lambda q: (q,)),
    "id_whole": ("id_number = ? ORDER BY accepted_at DESC", lambda q: (q,)),
    "id_tail4": ("substr(id_number, -4) = ? ORDER BY accepted_at DESC", lambda q: (q,)),
    "id_tail6": ("substr(id_number, -6) = ? ORDER BY accepted_at DESC", lambda q: (q,)),
    "name": ("customer_name LIKE ? ORDER BY accepted_at DESC", lambda q: (f"%{q}%",)),
    "address": ("address LIKE ? ORDER BY accepted_at DESC", lambda q: (f"%{q}%",)),
}
# For information: the scan an engineer without the expression index would write.
NAIVE_TAIL = ("id_number LIKE ? ORDER BY accepted_at DESC", lambda q: (f"%{q}",))
LABELS = {
    "number": "申请编号前缀",
    "phone": "手机号",
    "id_whole": "身份证号（整号）",
    "id_tail4": "证件号后4位",
    "id_tail6": "证件号后6位",
    "name": "客户名称（前2字）",
    "address": "地址片段（4字）",
}


def _columns(conn, schema: str, table: str) -> str:  # noqa: ANN001
    return ", ".join(row[1] for row in conn.execute(f"PRAGMA {schema}.table_info({table})"))


def build(source: Path, target: Path) -> int:
    """A fresh database (current schema) holding the source's applications, settings and operators."""
    store = Store(target)
    conn = store.conn
    conn.execute("ATTACH DATABASE ? AS src", (read_only_uri(source),))
    try:
        with store.transaction():
            for table in ("settings", "operators", "applications"):
                columns = _columns(conn, "src", table)
                conn.execute(f"INSERT OR REPLACE INTO main.{table} ({columns}) SELECT {columns} FROM src.{table}")
    finally:
        conn.execute("DETACH DATABASE src")
    conn.execute("ANALYZE")
    count = store.one("SELECT count(*) FROM applications")
    store.close()
    return count


def samples(conn, count: int, seed: int = 5) -> dict[str, list[str]]:  # noqa: ANN001
    rows = conn.execute("SELECT number, customer_name, phone, id_number, address FROM applications").fetchall()
    picked = random.Random(seed).sample(rows, min(count, len(rows)))
    persons = [r for r in rows if r[3][:-1].isdigit()]
    tails = random.Random(seed + 1).sample(persons, min(count, len(persons)))
    return {
        "number": [r[0][:-2] for r in picked],
        "phone": [r[2] for r in picked if r[2].startswith("1")] or [picked[0][2]],
        "id_whole": [r[3] for r in picked],
        "id_tail4": [r[3][-4:] for r in tails],
        "id_tail6": [r[3][-6:] for r in tails],
        "name": [r[1][:2] for r in picked],
        "address": [r[4][len(r[4]) // 3 : len(r[4]) // 3 + 4] for r in picked],
    }


def _time(fn) -> float:  # noqa: ANN001
    began = time.perf_counter()
    fn()
    return time.perf_counter() - began


def measure(station: Station, kind: str, queries: list[str], repeat: int) -> tuple[float, float, float]:
    """(service median, anchor median, naive-scan median or 0) in seconds."""
    conn = station.store.conn
    where, params = ANCHORS[kind]
    service, anchor, naive = [], [], []
    for _ in range(repeat):
        for query in queries:
            anchor.append(
                _time(
                    lambda q=query: conn.execute(
                        f"SELECT {COLUMNS} FROM applications WHERE {where} LIMIT ?", (*params(q), LIMIT)
                    ).fetchall()
                )
            )
            hits: list = []
            service.append(_time(lambda q=query, out=hits: out.append(search(station, q))))
            if not hits[0].hits:
                raise AssertionError(f"{kind}: 查询 {query!r} 没有结果，样本有误")
            if kind.startswith("id_tail"):
                naive.append(
                    _time(
                        lambda q=query: conn.execute(
                            f"SELECT {COLUMNS} FROM applications WHERE {NAIVE_TAIL[0]} LIMIT ?",
                            (*NAIVE_TAIL[1](q), LIMIT),
                        ).fetchall()
                    )
                )
    return statistics.median(service), statistics.median(anchor), statistics.median(naive) if naive else 0.0


def figures(db: Path, quick: bool) -> list[str]:
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "search.db"
        began = time.perf_counter()
        count = build(db, copy)
        built = time.perf_counter() - began
        store = Store(copy)
        try:
            station = Station.open(store)
            queries = samples(store.conn, 5 if quick else 30)
            search(station, queries["name"][0])  # warm the page cache and the checklist for both sides
            lines = [f"search: {count} 件申请（副本建立 {built:.1f} s）；每类 {len(queries['name'])} 个查询，取中位数"]
            for kind in ANCHORS:
                service, anchor, naive = measure(station, kind, queries[kind], 1 if quick else 3)
                ratio = service / anchor if anchor else float("inf")
                verdict = "ok" if ratio <= TARGET else "MISSED"
                extra = f"；不用表达式索引的 LIKE 扫描 {naive * 1000:.2f} ms" if naive else ""
                lines.append(
                    f"search {LABELS[kind]}: {service * 1000:.2f} ms vs anchor {anchor * 1000:.2f} ms"
                    f" = {ratio:.2f}x (target <= {TARGET:g}x) {verdict}{extra}"
                )
        finally:
            store.close()
    return lines


if __name__ == "__main__":
    for line in figures(Path(sys.argv[1]), "--quick" in sys.argv):
        print(line)
