"""The export to the county office (`station-tui export`, the app's 导出 screen and its schedule).

    run         the order of things: one snapshot, the files, the manifest, then the mark; the history of exports
    tables      what each file holds (columns, kinds, meanings) and the SQL that reads it with the rules applied
    files       the cell rules (injection guard, Excel digit rule), the encodings, writing a file safely
    masking     personal data in cells and payloads: the quick forms of domain/masking.py's rules
    pool        the threads that make the chunks of every file, each on a connection to the snapshot or a worker
    chunks      a chunk of a file as plain data, and the one function that makes it
    worker      the worker processes that make chunks beside the export's own connection (a large export)
    dictionary  the data dictionary (dictionary.csv, docs/export-dictionary.md)
    verify      `station-tui export verify DIR`: a folder checked against its manifest

Callers outside the package use the names below. They are looked up on first use, not imported here: the indicators
(services/indicators.py) use `tables`, and `run` uses the indicators, so importing `run` here would make a cycle for
whoever imports the indicators first.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    **dict.fromkeys(
        (
            "MANIFEST",
            "OUTBOX_SETTING",
            "ExportResult",
            "PastExport",
            "category_names",
            "incomplete_folders",
            "last_export_time",
            "last_mark",
            "outbox_setting",
            "past_exports",
            "pending_events",
            "refuse_on_laptop",
            "run_export",
        ),
        "run",
    ),
    "ExportError": "files",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
