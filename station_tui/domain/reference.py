"""Reading reference data files (TOML) into strict msgspec structs, with messages that name file, key and problem."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import TypeVar

import msgspec

from station_tui.domain.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

T = TypeVar("T")

# msgspec speaks English; a county office clerk editing a file reads Chinese.
_TRANSLATIONS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"Object missing required field `(\w+)`"), r"缺少必填项 \1"),
    (re.compile(r"Object contains unknown field `(\w+)`"), r"不认识的键 \1（拼写错误？）"),
    (re.compile(r"Expected `(\w+)` >= (\S+)"), r"应为不小于 \2 的数（\1）"),
    (re.compile(r"Expected `(\w+)` > (\S+)"), r"应为大于 \2 的数（\1）"),
    (re.compile(r"Expected `(\w+)` <= (\S+)"), r"应为不大于 \2 的数（\1）"),
    (re.compile(r"Expected `(\w+)` of length >= (\d+)"), r"至少需要 \2 项（\1）"),
    (re.compile(r"Expected `(.+?)`, got `(.+?)`"), r"类型不对：应为 \1，实为 \2"),
    (re.compile(r"Invalid enum value (.+)"), r"取值 \1 不在允许范围内"),
]


def _translate(detail: str) -> str:
    for pattern, replacement in _TRANSLATIONS:
        if pattern.search(detail):
            return pattern.sub(replacement, detail)
    return detail


def _split_path(message: str) -> tuple[str, str]:
    """msgspec ends its messages with ' - at `$.a[0].b`'; turn that into the key a person edits."""
    if " - at `" in message:
        detail, _, where = message.rpartition(" - at `")
        return detail, where.rstrip("`").removeprefix("$.").removeprefix("$")
    return message, ""


def decode_toml(path: Path, kind: type[T]) -> T:
    """Parse and validate one TOML file; every failure is a ConfigError naming the file, the key and the problem."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 不是 UTF-8 编码：第 {exc.start} 字节") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"配置文件 {path} 的 TOML 语法有误：{exc}") from exc
    except OSError as exc:
        raise ConfigError(f"无法读取配置文件 {path}：{exc.strerror or exc}") from exc
    try:
        return msgspec.convert(raw, kind, strict=True)
    except msgspec.ValidationError as exc:
        detail, key = _split_path(str(exc))
        where = f"键 {key}：" if key else ""
        raise ConfigError(f"配置文件 {path} 有误：{where}{_translate(detail)}") from exc
