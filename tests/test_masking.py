"""Masking: first 6 and last 4 of identity numbers, the middle 4 of phones, and nothing more ever shows."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from station_tui.domain.masking import PERSONAL_KEYS, mask_id, mask_payload, mask_phone
from station_tui.domain.validation import FieldError, phone


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("110101199003070011", "110101********0011"),
        ("11010119900307002X", "110101********002X"),
        ("110101 19900307 0011", "110101********0011"),
        ("91110000600037341L", "911100********341L"),
        ("E12345678", "E1*****78"),
        ("12345678", "12****78"),
        ("AB", "A*"),
        ("A", "*"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_id(text, masked):
    assert mask_id(text) == masked


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("１３８１２３４５６７８", "138****5678"),
        ("0371-12345678", "0371-12****78"),
        ("(0371) 1234 5678", "0371-12****78"),
        ("010 12345678", "010-12****78"),
        ("62345678", "62****78"),  # no area code: masked as text
        ("1234", "****"),
        ("", ""),
        (None, ""),
    ],
)
def test_mask_phone(text, masked):
    assert mask_phone(text) == masked


def test_mask_payload_masks_listed_keys_at_any_depth_and_copies():
    payload = {
        "application": "A1",
        "id_number": "110101199003070011",
        "customer": {"phone": "13812345678", "name": "王䶮"},
        "contacts": [{"phone": "0371-12345678"}, {"phone": None}],
        "agent_phone": 13912345678,
        "flags": (True, 1),
    }
    masked = mask_payload(payload)
    assert masked == {
        "application": "A1",
        "id_number": "110101********0011",
        "customer": {"phone": "138****5678", "name": "王䶮"},
        "contacts": [{"phone": "0371-12****78"}, {"phone": None}],
        "agent_phone": "139****5678",
        "flags": (True, 1),
    }
    assert payload["id_number"] == "110101199003070011"  # the original is untouched
    assert mask_payload({"id_number": ["110101199003070011"]}, {"id_number"}) == {"id_number": ["110101********0011"]}
    assert mask_payload({"x": "13812345678"}, {"x": mask_phone}) == {"x": "138****5678"}
    assert mask_payload("plain", PERSONAL_KEYS) == "plain"


def _shown(masked: str) -> int:
    return sum(1 for char in masked if char != "*")


@settings(max_examples=150, deadline=None)
@given(st.one_of(st.text(), st.text(alphabet="0123456789X -\u3000*", max_size=30)))
def test_mask_id_never_shows_too_much(text):
    masked = mask_id(text)
    value = re.sub(r"[\s\-‐‑‒–—―−－]+", "", text)
    n = len(value)
    assert len(masked) == n
    assert all(m == "*" or m == c for m, c in zip(masked, value, strict=True))
    shown = [i for i, m in enumerate(masked) if m != "*"]
    if n >= 18:
        assert all(i < 6 or i >= n - 4 for i in shown)
        assert mask_id(masked) == masked
    else:
        assert len(shown) <= n // 2


@settings(max_examples=100, deadline=None)
@given(st.from_regex(r"\A[0-9]{17}[0-9X]\Z"))
def test_identity_number_middle_never_shows(number):
    masked = mask_id(number)
    assert masked[:6] == number[:6] and masked[-4:] == number[-4:] and masked[6:14] == "*" * 8


@settings(max_examples=150, deadline=None)
@given(
    st.one_of(
        st.text(), st.from_regex(r"\A(\+86 ?)?1[3-9][0-9]{9}\Z"), st.from_regex(r"\A0[1-9][0-9]{1,2}-[2-8][0-9]{7}\Z")
    )
)
def test_mask_phone_never_shows_too_much(text):
    masked = mask_phone(text)
    assert isinstance(masked, str)
    try:
        canonical = phone(text)
    except FieldError:
        stripped = text.strip()
        assert len(masked) == len(stripped)
        assert all(m == "*" or m == c for m, c in zip(masked, stripped, strict=True))
        masked_positions = sum(1 for m, c in zip(masked, stripped, strict=True) if m == "*")
        assert masked_positions >= min(4, len(stripped))
        assert len(stripped) - masked_positions <= 7
    else:
        assert masked.count("*") == 4 and len(masked) == len(canonical)
        assert canonical not in masked
        if "-" not in canonical:
            assert masked == canonical[:3] + "****" + canonical[-4:]


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.sampled_from(["id_number", "phone", "a", "b"]), children),
    max_leaves=20,
)


def _leaves_under(obj, keys, inside=False):
    if isinstance(obj, dict):
        for key, value in obj.items():
            yield from _leaves_under(value, keys, inside or key in keys)
    elif isinstance(obj, (list, tuple)):
        for item in obj:
            yield from _leaves_under(item, keys, inside)
    elif inside and isinstance(obj, (str, int, float)) and not isinstance(obj, bool):
        yield str(obj)


@settings(max_examples=100, deadline=None)
@given(JSON)
def test_mask_payload_never_raises_and_leaves_no_long_value_bare(obj):
    masked = mask_payload(obj)
    for leaf in _leaves_under(masked, PERSONAL_KEYS):
        stripped = leaf.strip()
        if len(stripped) >= 4:
            assert "*" in leaf
