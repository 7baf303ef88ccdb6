"""`station-tui restore BACKUP`: put a backup in place of the database, keeping the current file aside."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from station_tui.store.errors import StoreError


@dataclass(frozen=True)
class Restored:
    database: Path
    aside: Path | None  # the file that was in place, renamed (never deleted)


def _aside_name(db_path: Path, moment: datetime) -> Path:
    for attempt in range(1, 1000):
        suffix = "" if attempt == 1 else f"-{attempt}"
        candidate = db_path.with_name(f"{db_path.stem}.replaced-{moment:%Y%m%d-%H%M%S}{suffix}{db_path.suffix}")
        if not candidate.exists():
            return candidate
    raise StoreError(f"无法为 {db_path} 取一个不重复的备用名")


def restore(backup: Path, db_path: Path, moment: datetime) -> Restored:
    """Copy `backup` to `db_path`. The file in place (with its -wal and -shm, which may hold committed records) is
    renamed aside first; the copy is written under a temporary name and renamed, so a crash leaves one or the other.
    The backup is checked first: a damaged or foreign backup is refused and nothing moves."""
    from station_tui.store.check import check

    backup, db_path = Path(backup), Path(db_path)
    if not backup.is_file():
        raise StoreError(f"找不到备份文件：{backup}")
    if db_path.exists() and backup.resolve() == db_path.resolve():
        raise StoreError("备份文件就是当前数据库本身：请指定一个备份文件。")
    report = check(backup)
    if not report.ok:
        raise StoreError(f"备份 {backup} 未通过检查，不能用来恢复：{report.problems[0]}")
    partial = db_path.with_name(db_path.name + ".restoring")
    try:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(backup, partial)
        aside = None
        if db_path.exists():
            aside = _aside_name(db_path, moment)
            for extra in ("-wal", "-shm"):
                if Path(f"{db_path}{extra}").exists():
                    os.replace(f"{db_path}{extra}", f"{aside}{extra}")
            os.replace(db_path, aside)
        os.replace(partial, db_path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"无法把备份放到 {db_path}：{exc.strerror or exc}（当前文件未被删除）") from exc
    return Restored(db_path, aside)
