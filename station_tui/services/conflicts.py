"""The 站长's decision on a conflict (issue 14): an application both the station and a laptop (or two laptops) moved
from the same state. Each side is a device's line: its transitions of the application from the clash on. The 站长
keeps one line; the others' transitions are set aside by a `conflict.decided` event (kept in the log for the audit
trail, no longer projected) and the flag clears (store/conflicts.py re-projects the application without them).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from station_tui.domain.errors import StationError
from station_tui.domain.glossary import APPLICATION_STATUSES, DOCUMENT_STATUSES, zh
from station_tui.services.station import Station
from station_tui.store import catalogue
from station_tui.store import payloads as ev
from station_tui.store.events import EVENT_COLUMNS, Event


@dataclass(frozen=True)
class Move:
    """One transition in a side's line."""

    event: str
    label: str
    recorded_at: str
    operator: str
    from_state: str


@dataclass(frozen=True)
class Side:
    device: str
    where: str  # 供电所 / 外勤设备 02
    moves: list[Move]


@dataclass(frozen=True)
class Conflict:
    application: str
    number: str
    customer: str
    state: str  # what the application shows now
    sides: list[Side]


def _state_words(state: str) -> str:
    """open@3 → 办理中·第 3 环节 (the transition's from_state as a clerk reads it)."""
    status, _, stage = state.partition("@")
    if stage:
        return f"{zh(APPLICATION_STATUSES, status)}·第 {stage} 环节"
    words = zh(APPLICATION_STATUSES, status)
    return zh(DOCUMENT_STATUSES, status) if words == status else words


def _where(station: Station, device: str) -> str:
    # Events carry the device id, not its short code: a laptop is told apart by the start of its id.
    return "供电所" if device == station.store.device_id else f"外勤电脑 {device[:8]}"


def conflicts(station: Station) -> list[Conflict]:
    """Every application in conflict, each side with its line of transitions from the clash on."""
    store = station.store
    apps = [r["application"] for r in store.rows("SELECT DISTINCT application FROM conflicts ORDER BY application")]
    return sorted((_conflict(station, app) for app in apps), key=lambda c: c.number)


def _conflict(station: Station, application: str) -> Conflict:
    store = station.store
    names = {r["uuid"]: r["name"] for r in store.rows("SELECT uuid, name FROM operators")}
    app = store.rows(
        "SELECT number, customer_name, status, current_stage FROM applications WHERE uuid = ?", (application,)
    )[0]
    clashing: set[str] = set()
    for row in store.rows("SELECT event, others FROM conflicts WHERE application = ?", (application,)):
        clashing |= {row["event"], *json.loads(row["others"])}
    events = [
        Event.from_row(r)
        for r in store.conn.execute(
            f"SELECT {EVENT_COLUMNS} FROM events WHERE application = ? ORDER BY device, device_seq", (application,)
        )
    ]
    first = {}  # device → device_seq of its first clashing transition
    for e in events:
        if e.uuid in clashing:
            first.setdefault(e.device, e.device_seq)
    sides = []
    for device, start in sorted(first.items()):
        moves = []
        for e in events:
            payload = catalogue.read(e)
            if e.device == device and e.device_seq >= start and hasattr(payload, "from_state"):
                who = names.get(e.operator or "", "（未记录）")
                moves.append(
                    Move(e.uuid, catalogue.label(e.type), e.recorded_at, who, _state_words(payload.from_state))
                )
        sides.append(Side(device, _where(station, device), moves))
    state = f"{app['status']}@{app['current_stage']}" if app["status"] == "open" else app["status"]
    return Conflict(application, app["number"], app["customer_name"], _state_words(state), sides)


def decide(station: Station, application: str, *, keep_device: str, head: str, note: str = "") -> int:
    """Keep `keep_device`'s line; set aside the other sides' lines. Returns how many transitions were set aside."""
    store = station.store
    role = store.one("SELECT role FROM operators WHERE uuid = ? AND active = 1", (head,))
    if role != "head":
        raise StationError("只有站长可以裁定冲突")
    with store.transaction():
        if not store.one("SELECT 1 FROM conflicts WHERE application = ? LIMIT 1", (application,)):
            raise StationError("该申请没有待裁定的冲突（可能已由他人裁定）")
        found = _conflict(station, application)
        if keep_device not in {side.device for side in found.sides}:
            raise StationError(f"申请 {found.number} 的冲突中没有这一方，请重新选择")
        aside = [m.event for side in found.sides if side.device != keep_device for m in side.moves]
        store.record(
            ev.ConflictDecided(kept_device=keep_device, set_aside=aside, head=head, note=note.strip()),
            application=application,
            operator=head,
        )
    return len(aside)
