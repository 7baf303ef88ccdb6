"""Writing one CSV file of an export: the cell rules Excel needs, the encoding, and the safe way onto the disk.

Cell rules, applied to every text cell (numbers in numeric columns are written as numbers, never changed):

* Injection guard (OWASP "CSV injection"): a text starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return
  gets a leading apostrophe, so Excel shows it as text and never evaluates it.
* Excel digit rule: a text that Excel would read as a number when the file is opened by double-click (it starts with
  a digit and holds only digits, dots and the letter E: ``0371``, ``110101199001011234``, ``1.50``, ``0503E000``) gets
  a leading tab. Excel then keeps it as text, every digit and leading zero included, and the tab does not show.
  A cell that starts with a tab is therefore always a tab followed by such a number-like text: it cannot be a formula.
  Loaders remove one leading tab or apostrophe (see the data dictionary).

Both rules exist twice, as a SQL expression (SQLite applies it while reading: no Python per cell) and in Python (for
cells computed here); a test checks that the two agree.

Files are written under a temporary name, flushed, fsynced and renamed; the SHA-256, size and row count are taken
from the bytes as they are written.
"""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from station_tui.domain.errors import StationError

ENCODINGS = {"utf-8-sig": "UTF-8（带 BOM）", "gbk": "GBK"}
INJECTION_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER_LIKE = re.compile(r"[0-9][0-9.Ee]*")
TEMP_SUFFIX = ".partial"


def guard_cell(value: Any) -> Any:
    """The cell rules for one value (text is guarded; numbers and empty cells pass)."""
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(INJECTION_STARTS):
        return "'" + value
    if _NUMBER_LIKE.fullmatch(value):
        return "\t" + value
    return value


def guard_sql(expr: str) -> str:
    """The same rules as a SQLite expression over `expr` (a column name or another side-effect-free expression)."""
    return (
        f"CASE WHEN typeof({expr}) != 'text' THEN {expr}"
        # A GLOB, not substr(...) IN (...): substr copies the text, once per cell of a large export. A '-' first in
        # the brackets is itself, not a range.
        f" WHEN {expr} GLOB '[-=+@' || char(9, 13) || ']*' THEN '''' || {expr}"
        # GLOB stops at a NUL character, the Python rule does not: the lengths in characters (up to a NUL) and in
        # bytes are the same for number-like text without one. Only number-like text gets this far.
        f" WHEN {expr} GLOB '[0-9]*' AND {expr} NOT GLOB '*[^0-9.Ee]*'"
        f" AND length({expr}) = length(CAST({expr} AS BLOB)) THEN char(9) || {expr}"
        f" ELSE {expr} END"
    )


# --- errors the clerk can act on -----------------------------------------------------------------------------------


class ExportError(StationError):
    """The export did not complete; the mark did not move, and the next run sends the same range again."""


_NEXT_TIME = "本次导出未完成，导出标记未移动，下次会重新导出同一范围。"


def io_error(exc: OSError, folder: Path) -> ExportError:
    """A plain message for what went wrong on the disk, by the error's kind, not its wording (which is localised)."""
    code = exc.errno
    if code in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
        text = f"导出文件夹 {folder} 所在的磁盘已满：请腾出空间或换一个 U 盘后重试。"
    elif code in (errno.EROFS, errno.EACCES, errno.EPERM):
        text = f"导出文件夹 {folder} 不能写入（只读，或没有写入权限）：请检查 U 盘的写保护开关或文件夹权限。"
    elif code in (errno.ENOENT, errno.EIO, errno.ENODEV, errno.ENXIO, getattr(errno, "ESTALE", -1)):
        text = f"写入 {folder} 时中断（U 盘被拔出，或网络共享断开了？）：请重新插好后重试。"
    else:
        text = f"写入 {folder} 失败（{exc.strerror or exc}）：请检查 U 盘或文件夹后重试。"
    return ExportError(text + _NEXT_TIME)


@dataclass(frozen=True)
class EncodingProblem:
    file: str
    row: int  # as Excel numbers it: the header is row 1
    column: str
    char: str

    def __str__(self) -> str:
        return f"{self.file} 第 {self.row} 行「{self.column}」列：字符“{self.char}”（U+{ord(self.char):04X}）"


class EncodingProblems(ExportError):
    SHOWN = 20

    def __init__(self, encoding: str, problems: list[EncodingProblem]) -> None:
        shown = "\n".join(f"  {p}" for p in problems[: self.SHOWN])
        more = f"\n  ……另有 {len(problems) - self.SHOWN} 处" if len(problems) > self.SHOWN else ""
        super().__init__(
            f"有 {len(problems)} 处字符无法用 {ENCODINGS.get(encoding, encoding)} 表示（不会被替换或丢弃）：\n"
            f"{shown}{more}\n请改用默认的 UTF-8 编码导出，或更正这些内容。{_NEXT_TIME}"
        )
        self.problems = problems


# --- files ----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WrittenFile:
    name: str
    rows: int
    bytes: int
    sha256: str


def fsync_folder(folder: Path) -> None:
    """Make a rename durable. Windows has no directory handles to fsync; its rename is flushed with the file."""
    if os.name == "nt":
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class SafeFile:
    """Bytes written under `<name>.partial`, then flushed, fsynced and renamed: a file with its final name is whole."""

    def __init__(self, folder: Path, name: str) -> None:
        self.folder = folder
        self.name = name
        self.temp = folder / (name + TEMP_SUFFIX)
        self.final = folder / name
        self._raw: BinaryIO = open(self.temp, "xb")  # noqa: SIM115 - closed in commit/abort
        self._hash = hashlib.sha256()
        self.bytes = 0

    def write(self, data: bytes) -> None:
        self._raw.write(data)
        self._hash.update(data)
        self.bytes += len(data)

    def commit(self) -> str:
        """Returns the SHA-256 of what was written."""
        self._raw.flush()
        os.fsync(self._raw.fileno())
        self._raw.close()
        os.replace(self.temp, self.final)
        return self._hash.hexdigest()

    def abort(self) -> None:
        with contextlib.suppress(OSError):
            self._raw.close()
        with contextlib.suppress(OSError):
            self.temp.unlink()


def write_bytes_safely(folder: Path, name: str, data: bytes) -> WrittenFile:
    target = SafeFile(folder, name)
    try:
        target.write(data)
        digest = target.commit()
    except BaseException:
        target.abort()
        raise
    return WrittenFile(name, 0, len(data), digest)


NUMERIC_KINDS = frozenset({"int", "real", "bool", "share"})


def quote_text(value: str | None) -> str:
    return '""' if value is None else '"' + value.replace('"', '""') + '"'


def format_row(row: Sequence[Any], numeric: Sequence[bool]) -> str:
    """One CSV line, as `line_sql` makes them in SQLite: text always quoted (an empty or missing text is ``""``),
    numbers as they are, a missing number empty."""
    cells = []
    for value, is_number in zip(row, numeric, strict=True):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            cells.append(repr(value))
        elif value is None and is_number:
            cells.append("")
        else:
            cells.append(quote_text(None if value is None else str(value)))
    return ",".join(cells)


def rows_chunk(rows: Sequence[Sequence[Any]], numeric: Sequence[bool]) -> tuple[bytes, int]:
    """Rows computed in Python as a chunk of lines (cell rules applied), like the chunks SQLite makes."""
    return "".join(format_row([guard_cell(v) for v in row], numeric) + "\r\n" for row in rows).encode("utf-8"), len(
        rows
    )


def line_sql(exprs: Sequence[str], numeric: Sequence[bool]) -> str:
    """A SQL expression giving the whole CSV line of a row, CRLF included, so that quoting happens in SQLite's C code
    (Python's csv module copies every character one by one: three times slower on a million events). ``%w`` doubles
    quotes."""
    pattern, args = [], []
    for expr, is_number in zip(exprs, numeric, strict=True):
        if is_number:
            pattern.append("%s")
            # A number as it is; should a numeric column ever hold text, it is quoted like text.
            args.append(
                f"CASE WHEN typeof({expr}) IN ('integer', 'real') THEN {expr} WHEN {expr} IS NULL THEN ''"
                f" ELSE '\"' || replace({expr}, '\"', '\"\"') || '\"' END"
            )
        else:
            pattern.append('"%w"')
            args.append(f"coalesce({expr}, '')")
    # The line's CRLF inside the pattern: one string made per row, nothing appended to it afterwards.
    return f"format('{','.join(pattern)}' || char(13, 10), {', '.join(args)})"


class CsvFile:
    """One CSV file: a header line, then lines in chunks. Encoding problems are collected, not raised, so that one
    run reports all of them; the caller raises `EncodingProblems` before writing the manifest."""

    def __init__(self, folder: Path, name: str, header: Sequence[str], encoding: str) -> None:
        if encoding not in ENCODINGS:
            raise ExportError(f"不支持的编码 {encoding}：可选 {'、'.join(ENCODINGS)}")
        self.name = name
        self.header = list(header)
        self.codec = "utf-8" if encoding == "utf-8-sig" else encoding
        self.problems: list[EncodingProblem] = []
        self.rows = 0
        self._file = SafeFile(folder, name)
        if encoding == "utf-8-sig":
            self._file.write(b"\xef\xbb\xbf")
        self._write((",".join(quote_text(h) for h in self.header) + "\r\n").encode("utf-8"), 0, first_row=1)

    def write_lines(self, lines: Sequence[str]) -> None:
        if lines:
            self._write(("\r\n".join(lines) + "\r\n").encode("utf-8"), len(lines))

    def write_chunk(self, data: bytes, count: int) -> None:
        """`count` lines as UTF-8, each ending with CRLF, as SQLite makes them: written as they are in UTF-8,
        re-encoded otherwise."""
        if count:
            self._write(data, count)

    def write_rows(self, rows: Sequence[Sequence[Any]], numeric: Sequence[bool] | None = None) -> None:
        numeric = numeric or [False] * len(self.header)
        self.write_lines([format_row(row, numeric) for row in rows])

    def _write(self, utf8: bytes, count: int, first_row: int | None = None) -> None:
        first_row = self.rows + 2 if first_row is None else first_row
        self.rows += count
        if self.codec == "utf-8":
            data = utf8
        else:
            text = utf8.decode("utf-8")
            try:
                data = text.encode(self.codec)
            except UnicodeEncodeError:
                self._find_problems(text, first_row)
                return
        if not self.problems:
            self._file.write(data)

    def _find_problems(self, text: str, first_row: int) -> None:
        """Only when a chunk cannot be encoded: parse its lines back into cells to say which row and column."""
        for offset, cells in enumerate(csv.reader(io.StringIO(text))):
            for index, cell in enumerate(cells):
                for char in cell:
                    try:
                        char.encode(self.codec)
                    except UnicodeEncodeError:
                        column = self.header[index] if index < len(self.header) else str(index + 1)
                        self.problems.append(EncodingProblem(self.name, first_row + offset, column, char))

    def commit(self) -> WrittenFile:
        digest = self._file.commit()
        return WrittenFile(self.name, self.rows, self._file.bytes, digest)

    def abort(self) -> None:
        self._file.abort()
