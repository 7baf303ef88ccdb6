"""The windows-x64 offline archive, unzipped and run under Wine through its own python.exe and station-tui.cmd.

Debian's wine64 runs the official embeddable CPython; .ci/run installs it where missing. One archive build, one
unzip, one throwaway Wine prefix under tmp_path (wineboot takes ~10 s here; a cached prefix would save that but could
carry state from an earlier run), and one wineserver kept alive for all the commands.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from offline_helpers import build_archive, require_index, unzip
from pypdf import PdfReader

from station_tui import __version__

WINE = shutil.which("wine") or shutil.which("wine64")


class Windows:
    """A Wine prefix: C:\\ is drive_c; commands run with stdin closed (as a scheduled task would)."""

    def __init__(self, prefix: Path) -> None:
        self.prefix = prefix
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in ("DISPLAY", "STATION_TUI_DB", "PYTHONPATH")},
            "WINEPREFIX": str(prefix),
            "WINEDEBUG": "-all",
            "WINEDLLOVERRIDES": "mscoree,mshtml=",  # no Mono / Gecko install prompt in wineboot
        }
        self.c = prefix / "drive_c"

    def boot(self) -> None:
        """One persistent wineserver, then wineboot, all with stdio away from any pipe of ours: the Wine services
        started here live on, and would hold a pipe open (a read to its end would wait for the server to exit)."""
        self.prefix.mkdir()
        quiet = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        subprocess.run(["wineserver", "-p"], env=self.env, check=True, **quiet)
        subprocess.run([str(WINE), "wineboot", "--init"], env=self.env, check=True, timeout=300, **quiet)

    def run(self, *args: str, timeout: int = 300) -> subprocess.CompletedProcess:
        # stdin closed and stdout a pipe: under Wine 8, Python dies in init_sys_streams ("invalid handle") when stdin
        # is missing or stdout is a regular file.
        return subprocess.run(
            [str(WINE), *args],
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=timeout,
            text=True,
            encoding="utf-8",
            errors="replace",
        )


WORKERS_SCRIPT = """
import sqlite3
import sys
from pathlib import Path
from station_tui.commands.common import open_station
from station_tui.services.export import run, worker
from station_tui.store import backup
run.PROCESS_ROWS = 0
run.os.cpu_count = lambda: 2
backup.STEP_PAGES, backup.FLUSH_STEPS, backup.ALONGSIDE_PAGES = 4, 2, 8
made = []
make = worker.ChunkWorker.make
def counted(self, job):
    made.append(job)
    return make(self, job)
worker.ChunkWorker.make = counted
result = run.run_export(open_station(Path(sys.argv[1])), outbox=Path(sys.argv[2]), full=True)
(copy,) = result.backups
last = sqlite3.connect(copy).execute("SELECT type FROM events ORDER BY seq DESC LIMIT 1").fetchone()[0]
assert last == "export.done", last
print(len(made), result.folder)
"""

# The county's load with worker processes reading the folders (county/prepare.py): spawned by Windows' python.exe.
COUNTY_SCRIPT = """
import sys
from pathlib import Path
from station_tui.county import prepare
from station_tui.county.load import load_folders
from station_tui.county.target import open_target
read = []
take = prepare.Preparer.take
def counted(self, folder):
    got = take(self, folder)
    read.append(got is not None)
    return got
prepare.Preparer.take = counted
report = load_folders(open_target(Path(sys.argv[1])), [Path(p) for p in sys.argv[2:]], workers=2)
print(sum(read), " ".join(f.status for f in report.folders))
"""


@pytest.mark.slow
def test_windows_archive_runs_under_wine(tmp_path: Path) -> None:
    if WINE is None or shutil.which("wineserver") is None:
        pytest.skip("skipped: no Wine (.ci/run installs wine64 with apt where it can)")
    require_index()
    started = time.monotonic()
    archive = build_archive("windows-x64", tmp_path / "out")
    built = time.monotonic()
    windows = Windows(tmp_path / "wineprefix")
    try:
        windows.boot()
        booted = time.monotonic()
        _run_the_commands(windows, archive)
        print(
            f"build {built - started:.0f} s, wineboot {booted - built:.0f} s, commands {time.monotonic() - booted:.0f} s"
        )
    finally:
        subprocess.run(["wineserver", "-k"], env=windows.env, check=False)


def _run_the_commands(windows: Windows, archive: Path) -> None:
    folder = unzip(archive, windows.c / "供电所")
    # Wine 8 only: Python 3.13's platform module asks WMI, and Wine's propsys.VariantToString is unimplemented, which
    # aborts the process. Real Windows has it; leaving _wmi.pyd out of this tested copy makes platform fall back.
    (folder / "_wmi.pyd").unlink()
    app = rf"C:\供电所\{folder.name}"
    data = windows.c / "data"
    data.mkdir()
    (data / "out").mkdir()
    db = r"C:\data\station.db"
    passed: list[str] = []

    def station(*args: str) -> str:
        started = time.monotonic()
        result = windows.run("cmd", "/c", rf"{app}\station-tui.cmd", *args)
        assert result.returncode == 0, f"{args}: {result.stdout}{result.stderr}"
        passed.append(f"{' '.join(args)}  ({time.monotonic() - started:.1f} s)")
        return result.stdout

    python = windows.run(
        rf"{app}\python.exe", "-X", "utf8", "-c", "import sys, textual; print(sys.version, sys.prefix)"
    )
    assert python.returncode == 0, python.stderr
    assert python.stdout.startswith("3.13.2 ") and python.stdout.strip().endswith(app)
    assert station("--version").strip() == f"station-tui {__version__}"
    assert "演示操作员" in station("demo", "--db", db, "--applications", "20")
    # This failed on Windows before the SQLite URI was built with Path.as_uri(): file:C:/data/station.db?mode=ro
    assert "检查通过：20 件申请" in station("check", "--db", db)

    assert "已导出到 C:\\data\\out" in station("export", "--db", db, "--to", r"C:\data\out")
    (export,) = [p for p in (data / "out").glob("*/*") if p.is_dir()]
    windows_export = "C:\\data\\out\\" + "\\".join(export.relative_to(data / "out").parts)
    assert "校验通过" in station("export", "verify", windows_export)
    # A large export's worker processes (services/export/worker.py) and its backup copied in steps while the files
    # are written (store/backup.BackupAlongside), made to happen on this small one: Windows pipes, Python 3.13.
    (data / "out2").mkdir()
    workers = windows.run(rf"{app}\python.exe", "-X", "utf8", "-c", WORKERS_SCRIPT, db, r"C:\data\out2")
    assert workers.returncode == 0, workers.stderr
    made, folder = workers.stdout.split()
    assert int(made) > 0
    assert "校验通过" in station("export", "verify", folder)
    county = windows.run(
        rf"{app}\python.exe", "-X", "utf8", "-c", COUNTY_SCRIPT, r"C:\data\county.db", windows_export, folder
    )
    assert county.returncode == 0, county.stderr
    assert county.stdout.split() == ["2", "loaded", "loaded"], county.stdout + county.stderr
    assert "已载入过 2" in station("county", "load", windows_export, folder, "--into", r"C:\data\county.db")

    number = station("applications", "--db", db).split()[0]
    station("notice", number, "--db", db, "--format", "pdf", "--out", r"C:\data\notice.pdf")
    text = "".join(page.extract_text() for page in PdfReader(data / "notice.pdf").pages)
    assert "告知书" in text

    assert "已备份到 C:\\data\\usb\\" in station("backup", "--db", db, "--to", r"C:\data\usb")
    (copy,) = (data / "usb").glob("*.db")
    assert "检查通过" in station("check", "--db", rf"C:\data\usb\{copy.name}")

    assert "2026" in station("holidays", "status", "--db", db)
    assert station("deadline", "2026-09-30", "5").startswith("2026-10-13")

    # Without --db the database is where 安装说明.txt says: %LOCALAPPDATA%\station-tui\station.db.
    head = ["--head-name", "王建国", "--head-phone", "13912345678", "--head-pin", "1111"]
    said = station("init", "--station-name", "测试供电所", "--station-code", "T01", "--profile", "zhuxian-2020", *head)
    assert "\\AppData\\Local\\station-tui\\station.db" in said
    (default_db,) = windows.c.glob("users/*/AppData/Local/station-tui/station.db")
    assert default_db.stat().st_size > 0
    assert "检查通过" in station("check")
    print("passed under Wine:", *passed, sep="\n  ")
