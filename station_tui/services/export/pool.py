"""Writing an export's files with a few makers, each reading the same snapshot: a connection of this process, or a
worker process (worker.py).

Every file is a list of jobs, each making one chunk of its lines (UTF-8, each ending with CRLF). Most are statements
(SqlChunk) that any maker can run; a few (the indicators, the dictionary) need this process's Python and are taken
by a connection of this process first. One thread per maker takes the jobs in order, whatever file they belong to, so
a large file (events.csv) is made by all of them at once. Whoever finishes the chunk a file is waiting for writes it
and any later ones already made, in order; the last chunk commits the file (fsync, rename). At most a few chunks wait
in memory: a thread takes a job only with a free slot, and a slot is freed when its chunk is on disk. The first
failure stops every thread, and no file of the run keeps its final name.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from station_tui.services.export.chunks import SqlChunk, make_chunk
from station_tui.services.export.files import CsvFile, WrittenFile
from station_tui.services.export.worker import ChunkWorker

Chunk = tuple[bytes, int]  # lines, how many
Job = Callable[[sqlite3.Connection], Chunk] | SqlChunk  # a function: only a connection of this process makes it
Maker = sqlite3.Connection | ChunkWorker
Progress = Callable[[int, int], None]  # (rows written, rows in all)

SLOTS_PER_THREAD = 3


@dataclass
class FilePlan:
    name: str
    header: list[str]
    jobs: list[Job]


@dataclass
class _File:
    plan: FilePlan
    target: CsvFile
    ready: dict[int, Chunk] = field(default_factory=dict)
    written: int = 0
    writing: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class Stopped(Exception):
    """Another job of the same export failed: this one stops too."""


class Pool:
    def __init__(
        self,
        folder: Path,
        encoding: str,
        plans: list[FilePlan],
        total: int,
        progress: Progress | None = None,
        between: Callable[[str], None] | None = None,
    ) -> None:
        self.folder = folder
        self.encoding = encoding
        self.plans = plans
        self.total = max(total, 1)
        self.progress = progress
        self.between = between
        self.files: dict[str, WrittenFile] = {}
        self.problems: dict[str, list] = {}
        self.stop = threading.Event()
        self._done = 0
        self._lock = threading.Lock()
        self._jobs: dict[bool, list[tuple[_File, int, Job]]] = {True: [], False: []}  # by: needs this process
        self._next = {True: 0, False: 0}
        self._errors: list[BaseException] = []

    def run(self, makers: list[Maker]) -> None:
        """Write every file; raises the first failure (after removing what was written). At least one maker must be
        a connection of this process when a job needs it."""
        opened: list[_File] = []
        try:
            for plan in self.plans:
                opened.append(_File(plan, CsvFile(self.folder, plan.name, plan.header, self.encoding)))
                jobs = plan.jobs or [_nothing]  # an empty file still gets its header and is committed
                for i, job in enumerate(jobs):
                    self._jobs[not isinstance(job, SqlChunk)].append((opened[-1], i, job))
            self._slots = threading.Semaphore(SLOTS_PER_THREAD * len(makers))
            threads = [threading.Thread(target=self._work, args=(m,), name=f"export-{i}") for i, m in enumerate(makers)]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            if self._errors:
                raise self._errors[0]
        except BaseException:
            self.stop.set()
            for f in opened:
                f.target.abort()
            raise

    def _take(self, local: bool) -> tuple[_File, int, Job] | None:
        """The next job this maker can make (a local one first), or None when none is left."""
        with self._lock:
            if self.stop.is_set():
                return None
            for needs_local in (True, False) if local else (False,):
                if self._next[needs_local] < len(self._jobs[needs_local]):
                    self._next[needs_local] += 1
                    return self._jobs[needs_local][self._next[needs_local] - 1]
        return None

    def _work(self, maker: Maker) -> None:
        local = isinstance(maker, sqlite3.Connection)
        try:
            while True:
                while not self._slots.acquire(timeout=0.1):
                    if self.stop.is_set():
                        return
                taken = self._take(local)
                if taken is None:
                    self._slots.release()
                    return
                f, index, job = taken
                if isinstance(job, SqlChunk):
                    chunk = make_chunk(maker, job) if local else maker.make(job)
                else:
                    chunk = job(maker)
                self._deliver(f, index, chunk)
        except BaseException as exc:  # noqa: BLE001 - raised again by run() in the calling thread
            if not isinstance(exc, Stopped):
                with self._lock:
                    self._errors.append(exc)
            self.stop.set()

    def _deliver(self, f: _File, index: int, chunk: Chunk) -> None:
        """Keep the chunk; if no one is writing this file, write every chunk now due, in order."""
        with f.lock:
            f.ready[index] = chunk
            if f.writing:
                return
            f.writing = True
        while True:
            if self.stop.is_set():
                raise Stopped
            with f.lock:
                due = f.ready.pop(f.written, None)
                if due is None:
                    f.writing = False
                    complete = f.written == max(len(f.plan.jobs), 1)
                    break
            f.target.write_chunk(*due)
            self._advance(due[1])
            with f.lock:
                f.written += 1
            self._slots.release()
        if complete:
            written = f.target.commit()
            with self._lock:
                self.problems[f.plan.name] = f.target.problems
                self.files[f.plan.name] = written
            if self.between:
                self.between(f.plan.name)

    def _advance(self, rows: int) -> None:
        with self._lock:
            self._done += rows
            done = min(self._done, self.total)
        if self.progress:
            self.progress(done, self.total)


def _nothing(conn: sqlite3.Connection) -> Chunk:  # noqa: ARG001
    return b"", 0
