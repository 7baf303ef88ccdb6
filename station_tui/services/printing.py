"""Sending a saved file to the system printer: `lp` on Linux and macOS, the shell's print verb on Windows.

The file is always saved first, so that whatever happens at the printer the clerk has it and its path; a failure is
said plainly and never undoes the notice (it stays issued and can be reprinted).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

PRINT_TIMEOUT_SECONDS = 30
# What CUPS says when no printer is set up: that is "no printer", not a failed print.
_NO_PRINTER = ("no default destination", "没有默认目标", "no such file or directory", "scheduler is not running")


@dataclass(frozen=True)
class PrintOutcome:
    printed: bool  # handed to a printer
    path: Path  # where the file is saved, in every case
    message: str  # what to tell the clerk, in Chinese


def _windows(path: Path) -> PrintOutcome:
    try:
        os.startfile(str(path), "print")  # type: ignore[attr-defined]
    except OSError as exc:
        reason = exc.strerror or str(exc)
        return PrintOutcome(False, path, f"打印失败：{reason}（可能没有安装打印机或 PDF 阅读器）。文件已保存：{path}")
    return PrintOutcome(True, path, f"已送打印机。文件同时保存在：{path}")


def _lp(path: Path) -> PrintOutcome:
    lp = shutil.which("lp")
    if lp is None:
        return PrintOutcome(False, path, f"本机没有可用的打印机（找不到 lp 命令）。文件已保存：{path}")
    try:
        done = subprocess.run(
            [lp, str(path.resolve())],  # absolute: never read as an option
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=PRINT_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return PrintOutcome(False, path, f"打印失败：打印服务 {PRINT_TIMEOUT_SECONDS} 秒内没有响应。文件已保存：{path}")
    except OSError as exc:
        return PrintOutcome(False, path, f"打印失败：无法运行 lp（{exc.strerror or exc}）。文件已保存：{path}")
    if done.returncode == 0:
        job = done.stdout.strip()
        return PrintOutcome(True, path, f"已送打印机{('（' + job + '）') if job else ''}。文件同时保存在：{path}")
    said = (done.stderr or done.stdout).strip() or f"lp 退出码 {done.returncode}"
    if any(text in said.lower() for text in _NO_PRINTER):
        return PrintOutcome(False, path, f"本机没有设置打印机（{said}）。文件已保存：{path}")
    return PrintOutcome(False, path, f"打印失败：{said}。文件已保存：{path}")


def send_to_printer(path: Path) -> PrintOutcome:
    """Print a saved file on the default printer; never raises for a printer problem."""
    path = Path(path)
    if sys.platform == "win32":
        return _windows(path)
    return _lp(path)


def save(data: bytes, path: Path) -> Path:
    """Write the file whole (a temporary name, then a rename), creating its folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_bytes(data)
    os.replace(partial, path)
    return path
