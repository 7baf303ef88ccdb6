"""The benchmark runner in its quick version, so that it cannot rot."""

from __future__ import annotations

from pathlib import Path

from bench.run import main


def test_quick_bench_runs_and_prints_every_figure(tmp_path: Path, capsys) -> None:  # noqa: ANN001
    lines = main(["--applications", "150", "--runs", "1", "--quick", "--work", str(tmp_path), "--no-write"])
    assert any(line.startswith("start-up to first screen") and "ratio" in line for line in lines)
    assert any(line.startswith("working days") and "faster" in line for line in lines)
    assert "start-up to first screen" in capsys.readouterr().out
