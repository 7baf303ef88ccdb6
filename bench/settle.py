"""The same start for every timed run of a benchmark, outside its timing: earlier writes flushed, the page cache
emptied where the machine lets us (Linux, root), and the files the run reads read back into it.

Why: on the virtual machine these figures come from, writing new files became up to 40 times slower once earlier
runs had filled the page cache (dd of 2 GB: 0.6 s after emptying it, 27 s before). That weighed most on whichever
side of a comparison wrote the most (the export writes its 2 GB backup besides its CSV files; the county load
writes a database several times what `.import` writes).
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path


def settle(reads: Iterable[Path]) -> None:
    if hasattr(os, "sync"):
        os.sync()
    with contextlib.suppress(OSError):
        Path("/proc/sys/vm/drop_caches").write_text("1\n", encoding="ascii")
    for path in reads:
        if path.exists():
            with open(path, "rb") as f:
                while f.read(1 << 24):
                    pass
