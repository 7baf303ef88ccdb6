"""Worker processes that read the folders ahead of the loader (SQLite): each checks a folder against its manifest,
parses its CSV files and converts their cells into a scratch SQLite file, while the loading process merges the
folder before with `INSERT … SELECT` (county/target.py `prepared`).

Why processes: Python's csv reader and the conversions take about half of a station's full load, and one Python
process runs one thread at a time. Everything the county keeps (keys, snapshot rules, facts) is still decided in
the one loading process, in the same statements: a prepared folder only stands in for reading its files, so a
folder loads the same either way. A folder a worker cannot read (damaged, tampered, a worker gone) is loaded by the
loading process itself, which refuses it with its reasons as before.

A worker is `python -m station_tui.county.prepare`, started as the export's workers are (subprocess pipes, which
Windows and Wine run as Linux does; multiprocessing's pool hung under Wine). It reads one JSON line per folder on
stdin, {"folder": …, "file": …}, answers one JSON line, {"rows": {file name: records}} or {"rows": null}, and ends
when stdin closes (also when the loader's process dies). The lines are ASCII (JSON escapes the rest): a folder named
in Chinese reads the same whatever encoding Windows gives the worker's stdin."""

from __future__ import annotations

import contextlib
import csv
import json
import os
import queue
import shutil
import sqlite3
import sys
import tempfile
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from station_tui.county.contract import SNAPSHOT_FILES, contracts
from station_tui.county.folder import csv_load, foreign, matches, read_manifest, station_of
from station_tui.county.schema import contract_table_sql
from station_tui.county.target import CountyError, SqliteTarget
from station_tui.services import workers

LOADED_FILES = ("events.csv", *SNAPSHOT_FILES)
SCRATCH_PREFIX = "station-tui-county-"
STALE_SECONDS = 24 * 3600  # a scratch folder untouched this long is a killed load's (a running one writes in it)


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
    except (ValueError, KeyError, TypeError, UnicodeDecodeError, csv.Error, OSError, sqlite3.Error, CountyError):
        return None
    return Prepared(file, folder, rows)


def worker_count(folders: int) -> int:
    """One worker per processor (the loading process mostly waits on the database), none for a single folder or a
    single processor, or a program that cannot start one."""
    if folders < 2 or not workers.can_start():
        return 0
    processors = os.cpu_count() or 1
    return min(processors, folders) if processors > 1 else 0


def serve(requests: TextIO, answers: TextIO) -> None:
    """The worker's side: a folder asked, a folder answered, until stdin closes."""
    for line in requests:
        request = json.loads(line)
        prepared = prepare(Path(request["folder"]), Path(request["file"]))
        answers.write(json.dumps({"rows": prepared.rows if prepared else None}) + "\n")
        answers.flush()


def _remove_stale(temporary: Path) -> None:
    """Scratch folders a killed load left (a power cut, the task ended): Windows never empties its temporary folder."""
    now = time.time()
    for folder in temporary.glob(f"{SCRATCH_PREFIX}*"):
        with contextlib.suppress(OSError):
            if now - folder.stat().st_mtime > STALE_SECONDS:
                shutil.rmtree(folder, ignore_errors=True)


class _Worker:
    """One worker process, asked by one thread of the loader."""

    def __init__(self) -> None:
        self.process = workers.start(__name__, text=True)
        self.gone = False

    def ask(self, folder: Path, file: Path) -> Prepared | None:
        if self.gone:
            return None
        assert self.process.stdin is not None and self.process.stdout is not None
        try:
            self.process.stdin.write(json.dumps({"folder": str(folder), "file": str(file)}) + "\n")
            self.process.stdin.flush()
            rows = json.loads(self.process.stdout.readline() or "null")["rows"]
        except (OSError, ValueError, TypeError, KeyError):  # gone (killed, out of memory) or nonsense
            self.gone = True
            return None
        return Prepared(file, folder, rows) if rows is not None else None

    def close(self) -> None:
        workers.close(self.process, wait=30)  # a folder being read is finished first


class Preparer:
    """The folders to be loaded, read by worker processes in the loader's order, a few ahead of it (a prepared file
    is about the size of the folder's CSV files: the look-ahead bounds the disk they take)."""

    def __init__(self, folders: list[Path], processes: int) -> None:
        self._futures: dict[Path, Future[Prepared | None]] = {}
        self._todo: queue.Queue[tuple[Path, Path, Future[Prepared | None]]] = queue.Queue()
        _remove_stale(Path(tempfile.gettempdir()))
        self._scratch = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
        for index, folder in enumerate(dict.fromkeys(folders)):
            self._futures[folder] = Future()
            self._todo.put((folder, self._scratch / f"{index}.db", self._futures[folder]))
        self._ahead = threading.Semaphore(processes + 1)  # folders read and not yet taken
        self._stop = threading.Event()
        self._workers: list[_Worker] = []
        with contextlib.suppress(OSError):  # no interpreter to start: the loader reads what no worker does
            for _ in range(processes):
                self._workers.append(_Worker())
        self._threads = [threading.Thread(target=self._feed, args=(w,), daemon=True) for w in self._workers]
        for thread in self._threads:
            thread.start()
        if not self._workers:
            self._stop.set()
            self._feed(None)

    def _feed(self, worker: _Worker | None) -> None:
        """One worker's thread: the next folder, each time one is taken (or, stopped or without a worker, None)."""
        while True:
            if worker is not None and not self._stop.is_set():
                self._ahead.acquire()
            try:
                folder, file, future = self._todo.get_nowait()
            except queue.Empty:
                return
            prepared = None
            if worker is not None and not self._stop.is_set():
                try:
                    prepared = worker.ask(folder, file)
                except Exception:  # noqa: BLE001 - whatever went wrong, the loader reads the folder and never waits
                    worker.gone = True
            future.set_result(prepared)

    def take(self, folder: Path) -> Prepared | None:
        """The folder's prepared rows, waited for (None: not one of the folders, or a worker could not read it)."""
        future = self._futures.pop(folder, None)
        if future is None:
            return None
        prepared = future.result()
        self._ahead.release()
        return prepared

    def release(self, prepared: Prepared | None) -> None:
        """The folder is loaded: its scratch file goes."""
        if prepared is not None:
            prepared.file.unlink(missing_ok=True)

    def close(self) -> None:
        self._stop.set()
        for _ in self._threads:
            self._ahead.release()  # a thread waiting to read ahead wakes, finds the stop, answers the rest with None
        for thread in self._threads:
            thread.join()
        for worker in self._workers:
            worker.close()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def __enter__(self) -> Preparer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
