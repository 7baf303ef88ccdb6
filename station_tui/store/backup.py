"""Backups with SQLite's online backup API: consistent while the app and an export use the file."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

KEEP_AUTOMATIC = 5
_STAMP = "%Y%m%d-%H%M%S"


def _backup_name(db_path: Path, moment: datetime) -> str:
    return f"{db_path.stem}.backup-{moment.strftime(_STAMP)}-{moment.microsecond:06d}.db"


def backup_to(source: sqlite3.Connection, target: Path) -> Path:
    """Copy the live database into a new file; the copy is written under a temporary name and renamed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(partial) as copy:
        source.backup(copy)
    copy.close()
    partial.replace(target)
    return target


def automatic_backups(db_path: Path) -> list[Path]:
    """The dated backups beside the database, oldest first."""
    return sorted(db_path.parent.glob(f"{db_path.stem}.backup-*.db"))


def newest_backup(db_path: Path) -> Path | None:
    backups = automatic_backups(db_path)
    return backups[-1] if backups else None


def backup_beside(source: sqlite3.Connection, db_path: Path, moment: datetime) -> Path:
    """A dated backup beside the database, keeping only the last few."""
    path = backup_to(source, db_path.parent / _backup_name(db_path, moment))
    for old in automatic_backups(db_path)[:-KEEP_AUTOMATIC]:
        old.unlink(missing_ok=True)
    return path


def backup_into_folder(source: sqlite3.Connection, folder: Path, station_code: str, moment: datetime) -> Path:
    """`station-tui backup --to DIR`: a dated copy in a folder such as a USB stick."""
    return backup_to(source, folder / f"station-{station_code or 'new'}-{moment.strftime(_STAMP)}.db")
