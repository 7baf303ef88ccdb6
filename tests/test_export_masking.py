"""The export's quick ways to mask give exactly what the definitions give (domain.masking for cells, the parse-mask-dump
of clean_payload_slow for event payloads), on many generated values, so that the two can never drift apart."""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from station_tui.domain.masking import PERSONAL_KEYS, mask_id, mask_phone
from station_tui.services.export.files import guard_cell, guard_sql
from station_tui.services.export.masking import clean_csv_cell, id_sql, phone_sql
from station_tui.services.export.tables import register_functions
from station_tui.store import masking as store_masking
from station_tui.store.events import dump_payload
from station_tui.store.masking import (
    apply_export_form,
    clean_payload,
    clean_payload_slow,
    export_form,
    export_form_sql,
    fast_mask_id,
    fast_mask_phone,
)

DIGITS = "0123456789"
ID_CHARS = DIGITS + "XxABCDEFGHJKLMNPQRTUWY"
# Characters that make the quick ways step aside: separators, full-width digits, quotes, backslashes, control
# characters, a hex letter next to a number, Chinese text.
ODD = ' -—－１２"\\\n\t*abcdef王䶮'

ids = st.one_of(
    st.text(ID_CHARS, min_size=18, max_size=18),
    st.text(ID_CHARS + ODD, max_size=24),
)
mobiles = st.builds(lambda rest: "1" + rest, st.text(DIGITS, min_size=10, max_size=10))
phones = st.one_of(
    mobiles,
    st.text(DIGITS + " -+()", max_size=16),
    st.builds(
        lambda a, b: f"0{a}-{b}", st.text(DIGITS, min_size=2, max_size=3), st.text(DIGITS, min_size=7, max_size=8)
    ),
    st.text(DIGITS + ODD, max_size=14),
)


@given(ids)
@settings(max_examples=400)
def test_the_quick_identity_mask_is_the_domain_rule(value: str) -> None:
    assert fast_mask_id(value) == mask_id(value)
    assert store_masking.mask_value(value.encode(), mask_id) == mask_id(value).encode()


@given(phones)
@example("1３８１２３４５６７８")  # full-width digits: the phone rule reads them as the ASCII number
@settings(max_examples=400)
def test_the_quick_phone_mask_is_the_domain_rule(value: str) -> None:
    assert fast_mask_phone(value) == mask_phone(value)
    assert store_masking.mask_value(value.encode(), mask_phone) == mask_phone(value).encode()


@pytest.fixture(scope="module")
def sql() -> sqlite3.Connection:
    conn = sqlite3.connect(":memory:")
    register_functions(conn, include_personal=False)
    return conn


@given(ids)
@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_sql_masks_identity_numbers_as_the_domain_does(sql: sqlite3.Connection, value: str) -> None:
    (cell,) = sql.execute(f"SELECT {id_sql('?1', 'x_id')}", (value,)).fetchone()
    assert cell == guard_cell(mask_id(value))


@given(phones)
@example("1３８１２３４５６７８")
@settings(max_examples=400, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_sql_masks_phones_as_the_domain_does(sql: sqlite3.Connection, value: str) -> None:
    (cell,) = sql.execute(f"SELECT {phone_sql('?1', 'x_phone')}", (value,)).fetchone()
    assert cell == guard_cell(mask_phone(value))


def test_sql_masks_the_usual_shapes_without_python() -> None:
    conn = sqlite3.connect(":memory:")

    def never(value: str) -> str:
        raise AssertionError(f"Python called for {value}")

    conn.create_function("no_python", 1, never)
    row = conn.execute(
        f"SELECT {id_sql('?1', 'no_python')}, {phone_sql('?2', 'no_python')}", ("91110000600037341L", "13812345678")
    ).fetchone()
    assert row == (mask_id("91110000600037341L"), mask_phone("13812345678"))


# --- payloads ---------------------------------------------------------------------------------------------------

free_text = st.one_of(
    st.text(max_size=12),
    st.builds("".join, st.lists(st.sampled_from(["地址", " ", "电话", "13812345678", "0371-1234567", "-", "x", "1"]))),
    # As a Chinese input method in full-width mode types them, whole or mixed with ASCII.
    st.builds(
        "".join,
        st.lists(
            st.sampled_from(
                ["，", "１３８１２３４５６７８", "０３７１－１２３４５６７", "Ｘ", "１", "13８1234", "5678", "－"]
            )
        ),
    ),
    st.builds(lambda a, b: f"{a}11010519491231002X{b}", st.text(max_size=3), st.text(max_size=3)),
    st.uuids().map(str),
    st.sampled_from(["DEMO-20260727-01-001", "2026-08-17", "a1381234567", "13812345678b", '引号"', "反斜杠\\"]),
)
personal_value = st.one_of(ids, phones, st.none(), st.integers(), st.lists(phones, max_size=2))
keys = st.sampled_from(
    [*PERSONAL_KEYS, "name", "reason", "address", "pin_hash", "pin_salt", "phone_book", "13912345678"]
)
scalars = st.one_of(
    free_text, st.integers(), st.floats(allow_nan=False, allow_infinity=False), st.booleans(), st.none()
)


def _objects(children):  # noqa: ANN001, ANN202
    return st.one_of(st.lists(children, max_size=3), st.dictionaries(keys, children, max_size=4))


payloads = st.dictionaries(
    keys,
    st.one_of(
        personal_value,
        st.recursive(scalars, _objects, max_leaves=8),
        st.fixed_dictionaries({}, optional={k: personal_value for k in PERSONAL_KEYS}),
    ),
    max_size=6,
)


@given(payloads, st.booleans())
@settings(max_examples=600, deadline=None)
def test_the_quick_payload_cleaning_is_the_definition(payload: dict, include_personal: bool) -> None:
    text = dump_payload(payload)
    quick = clean_payload(text.encode(), include_personal=include_personal)
    assert quick.decode() == clean_payload_slow(text, include_personal=include_personal)


def test_an_accepted_application_payload_is_cleaned_the_quick_way(monkeypatch: pytest.MonkeyPatch) -> None:
    payload = {
        "application": {
            "customer_name": "双敏电子科技有限公司",
            "id_number": "9350000084YQ65HLEW",
            "phone": "15398797309",
            "agent_phone": None,
            "number": "DEMO-20260727-01-001",
            "customer_manager": "4d1065f0-1f3e-4c5b-9a4e-0955b2e5bb79",
            "due_date": "2026-08-17",
        },
        "documents": [{"uuid": "d33fd0c9-1317-473c-b2a4-2a755424b9d2", "name": "主体证明"}],
    }
    expected = clean_payload_slow(dump_payload(payload))

    def slow(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("took the slow way")

    monkeypatch.setattr(store_masking, "clean_payload_slow", slow)
    cleaned = clean_payload(dump_payload(payload).encode()).decode()
    assert cleaned == expected
    assert json.loads(cleaned)["application"]["id_number"] == "935000********HLEW"
    assert json.loads(cleaned)["application"]["phone"] == "153****7309"


@given(payloads, st.booleans(), st.booleans())
@settings(max_examples=400, deadline=None)
def test_cleaning_a_payload_inside_its_csv_cell_is_the_definition(
    payload: dict, include_personal: bool, plain: bool
) -> None:
    text = dump_payload(payload)
    plain = plain and "\\" not in text  # what the caller promises
    cell = clean_csv_cell(text.encode().replace(b'"', b'""'), include_personal=include_personal, plain=plain)
    assert cell == clean_payload_slow(text, include_personal=include_personal).encode().replace(b'"', b'""')


cells = st.one_of(
    st.text(max_size=8),
    st.text("0123456789.Ee-+=@\t\r ab", max_size=8),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False),
    st.none(),
)


@given(cells)
@example("0\x00")  # a NUL ends the text for GLOB, not for Python
@settings(max_examples=500, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_sql_cell_rules_are_the_python_ones(sql: sqlite3.Connection, value: object) -> None:
    (cell,) = sql.execute(f"SELECT {guard_sql('?1')}", (value,)).fetchone()
    assert cell == guard_cell(value)


@given(payloads)
@settings(max_examples=400, deadline=None)
def test_the_kept_export_form_gives_the_cleaned_payload(payload: dict) -> None:
    """What an event row keeps (export_form) laid over its payload, in Python and in SQL, is the definition."""
    text = dump_payload(payload)
    at, form = export_form(text) or (None, None)
    expected = clean_payload_slow(text)
    assert apply_export_form(text, at, form) == expected
    sql = export_form_sql("?1", "?2", "?3")
    assert sqlite3.connect(":memory:").execute(f"SELECT {sql}", (text, at, form)).fetchone()[0] == expected
    if form is not None and at is not None:
        assert len(form) < len(text)  # only the stretch that differs


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("电话１３９１２３４５６７８。", "电话139****5678。"),
        ("身份证１１０１０５１９４９１２３１００２Ｘ", "身份证110105********002X"),
        ("座机０３７１－６６６６８８８８", "座机0371-66****88"),
        ("138１２３４5678", "138****5678"),
        ("编号１２３４５６，第１２３４５６７８９０１２号楼", "编号１２３４５６，第１２３４５６７８９０１２号楼"),
    ],
)
def test_free_text_in_full_width_digits_is_masked_as_ascii_is(typed: str, sent: str) -> None:
    """Mobiles, identity numbers and landlines typed in full-width digits are masked; other numbers stay as typed."""
    assert store_masking.mask_text(typed) == sent
    payload = dump_payload({"reason": typed})
    assert json.loads(clean_payload(payload.encode()))["reason"] == sent
