"""Run `station-tui ARGS` in this process and write its own peak resident memory (MB) to REPORT.

    python bench/peak_memory.py REPORT export --db … --full

The kernel's ru_maxrss of a child started from a large benchmark process includes the parent's pages it shared
before exec; VmHWM of /proc/self/status belongs to this process's own address space only (Linux). Elsewhere the
report falls back to ru_maxrss.
"""

import atexit
import sys
from pathlib import Path


def _peak_mb() -> int | None:
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text(encoding="utf-8").splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    try:
        import resource
    except ImportError:  # Windows
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // (1 << 20 if sys.platform == "darwin" else 1 << 10)


if __name__ == "__main__":
    report = Path(sys.argv[1])
    atexit.register(lambda: report.write_text(str(_peak_mb() or ""), encoding="utf-8"))
    sys.argv = ["station-tui", *sys.argv[2:]]
    from station_tui.cli import main

    main()
