"""Worker processes that make an export's chunks: both ends of the pipe between them and the export.

Why processes and not more threads: SQLite as most Linux distributions build it (Debian's among them) takes one
process-wide lock for every memory allocation (memory statistics on, no lookaside), and a chunk is made of many small
allocations. Two threads of one process making chunks took longer than one (events.csv of 508,457 events: 3.1 s
against 2.0 s); two processes took 1.4 s. Each process has its own SQLite and its own lock.

The export starts the workers and waits until they have started before it takes its snapshot; each then begins its
read transaction while the export holds the write lock, as the export's own connection does, so that every chunk
comes from the same state. A worker reads requests on stdin and answers on stdout, and ends when stdin closes (also
when the export's process dies).

A worker says ready (R) once it has started, unasked. Requests: 4-byte length, then JSON: {"do": "begin"} (answered
R) or {"do": "chunk", "job": SqlChunk's fields}. Answers: 1 byte kind, 8-byte count, 8-byte length, then the bytes:
a chunk's lines (C), ready (R), or an error (E) whose bytes are JSON {"kind": "export" | "sqlite" | "other",
"message": ...}.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
import struct
import sys
from pathlib import Path
from typing import BinaryIO

from station_tui.services import workers
from station_tui.services.export.chunks import SqlChunk, begin_read, make_chunk
from station_tui.services.export.files import ExportError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None  # type: ignore[assignment]

_REQUEST = struct.Struct(">I")
_ANSWER = struct.Struct(">cqq")
CHUNK, READY, ERROR = b"C", b"R", b"E"
MMAP_BYTES = 1 << 40  # the whole file: SQLite caps it at its own limit (2 GiB as Debian builds it)


class WorkerGone(ExportError):
    """The worker process ended or answered nonsense."""


def _read_exactly(stream: BinaryIO, size: int) -> bytes | None:
    data = stream.read(size)
    return data if data is not None and len(data) == size else None


# --- the worker's side -------------------------------------------------------------------------------------------


def _answer(out: BinaryIO, kind: bytes, count: int = 0, data: bytes = b"") -> None:
    out.write(_ANSWER.pack(kind, count, len(data)))
    out.write(data)
    out.flush()


def _error(kind: str, exc: BaseException) -> bytes:
    return json.dumps({"kind": kind, "message": str(exc)}, ensure_ascii=False).encode("utf-8")


def serve(path: Path, include_personal: bool, requests: BinaryIO, answers: BinaryIO) -> None:
    from station_tui.services.export.tables import register_functions
    from station_tui.store.database import connect

    conn = connect(path)
    # Pages read straight from the file's mapping, not copied by a read() each (a tenth of the CPU of an export). A
    # read error of the disk then ends this process (SIGBUS) rather than failing a statement: the export says so
    # (WorkerGone) and stops, as for any other read error.
    conn.execute(f"PRAGMA mmap_size = {MMAP_BYTES}")
    register_functions(conn, include_personal)
    _answer(answers, READY)  # started: the export takes its snapshot's lock only now, and holds it for milliseconds
    try:
        while (head := _read_exactly(requests, _REQUEST.size)) is not None:
            body = _read_exactly(requests, _REQUEST.unpack(head)[0])
            if body is None:
                return
            request = json.loads(body)
            try:
                if request["do"] == "begin":
                    begin_read(conn)
                    _answer(answers, READY)
                else:
                    lines, count = make_chunk(conn, SqlChunk(**request["job"]))
                    _answer(answers, CHUNK, count, lines)
            except ExportError as exc:
                _answer(answers, ERROR, data=_error("export", exc))
            except sqlite3.Error as exc:
                _answer(answers, ERROR, data=_error("sqlite", exc))
            except Exception as exc:  # noqa: BLE001 - said to the export, which fails with it
                _answer(answers, ERROR, data=_error("other", exc))
    finally:
        conn.close()


# --- the export's side -------------------------------------------------------------------------------------------


PIPE_BYTES = 1 << 20  # a whole chunk, mostly: Linux's largest pipe for an unprivileged process by default


def _widen(stream: BinaryIO | None) -> None:
    """A pipe that holds a chunk: the worker writes it without waiting for this process to read, and this process
    reads it in a call or two instead of one per 64 KiB, each of which waits for Python's lock (Linux only; elsewhere
    the pipe stays as it is)."""
    setting = getattr(fcntl, "F_SETPIPE_SZ", None) if fcntl is not None else None
    if stream is None or setting is None:
        return
    with contextlib.suppress(OSError):
        fcntl.fcntl(stream.fileno(), setting, PIPE_BYTES)


def _expect(kind: bytes, answer: tuple[bytes, int, bytes]) -> tuple[bytes, int, bytes]:
    if answer[0] != kind:
        raise WorkerGone("导出的子进程答非所问")
    return answer


class ChunkWorker:
    """One worker process, used by one thread of the export at a time."""

    def __init__(self, path: Path, include_personal: bool) -> None:
        # A failure comes back as an answer, or as the pipe closing, which is said as WorkerGone.
        self.process = workers.start(__name__, str(path), "1" if include_personal else "0")
        _widen(self.process.stdout)

    def _ask(self, request: dict) -> tuple[bytes, int, bytes]:
        body = json.dumps(request, ensure_ascii=False).encode("utf-8")
        stdin = self.process.stdin
        assert stdin is not None
        try:
            stdin.write(_REQUEST.pack(len(body)) + body)
            stdin.flush()
        except OSError as exc:
            raise WorkerGone(f"导出的子进程已退出（{exc}）") from exc
        return self._answer()

    def _answer(self) -> tuple[bytes, int, bytes]:
        stdout = self.process.stdout
        assert stdout is not None
        head = _read_exactly(stdout, _ANSWER.size)
        if head is None:
            raise WorkerGone(f"导出的子进程意外退出（退出码 {self.process.poll()}）")
        kind, count, size = _ANSWER.unpack(head)
        data = _read_exactly(stdout, size) if size else b""
        if data is None:
            raise WorkerGone("导出的子进程意外退出")
        if kind == ERROR:
            error = json.loads(data)
            if error["kind"] == "sqlite":
                raise sqlite3.OperationalError(error["message"])
            raise ExportError(error["message"])
        return kind, count, data

    def started(self) -> None:
        """Wait until the worker has started (Python, its imports, its connection): before the snapshot's lock."""
        _expect(READY, self._answer())

    def begin(self) -> None:
        _expect(READY, self._ask({"do": "begin"}))

    def make(self, job: SqlChunk) -> tuple[bytes, int]:
        _, count, data = _expect(CHUNK, self._ask({"do": "chunk", "job": dataclasses.asdict(job)}))
        return data, count

    def close(self) -> None:
        workers.close(self.process, wait=5)


if __name__ == "__main__":
    serve(Path(sys.argv[1]), sys.argv[2] == "1", sys.stdin.buffer, sys.stdout.buffer)
