"""The fault bench at the size CI can afford: every fault injected, nothing lost, check passes, no traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import faults

pytestmark = pytest.mark.slow


def test_the_fault_table_at_ci_size_loses_nothing(tmp_path: Path) -> None:
    rows = faults.run("ci", seed=7, folder=tmp_path)
    table = faults.table(rows)
    assert [r.name for r in rows] == [
        "SIGKILL 受理中",
        "SIGKILL 导出中",
        "SIGKILL 恢复中",
        "随机位置 4 KiB 噪声",
        "界面写入 + 导出进程同时",
        "时钟回拨 1 天 / 10 年",
        "磁盘已满",
    ], table
    assert all(r.rounds > 0 for r in rows), table
    assert sum(r.faults for r in rows) >= 15, table  # the faults were really injected
    assert [(r.name, r.lost, r.check_failures, r.tracebacks) for r in rows] == [(r.name, 0, 0, 0) for r in rows], table
    assert "database is locked 0 次" in rows[4].note
