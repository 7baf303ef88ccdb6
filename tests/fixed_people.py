"""Names, numbers and addresses for test data that do not change with Faker's releases.

The demo draws its people from Faker; a snapshot drawn from Faker changes whenever Faker's zh_CN lists do. Tests that
compare screens pass this instead: the same seed gives the same people on every machine, whatever is installed.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from stdnum.cn import ric

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = [
    "建国",
    "秀英",
    "伟",
    "强",
    "静",
    "敏",
    "丽",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "超",
    "霞",
    "平",
    "刚",
    "桂英",
]
# Counties that exist today and existed in every birth year drawn below (红安县, 麻城市, 黄州区, 大悟县, 孝昌县): the
# identity check warns for a county code its table does not list for the birth year.
COUNTIES = ["421122", "421181", "421102", "420922", "420921"]
PLACES = ["红安县", "麻城市", "黄州区", "大悟县", "孝昌县"]
TOWNS = ["城关镇", "七里坪镇", "华家河镇", "二程镇", "永佳河镇", "杏花乡", "八里湾镇"]
VILLAGES = ["新桥村", "柳林村", "河口村", "石门村", "桃园村", "长岭村"]
COMPANY_KINDS = ["农业合作社", "商贸有限公司", "建材厂", "养殖场", "农家乐", "五金店"]
MOBILE_PREFIXES = ["138", "139", "135", "136", "150", "151", "186", "187", "133", "153", "177", "180"]


class FixedPeople:
    """The part of Faker's interface the demo uses."""

    def __init__(self) -> None:
        self._rng = random.Random(0)

    def seed_instance(self, seed: int) -> None:
        self._rng = random.Random(seed)

    def name(self) -> str:
        return self._rng.choice(SURNAMES) + self._rng.choice(GIVEN)

    def company(self) -> str:
        return f"{self._rng.choice(TOWNS)[:2]}{self._rng.choice(GIVEN)}{self._rng.choice(COMPANY_KINDS)}"

    def ssn(self) -> str:
        born = date(1996, 1, 1) + timedelta(days=self._rng.randrange(365 * 8))
        body = f"{self._rng.choice(COUNTIES)}{born:%Y%m%d}{self._rng.randrange(1000):03d}"
        return body + ric.calc_check_digit(body + "0")  # it takes the number with a check digit in place

    def phone_number(self) -> str:
        return self._rng.choice(MOBILE_PREFIXES) + f"{self._rng.randrange(10**8):08d}"

    def address(self) -> str:
        town, village = self._rng.choice(TOWNS), self._rng.choice(VILLAGES)
        # Varied from the first characters on, so that a fragment of one address finds a handful, as at a station.
        return f"{self._rng.choice(PLACES)}{town}{village}{self._rng.randint(1, 30)}组"
