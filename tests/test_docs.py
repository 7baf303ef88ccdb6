"""The documentation stays true: the data dictionary matches the code, and every command has help."""

from __future__ import annotations

from pathlib import Path

import click
from click.testing import CliRunner

from station_tui.cli import main
from station_tui.services.export.dictionary import dictionary_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_export_dictionary_in_docs_is_current() -> None:
    written = (ROOT / "docs" / "export-dictionary.md").read_text(encoding="utf-8")
    assert written == dictionary_markdown(), (
        "regenerate: python -m station_tui.services.export.dictionary > docs/export-dictionary.md"
    )


def test_the_dictionary_lists_every_column_a_current_database_exports(tmp_path: Path) -> None:
    """Columns a later migration adds are exported as 未收录的新列 (forward compatibility); a column of this
    version's own schema must be listed with its Chinese name and meaning."""
    from station_tui.services.export.tables import full_columns, tables
    from station_tui.store import Store

    with Store(tmp_path / "current.db") as store:
        unlisted = {
            table.file: [c.name for c in full_columns(store.conn, table)[len(table.columns) :]]
            for table in tables({})
        }
    assert {file: names for file, names in unlisted.items() if names} == {}


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        found.append((*prefix, name))
        if isinstance(command, click.Group):
            found += _commands(command, (*prefix, name))
    return found


def test_every_command_has_chinese_help() -> None:
    commands = _commands(main)
    assert len(commands) >= 15
    for path in commands:
        result = CliRunner().invoke(main, [*path, "--help"])
        assert result.exit_code == 0, path
        command = main
        for name in path:
            command = command.commands[name]  # type: ignore[attr-defined]
        assert command.help and any("\u4e00" <= ch <= "\u9fff" for ch in command.help), path


def test_readme_names_every_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in _commands(main):
        assert f"station-tui {path[0]}" in readme or f"`{path[-1]}" in readme, path
