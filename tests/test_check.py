"""`station-tui check`: passes on a sound database, fails plainly when the state or the log was tampered with."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from station_tui.cli import main


def _run(*args: str):  # noqa: ANN202
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_check_passes_on_demo_database(demo_db: Path) -> None:
    path = demo_db
    result = _run("check", "--db", str(path))
    assert result.exit_code == 0, result.output
    assert "检查通过：60 件申请" in result.output


def test_check_fails_when_projection_changed_behind_the_log(demo_db: Path) -> None:
    path = demo_db
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE applications SET due_date = '2099-01-01' WHERE rowid = 3")
    result = _run("check", "--db", str(path))
    assert result.exit_code == 1
    assert "表 applications 与事件日志不一致" in result.output
    assert "检查未通过" in result.output


def test_check_fails_when_an_event_is_deleted(demo_db: Path) -> None:
    path = demo_db
    with sqlite3.connect(path) as conn:
        conn.execute("DROP TRIGGER events_no_delete")
        conn.execute("DELETE FROM events WHERE seq = (SELECT max(seq) FROM events WHERE type = 'document.collected')")
    result = _run("check", "--db", str(path))
    assert result.exit_code == 1
    assert "事件序号不连续" in result.output
    assert "表 documents 与事件日志不一致" in result.output


def test_check_on_a_damaged_file_names_the_newest_backup(demo_db: Path, tmp_path: Path) -> None:
    path = demo_db
    backup = _run("backup", "--db", str(path), "--to", str(tmp_path / "usb"))
    assert backup.exit_code == 0
    # An automatic backup beside the file, as a migration makes one.
    beside = path.with_name(f"{path.stem}.backup-20261122-220000-000000.db")
    beside.write_bytes(path.read_bytes())
    data = bytearray(path.read_bytes())
    data[0:16] = b"garbage garbage!"  # the SQLite header
    path.write_bytes(bytes(data))
    result = _run("check", "--db", str(path))
    assert result.exit_code == 1
    assert "已损坏或不是本程序的数据库" in result.output
    assert str(beside) in result.output
    assert "Traceback" not in result.output


def test_check_on_a_file_that_is_not_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 4000)
    result = _run("check", "--db", str(path))
    assert result.exit_code == 1
    assert "已损坏或不是本程序的数据库" in result.output


def test_backup_is_a_working_copy(demo_db: Path, tmp_path: Path) -> None:
    path = demo_db
    result = _run("backup", "--db", str(path), "--to", str(tmp_path / "usb"))
    copy = next((tmp_path / "usb").glob("station-DEMO-*.db"))
    assert str(copy) in result.output
    assert _run("check", "--db", str(copy)).exit_code == 0
