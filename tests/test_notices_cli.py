"""`station-tui notice` and `station-tui notices` as a clerk runs them: a real process, a real database file."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from notice_helpers import ID_NUMBER, accept_resident, add_manager, pdf_text, squeeze
from wcwidth import wcswidth


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "station_tui", *args], capture_output=True, text=True, encoding="utf-8", timeout=120
    )


def test_notice_issues_then_reprints_and_notices_lists(station, tmp_path: Path) -> None:  # noqa: ANN001
    add_manager(station)
    application = accept_resident(station)
    number = station.store.one("SELECT number FROM applications WHERE uuid = ?", (application,))
    db = str(station.store.path)
    station.store.close()

    first = run("notice", number, "--format", "txt", "--width", "32", "--out", str(tmp_path / "a.txt"), "--db", db)
    assert first.returncode == 0, first.stderr
    assert "已出具" in first.stdout
    text = (tmp_path / "a.txt").read_text(encoding="utf-8")
    assert all(wcswidth(line) <= 32 for line in text.splitlines())
    assert ID_NUMBER not in text and "张䶮𠮷" in text

    second = run("notice", number, "--format", "pdf", "--out", str(tmp_path / "a.pdf"), "--db", db)
    assert second.returncode == 0, second.stderr
    assert "补打（第 1 次）" in second.stdout
    printed = squeeze(pdf_text((tmp_path / "a.pdf").read_bytes()))
    assert "补打（第1次）" in printed and "张䶮𠮷" in printed and ID_NUMBER not in printed

    refusal = run(
        "notice", "低压居民新装", "--kind", "refusal", "--format", "txt", "--out", str(tmp_path / "r.txt"), "--db", db
    )
    assert refusal.returncode == 0, refusal.stderr
    text48 = (tmp_path / "r.txt").read_text(encoding="utf-8")
    assert "居民身份证" in text48 and all(wcswidth(line) <= 48 for line in text48.splitlines())

    listed = json.loads(run("notices", "--json", "--db", db).stdout)
    assert [row["kind"] for row in listed] == ["refusal", "acceptance"]
    assert listed[1]["application_number"] == number and listed[1]["reprints"] == 1
    plain = run("notices", "--db", db).stdout
    assert "补打 1 次" in plain and "受理告知书" in plain


def test_bad_input_is_one_plain_line(station, tmp_path: Path) -> None:  # noqa: ANN001
    db = str(station.store.path)
    station.store.close()
    missing = run("notice", "ZX01-19990101-01-001", "--format", "pdf", "--out", str(tmp_path / "x.pdf"), "--db", db)
    assert missing.returncode == 1
    assert missing.stderr.strip() == "错误：没有编号为 ZX01-19990101-01-001 的申请"
    assert not (tmp_path / "x.pdf").exists()
    kind = run("notice", "路灯", "--kind", "refusal", "--format", "txt", "--out", str(tmp_path / "y.txt"), "--db", db)
    assert kind.returncode == 1 and "没有业务类型「路灯」" in kind.stderr and "Traceback" not in kind.stderr
