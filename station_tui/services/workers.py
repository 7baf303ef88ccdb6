"""Worker processes of our own (`python -m <module>` over pipes): the export's chunk makers and the county's folder
readers start and end theirs here, the same way on Windows as on Linux (multiprocessing's pool hung under Wine)."""

from __future__ import annotations

import contextlib
import subprocess
import sys


def can_start() -> bool:
    """Whether this program can start a worker: a frozen program's executable is the program itself, not an
    interpreter that runs `-m module`."""
    return bool(sys.executable) and not getattr(sys, "frozen", False)


def start(module: str, *args: str, text: bool = False) -> subprocess.Popen:
    """The module run by this interpreter with stdin and stdout piped (text: UTF-8 lines). stderr goes nowhere: the
    terminal is the app's or the progress bar's, and a worker's failure comes back as an answer or as its pipe
    closing."""
    return subprocess.Popen(
        [sys.executable, "-m", module, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        encoding="utf-8" if text else None,
        creationflags=getattr(subprocess, "CREATE_NO_WINDOW", 0),
    )


def close(process: subprocess.Popen, wait: float) -> None:
    """Let the worker end (its stdin closed: no more work), or end it after `wait` seconds."""
    for stream in (process.stdin, process.stdout):
        if stream is not None:
            with contextlib.suppress(OSError):  # a worker already gone: nothing left to say to it
                stream.close()
    try:
        process.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
