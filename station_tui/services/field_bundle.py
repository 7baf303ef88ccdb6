"""The field bundle: the file a customer manager's laptop and the station exchange (issue 14).

A bundle is events. It is a zip file (standard library, deflate) holding `manifest.json`, `events.jsonl` (one event a
line, in the order the sender stored them) and `reference.json`. Zip rather than gzip'd JSON lines: each part has its
own name and CRC, a cut-off file loses its central directory and is refused whole, and a person at a Windows station
can open it in Explorer to see what it holds.

The manifest names the format and program version, the station code, the kind (checkout: station → laptop; pack:
laptop → station), each part's SHA-256, each device's sequence range, and an HMAC-SHA-256 with the station's key
over all of that. Reading refuses, in one Chinese sentence naming the file and what is wrong, a foreign station's
file, a cut-off or changed file, a gap in a device's sequence, an event stored here with other contents, and a
newer format or event version; it reads only, so a refused file changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import sqlite3
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import msgspec

from station_tui import __version__
from station_tui.domain.errors import StationError
from station_tui.store import Store, batch, catalogue
from station_tui.store.events import Event, dump_payload

FORMAT = 1
MANIFEST = "manifest.json"
EVENTS = "events.jsonl"
REFERENCE = "reference.json"
CHECKOUT = "checkout"
PACK = "pack"
_KIND_ZH = {CHECKOUT: "借出文件", PACK: "交回文件"}
_EVENT_LINE = msgspec.json.Decoder(Event)  # one line of events.jsonl, typed (a wrong type is refused)
_ZIP_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, KeyError, NotImplementedError, ValueError)


class BundleError(StationError):
    """A bundle this station cannot take: nothing was changed."""


@dataclass(frozen=True)
class Bundle:
    path: Path
    manifest: dict[str, Any]
    events: list[Event]
    reference: dict[str, Any]
    payloads: tuple[Any, ...] = ()  # each event's payload as catalogue.read gives it (read while verifying)

    @property
    def kind(self) -> str:
        return self.manifest["kind"]

    @property
    def device_code(self) -> str:
        return self.manifest["device_code"]

    @property
    def bundle_id(self) -> str:
        return self.manifest["bundle"]


def _event_data(event: Event) -> dict[str, Any]:
    return {
        "uuid": event.uuid,
        "device": event.device,
        "device_seq": event.device_seq,
        "type": event.type,
        "application": event.application,
        "payload": event.payload,
        "recorded_at": event.recorded_at,
        "operator": event.operator,
        "simulated": event.simulated,
        "version": event.version,
        "needs_program": event.needs_program,
    }


def _canonical(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _signature(key: str, manifest: dict[str, Any]) -> str:
    unsigned = {k: v for k, v in manifest.items() if k != "hmac"}
    return hmac.new(key.encode("ascii"), _canonical(unsigned), hashlib.sha256).hexdigest()


def _ranges(events: list[Event], whole: set[str]) -> dict[str, dict[str, Any]]:
    ranges: dict[str, dict[str, Any]] = {}
    for event in events:
        entry = ranges.setdefault(event.device, {"first": event.device_seq, "last": event.device_seq, "count": 0})
        entry["first"] = min(entry["first"], event.device_seq)
        entry["last"] = max(entry["last"], event.device_seq)
        entry["count"] += 1
    for device, entry in ranges.items():
        entry["whole"] = device in whole  # every event of the device from `first` to `last`, none left out
    return ranges


def write_bundle(
    path: Path,
    *,
    kind: str,
    bundle_id: str,
    station_code: str,
    device_code: str,
    key: str,
    events: Iterable[Event],
    reference: dict[str, Any],
    created_at: str,
    whole_devices: Iterable[str] = (),
) -> dict[str, Any]:
    """Write the bundle beside `path` and move it into place, so a reader never sees half a file. The manifest."""
    events = list(events)
    parts = {
        EVENTS: b"".join(_canonical(_event_data(e)) + b"\n" for e in events),
        REFERENCE: _canonical(reference),
    }
    manifest: dict[str, Any] = {
        "format": FORMAT,
        "program": __version__,
        "kind": kind,
        "bundle": bundle_id,
        "station_code": station_code,
        "device_code": device_code,
        "created_at": created_at,
        "parts": {name: hashlib.sha256(data).hexdigest() for name, data in parts.items()},
        "devices": _ranges(events, set(whole_devices)),
    }
    manifest["hmac"] = _signature(key, manifest)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True))
        for name, data in parts.items():
            archive.writestr(name, data)
    os.replace(partial, path)
    return manifest


def _damaged(path: Path, what: str) -> BundleError:
    return BundleError(f"外勤文件 {path} {what}：请让对方重新生成后再试，数据库未作任何改动。")


def _read_parts(path: Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    if not path.is_file():
        raise BundleError(f"外勤文件 {path} 不存在")
    try:
        with zipfile.ZipFile(path) as archive:
            manifest = json.loads(archive.read(MANIFEST).decode("utf-8"))
            parts = {name: archive.read(name) for name in (EVENTS, REFERENCE)}
    except _ZIP_ERRORS as exc:
        raise _damaged(path, f"不完整或已损坏（{exc}）") from exc
    if not isinstance(manifest, dict) or not isinstance(manifest.get("format"), int):
        raise _damaged(path, "的清单 manifest.json 不可读")
    return manifest, parts


def _check_manifest(path: Path, manifest: dict[str, Any], station_code: str | None, key: str | None) -> None:
    if manifest["format"] > FORMAT:
        raise BundleError(
            f"外勤文件 {path} 的格式版本 {manifest['format']} 比本程序支持的 {FORMAT} 新"
            f"（由 station-tui {manifest.get('program', '?')} 生成）：请先升级本程序，数据库未作任何改动。"
        )
    theirs = manifest.get("station_code")
    if station_code is not None and theirs != station_code:
        raise BundleError(
            f"外勤文件 {path} 属于供电所 {theirs}，不是本所 {station_code}：不能导入，数据库未作任何改动。"
        )
    if key is not None and not hmac.compare_digest(str(manifest.get("hmac", "")), _signature(key, manifest)):
        raise _damaged(path, "的签名与本所密钥不符（文件被改动过，或不是本所借出的设备生成的）")


def _check_parts(path: Path, manifest: dict[str, Any], parts: dict[str, bytes]) -> None:
    for name, data in parts.items():
        if hashlib.sha256(data).hexdigest() != manifest.get("parts", {}).get(name):
            raise _damaged(path, f"中的 {name} 与清单记录的 SHA-256 不符（内容被改动过）")


def _events(path: Path, data: bytes) -> list[Event]:
    events = []
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            events.append(_EVENT_LINE.decode(line))
        except (msgspec.DecodeError, UnicodeDecodeError) as exc:
            raise _damaged(path, f"中 {EVENTS} 第 {number} 行不是一条事件（{exc}）") from exc
    return events


def _check_sequences(path: Path, manifest: dict[str, Any], events: list[Event]) -> None:
    seen: dict[str, list[int]] = {}
    for event in events:
        seen.setdefault(event.device, []).append(event.device_seq)
    ranges = manifest.get("devices", {})
    if set(seen) != set(ranges):
        raise _damaged(path, "中事件的设备与清单不符")
    for device, numbers in seen.items():
        entry = ranges[device]
        numbers.sort()
        if (numbers[0], numbers[-1], len(numbers)) != (entry["first"], entry["last"], entry["count"]):
            raise _damaged(path, f"中设备 {device[:8]} 的事件序号与清单不符")
        missing = sorted(set(range(entry["first"], entry["last"] + 1)) - set(numbers)) if entry["whole"] else []
        if missing:
            shown = "、".join(str(n) for n in missing[:5])
            raise _damaged(path, f"中设备 {device[:8]} 的事件序号不连续：缺少第 {shown} 号")


def _check_versions(path: Path, events: list[Event]) -> tuple[Any, ...]:
    """Each event's payload, read as this program reads it; an event it cannot read refuses the file."""
    payloads = []
    for event in events:
        try:
            payloads.append(catalogue.read(event))
        except catalogue.UnknownEventError as exc:
            raise BundleError(f"外勤文件 {path}：{exc}数据库未作任何改动。") from exc
    return tuple(payloads)


def read_bundle(path: Path, *, station_code: str | None, key: str | None, kind: str) -> Bundle:
    """Read and verify a bundle (nothing is written). `station_code`/`key` None: not known yet (a new laptop)."""
    path = Path(path)
    manifest, parts = _read_parts(path)
    _check_manifest(path, manifest, station_code, key)
    _check_parts(path, manifest, parts)
    if manifest.get("kind") != kind:
        raise BundleError(
            f"外勤文件 {path} 是{_KIND_ZH.get(manifest.get('kind'), '未知文件')}，这里需要{_KIND_ZH[kind]}"
        )
    events = _events(path, parts[EVENTS])
    _check_sequences(path, manifest, events)
    payloads = _check_versions(path, events)
    return Bundle(path, manifest, events, json.loads(parts[REFERENCE].decode("utf-8")), payloads)


_STORED_COLUMNS = (
    "uuid", "device", "device_seq", "type", "application", "payload", "recorded_at", "operator", "simulated", "version",
    "needs_program",
)  # fmt: skip


def _stored_data(store: Store, events: list[Event]) -> dict[str, dict[str, Any]]:
    """The rows this log already holds of the bundle's events, by UUID (one query)."""
    uuids = json.dumps([e.uuid for e in events])
    rows = store.conn.execute(
        f"SELECT {', '.join(_STORED_COLUMNS)} FROM events WHERE uuid IN (SELECT value FROM json_each(?))", (uuids,)
    )
    return {row[0]: dict(zip(_STORED_COLUMNS, row, strict=True)) for row in rows}


def _taken_numbers(store: Store, manifest: dict[str, Any]) -> dict[tuple[str, int], str]:
    """(device, device_seq) → UUID of this log's events in the range each of the bundle's devices covers."""
    taken: dict[tuple[str, int], str] = {}
    for device, entry in manifest["devices"].items():
        for seq, uuid in store.conn.execute(
            "SELECT device_seq, uuid FROM events WHERE device = ? AND device_seq BETWEEN ? AND ?",
            (device, entry["first"], entry["last"]),
        ):
            taken[(device, seq)] = uuid
    return taken


def _as_row(event: Event) -> dict[str, Any]:
    row = _event_data(event)
    row.update(payload=dump_payload(event.payload), simulated=int(event.simulated))
    return row


def check_against(store: Store, bundle: Bundle) -> set[str]:
    """Refuse a bundle whose event is stored here with other contents, or whose device sequence would leave a gap.
    The UUIDs of its events this log holds already."""
    known = _stored_data(store, bundle.events)
    taken = _taken_numbers(store, bundle.manifest)
    for event in bundle.events:
        stored = known.get(event.uuid)
        if stored is not None and stored != _as_row(event):
            raise BundleError(
                f"外勤文件 {bundle.path} 中的事件 {event.uuid}（{catalogue.label(event.type)}）与本库已有的同一事件"
                "内容不同：文件或本库被改动过，数据库未作任何改动。"
            )
        if stored is None:
            other = taken.get((event.device, event.device_seq))
            if other is not None:
                raise BundleError(
                    f"外勤文件 {bundle.path} 中设备 {event.device[:8]} 的第 {event.device_seq} 号事件与本库已有的"
                    f"事件 {other} 不同：数据库未作任何改动。"
                )
    for device, entry in bundle.manifest["devices"].items():
        have = store.one("SELECT coalesce(max(device_seq), 0) FROM events WHERE device = ?", (device,))
        if entry["whole"] and entry["first"] > have + 1:
            raise _damaged(bundle.path, f"中设备 {device[:8]} 的事件从第 {entry['first']} 号开始，本库只到第 {have} 号")

    return set(known)


def merge(store: Store, bundle: Bundle) -> list[Event]:
    """Add the events this database does not have (by UUID) and project them, all or nothing: the rows in one
    executemany, the projection in batches (store/batch.py), the tables as adding them one by one would leave them.
    The events added."""
    known = check_against(store, bundle)
    payloads = bundle.payloads or tuple(map(catalogue.read, bundle.events))
    new: dict[str, tuple[Event, Any]] = {}
    for event, payload in zip(bundle.events, payloads, strict=True):
        if event.uuid not in known:
            new.setdefault(event.uuid, (event, payload))  # the first of a UUID the file holds twice, as one by one
    # Inside a caller's transaction (checkin, open) the merge joins it, and the caller's rollback undoes it all: a
    # savepoint there would first copy every page the merge changes into a sub-journal (about 60 MB for a checkin of
    # 10,000 events into the 200,000-application demo).
    joined = contextlib.nullcontext(store.conn) if store.conn.in_transaction else None
    try:
        with joined or store.transaction() as conn:
            batch.add(conn, list(new.values()))
    except sqlite3.DatabaseError as exc:
        raise BundleError(f"外勤文件 {bundle.path} 中的事件无法并入本库（{exc}）：数据库未作任何改动。") from exc
    return [event for event, _ in new.values()]
