"""The domain, the store and the services run without the UI: importing them must not import Textual."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import station_tui

CORE = ("station_tui.domain", "station_tui.store", "station_tui.services")


def _core_modules() -> list[str]:
    names = []
    for package in CORE:
        module = __import__(package, fromlist=["_"])
        names.append(package)
        # walk_packages: the modules inside sub-packages (services/export/) too
        names += [info.name for info in pkgutil.walk_packages(module.__path__, prefix=f"{package}.")]
    return names


def test_core_modules_do_not_import_textual() -> None:
    modules = _core_modules()
    assert len(modules) > 10
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}: importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "", f"core imports Textual: {result.stdout}"


def test_screens_resolve_inside_the_package_namespace() -> None:
    import importlib

    module = importlib.import_module("station_tui.screens.home")
    assert module.HomeScreen.__name__ == "HomeScreen"
    assert station_tui.__version__


def test_the_indicators_and_the_export_import_in_either_order() -> None:
    # services/export/tables.py is used by the indicators, which services/export/run.py uses: no cycle either way.
    for first in (
        "station_tui.services.indicators",
        "station_tui.services.export.tables",
        "station_tui.services.export",
    ):
        code = f"import {first}; from station_tui.services.export import run_export; print(run_export.__name__)"
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
        assert result.stdout.strip() == "run_export", result.stderr
