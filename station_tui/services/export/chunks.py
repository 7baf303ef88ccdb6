"""A chunk of a file's lines made by one statement (tables.chunk_sql), as plain data: a thread of this process and a
worker process (worker.py) make it by the same function."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from station_tui.services.export.files import ExportError
from station_tui.services.export.tables import fill_holes

AGAIN = "导出标记未移动，下次会重新导出同一范围。"


@dataclass(frozen=True)
class SqlChunk:
    """The lines of `file`'s rows with a rowid in (lo, hi]."""

    file: str
    sql: str
    params: dict[str, Any]
    lo: int
    hi: int
    include_personal: bool


def begin_read(conn: sqlite3.Connection) -> None:
    """Start a read transaction: from here on `conn` sees the database as it is now, whatever others commit."""
    conn.execute("BEGIN")
    conn.execute("SELECT count(*) FROM sqlite_master").fetchone()  # the read, and so the snapshot, starts here


def make_chunk(conn: sqlite3.Connection, job: SqlChunk) -> tuple[bytes, int]:
    """The chunk's lines (UTF-8, each ending with CRLF) and how many."""
    lines, count = conn.execute(job.sql, {**job.params, "lo": job.lo, "hi": job.hi}).fetchone()
    if count == 0:
        return b"", 0
    filled = fill_holes(lines, job.include_personal)
    if filled is None:
        raise ExportError(
            f"{job.file}：数据库第 {job.lo + 1}–{job.hi} 行中有不是 UTF-8 的文字，无法导出；"
            f"请运行 station-tui check 检查数据库。{AGAIN}"
        )
    return filled, count
