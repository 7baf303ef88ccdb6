"""Backups with SQLite's online backup API: consistent while the app and an export use the file."""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
import threading
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from station_tui.domain.timeutil import local_date
from station_tui.store.errors import DamagedDatabaseError

KEEP_DAYS = 7  # the newest backup of each of the last 7 days that have one
KEEP_WEEKS = 4  # and of each of the last 4 weeks
_STAMP = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"\.backup-(\d{8})-\d{6}-\d{6}\.db$")


def _backup_name(db_path: Path, moment: datetime) -> str:
    return f"{db_path.stem}.backup-{moment.strftime(_STAMP)}-{moment.microsecond:06d}.db"


Hold = Callable[[int], None]  # called between steps with the pages left to copy; raises to give the copy up
STEP_PAGES = 4096  # 16 MiB with 4 KiB pages
FLUSH_STEPS = 8
ALONGSIDE_PAGES = 8 * STEP_PAGES  # a smaller file is copied after the export: it takes a moment anyway


def backup_to(source: sqlite3.Connection, target: Path, hold: Hold | None = None) -> Path:
    """Copy the live database into a new file; the copy is written under a temporary name and renamed. With `hold`,
    the copy goes in steps (see BackupAlongside)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    copy = sqlite3.connect(partial)
    try:
        if hold is None:
            source.backup(copy)
        else:
            _in_steps(source, copy, partial, hold)
    except BaseException:
        copy.close()
        partial.unlink(missing_ok=True)
        raise
    copy.close()
    partial.replace(target)
    return target


def _in_steps(source: sqlite3.Connection, copy: sqlite3.Connection, partial: Path, hold: Hold) -> None:
    """The copy in steps. Every few steps the pages written so far go to the disk: the copy's last step (its commit)
    then waits for a few of them, not for the whole file."""
    fd = os.open(partial, os.O_RDWR | getattr(os, "O_BINARY", 0))
    steps = 0

    def progress(status: int, left: int, total: int) -> None:  # noqa: ARG001
        nonlocal steps
        steps += 1
        if steps % FLUSH_STEPS == 0:
            os.fsync(fd)
        hold(left)

    try:
        source.backup(copy, pages=STEP_PAGES, progress=progress, sleep=0.005)
    finally:
        # Only now: closing a descriptor drops the process's POSIX locks on the file, the copying connection's too.
        os.close(fd)


def automatic_backups(db_path: Path) -> list[Path]:
    """The dated backups beside the database, oldest first."""
    return sorted(db_path.parent.glob(f"{db_path.stem}.backup-*.db"))


def newest_backup(db_path: Path) -> Path | None:
    backups = automatic_backups(db_path)
    return backups[-1] if backups else None


def _day(backup: Path) -> date | None:
    match = _NAME.search(backup.name)
    return datetime.strptime(match.group(1), "%Y%m%d").date() if match else None


def to_keep(backups: list[Path]) -> set[Path]:
    """The newest backup of each of the last KEEP_DAYS days and of each of the last KEEP_WEEKS ISO weeks (days and
    weeks that have a backup: a station closed for a week still keeps seven)."""
    by_day: dict[date, Path] = {}
    by_week: dict[tuple[int, int], Path] = {}
    for backup in sorted(backups):  # oldest first: the newest of a day or week wins
        day = _day(backup)
        if day is None:
            continue
        by_day[day] = backup
        by_week[day.isocalendar()[:2]] = backup
    keep = {by_day[d] for d in sorted(by_day)[-KEEP_DAYS:]}
    keep |= {by_week[w] for w in sorted(by_week)[-KEEP_WEEKS:]}
    return keep


def backup_beside(source: sqlite3.Connection, db_path: Path, moment: datetime, hold: Hold | None = None) -> Path:
    """A dated backup beside the database; older ones beyond the last 7 days and 4 weeks are removed."""
    path = backup_to(source, db_path.parent / _backup_name(db_path, moment), hold)
    _remove_stale_partials(db_path)
    backups = automatic_backups(db_path)
    keep = to_keep(backups) | {path}
    for old in backups:
        if old not in keep:
            old.unlink(missing_ok=True)
    return path


STALE_PARTIAL_SECONDS = 3600  # older than any backup takes: left by a killed process, not one being written


def _remove_stale_partials(db_path: Path) -> None:
    """Half-written copies (and their journals) a killed process left beside the database."""
    now = time.time()
    for leftover in db_path.parent.glob(f"{db_path.stem}.backup-*.db.partial*"):
        with contextlib.suppress(OSError):
            if now - leftover.stat().st_mtime > STALE_PARTIAL_SECONDS:
                leftover.unlink()


def has_backup_of(db_path: Path, day: date) -> bool:
    return any(_day(backup) == day for backup in automatic_backups(db_path))


def sound(conn: sqlite3.Connection) -> list[str]:
    """PRAGMA quick_check's findings ([] when sound); a read error counts as one."""
    try:
        rows = [row[0] for row in conn.execute("PRAGMA quick_check")]
    except sqlite3.DatabaseError as exc:
        return [str(exc)]
    return [] if rows == ["ok"] else rows[:5]


def backup_hint(path: Path) -> str:
    backup = newest_backup(path)
    return f"最近的备份：{backup}。" if backup else "旁边没有找到自动备份（U 盘上可能有 station-tui backup 做的备份）。"


def damaged(path: Path, exc: BaseException) -> DamagedDatabaseError:
    return DamagedDatabaseError(
        f"数据库文件 {path} 已损坏或不是本程序的数据库（{exc}）。{backup_hint(path)}"
        f"下一步：station-tui recover --db {path} --to 新文件名.db 救出其中能读的记录"
        "（与最近的备份合并，原文件不会被改动）；或用 station-tui restore 备份文件 放回备份。详见 README「备份与恢复」。",
        path,
    )


def safe_backup_beside(source: sqlite3.Connection, db_path: Path, moment: datetime) -> Path:
    """A backup beside the database, made only of a sound file: a backup of a damaged file would push the good
    ones out of the seven days kept. Raises DamagedDatabaseError instead."""
    problems = sound(source)
    if problems:
        raise damaged(db_path, sqlite3.DatabaseError("; ".join(problems)))
    return backup_beside(source, db_path, moment)


def backup_of_the_day(source: sqlite3.Connection, db_path: Path, moment: datetime) -> Path | None:
    """At the first start of a day: check the file and back it up, unless today's backup exists."""
    if has_backup_of(db_path, local_date(moment)):
        return None
    return safe_backup_beside(source, db_path, moment)


def other_disk(a: Path, b: Path) -> bool:
    """Whether two folders lie on different disks (st_dev is the volume serial number on Windows)."""
    try:
        return a.stat().st_dev != b.stat().st_dev
    except OSError:
        return False


OUTBOX_BACKUPS = "station-tui-backups"  # beside the station's export folders on the stick, never inside them


class BackgroundCheck:
    """PRAGMA quick_check of a database on its own connection, in a thread, while the caller does other work (an
    export writes its files meanwhile: on two cores the check then costs no waiting). `findings()` waits for it."""

    def __init__(self, db_path: Path) -> None:
        self._findings: list[str] = []
        self._thread = threading.Thread(target=self._run, args=(db_path,), name="quick-check", daemon=True)
        self._thread.start()

    def _run(self, db_path: Path) -> None:
        try:
            conn = sqlite3.connect(db_path, timeout=15.0)
        except sqlite3.Error as exc:
            self._findings = [str(exc)]
            return
        try:
            self._findings = sound(conn)
        finally:
            conn.close()

    def findings(self) -> list[str]:
        self._thread.join()
        return self._findings


class _GivenUp(Exception):
    """The export failed: its backup is not made."""


class BackupAlongside:
    """The backup beside the database that an export makes, copied while the export writes its files, on the
    connection the export's export.done is recorded on. SQLite's backup API goes in steps; a change made through the
    copying connection between two steps reaches the copy at once (a change through another connection starts the
    copy again). So the copy is the database as it is when its last step runs, and that step waits until `finish()`:
    after export.done. `give_up()` when the export failed."""

    def __init__(self, source: sqlite3.Connection, db_path: Path, moment: datetime) -> None:
        self._decided = threading.Event()
        self._go = False
        self._made: Path | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._copy, args=(source, db_path, moment), name="backup-alongside", daemon=True
        )
        self._thread.start()

    @staticmethod
    def worth_it(source: sqlite3.Connection) -> bool:
        """Only a large file: a small one could be copied whole in the first step, before export.done."""
        return source.execute("PRAGMA page_count").fetchone()[0] > ALONGSIDE_PAGES

    def _hold(self, left: int) -> None:
        if left <= STEP_PAGES:  # the next step may be the last
            self._decided.wait()
            if not self._go:
                raise _GivenUp

    def _copy(self, source: sqlite3.Connection, db_path: Path, moment: datetime) -> None:
        try:
            self._made = backup_beside(source, db_path, moment, self._hold)
        except _GivenUp:
            pass
        except BaseException as exc:  # noqa: BLE001 - raised again by finish() in the export's thread
            self._error = exc

    def finish(self) -> Path:
        """The last step, now; the backup's path. Raises what the copying met."""
        self._go = True
        self._decided.set()
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._made is not None
        return self._made

    def give_up(self) -> None:
        self._decided.set()
        self._thread.join()


def backups_after_export(
    source: sqlite3.Connection,
    db_path: Path,
    outbox: Path,
    station_code: str,
    moment: datetime,
    checked: BackgroundCheck | None = None,
    alongside: BackupAlongside | None = None,
) -> tuple[Path, ...]:
    """At every export: a backup beside the database (`alongside`, when the export started its copy), and a copy in
    the outbox when it is another disk (a USB stick), so that a dead PC does not take every copy with it. The stick
    keeps its last KEEP_DAYS copies.

    Made only of a sound file, as safe_backup_beside: `checked` is the quick_check the export ran while it wrote its
    files (of the same file, less the one export.done event recorded since); None: check now."""
    problems = sound(source) if checked is None else checked.findings()
    if problems:
        if alongside is not None:
            alongside.give_up()
        raise damaged(db_path, sqlite3.DatabaseError("; ".join(problems)))
    made = [alongside.finish() if alongside is not None else backup_beside(source, db_path, moment)]
    if other_disk(outbox, db_path.parent):
        folder = outbox / OUTBOX_BACKUPS
        made.append(backup_into_folder(source, folder, station_code, moment))
        for old in sorted(folder.glob(f"station-{station_code or 'new'}-*.db"))[:-KEEP_DAYS]:
            old.unlink(missing_ok=True)
    return tuple(made)


def backup_into_folder(source: sqlite3.Connection, folder: Path, station_code: str, moment: datetime) -> Path:
    """`station-tui backup --to DIR`: a dated copy in a folder such as a USB stick."""
    return backup_to(source, folder / f"station-{station_code or 'new'}-{moment.strftime(_STAMP)}.db")
