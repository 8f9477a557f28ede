"""Unified social credit codes (统一社会信用代码, GB 32100-2015).

18 characters from a 31-character alphabet (no I, O, S, V, Z): registration
authority (1), organisation category (1), administrative division (6),
organisation code (9), check character (1). The check character makes
Σ value(cᵢ)·wᵢ + value(c₁₈) ≡ 0 (mod 31).
"""
from __future__ import annotations

import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class CreditCodeError(ValueError):
    pass


def normalize(raw: str) -> str:
    # NFKC folds full-width digits and letters to ASCII.
    return "".join(unicodedata.normalize("NFKC", str(raw)).split()).upper()


def check_char(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def validate(raw: str) -> str:
    """Return the canonical code or raise CreditCodeError with a Chinese reason."""
    code = normalize(raw)
    if len(code) != 18:
        raise CreditCodeError(f"统一社会信用代码应为18位，现为{len(code)}位")
    bad = sorted({c for c in code if c not in ALPHABET})
    if bad:
        raise CreditCodeError(f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、S、V、Z）")
    if not code[2:8].isdigit():
        raise CreditCodeError("统一社会信用代码第3至8位（行政区划码）应为数字")
    expected = check_char(code[:17])
    if code[17] != expected:
        raise CreditCodeError(f"统一社会信用代码校验位错误：最后一位应为 {expected}，填写的是 {code[17]}")
    return code


def is_valid(raw: str) -> bool:
    try:
        validate(raw)
    except CreditCodeError:
        return False
    return True
