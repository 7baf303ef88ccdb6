"""Policy profiles: one company's time limits, categories, stages and contacts, read from data/profiles/*.toml."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Annotated, Literal

import msgspec

from station_tui.domain.errors import ConfigError
from station_tui.domain.reference import decode_toml

PositiveInt = Annotated[int, msgspec.Meta(gt=0)]
NonNegativeInt = Annotated[int, msgspec.Meta(ge=0)]
PositiveFloat = Annotated[float, msgspec.Meta(gt=0)]
NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]

BUSINESS_TYPE_IDS = (
    "lv_resident",
    "lv_nonresident",
    "hv_new",
    "well_private",
    "well_collective",
    "ev_resident",
    "ev_nonresident",
    "base_station_5g",
)


class _Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True):
    pass


class Hotline(_Strict):
    name: NonEmpty
    number: NonEmpty


class StageSpec(_Strict):
    name: NonEmpty
    limit: PositiveInt | None = None
    # Time in a customer-side stage (the customer's own external works) does not count against the utility's limit.
    customer_side: bool = False


class Category(_Strict):
    id: NonEmpty
    name: NonEmpty
    limit: PositiveInt
    stages: Annotated[list[StageSpec], msgspec.Meta(min_length=1)]
    unit: Literal["workday", "calendar_day"] = "workday"
    note: str = ""


class Rule(_Strict):
    """First matching rule wins; a key left out matches any value."""

    category: NonEmpty
    voltage: Literal["low", "high"] | None = None
    resident: bool | None = None
    small_micro: bool | None = None
    three_zero: bool | None = None
    supporting_works: bool | None = None
    dual_supply: bool | None = None
    important: bool | None = None
    distribution_upgrade: bool | None = None
    business_types: list[str] | None = None


class SupportingWorksLimit(_Strict):
    voltage: NonEmpty
    item: NonEmpty
    limit: PositiveInt


class WarningLevels(_Strict):
    warn_days: NonNegativeInt = 2


class ReservationClocks(_Strict):
    phone_to_work_order_minutes: PositiveInt = 20
    online_confirm_hours: PositiveInt = 18


class Profile(_Strict):
    id: NonEmpty
    name: NonEmpty
    company: NonEmpty
    document: NonEmpty
    year: Annotated[int, msgspec.Meta(ge=2000, le=2100)]
    seed: NonEmpty
    hotlines: Annotated[list[Hotline], msgspec.Meta(min_length=1)]
    online_channels: list[NonEmpty]
    fee_statement: NonEmpty
    small_micro_max_kw: PositiveFloat
    categories: Annotated[list[Category], msgspec.Meta(min_length=1)]
    rules: Annotated[list[Rule], msgspec.Meta(min_length=1)]
    three_zero_max_kw: PositiveFloat | None = None
    rest_day_receipt_next_workday: bool = False
    warning: WarningLevels = WarningLevels()
    reservation: ReservationClocks = ReservationClocks()
    supporting_works: list[SupportingWorksLimit] = []
    # The month's termination rate (报装工单终止率) must stay below this share; None where the seed is silent.
    termination_rate_max: Annotated[float, msgspec.Meta(gt=0, lt=1)] | None = None

    def category(self, category_id: str) -> Category:
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(category_id)

    def category_for(self, attrs: ApplicationAttributes) -> Category:
        for rule in self.rules:
            if _matches(rule, attrs):
                return self.category(rule.category)
        raise ConfigError(f"策略 {self.id} 没有适用于该申请的时限类别")


@dataclass(frozen=True)
class ApplicationAttributes:
    """What a profile's rules look at to choose an application's category."""

    business_type: str
    voltage: str
    resident: bool
    small_micro: bool = False
    three_zero: bool = False
    supporting_works: bool = False
    dual_supply: bool = False
    important: bool = False
    distribution_upgrade: bool = False


_RULE_KEYS = [f.name for f in fields(ApplicationAttributes) if f.name != "business_type"]


def _matches(rule: Rule, attrs: ApplicationAttributes) -> bool:
    if rule.business_types is not None and attrs.business_type not in rule.business_types:
        return False
    return all(getattr(rule, key) is None or getattr(rule, key) == getattr(attrs, key) for key in _RULE_KEYS)


@dataclass(frozen=True)
class LoadedProfile:
    profile: Profile
    source: Path


def _check_consistency(profile: Profile, path: Path) -> None:
    """What a schema cannot say: ids unique and known, and every application finds a category."""
    ids = [c.id for c in profile.categories]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ConfigError(f"配置文件 {path} 有误：categories 中类别编号重复：{', '.join(duplicates)}")
    for index, rule in enumerate(profile.rules):
        if rule.category not in ids:
            raise ConfigError(f"配置文件 {path} 有误：键 rules[{index}].category：未定义的类别 {rule.category}")
        for business_type in rule.business_types or []:
            if business_type not in BUSINESS_TYPE_IDS:
                raise ConfigError(
                    f"配置文件 {path} 有误：键 rules[{index}].business_types：未知的业务类型 {business_type}"
                )


def uncovered_combinations(profile: Profile) -> list[ApplicationAttributes]:
    """Attribute combinations no rule matches: checked by the tests and `station-tui profiles`, not at every start."""
    missing = []
    for business_type, voltage, *flags in itertools.product(
        BUSINESS_TYPE_IDS, ("low", "high"), *[(False, True)] * (len(_RULE_KEYS) - 1)
    ):
        attrs = ApplicationAttributes(business_type, voltage, *flags)
        if not any(_matches(rule, attrs) for rule in profile.rules):
            missing.append(attrs)
    return missing


def load_profile(path: Path) -> Profile:
    profile = decode_toml(path, Profile)
    _check_consistency(profile, path)
    return profile


def load_profiles(folders: list[Path]) -> dict[str, LoadedProfile]:
    """All profiles in the folders, in order; a broken file or a duplicated id stops the load."""
    found: dict[str, LoadedProfile] = {}
    for folder in folders:
        if not folder.is_dir():
            raise ConfigError(f"策略文件夹不存在：{folder}")
        for path in sorted(folder.glob("*.toml")):
            profile = load_profile(path)
            if profile.id in found:
                raise ConfigError(f"策略编号 {profile.id} 重复：{found[profile.id].source} 与 {path}")
            found[profile.id] = LoadedProfile(profile, path)
    return found
