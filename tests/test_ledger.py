"""Importing a paper or Excel ledger: encodings, bad rows, all-or-nothing, --skip-bad, the import as an event."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ledger_helpers import HEADER, rows, write

from station_tui.cli import main
from station_tui.domain.errors import StationError
from station_tui.services import ledger
from station_tui.store.check import check


def _import(station, path: Path, **kwargs):  # noqa: ANN001, ANN202
    return ledger.import_ledger(station, path, operator=station.head_id, **kwargs)


def _count(station, sql: str = "SELECT count(*) FROM applications") -> int:  # noqa: ANN001
    return station.store.one(sql)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_imports_each_encoding_keeping_ledger_times(station, tmp_path: Path, encoding: str) -> None:  # noqa: ANN001
    path = write(tmp_path / "台账.csv", rows(6), encoding=encoding)
    result = _import(station, path)
    assert result.imported == 6 and result.skipped == 0
    apps = station.store.rows("SELECT * FROM applications ORDER BY accepted_at")
    assert [a["origin"] for a in apps] == ["ledger"] * 6 and all(a["simulated"] == 1 for a in apps)
    assert apps[0]["accepted_at"] == "2026-11-01T09:00:00.000000+08:00"
    assert apps[0]["customer_name"] == "邾县五金经营部0" and apps[0]["intake_mode"] == "deferred"
    assert apps[0]["number"] == "ZX01-20261101-01-001"  # numbered by the ledger's date
    assert apps[1]["intake_mode"] == "complete" and apps[1]["id_number"] == apps[1]["id_number"].upper()
    assert apps[0]["phone"].startswith("0371-6")
    event = station.store.rows("SELECT payload, simulated, operator FROM events WHERE type = 'ledger.imported'")[0]
    payload = json.loads(event["payload"])
    assert payload["imported"] == 6 and payload["file"] == "台账.csv" and event["simulated"] == 0
    assert event["operator"] == station.head_id
    station.store.close()
    assert check(station.store.path).ok


def test_bad_rows_import_nothing_and_are_reported(station, tmp_path: Path) -> None:  # noqa: ANN001
    body = rows(5)
    body[1][3] = "110105194912310023"  # wrong check digit
    body[2][4] = "6234567"  # no area code
    body[3][7] = "产权证明"  # no identity proof: the counter would not have accepted it
    body[4][0] = "2027-01-01 09:00"  # later than now
    path = write(tmp_path / "ledger.csv", body)
    with pytest.raises(ledger.LedgerRejected) as caught:
        _import(station, path)
    reported = {(e.line, e.column) for e in caught.value.errors}
    assert reported == {(3, "证件号码"), (4, "联系电话"), (5, "已收资料"), (6, "受理时间")}
    assert "校验码" in str(next(e for e in caught.value.errors if e.line == 3))
    assert "4 行有误" in str(caught.value)
    assert _count(station) == 0
    assert _count(station, "SELECT count(*) FROM events WHERE type = 'ledger.imported'") == 0
    result = _import(station, path, skip_bad=True)
    assert (result.imported, result.skipped) == (1, 4)


def test_empty_file_and_header_only(station, tmp_path: Path) -> None:  # noqa: ANN001
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(ledger.LedgerError, match="文件是空的"):
        _import(station, empty)
    header_only = write(tmp_path / "header.csv", [])
    with pytest.raises(ledger.LedgerError, match="只有表头"):
        _import(station, header_only)
    missing = write(tmp_path / "missing.csv", [], header=HEADER[:3])
    with pytest.raises(ledger.LedgerError, match="表头缺少列：证件号码"):
        _import(station, missing)


def test_same_ledger_twice_is_refused(station, tmp_path: Path) -> None:  # noqa: ANN001
    path = write(tmp_path / "ledger.csv", rows(3))
    _import(station, path)
    with pytest.raises(ledger.LedgerError, match="已在之前导入过"):
        _import(station, path)
    assert _count(station) == 3


def test_cli_template_report_and_skip_bad(station, tmp_path: Path) -> None:  # noqa: ANN001
    db = str(station.store.path)
    station.store.close()
    runner = CliRunner()
    template = tmp_path / "模板.csv"
    result = runner.invoke(main, ["import-ledger", str(template), "--template", "--db", db])
    assert result.exit_code == 0, result.output
    assert template.read_bytes().startswith(b"\xef\xbb\xbf") and "受理时间" in template.read_text(encoding="utf-8-sig")
    body = rows(3)
    body[2][6] = "-5"
    path = write(tmp_path / "ledger.csv", body, encoding="gbk")
    auth = ["--head-name", "王站长", "--head-pin", "1234", "--db", db]
    result = runner.invoke(main, ["import-ledger", str(path), *auth])
    assert result.exit_code == 1
    assert "第 4 行「申请容量（千瓦）」：申请容量应大于0" in result.output
    assert "未导入任何一行" in result.output and "Traceback" not in result.output
    result = runner.invoke(main, ["import-ledger", str(path), "--skip-bad", *auth])
    assert result.exit_code == 0, result.output
    assert "已导入 2 件申请，跳过 1 行有误的行" in result.output
    listed = runner.invoke(main, ["applications", "--json", "--db", db])
    assert len(json.loads(listed.stdout)) == 2
    shown = runner.invoke(main, ["show", json.loads(listed.stdout)[0]["number"], "--db", db])
    assert "（台账导入）" in shown.output and "事件：" in shown.output


CELL = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.lists(st.lists(CELL, min_size=0, max_size=10), max_size=5), raw=st.binary(max_size=200))
def test_no_input_raises_anything_but_its_own_error(station, tmp_path: Path, body, raw: bytes) -> None:  # noqa: ANN001
    for path in (write(tmp_path / "cells.csv", body), tmp_path / "raw.csv"):
        if path.name == "raw.csv":
            path.write_bytes(raw)
        before = _count(station)
        try:
            result = _import(station, path, skip_bad=True)
        except StationError as exc:
            assert str(exc)  # a message for the clerk
            assert _count(station) == before
        else:
            assert _count(station) == before + result.imported
