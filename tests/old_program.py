"""A database made by the program as it was at an older commit: a real older checkout, run in a real process."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def demo_database(commit: str, tmp_path: Path, applications: int) -> Path:
    """`station-tui demo` run by the program at `commit` (skips the test without git or the commit)."""
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs the git checkout to build the older program")
    old = tmp_path / "old"
    old.mkdir()
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit], capture_output=True, check=False)
    if archive.returncode != 0:
        pytest.skip(f"commit {commit} not in this checkout")
    subprocess.run(["tar", "-x", "-C", str(old)], input=archive.stdout, check=True)
    db = tmp_path / f"{commit}.db"
    subprocess.run(
        [sys.executable, "-m", "station_tui", "demo", "--db", str(db), "--applications", str(applications)],
        cwd=old,
        env={"PYTHONPATH": str(old), "PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        check=True,
        capture_output=True,
    )
    return db
