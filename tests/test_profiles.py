"""The five policy profiles in data/profiles/: they load, cover every application, give the seeds' answers; broken files
are refused with a message naming the file, the key and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from station_tui.domain.errors import ConfigError
from station_tui.domain.profiles import (
    ApplicationAttributes,
    Profile,
    load_profile,
    load_profiles,
    uncovered_combinations,
)
from station_tui.paths import data_dir

PROFILE_IDS = {"zhuxian-2020", "sanxia-2021", "kaili-2021", "wuhai-2023", "guidong-2018"}


@pytest.fixture(scope="module")
def profiles() -> dict[str, Profile]:
    return {pid: loaded.profile for pid, loaded in load_profiles([data_dir() / "profiles"]).items()}


def test_all_five_profiles_load_from_their_files(profiles: dict[str, Profile]) -> None:
    assert set(profiles) == PROFILE_IDS
    loaded = load_profiles([data_dir() / "profiles"])
    for pid, item in loaded.items():
        assert item.source.name == f"{pid}.toml"
        assert item.profile.seed.endswith(".txt")


@pytest.mark.parametrize("pid", sorted(PROFILE_IDS))
def test_rules_cover_every_combination(profiles: dict[str, Profile], pid: str) -> None:
    assert uncovered_combinations(profiles[pid]) == []


@pytest.mark.parametrize("pid", sorted(PROFILE_IDS))
def test_common_defaults(profiles: dict[str, Profile], pid: str) -> None:
    p = profiles[pid]
    assert p.rest_day_receipt_next_workday is False
    assert p.warning.warn_days == 2
    assert (p.reservation.phone_to_work_order_minutes, p.reservation.online_confirm_hours) == (20, 18)
    assert "12398" in {h.number for h in p.hotlines}
    assert p.fee_statement
    for category in p.categories:
        assert category.stages, category.id


def test_hotlines_as_the_seeds_name_them(profiles: dict[str, Profile]) -> None:
    numbers = {pid: {h.number for h in p.hotlines} for pid, p in profiles.items()}
    assert numbers["wuhai-2023"] == {"95598", "12398", "12345"}
    assert numbers["guidong-2018"] == {"966068", "12398"}
    assert numbers["zhuxian-2020"] == {"95598", "12398"}
    assert "高可靠性供电费" in profiles["zhuxian-2020"].fee_statement


def _attrs(business_type: str = "lv_resident", voltage: str = "low", resident: bool = True, **flags: bool):
    return ApplicationAttributes(business_type, voltage, resident, **flags)


def _answer(profile: Profile, **kwargs) -> tuple[str, int, str]:  # noqa: ANN003
    category = profile.category_for(_attrs(**kwargs))
    return category.id, category.limit, category.unit


def test_zhuxian_answers(profiles: dict[str, Profile]) -> None:
    p = profiles["zhuxian-2020"]
    assert _answer(p) == ("lv_no_works", 2, "workday")
    assert _answer(p, supporting_works=True) == ("lv_works", 5, "workday")
    assert _answer(p, business_type="lv_nonresident", resident=False, small_micro=True) == (
        "lv_small_micro",
        15,
        "workday",
    )
    assert _answer(p, business_type="hv_new", voltage="high", resident=False) == ("hv", 16, "workday")
    assert _answer(p, business_type="hv_new", voltage="high", resident=False, important=True)[1] == 21
    low = p.category("lv_no_works")
    assert [s.name for s in low.stages] == ["用电申请", "客户外部工程实施", "装表送电"]
    assert [s.customer_side for s in low.stages] == [False, True, False]
    assert [s.name for s in p.category("lv_small_micro").stages] == ["用电申请", "装表送电"]
    assert [s.name for s in p.category("hv").stages] == ["用电申请", "供电方案答复", "客户外部工程实施", "装表接电"]
    important = {s.name: s.limit for s in p.category("hv_important").stages}
    assert important["设计审查"] == 3 and important["中间检查"] == 2
    works = {(w.voltage, w.item): w.limit for w in p.supporting_works}
    assert len(works) == 13
    assert works[("低压", "非小微企业")] == 3 and works[("低压", "小微企业")] == 13
    assert works[("10千伏", "线路T接")] == 7 and works[("110千伏", "新建电缆线路及其他")] == 180
    assert p.small_micro_max_kw == 160 and p.three_zero_max_kw == 160


def test_sanxia_answers(profiles: dict[str, Profile]) -> None:
    p = profiles["sanxia-2021"]
    assert _answer(p, business_type="hv_new", voltage="high", resident=False) == ("hv", 20, "calendar_day")
    assert _answer(p, business_type="lv_nonresident", resident=False, small_micro=True) == (
        "lv_small_micro",
        8,
        "workday",
    )
    assert _answer(p)[0] == "lv_other"


def test_kaili_answers(profiles: dict[str, Profile]) -> None:
    p = profiles["kaili-2021"]
    assert _answer(p) == ("lv_resident", 5, "workday")
    assert _answer(p, business_type="lv_nonresident", resident=False, three_zero=True)[1] == 15
    assert _answer(p, business_type="lv_nonresident", resident=False)[1] == 6
    assert _answer(p, business_type="hv_new", voltage="high", resident=False)[1] == 22
    assert _answer(p, business_type="hv_new", voltage="high", resident=False, dual_supply=True)[1] == 30
    assert len(p.category("lv_resident").stages) == 2
    assert len(p.category("lv_nonresident").stages) == 3
    assert len(p.category("hv_single").stages) == 3


def test_wuhai_answers(profiles: dict[str, Profile]) -> None:
    p = profiles["wuhai-2023"]
    assert _answer(p)[1] == 4
    nonres = {"business_type": "lv_nonresident", "resident": False}
    assert _answer(p, **nonres, three_zero=True)[1] == 10
    assert _answer(p, **nonres, three_zero=True, distribution_upgrade=True)[1] == 15
    assert _answer(p, **nonres)[1] == 6
    hv = {"business_type": "hv_new", "voltage": "high", "resident": False}
    assert _answer(p, **hv)[1] == 15
    assert _answer(p, **hv, dual_supply=True) == ("hv_dual", 20, "workday")
    assert [(w.voltage, w.limit) for w in p.supporting_works] == [("10千伏", 45)]
    assert all(len(c.stages) == 2 for c in p.categories)


def test_guidong_answers(profiles: dict[str, Profile]) -> None:
    p = profiles["guidong-2018"]
    assert _answer(p) == ("lv_resident", 22, "workday")
    assert _answer(p, business_type="lv_nonresident", resident=False, small_micro=True) == (
        "lv_small_micro",
        25,
        "workday",
    )
    assert [s.name for s in p.category("lv_small_micro").stages] == ["用户报装", "验收接表接电"]
    assert p.three_zero_max_kw is None


# ---------------------------------------------------------------------------------------------------------------
# Broken profiles: each case its own file in tmp_path.

VALID = """\
id = "test-1"
name = "测试公司"
company = "测试供电公司"
document = "测〔2024〕1号"
year = 2024
seed = "none.txt"
hotlines = [{ name = "能源监管热线", number = "12398" }]
online_channels = ["微信公众号"]
fee_statement = "办电零服务费"
small_micro_max_kw = 160

[[categories]]
id = "low"
name = "低压"
limit = 2
stages = [{ name = "用电申请" }, { name = "装表送电" }]

[[categories]]
id = "high"
name = "高压"
limit = 16
stages = [{ name = "用电申请" }, { name = "装表接电" }]

[[rules]]
category = "high"
voltage = "high"

[[rules]]
category = "low"
"""


def _write(tmp_path: Path, text: str, name: str = "broken.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(tmp_path: Path, text: str) -> str:
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_profile(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_valid_fixture_loads(tmp_path: Path) -> None:
    profile = load_profile(_write(tmp_path, VALID))
    assert uncovered_combinations(profile) == []


def test_bad_toml_syntax(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace("limit = 2\n", "limit = = 2\n"))
    assert "TOML 语法有误" in message
    assert "line 15" in message


def test_missing_required_key(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace('company = "测试供电公司"\n', ""))
    assert "缺少必填项 company" in message


def test_missing_required_key_in_category(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace("limit = 16\n", ""))
    assert "categories[1]" in message and "缺少必填项 limit" in message


def test_wrong_type(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace("limit = 2\n", 'limit = "2"\n'))
    assert "键 categories[0].limit" in message and "类型不对" in message


def test_unknown_unit_value(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace("limit = 2\n", 'limit = 2\nunit = "workdays"\n'))
    assert "键 categories[0].unit" in message and "不在允许范围内" in message


def test_unknown_category_in_rule(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace('category = "high"', 'category = "hihg"'))
    assert "键 rules[0].category" in message and "未定义的类别 hihg" in message


def test_negative_limit(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace("limit = 2\n", "limit = -2\n"))
    assert "键 categories[0].limit" in message and "应为不小于 1 的数" in message


def test_zero_limit(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace("limit = 16\n", "limit = 0\n"))
    assert "键 categories[1].limit" in message and "应为不小于 1 的数" in message


def test_zero_stage_limit(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace('{ name = "装表送电" }', '{ name = "装表送电", limit = 0 }'))
    assert "键 categories[0].stages[1].limit" in message and "应为不小于 1 的数" in message


def test_unknown_key_typo(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace("limit = 2\n", "limit = 2\nlimt = 2\n"))
    assert "键 categories[0]" in message and "不认识的键 limt" in message


def test_unknown_top_level_key(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace("small_micro_max_kw = 160\n", "small_micro_max_kv = 160\n"))
    assert "不认识的键 small_micro_max_kv" in message


def test_duplicate_category_id(tmp_path: Path) -> None:
    message = _error(
        tmp_path, VALID.replace('id = "high"', 'id = "low"').replace('category = "high"', 'category = "low"')
    )
    assert "categories" in message and "类别编号重复：low" in message


def test_unknown_business_type(tmp_path: Path) -> None:
    message = _error(tmp_path, VALID.replace('voltage = "high"\n', 'voltage = "high"\nbusiness_types = ["hv_nwe"]\n'))
    assert "键 rules[0].business_types" in message and "未知的业务类型 hv_nwe" in message


def test_empty_categories(tmp_path: Path) -> None:
    text = VALID.split("[[categories]]")[0] + 'categories = []\nrules = [{ category = "low" }]\n'
    message = _error(tmp_path, text)
    assert "键 categories" in message and "至少需要 1 项" in message


def test_duplicate_profile_id_across_two_files(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    first.mkdir()
    second.mkdir()
    _write(first, VALID, "one.toml")
    _write(second, VALID, "two.toml")
    with pytest.raises(ConfigError) as info:
        load_profiles([first, second])
    message = str(info.value)
    assert "策略编号 test-1 重复" in message
    assert str(first / "one.toml") in message and str(second / "two.toml") in message


def test_county_profile_folder_adds_to_the_shipped_ones(tmp_path: Path) -> None:
    _write(tmp_path, VALID, "county.toml")
    loaded = load_profiles([data_dir() / "profiles", tmp_path])
    assert set(loaded) == PROFILE_IDS | {"test-1"}


def test_missing_profile_folder(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="策略文件夹不存在"):
        load_profiles([tmp_path / "nowhere"])


def test_rules_not_covering_a_combination(tmp_path: Path) -> None:
    text = VALID.replace(
        '[[rules]]\ncategory = "low"\n', '[[rules]]\ncategory = "low"\nvoltage = "low"\nresident = true\n'
    )
    profile = load_profile(_write(tmp_path, text))
    missing = uncovered_combinations(profile)
    assert missing
    assert all(a.voltage == "low" and not a.resident for a in missing)
    with pytest.raises(ConfigError, match="没有适用于该申请的时限类别"):
        profile.category_for(missing[0])
