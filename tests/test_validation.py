"""Field validation: good and bad values for each rule, the real-world shapes, and no input raising anything but FieldError."""

from __future__ import annotations

import contextlib
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from station_tui.domain import validation as v
from station_tui.domain.errors import StationError
from station_tui.domain.validation import Checked, FieldError

TODAY = date(2025, 6, 1)
FULL_WIDTH = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")


def make_id(first17: str) -> str:
    """A valid 18-character number from its first 17 characters (stdnum computes the check digit)."""
    return first17 + ric.calc_check_digit(first17 + "0")


def make_uscc(first17: str) -> str:
    return first17 + uscc.calc_check_digit(first17)


GOOD_ID = make_id("11010119900307001")  # 110101199003070011
GOOD_ID_X = make_id("11010119900307002")  # ends in X
GOOD_USCC = "91110000600037341L"


def refused(fn, *args, **kwargs) -> FieldError:
    with pytest.raises(FieldError) as info:
        fn(*args, **kwargs)
    assert str(info.value) and info.value.field
    return info.value


# ------------------------------------------------------------------------------------------------------- resident id


def test_field_error_is_a_station_error_with_its_field():
    error = FieldError("phone", "请填写联系电话")
    assert isinstance(error, StationError)
    assert (error.field, str(error)) == ("phone", "请填写联系电话")


def test_resident_id_accepts_a_valid_number():
    assert GOOD_ID_X.endswith("X")
    assert v.resident_id(GOOD_ID, today=TODAY) == Checked(GOOD_ID, ())
    assert v.resident_id(GOOD_ID_X, today=TODAY).value == GOOD_ID_X


@pytest.mark.parametrize(
    "typed",
    [
        GOOD_ID_X.lower(),  # lower-case x
        GOOD_ID_X.translate(FULL_WIDTH),  # full-width digits and Ｘ
        GOOD_ID_X[:17].translate(FULL_WIDTH) + "ｘ",  # full-width lower-case x
        f" {GOOD_ID_X[:6]} {GOOD_ID_X[6:14]} {GOOD_ID_X[14:]} ",  # spaces as on the card
        f"{GOOD_ID_X[:6]}-{GOOD_ID_X[6:14]}-{GOOD_ID_X[14:]}",  # hyphens
        f"{GOOD_ID_X[:6]}\u3000{GOOD_ID_X[6:]}",  # ideographic space
        f"{GOOD_ID_X[:6]}\u2014{GOOD_ID_X[6:]}\n",  # em dash, trailing newline from a spreadsheet
    ],
)
def test_resident_id_normalises_real_world_shapes(typed):
    assert v.resident_id(typed, today=TODAY).value == GOOD_ID_X


def test_fifteen_digit_first_generation_number_is_refused_with_a_hint():
    error = refused(v.resident_id, "110101900307001")
    assert "15位" in str(error) and "18位" in str(error)
    assert error.field == "id_number"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请填写身份证号"),
        ("   ", "请填写身份证号"),
        (GOOD_ID[:17], "身份证号应为18位，现在是17位"),
        (GOOD_ID + "1", "身份证号应为18位，现在是19位"),
        ("11010A199003070011", "身份证号第6位“A”应为数字"),
        (GOOD_ID[:17] + "Y", "身份证号最后一位“Y”应为数字或X"),
        (make_id("11010119900231001"), "身份证号中的出生日期 19900231 不存在"),
        (make_id("11010119901301001"), "身份证号中的出生日期 19901301 不存在"),
        (make_id("11010118990101001"), "身份证号中的出生日期 18990101 不合理"),
        (make_id("11010120250602001"), "身份证号中的出生日期 20250602 晚于今天"),
        (GOOD_ID[:17] + "2", "身份证号校验码不对，请核对最后一位"),
        (make_id("99010119900101001"), "身份证号前两位 99 不是有效的省份代码"),
    ],
)
def test_resident_id_refusals(typed, message):
    assert message in str(refused(v.resident_id, typed, today=TODAY))


def test_born_today_is_accepted_tomorrow_is_not():
    assert v.resident_id(make_id("11010120250601001"), today=TODAY).value
    refused(v.resident_id, make_id("11010120250602001"), today=TODAY)


def test_future_birth_date_uses_the_real_clock_by_default():
    assert "晚于今天" in str(refused(v.resident_id, make_id("11010120990101001")))


def test_county_code_newer_than_the_holder_needs_no_warning():
    number = make_id("46040019900101001")  # 儋州市 has had 460400 since 2015; its people born earlier carry it
    checked = v.resident_id(number, today=TODAY)
    assert checked.value == number and checked.warnings == ()


def test_unknown_county_code_is_accepted_with_a_warning():
    number = make_id("46049919900101001")  # no county ever had 460499
    checked = v.resident_id(number, today=TODAY)
    assert checked.value == number
    assert len(checked.warnings) == 1 and "460499" in checked.warnings[0]


def test_hong_kong_macao_taiwan_residence_permit_needs_no_warning():
    checked = v.identity_document("港澳台居民居住证", make_id("81000019900101001"), today=TODAY)
    assert checked.warnings == ()


@settings(max_examples=60, deadline=None)
@given(
    region=st.sampled_from(["110101", "310101", "410102", "440305", "460400", "650102"]),
    born=st.dates(min_value=date(1900, 1, 1), max_value=TODAY),
    sequence=st.integers(0, 999),
    position=st.integers(0, 17),
    replacement=st.sampled_from("0123456789X"),
)
def test_generated_ids_pass_and_any_single_substitution_is_caught(region, born, sequence, position, replacement):
    number = make_id(f"{region}{born:%Y%m%d}{sequence:03d}")
    assert v.resident_id(number, today=TODAY).value == number
    assert v.resident_id(number.lower().translate(FULL_WIDTH), today=TODAY).value == number
    changed = number[:position] + replacement + number[position + 1 :]
    if changed != number:
        refused(v.resident_id, changed, today=TODAY)


# ------------------------------------------------------------------------------------------------------- credit code


@pytest.mark.parametrize(
    "typed",
    [
        GOOD_USCC,
        GOOD_USCC.lower(),
        "9111 0000 6000 3734 1L",
        "91110000-600037341-L",
        "９１１１００００６０００３７３４１Ｌ",
    ],
)
def test_credit_code_normalises(typed):
    assert v.credit_code(typed) == GOOD_USCC


def test_credit_code_accepts_the_n_and_y_authorities():
    for first17 in ("N2410102MA0000001", "Y1410102MA0000001", "54410102MA0000001"):
        code = make_uscc(first17)
        assert v.credit_code(code) == code


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请填写统一社会信用代码"),
        (GOOD_USCC[:17], "统一社会信用代码应为18位，现在是17位"),
        ("91110000600037341M", "统一社会信用代码校验码不对"),
        ("91110000600037341O", "第18位“O”不是有效字符"),
        ("9111000060003734IL", "第17位“I”不是有效字符"),
        ("911A0000600037341L", "第3到8位是行政区划码"),
    ],
)
def test_credit_code_refusals(typed, message):
    assert message in str(refused(v.credit_code, typed))


@settings(max_examples=60, deadline=None)
@given(
    body=st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9),
    region=st.from_regex(r"\A[0-9]{6}\Z"),
    position=st.integers(0, 17),
    replacement=st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUWXY"),
)
def test_generated_credit_codes_pass_and_single_substitutions_are_caught(body, region, position, replacement):
    code = make_uscc(f"91{region}{body}")
    assert v.credit_code(code) == code
    changed = code[:position] + replacement + code[position + 1 :]
    if changed != code:
        refused(v.credit_code, changed)


# ------------------------------------------------------------------------------------------------ identity documents


def test_identity_document_dispatch():
    assert v.identity_document("居民身份证", GOOD_ID.lower(), today=TODAY).value == GOOD_ID
    assert v.identity_document("临时身份证", GOOD_ID, today=TODAY).value == GOOD_ID
    assert v.identity_document("户口本", GOOD_ID, today=TODAY).value == GOOD_ID
    assert v.identity_document("营业执照", GOOD_USCC.lower()).value == GOOD_USCC
    assert v.identity_document("统一社会信用代码", GOOD_USCC).value == GOOD_USCC
    assert "校验码" in str(refused(v.identity_document, "户口本", GOOD_ID[:17] + "9", today=TODAY))
    assert "15位" in str(refused(v.identity_document, "临时身份证", "110101900307001"))


@pytest.mark.parametrize(
    ("doc_type", "typed", "value"),
    [
        ("军官证", "军字第2001988号", "军字第2001988号"),
        ("外国护照", "e 1234 5678", "E12345678"),
        ("台胞证", "１２３４５６７８", "12345678"),
        ("港澳通行证", "h1234567801", "H1234567801"),
        ("外国永久居留证", "USA110012345678", "USA110012345678"),
        ("组织机构代码证", "12345678-9", "123456789"),
        ("其他有效身份证件", "AB-123", "AB123"),
    ],
)
def test_other_documents_get_a_shape_check(doc_type, typed, value):
    assert v.identity_document(doc_type, typed) == Checked(value)


@pytest.mark.parametrize(
    ("doc_type", "typed", "message"),
    [
        ("外国护照", "", "请填写外国护照号码"),
        ("外国护照", "E12", "外国护照号码应为5到20位，现在是3位"),
        ("港澳通行证", "H1234", "港澳通行证号码应为8到12位"),
        ("外国护照", "E1234567号", "不应出现的字符“号”"),
        ("台胞证", "1234#5678", "不应出现的字符“#”"),
        ("军官证", "军字\x00号", "U+0000"),
    ],
)
def test_other_documents_refusals(doc_type, typed, message):
    assert message in str(refused(v.identity_document, doc_type, typed))


def test_identity_document_without_a_type():
    assert refused(v.identity_document, " ", GOOD_ID).field == "id_type"


# ------------------------------------------------------------------------------------------------------------- phone


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("13812345678", "13812345678"),
        ("138 1234 5678", "13812345678"),
        ("138-1234-5678", "13812345678"),
        ("+86 138 1234 5678", "13812345678"),
        ("+8613812345678", "13812345678"),
        ("8613812345678", "13812345678"),
        ("0086 13812345678", "13812345678"),
        ("１３８１２３４５６７８", "13812345678"),
        ("19212345678", "19212345678"),
        ("0371-12345678", "0371-12345678"),
        ("037112345678", "0371-12345678"),
        ("010 12345678", "010-12345678"),
        ("(0371)12345678", "0371-12345678"),
        ("（０３７１）１２３４５６７８", "0371-12345678"),
        ("+86 371 1234 5678", "0371-12345678"),
        ("+86-0371-12345678", "0371-12345678"),
        ("0755 8888 8888", "0755-88888888"),
    ],
)
def test_phone_normalises(typed, value):
    assert v.phone(typed) == value


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "请填写联系电话"),
        ("62345678", "固定电话请加上区号"),
        ("6234567", "固定电话请加上区号"),
        ("1381234567", "手机号应为11位，现在是10位"),
        ("138123456789", "手机号应为11位，现在是12位"),
        ("12012345678", "号段 120 不存在"),
        ("0371-1234567", "请核对区号和号码"),
        ("4008123123", "请填写11位手机号，或带区号的固定电话"),
        ("95598", "请填写11位手机号，或带区号的固定电话"),
        ("+1 202 555 0100", "中国大陆"),
        ("0371-12345678转123", "不能识别的字符“转”"),
        ("+86", "请填写联系电话"),
        ("13812345678 13912345678", "位数太多"),
    ],
)
def test_phone_refusals(typed, message):
    error = refused(v.phone, typed)
    assert message in str(error)
    assert error.field == "phone"


# ---------------------------------------------------------------------------------------------------------- capacity


@pytest.mark.parametrize(
    ("typed", "voltage", "value"),
    [
        ("8", "low", 8.0),
        ("12.5", "低压", 12.5),
        (" 12.5 kW ", "low", 12.5),
        ("12.5kw", "low", 12.5),
        ("１００千瓦", "low", 100.0),
        ("500", "low", 500.0),
        ("600", "high", 600.0),
        ("1,000", "高压", 1000.0),
        ("100000", "high", 100000.0),
    ],
)
def test_capacity_accepts(typed, voltage, value):
    assert v.capacity_kw(typed, voltage) == value


@pytest.mark.parametrize(
    ("typed", "voltage", "message"),
    [
        ("", "low", "请填写申请容量"),
        ("0", "low", "申请容量应大于0"),
        ("0.0", "high", "申请容量应大于0"),
        ("-3", "low", "申请容量应大于0"),
        ("abc", "low", "申请容量应为数字"),
        ("1e3", "low", "申请容量应为数字"),
        ("nan", "high", "申请容量应为数字"),
        ("inf", "high", "申请容量应为数字"),
        ("12.5.1", "low", "申请容量应为数字"),
        ("315kVA", "high", "请按千瓦（kW）填写"),
        ("501", "low", "低压申请容量不能超过500千瓦，现在是501千瓦"),
        ("100001", "high", "高压申请容量不能超过100000千瓦"),
        ("9" * 5000, "high", "一个过大的数"),
    ],
)
def test_capacity_refusals(typed, voltage, message):
    error = refused(v.capacity_kw, typed, voltage)
    assert message in str(error) and error.field == "capacity_kw"


def test_capacity_ceiling_can_follow_the_profile_and_voltage_is_required():
    assert "160千瓦" in str(refused(v.capacity_kw, "161", "low", low_max_kw=160))
    assert refused(v.capacity_kw, "10", "中压").field == "voltage"
    assert refused(v.capacity_kw, "10", None).field == "voltage"


# ----------------------------------------------------------------------------------------- required, name, address


def test_required():
    assert v.required("contact", "  张三 ", "联系人") == "张三"
    error = refused(v.required, "contact", " \t ", "联系人")
    assert (error.field, str(error)) == ("contact", "请填写联系人")
    assert str(refused(v.required, "contact", None, "联系人")) == "请填写联系人"


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("王䶮", "王䶮"),
        ("𠮷田 ", "𠮷田"),
        ("阿卜杜·热合曼", "阿卜杜·热合曼"),
        ("郑州市（中原区）某某有限公司", "郑州市（中原区）某某有限公司"),  # full-width brackets kept
        ("张\t三", "张 三"),
        ("\u3000李四\u3000", "李四"),
    ],
)
def test_name_keeps_what_was_typed(typed, value):
    assert v.name(typed) == value


@pytest.mark.parametrize(
    ("fn", "typed", "message"),
    [
        (v.name, "", "请填写客户名称"),
        (v.name, "张\x07三", "控制字符（U+0007）"),
        (v.name, "张\ue000", "无法识别的字符（U+E000）"),
        (v.name, "张\ud800", "控制字符"),
        (v.name, "名" * 101, "客户名称不能超过100个字，现在是101个字"),
        (v.address, "", "请填写用电地址"),
        (v.address, "村", "用电地址太短"),
        (v.address, "地" * 201, "用电地址不能超过200个字"),
        (v.address, "张庄村\x1b[31m", "控制字符"),
    ],
)
def test_name_and_address_refusals(fn, typed, message):
    assert message in str(refused(fn, typed))


def test_address_keeps_rare_characters_and_joins_lines():
    assert v.address("河南省郑州市\n中原区𠮷祥路1号䶮园") == "河南省郑州市 中原区𠮷祥路1号䶮园"


# ----------------------------------------------------------------------------------- no input raises anything else

ANY_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8")),
    st.text(alphabet="0123456789xX０１２３４５６７８９Ｘ -+()（）.kKwW千瓦\x00\t\n\u3000"),
    st.from_regex(r"\A(\+86|86|0086)?[ -]?[01]?[0-9 -]{5,14}\Z"),
)
VALIDATORS = [
    lambda t: v.resident_id(t, today=TODAY),
    lambda t: v.resident_id(t),
    v.credit_code,
    v.phone,
    v.name,
    v.address,
    lambda t: v.required("f", t, "标签"),
    lambda t: v.capacity_kw(t, "low"),
    lambda t: v.capacity_kw(t, "high"),
    lambda t: v.capacity_kw("10", t),
]


@pytest.mark.parametrize("index", range(len(VALIDATORS)))
@settings(max_examples=80, deadline=None)
@given(text=ANY_TEXT)
def test_validators_raise_only_field_error(index, text):
    try:
        VALIDATORS[index](text)
    except FieldError as error:
        assert error.field and str(error)


@settings(max_examples=120, deadline=None)
@given(
    doc_type=st.one_of(st.sampled_from(v.IDENTITY_DOCUMENT_TYPES), st.text(max_size=8)),
    text=ANY_TEXT,
)
def test_identity_document_raises_only_field_error(doc_type, text):
    try:
        checked = v.identity_document(doc_type, text, today=TODAY)
    except FieldError as error:
        assert error.field and str(error)
    else:
        assert checked.value and isinstance(checked.warnings, tuple)


@pytest.mark.parametrize("value", [None, 12, 3.5, b"13812345678", object()])
def test_non_text_input_is_refused_or_read_as_text(value):
    for fn in (v.resident_id, v.credit_code, v.phone, v.name, v.address, lambda t: v.capacity_kw(t, "low")):
        with contextlib.suppress(FieldError):
            fn(value)
