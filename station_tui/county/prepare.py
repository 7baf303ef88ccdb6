"""Worker processes that read the folders ahead of the loader (SQLite): each checks a folder against its manifest,
parses its CSV files and converts their cells into a scratch SQLite file, while the loading process merges the
folder before with `INSERT … SELECT` (county/target.py `prepared`).

Why processes: Python's csv reader and the conversions take about half of a station's full load, and one Python
process runs one thread at a time. Everything the county keeps (keys, snapshot rules, facts) is still decided in
the one loading process, in the same statements: a prepared folder only stands in for reading its files, so a
folder loads the same either way. A folder a worker cannot read (damaged, tampered, a worker gone) is loaded by the
loading process itself, which refuses it with its reasons as before."""

from __future__ import annotations

import csv
import multiprocessing
import os
import shutil
import sqlite3
import sys
import tempfile
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from station_tui.county.contract import SNAPSHOT_FILES, contracts
from station_tui.county.folder import csv_load, foreign, matches, read_manifest, station_of
from station_tui.county.schema import contract_table_sql
from station_tui.county.target import SqliteTarget

LOADED_FILES = ("events.csv", *SNAPSHOT_FILES)


@dataclass(frozen=True)
class Prepared:
    file: Path  # the scratch SQLite file: one table per CSV file, named as the county's
    folder: Path
    rows: dict[str, int]  # the records read of each file, by name (checked against the manifest by the loader)


def prepare(folder: Path, file: Path) -> Prepared | None:
    """In a worker process: the folder checked as `export verify` checks it, then its loaded files' rows, converted
    as the loader converts them, into `file`. None when the folder does not pass or a file cannot be read."""
    manifest = read_manifest(folder)
    if manifest is None or foreign(manifest):
        return None
    try:
        if not matches(folder, manifest):
            return None
        scratch = SqliteTarget(file, scratch=True)
        try:
            rows = {}
            with scratch.transaction():
                for name in LOADED_FILES:
                    contract = contracts()[name]
                    columns = [(c.name, c.kind) for c in contract.columns]
                    scratch.execute(contract_table_sql(contract.table, columns, keyed=False))
                    scratch.read_csv_into(
                        csv_load(folder, contract, manifest, station_of(folder, manifest)), contract.table
                    )
                    rows[name] = scratch.rows_read
        finally:
            scratch.close()
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, csv.Error, OSError, sqlite3.Error):
        return None
    return Prepared(file, folder, rows)


def worker_count(folders: int) -> int:
    """One worker per processor (the loading process mostly waits on the database), none for a single folder or a
    single processor. A frozen program's executable is the program itself, which cannot start a worker."""
    if folders < 2 or getattr(sys, "frozen", False) or not sys.executable:
        return 0
    processors = os.cpu_count() or 1
    return min(processors, folders) if processors > 1 else 0


class Preparer:
    """The folders to be loaded, read by worker processes a few at a time ahead of the loader (each prepared file
    is about the size of the folder's CSV files: the look-ahead bounds the disk they take)."""

    def __init__(self, folders: list[Path], processes: int) -> None:
        self._todo: Iterator[tuple[int, Path]] = iter(enumerate(folders))
        self._pending: dict[Path, Future[Prepared | None]] = {}
        self._processes = processes
        self._scratch = Path(tempfile.mkdtemp(prefix="station-tui-county-"))
        try:
            # spawn everywhere: the same start on Linux as on Windows, and no copy of the loader's open database.
            self._pool = ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("spawn"))
        except BaseException:
            shutil.rmtree(self._scratch, ignore_errors=True)
            raise
        for _ in range(processes + 1):
            self._submit_next()

    def _submit_next(self) -> None:
        for index, folder in self._todo:
            if folder not in self._pending:
                try:
                    self._pending[folder] = self._pool.submit(prepare, folder, self._scratch / f"{index}.db")
                except (BrokenProcessPool, RuntimeError):  # no worker could start: the loader reads the rest
                    self._todo = iter(())
                return

    def take(self, folder: Path) -> Prepared | None:
        """The folder's prepared rows, waited for (None: not one of the folders, or a worker could not read it)."""
        future = self._pending.pop(folder, None)
        if future is None:
            return None
        self._submit_next()
        try:
            return future.result()
        except Exception:  # noqa: BLE001 - a worker gone (killed, out of memory): the loader reads the folder itself
            return None

    def release(self, prepared: Prepared | None) -> None:
        if prepared is not None:
            prepared.file.unlink(missing_ok=True)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> Preparer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
