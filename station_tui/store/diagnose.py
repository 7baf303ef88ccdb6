"""What is wrong with a database file, in words a clerk can act on: damaged, unwritable, empty or foreign.

Nothing here writes the file: these answers come before anything may be written to it."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import tempfile
from pathlib import Path

from station_tui.store.backup import backup_hint, damaged
from station_tui.store.errors import NotStationDatabaseError, StoreError

# SQLite's words for "the operating system refused": not damage.
_OS_REFUSALS = ("unable to open database file", "readonly database", "disk i/o error", "access permission denied")


def write_refusal(path: Path) -> str | None:
    """A sentence naming the folder or the file the system will not let us write, or None when both are writable.

    Probed by doing it (a temporary file in the folder, the file opened for writing without writing), because
    os.access does not see Windows ACLs and says yes to root for anything."""
    folder = path.parent
    try:
        handle, probe = tempfile.mkstemp(prefix=".station-tui-probe-", dir=folder)
    except OSError as exc:
        return f"文件夹 {folder} 不能写入（{exc.strerror or exc}）"
    os.close(handle)
    with contextlib.suppress(OSError):
        os.unlink(probe)
    if path.exists():
        try:
            with open(path, "r+b"):
                pass
        except OSError as exc:
            return f"文件 {path} 不能写入（{exc.strerror or exc}）"
    return None


def open_failure(path: Path, exc: sqlite3.Error) -> StoreError:
    """Opening failed: an unwritable folder or file is said as such; anything else is damage."""
    text = str(exc).lower()
    if isinstance(exc, sqlite3.OperationalError) and any(words in text for words in _OS_REFUSALS):
        refusal = write_refusal(path)
        if refusal:
            return StoreError(
                f"{refusal}。数据库文件本身没有损坏。请让这个文件夹可写（只读的 U 盘、光盘、没有权限的共享文件夹都不行），"
                "或把数据库文件复制到可写的文件夹后用 --db 指定它。"
            )
    return damaged(path, exc)


def empty_file(path: Path) -> NotStationDatabaseError:
    return NotStationDatabaseError(
        f"数据库文件 {path} 是空的（{path.stat().st_size} 字节，没有本程序的数据），本命令不会改动它。"
        "若选错了文件，请用 --db 指定正确的数据库；若要在这里新建一个供电所，请先移走这个空文件，再运行 "
        "station-tui init（或在界面中确认新建）。",
        path,
        empty=True,
    )


def foreign_file(path: Path, what: str) -> NotStationDatabaseError:
    return NotStationDatabaseError(
        f"文件 {path} 不是本程序的数据库（{what}），本命令不会改动它。请用 --db 指定供电所的数据库文件。{backup_hint(path)}",
        path,
        empty=False,
    )
