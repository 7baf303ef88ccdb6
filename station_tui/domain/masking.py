"""Masking personal data for printouts, listings and exports: identity numbers keep the first 6 and last 4 characters,
phones hide the middle 4 digits. Pure functions that never raise on text; the output keeps the input's length in
characters (one ``*`` per hidden character) so that columns still line up.

Rules:

* ``mask_id``: blanks and hyphens inside are dropped first. 18 characters or more: first 6 and last 4 shown. Shorter
  (passports, 台胞证, a mistyped number): never more than half shows: ``n // 2`` characters, at most 4 at the end and
  the rest at the start (``E1*****78`` for a 9-character passport number). Empty stays empty.
* ``mask_phone``: a number that :func:`station_tui.domain.validation.phone` accepts is masked in its canonical form
  (``138****5678``, ``0371-12****78``: the middle 4 of the subscriber number). Anything else is masked as text: the
  middle hides at least 4 characters, and at most 7 characters ever show (3 at the start, 4 at the end for 11 or more),
  never more than ``n - 4`` of a short text (so a 4-character text is hidden whole).
* The usual shapes, ``ID_SHAPE`` (18 ASCII letters and digits) and ``MOBILE_SHAPE`` (11 ASCII digits from 1): for a
  value of that shape the rule above shows its first ``head`` and last ``tail`` characters and hides the rest. Each
  shape is stated once here; the export's quick forms (on text, on bytes, in SQL) are made from it, and tests hold
  every quick form to ``mask_id`` and ``mask_phone``, which stay the definition.
* ``mask_payload``: a copy of a JSON-like value (dicts, lists, tuples) where every string or number under a listed key,
  at any depth, is masked; other values are returned as they are.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["ID_SHAPE", "MOBILE_SHAPE", "PERSONAL_KEYS", "Shape", "mask_id", "mask_payload", "mask_phone"]

MASK = "*"
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−－]+")


def _masked(text: str, head: int, tail: int) -> str:
    hidden = len(text) - head - tail
    if hidden <= 0:
        return text
    return text[:head] + MASK * hidden + (text[len(text) - tail :] if tail else "")


def mask_id(text: str | None) -> str:
    """An identity number or code with only the first 6 and last 4 characters showing (less for short values)."""
    if not text:
        return ""
    value = _SEPARATORS.sub("", str(text))
    n = len(value)
    shown = 10 if n >= 18 else n // 2
    tail = min(4, shown // 2)
    head = min(6, shown - tail)
    return _masked(value, head, tail)


def _mask_middle(text: str) -> str:
    n = len(text)
    shown = min(7, max(0, n - 4))
    tail = min(4, shown - shown // 2)
    return _masked(text, shown - tail, tail)


def mask_phone(text: str | None) -> str:
    """A phone with the middle 4 digits hidden: ``138****5678``, ``0371-12****78``; raw text is normalised first."""
    if not text:
        return ""
    text = str(text)
    from station_tui.domain.validation import FieldError, phone

    try:
        canonical = phone(text)
    except FieldError:
        return _mask_middle(text.strip())
    area, dash, subscriber = canonical.rpartition("-")
    if not dash:
        return _mask_middle(canonical)
    start = (len(subscriber) - 4) // 2
    return f"{area}-{_masked(subscriber, start, len(subscriber) - 4 - start)}"


@dataclass(frozen=True)
class Shape:
    """Values of one fixed shape and what a masking rule makes of them: the first `head` and the last `tail`
    characters show, one ``*`` for each other. `first` and `rest` are character classes written the same way for a
    regular expression and a SQLite GLOB (ASCII ranges only)."""

    first: str
    rest: str
    length: int
    head: int
    tail: int
    _text: re.Pattern[str] = field(init=False, repr=False, compare=False)
    _bytes: re.Pattern[bytes] = field(init=False, repr=False, compare=False)
    stars: str = field(init=False, repr=False, compare=False)  # what hides the middle

    def __post_init__(self) -> None:
        pattern = f"{self.first}{self.rest}{{{self.length - 1}}}"
        object.__setattr__(self, "_text", re.compile(pattern, re.ASCII))
        object.__setattr__(self, "_bytes", re.compile(pattern.encode(), re.ASCII))
        object.__setattr__(self, "stars", MASK * (self.length - self.head - self.tail))

    @property
    def glob(self) -> str:
        return self.first + self.rest * (self.length - 1)

    def mask(self, text: str) -> str | None:
        """The rule's answer for a value of this shape; None for any other value."""
        if self._text.fullmatch(text) is None:
            return None
        return text[: self.head] + self.stars + text[self.length - self.tail :]

    def mask_bytes(self, data: bytes) -> bytes | None:
        """`mask` for ASCII bytes, with no decoding."""
        if self._bytes.fullmatch(data) is None:
            return None
        return data[: self.head] + self.stars.encode() + data[self.length - self.tail :]


# An identity number or a credit code: nothing to drop, 18 characters, so the first 6 and the last 4 show.
ID_SHAPE = Shape("[0-9A-Za-z]", "[0-9A-Za-z]", 18, 6, 4)
# A mobile number: its canonical form is itself, and as text the same middle 4 hide.
MOBILE_SHAPE = Shape("1", "[0-9]", 11, 3, 4)


PERSONAL_KEYS: Mapping[str, Callable[[str], str]] = {
    "id_number": mask_id,
    "agent_id_number": mask_id,
    "phone": mask_phone,
    "customer_phone": mask_phone,
    "agent_phone": mask_phone,
}
"""Keys that hold personal data in the project's rows and event payloads, with how each is masked."""


def mask_payload(obj: Any, keys: Mapping[str, Callable[[str], str]] | Iterable[str] = PERSONAL_KEYS) -> Any:
    """A copy of ``obj`` with the values under ``keys`` masked, at any depth.

    ``keys`` maps a key to its masking function; a plain collection of keys masks each with :func:`mask_id`.
    """
    maskers: Mapping[str, Callable[[str], str]] = keys if isinstance(keys, Mapping) else dict.fromkeys(keys, mask_id)
    return _walk(obj, maskers, None)


def _walk(obj: Any, maskers: Mapping[str, Callable[[str], str]], masker: Callable[[str], str] | None) -> Any:
    if isinstance(obj, Mapping):
        return {key: _walk(value, maskers, maskers.get(key, masker)) for key, value in obj.items()}
    if isinstance(obj, list):
        return [_walk(item, maskers, masker) for item in obj]
    if isinstance(obj, tuple):
        return tuple(_walk(item, maskers, masker) for item in obj)
    if masker is None or obj is None or isinstance(obj, bool):
        return obj
    if isinstance(obj, (str, int, float)):
        return masker(str(obj))
    return obj
