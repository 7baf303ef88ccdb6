"""The export's masking forms for SQL and CSV cells: the usual shapes masked inside SQLite, and a payload cleaned
inside its CSV cell. The definitions are in store/masking.py (and domain/masking.py); tests hold these to them.
"""

from __future__ import annotations

from station_tui.domain.masking import ID_SHAPE, MOBILE_SHAPE, Shape
from station_tui.store.masking import KEY_TAILS, MASKERS, clean_payload_slow, has_personal_bytes, mask_value

# --- the usual shapes inside SQLite ------------------------------------------------------------------------------
# A Python call per cell costs more than SQLite needs for the whole row, so SQLite masks the usual shapes itself (the
# same as fast_mask_id and fast_mask_phone, which tests compare with domain.masking) and calls the Python function
# (`fallback`, a registered SQL function) for anything else.


def shape_sql(shape: Shape, expr: str, fallback: str) -> str:
    kept_tail = shape.length - shape.tail + 1
    return (
        f"CASE WHEN {expr} GLOB '{shape.glob}'"
        f" THEN substr({expr}, 1, {shape.head}) || '{shape.stars}' || substr({expr}, {kept_tail})"
        f" ELSE {fallback}({expr}) END"
    )


def id_sql(expr: str, fallback: str) -> str:
    return shape_sql(ID_SHAPE, expr, fallback)


def phone_sql(expr: str, fallback: str) -> str:
    return shape_sql(MOBILE_SHAPE, expr, fallback)


# --- a payload as a CSV cell ---------------------------------------------------------------------------------------
# The export cleans payloads inside the CSV text SQLite made, where every '"' of the JSON is doubled: cleaning there
# spares undoing and redoing the quoting of every payload. The same proof as clean_payload's, read through the
# doubling: without a backslash every doubled quote is a JSON quote, so a tail followed by '"":' ends a key, which
# starts after the '"' before it, and a string value runs to the next '""'.

_CELL_TAILS = tuple(tail[:-2] + b'"":' for tail in KEY_TAILS)


def _slow_cell(cell: bytes, include_personal: bool) -> bytes:
    payload = cell.replace(b'""', b'"').decode()
    return clean_payload_slow(payload, include_personal=include_personal).encode().replace(b'"', b'""')


def clean_csv_cell(cell: bytes, *, include_personal: bool = False, plain: bool = False) -> bytes:
    """clean_payload for a payload whose quotes are doubled (a CSV cell without its outer quotes), the answer doubled
    the same way. `plain`: the caller has made sure there is no backslash in `cell`."""
    if not plain and b"\\" in cell or b'"pin_' in cell:
        return _slow_cell(cell, include_personal)
    if include_personal:
        return cell
    spans = []
    for tail in _CELL_TAILS:
        at = cell.find(tail)
        while at >= 0:
            key_end = at + len(tail) - 3
            value = key_end + 3
            masker = MASKERS.get(cell[cell.rfind(b'"', 0, at) + 1 : key_end])
            if masker is not None:
                if cell[value : value + 2] == b'""':
                    end = cell.find(b'""', value + 2)
                    spans.append((value + 2, end, mask_value(cell[value + 2 : end], masker)))
                elif not cell.startswith(b"null", value):
                    return _slow_cell(cell, include_personal)
            at = cell.find(tail, value)
    masked = cell
    if spans:
        spans.sort()
        parts, done = [], 0
        for start, end, text in spans:
            parts += (cell[done:start], text)
            done = end
        parts.append(cell[done:])
        masked = b"".join(parts)
    if has_personal_bytes(masked):
        return _slow_cell(cell, include_personal)
    return masked
