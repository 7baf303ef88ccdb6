"""What the county reads of the station's export: the one module that imports from the export's code, so that a move
of the export package changes one import block here and nothing else.

The export's column definitions are the contract: the county's tables are made from them, a file's header is mapped
to them (Chinese or English, as the manifest says), and a text cell loses exactly the guard the export added."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from station_tui.services.export.files import ENCODINGS, INJECTION_STARTS, NUMERIC_KINDS
from station_tui.services.export.run import FORMAT, FORMAT_VERSION, MANIFEST
from station_tui.services.export.tables import GUARDED, Column, events_table, tables
from station_tui.services.export.verify import Verification, verify_folder

__all__ = [
    "CHECKED_NOT_LOADED",
    "ENCODINGS",
    "FORMAT",
    "FORMAT_VERSION",
    "GUARDED",
    "MANIFEST",
    "SNAPSHOT_FILES",
    "FileContract",
    "Verification",
    "cell_sql",
    "contracts",
    "sql_type",
    "verify_folder",
]

SNAPSHOT_FILES = ("applications.csv", "documents.csv", "stages.csv", "notices.csv")
# Files of a station's export the county checks against the manifest (size, SHA-256, rows) but does not load.
# works.csv (supporting grid works, issue 16) is new: a county table for it, and the exports made before it that lack
# it, are a decision of the county's own (requiring it here would refuse every older folder).
CHECKED_NOT_LOADED = ("works.csv",)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def unguard_sql(cell: str) -> str:
    """A SQL expression (SQLite and PostgreSQL alike) giving the cell as the station holds it: one leading tab (the
    Excel digit rule) or one apostrophe before a character the injection guard protects against is what the export
    added, and is removed; anything else is the value itself. The tab and carriage return stand in the SQL text as
    themselves (char() and chr() differ between the two dialects)."""
    starts = ", ".join(_literal(c) for c in INJECTION_STARTS)
    return (
        f"CASE WHEN substr({cell}, 1, 1) = '\t' THEN substr({cell}, 2)"
        f" WHEN substr({cell}, 1, 1) = '''' AND substr({cell}, 2, 1) IN ({starts}) THEN substr({cell}, 2)"
        f" ELSE {cell} END"
    )


def sql_type(kind: str) -> str:
    if kind in ("int", "bool"):
        return "BIGINT"
    return "DOUBLE PRECISION" if kind in NUMERIC_KINDS else "TEXT"


def cell_sql(kind: str) -> str:
    """The expression over a file's cell (`{}`) that stores it: empty is NULL (the export writes a missing value as
    an empty cell), a number is cast, a guarded text loses its guard."""
    if sql_type(kind) != "TEXT":
        return f"CAST(NULLIF({{}}, '') AS {sql_type(kind)})"
    return f"NULLIF({unguard_sql('{}')}, '')" if kind in GUARDED else "NULLIF({}, '')"


@dataclass(frozen=True)
class FileContract:
    file: str
    table: str  # the county's table
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def positions(self, header: Sequence[str], language: str) -> list[int | None]:
        """For each contract column, its place in the file's header (None: the file has no such column). A column a
        station exported before the dictionary listed it is headed by its name in either language."""
        where = {name: i for i, name in enumerate(header)}
        if language == "zh":
            return [where.get(c.zh, where.get(c.name)) for c in self.columns]
        return [where.get(c.name) for c in self.columns]


@lru_cache(maxsize=1)
def contracts() -> dict[str, FileContract]:
    """events.csv and the four snapshot files, by file name (read once: the table definitions load the checklists)."""
    found = {t.file: t for t in (*tables({}), events_table())}
    return {
        name: FileContract(name, name.removesuffix(".csv"), found[name].columns)
        for name in (*SNAPSHOT_FILES, "events.csv")
    }
