"""The event: the one truth. Everything else is derived from a list of these."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    uuid: str
    device: str
    device_seq: int
    type: str
    application: str | None
    payload: dict[str, Any]
    recorded_at: str
    operator: str | None
    simulated: bool
    seq: int | None = None

    @classmethod
    def from_row(cls, row: tuple) -> Event:
        """From `SELECT {EVENT_COLUMNS} FROM events`."""
        seq, uuid, device, device_seq, type_, application, payload, recorded_at, operator, simulated = row
        return cls(
            uuid,
            device,
            device_seq,
            type_,
            application,
            json.loads(payload),
            recorded_at,
            operator,
            bool(simulated),
            seq,
        )


EVENT_COLUMNS = "seq, uuid, device, device_seq, type, application, payload, recorded_at, operator, simulated"


def dump_payload(payload: dict[str, Any]) -> str:
    # Chinese stays readable in the file and in exports; sorted keys keep equal payloads byte-identical.
    return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
