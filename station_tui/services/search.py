"""Search as the clerk types: application number, customer name, phone, identity number (whole or its last 4 to 6
characters) or an address fragment.

What the clerk typed decides which kinds are tried, so that a number never costs a scan of the names:

* letters/digits with a hyphen (``DEMO-2026…``): application number, a prefix on the unique index;
* digits only (an ``X`` allowed last), or letters and digits as in a credit code: 4–6 characters: the end of an
  identity number or credit code (expression indexes of migration 2); 18 characters: a whole identity number or code;
  7–11 digits starting with 1: a mobile phone (prefix on the phone index); a complete landline (with area code):
  that phone; 15 digits: a first-generation identity number as stored in a ledger;
* anything else (Chinese, letters): customer name or address containing it (one scan; at least 1 character).

Each kind is one SQL statement; `bench/search_bench.py` compares each with the plain query for the same rows.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from station_tui.domain import validation
from station_tui.domain.glossary import APPLICATION_STATUSES, zh
from station_tui.domain.masking import mask_id
from station_tui.services.station import Station

LIMIT = 50
_BLANKS = re.compile(r"[\s\-‐‑‒–—―−－]+")
_NUMBER = re.compile(r"^[A-Z0-9]{2,10}-[0-9\-]*$")
_ID_CHARS = re.compile(r"^[0-9]+X?$")
# A credit code (18 characters) or its end: letters and digits with at least one digit.
_CODE_LIKE = re.compile(r"^(?=.*[0-9])[0-9A-Z]{4,6}$|^[0-9A-Z]{18}$")
_COLUMNS = (
    "uuid, number, customer_name, phone, id_type, id_number, address, business_type, status, accepted_at, due_date"
)
KIND_NAMES = {
    "number": "申请编号",
    "phone": "电话",
    "id_whole": "证件号码",
    "id_tail": "证件号码后几位",
    "text": "客户名称或地址",
}


@dataclass(frozen=True)
class Hit:
    uuid: str
    number: str
    customer_name: str
    phone: str
    id_masked: str
    address: str
    business_zh: str
    status_zh: str
    accepted_at: str
    due_date: str


@dataclass(frozen=True)
class SearchResult:
    query: str
    kinds: tuple[str, ...]
    hits: list[Hit]

    @property
    def kinds_zh(self) -> str:
        return "、".join(KIND_NAMES[k] for k in self.kinds)


def _like(text: str) -> str:
    """A LIKE pattern matching the text anywhere (the text's own % and _ taken literally)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def plan(query: str) -> list[tuple[str, str, tuple]]:
    """The statements a query needs: (kind, WHERE and ORDER BY, parameters). Empty when there is nothing to search."""
    text = unicodedata.normalize("NFKC", query).strip()
    if not text:
        return []
    number = re.sub(r"\s+", "", text).upper()
    if number.startswith("0") and _landline(text):
        return [("phone", "phone = ? ORDER BY accepted_at DESC", (_landline(text),))]
    if _NUMBER.match(number):
        return [("number", "number >= ? AND number < ? ORDER BY number DESC", (number, number + "\uffff"))]
    code = _BLANKS.sub("", text).upper()
    if code.isascii() and code.isalnum() and (_ID_CHARS.match(code) or _CODE_LIKE.match(code)):
        return _digit_plans(code, text)
    return [
        (
            "text",
            "(customer_name LIKE ? ESCAPE '\\' OR address LIKE ? ESCAPE '\\') ORDER BY accepted_at DESC",
            (_like(text), _like(text)),
        )
    ]


def _digit_plans(code: str, text: str) -> list[tuple[str, str, tuple]]:
    plans: list[tuple[str, str, tuple]] = []
    size = len(code)
    if 4 <= size <= 6:
        plans.append(("id_tail", f"substr(id_number, -{size}) = ? ORDER BY accepted_at DESC", (code,)))
    if size == 18 or (size == 15 and code.isdigit()):
        plans.append(("id_whole", "id_number = ? ORDER BY accepted_at DESC", (code,)))
    if code.isdigit() and code.startswith("1") and 7 <= size <= 11:
        plans.append(("phone", "phone >= ? AND phone < ? ORDER BY accepted_at DESC", (code, code + "\uffff")))
    return plans


def _landline(text: str) -> str | None:
    """The stored form of a complete landline (0371-12345678), or None while it is not complete."""
    try:
        value = validation.phone(text)
    except validation.FieldError:
        return None
    return value if value.startswith("0") else None


def search(station: Station, query: str, limit: int = LIMIT) -> SearchResult:
    """Up to `limit` applications matching the query, newest first within each kind."""
    store = station.store
    names = {b.id: b.name for b in station.checklists.business_types}
    hits: list[Hit] = []
    seen: set[str] = set()
    plans = plan(query)
    conn = store.conn
    for _kind, where, params in plans:
        if len(hits) >= limit:
            break
        # Plain tuples, not dicts: this runs on every keystroke.
        for uuid, number, name, phone, _id_type, id_number, address, business, status, accepted_at, due in conn.execute(
            f"SELECT {_COLUMNS} FROM applications WHERE {where} LIMIT ?", (*params, limit)
        ):
            if uuid in seen or len(hits) >= limit:
                continue
            seen.add(uuid)
            hits.append(
                Hit(
                    uuid,
                    number,
                    name,
                    phone,
                    mask_id(id_number),
                    address,
                    names.get(business, business),
                    zh(APPLICATION_STATUSES, status),
                    accepted_at,
                    due,
                )
            )
    return SearchResult(query, tuple(kind for kind, _w, _p in plans), hits)
