"""The station: its store with the reference data it runs on (profiles, checklists, calendar), and its setup."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from station_tui.domain.checklists import Checklists, load_checklists
from station_tui.domain.errors import StationError
from station_tui.domain.profiles import LoadedProfile, Profile, load_profiles
from station_tui.paths import data_dir
from station_tui.store import Store
from station_tui.store import payloads as ev

STATION_CODE = re.compile(r"^[0-9A-Za-z]{2,10}$")


def builtin_profile_folder() -> Path:
    return data_dir() / "profiles"


def load_all_profiles(extra_folder: str | None = None) -> dict[str, LoadedProfile]:
    """The shipped profiles plus a county office's own folder, when the settings name one."""
    folders = [builtin_profile_folder()]
    if extra_folder:
        folders.append(Path(extra_folder))
    return load_profiles(folders)


@dataclass
class Station:
    """What every service works with. Reference data is read once, at start, and validated."""

    store: Store
    profiles: dict[str, LoadedProfile] = field(default_factory=dict)

    @classmethod
    def open(cls, store: Store) -> Station:
        return cls(store, load_all_profiles(store.setting("profile_folder")))

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

    @cached_property
    def profile(self) -> Profile:
        profile_id = self.store.setting("profile")
        if profile_id not in self.profiles:
            raise StationError(f"本站设置的策略 {profile_id} 找不到：请检查策略文件夹。")
        return self.profiles[profile_id].profile


def initialize(
    station: Station,
    *,
    station_name: str,
    station_code: str,
    profile_id: str,
    head_name: str,
    head_phone: str,
    head_pin: str,
    demo: bool = False,
) -> str:
    """First run: the station's identity and its first 站长, in one transaction. Returns the 站长's operator id."""
    from station_tui.services.operators import create_operator

    if station.initialized:
        raise StationError(f"本数据库已初始化为 {station.station_name}（{station.station_code}），不能再次初始化。")
    station_name = station_name.strip()
    if not station_name:
        raise StationError("请填写供电所名称")
    if not STATION_CODE.match(station_code):
        raise StationError("供电所代码应为 2–10 位字母或数字（用于申请编号）")
    if profile_id not in station.profiles:
        raise StationError(f"没有编号为 {profile_id} 的策略，可选：{', '.join(station.profiles)}")
    store = station.store
    with store.transaction():
        store.record(
            ev.StationInitialized(
                settings={
                    "station_name": station_name,
                    "station_code": station_code.upper(),
                    "profile": profile_id,
                    "demo": demo,
                }
            ),
        )
        head = create_operator(station, name=head_name, role="head", phone=head_phone, pin=head_pin, by=None)
    station.__dict__.pop("profile", None)
    return head


def change_settings(station: Station, changes: dict, *, operator: str) -> None:
    station.store.record(ev.SettingsChanged(settings=changes), operator=operator)
    station.__dict__.pop("profile", None)
