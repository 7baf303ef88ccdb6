"""Where the county loads: one SQLite file (a county) or a PostgreSQL database (a city, a province), behind the few
operations the loader, the indicators and the report need. SQL is written once with `?` placeholders and
`ON CONFLICT DO NOTHING`, which both dialects understand; only the bulk path differs: SQLite is fed the csv
reader's rows as they are, PostgreSQL gets the file's bytes by COPY into a temporary staging table, because COPY has
no conflict clause. Either way the database converts the cells (no Python per row)."""

from __future__ import annotations

import contextlib
import csv
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from station_tui.county.contract import unguard_sql
from station_tui.domain.errors import StationError

DEFAULT_TARGET = "county.db"
COUNTY_PAGE_SIZE = 16384
csv.field_size_limit(1 << 30)  # a notice's content or an event's payload can be long


class CountyError(StationError):
    """A plain message for the county office (one line, in Chinese)."""


def is_postgres(target: str) -> bool:
    return target.startswith(("postgresql://", "postgres://"))


@dataclass(frozen=True)
class CsvLoad:
    """One CSV file into one table: `cells` are (column, SQL expression) where `{}` stands for the file's cell and
    `positions` says which file column each one reads; `width` is the file's number of columns."""

    table: str
    station: str
    path: Path
    encoding: str
    width: int
    cells: Sequence[tuple[str, str, int]]  # (column, expression over {}, position in the file)
    # "new": rows whose key exists are skipped (events); "update": they are updated where a value changed (the
    # snapshot tables: most rows are the same night after night, and an unchanged row is not written again).
    mode: str = "new"
    numeric: frozenset[str] = frozenset()  # the columns cast to numbers (the others are text: '' is NULL)
    guarded: bool = False  # some column may carry the export's Excel guard (a leading tab or apostrophe)

    def select(self, cell_name: Any) -> str:  # noqa: ANN401 - a function from a position to the cell's SQL name
        return ", ".join(expr.replace("{}", cell_name(pos)) for _, expr, pos in self.cells)

    @property
    def names(self) -> str:
        return ", ".join(name for name, _, _ in self.cells)

    def as_read(self) -> CsvLoad:
        """The load as its file is read: without the guards' removal when no cell of the file can begin with a guard,
        because the file holds no tab and no apostrophe at all. Such files are common (a masked number needs no guard),
        and the removal is a CASE of several substr() per guarded cell: about a tenth of the CPU of reading a
        station's snapshot files."""
        if not self.guarded or _holds_guard_bytes(self.path):
            return self
        guard = unguard_sql("{}")
        return replace(
            self, cells=[(name, expr.replace(guard, "{}"), pos) for name, expr, pos in self.cells], guarded=False
        )


def _holds_guard_bytes(path: Path) -> bool:
    # In UTF-8 and in GBK neither byte is ever part of another character. Blocks split no byte.
    with open(path, "rb") as f:
        while block := f.read(1 << 20):
            if b"\t" in block or b"'" in block:
                return True
    return False


class Target:
    dialect = ""
    rows_read = 0  # the data rows the last insert_csv_new read from its file (the manifest's count is checked)
    distinct = ""  # the operator "differs, NULL included"

    def conflict(self, load: CsvLoad) -> str:
        if load.mode == "new":
            return "ON CONFLICT (station, uuid) DO NOTHING"
        names = [name for name, _, _ in load.cells if name != "uuid"]
        sets = ", ".join(f"{n} = excluded.{n}" for n in names)
        changed = " OR ".join(f"{load.table}.{n} {self.distinct} excluded.{n}" for n in names)
        return f"ON CONFLICT (station, uuid) DO UPDATE SET {sets} WHERE {changed}"

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Runs one statement; returns the rows it changed."""
        raise NotImplementedError

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        raise NotImplementedError

    def insert_new(self, table: str, columns: Sequence[str], key: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Inserts the rows whose key is not there yet; returns how many were new."""
        raise NotImplementedError

    def insert_csv_new(self, load: CsvLoad) -> int:
        """The file's rows (after its header line) with the station in front, inserted unless their (station, uuid)
        is there; returns how many were new."""
        raise NotImplementedError

    def station_has_rows(self, table: str, station: str) -> bool:
        # In the order of the table's key (station, uuid): PostgreSQL then reads its index, where a plain LIMIT 1 may
        # be planned as a scan of the whole table that finds nothing for a new station.
        return bool(self.query(f"SELECT 1 FROM {table} WHERE station = ? ORDER BY station, uuid LIMIT 1", (station,)))

    def insert_csv_first(self, load: CsvLoad) -> int:
        """As insert_csv_new, for a table that holds no row of the station yet (its first load: most of a county's
        loading time), where no row can meet one already there; returns the rows inserted."""
        return self.insert_csv_new(load)

    def connect_again(self) -> Target:
        """Another connection to the same database, for a loader working beside this one."""
        raise NotImplementedError

    def lock_station(self, station: str) -> None:
        """Inside a transaction: no other loader writes the station's rows until it ends (what a first load relies
        on to skip the conflict checks)."""

    def temp_table(self, name: str, columns: str) -> str:
        """An empty temporary table of this session (made the first time); returns the name to use in SQL."""
        raise NotImplementedError

    def stage_csv(self, load: CsvLoad) -> str:
        """The file's rows, converted as insert_csv_new converts them, into an emptied temporary table shaped like
        `load.table` (named `snap_<table>`, returned), for set-based statements against the real table."""
        raise NotImplementedError

    def prepared(self, file: Path, folder: Path, rows: dict[str, int]) -> contextlib.AbstractContextManager[None]:
        """The folder's files read from the rows a worker process put in `file` (SQLite: county/prepare.py)."""
        raise NotImplementedError

    def new_rows(self, table: str) -> str:
        """A FROM clause naming (at least) the rows the last insert_csv_new into `table` added, inside the same
        transaction: what the loader derives the outcomes, pauses and newest time from, without an index on the
        events. It may name rows that were there already (PostgreSQL: the file's rows): what is derived from them is
        inserted by key or is a maximum."""
        raise NotImplementedError

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        raise NotImplementedError
        yield

    def close(self) -> None:
        raise NotImplementedError


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _insert_sql(table: str, columns: Sequence[str], marker: str) -> str:
    names = ", ".join(columns)
    return f"INSERT INTO {table} ({names}) VALUES ({', '.join([marker] * len(columns))})"


class SqliteTarget(Target):
    dialect = "sqlite"
    distinct = "IS NOT"  # IS DISTINCT FROM only since SQLite 3.39; Python 3.10 on Windows may bring an older one

    def __init__(self, path: Path, scratch: bool = False) -> None:
        """`scratch`: a file of one run (county/prepare.py), deleted after it: no journal, never synced."""
        self.path = Path(path)
        self._rowid: dict[str, int] = {}
        self._prepared: tuple[Path, dict[str, int]] | None = None
        try:
            self.conn = sqlite3.connect(self.path, isolation_level=None, timeout=15)
            if not scratch:
                # A new county file's pages: 16 KiB instead of 4 (a file that exists keeps its own). A load writes
                # a few hundred MB; larger pages take fewer writes to its WAL and fewer splits of its indexes: the
                # loading process's time for 50 stations' full exports went down by about a tenth.
                self.conn.execute(f"PRAGMA page_size={COUNTY_PAGE_SIZE}")
            self.conn.execute(f"PRAGMA journal_mode={'OFF' if scratch else 'WAL'}")
        except sqlite3.DatabaseError as exc:
            raise CountyError(f"{self.path} 无法打开或不是数据库文件（{exc}）") from exc
        # The county file is a copy of what the stations hold: a crash loses at most the folder being loaded, which
        # the next run loads again (its export is not marked as loaded). NORMAL syncs at checkpoints only.
        self.conn.execute(f"PRAGMA synchronous={'OFF' if scratch else 'NORMAL'}")
        self.conn.execute("PRAGMA cache_size=-131072")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return self.conn.execute(sql, params).rowcount

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        return self.conn.execute(sql, params).fetchall()

    def insert_new(self, table: str, columns: Sequence[str], key: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        before = self.conn.total_changes
        self.conn.executemany(_insert_sql(table, columns, "?") + " ON CONFLICT DO NOTHING", rows)
        return self.conn.total_changes - before

    @staticmethod
    def _insert_rows_sql(load: CsvLoad, into: str, conflict: str) -> str:
        # The reader's rows go to SQLite as they are: the station is a literal, each file column the numbered
        # parameter of its place (?1 the first), the conversions are SQL. Columns the county does not read are bound
        # and ignored; SQLite wants as many values as the largest number, which the station's coalesce names when no
        # column read is the file's last.
        station = _literal(load.station)
        if load.width not in {pos + 1 for _, _, pos in load.cells}:
            station = f"coalesce({station}, ?{load.width})"
        return (
            f"INSERT INTO {into} (station, {load.names})"
            f" VALUES ({station}, {load.select(lambda i: f'?{i + 1}')}) {conflict}"
        )

    def insert_csv_new(self, load: CsvLoad) -> int:
        before = self.conn.total_changes
        # Rows are never deleted from the tables loaded this way, so the new ones are those past the largest rowid.
        self._rowid[load.table] = self.conn.execute(f"SELECT coalesce(max(rowid), 0) FROM {load.table}").fetchone()[0]
        self.read_csv_into(load, load.table, self.conflict(load))
        return self.conn.total_changes - before

    def temp_table(self, name: str, columns: str) -> str:
        self.conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns})")
        self.conn.execute(f"DELETE FROM temp.{name}")
        return f"temp.{name}"

    def stage_csv(self, load: CsvLoad) -> str:
        name = f"snap_{load.table}"
        self.conn.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} AS SELECT * FROM main.{load.table} WHERE false")
        self.conn.execute(f"DELETE FROM temp.{name}")
        self.read_csv_into(load, f"temp.{name}")
        return f"temp.{name}"

    def read_csv_into(self, load: CsvLoad, into: str, conflict: str = "") -> None:
        """The file's rows, converted, into the table `into` (`conflict`: its ON CONFLICT clause). A folder a worker
        process has read (prepared) gives them from its table of the same name instead of the file."""
        if self._prepared is not None and self._prepared[0] == load.path.parent and load.path.name in self._prepared[1]:
            names = f"station, {load.names}"
            self.conn.execute(
                f"INSERT INTO {into} ({names}) SELECT {names} FROM prepared.{load.table} WHERE true ORDER BY rowid"
                f" {conflict}"
            )
            self.rows_read = self._prepared[1][load.path.name]
            return
        sql = self._insert_rows_sql(load.as_read(), into, conflict)
        with open(load.path, encoding=load.encoding, newline="") as f:
            reader = csv.reader(f)
            next(reader, None)
            self.rows_read = 0

            def counted() -> Iterator[list[str]]:
                for row in reader:
                    self.rows_read += 1
                    yield row

            try:
                self.conn.executemany(sql, counted())
            except sqlite3.ProgrammingError as exc:  # a row with more or fewer cells than the header
                raise ValueError(f"{load.path.name} 第 {reader.line_num} 行的列数与表头不符") from exc

    @contextlib.contextmanager
    def prepared(self, file: Path, folder: Path, rows: dict[str, int]) -> Iterator[None]:
        """Outside a transaction: the folder's files are read from `file`, where a worker process put their rows,
        converted, one table per file (`rows`: the records it read of each, by file name)."""
        try:
            self.conn.execute("ATTACH DATABASE ? AS prepared", (str(file),))
        except sqlite3.Error:  # the worker checked the folder; its files are read again here
            yield
            return
        self._prepared = (folder, rows)
        try:
            yield
        finally:
            self._prepared = None
            self.conn.execute("DETACH DATABASE prepared")

    def new_rows(self, table: str) -> str:
        return f"{table} WHERE rowid > {int(self._rowid[table])}"

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
    distinct = "IS DISTINCT FROM"

    def __init__(self, url: str) -> None:
        try:
            import psycopg
        except ImportError as exc:
            raise CountyError("载入 PostgreSQL 需要 psycopg：请安装 station-tui[county]") from exc
        self._rows: dict[str, str] = {}
        self.url = url
        try:
            self.conn = psycopg.connect(url, autocommit=True)
        except psycopg.Error as exc:
            raise CountyError(f"无法连接 PostgreSQL（{_first_line(exc)}）") from exc

    @staticmethod
    def _sql(sql: str) -> str:
        # Our statements hold no literal question mark or percent sign: the placeholders translate one to one.
        return sql.replace("?", "%s")

    def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self.conn.cursor() as cur:
            cur.execute(self._sql(sql), params)
            return cur.rowcount

    def query(self, sql: str, params: Sequence[Any] = ()) -> list[tuple]:
        with self.conn.cursor() as cur:
            cur.execute(self._sql(sql), params)
            return cur.fetchall()

    def _stage(self, name: str, columns: str) -> None:
        # Temporary tables are never written to the WAL (unlogged) and private to this session.
        self.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} ({columns}) ON COMMIT DELETE ROWS")
        self.execute(f"TRUNCATE {name}")

    def insert_new(self, table: str, columns: Sequence[str], key: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        stage = f"stage_{table}"
        self.execute(f"CREATE TEMP TABLE IF NOT EXISTS {stage} (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DELETE ROWS")
        self.execute(f"TRUNCATE {stage}")
        names = ", ".join(columns)
        with self.conn.cursor() as cur, cur.copy(f"COPY {stage} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return self.execute(
            f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} ON CONFLICT ({', '.join(key)}) DO NOTHING"
        )

    def insert_csv_new(self, load: CsvLoad) -> int:
        import psycopg

        try:
            return self._copy_csv(load)
        except (psycopg.DataError, psycopg.errors.BadCopyFileFormat, psycopg.errors.CharacterNotInRepertoire) as exc:
            raise ValueError(f"{load.path.name} 无法读取（{_first_line(exc)}）") from exc

    def temp_table(self, name: str, columns: str) -> str:
        self._stage(name, columns)
        return name

    def connect_again(self) -> Target:
        return PostgresTarget(self.url)

    def lock_station(self, station: str) -> None:
        # A second loader of the same station waits here, then finds the first one's rows (no first load twice).
        self.execute("SELECT pg_advisory_xact_lock(hashtext(?))", (f"county:{station}",))

    def insert_csv_first(self, load: CsvLoad) -> int:
        import psycopg

        try:
            if sorted(pos for _, _, pos in load.cells) != list(range(load.width)):
                return self._copy_csv(load, conflict="")  # columns the county does not read: through the stage
            return self._copy_direct(load)
        except psycopg.errors.UniqueViolation as exc:
            raise ValueError(f"{load.path.name} 中同一 ID 出现了两次（{_first_line(exc)}）") from exc
        except (psycopg.DataError, psycopg.errors.BadCopyFileFormat, psycopg.errors.CharacterNotInRepertoire) as exc:
            raise ValueError(f"{load.path.name} 无法读取（{_first_line(exc)}）") from exc

    def _copy_direct(self, load: CsvLoad) -> int:
        """COPY straight into the table: the server parses the file into its columns, the station comes from the
        column's default (the setting below, for this transaction), a quoted empty text is NULL (FORCE_NULL, as
        NULLIF does on the other path) and the export's guards were taken off the bytes (unguard_bytes)."""
        ordered = sorted(load.cells, key=lambda cell: cell[2])
        names = ", ".join(name for name, _, _ in ordered)
        texts = ", ".join(name for name, _, _ in ordered if name not in load.numeric)
        force = f", FORCE_NULL ({texts})" if texts else ""
        encoding = "UTF8" if load.encoding.startswith("utf-8") else load.encoding.upper()
        self.execute("SELECT set_config('county.station', ?, true)", (load.station,))
        data = memoryview(_file_bytes(load))
        sql = f"COPY {load.table} ({names}) FROM STDIN (FORMAT csv, HEADER true, ENCODING '{encoding}'{force})"
        with self.conn.cursor() as cur:
            with cur.copy(sql) as copy:
                for start in range(0, len(data), 1 << 20):
                    copy.write(data[start : start + (1 << 20)])
            self.rows_read = cur.rowcount
        # The station had no rows in the table: all it has now are this file's.
        self._rows[load.table] = f"{load.table} WHERE station = {_literal(load.station)}"
        return self.rows_read

    def stage_csv(self, load: CsvLoad) -> str:
        import psycopg

        name = f"snap_{load.table}"
        self.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (LIKE {load.table}) ON COMMIT DELETE ROWS")
        self.execute(f"TRUNCATE {name}")
        load = load.as_read()
        try:
            stage = self._copy_text(load)
            select = f"SELECT ?, {load.select(lambda i: f'c{i}')} FROM {stage}"
            self.execute(f"INSERT INTO {name} (station, {load.names}) {select}", (load.station,))
        except (psycopg.DataError, psycopg.errors.BadCopyFileFormat, psycopg.errors.CharacterNotInRepertoire) as exc:
            raise ValueError(f"{load.path.name} 无法读取（{_first_line(exc)}）") from exc
        return name

    def _copy_text(self, load: CsvLoad) -> str:
        """The file's bytes straight into COPY (the server parses the CSV) into an emptied table of text columns."""
        stage = f"stage_csv_{load.table}_{load.width}"
        self._stage(stage, ", ".join(f"c{i} TEXT" for i in range(load.width)))
        encoding = "UTF8" if load.encoding.startswith("utf-8") else load.encoding.upper()
        copy_sql = f"COPY {stage} FROM STDIN (FORMAT csv, HEADER true, ENCODING '{encoding}')"
        with open(load.path, "rb") as f, self.conn.cursor() as cur, cur.copy(copy_sql) as copy:
            if load.encoding == "utf-8-sig" and f.read(3) != b"\xef\xbb\xbf":
                f.seek(0)
            while block := f.read(1 << 20):
                copy.write(block)
        self.rows_read = self.query(f"SELECT count(*) FROM {stage}")[0][0]
        return stage

    def _copy_csv(self, load: CsvLoad, conflict: str | None = None) -> int:
        load = load.as_read()
        stage = self._copy_text(load)
        select = f"SELECT ?, {load.select(lambda i: f'c{i}')} FROM {stage}"
        # new_rows() reads the file's rows from the stage: what the loader derives from them (outcomes, pauses, the
        # newest time) is inserted by key or is a maximum, so the rows already there give nothing new. (Keeping the
        # inserted rows aside with RETURNING wrote every event twice.)
        station = _literal(load.station)
        named = ", ".join(
            [f"{station} AS station", *(f"{expr.replace('{}', f'c{pos}')} AS {name}" for name, expr, pos in load.cells)]
        )
        self._rows[load.table] = f"(SELECT {named} FROM {stage}) AS file_rows WHERE true"
        conflict = self.conflict(load) if conflict is None else conflict
        return self.execute(f"INSERT INTO {load.table} (station, {load.names}) {select} {conflict}", (load.station,))

    def new_rows(self, table: str) -> str:
        return self._rows[table]

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        with self.conn.transaction():
            yield

    def close(self) -> None:
        self.conn.close()


# The export's guards as bytes: a tab, or an apostrophe before a character Excel would take for a formula, just after
# the opening quote of a cell (the export quotes every text cell). Inside a quoted cell every quote is doubled, so a
# quote that comes first or after a comma or a line break, and is followed by anything but a quote, opens a cell.
# Only the guarded kinds carry guards: the other text columns (codes, names, times, JSON, UUIDs) never start with a
# tab or an apostrophe. In GBK too: the comma, the line feed, the quote, the tab and the apostrophe are never the
# second byte of a character.
_GUARD = re.compile(rb"(?<![^,\n])\"(?:\t|'(?=[-=+@\t\r]))")


def unguard_bytes(data: bytes) -> bytes:
    """The file's bytes with the export's guards removed (what unguard_sql does to each guarded cell)."""
    if b'"\t' not in data and b"\"'" not in data:  # the usual case: two scans at memory speed, no regex
        return data
    return _GUARD.sub(b'"', data)


def _file_bytes(load: CsvLoad) -> bytes:
    data = load.path.read_bytes()
    if load.encoding == "utf-8-sig" and data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    return unguard_bytes(data) if load.guarded else data


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def open_target(target: str | Path) -> Target:
    text = str(target)
    if is_postgres(text):
        return PostgresTarget(text)
    return SqliteTarget(Path(text))
