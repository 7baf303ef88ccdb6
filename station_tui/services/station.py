"""The station: its store with the reference data it runs on (profiles, checklists, calendar) and its settings.

The station owns its caches (the working-day calendar, the profile in force) and keeps them true to the database,
whoever changed it: this process, another thread's worker, or another process (`station-tui holidays import` while
the app is open). Each read compares a mark of what they are built from (the holiday years entered, with their times,
and the profile settings) with the mark they were built at, one small query on two tiny tables, and rebuilds on a
change. Nothing outside this class sets or drops them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TypeVar

from station_tui.domain.checklists import Checklists, load_checklists
from station_tui.domain.errors import StationError
from station_tui.domain.holiday_files import YearSchedule
from station_tui.domain.profiles import LoadedProfile, Profile, load_profiles
from station_tui.domain.workdays import WorkCalendar
from station_tui.paths import data_dir
from station_tui.store import Store
from station_tui.store import payloads as ev


def builtin_profile_folder() -> Path:
    return data_dir() / "profiles"


def load_all_profiles(extra_folder: str | None = None) -> dict[str, LoadedProfile]:
    """The shipped profiles plus a county office's own folder, when the settings name one."""
    folders = [builtin_profile_folder()]
    if extra_folder:
        folders.append(Path(extra_folder))
    return load_profiles(folders)


T = TypeVar("T")
# What the calendar is built from: the years entered (a re-entered year has a new time), and the profile settings.
_CALENDAR_MARK = "SELECT count(*), coalesce(max(entered_at), '') || '/' || coalesce(sum(year), 0) FROM holiday_years"
_PROFILE_MARK = "SELECT group_concat(key || '=' || value, ';') FROM settings WHERE key IN ('profile', 'profile_folder')"


def entered_schedules(store: Store) -> dict[int, YearSchedule]:
    """The holiday schedules this station entered or imported, by year."""
    schedules: dict[int, YearSchedule] = {}
    for day, year, kind, name in store.conn.execute("SELECT date, year, kind, name FROM holiday_days"):
        schedule = schedules.setdefault(year, YearSchedule(year))
        target = schedule.holidays if kind == "holiday" else schedule.makeup_workdays
        target[date.fromisoformat(day)] = name
    for (year,) in store.conn.execute("SELECT year FROM holiday_years"):
        schedules.setdefault(year, YearSchedule(year))
    return schedules


@dataclass
class Station:
    """What every service works with. Reference data is read at start and validated; what the database decides
    (the calendar, the profile) is cached and rebuilt when the database changes it."""

    store: Store
    profiles: dict[str, LoadedProfile] = field(default_factory=dict)
    profile_folder: str | None = None  # the county's own folder the profiles were read with
    _cached: dict[str, tuple[object, object]] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def open(cls, store: Store) -> Station:
        folder = store.setting("profile_folder")
        return cls(store, load_all_profiles(folder), folder)

    @property
    def initialized(self) -> bool:
        return self.store.setting("station_code") is not None

    @property
    def station_code(self) -> str:
        return self.store.setting("station_code", "")

    @property
    def station_name(self) -> str:
        return self.store.setting("station_name", "")

    @property
    def is_demo(self) -> bool:
        return bool(self.store.setting("demo", False))

    @cached_property
    def checklists(self) -> Checklists:
        """The application and archive checklists (seed 004 附件1/附件2), read once."""
        return load_checklists()

    def _kept(self, name: str, mark_sql: str, build: Callable[[], T]) -> T:
        """The cached `name` while the database's mark for it is unchanged, else built again (and kept)."""
        mark = self.store.conn.execute(mark_sql).fetchone()
        with self._lock:
            found = self._cached.get(name)
        if found is not None and found[0] == mark:
            return found[1]  # type: ignore[return-value]
        value = build()
        with self._lock:
            self._cached[name] = (mark, value)
        return value

    @property
    def calendar(self) -> WorkCalendar:
        """The working-day calendar: the schedules this station entered, over the library's data and shipped files."""
        return self._kept("calendar", _CALENDAR_MARK, lambda: WorkCalendar(entered=entered_schedules(self.store)))

    @property
    def profile(self) -> Profile:
        """The policy profile in force (the settings name it; a county folder may add profiles)."""
        return self._kept("profile", _PROFILE_MARK, self._load_profile)

    def _load_profile(self) -> Profile:
        folder = self.store.setting("profile_folder")
        if folder != self.profile_folder:  # the county's folder changed since the profiles were read
            self.profiles, self.profile_folder = load_all_profiles(folder), folder
        profile_id = self.store.setting("profile")
        if profile_id not in self.profiles:
            raise StationError(f"本站设置的策略 {profile_id} 找不到：请检查策略文件夹。")
        return self.profiles[profile_id].profile


@dataclass(frozen=True)
class StationContact:
    """Where the customer finds the station: printed on every notice ("" until the 站长 sets it)."""

    address: str = ""
    phone: str = ""
    hours: str = ""


# The settings keys of StationContact's fields.
CONTACT_SETTINGS = {"address": "station_address", "phone": "station_phone", "hours": "station_hours"}


def station_contact(station: Station) -> StationContact:
    return StationContact(**{name: station.store.setting(key, "") for name, key in CONTACT_SETTINGS.items()})


def change_settings(station: Station, changes: dict, *, operator: str) -> None:
    station.store.record(ev.SettingsChanged(settings=changes), operator=operator)
