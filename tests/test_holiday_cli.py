"""`station-tui deadline` and `station-tui holidays import | export | status`, as a script or an IT person uses them."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from holiday_helpers import SCHEDULE_2027, accept

from station_tui.cli import main
from station_tui.domain.timeutil import local_date, system_now
from station_tui.paths import DB_ENV


def run(*args: str):  # noqa: ANN201
    return CliRunner().invoke(main, list(args))


@pytest.fixture(autouse=True)
def no_default_db(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    """Without --db the commands look at the default database: point it at a file that does not exist."""
    monkeypatch.setenv(DB_ENV, str(tmp_path / "absent" / "station.db"))


@pytest.fixture
def open_db(station) -> Path:  # noqa: ANN001
    """A station with open applications reaching into 2027 (accepted as recorded history, on the fixture's dates)."""
    station.shop = accept(station, datetime(2026, 12, 28, 10))
    station.resident = accept(station, datetime(2026, 12, 28, 11), small_micro_shop=False, name="张三")
    station.store.close()
    return station.store.path


def test_deadline_example_from_the_issue() -> None:
    result = run("deadline", "2026-09-30", "5")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("2026-10-13")
    assert "2026-10-01（星期四） 至 2026-10-07（星期三） 国庆节" in result.output
    assert "调休上班日（计为工作日）：2026-10-10（星期六） 国庆节" in result.output
    assert lines[-1].startswith("依据：官方安排")


def test_deadline_from_a_holiday_and_from_a_make_up_saturday() -> None:
    assert run("deadline", "2026-10-03", "1").output.startswith("2026-10-08")  # the day after the holiday
    assert run("deadline", "2026-10-10", "1").output.startswith("2026-10-12")  # a make-up Saturday is not counted


def test_calendar_day_limit_ending_in_national_day_moves_to_the_next_working_day() -> None:
    result = run("deadline", "2026-09-26", "5", "--calendar-days")
    assert result.exit_code == 0
    assert result.output.startswith("2026-10-08")
    assert "个自然日" in result.output.splitlines()[0]


def test_deadline_into_a_year_without_data_says_estimate() -> None:
    result = run("deadline", "2026-12-20", "20")
    assert result.exit_code == 0
    assert result.output.startswith("2027-01-18")
    assert "2027-01-01（星期五） 元旦" in result.output
    assert "依据：估算" in result.output and "2027 年：估算" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2026-13-01", "3"], "错误：无法识别的日期“2026-13-01”，应写作 2026-09-30"),
        (["tomorrow", "3"], "错误：无法识别的日期“tomorrow”"),
        (["2026-09-30", "-3"], "错误：天数不能为负数：-3"),
        (["2026-09-30", "five"], "错误：天数“five”不是整数"),
    ],
)
def test_bad_deadline_arguments_are_one_line_and_status_2(args: list[str], message: str) -> None:
    result = run("deadline", *args)
    assert result.exit_code == 2
    assert result.output.strip().startswith(message)
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output


def test_import_of_2027_changes_the_answer_and_moves_open_applications(open_db: Path, tmp_path: Path) -> None:
    before = run("deadline", "2026-12-28", "15", "--db", str(open_db))
    assert before.output.startswith("2027-01-19") and "依据：估算" in before.output
    path = tmp_path / "2027.csv"
    path.write_bytes(SCHEDULE_2027.encode("gbk"))  # a county office's file saved by Excel in GBK

    result = run("holidays", "import", str(path), "--db", str(open_db))

    assert result.exit_code == 0, result.output
    assert "已采用 2027 年节假日安排：放假 10 天，调休上班 3 天（原来：估算）" in result.output
    assert "期限变动的申请 1 件：" in result.output
    assert "邾县便民超市  2027-01-19 → 2027-01-18  -1 个工作日" in result.output
    assert "张三" not in result.output
    after = run("deadline", "2026-12-28", "15", "--db", str(open_db))
    assert (
        after.output.startswith("2027-01-18")
        and "依据：官方安排（2026 年：chinese-calendar、2027 年：已录入）" in after.output
    )
    status = run("holidays", "status", "--db", str(open_db)).output.splitlines()
    assert "2027  已录入  录入于" in next(line for line in status if line.startswith("2027"))
    check = run("check", "--db", str(open_db))
    assert check.exit_code == 0, check.output


BAD_FILES = {
    "wrong header": ("日期,类别,名称\n2027-01-01,休,元旦\n", "第1行：表头应为“日期,类型,名称”"),
    "unparsable date": ("日期,类型,名称\n2027-02-30,休,元旦\n", "第2行：无法识别的日期“2027-02-30”"),
    "unknown type": ("日期,类型,名称\n2027-01-01,假,元旦\n", "第2行：未知类型“假”，应为“休”或“班”"),
    "a day listed twice": (
        "日期,类型,名称\n2027-01-01,休,元旦\n2027-01-01,休,元旦\n",
        "第3行：日期 2027-01-01 重复（第2行已列出）",
    ),
    "班 on a weekday": (
        "日期,类型,名称\n2027-01-01,休,元旦\n2027-01-06,班,元旦\n",
        "第3行：2027-01-06（星期三） 本来就是工作日",
    ),
    "missing name": ("日期,类型,名称\n2027-01-01,休,\n", "第2行：缺少节日名称"),
    "more than one year": (
        "日期,类型,名称\n2027-01-01,休,元旦\n2027-01-02,休,元旦\n2028-01-01,休,元旦\n",
        "第4行：日期 2028-01-01 不属于 2027 年",
    ),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_each_kind_of_bad_file_is_refused_whole(open_db: Path, tmp_path: Path, kind: str) -> None:
    text, message = BAD_FILES[kind]
    path = tmp_path / "bad.csv"
    # A good row before the bad one: nothing of it may be taken.
    path.write_text(text, encoding="utf-8")
    result = run("holidays", "import", str(path), "--db", str(open_db))
    assert result.exit_code == 1
    assert result.output.startswith("错误：节假日安排“bad.csv”有误，未采用")
    assert message in result.output
    assert "Traceback" not in result.output
    status = run("holidays", "status", "--db", str(open_db)).output
    assert "2027  估算（无官方数据）" in status
    assert run("deadline", "2026-12-28", "15", "--db", str(open_db)).output.startswith("2027-01-19")


def test_a_file_with_several_problems_lists_them_all(open_db: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("日期,类型,名称\n2027-1-1,休,元旦\n2027-01-32,休,元旦\n2027-01-04,班,元旦\n", encoding="utf-8-sig")
    output = run("holidays", "import", str(path), "--db", str(open_db)).output
    assert "共 2 处" in output and "第3行" in output and "第4行" in output


def test_unreadable_files(open_db: Path, tmp_path: Path) -> None:
    missing = run("holidays", "import", str(tmp_path / "none.csv"), "--db", str(open_db))
    assert missing.exit_code == 1 and missing.output.startswith("错误：无法读取文件")
    binary = tmp_path / "binary.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81\x00")
    result = run("holidays", "import", str(binary), "--db", str(open_db))
    assert result.exit_code == 1 and "无法识别的文字编码（应为 UTF-8 或 GBK）" in result.output
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    assert "文件是空的" in run("holidays", "import", str(empty), "--db", str(open_db)).output


def test_export_then_import_at_another_station(open_db: Path, tmp_path: Path) -> None:
    source = tmp_path / "2027.csv"
    source.write_text(SCHEDULE_2027, encoding="utf-8")
    assert run("holidays", "import", str(source), "--db", str(open_db)).exit_code == 0
    out = tmp_path / "county" / "节假日2027.csv"
    out.parent.mkdir()
    exported = run("holidays", "export", "2027", "--out", str(out), "--db", str(open_db))
    assert exported.exit_code == 0 and f"已导出 2027 年节假日安排到 {out}" in exported.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    other = tmp_path / "other.db"
    assert run("init", "--db", str(other), "--station-name", "河口供电所", "--station-code", "ZX02",
               "--profile", "zhuxian-2020", "--head-name", "赵站长", "--head-phone", "13800000009",
               "--head-pin", "1234").exit_code == 0  # fmt: skip
    assert run("holidays", "import", str(out), "--db", str(other)).exit_code == 0
    assert run("deadline", "2026-12-28", "15", "--db", str(other)).output.startswith("2027-01-18")
    printed = run("holidays", "export", "2027", "--db", str(other))
    lines = printed.output.splitlines()
    assert lines[0] == "日期,类型,名称" and lines[1:] == sorted(SCHEDULE_2027.splitlines()[1:])


def test_export_of_an_estimated_year_is_refused() -> None:
    result = run("holidays", "export", "2029")
    assert result.exit_code == 1
    assert result.output.startswith("错误：2029 年没有官方节假日安排")


def test_status_lists_every_year_from_2004_without_a_database() -> None:
    result = run("holidays", "status")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    last = local_date(system_now()).year + 3
    assert [int(line.split()[0]) for line in lines] == list(range(2004, last + 1))
    assert lines[0] == "2004  chinese-calendar"
    assert lines[-1] == f"{last}  估算（无官方数据）"
