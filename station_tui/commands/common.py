"""What every command shares: the --db and --allow-clock-behind options, one-line errors, opening the station,
and a 站长's authorisation by name and PIN."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from station_tui.domain.errors import StationError
from station_tui.paths import DB_ENV, default_db_path


class CommandError(click.ClickException):
    """A plain Chinese message and exit status 1, never a traceback."""

    def show(self, file: Any = None) -> None:
        click.echo(f"错误：{self.format_message()}", err=True)


def db_option(fn: Callable) -> Callable:
    return click.option(
        "--db",
        "db_path",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help=f"数据库文件（默认：环境变量 {DB_ENV}，否则用户数据目录下的 station.db）",
    )(fn)


def clock_option(fn: Callable) -> Callable:
    return click.option(
        "--allow-clock-behind",
        is_flag=True,
        help="系统时间早于最近一条记录时仍然记录（确认时钟无误后才用）",
    )(fn)


def plain_errors(fn: Callable) -> Callable:
    """Our own errors become a one-line message with exit status 1."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except StationError as exc:
            raise CommandError(str(exc)) from exc
        except sqlite3.DatabaseError as exc:
            # Damage met after the file opened (a page read in the middle of a command): the same plain answer.
            from station_tui.store.diagnose import open_failure

            if "db_path" not in kwargs:
                raise CommandError(f"读取数据库时出错：{exc}") from exc
            raise CommandError(str(open_failure(resolve_db(kwargs["db_path"]), exc))) from exc

    return wrapper


def resolve_db(db_path: Path | None) -> Path:
    return db_path if db_path is not None else default_db_path()


def existing_db(db_path: Path | None) -> Path:
    path = resolve_db(db_path)
    if not path.exists():
        raise CommandError(f"数据库文件不存在：{path}（先运行 station-tui init 或 station-tui demo）")
    return path


def open_station(db_path: Path | None, *, must_exist: bool = True, allow_clock_behind: bool = False):  # noqa: ANN201
    from station_tui.services.station import Station
    from station_tui.store import Store

    path = existing_db(db_path) if must_exist else resolve_db(db_path)
    store = Store(path, create=not must_exist)
    store.clock_behind_confirmed = allow_clock_behind
    return Station.open(store)


def head_id(station, head_name: str, head_pin: str) -> str:  # noqa: ANN001
    from station_tui.services.operators import authorize_head, list_operators

    matches = [op for op in list_operators(station) if op.name == head_name and op.is_head]
    if not matches:
        raise CommandError(f"没有名为 {head_name} 的站长")
    return authorize_head(station, matches[0].uuid, head_pin).uuid
