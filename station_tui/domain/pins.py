"""PINs are kept only as salted scrypt hashes (hashlib, no extra dependency)."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from station_tui.domain.errors import StationError

# About 50 ms a check on a station PC: slow for guessing, quick enough for a login.
_N, _R, _P = 2**14, 8, 1
PIN_MIN, PIN_MAX = 4, 8


def check_pin_shape(pin: str) -> None:
    if not (pin.isascii() and pin.isdigit() and PIN_MIN <= len(pin) <= PIN_MAX):
        raise StationError(f"PIN 应为 {PIN_MIN}–{PIN_MAX} 位数字")


def hash_pin(pin: str, salt: str | None = None) -> tuple[str, str]:
    """(salt, hash), both hex."""
    salt = salt or secrets.token_hex(16)
    digest = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=_N, r=_R, p=_P, dklen=32)
    return salt, digest.hex()


def pin_matches(pin: str, salt: str, expected_hash: str) -> bool:
    return hmac.compare_digest(hash_pin(pin, salt)[1], expected_hash)
