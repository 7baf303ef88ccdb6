"""An export folder as the county reads it: its manifest, how each CSV file's columns map onto the contract, and
the checks of `export verify` in one reading of each file. Pure reading: nothing here writes to the county."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from station_tui.county.contract import (
    ENCODINGS,
    FORMAT,
    FORMAT_VERSION,
    GUARDED,
    MANIFEST,
    SNAPSHOT_FILES,
    FileContract,
    cell_sql,
    sql_type,
)
from station_tui.county.target import CsvLoad

# --- reading a folder -----------------------------------------------------------------------------------------------


def read_manifest(folder: Path) -> dict | None:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def station_of(folder: Path, manifest: dict | None) -> str:
    try:
        return str(manifest["station"]["code"])  # type: ignore[index]
    except (TypeError, KeyError):
        return folder.parent.name  # <outbox>/<station code>/<stamp>/


def foreign(manifest: dict) -> str:
    """Why a manifest is not one this loader reads ("" when it is)."""
    if manifest.get("format") != FORMAT:
        return f"不是 station-tui 的导出（格式 {manifest.get('format')!r}）"
    if manifest.get("format_version") != FORMAT_VERSION:
        return (
            f"导出格式版本 {manifest.get('format_version')} 本程序不认识（认识 {FORMAT_VERSION}）：请升级 station-tui"
        )
    if manifest.get("snapshot", "full") not in ("full", "partial"):
        return f"快照类型 {manifest.get('snapshot')!r} 无法识别"
    if manifest.get("headers") not in ("zh", "en"):
        return f"列名语言 {manifest.get('headers')!r} 无法识别"
    if manifest.get("encoding") not in ENCODINGS or not isinstance(manifest.get("files"), list):
        return f"{MANIFEST} 中的编码 {manifest.get('encoding')!r} 无法识别，或缺少文件清单"
    return ""


def csv_load(folder: Path, contract: FileContract, manifest: dict, station: str) -> CsvLoad:
    """How the file's columns map onto the contract's (any order; columns the county does not know are ignored)."""
    path = folder / contract.file
    with open(path, encoding=manifest["encoding"], newline="") as f:
        header = next(csv.reader(f), [])
    positions = contract.positions(header, manifest["headers"])
    missing = [c.name for c, p in zip(contract.columns, positions, strict=True) if p is None]
    if missing:
        raise ValueError(f"{contract.file} 缺少列 {'、'.join(missing)}")
    cells = [(c.name, cell_sql(c.kind), p) for c, p in zip(contract.columns, positions, strict=True)]
    numeric = frozenset(c.name for c in contract.columns if sql_type(c.kind) != "TEXT")
    guarded = any(c.kind in GUARDED for c in contract.columns)
    return CsvLoad(contract.table, station, path, manifest["encoding"], len(header), cells, "new", numeric, guarded)


# --- the checks of `export verify`, in one reading of each file ------------------------------------------------------
# `export verify` reads every CSV file twice (its SHA-256, then its records). Here each file's bytes are hashed once,
# and the records of the files loaded are counted as the database reads them; a folder that fails any check is
# refused with the reasons `export verify` gives (verify_folder runs then, on the bad folder only).


class CheckFailed(ValueError):
    """The folder does not match its manifest: the transaction is rolled back and the folder refused."""


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def count_records(path: Path, encoding: str) -> int:
    """Records, not lines (a notice's content spans lines inside one cell); the header is not counted."""
    with open(path, encoding=encoding, newline="") as f:
        return sum(1 for _ in csv.reader(f)) - 1


def matches(folder: Path, manifest: dict) -> bool:
    """Every file present with its size and SHA-256; the records of the files not loaded counted here."""
    listed = {str(entry.get("name", "")) for entry in manifest["files"]}
    if not {"events.csv", *SNAPSHOT_FILES} <= listed:
        return False
    for entry in manifest["files"]:
        name = str(entry.get("name", ""))
        path = folder / name
        if not name or Path(name).name != name or not path.is_file():
            return False
        if path.stat().st_size != entry.get("bytes") or sha256(path) != entry.get("sha256"):
            return False
        counted_later = name == "events.csv" or name in SNAPSHOT_FILES
        if (
            name.endswith(".csv")
            and not counted_later
            and count_records(path, manifest["encoding"]) != entry.get("rows")
        ):
            return False
    return True


def expect_rows(manifest: dict, name: str, read: int) -> None:
    expected = next(entry.get("rows") for entry in manifest["files"] if entry.get("name") == name)
    if read != expected:
        raise CheckFailed(f"{name} 有 {read} 行数据，清单记载 {expected} 行")
