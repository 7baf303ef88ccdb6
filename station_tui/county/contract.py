"""What the county reads of the station's export: the one module that imports from the export's code, so that a move
of the export package changes one import block here and nothing else.

The export's column definitions are the contract: the county's tables are made from them, a file's header is mapped
to them (Chinese or English, as the manifest says), and a text cell loses exactly the guard the export added."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from station_tui.services.export import FORMAT, FORMAT_VERSION, MANIFEST
from station_tui.services.export_csv import INJECTION_STARTS, NUMERIC_KINDS
from station_tui.services.export_tables import GUARDED, Column, events_table, tables
from station_tui.services.export_verify import Verification, verify_folder

__all__ = [
    "FORMAT",
    "FORMAT_VERSION",
    "MANIFEST",
    "SNAPSHOT_FILES",
    "FileContract",
    "Verification",
    "contracts",
    "unguard",
    "verify_folder",
]

SNAPSHOT_FILES = ("applications.csv", "documents.csv", "stages.csv", "notices.csv")
_GUARD_TARGETS = tuple(INJECTION_STARTS)


def unguard(value: str) -> str:
    """The cell as the station holds it: one leading tab (the Excel digit rule) or one apostrophe before a character
    the injection guard protects against is what the export added; anything else is the value itself."""
    if value.startswith("\t"):
        return value[1:]
    if value.startswith("'") and value[1:2] and value[1:].startswith(_GUARD_TARGETS):
        return value[1:]
    return value


@dataclass(frozen=True)
class FileContract:
    file: str
    table: str  # the county's table
    columns: tuple[Column, ...]

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def kinds(self) -> list[str]:
        return [c.kind for c in self.columns]

    def positions(self, header: Sequence[str], language: str) -> list[int | None]:
        """For each contract column, its place in the file's header (None: the file has no such column)."""
        where = {name: i for i, name in enumerate(header)}
        return [where.get(c.zh if language == "zh" else c.name) for c in self.columns]


def is_numeric(kind: str) -> bool:
    return kind in NUMERIC_KINDS


def is_guarded(kind: str) -> bool:
    return kind in GUARDED


def contracts() -> dict[str, FileContract]:
    """events.csv and the four snapshot files, by file name."""
    found = {t.file: t for t in (*tables({}), events_table())}
    return {
        name: FileContract(name, name.removesuffix(".csv"), found[name].columns)
        for name in (*SNAPSHOT_FILES, "events.csv")
    }
