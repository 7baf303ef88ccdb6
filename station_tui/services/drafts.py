"""Unsaved intake forms (草稿), one per operator, so that typing survives switching screens, quitting and a crash.

A draft is not a record: nothing was accepted, so it is no event, is never exported, merged or checked, and it
belongs to this PC. It therefore lives outside the database, as one small JSON file per operator in a folder beside
it (`station.db` → `station.drafts/<operator>.json`): the event log stays the one truth, no migration is needed, and
`check`, the export and the field-laptop merge never see it. Each write goes to a temporary file, is flushed and
renamed over the old one, so a crash leaves the previous draft or the new one, never half of one.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from station_tui.domain.timeutil import from_iso, to_iso
from station_tui.services.station import Station

# Writes come from worker threads, each stamped with its revision (time.monotonic_ns() when the form was read on
# the screen): a newer draft, or a clearing, must never be overwritten by an older write that finished late.
_lock = threading.Lock()
_written: dict[Path, int] = {}


@dataclass(frozen=True)
class Draft:
    fields: dict[str, Any]  # widget id -> value, as the form shows it
    saved_at: datetime


def drafts_folder(station: Station) -> Path:
    path = station.store.path
    return path.with_name(path.stem + ".drafts")


def _file(station: Station, operator: str) -> Path:
    # Operator ids are UUIDs: safe as file names on Windows and Linux.
    return drafts_folder(station) / f"{operator}.json"


def save_draft(station: Station, operator: str, fields: dict[str, Any], revision: int) -> bool:
    """Keep the form as the operator's draft; False when a newer revision is already on disk."""
    path = _file(station, operator)
    text = json.dumps({"saved_at": to_iso(station.store.clock()), "fields": fields}, ensure_ascii=False)
    with _lock:
        if _written.get(path, -1) >= revision:
            return False
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".json.partial")
        with open(partial, "w", encoding="utf-8") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, path)
        _written[path] = revision
    return True


def load_draft(station: Station, operator: str) -> Draft | None:
    """The operator's draft, or None. A damaged file (a disk error) is set aside, never shown half-read."""
    path = _file(station, operator)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Draft(fields=dict(data["fields"]), saved_at=from_iso(data["saved_at"]))
    except FileNotFoundError:
        return None
    except (ValueError, KeyError, TypeError):
        os.replace(path, path.with_suffix(".damaged"))
        return None


def clear_draft(station: Station, operator: str, revision: int) -> None:
    """The form was saved or deliberately emptied at `revision`: no draft; older writes still running are refused."""
    path = _file(station, operator)
    with _lock:
        _written[path] = max(revision, _written.get(path, -1))
        path.unlink(missing_ok=True)
