"""Printing at the system-command boundary: a fake `lp` on PATH, no `lp`, a failing one, the Windows print verb."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from station_tui.services import notices, printing


def fake_lp(folder: Path, *, exit_code: int = 0, say: str = "") -> Path:
    """An `lp` that records what it was asked to print (the real command is the edge of the system)."""
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "lp.log"
    script = folder / "lp"
    lines = ["#!/bin/sh", f'for a in "$@"; do echo "$a" >> "{log}"; done']
    if say:
        lines.append(f"echo '{say}' >&2")
    if exit_code == 0:
        lines.append("echo 'request id is Office-7 (1 file(s))'")
    lines.append(f"exit {exit_code}")
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    script.chmod(0o755)
    return log


pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="fake lp is a shell script")


def test_print_sends_the_saved_pdf_to_lp(station, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    log = fake_lp(tmp_path / "bin")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    notice = notices.issue(station, "refusal", business_type="lv_resident")
    outcome = notices.print_notice(station, notice)
    assert outcome.printed
    assert outcome.path.read_bytes().startswith(b"%PDF")
    assert str(outcome.path) in log.read_text(encoding="utf-8").splitlines()
    assert "已送打印机（request id is Office-7 (1 file(s))）" in outcome.message


def test_no_printer_saves_the_file_and_says_where(station, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    notice = notices.issue(station, "refusal", business_type="lv_resident")
    outcome = notices.print_notice(station, notice)
    assert not outcome.printed and outcome.path.exists()
    assert outcome.message == f"本机没有可用的打印机（找不到 lp 命令）。文件已保存：{outcome.path}"


def test_no_default_destination_is_no_printer(station, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    fake_lp(tmp_path / "bin", exit_code=1, say="lp: Error - no default destination available.")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    outcome = notices.print_notice(station, notices.issue(station, "refusal", business_type="lv_resident"))
    assert not outcome.printed and outcome.message.startswith("本机没有设置打印机")


def test_a_failed_print_is_said_plainly_and_the_notice_stays_issued(station, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    fake_lp(tmp_path / "bin", exit_code=1, say="lp: printer Office is out of paper")
    monkeypatch.setenv("PATH", str(tmp_path / "bin"))
    notice = notices.issue(station, "refusal", business_type="lv_resident")
    outcome = notices.print_notice(station, notice)
    assert not outcome.printed
    assert outcome.message == f"打印失败：lp: printer Office is out of paper。文件已保存：{outcome.path}"
    assert notices.get_notice(station, notice.uuid).serial == notice.serial
    again = notices.reprint(station, notice.uuid)
    assert again.reprints == 1


def test_windows_uses_the_shell_print_verb(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    calls = []
    monkeypatch.setattr(printing.sys, "platform", "win32")
    monkeypatch.setattr(os, "startfile", lambda path, verb: calls.append((path, verb)), raising=False)
    target = printing.save(b"%PDF-1.4", tmp_path / "a.pdf")
    assert printing.send_to_printer(target).printed
    assert calls == [(str(target), "print")]

    def no_association(path: str, verb: str) -> None:
        raise OSError(1155, "没有应用程序与此操作的指定文件有关联")

    monkeypatch.setattr(os, "startfile", no_association, raising=False)
    outcome = printing.send_to_printer(target)
    assert not outcome.printed and outcome.message.startswith("打印失败：没有应用程序与此操作的指定文件有关联")
