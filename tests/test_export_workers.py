"""A large export has its chunks made by worker processes as well as by a connection of its own process
(services/export/worker.py). These tests make the workers take part on the small demo database (the size threshold
set to 0) and hold their files byte for byte to an export made in one process; a worker that dies, or that cannot
be started, is said or done without."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from test_export_chunks import insert_text_not_utf8, odd_station  # noqa: F401 - the fixture

from station_tui.services.export import MANIFEST, last_mark, run_export
from station_tui.services.export import pool as export_pool
from station_tui.services.export import run as export_run
from station_tui.services.export import tables as export_tables
from station_tui.services.export import worker as export_worker
from station_tui.services.export.files import ExportError
from station_tui.services.export.verify import verify_folder
from station_tui.services.station import Station

CSV_FILES = ("applications.csv", "documents.csv", "stages.csv", "notices.csv", "works.csv", "events.csv")


@pytest.fixture
def made_by_workers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, int]]:
    """Workers for any size; each entry is one chunk a worker process made: its file and row count."""
    monkeypatch.setattr(export_run, "PROCESS_ROWS", 0)
    monkeypatch.setattr(export_run.os, "cpu_count", lambda: 3)  # two workers, whatever this machine has
    made: list[tuple[str, int]] = []
    make = export_worker.ChunkWorker.make

    def counted(self: export_worker.ChunkWorker, job):  # noqa: ANN001, ANN202
        lines, count = make(self, job)
        made.append((job.file, count))
        return lines, count

    monkeypatch.setattr(export_worker.ChunkWorker, "make", counted)
    return made


def _before_each_chunk(monkeypatch: pytest.MonkeyPatch, action: Callable[[export_worker.ChunkWorker], None]) -> None:
    make = export_worker.ChunkWorker.make  # the counting one

    def acted(self: export_worker.ChunkWorker, job):  # noqa: ANN001, ANN202
        action(self)
        return make(self, job)

    monkeypatch.setattr(export_worker.ChunkWorker, "make", acted)


def _a_worker_makes_an_applications_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process's connection waits at an applications chunk until a worker has made one: which maker takes
    which chunk otherwise depends on how fast each runs, and a busy machine let this process take them all."""
    made = threading.Event()
    worker_make = export_worker.ChunkWorker.make
    local_make = export_pool.make_chunk

    def by_worker(self: export_worker.ChunkWorker, job):  # noqa: ANN001, ANN202
        chunk = worker_make(self, job)
        if job.file == "applications.csv":
            made.set()
        return chunk

    def by_this_process(conn: sqlite3.Connection, job):  # noqa: ANN001, ANN202
        if job.file == "applications.csv":
            made.wait(timeout=60)  # the next chunks go to the workers meanwhile
        return local_make(conn, job)

    monkeypatch.setattr(export_worker.ChunkWorker, "make", by_worker)
    monkeypatch.setattr(export_pool, "make_chunk", by_this_process)


def _files(folder: Path) -> dict[str, list[bytes]]:
    """Each file's lines, but those of the event an export with personal data records (it names its own folder)."""
    return {
        name: [line for line in (folder / name).read_bytes().split(b"\r\n") if b"export.personal" not in line]
        for name in (*CSV_FILES, "indicators.csv", "dictionary.csv")
    }


@pytest.mark.parametrize("include_personal", [False, True])
def test_files_made_by_worker_processes_are_the_files_one_process_makes(
    odd_station: Station,  # noqa: F811
    tmp_path: Path,
    made_by_workers: list[tuple[str, int]],
    include_personal: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(export_tables, "CHUNK_ROWIDS", 50)  # many chunks, shared between the makers
    head = odd_station.store.one("SELECT name FROM operators WHERE role = 'head'")
    options = {"full": True, "include_personal_data": include_personal, "operator": head if include_personal else None}
    for outbox in ("a", "b"):
        (tmp_path / outbox).mkdir()
    with_workers = run_export(odd_station, outbox=tmp_path / "a", **options)
    assert len(made_by_workers) > 2 and sum(count for _, count in made_by_workers) > 0
    monkeypatch.setattr(export_run, "PROCESS_ROWS", 10**9)
    made_by_workers.clear()
    alone = run_export(odd_station, outbox=tmp_path / "b", **options)
    assert made_by_workers == []
    assert _files(with_workers.folder) == _files(alone.folder)
    assert verify_folder(with_workers.folder).ok
    text = (with_workers.folder / "events.csv").read_text(encoding="utf-8-sig")
    assert ("13912345678" in text) == include_personal and "pin_hash" not in text


def test_text_that_is_not_utf8_is_said_from_a_worker_too(
    station: Station, tmp_path: Path, made_by_workers: list[tuple[str, int]]
) -> None:
    insert_text_not_utf8(station.store)
    with pytest.raises(ExportError, match="notices.csv.*UTF-8"):
        run_export(station, outbox=tmp_path, full=True)
    assert not list(tmp_path.rglob(MANIFEST))


def test_a_worker_that_dies_fails_the_export_and_the_mark_stays(
    odd_station: Station,  # noqa: F811
    tmp_path: Path,
    made_by_workers: list[tuple[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    make = export_worker.ChunkWorker.make

    def kill(worker: export_worker.ChunkWorker) -> None:
        worker.process.kill()
        worker.process.wait()

    _before_each_chunk(monkeypatch, kill)
    before = last_mark(odd_station.store.conn, odd_station.store.device_id)
    with pytest.raises(ExportError, match="子进程"):
        run_export(odd_station, outbox=tmp_path, full=True)
    assert not list(tmp_path.rglob(MANIFEST))
    assert not list(tmp_path.rglob("*.csv"))
    assert last_mark(odd_station.store.conn, odd_station.store.device_id) == before
    monkeypatch.setattr(export_worker.ChunkWorker, "make", make)
    result = run_export(odd_station, outbox=tmp_path, full=False)  # the next run sends the same range
    assert result.first_seq == before + 1


def test_without_an_interpreter_to_start_one_process_makes_everything(
    odd_station: Station,  # noqa: F811
    tmp_path: Path,
    made_by_workers: list[tuple[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(export_worker.sys, "executable", str(tmp_path / "no-python.exe"))
    result = run_export(odd_station, outbox=tmp_path, full=True)
    assert made_by_workers == []
    assert verify_folder(result.folder).ok


def test_a_worker_that_ends_before_it_has_started_is_done_without(
    odd_station: Station,  # noqa: F811
    tmp_path: Path,
    made_by_workers: list[tuple[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A program that exits at once in the interpreter's place: the export waits for no one and completes."""
    program = shutil.which("true")
    if program is None:
        pytest.skip("no `true` program here")
    monkeypatch.setattr(export_worker.sys, "executable", program)
    result = run_export(odd_station, outbox=tmp_path, full=True)
    assert made_by_workers == []
    assert verify_folder(result.folder).ok


def test_a_worker_reads_the_snapshot_not_what_was_committed_after(
    odd_station: Station,  # noqa: F811
    tmp_path: Path,
    made_by_workers: list[tuple[str, int]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rows committed by another connection while the workers make their chunks are in none of the files."""
    # Autocommit, once: the workers' threads make chunks at the same time.
    other = sqlite3.connect(odd_station.store.path, isolation_level=None, check_same_thread=False)
    once = threading.Lock()

    def commit_once(worker: export_worker.ChunkWorker) -> None:  # noqa: ARG001
        if once.acquire(blocking=False):
            other.execute("UPDATE applications SET customer_name = '快照之后改的'")

    _before_each_chunk(monkeypatch, commit_once)
    _a_worker_makes_an_applications_chunk(monkeypatch)
    monkeypatch.setattr(export_tables, "CHUNK_ROWIDS", 10)  # the applications in many chunks
    result = run_export(odd_station, outbox=tmp_path, full=True)
    other.close()
    assert "applications.csv" in {file for file, _ in made_by_workers}
    assert "快照之后改的" not in (result.folder / "applications.csv").read_text(encoding="utf-8-sig")
    assert odd_station.store.one("SELECT customer_name FROM applications WHERE rowid = 1") == "快照之后改的"
