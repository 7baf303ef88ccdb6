"""The event: the one truth. Everything else is derived from a list of these."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Event:
    """One row of `events`. The payload is the JSON object as stored, in the payload version `version`;
    catalogue.read gives it as its typed structure, upgraded to the version this program records."""

    uuid: str
    device: str
    device_seq: int
    type: str
    application: str | None
    payload: dict[str, Any]
    recorded_at: str
    operator: str | None
    simulated: bool
    version: int = 1
    # The station-tui version that introduced this type's payload version: what a program that does not know the
    # type or the version must be upgraded to (it travels with the event to laptops and the county).
    needs_program: str = "0.1.0"
    seq: int | None = None

    @classmethod
    def from_row(cls, row: tuple) -> Event:
        """From `SELECT {EVENT_COLUMNS} FROM events`."""
        (seq, uuid, device, device_seq, type_, application, payload, recorded_at, operator, simulated, version,
         needs_program) = row  # fmt: skip
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
            version,
            needs_program,
            seq,
        )


EVENT_COLUMNS = "seq, uuid, device, device_seq, type, application, payload, recorded_at, operator, simulated, version, needs_program"


# Chinese stays readable in the file and in exports; sorted keys keep equal payloads byte-identical. One encoder for
# every call: json.dumps with options builds a new one each time (a field checkin dumps ten thousand payloads).
_PAYLOAD_ENCODER = json.JSONEncoder(ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def dump_payload(payload: dict[str, Any]) -> str:
    return _PAYLOAD_ENCODER.encode(payload)
