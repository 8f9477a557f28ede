"""Resident ID numbers (GB 11643-1999, DOMAIN.md §8)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
_FULL_WIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")


class IdNumberError(ValueError):
    pass


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: dt.date
    gender: str  # "male" | "female"


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, WEIGHTS))
    return CHECK_CHARS[total % 11]


def normalize(raw: str) -> str:
    """Canonical form: half-width digits, upper-case X, no spaces."""
    return "".join(str(raw).translate(_FULL_WIDTH).split()).upper()


ASCII_DIGITS = frozenset("0123456789")


def _describe(ch: str) -> str:
    import unicodedata

    name = unicodedata.name(ch, "")
    return f"「{ch}」（{name}）" if name else f"U+{ord(ch):04X}"


def parse(raw: str) -> IdNumber:
    value = normalize(raw)
    # Only 0–9 (full-width ones were converted) and a final X: str.isdigit() also accepts superscripts,
    # Arabic-Indic and other scripts' digits, which int() chokes on or silently reads as 0–9.
    for i, ch in enumerate(value, start=1):
        if ch not in ASCII_DIGITS and not (ch == "X" and i == len(value)) and (ch.isdigit() or ch.isnumeric()):
            raise IdNumberError(f"身份证号第{i}位{_describe(ch)}不是 0–9 的阿拉伯数字：请只用数字 0–9 和最后一位的 X 填写")
    if len(value) != 18:
        raise IdNumberError(f"身份证号应为18位，现为{len(value)}位")
    if any(ch not in ASCII_DIGITS for ch in value[:17]) or not (value[17] in ASCII_DIGITS or value[17] == "X"):
        raise IdNumberError("身份证号前17位必须是数字，最后一位是数字或X")
    try:
        birth = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise IdNumberError(f"身份证号中的出生日期 {value[6:14]} 不存在") from None
    if check_char(value[:17]) != value[17]:
        raise IdNumberError(f"身份证号校验位错误，应为 {check_char(value[:17])}")
    gender = "male" if int(value[16]) % 2 == 1 else "female"
    return IdNumber(value=value, birth_date=birth, gender=gender)


def is_valid(raw: str) -> bool:
    try:
        parse(raw)
    except IdNumberError:
        return False
    return True


def mask(value: str) -> str:
    """110105********002X: region kept, birth date hidden, last four kept."""
    if not value:
        return ""
    if len(value) < 10:
        return "*" * len(value)
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_phone(value: str) -> str:
    if not value:
        return ""
    if len(value) < 7:
        return "*" * len(value)
    return value[:3] + "****" + value[-4:]
