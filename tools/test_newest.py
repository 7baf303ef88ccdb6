"""Run the tests against the newest releases that pyproject.toml's ranges allow: `python tools/test_newest.py`.

Not run by CI (CI installs the lock). It makes a throwaway virtual environment, installs `.[test]` without the lock,
prints what differs from requirements/test.txt, then runs ruff and pytest there. Exit code: pytest's.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _pins(text: str) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9_.\-]+)==([^\s;\\]+)", text, flags=re.MULTILINE)
    return {name.lower().replace("_", "-"): version for name, version in found}


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="station-tui-newest-") as tmp:
        env = Path(tmp) / "env"
        venv.EnvBuilder(with_pip=True).create(env)
        python = env / ("Scripts/python.exe" if sys.platform == "win32" else "bin/python")
        subprocess.run([python, "-m", "pip", "install", "--quiet", "--upgrade", "-e", f"{ROOT}[test]"], check=True)
        frozen = subprocess.run([python, "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout
        newest = _pins(frozen)
        locked = _pins((ROOT / "requirements" / "test.txt").read_text(encoding="utf-8"))
        moved = {
            name: (locked[name], newest[name]) for name in locked if name in newest and newest[name] != locked[name]
        }
        print("与锁定版本不同的包：" if moved else "最新版本与锁定版本相同。")
        for name, (old, new) in sorted(moved.items()):
            print(f"  {name}: {old} → {new}")
        subprocess.run([python, "-m", "ruff", "check", "."], cwd=ROOT)
        return subprocess.run([python, "-m", "pytest", "-x", "-q"], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
