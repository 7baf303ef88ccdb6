"""China Standard Time: one offset, no daylight saving, so a fixed offset is exact (and needs no tzdata on Windows)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone

CHINA_TZ = timezone(timedelta(hours=8), "CST")

Clock = Callable[[], datetime]


def system_now() -> datetime:
    """The real time from the system clock, in China Standard Time."""
    return datetime.now(CHINA_TZ)


def to_iso(moment: datetime) -> str:
    """ISO 8601 with the +08:00 offset, to the microsecond, so that stored times sort as text."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: every recorded time carries its offset")
    return moment.astimezone(CHINA_TZ).isoformat(timespec="microseconds")


def from_iso(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(CHINA_TZ)


def local_date(moment: datetime) -> date:
    return moment.astimezone(CHINA_TZ).date()
