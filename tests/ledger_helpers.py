"""Ledger files as a station would bring them: valid rows with real-world shapes, written in a chosen encoding."""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

from stdnum.cn import ric, uscc

HEADER = ["受理时间", "业务类型", "客户名称", "证件号码", "联系电话", "用电地址", "申请容量（千瓦）", "已收资料"]


def resident_id(rng: random.Random) -> str:
    body = f"411302{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    return body + ric.calc_check_digit(body + "0")


def credit_code(rng: random.Random) -> str:
    body = "91411302" + "".join(rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return body + uscc.calc_check_digit(body)


def rows(count: int, seed: int = 1) -> list[list[str]]:
    rng = random.Random(seed)
    out = []
    for i in range(count):
        day = 1 + i % 20
        if i % 3 == 0:
            out.append(
                [f"2026-11-{day:02d} 09:{i % 60:02d}", "低压非居民新装", f"邾县五金经营部{i}", credit_code(rng),
                 f"0371-6{i % 10000000:07d}", f"邾县城关镇北关街{i}号", "30", "主体证明"]
            )  # fmt: skip
        else:
            out.append(
                [f"2026/11/{day} 10:{i % 60:02d}", "低压居民新装", f"张秀兰{i}", resident_id(rng).lower(),
                 f"138 {i % 10000:04d} {i % 10000:04d}", f"邾县城关镇南街{i}号", "8", "全部"]
            )  # fmt: skip
    return out


def write(path: Path, body: list[list[str]], *, encoding: str = "utf-8-sig", header: list[str] = HEADER) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows(body)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path
