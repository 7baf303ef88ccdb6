"""The domain, the store and the services run without the UI: importing them must not import Textual."""

from __future__ import annotations

import ast
import pkgutil
import subprocess
import sys
from pathlib import Path

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


# --- layers: an arrow only points down, and no two modules import each other --------------------------------------

ROOT = Path(__file__).resolve().parent.parent
# Where each part of the package sits: a module may import its own floor or one below; the two on the same floor
# (commands, screens) may not import each other. Entry points (cli, app) sit on top.
FLOORS = {
    "station_tui.paths": 0,
    "station_tui.domain": 1,
    "station_tui.store": 2,
    "station_tui.services": 3,
    "station_tui.county": 3.5,  # the county office's side, built on the station's export and indicators
    "station_tui.commands": 4,
    "station_tui.screens": 4,
    "station_tui.app": 5,
    "station_tui.cli": 6,  # `station-tui` alone starts the app
    "station_tui.__main__": 7,
}


# A command that starts an app of its own, as cli starts the station's: `station-tui county` opens the county's.
STARTS_AN_APP = {("station_tui.commands.county", "station_tui.screens.county")}


def _module_files() -> dict[str, Path]:
    """Every module of the package by its dotted name (screens/ sits beside the package in a checkout)."""
    found = {}
    for top, prefix in ((ROOT / "station_tui", "station_tui"), (ROOT / "screens", "station_tui.screens")):
        for path in top.rglob("*.py"):
            parts = list(path.relative_to(top).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join([prefix, *parts])] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The package's modules this module imports, at the top or inside a function: both run, both count. Its own
    packages are left out: a package's __init__ gathering its modules is how a package is made, not a circle."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1] + ([base] if base else []))
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {target for target in targets if target in known and not (name + ".").startswith(target + ".")}


def _floor(name: str) -> tuple[str, float] | None:
    for prefix, floor in FLOORS.items():
        if name == prefix or name.startswith(prefix + "."):
            return prefix, floor
    return None


def _graph() -> dict[str, set[str]]:
    files = _module_files()
    known = set(files)
    return {name: _imports(name, path, known) for name, path in files.items()}


def test_every_module_has_a_floor() -> None:
    graph = _graph()
    assert len(graph) > 60
    assert [name for name in graph if name != "station_tui" and _floor(name) is None] == []


def test_no_import_points_up_or_across() -> None:
    wrong = []
    for name, targets in _graph().items():
        own = _floor(name)
        for target in targets:
            other = _floor(target)
            if own is None or other is None or other[0] == own[0]:
                continue
            if other[1] >= own[1] and (name, target) not in STARTS_AN_APP:
                wrong.append(f"{name} → {target}")
    assert wrong == [], "imports that point up or across: " + "; ".join(sorted(wrong))


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle, as the modules along it, or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(name: str) -> list[str] | None:
        state[name] = 1
        path.append(name)
        for target in sorted(graph.get(name, ())):
            if state.get(target) == 1:
                return path[path.index(target) :] + [target]
            if target not in state and (found := visit(target)) is not None:
                return found
        path.pop()
        state[name] = 2
        return None

    for name in sorted(graph):
        if name not in state and (found := visit(name)) is not None:
            return found
    return None


def test_no_import_circle() -> None:
    circle = _cycle(_graph())
    assert circle is None, "import circle: " + " → ".join(circle or [])


def test_the_checks_catch_what_they_look_for() -> None:
    """The two checks above find an upward import and a circle when there is one (so a pass means something)."""
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None
    assert _floor("station_tui.services.station") == ("station_tui.services", 3)
    assert _floor("station_tui.domain.workdays")[1] < _floor("station_tui.store.database")[1]  # type: ignore[index]
