"""Seed 004's application checklist (附件1) and archive checklist (附件2) as data: contents and broken files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from station_tui.domain.checklists import Checklists, load_checklists
from station_tui.domain.errors import ConfigError
from station_tui.domain.profiles import BUSINESS_TYPE_IDS
from station_tui.paths import data_dir

# DOMAIN.md "Business types and application documents".
EXPECTED_DOCUMENTS = {
    "lv_resident": ["identity_proof", "property_proof"],
    "lv_nonresident": ["subject_proof", "property_proof"],
    "hv_new": ["subject_proof", "property_proof"],
    "well_private": ["identity_proof", "property_proof"],
    "well_collective": ["subject_proof", "property_proof"],
    "ev_resident": ["identity_proof", "property_proof"],
    "ev_nonresident": ["subject_proof", "property_proof"],
    "base_station_5g": ["subject_proof", "address_list"],
}


@pytest.fixture(scope="module")
def checklists() -> Checklists:
    return load_checklists()


def test_default_path_is_the_data_folder(checklists: Checklists) -> None:
    assert load_checklists(data_dir() / "checklists.toml") == checklists


def test_eight_business_types_once_each(checklists: Checklists) -> None:
    assert [b.id for b in checklists.business_types] == list(BUSINESS_TYPE_IDS)
    assert checklists.business_type("ev_resident").name == "居民个人低压充电设施"
    with pytest.raises(KeyError):
        checklists.business_type("nothing")


@pytest.mark.parametrize("business_type", BUSINESS_TYPE_IDS)
def test_documents_per_business_type(checklists: Checklists, business_type: str) -> None:
    docs = checklists.required_documents(business_type, agent=False, important=False)
    assert [d.key for d in docs] == EXPECTED_DOCUMENTS[business_type]
    primary = checklists.primary_document(business_type)
    assert primary.key == EXPECTED_DOCUMENTS[business_type][0]
    assert [d.key for d in docs if d.primary] == [primary.key]


def test_default_voltage_and_resident(checklists: Checklists) -> None:
    voltages = {b.id: b.voltage for b in checklists.business_types}
    assert voltages.pop("hv_new") == "high"
    assert set(voltages.values()) == {"low"}
    residents = {b.id for b in checklists.business_types if b.resident}
    assert residents == {"lv_resident", "ev_resident"}
    excluded = {b.id for b in checklists.business_types if b.excluded_from_small_micro}
    assert {"well_private", "well_collective", "base_station_5g", "lv_resident"} <= excluded
    assert "lv_nonresident" not in excluded


def test_accepted_forms(checklists: Checklists) -> None:
    identity = checklists.primary_document("lv_resident")
    assert identity.name == "身份证明"
    assert identity.forms[:3] == ("居民身份证", "临时身份证", "户口本")
    assert "外国永久居留证（绿卡）" in identity.forms
    assert identity.copy == "original_and_copy" and identity.copy_label == "原件及复印件"
    subject = checklists.primary_document("lv_nonresident")
    assert subject.name == "主体证明" and "营业执照" in subject.forms and subject.copy == "copy"
    prop = checklists.required_documents("lv_resident")[1]
    assert prop.copy == "copy"
    rural = next(f for f in prop.forms if "村委会" in f)
    assert prop.copy_for(rural) == "original" and prop.copy_for("购房合同") == "copy"
    # Village-committee proof is for low voltage only.
    assert not any("村委会" in f for f in checklists.required_documents("hv_new")[1].forms)


def test_business_type_specific_forms(checklists: Checklists) -> None:
    well = checklists.required_documents("well_private")
    assert well[0].forms == ("居民身份证", "临时身份证", "户口本", "其它有效身份证明文书")
    assert "水利部门" in well[1].forms[0] and "机井坐标" in well[1].forms[0] and well[1].copy == "original"
    assert well[1].note == "" and well[1].form_copy == {}
    collective = checklists.primary_document("well_collective")
    assert collective.copy == "original" and all("村委会公章" in f for f in collective.forms)
    assert checklists.required_documents("well_collective")[1].forms == well[1].forms
    ev = checklists.required_documents("ev_resident")[1]
    assert "物业" in ev.forms[0] and "充电设施" in ev.forms[0] and ev.copy == "original"
    ev_org = checklists.required_documents("ev_nonresident")[1]
    assert ev_org.copy_for(ev_org.forms[0]) == "copy" and ev_org.copy_for(ev_org.forms[1]) == "original"
    assert checklists.required_documents("base_station_5g")[1].name == "报装地址列表"


def test_agent_documents_for_organisations(checklists: Checklists) -> None:
    docs = checklists.required_documents("lv_nonresident", agent=True, important=False)
    assert [d.key for d in docs] == ["subject_proof", "property_proof", "authorization_letter", "agent_identity"]
    assert docs[2].name == "授权委托书或单位介绍信" and docs[2].copy == "original"
    assert docs[3].name == "经办人有效身份证明" and docs[3].copy == "copy"
    assert not any(d.primary for d in docs[2:])
    # 附件1 注 covers organisations only: a private person's agent brings nothing more.
    assert [d.key for d in checklists.required_documents("lv_resident", agent=True)] == EXPECTED_DOCUMENTS[
        "lv_resident"
    ]
    assert checklists.primary_document("lv_nonresident").key == "subject_proof"


def test_important_customer_document(checklists: Checklists) -> None:
    docs = checklists.required_documents("hv_new", agent=False, important=True)
    assert [d.key for d in docs] == ["subject_proof", "property_proof", "government_approval"]
    assert docs[-1].name == "政府部门批复、核准或备案文件"
    both = checklists.required_documents("hv_new", agent=True, important=True)
    assert [d.key for d in both][-3:] == ["authorization_letter", "agent_identity", "government_approval"]


def test_archive_lists(checklists: Checklists) -> None:
    assert [s.id for s in checklists.archive] == ["acceptance", "design_review", "inspection", "connection"]
    assert checklists.archive_stage("acceptance").name == "受理申请及供电方案答复"
    every = checklists.archive_items()
    assert len(every) == 18
    # High voltage archives every row.
    assert len(checklists.archive_items(business_type_id="hv_new")) == 18
    resident = [i.name for i in checklists.archive_items("acceptance", "lv_resident")]
    assert resident == [
        "用电登记表",
        "客户有效身份证明（低压居民：身份证明复印件；非居民：主体证明复印件，具体见附件1）",
        "产权证明（复印件），具体见附件1",
        "现场勘查单",
    ]
    assert checklists.archive_items("design_review", "lv_resident") == []
    for business_type in BUSINESS_TYPE_IDS:
        connection = checklists.archive_items("connection", business_type)
        assert [i.name for i in connection] == ["电能计量装接单", "新装（增容）送电单", "供用电合同及其附件"]
        assert all(i.mark(business_type) == "required" for i in connection)
    agent = next(i for i in every if i.name.startswith("委托代理人"))
    assert agent.mark("lv_resident") is None and agent.mark("ev_resident") is None
    assert agent.mark("lv_nonresident") == "when_applicable"
    assert agent.mark("well_private") == "required" and agent.mark("well_collective") == "required"
    plan = next(i for i in every if i.name == "供电方案答复单")
    assert plan.mark("hv_new") == "required" and plan.mark("lv_nonresident") is None
    assert any("电子化" in n for n in checklists.archive_notes)


def test_domain_module_does_not_import_textual() -> None:
    code = "import sys, station_tui.domain.checklists, station_tui.domain.profiles; print('textual' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


# ---------------------------------------------------------------------------------------------------------------
# Broken checklist files: the real file with one fault, each written to tmp_path.

REAL = (data_dir() / "checklists.toml").read_text(encoding="utf-8")


def _error(tmp_path: Path, text: str) -> str:
    assert text != REAL, "the fault was not applied"
    path = tmp_path / "checklists.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_checklists(path)
    message = str(info.value)
    assert str(path) in message
    return message


def _block(business_type: str) -> tuple[int, int]:
    """Start and end of one [[business_types]] block in the real file."""
    start = REAL.index(f'id = "{business_type}"')
    end = REAL.find("[[business_types]]", start)
    return start, end if end != -1 else REAL.index("# ----", start)


def test_bad_toml_syntax(tmp_path: Path) -> None:
    message = _error(tmp_path, REAL.replace('source = "004', "source = 004", 1))
    assert "TOML 语法有误" in message and "line" in message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="无法读取配置文件"):
        load_checklists(tmp_path / "none.toml")


def test_missing_required_key(tmp_path: Path) -> None:
    message = _error(tmp_path, REAL.replace('voltage = "high"\n', "", 1))
    assert "键 business_types[2]" in message and "缺少必填项 voltage" in message


def test_wrong_type(tmp_path: Path) -> None:
    message = _error(tmp_path, REAL.replace("resident = true\n", 'resident = "是"\n', 1))
    assert "键 business_types[0].resident" in message and "类型不对" in message


def test_unknown_key_typo(tmp_path: Path) -> None:
    message = _error(
        tmp_path,
        REAL.replace('{ key = "identity_proof", primary = true }', '{ key = "identity_proof", primay = true }', 1),
    )
    assert "键 business_types[0].documents[0]" in message and "不认识的键 primay" in message


def test_bad_copy_value(tmp_path: Path) -> None:
    message = _error(tmp_path, REAL.replace('copy = "original_and_copy"', 'copy = "原件"', 1))
    assert "键 documents[0].copy" in message and "不在允许范围内" in message


def test_bad_archive_mark(tmp_path: Path) -> None:
    message = _error(tmp_path, REAL.replace('marks = { hv_new = "△" }', 'marks = { hv_new = "x" }', 1))
    assert "archive[0].items[3].marks" in message and "不在允许范围内" in message


def test_unknown_document_key(tmp_path: Path) -> None:
    message = _error(tmp_path, REAL.replace('{ key = "address_list" }', '{ key = "adress_list" }', 1))
    assert "键 business_types[7].documents[1].key" in message and "未定义的资料 adress_list" in message


def test_unknown_agent_document_key(tmp_path: Path) -> None:
    message = _error(tmp_path, REAL.replace('"agent_identity"]', '"agent_id"]', 1))
    assert "键 agent_documents[1]" in message and "未定义的资料 agent_id" in message


def test_duplicate_document_definition(tmp_path: Path) -> None:
    message = _error(tmp_path, REAL.replace('key = "address_list"\nname', 'key = "property_proof"\nname', 1))
    assert "键 documents[3].key" in message and "资料编号 property_proof 重复" in message


def test_duplicate_document_in_business_type(tmp_path: Path) -> None:
    message = _error(tmp_path, REAL.replace('{ key = "address_list" }', '{ key = "subject_proof" }', 1))
    assert "键 business_types[7].documents[1].key" in message and "资料 subject_proof 重复" in message


def test_missing_business_type(tmp_path: Path) -> None:
    start, end = _block("base_station_5g")
    text = REAL[: REAL.rindex("[[business_types]]", 0, start)] + REAL[end:]
    message = _error(tmp_path, text)
    assert "键 business_types" in message and "缺少业务类型 base_station_5g" in message


def test_duplicate_business_type(tmp_path: Path) -> None:
    message = _error(tmp_path, REAL.replace('id = "base_station_5g"', 'id = "lv_resident"', 1))
    assert "键 business_types[7].id" in message and "业务类型 lv_resident 重复" in message


def test_unknown_business_type(tmp_path: Path) -> None:
    message = _error(tmp_path, REAL.replace('id = "base_station_5g"', 'id = "base_station_6g"', 1))
    assert "键 business_types[7].id" in message and "未知的业务类型 base_station_6g" in message


def test_two_primary_documents(tmp_path: Path) -> None:
    message = _error(tmp_path, REAL.replace('{ key = "address_list" }', '{ key = "address_list", primary = true }', 1))
    assert "键 business_types[7].documents" in message and "有且只有一项主要资料" in message
    assert "subject_proof、address_list" in message


def test_no_primary_document(tmp_path: Path) -> None:
    start, end = _block("base_station_5g")
    block = REAL[start:end].replace('{ key = "subject_proof", primary = true }', '{ key = "subject_proof" }')
    message = _error(tmp_path, REAL[:start] + block + REAL[end:])
    assert "键 business_types[7].documents" in message and "现为：没有" in message


def test_form_copy_naming_an_unknown_form(tmp_path: Path) -> None:
    message = _error(tmp_path, REAL.replace('form_copy = { "固定车位', 'form_copy = { "固定停车位', 1))
    assert "键 business_types[6].documents[1].form_copy" in message and "不在 forms 中" in message


def test_unknown_business_type_in_archive(tmp_path: Path) -> None:
    message = _error(tmp_path, REAL.replace('marks = { hv_new = "△" }', 'marks = { hv_nwe = "△" }', 1))
    assert "键 archive[0].items[3].marks" in message and "未知的业务类型 hv_nwe" in message


def test_duplicate_archive_stage(tmp_path: Path) -> None:
    message = _error(tmp_path, REAL.replace('id = "connection"', 'id = "inspection"', 1))
    assert "键 archive[3].id" in message and "归档环节 inspection 重复" in message
