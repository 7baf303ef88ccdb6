"""The wheel, installed in a fresh virtual environment, works outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _bin(env_dir: Path, name: str) -> Path:
    scripts = env_dir / ("Scripts" if os.name == "nt" else "bin")
    return scripts / (f"{name}.exe" if os.name == "nt" else name)


@pytest.mark.slow
def test_wheel_installs_and_runs_outside_the_checkout(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    # The build backend and the dependencies come from the lock (requirements/), never from whatever is newest.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            str(ROOT),
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(dist),
        ],
        check=True,
    )
    wheel = next(dist.glob("station_tui-*.whl"))
    env_dir = tmp_path / "env"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    pip = [_bin(env_dir, "python"), "-m", "pip", "install", "--quiet"]
    subprocess.run([*pip, "--require-hashes", "-r", ROOT / "requirements" / "runtime.txt"], check=True)
    subprocess.run([*pip, "--no-deps", str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "STATION_TUI_DB")}

    def run(*args: str) -> str:
        result = subprocess.run(
            [_bin(env_dir, "station-tui"), *args], cwd=elsewhere, env=clean_env, capture_output=True, text=True
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    assert run("--version").strip() == "station-tui 0.4.0"
    listing = run("profiles")
    for profile in ("zhuxian-2020", "sanxia-2021", "kaili-2021", "wuhai-2023", "guidong-2018"):
        assert profile in listing
    site = subprocess.run(
        [
            _bin(env_dir, "python"),
            "-c",
            "import station_tui, pathlib; print(pathlib.Path(station_tui.__file__).parent)",
        ],
        cwd=elsewhere,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    package = Path(site)
    assert str(package / "data" / "profiles") in listing  # reference data inside the package
    assert (package / "screens" / "home.py").is_file() and (package / "screens" / "home.tcss").is_file()
    assert not (package.parent / "screens").exists()  # no top-level "screens" in site-packages
    db = tmp_path / "demo.db"
    assert "演示操作员" in run("demo", "--db", str(db), "--applications", "20")
    assert "检查通过" in run("check", "--db", str(db))
