"""Shared by the offline-bundle tests: is the package index reachable, and building an archive for real."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from station_tui import __version__

ROOT = Path(__file__).resolve().parent.parent


def index_url() -> str:
    """The index pip uses here: PIP_INDEX_URL, else pip's configuration, else PyPI."""
    url = os.environ.get("PIP_INDEX_URL")
    if not url:
        configured = subprocess.run(
            [sys.executable, "-m", "pip", "config", "get", "global.index-url"], capture_output=True, text=True
        )
        url = configured.stdout.strip() if configured.returncode == 0 else ""
    return (url or "https://pypi.org/simple").rstrip("/") + "/"


def require_index() -> None:
    """Skip, saying why, only where the package index truly cannot be reached (CI reaches it)."""
    url = index_url() + "pip/"
    if url.startswith("file:"):
        return
    try:
        with urllib.request.urlopen(url, timeout=20):
            pass
    except (urllib.error.URLError, OSError) as exc:
        pytest.skip(f"skipped: package index unreachable ({url}: {exc})")


def build_archive(target: str, out: Path) -> Path:
    """`station-tui offline-bundle` as a person runs it, from the checkout."""
    result = subprocess.run(
        [sys.executable, "-m", "station_tui", "offline-bundle", "--target", target, "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
    )
    assert result.returncode == 0, result.stderr
    archive = out / f"station-tui-{__version__}-{target}.zip"
    assert f"已生成 {archive}" in result.stdout  # with its size, then what it holds:
    for held in ("textual-8", f"station_tui-{__version__}-py3-none-any.whl", "安装说明.txt"):
        assert held in result.stdout, result.stdout
    return archive


def unzip(archive: Path, into: Path) -> Path:
    """Unzip as a person would; the archive holds one folder named like itself."""
    with zipfile.ZipFile(archive) as bundle:
        bundle.extractall(into)
    return into / archive.name.removesuffix(".zip")
