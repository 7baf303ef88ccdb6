"""Field validation for the intake form and the ledger import: normalise, check, and say what is wrong in Chinese.

Every public function takes the text as typed (or as read from a CSV cell), returns the normalised value, and raises only
:class:`FieldError` (never ``ValueError``, ``KeyError`` or a library's own exception, whatever the input). The algorithms
are the libraries' (python-stdnum for GB 11643 / GB 32100 check characters, phonenumbers for China's numbering plan).

Decisions on real-world shapes (the README repeats them):

* Identity numbers and credit codes: full-width characters (１２３Ｘ) become half-width (Unicode NFKC); a lower-case ``x``
  becomes ``X``; spaces (including the full-width space) and hyphens/dashes anywhere are removed.
* A 15-digit first-generation identity number is refused, telling the clerk to type the 18-digit number on the current
  card: 15-digit cards stopped being valid on 2013-01-01, and converting one (adding "19" and a check digit) would store a
  number nobody carries, which could not be matched with the customer's card later. stdnum does not convert either.
* Identity number checks, in this order so that the message points at the typo: 18 characters; 17 digits and a digit or
  X; a birth date that exists, not before 1900 and not after today; the check digit; a province code (first two digits)
  that exists. An unknown county code (first 6 digits never in stdnum's 行政区划 list, in any year) is
  accepted with a warning: region codes are created and merged every year, stdnum's list lags, and a card issued with a
  code still in force is valid. 810000/820000/830000 (港澳台居民居住证, same GB 11643 format) are accepted silently.
* 统一社会信用代码: 18 characters from GB 32100's alphabet (digits and capitals without I, O, Z, S, V), characters 3-8 digits
  (region), and the check character computed by stdnum. The first two characters are not required to be digits (stdnum
  requires it, but GB 32100 has authorities N 农业 and Y 其他, used by 村集体经济组织 and 农民专业合作社).
* Other identity documents (军官证, 士兵证, 台胞证, 港澳通行证, 外国护照, 外国永久居留证, 组织机构代码证, …) get a plausible-shape
  check only (length and allowed characters, see ``_SHAPES``): their formats changed over the years and no public check
  algorithm covers them all. 临时身份证, 户口本 and 港澳台居民居住证 carry a GB 11643 number and are checked as 居民身份证.
* Phones: full-width digits, spaces, hyphens, dots and brackets are ignored; ``+86``, ``0086`` and a bare ``86`` before a
  complete number are dropped. Mobile numbers must be 11 digits with a prefix phonenumbers knows, shown as ``13812345678``;
  landlines need the area code and are shown as ``0371-12345678``. A 7- or 8-digit number without area code is refused
  with a message asking for the 区号. Service numbers (400/800/95xxx), extensions and foreign numbers are refused.
* Capacity: a positive decimal number in kW; full-width digits, thousands separators and a trailing ``kW``/``千瓦`` are
  accepted; kVA/千伏安 is refused (the field is kW). Ceilings by default: low voltage 500 kW (generous on purpose: the
  national low-voltage limit is 100 kW and provinces raised it to 160 or 200 kW; a station's policy profile may pass a
  tighter ``low_max_kw``), high voltage 100,000 kW.
* Names and addresses: kept exactly as typed, except that surrounding blanks are removed and inner runs of blanks (tab,
  newline from a spreadsheet cell, full-width space) become one space. No NFKC here: it would rewrite CJK compatibility
  ideographs and full-width brackets in registered names. Rare characters (䶮, 𠮷) are kept; control characters,
  unpaired surrogates and private-use characters (造字 that no font or database shares) are refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from station_tui.domain.errors import StationError

__all__ = [
    "Checked",
    "FieldError",
    "IDENTITY_DOCUMENT_TYPES",
    "HIGH_VOLTAGE_MAX_KW",
    "LOW_VOLTAGE_MAX_KW",
    "address",
    "capacity_kw",
    "credit_code",
    "identity_document",
    "name",
    "phone",
    "required",
    "resident_id",
]

LOW_VOLTAGE_MAX_KW = 500.0
HIGH_VOLTAGE_MAX_KW = 100_000.0
NAME_MAX = 100
ADDRESS_MIN = 2
ADDRESS_MAX = 200


class FieldError(StationError):
    """A form field's value is refused: ``field`` is the form field's code name, str() the Chinese message."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class Checked:
    """An accepted value with the warnings the clerk should see (the value is saved anyway)."""

    value: str
    warnings: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------------------------- helpers

_DASHES = "-‐‑‒–—―−﹘﹣－_"
_CODE_STRIP = re.compile("[\\s" + re.escape(_DASHES) + "]+")


def _as_text(text: object) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        text = str(text)
    # An unpaired surrogate (possible in a Python str, never in real text) becomes U+FFFD, which the checks refuse.
    return _SURROGATES.sub("\ufffd", text)


_SURROGATES = re.compile("[\ud800-\udfff]")


def _code(text: object) -> str:
    """Normalise an identity number or code: NFKC (full-width → half-width), no blanks or dashes, upper case."""
    return _CODE_STRIP.sub("", unicodedata.normalize("NFKC", _as_text(text))).upper()


def _ascii_digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _show(char: str) -> str:
    """A character as the clerk can see it in a message (control characters by their code point)."""
    return char if char.isprintable() else f"U+{ord(char):04X}"


def _today(today: date | None) -> date:
    if today is not None:
        return today
    from station_tui.domain.timeutil import local_date, system_now

    return local_date(system_now())


# ------------------------------------------------------------------------------------------------------------ required


def required(field: str, text: object, label: str) -> str:
    """The text without surrounding blanks; refused when nothing is left."""
    value = _as_text(text).strip()
    if not value:
        raise FieldError(field, f"请填写{label}")
    return value


# ---------------------------------------------------------------------------------------------------------- resident id

_PROVINCES = frozenset(
    [
        "11",
        "12",
        "13",
        "14",
        "15",
        "21",
        "22",
        "23",
        "31",
        "32",
        "33",
        "34",
        "35",
        "36",
        "37",
        "41",
        "42",
        "43",
        "44",
        "45",
        "46",
        "50",
        "51",
        "52",
        "53",
        "54",
        "61",
        "62",
        "63",
        "64",
        "65",
        "71",
        "81",
        "82",
        "83",
    ]
)
_RESIDENCE_PERMIT_REGIONS = frozenset({"810000", "820000", "830000"})


def resident_id(text: object, *, field: str = "id_number", today: date | None = None) -> Checked:
    """居民身份证号 (GB 11643), normalised to 18 characters with an upper-case X; warnings for an unknown county code."""
    from stdnum.cn import ric

    number = _code(text)
    if not number:
        raise FieldError(field, "请填写身份证号")
    if len(number) == 15 and _ascii_digits(number):
        raise FieldError(field, "这是15位的第一代身份证号（2013年起已停用），请填写现用身份证上的18位号码")
    if len(number) != 18:
        raise FieldError(field, f"身份证号应为18位，现在是{len(number)}位")
    for position, char in enumerate(number[:17], start=1):
        if not _ascii_digits(char):
            raise FieldError(field, f"身份证号第{position}位“{_show(char)}”应为数字")
    if not (_ascii_digits(number[17]) or number[17] == "X"):
        raise FieldError(field, f"身份证号最后一位“{_show(number[17])}”应为数字或X")
    digits = number[6:14]
    try:
        born = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise FieldError(field, f"身份证号中的出生日期 {digits} 不存在") from None
    if born.year < 1900:
        raise FieldError(field, f"身份证号中的出生日期 {digits} 不合理，请核对第7到14位")
    if born > _today(today):
        raise FieldError(field, f"身份证号中的出生日期 {digits} 晚于今天，请核对第7到14位")
    try:
        check = ric.calc_check_digit(number)
    except Exception:  # the library's own failure is still the clerk's "cannot check"
        raise FieldError(field, "身份证号无法校验，请核对") from None
    if number[17] != check:
        raise FieldError(field, "身份证号校验码不对，请核对最后一位（或其他位有输错）")
    if number[:2] not in _PROVINCES:
        raise FieldError(field, f"身份证号前两位 {number[:2]} 不是有效的省份代码，请核对")
    warnings: list[str] = []
    if number[:6] not in _RESIDENCE_PERMIT_REGIONS and not region_code_ever_existed(number[:6]):
        warnings.append(
            f"身份证号前6位地区码 {number[:6]} 不在已知行政区划表中（新设的区县也会如此），请与证件核对"
        )
    return Checked(number, tuple(warnings))


def region_code_ever_existed(code: str) -> bool:
    """Whether a 6-digit county code was ever in use, in any year.

    Not stdnum's get_birth_place: it also requires the county to exist in the birth year, but a card carries the
    code of the county that issued it, often created or renumbered after the holder was born (红安县 has been
    421122 since 1995, so everyone born there before 1995 would be warned about)."""
    from stdnum import numdb

    return any(props.get("county") for _part, props in numdb.get("cn/loc").info(code))


# ---------------------------------------------------------------------------------------------------------- credit code

_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


def credit_code(text: object, *, field: str = "id_number") -> str:
    """统一社会信用代码 (GB 32100), normalised to 18 upper-case characters."""
    from stdnum.cn import uscc

    code = _code(text)
    if not code:
        raise FieldError(field, "请填写统一社会信用代码")
    if len(code) != 18:
        raise FieldError(field, f"统一社会信用代码应为18位，现在是{len(code)}位")
    for position, char in enumerate(code, start=1):
        if char not in _USCC_ALPHABET:
            raise FieldError(
                field,
                f"统一社会信用代码第{position}位“{_show(char)}”不是有效字符（只用数字和大写字母，不用I、O、Z、S、V）",
            )
    if not _ascii_digits(code[2:8]):
        raise FieldError(field, "统一社会信用代码第3到8位是行政区划码，应为数字")
    try:
        check = uscc.calc_check_digit(code)
    except Exception:
        raise FieldError(field, "统一社会信用代码无法校验，请核对") from None
    if code[17] != check:
        raise FieldError(field, "统一社会信用代码校验码不对，请核对最后一位（或其他位有输错）")
    return code


# -------------------------------------------------------------------------------------------------- identity documents


@dataclass(frozen=True)
class _Shape:
    """A plausible shape: length range after normalisation, and whether CJK characters are allowed."""

    min_len: int
    max_len: int
    cjk: bool = False
    hint: str = ""


_SHAPES: dict[str, _Shape] = {
    # 军官证/士兵证: e.g. 军字第2001988号, 士字第…号: Chinese characters and digits.
    "军官证": _Shape(4, 30, cjk=True),
    "士兵证": _Shape(4, 30, cjk=True),
    "军官证或士兵证": _Shape(4, 30, cjk=True),
    # 台湾居民来往大陆通行证: 8 digits (card since 2015) or older 10-character booklet numbers.
    "台胞证": _Shape(8, 12, hint="8位数字或旧版10位"),
    # 港澳居民来往内地通行证 (H/M + 8 or 10 digits) and 往来港澳通行证 (C/CA… + digits).
    "港澳通行证": _Shape(8, 12, hint="如 H12345678"),
    # Passports worldwide: ICAO 9303 allows up to 9 characters in the MRZ, national formats 5 to 12; be generous.
    "外国护照": _Shape(5, 20),
    "护照": _Shape(5, 20),
    # 外国人永久居留身份证: 15 characters (2004 card: 3 letters + 12 digits) or 18 (2023 card, GB 11643-like, starts with 9).
    "外国永久居留证": _Shape(15, 18, hint="15位或18位"),
    "外国人永久居留身份证": _Shape(15, 18, hint="15位或18位"),
    # 组织机构代码: 8 characters and a check character (often written 12345678-9), or the 18-character credit code.
    "组织机构代码证": _Shape(9, 18),
    "宗教活动场所登记证": _Shape(4, 30, cjk=True),
    "社会团体法人登记证书": _Shape(4, 30, cjk=True),
    "军队或武警证明": _Shape(1, 40, cjk=True),
}
_OTHER_SHAPE = _Shape(3, 40, cjk=True)
_RESIDENT_ID_TYPES = ("居民身份证", "身份证", "临时身份证", "户口本", "户口簿", "港澳台居民居住证")
_CREDIT_CODE_TYPES = ("营业执照", "统一社会信用代码")
IDENTITY_DOCUMENT_TYPES: tuple[str, ...] = _RESIDENT_ID_TYPES + _CREDIT_CODE_TYPES + tuple(_SHAPES)


def _is_cjk(char: str) -> bool:
    return unicodedata.category(char) == "Lo" and "CJK" in unicodedata.name(char, "")


def identity_document(
    doc_type: object, text: object, *, field: str = "id_number", today: date | None = None
) -> Checked:
    """The number of an identity or subject document, checked as its type allows (see the module docstring)."""
    kind = _as_text(doc_type).strip()
    if not kind:
        raise FieldError("id_type", "请选择证件类型")
    if kind in _RESIDENT_ID_TYPES:
        return resident_id(text, field=field, today=today)
    if kind in _CREDIT_CODE_TYPES:
        return Checked(credit_code(text, field=field))
    shape = _SHAPES.get(kind, _OTHER_SHAPE)
    number = _code(text)
    if not number:
        raise FieldError(field, f"请填写{kind}号码")
    for char in number:
        if not (char.isascii() and char.isalnum()) and not (shape.cjk and _is_cjk(char)):
            allowed = "汉字、字母和数字" if shape.cjk else "字母和数字"
            raise FieldError(field, f"{kind}号码中有不应出现的字符“{_show(char)}”（只能有{allowed}）")
    if not shape.min_len <= len(number) <= shape.max_len:
        hint = f"，{shape.hint}" if shape.hint else ""
        span = f"{shape.min_len}到{shape.max_len}位"
        raise FieldError(field, f"{kind}号码应为{span}{hint}，现在是{len(number)}位")
    return Checked(number)


# ---------------------------------------------------------------------------------------------------------------- phone

_PHONE_IGNORED = re.compile("[\\s" + re.escape(_DASHES) + ".()（）]+")


def phone(text: object, *, field: str = "phone") -> str:
    """A China mobile (``13812345678``) or a landline with area code (``0371-12345678``)."""
    import phonenumbers
    from phonenumbers import PhoneNumberType

    raw = _PHONE_IGNORED.sub("", unicodedata.normalize("NFKC", _as_text(text)))
    if not raw:
        raise FieldError(field, "请填写联系电话")
    plus = raw.startswith("+")
    digits = raw[1:] if plus else raw
    for char in digits:
        if not _ascii_digits(char):
            raise FieldError(field, f"电话号码中有不能识别的字符“{_show(char)}”，请只填数字（分机号不用填）")
    if len(digits) > 16:
        raise FieldError(field, f"电话号码位数太多（{len(digits)}位），请只填一个号码")
    international = False
    if plus:
        if not digits.startswith("86"):
            raise FieldError(field, "请填写中国大陆的手机号或固定电话")
        digits, international = digits[2:], True
    elif digits.startswith("0086"):
        digits, international = digits[4:], True
    elif digits.startswith("86") and 12 <= len(digits) <= 14:
        digits, international = digits[2:], True
    if not digits:
        raise FieldError(field, "请填写联系电话")
    if digits.startswith("1"):
        if len(digits) != 11:
            raise FieldError(field, f"手机号应为11位，现在是{len(digits)}位")
        national = digits
    elif digits.startswith("0"):
        national = digits
    elif international:
        national = "0" + digits
    elif len(digits) in (7, 8):
        raise FieldError(field, "固定电话请加上区号，例如 0371-12345678")
    else:
        raise FieldError(field, "电话号码不对：请填写11位手机号，或带区号的固定电话")
    try:
        number = phonenumbers.parse(national, "CN")
        valid = phonenumbers.is_valid_number(number) and number.country_code == 86
        kind = phonenumbers.number_type(number) if valid else None
    except Exception:
        valid, kind = False, None
    if national.startswith("1"):
        if not valid or kind not in (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
            raise FieldError(field, f"手机号 {national} 的号段 {national[:3]} 不存在，请核对")
        return national
    if not valid or kind not in (PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE):
        raise FieldError(field, f"固定电话 {national} 不对，请核对区号和号码")
    try:
        significant = phonenumbers.national_significant_number(number)
        area = phonenumbers.length_of_geographical_area_code(number)
    except Exception:
        significant, area = national[1:], 0
    if area <= 0:
        raise FieldError(field, f"固定电话 {national} 不对，请核对区号和号码")
    return f"0{significant[:area]}-{significant[area:]}"


# ------------------------------------------------------------------------------------------------------------- capacity

_VOLTAGE_WORDS = {"low": "low", "低压": "low", "high": "high", "高压": "high"}
_CAPACITY = re.compile(r"(\d+(?:\.\d+)?)(?:KW|千瓦)?")


def capacity_kw(
    text: object,
    voltage: object,
    *,
    field: str = "capacity_kw",
    low_max_kw: float = LOW_VOLTAGE_MAX_KW,
    high_max_kw: float = HIGH_VOLTAGE_MAX_KW,
) -> float:
    """The requested capacity in kW: a positive number within the voltage's ceiling (``low``/``低压``, ``high``/``高压``)."""
    level = _VOLTAGE_WORDS.get(_as_text(voltage).strip().lower() if voltage is not None else "")
    if level is None:
        raise FieldError("voltage", "请选择电压等级（低压或高压）")
    value = re.sub(r"[\s,，]+", "", unicodedata.normalize("NFKC", _as_text(text))).upper()
    if not value:
        raise FieldError(field, "请填写申请容量")
    if value.endswith(("KVA", "千伏安")):
        raise FieldError(field, "申请容量请按千瓦（kW）填写")
    if value.startswith("-"):
        raise FieldError(field, "申请容量应大于0")
    match = _CAPACITY.fullmatch(value)
    if match is None or not match.group(1).isascii():
        raise FieldError(field, "申请容量应为数字，单位千瓦（kW），例如 8 或 12.5")
    try:
        amount = Decimal(match.group(1))
    except InvalidOperation:
        raise FieldError(field, "申请容量应为数字，单位千瓦（kW），例如 8 或 12.5") from None
    if amount <= 0:
        raise FieldError(field, "申请容量应大于0")
    ceiling = low_max_kw if level == "low" else high_max_kw
    if amount > Decimal(str(ceiling)):
        words = "低压" if level == "low" else "高压"
        hint = "，请核对容量或改为高压" if level == "low" else "，请核对容量"
        shown = f"{amount.normalize():f}" if len(match.group(1)) <= 15 else "一个过大的数"
        raise FieldError(field, f"{words}申请容量不能超过{ceiling:g}千瓦，现在是{shown}千瓦{hint}")
    return float(amount)


# ------------------------------------------------------------------------------------------------------ name, address

_BLANKS = re.compile(r"\s+")


def _free_text(field: str, text: object, label: str, min_len: int, max_len: int) -> str:
    value = _BLANKS.sub(" ", _as_text(text)).strip()
    if not value:
        raise FieldError(field, f"请填写{label}")
    for char in value:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs") or char == "\ufffd":
            raise FieldError(field, f"{label}中有不可见的控制字符（{_show(char)}），请删除后重新输入")
        if category in ("Co", "Cn") and not _is_unassigned_cjk(char):
            raise FieldError(field, f"{label}中有无法识别的字符（{_show(char)}），请改用标准汉字")
    if len(value) < min_len:
        raise FieldError(field, f"{label}太短，请填写完整")
    if len(value) > max_len:
        raise FieldError(field, f"{label}不能超过{max_len}个字，现在是{len(value)}个字")
    return value


def _is_unassigned_cjk(char: str) -> bool:
    """Characters in CJK ideograph planes that this Python's Unicode tables do not know yet (newer extensions)."""
    return 0x20000 <= ord(char) <= 0x3FFFF


def name(text: object, *, field: str = "customer_name", label: str = "客户名称") -> str:
    """A person's or an organisation's name, as typed (rare characters kept), up to 100 characters."""
    return _free_text(field, text, label, 1, NAME_MAX)


def address(text: object, *, field: str = "address", label: str = "用电地址") -> str:
    """An address, as typed (rare characters kept), 2 to 200 characters."""
    return _free_text(field, text, label, ADDRESS_MIN, ADDRESS_MAX)
