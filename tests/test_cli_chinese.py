"""No English from click reaches a clerk: help, usage errors and parameter errors, for every command."""

from __future__ import annotations

from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from station_tui.cli import main

# click's own English, as its help and error texts begin or contain it.
ENGLISH = (
    "Usage:",
    "Options",
    "Commands",
    "Show this message",
    "Show the version",
    "Error:",
    "Missing",
    "Invalid value",
    "No such",
    "Try '",
    "for help",
    "is a directory",
    "does not exist",
    "is not a valid",
    "is not one of",
    "unexpected extra",
    "requires an argument",
    "Did you mean",
    "Aborted",
    "default:",
)


def _commands(group: click.Group, path: tuple[str, ...] = ()) -> list[tuple[tuple[str, ...], click.Command]]:
    found = [(path, group)]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            found += _commands(command, (*path, name))
        else:
            found.append(((*path, name), command))
    return found


EVERY_COMMAND = _commands(main)
# Only the commands a check applies to are generated: a test never skips.
WITH_DB = [(path, command) for path, command in EVERY_COMMAND if any(p.name == "db_path" for p in command.params)]
WITH_REQUIRED = [(path, command) for path, command in EVERY_COMMAND if any(p.required for p in command.params)]


def _name(value: object) -> str:
    return " ".join(value) if isinstance(value, tuple) else ""


def _english_in(text: str) -> list[str]:
    return [words for words in ENGLISH if words in text]


def test_there_are_commands_to_check() -> None:
    names = {" ".join(path) for path, _ in EVERY_COMMAND}
    assert {"", "check", "export", "export verify", "deadline", "holidays import", "operators add"} <= names
    # The two narrower lists hold what they should (a filter that picked nothing would test nothing).
    assert {"check", "export"} <= {" ".join(path) for path, _ in WITH_DB}
    assert {"deadline", "holidays import"} <= {" ".join(path) for path, _ in WITH_REQUIRED}


@pytest.mark.parametrize(("path", "command"), EVERY_COMMAND, ids=_name)
def test_help_is_chinese(path: tuple[str, ...], command: click.Command) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0, result.output
    assert "用法：" in result.output and "显示本帮助并退出" in result.output
    assert _english_in(result.output) == []


@pytest.mark.parametrize(("path", "command"), EVERY_COMMAND, ids=_name)
def test_an_unknown_option_is_a_chinese_usage_error(path: tuple[str, ...], command: click.Command) -> None:
    result = CliRunner().invoke(main, [*path, "--no-such-option"])
    assert result.exit_code == 2
    assert "错误：" in result.output and "用法：" in result.output
    assert _english_in(result.output) == []


@pytest.mark.parametrize(("path", "command"), WITH_DB, ids=_name)
def test_a_directory_as_db_is_refused_in_chinese(path: tuple[str, ...], command: click.Command, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, [*path, "--db", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "是一个文件夹" in result.output
    assert _english_in(result.output) == []


@pytest.mark.parametrize(("path", "command"), WITH_REQUIRED, ids=_name)
def test_a_missing_argument_or_option_is_said_in_chinese(path: tuple[str, ...], command: click.Command) -> None:
    result = CliRunner().invoke(main, list(path))
    assert result.exit_code == 2, result.output
    assert "缺少" in result.output
    assert _english_in(result.output) == []


@pytest.mark.parametrize(
    "args",
    [
        ["demo", "--applications", "many"],
        ["demo", "--applications", "-1"],
        ["export", "--headers", "fr"],
        ["check", "extra"],
        ["no-such-command"],
    ],
)
def test_bad_values_are_chinese(args: list[str]) -> None:
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2
    assert "错误：" in result.output
    assert _english_in(result.output) == []


def test_a_deadline_past_the_last_date_is_one_line_with_exit_2() -> None:
    result = CliRunner().invoke(main, ["deadline", "9999-12-30", "5"])
    assert result.exit_code == 2
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("错误：") and "9999-12-31" in lines[0]
