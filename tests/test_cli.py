"""The command line a station's IT person or a script uses: init, operators, settings, profiles, the clock guard."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from click.testing import CliRunner

from station_tui.cli import main
from station_tui.domain.timeutil import system_now
from station_tui.store import Store
from station_tui.store import payloads as ev

INIT = ["--station-name", "城关供电所", "--station-code", "ZX01", "--profile", "zhuxian-2020"]
HEAD = ["--head-name", "王站长", "--head-phone", "13800000001", "--head-pin", "1234"]
ADD = ["--name", "李秀英", "--role", "clerk", "--phone", "13900000002", "--pin", "2222", "--head", "王站长"]


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(main, list(args))


def test_init_then_add_an_operator_with_the_heads_pin(db_path: Path) -> None:
    assert run("init", "--db", str(db_path), *INIT, *HEAD).exit_code == 0
    wrong = run("operators", "add", "--db", str(db_path), *ADD, "--head-pin", "9999")
    assert wrong.exit_code == 1 and "PIN 不对" in wrong.output
    ok = run("operators", "add", "--db", str(db_path), *ADD, "--head-pin", "1234")
    assert ok.exit_code == 0, ok.output
    listing = run("operators", "--db", str(db_path))
    assert "李秀英\t柜台" in listing.output and "王站长\t站长" in listing.output


def test_init_twice_is_refused(db_path: Path) -> None:
    run("init", "--db", str(db_path), *INIT, *HEAD)
    again = run("init", "--db", str(db_path), *INIT, *HEAD)
    assert again.exit_code == 1 and "不能再次初始化" in again.output


def test_init_with_unknown_profile_names_the_choices(db_path: Path) -> None:
    result = run("init", "--db", str(db_path), *INIT[:4], "--profile", "nowhere", *HEAD)
    assert result.exit_code == 1 and "zhuxian-2020" in result.output and "Traceback" not in result.output


def test_a_command_refuses_when_the_clock_reads_behind_the_log(db_path: Path) -> None:
    run("init", "--db", str(db_path), *INIT, *HEAD)
    # An event recorded when the PC's clock was a day ahead; now the real clock reads earlier than it.
    with Store(db_path, clock=lambda: system_now() + timedelta(days=1)) as store:
        store.record(ev.SettingsChanged(settings={"note": "clock was ahead"}))
    refused = run("operators", "add", "--db", str(db_path), *ADD, "--head-pin", "1234")
    assert refused.exit_code == 1 and "早于本机最近一条记录" in refused.output
    with Store(db_path) as store:
        assert store.one("SELECT count(*) FROM operators") == 1
    allowed = run("operators", "add", "--db", str(db_path), *ADD, "--head-pin", "1234", "--allow-clock-behind")
    assert allowed.exit_code == 0, allowed.output


def test_settings_takes_a_county_profile_folder(db_path: Path, tmp_path: Path) -> None:
    run("init", "--db", str(db_path), *INIT, *HEAD)
    folder = tmp_path / "county"
    folder.mkdir()
    source = Path(__file__).resolve().parent.parent / "data" / "profiles" / "kaili-2021.toml"
    text = source.read_text(encoding="utf-8").replace('id = "kaili-2021"', 'id = "county-2026"')
    (folder / "county-2026.toml").write_text(text, encoding="utf-8")
    result = run(
        "settings", "--db", str(db_path), "--profile-folder", str(folder), "--head", "王站长", "--head-pin", "1234"
    )
    assert result.exit_code == 0, result.output
    assert "county-2026" in run("profiles", "--db", str(db_path)).output
    (folder / "broken.toml").write_text("id = ", encoding="utf-8")
    broken = run(
        "settings", "--db", str(db_path), "--profile-folder", str(folder), "--head", "王站长", "--head-pin", "1234"
    )
    assert broken.exit_code == 1 and "broken.toml" in broken.output and "TOML" in broken.output


def test_profiles_lists_all_five_with_their_files() -> None:
    result = run("profiles")
    assert result.exit_code == 0
    for profile in ("zhuxian-2020", "sanxia-2021", "kaili-2021", "wuhai-2023", "guidong-2018"):
        assert profile in result.output
    assert "⚠" not in result.output  # every profile's rules cover every application


def test_missing_database_is_a_plain_message(tmp_path: Path) -> None:
    result = run("check", "--db", str(tmp_path / "nowhere.db"))
    assert result.exit_code == 1 and "数据库文件不存在" in result.output
