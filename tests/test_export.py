"""The export as the county receives it: files, manifest, incremental ranges without gap or duplicate, the mark,
masking and --include-personal-data, the Excel cell rules, GBK, verify, and the plain messages on disk trouble."""

from __future__ import annotations

import csv
import errno
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from station_tui.cli import main
from station_tui.services.export import MANIFEST, last_mark, run_export
from station_tui.services.export import files as export_csv
from station_tui.services.export import run as export_service
from station_tui.services.export.files import ExportError
from station_tui.services.export.verify import verify_folder
from station_tui.services.intake import IntakeForm, ReceivedDocument, accept
from station_tui.services.lifecycle import pause
from station_tui.services.station import Station
from station_tui.store import Store

FILES = {"applications.csv", "documents.csv", "stages.csv", "notices.csv", "works.csv", "events.csv", "indicators.csv"}


def read_csv(path: Path, encoding: str = "utf-8-sig") -> list[dict]:
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def event_uuids(folder: Path) -> list[str]:
    return [row["事件ID"] for row in read_csv(folder / "events.csv")]


def mark(station: Station) -> int:
    return last_mark(station.store.conn, station.store.device_id)


def accept_one(station: Station, **fields) -> str:  # noqa: ANN003
    values = {
        "business_type": "lv_resident",
        "customer_name": "张三",
        "id_number": "11010519491231002X",
        "phone": "13912345678",
        "address": "邾县城关镇幸福路 1 号",
        "capacity_kw": "8",
        "received": [
            ReceivedDocument("identity_proof", "居民身份证", "original_and_copy"),
            ReceivedDocument("property_proof", "产权证", "copy"),
        ],
    }
    values.update(fields)
    return accept(station, IntakeForm(**values), operator=station.head_id).uuid  # type: ignore[attr-defined]


@pytest.fixture
def demo_station(demo_db: Path, clock) -> Station:  # noqa: ANN001
    store = Store(demo_db, clock=clock)
    yield Station.open(store)
    store.close()


@pytest.fixture
def outbox(tmp_path: Path) -> Path:
    folder = tmp_path / "outbox"
    folder.mkdir()
    return folder


def test_a_full_export_writes_every_file_with_a_manifest_that_verifies(demo_station: Station, outbox: Path) -> None:
    result = run_export(demo_station, outbox=outbox, full=True)
    assert result.folder.parent == outbox / demo_station.station_code
    names = {p.name for p in result.folder.iterdir()}
    assert names == FILES | {"dictionary.csv", MANIFEST}
    manifest = json.loads((result.folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["station"]["code"] == demo_station.station_code
    assert manifest["device"]["id"] == demo_station.store.device_id
    assert manifest["events"]["first_seq"] == 1
    # The export's own receipt (export.done) is the one event after the range.
    assert (
        manifest["events"]["last_seq"] == result.last_seq == demo_station.store.one("SELECT max(seq) FROM events") - 1
    )
    assert manifest["schema_version"] >= 1 and manifest["written_at"].endswith("+08:00")
    by_name = {f["name"]: f for f in manifest["files"]}
    assert by_name["applications.csv"]["rows"] == demo_station.store.one("SELECT count(*) FROM applications")
    assert by_name["documents.csv"]["rows"] == demo_station.store.one("SELECT count(*) FROM documents")
    events = demo_station.store.one(
        "SELECT count(*) FROM events WHERE seq <= ? AND type != 'export.done'", (result.last_seq,)
    )
    assert by_name["events.csv"]["rows"] == events == result.event_rows
    assert (result.folder / "applications.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert verify_folder(result.folder).ok
    header = read_csv(result.folder / "applications.csv")[0]
    assert "申请编号" in header and "证件号码" in header


def test_many_exports_in_a_row_have_no_gap_and_no_duplicate(station: Station, outbox: Path, clock) -> None:  # noqa: ANN001
    seen: list[str] = []
    ranges = []
    for round_ in range(12):
        for _ in range(round_ % 3):
            accept_one(station, customer_name=f"客户{round_}")
            clock.advance(minutes=1)
        result = run_export(station, outbox=outbox)
        clock.advance(seconds=1)
        ranges.append((result.first_seq, result.last_seq))
        seen += event_uuids(result.folder)
        if round_ % 3 == 0 and round_ > 0:
            assert result.event_rows == 0, "nothing new: a folder with zero event rows, so the county knows we live"
            assert (result.folder / MANIFEST).exists()
    for (_, last), (first, _) in zip(ranges, ranges[1:], strict=False):
        assert first == last + 1
    assert ranges[0][0] == 1
    expected = [
        r["uuid"] for r in station.store.rows("SELECT uuid FROM events WHERE type != 'export.done' ORDER BY seq")
    ]
    assert seen == expected
    assert len(set(seen)) == len(seen)


def test_a_crash_between_the_files_and_the_manifest_leaves_the_mark_and_the_next_run_resends(
    station: Station, outbox: Path, clock
) -> None:  # noqa: ANN001
    accept_one(station)
    first = run_export(station, outbox=outbox)
    clock.advance(seconds=1)
    accept_one(station, customer_name="李四")
    before = mark(station)

    class Crash(BaseException):
        pass

    def crash(name: str) -> None:
        if name == MANIFEST:
            raise Crash

    with pytest.raises(Crash):
        run_export(station, outbox=outbox, _between_files=crash)
    assert mark(station) == before == first.last_seq
    incomplete = [p for p in (outbox / station.station_code).iterdir() if not (p / MANIFEST).exists()]
    assert len(incomplete) == 1 and (incomplete[0] / "events.csv").exists()
    assert not verify_folder(incomplete[0]).ok
    clock.advance(seconds=1)
    again = run_export(station, outbox=outbox)
    assert again.first_seq == first.last_seq + 1
    assert "李四" in (again.folder / "applications.csv").read_text(encoding="utf-8-sig")
    assert event_uuids(again.folder) == event_uuids(incomplete[0])


def test_injection_cells_are_neutralised_and_negative_numbers_stay_numbers(station: Station, outbox: Path) -> None:
    app = accept_one(station, customer_name='=HYPERLINK("http://x","点我")', address="@SUM(1+1) 号")
    pause(station, app, reason="-2+3 等客户", operator=station.head_id)  # type: ignore[attr-defined]
    result = run_export(station, outbox=outbox)
    rows = read_csv(result.folder / "applications.csv")
    row = next(r for r in rows if r["申请ID"] == app)
    assert row["客户名称"] == '\'=HYPERLINK("http://x","点我")'
    assert row["用电地址"] == "'@SUM(1+1) 号"
    assert row["暂停原因"] == "'-2+3 等客户"
    for name in FILES:
        with open(result.folder / name, encoding="utf-8-sig", newline="") as f:
            for cells in csv.reader(f):
                for cell in cells:
                    assert not cell.startswith(("=", "+", "-", "@", "\r")), (name, cell)
                    if cell.startswith("\t"):  # only the Excel digit rule's marker, before a number-like text
                        assert export_csv._NUMBER_LIKE.fullmatch(cell[1:]), (name, cell)
    # A payload is JSON: the guard does not touch it, but it is masked and the county can parse it.
    events = read_csv(result.folder / "events.csv")
    assert all(json.loads(e["事件内容"]) is not None for e in events)


def test_numbers_in_numeric_columns_are_written_as_numbers(outbox: Path) -> None:
    target = export_csv.CsvFile(outbox, "n.csv", ["a", "b", "c"], "utf-8-sig")
    target.write_rows([(-3, -2.5, "-3")])
    target.commit()
    text = (outbox / "n.csv").read_text(encoding="utf-8-sig")
    assert text.splitlines()[1] == '-3,-2.5,"-3"'  # a text "-3" would be guarded by the caller, numbers never


def test_excel_keeps_every_digit(station: Station, outbox: Path) -> None:
    """Number-like text gets a leading tab (Excel opens it as text): leading zeros and 18 digits survive; the cell is
    quoted so no reader trims the tab away. Masked values are not number-like and are left alone."""
    accept_one(station, id_number="110105194912310011")
    result = run_export(station, outbox=outbox, include_personal_data=True, operator=station.head_id)  # type: ignore[attr-defined]
    raw = (result.folder / "applications.csv").read_text(encoding="utf-8-sig")
    assert '"\t110105194912310011"' in raw
    assert '"\t13912345678"' in raw
    assert export_csv.guard_cell("0371") == "\t0371"
    assert export_csv.guard_cell("1.50") == "\t1.50"
    assert export_csv.guard_cell("0503E000") == "\t0503E000"
    assert export_csv.guard_cell("DEMO-001") == "DEMO-001"
    assert export_csv.guard_cell(20) == 20
    masked = run_export(station, outbox=outbox, full=True)  # the second export: a partial snapshot otherwise
    raw = (masked.folder / "applications.csv").read_text(encoding="utf-8-sig")
    assert '"110105********0011"' in raw and "110105194912310011" not in raw


def test_personal_data_is_masked_everywhere_and_pins_never_leave(demo_station: Station, outbox: Path) -> None:
    store = demo_station.store
    ids = [r["id_number"] for r in store.rows("SELECT id_number FROM applications")]
    phones = [r["phone"] for r in store.rows("SELECT phone FROM applications UNION SELECT phone FROM operators")]
    secrets = [r["pin_hash"] for r in store.rows("SELECT pin_hash FROM operators")]
    secrets += [r["pin_salt"] for r in store.rows("SELECT pin_salt FROM operators")]
    result = run_export(demo_station, outbox=outbox, full=True)
    text = "".join((result.folder / name).read_text(encoding="utf-8-sig") for name in FILES)
    assert ids and phones and secrets
    assert not [i for i in ids if i in text]
    assert not [p for p in phones if p in text]
    assert not [s for s in secrets if s in text]
    assert "pin_hash" not in text and "pin_salt" not in text
    # Nothing recorded about personal data when it stays masked.
    assert not store.one("SELECT count(*) FROM events WHERE type = 'export.personal_data_included'")


def test_include_personal_data_is_recorded_with_the_operator_and_still_hides_pins(
    demo_station: Station, outbox: Path
) -> None:
    store = demo_station.store
    head = store.one("SELECT uuid FROM operators WHERE role = 'head'")
    an_id = store.one("SELECT id_number FROM applications LIMIT 1")
    secret = store.one("SELECT pin_hash FROM operators LIMIT 1")
    with pytest.raises(ExportError):
        run_export(demo_station, outbox=outbox, include_personal_data=True)
    result = run_export(demo_station, outbox=outbox, full=True, include_personal_data=True, operator=head)
    text = "".join((result.folder / name).read_text(encoding="utf-8-sig") for name in FILES)
    assert an_id in text
    assert secret not in text and "pin_salt" not in text
    recorded = store.rows("SELECT operator, payload FROM events WHERE type = 'export.personal_data_included'")
    assert len(recorded) == 1 and recorded[0]["operator"] == head
    assert json.loads(recorded[0]["payload"])["export"] == result.uuid
    # The county sees the decision too: it is one of the exported events.
    assert "export.personal_data_included" in (result.folder / "events.csv").read_text(encoding="utf-8-sig")
    assert json.loads((result.folder / MANIFEST).read_text(encoding="utf-8"))["personal_data"] == "included"


def test_gbk_reports_a_character_it_cannot_hold_by_file_row_and_column(station: Station, outbox: Path) -> None:
    assert "䶮".encode("gb18030") and pytest.raises(UnicodeEncodeError, "䶮".encode, "gbk")
    accept_one(station, customer_name="王一")
    accept_one(station, customer_name="刘䶮")
    before = mark(station)
    with pytest.raises(export_csv.EncodingProblems) as caught:
        run_export(station, outbox=outbox, encoding="gbk")
    problems = caught.value.problems
    assert any(
        p.file == "applications.csv" and p.row == 3 and p.column == "客户名称" and p.char == "䶮" for p in problems
    )
    assert any(p.file == "events.csv" and p.column == "事件内容" for p in problems)
    message = str(caught.value)
    assert "applications.csv 第 3 行「客户名称」列" in message and "䶮" in message
    assert mark(station) == before
    assert not list((outbox / station.station_code).iterdir()), "a known failure leaves no half folder behind"
    # Without the rare name GBK works, and the files really are GBK.
    fine = Station.open(Store(outbox.parent / "gbk.db"))
    from station_tui.services.setup import initialize

    fine.head_id = initialize(  # type: ignore[attr-defined]
        fine,
        station_name="城关供电所",
        station_code="ZX02",
        profile_id="zhuxian-2020",
        head_name="王站长",
        head_phone="13800000001",
        head_pin="1234",
    )
    accept_one(fine, customer_name="欧阳娜娜")
    result = run_export(fine, outbox=outbox, encoding="gbk", language="en")
    raw = (result.folder / "applications.csv").read_bytes()
    assert "欧阳娜娜".encode("gbk") in raw and not raw.startswith(b"\xef\xbb\xbf")
    assert read_csv(result.folder / "applications.csv", "gbk")[0]["customer_name"] == "欧阳娜娜"
    assert verify_folder(result.folder).ok


def test_verify_catches_a_changed_byte_a_missing_file_and_a_changed_row_count(
    demo_station: Station, outbox: Path
) -> None:
    result = run_export(demo_station, outbox=outbox, full=True)
    folders = []
    for n in range(3):
        copy = outbox / f"copy{n}"
        shutil.copytree(result.folder, copy)
        folders.append(copy)
    changed, missing, recounted = folders
    data = bytearray((changed / "stages.csv").read_bytes())
    data[200] = ord("#") if data[200] != ord("#") else ord("$")
    (changed / "stages.csv").write_bytes(bytes(data))
    (missing / "documents.csv").unlink()
    # Drop one record and fix the size and hash in the manifest: only the count can tell.
    path = recounted / "events.csv"
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join(lines[:2] + lines[3:]))
    manifest = json.loads((recounted / MANIFEST).read_text(encoding="utf-8"))
    import hashlib

    for entry in manifest["files"]:
        if entry["name"] == "events.csv":
            entry["bytes"] = path.stat().st_size
            entry["sha256"] = hashlib.sha256(path.read_bytes()).hexdigest()
    (recounted / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    runner = CliRunner()
    for folder, reason in ((changed, "SHA-256"), (missing, "缺少文件 documents.csv"), (recounted, "行数据，清单记载")):
        outcome = runner.invoke(main, ["export", "verify", str(folder)])
        assert outcome.exit_code == 1, outcome.output
        assert reason in outcome.output
    ok = runner.invoke(main, ["export", "verify", str(result.folder)])
    assert ok.exit_code == 0 and "校验通过" in ok.output


def test_the_command_exports_and_says_where(demo_db: Path, outbox: Path) -> None:
    runner = CliRunner()
    outcome = runner.invoke(main, ["export", "--db", str(demo_db), "--to", str(outbox), "--headers", "en"])
    assert outcome.exit_code == 0, outcome.output
    assert "已导出到" in outcome.output and "events.csv" in outcome.output
    folder = next((outbox / "DEMO").iterdir())
    assert "customer_name" in (folder / "applications.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    missing = runner.invoke(main, ["export", "--db", str(demo_db), "--to", str(outbox / "no-stick")])
    assert missing.exit_code == 1 and "不存在" in missing.output and "Traceback" not in missing.output
    wrong_pin = runner.invoke(
        main,
        [
            "export",
            "--db",
            str(demo_db),
            "--to",
            str(outbox),
            "--include-personal-data",
            "--operator",
            "王建国",
            "--pin",
            "9999",
        ],
    )
    assert wrong_pin.exit_code == 1 and "PIN" in wrong_pin.output


# --- disk trouble: each a plain message, the mark stays, the next run repeats -------------------------------------


def test_a_missing_outbox_says_so(station: Station, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="不存在"):
        run_export(station, outbox=tmp_path / "E盘")
    assert mark(station) == 0


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.ENOSPC, "磁盘已满"), (errno.EROFS, "只读"), (errno.EACCES, "只读"), (errno.EIO, "U 盘被拔出")],
)
def test_disk_errors_become_plain_messages_and_the_mark_stays(
    station: Station,
    outbox: Path,
    monkeypatch,
    code: int,
    words: str,  # noqa: ANN001
) -> None:
    accept_one(station)
    real_write = export_csv.SafeFile.write
    calls = {"n": 0}

    def failing_write(self, data: bytes) -> None:  # noqa: ANN001
        calls["n"] += 1
        if calls["n"] == 5:  # the disk, at the system's edge, fails part-way
            raise OSError(code, "simulated")
        real_write(self, data)

    monkeypatch.setattr(export_csv.SafeFile, "write", failing_write)
    with pytest.raises(ExportError, match=words) as caught:
        run_export(station, outbox=outbox)
    assert "导出标记未移动" in str(caught.value)
    assert mark(station) == 0
    monkeypatch.setattr(export_csv.SafeFile, "write", real_write)
    result = run_export(station, outbox=outbox)
    assert result.first_seq == 1 and verify_folder(result.folder).ok


def test_a_usb_stick_pulled_out_half_way(station: Station, tmp_path: Path) -> None:
    """The folder vanishes between two files (the stick is gone): a plain message, the mark stays."""
    stick = tmp_path / "stick"
    stick.mkdir()
    accept_one(station)

    def pull(name: str) -> None:
        if name == "documents.csv":
            stick.rename(tmp_path / "in-the-clerk's-pocket")  # at once, as the path vanishes when a stick is pulled

    with pytest.raises(ExportError, match="U 盘被拔出"):
        run_export(station, outbox=stick, _between_files=pull)
    assert mark(station) == 0
    stick.mkdir()
    assert run_export(station, outbox=stick).first_seq == 1


def test_a_read_only_folder(station: Station, outbox: Path) -> None:
    import os

    if os.name == "nt" or os.geteuid() == 0:
        pytest.skip("permissions do not stop root (the simulated EROFS/EACCES case above covers the message)")
    outbox.chmod(0o555)
    try:
        with pytest.raises(ExportError, match="只读"):
            run_export(station, outbox=outbox)
    finally:
        outbox.chmod(0o755)
    assert mark(station) == 0


def test_one_export_at_a_time_in_a_process(station: Station, outbox: Path) -> None:
    export_service._RUNNING.acquire()
    try:
        with pytest.raises(ExportError, match="正在进行"):
            run_export(station, outbox=outbox)
    finally:
        export_service._RUNNING.release()


def test_progress_is_reported_up_to_the_whole(demo_station: Station, outbox: Path) -> None:
    seen: list[tuple[int, int]] = []
    run_export(demo_station, outbox=outbox, full=True, progress=lambda done, total: seen.append((done, total)))
    assert seen and seen[-1][0] == seen[-1][1] or max(d for d, _ in seen) == seen[-1][1]
    assert all(0 <= d <= t for d, t in seen)


def _connect(station: Station, application: str) -> None:
    from conftest import HEAD_PIN

    from station_tui.services import lifecycle

    override = lifecycle.HeadOverride(station.head_id, HEAD_PIN, "归档资料后补")  # not what this test is about
    for _ in range(station.store.one("SELECT count(*) FROM stages WHERE application = ?", (application,)) - 1):
        lifecycle.advance_stage(station, application, operator=station.head_id, override=override)
    lifecycle.connect(station, application, operator=station.head_id)


def test_the_works_file_says_whether_each_works_was_finished_by_its_deadline(
    station: Station, outbox: Path, clock  # noqa: ANN001
) -> None:
    from datetime import timedelta

    from station_tui.services import works

    # Monday 2026-11-23: 低压非小微 works, 3 working days → due Thursday 11-26.
    apps = {name: accept_one(station, customer_name=name) for name in ("甲", "乙", "丙")}
    for name, contract in (("甲", "2026-11-26"), ("乙", "2026-11-25"), ("丙", "2026-11-26")):
        works.record_works(
            station, apps[name], kind="低压/非小微企业", project_manager="周海涛", contract_date=contract,
            customer_completion="2026-11-30", operator=station.head_id,
        )  # fmt: skip
    clock.now += timedelta(days=2)  # Wednesday 11-25: 甲 connected on time
    _connect(station, apps["甲"])
    clock.now += timedelta(days=1)  # Thursday 11-26: 乙 a day after its agreed date, though within the limit
    _connect(station, apps["乙"])
    result = run_export(station, outbox=outbox, full=True, language="en")
    rows = {r["application"]: r for r in read_csv(result.folder / "works.csv")}
    got = {name: (rows[a]["deadline"], rows[a]["connected_date"], rows[a]["on_time"]) for name, a in apps.items()}
    assert got == {
        "甲": ("2026-11-26", "2026-11-25", "1"),
        "乙": ("2026-11-25", "2026-11-26", "0"),
        "丙": ("2026-11-26", "", ""),
    }
    assert {r["due_date"] for r in rows.values()} == {"2026-11-26"}
    assert verify_folder(result.folder).ok
