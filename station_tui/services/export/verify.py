"""`station-tui export verify DIR`: what the county runs before loading a folder. Checks the folder against its
manifest: every file present, its size, its SHA-256 and its number of rows. Needs nothing but the folder."""

from __future__ import annotations

import csv
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from station_tui.services.export.files import ENCODINGS, TEMP_SUFFIX

MANIFEST = "manifest.json"


@dataclass
class Verification:
    folder: Path
    problems: list[str] = field(default_factory=list)
    files: int = 0
    event_range: tuple[int, int] | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
            size += len(block)
    return digest.hexdigest(), size


def _csv_rows(path: Path, encoding: str) -> int:
    """Records, not lines: a notice's content spans lines inside one quoted cell. The header is not counted."""
    with open(path, encoding=encoding, newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def _read_manifest(folder: Path, result: Verification) -> dict | None:
    path = folder / MANIFEST
    if not folder.is_dir():
        result.problems.append(f"{folder} 不是文件夹或不存在")
        return None
    if not path.exists():
        partial = any(p.name.endswith(TEMP_SUFFIX) for p in folder.iterdir())
        hint = "（有未写完的临时文件）" if partial else ""
        result.problems.append(f"缺少 {MANIFEST}：这是一次未完成的导出{hint}，不要读取")
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files = manifest["files"]
        encoding = manifest["encoding"]
        events = manifest["events"]
    except (ValueError, KeyError, TypeError) as exc:
        result.problems.append(f"{MANIFEST} 无法读取或缺少项目：{exc}")
        return None
    if encoding not in ENCODINGS:
        result.problems.append(f"{MANIFEST} 中的编码 {encoding} 无法识别")
        return None
    result.event_range = (events.get("first_seq"), events.get("last_seq"))
    return {"files": files, "encoding": encoding}


def _check_file(folder: Path, entry: dict, encoding: str, result: Verification) -> None:
    name = entry.get("name", "")
    path = folder / name
    if not name or Path(name).name != name:
        result.problems.append(f"{MANIFEST} 中有不合法的文件名：{name!r}")
        return
    if not path.is_file():
        result.problems.append(f"缺少文件 {name}")
        return
    digest, size = _sha256(path)
    if size != entry.get("bytes"):
        result.problems.append(f"{name} 的大小是 {size} 字节，清单记载 {entry.get('bytes')} 字节")
    if digest != entry.get("sha256"):
        result.problems.append(f"{name} 的 SHA-256 与清单不符：文件被改动或损坏")
    if name.endswith(".csv"):
        try:
            rows = _csv_rows(path, encoding)
        except (UnicodeDecodeError, csv.Error) as exc:
            result.problems.append(f"{name} 无法按 {encoding} 读取：{exc}")
            return
        if rows != entry.get("rows"):
            result.problems.append(f"{name} 有 {rows} 行数据，清单记载 {entry.get('rows')} 行")
    result.files += 1


def verify_folder(folder: Path) -> Verification:
    result = Verification(Path(folder))
    manifest = _read_manifest(result.folder, result)
    if manifest is None:
        return result
    for entry in manifest["files"]:
        _check_file(result.folder, entry, manifest["encoding"], result)
    return result
