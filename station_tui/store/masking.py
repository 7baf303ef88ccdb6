"""Personal data in exported cells: identity numbers and phones masked (domain/masking.py's rules), also inside free
text and event payloads; operators' PIN hashes and salts are dropped from every payload, whatever the options.

Free text (a notice's content, a reason a clerk typed) is scanned for what looks like a resident identity number
(17 digits and a digit or X), a mobile number (11 digits from 1) or a landline with its area code (0371-1234567),
in ASCII or full-width digits (１３９…).
A match must not touch another hex digit on either side, so the parts of a UUID are never mistaken for a phone.

Payloads are JSON text as `store.events.dump_payload` wrote it. The slow way (parse, mask, dump) gives the answer;
`clean_payload` takes a shortcut on the raw text when it can prove the result is the same (tests compare both).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

from station_tui.domain.masking import ID_SHAPE, MOBILE_SHAPE, PERSONAL_KEYS, Shape, mask_id, mask_payload, mask_phone
from station_tui.store.events import dump_payload

# Never exported, even with --include-personal-data.
SECRET_KEYS = frozenset({"pin_hash", "pin_salt"})


def fast_mask_phone(text: str | None) -> str:
    """`mask_phone`, without the phone library for a value of MOBILE_SHAPE (a test checks this against mask_phone)."""
    return (text and MOBILE_SHAPE.mask(text)) or _cached_mask_phone(text)


def fast_mask_id(text: str | None) -> str:
    """`mask_id`, without its regular expression for a value of ID_SHAPE (a test checks this)."""
    return (text and ID_SHAPE.mask(text)) or mask_id(text)


@lru_cache(maxsize=4096)
def _cached_mask_phone(text: str | None) -> str:
    # Staff phones and landlines repeat across rows; the library call costs ~100 µs.
    return mask_phone(text)


_BOUNDARY_BEFORE = r"(?<![0-9A-Fa-f])"
_BOUNDARY_AFTER = r"(?![0-9A-Fa-f])"
_PRECISE = (
    _BOUNDARY_BEFORE
    + r"(?:(?P<id>[1-9]\d{16}[\dXx])|(?P<mobile>1\d{10})|(?P<landline>0\d{2,3}-\d{7,8}))"
    + _BOUNDARY_AFTER
)
_PERSONAL_IN_TEXT = re.compile(_PRECISE, re.ASCII)
_PERSONAL_IN_BYTES = re.compile(_PRECISE.encode(), re.ASCII)
# Every match above lies in a run of these characters at least 11 long. Finding the runs first is ~50 times faster
# than running the precise pattern over the whole text (Python's re tries the look-behind at every position).
_CANDIDATE = re.compile(r"[0-9][0-9Xx-]{10,}")

# The intake's validation stores numbers in ASCII, but free text keeps what was typed, and a Chinese input method in
# full-width mode types ０-９, － and Ｘ. Text is searched in its half-width reading, character for character, so a
# match is at the same place in both; the mask (ASCII) takes the match's place.
_WIDE = "０１２３４５６７８９－Ｘｘ"
_TO_HALF = str.maketrans(_WIDE, "0123456789-Xx")
_WIDE_IN_TEXT = re.compile(f"[{_WIDE}]")
_WIDE_IN_BYTES = re.compile(b"|".join(re.escape(c.encode()) for c in _WIDE))


def _mask_match(match: re.Match[str]) -> str:
    text = match.group(0)
    return mask_id(text) if match.group("id") else fast_mask_phone(text)


def _matches(text: str) -> Iterator[tuple[int, int, str]]:
    """Each identity number or phone in `text`: where it starts and ends, and its mask (of the same length)."""
    half = text.translate(_TO_HALF) if _WIDE_IN_TEXT.search(text) else text
    for run in _CANDIDATE.finditer(half):
        # The run with the one character either side that the look-arounds read; a match lies inside one run.
        lo = max(run.start() - 1, 0)
        for match in _PERSONAL_IN_TEXT.finditer(half[lo : run.end() + 1]):
            yield lo + match.start(), lo + match.end(), _mask_match(match)


def mask_text(text: str) -> str:
    """Free text with every identity number and phone in it masked; everything else as it was."""
    parts = []
    done = 0
    for start, end, masked in _matches(text):
        parts += (text[done:start], masked)
        done = end
    if not parts:
        return text
    parts.append(text[done:])
    return "".join(parts)


def has_personal_text(text: str) -> bool:
    return next(_matches(text), None) is not None


# For bytes: each byte's class, 1 an ASCII digit, 2 a hyphen, 0 anything else (a byte of a multi-byte character too).
# Every match of the precise pattern holds eleven digits in a row (identity numbers, mobiles) or a digit, a hyphen and
# seven digits (a landline's 0dd-ddddddd), so bytes.find on the classes finds each place one could start from.
_CLASSES = bytes(1 if 48 <= b <= 57 else 2 if b == 45 else 0 for b in range(256))
_HINTS = (b"\x01" * 11, b"\x01\x02" + b"\x01" * 7)
_REACH = 20  # a match is at most 18 characters long, and its look-arounds read one more on either side


def has_personal_bytes(data: bytes) -> bool:
    """`has_personal_text` for UTF-8 bytes (payloads come from SQLite as bytes: nothing to decode)."""
    if _WIDE_IN_BYTES.search(data):  # rare: read as text
        return has_personal_text(data.decode("utf-8", "replace"))
    classes = data.translate(_CLASSES)
    for hint in _HINTS:
        at = classes.find(hint)
        while at >= 0:
            if _PERSONAL_IN_BYTES.search(data, max(at - _REACH, 0), at + len(hint) + _REACH):
                return True
            at = classes.find(hint, at + 1)
    return False


# --- payloads ---------------------------------------------------------------------------------------------------


def _drop_secrets(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _drop_secrets(v) for k, v in obj.items() if k not in SECRET_KEYS}
    if isinstance(obj, list):
        return [_drop_secrets(item) for item in obj]
    return obj


def _mask_strings(obj: Any) -> Any:
    if isinstance(obj, dict):
        # Keys too: a payload keyed by phone numbers would otherwise carry them out.
        return {mask_text(k): _mask_strings(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_mask_strings(item) for item in obj]
    if isinstance(obj, str):
        return mask_text(obj)
    return obj


def clean_payload_slow(text: str, *, include_personal: bool = False) -> str:
    """The definition: parse, drop secrets, mask personal keys (domain rules) and free text, dump as the store does."""
    obj = _drop_secrets(json.loads(text))
    if not include_personal:
        obj = _mask_strings(mask_payload(obj, PERSONAL_KEYS))
    return dump_payload(obj)


# The fast way looks for the ends of the personal keys only: every key ends with one of these (agent_id_number with
# id_number, customer_phone with phone), so two scans of the payload find them all.
KEY_TAILS = tuple(
    f'{key}":'.encode()
    for key in PERSONAL_KEYS
    if not any(key != other and key.endswith(other) for other in PERSONAL_KEYS)
)
MASKERS = {key.encode(): masker for key, masker in PERSONAL_KEYS.items()}
# Each rule with its usual shape and its quick form on text.
_QUICK: dict[Callable[[str], str], tuple[Shape, Callable[[str], str]]] = {
    mask_id: (ID_SHAPE, fast_mask_id),
    mask_phone: (MOBILE_SHAPE, fast_mask_phone),
}
assert set(MASKERS.values()) <= set(_QUICK), "a new masker needs its usual shape in _QUICK"


def mask_value(value: bytes, masker: Callable[[str], str]) -> bytes:
    # The usual shape straight on the bytes; the rest as text.
    shape, quick = _QUICK[masker]
    return shape.mask_bytes(value) or quick(value.decode()).encode()


def _mask_personal_values(data: bytes) -> bytes | None:
    """The JSON text (without a backslash) with the string value of every personal key masked; None when a personal
    key holds anything but a plain string or null (then only the slow way knows the answer).

    Without a backslash every '"' opens or closes a string, so a tail followed by ':' ends a key, and the key starts
    after the last '"' before the tail."""
    for tail in KEY_TAILS:
        if tail not in data:
            continue
        pieces = data.split(tail)
        for i in range(1, len(pieces)):
            before, piece = pieces[i - 1], pieces[i]
            masker = MASKERS.get(before[before.rfind(b'"') + 1 :] + tail[:-2])
            if masker is None:
                continue
            if piece[:1] == b'"':
                end = piece.find(b'"', 1)
                pieces[i] = b'"' + mask_value(piece[1:end], masker) + piece[end:]
            elif not piece.startswith(b"null"):
                return None
        data = tail.join(pieces)
    return data


def clean_payload(data: bytes, *, include_personal: bool = False, plain: bool = False) -> bytes:
    """`clean_payload_slow`'s answer for UTF-8 JSON as dump_payload writes it, computed on the raw bytes when that is
    provably the same: no backslash (no escape can hide a character or a quote), no PIN key, every personal key
    holding a plain string or null, and, those masked, nothing else in the text that mask_text would change (it
    masks what the precise pattern matches, and a match in a string is a match in the JSON text; a match elsewhere,
    a long JSON number, only sends the payload the slow way). The masks need no JSON escaping: they are characters
    of the value and '*'. Anything else: the slow way, which is the definition.

    `plain`: the caller has made sure that there is no backslash and no '"pin_' in `data`."""
    if not plain and (b'"pin_' in data or b"\\" in data):
        return clean_payload_slow(data.decode(), include_personal=include_personal).encode()
    if include_personal:
        return data
    masked = _mask_personal_values(data)
    if masked is None or has_personal_bytes(masked):
        return clean_payload_slow(data.decode()).encode()
    return masked


# --- the export form, kept with each event ---------------------------------------------------------------------------
# Every event row keeps what the export must change in its payload (secrets dropped, personal data masked), so that
# the export writes it as it is instead of cleaning the same payloads again at every export. Every insert
# (store/append.py) and migration 7 fill it by export_form; `check` recomputes it for every event.
#
# The masks keep the length of what they mask, so a cleaned payload mostly differs from the stored one only inside
# one stretch (an accepted application's identity number ... phone): the row keeps that stretch and where it starts,
# some hundred characters instead of a second copy of the payload (which made the database a quarter larger).

ExportForm = tuple[int | None, str]  # (characters kept from the payload before `text`, text); None: `text` is all


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix, by halving (a few slice comparisons in C, not a loop per character)."""
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def export_form(payload: str) -> ExportForm | None:
    """What the export writes instead of the payload (JSON text as dump_payload wrote it) when personal data is not
    included: None when it writes the payload itself; else (at, text), read by apply_export_form."""
    data = payload.encode()
    cleaned = clean_payload(data)
    if cleaned == data:
        return None
    text = cleaned.decode()
    if len(text) != len(payload):
        return None, text
    head = _common_prefix(payload, text)
    tail = _common_prefix(payload[::-1], text[::-1])
    return head, text[head : len(text) - tail]


def apply_export_form(payload: str, at: int | None, text: str | None) -> str:
    """The payload as exported, from the stored payload and its export form (EXPORT_FORM_SQL does the same in SQL)."""
    if text is None:
        return payload
    if at is None:
        return text
    return payload[:at] + text + payload[at + len(text) :]


def export_form_sql(payload: str, at: str, text: str) -> str:
    """apply_export_form as a SQL expression over the three columns (substr counts characters, as Python does)."""
    return (
        f"CASE WHEN {text} IS NULL THEN {payload} WHEN {at} IS NULL THEN {text}"
        f" ELSE substr({payload}, 1, {at}) || {text} || substr({payload}, {at} + length({text}) + 1) END"
    )


def register_export_form(conn: sqlite3.Connection) -> None:
    """`export_form(payload)` for migration 7: the form as JSON [at, text], or NULL; `holds_wide(blob)` for migration
    8: whether UTF-8 bytes hold a full-width digit, hyphen or X (a GLOB of the same characters took twenty times as
    long: 18 s over the 1.27 million events of a 250,000-application demo, against 1.3 s for the whole migration)."""

    def as_json(payload: str | None) -> str | None:
        form = None if payload is None else export_form(payload)
        return None if form is None else json.dumps(form, ensure_ascii=False)

    conn.create_function("export_form", 1, as_json, deterministic=True)
    conn.create_function(
        "holds_wide", 1, lambda data: data is not None and _WIDE_IN_BYTES.search(data) is not None, deterministic=True
    )
