"""Run `station-tui ARGS` in this process and write its own peak resident memory (MB) to REPORT.

    python bench/peak_memory.py REPORT export --db … --full

The kernel's ru_maxrss of a child started from a large benchmark process includes the parent's pages it shared
before exec; VmHWM of /proc/self/status belongs to this process's own address space only (Linux). Elsewhere the
report falls back to ru_maxrss. A large export also starts worker processes: TreeSampler, run by the benchmark,
gives the peak of the whole tree.
"""

import atexit
import sys
import threading
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


class TreeSampler:
    """The memory a process and every process it started (an export's workers) allocate, summed, sampled from
    outside while they run (Linux; `peak_mb` stays None elsewhere): each one's anonymous and shared resident pages
    (RssAnon + RssShmem in /proc/PID/status). File pages are left out: the workers map the database file, and its
    pages are the system's cache of the file, which the sqlite3 shell fills as much by reading it. Only the status
    file is read, twenty times a second, so that the sampling takes next to nothing from what it measures."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.peak_mb: int | None = None
        self._pid = pid
        self._interval = interval
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        if Path(f"/proc/{pid}").exists():
            self._thread.start()

    @staticmethod
    def _rss_kb(pid: int) -> int:
        try:
            text = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
        except OSError:
            return 0
        return sum(int(line.split()[1]) for line in text.splitlines() if line.startswith(("RssAnon:", "RssShmem:")))

    @staticmethod
    def _children(pid: int) -> list[int]:
        found = []
        for task in Path(f"/proc/{pid}/task").glob("*"):
            try:
                found += [int(c) for c in (task / "children").read_text(encoding="utf-8").split()]
            except OSError:
                continue
        return found

    def _sample(self) -> None:
        while not self._done.wait(self._interval):
            tree, total = [self._pid], 0
            while tree:
                pid = tree.pop()
                total += self._rss_kb(pid)
                tree += self._children(pid)
            if total:
                self.peak_mb = max(self.peak_mb or 0, total // 1024)

    def stop(self) -> int | None:
        self._done.set()
        if self._thread.is_alive():
            self._thread.join()
        return self.peak_mb


if __name__ == "__main__":
    report = Path(sys.argv[1])
    atexit.register(lambda: report.write_text(str(_peak_mb() or ""), encoding="utf-8"))
    sys.argv = ["station-tui", *sys.argv[2:]]
    from station_tui.cli import main

    main()
