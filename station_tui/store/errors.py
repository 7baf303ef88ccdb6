"""Store errors, each with a message a clerk can act on."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from station_tui.domain.errors import StationError


class StoreError(StationError):
    """The database file cannot be used as it is."""


class NotStationDatabaseError(StoreError):
    """The file exists but is empty, foreign or unknown: only a person may decide to make a new station in it."""

    def __init__(self, message: str, path: Path, *, empty: bool) -> None:
        super().__init__(message)
        self.path = path
        self.empty = empty


class DamagedDatabaseError(StoreError):
    """SQLite reports the file damaged (or not a database at all): `station-tui recover` may save its events."""

    def __init__(self, message: str, path: Path) -> None:
        super().__init__(message)
        self.path = path


class ClockBehindError(StationError):
    """The system clock reads earlier than the newest event this device recorded."""

    def __init__(self, now: datetime, newest: datetime) -> None:
        super().__init__(
            f"系统时间（{now:%Y-%m-%d %H:%M}）早于本机最近一条记录的时间（{newest:%Y-%m-%d %H:%M}）。"
            "可能是电脑时钟不准（如主板电池没电）。请先校正系统时间；确需继续，须明确确认。"
        )
        self.now = now
        self.newest = newest
