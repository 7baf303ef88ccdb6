"""Where the county loads: one SQLite file (a county) or a PostgreSQL database (a city, a province), behind the few
operations the loader, the indicators and the report need. SQL is written once with `?` placeholders and
`ON CONFLICT DO NOTHING`, which both dialects understand; only the bulk path differs (executemany into SQLite,
COPY into a temporary staging table on PostgreSQL, because COPY has no conflict clause)."""

from __future__ import annotations

import contextlib
import csv
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from station_tui.domain.errors import StationError

DEFAULT_TARGET = "county.db"


class CountyError(StationError):
    """A plain message for the county office (one line, in Chinese)."""


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


class Target:
    dialect = ""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Runs one statement; returns the rows it changed."""
        raise NotImplementedError

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        raise NotImplementedError

    def insert_new(self, table: str, columns: Sequence[str], key: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Inserts the rows whose key is not there yet; returns how many were new."""
        raise NotImplementedError

    def insert_all(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        raise NotImplementedError

    def insert_csv_new(self, table: str, station: str, columns: Sequence[Column], path: Path, encoding: str) -> int:
        """The rows of a CSV file whose columns are `columns` in this order (after one header line), each with the
        station in front, inserted unless their (station, uuid) is there; returns how many were new. Read and
        converted by the database itself (no Python per row): an empty cell is NULL, a number is cast."""
        raise NotImplementedError

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        raise NotImplementedError
        yield

    def close(self) -> None:
        raise NotImplementedError


# (name, SQL type): the columns of a CSV file as the county's table types them.
Column = tuple[str, str]


def _cell(expr: str, sql_type: str) -> str:
    """A CSV cell as the table holds it: empty is NULL (the export writes a missing value as an empty cell)."""
    return f"NULLIF({expr}, '')" if sql_type == "TEXT" else f"CAST(NULLIF({expr}, '') AS {sql_type})"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _insert_sql(table: str, columns: Sequence[str], marker: str) -> str:
    names = ", ".join(columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join([marker] * len(columns))})"


class SqliteTarget(Target):
    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=15)
            self.conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.DatabaseError as exc:
            raise CountyError(f"{self.path} 无法打开或不是数据库文件（{exc}）") from exc
        # The county file is a copy of what the stations hold: a crash loses at most the folder being loaded, which
        # is loaded again by the next run (its export is not marked as loaded). NORMAL syncs at checkpoints only.
        self.conn.execute("PRAGMA synchronous=NORMAL")
        self.conn.execute("PRAGMA cache_size=-65536")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.conn.execute(sql, params).rowcount

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

    def insert_new(self, table: str, columns: Sequence[str], key: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        before = self.conn.total_changes
        self.conn.executemany(_insert_sql(table, columns, "?") + " ON CONFLICT DO NOTHING", rows)
        return self.conn.total_changes - before

    def insert_all(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        before = self.conn.total_changes
        self.conn.executemany(_insert_sql(table, columns, "?"), rows)
        return self.conn.total_changes - before

    def insert_csv_new(self, table: str, station: str, columns: Sequence[Column], path: Path, encoding: str) -> int:
        names = ", ".join(name for name, _ in columns)
        cells = ", ".join(_cell("?", sql_type) for _, sql_type in columns)
        # The station as a literal, so that the csv reader's rows go to SQLite as they are: no Python per row.
        sql = f"INSERT INTO {table} (station, {names}) VALUES ({_literal(station)}, {cells}) ON CONFLICT DO NOTHING"
        before = self.conn.total_changes
        with open(path, encoding=encoding, newline="") as f:
            reader = csv.reader(f)
            next(reader, None)
            try:
                self.conn.executemany(sql, reader)
            except sqlite3.ProgrammingError as exc:  # a row with more or fewer cells than the header
                raise ValueError(f"{path.name} 第 {reader.line_num} 行的列数与表头不符") from exc
        return self.conn.total_changes - before

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    def close(self) -> None:
        self.conn.close()


class PostgresTarget(Target):
    dialect = "postgresql"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise CountyError("载入 PostgreSQL 需要 psycopg：请安装 station-tui[county]") from exc
        try:
            self.conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise CountyError(f"无法连接 PostgreSQL（{_first_line(exc)}）") from exc

    @staticmethod
    def _sql(sql: str) -> str:
        # Our statements never hold a literal question mark or percent sign: the placeholders translate one to one.
        return sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self.conn.cursor() as cur:
            cur.execute(self._sql(sql), params)
            return cur.rowcount

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self.conn.cursor() as cur:
            cur.execute(self._sql(sql), params)
            return cur.fetchall()

    def _copy(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        with self.conn.cursor() as cur:
            with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return cur.rowcount

    def insert_new(self, table: str, columns: Sequence[str], key: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        # COPY cannot skip a row whose key exists: into a temporary table first (temporary tables are never
        # written to the WAL, i.e. unlogged, and private to this session), then one INSERT … ON CONFLICT DO NOTHING.
        stage = f"stage_{table}"
        self.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
        self.execute(f"TRUNCATE {stage}")
        self._copy(stage, columns, rows)
        names = ", ".join(columns)
        return self.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} ON CONFLICT ({', '.join(key)}) DO NOTHING"
        )

    def insert_all(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        return self._copy(table, columns, rows)

    def insert_csv_new(self, table: str, station: str, columns: Sequence[Column], path: Path, encoding: str) -> int:
        # The file's bytes straight into COPY (the server parses the CSV), into a staging table of text columns.
        stage = f"stage_csv_{table}"
        texts = ", ".join(f"{name} TEXT" for name, _ in columns)
        self.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} ({texts}) ON COMMIT DELETE ROWS")
        self.execute(f"TRUNCATE {stage}")
        server_encoding = "UTF8" if encoding.startswith("utf-8") else encoding.upper()
        names = ", ".join(name for name, _ in columns)
        copy_sql = f"COPY {stage} ({names}) FROM STDIN (FORMAT csv, HEADER true, ENCODING '{server_encoding}')"
        with open(path, "rb") as f, self.conn.cursor() as cur, cur.copy(copy_sql) as copy:
            if encoding == "utf-8-sig" and f.read(3) != b"\xef\xbb\xbf":
                f.seek(0)
            while block := f.read(1 << 20):
                copy.write(block)
        cells = ", ".join(_cell(name, sql_type) for name, sql_type in columns)
        return self.execute(
            f"INSERT INTO {table} (station, {names}) SELECT ?, {cells} FROM {stage}"
            " ON CONFLICT (station, uuid) DO NOTHING",
            (station,),
        )

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.conn.transaction():
            yield

    def close(self) -> None:
        self.conn.close()


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def open_target(target: str | Path) -> Target:
    text = str(target)
    if is_postgres(text):
        return PostgresTarget(text)
    return SqliteTarget(Path(text))
