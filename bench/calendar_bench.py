"""Working-day engine against chinese_calendar.find_workday on the same random (start, n) pairs.

Starts are working days of 2024–2026 and n runs from 1 to 60; pairs whose answer would leave chinese-calendar's data are
drawn again (find_workday raises there). Every answer must be identical. The engine's time includes building its index
(a fresh WorkCalendar each repetition, chinese-calendar's tables regrouped); the time with the index already built is reported too.

    python bench/calendar_bench.py [PAIRS]
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from station_tui.domain import workdays  # noqa: E402
from station_tui.domain.workdays import WorkCalendar, chinese_calendar_years  # noqa: E402


def draw_pairs(pairs: int, seed: int) -> list[tuple[date, int]]:
    """Random (start, n): start a working day of 2024–2026, n in 1..60, answer within chinese-calendar's data."""
    last_covered = date(chinese_calendar_years()[-1], 12, 31)
    starts = [
        date(2024, 1, 1) + timedelta(days=i)
        for i in range((date(2026, 12, 31) - date(2024, 1, 1)).days + 1)
        if chinese_calendar.is_workday(date(2024, 1, 1) + timedelta(days=i))
    ]
    # How many working days remain after each start inside the data, so that no drawn pair leaves it.
    remaining = {start: len(starts) - 1 - i for i, start in enumerate(starts)}
    assert all(start <= last_covered for start in starts)
    rng = random.Random(seed)
    out: list[tuple[date, int]] = []
    while len(out) < pairs:
        start = rng.choice(starts)
        n = rng.randint(1, 60)
        if n <= remaining[start]:
            out.append((start, n))
    return out


def _time(fn) -> tuple[float, list[date]]:
    began = time.perf_counter()
    result = fn()
    return time.perf_counter() - began, result


def run(pairs: int = 20000, seed: int = 1, repeats: int = 3) -> dict:
    work = draw_pairs(pairs, seed)

    def reference() -> list[date]:
        find = chinese_calendar.find_workday
        return [find(n, start) for start, n in work]

    def engine_cold() -> list[date]:
        workdays._cc_by_year.cache_clear()  # include regrouping chinese-calendar's tables by year
        add = WorkCalendar().add_workdays
        return [add(start, n) for start, n in work]

    warm_calendar = WorkCalendar()
    warm_calendar.year_sources(2024, 2026)

    def engine_warm() -> list[date]:
        add = warm_calendar.add_workdays
        return [add(start, n) for start, n in work]

    timings: dict[str, list[float]] = {"chinese_calendar": [], "engine": [], "engine_warm": []}
    for _ in range(repeats):
        for name, fn in (("chinese_calendar", reference), ("engine", engine_cold), ("engine_warm", engine_warm)):
            seconds, answers = _time(fn)
            timings[name].append(seconds)
            if name == "chinese_calendar":
                expected = answers
            elif answers != expected:
                bad = next(i for i, (a, b) in enumerate(zip(answers, expected, strict=True)) if a != b)
                start, n = work[bad]
                raise AssertionError(
                    f"{name}: add_workdays({start}, {n}) = {answers[bad]}, find_workday gives {expected[bad]}"
                )
    median = {name: statistics.median(values) for name, values in timings.items()}
    return {
        "pairs": pairs,
        "seed": seed,
        "repeats": repeats,
        "chinese_calendar_s": median["chinese_calendar"],
        "engine_s": median["engine"],
        "engine_warm_s": median["engine_warm"],
        "ratio": median["chinese_calendar"] / median["engine"],
        "ratio_warm": median["chinese_calendar"] / median["engine_warm"],
        "identical": True,
    }


def main(argv: list[str]) -> int:
    pairs = int(argv[1]) if len(argv) > 1 else 20000
    result = run(pairs)
    print(f"{result['pairs']} pairs, answers identical; median of {result['repeats']} runs")
    print(f"chinese_calendar.find_workday: {result['chinese_calendar_s']:.3f} s")
    print(f"engine (index build included): {result['engine_s'] * 1000:.2f} ms  ratio {result['ratio']:.0f}x")
    print(f"engine (index already built):  {result['engine_warm_s'] * 1000:.2f} ms  ratio {result['ratio_warm']:.0f}x")
    ok = result["ratio"] >= 100
    print("target >= 100x:", "met" if ok else "NOT met")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))


def figures(db: Path, quick: bool) -> list[str]:
    """For bench/run.py: the database is not needed; chinese-calendar is the anchor."""
    pairs = 500 if quick else 20_000
    c = run(pairs=pairs, repeats=1 if quick else 3)
    return [
        f"working days, {pairs} pairs: chinese_calendar.find_workday {c['chinese_calendar_s'] * 1000:.1f} ms,"
        f" engine {c['engine_s'] * 1000:.2f} ms (index build included), {c['ratio']:.0f}x faster (target >= 100x)"
    ]
