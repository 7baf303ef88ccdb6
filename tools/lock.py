"""Refresh the dependency lock: `python tools/lock.py` (needs `uv`: `python -m pip install uv`).

Writes three files under requirements/, each pinned with hashes for CPython 3.10-3.13 on Linux and Windows
(`--universal`, one version of each package for every Python: `--fork-strategy fewest`):
- runtime.txt: what the program needs to run (also what the offline installer bundles);
- build.txt: the build backend, so that `pip install --no-build-isolation -e .` needs nothing unpinned;
- test.txt: runtime + build + test tools, at the same versions as runtime.txt.

Upgrading is a decision: run this, then `python tools/test_newest.py` shows what the newest releases would break,
then run the tests on the new lock and commit it with a note of what moved.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REQ = ROOT / "requirements"
COMMON = ["--universal", "--fork-strategy", "fewest", "--generate-hashes", "--python-version", "3.10", "-q"]


def compile_lock(inputs: list[str], out: str, *extra: str) -> None:
    uv = shutil.which("uv") or sys.exit("需要 uv：python -m pip install uv")
    command = [uv, "pip", "compile", *inputs, *extra, *COMMON, "-o", f"requirements/{out}"]
    print(" ".join(command[1:]))
    subprocess.run(command, cwd=ROOT, check=True)


def main() -> None:
    upgrade = ["--upgrade"] if "--upgrade" in sys.argv else []
    compile_lock(["pyproject.toml"], "runtime.txt", *upgrade)
    compile_lock(
        ["pyproject.toml", "requirements/build.in"],
        "test.txt",
        "--extra",
        "test",
        "-c",
        "requirements/runtime.txt",
        *upgrade,
    )
    compile_lock(["requirements/build.in"], "build.txt", "-c", "requirements/test.txt", *upgrade)
    for name in ("runtime.txt", "build.txt", "test.txt"):
        pins = sum(1 for line in (REQ / name).read_text(encoding="utf-8").splitlines() if "==" in line)
        print(f"requirements/{name}: {pins} pins")


if __name__ == "__main__":
    main()
