"""The identity number's county code: a warning only for a code that never existed (issue 12).

A card carries the code of the county that issued it. Many counties got their present code after the holder was born
(红安县 421122 since 1995), so checking the county against the birth year warned most middle-aged customers."""

from __future__ import annotations

import pytest
from stdnum.cn import ric

from station_tui.domain.validation import resident_id

# Counties of Hubei, Henan, Hunan and Sichuan as their people's cards carry them today; each got the code after 1980.
REAL_COUNTIES = ["421122", "420115", "421181", "422801", "411302", "430181", "510116", "429004", "421281", "420984"]


def make_id(first17: str) -> str:
    return first17 + ric.calc_check_digit(first17 + "0")


@pytest.mark.parametrize("county", REAL_COUNTIES)
@pytest.mark.parametrize("born", ["19600315", "19800101", "19950704"])
def test_real_counties_do_not_warn_whatever_the_birth_year(county: str, born: str) -> None:
    assert resident_id(make_id(f"{county}{born}001")).warnings == ()


def test_a_county_since_merged_away_does_not_warn() -> None:
    assert resident_id(make_id("11010319800101001")).warnings == ()  # 崇文区, merged into 东城区 in 2010


@pytest.mark.parametrize("county", ["411399", "421199", "429999"])
def test_a_code_that_never_existed_warns(county: str) -> None:
    (warning,) = resident_id(make_id(f"{county}19800101001")).warnings
    assert f"地区码 {county} 不在已知行政区划表中" in warning
