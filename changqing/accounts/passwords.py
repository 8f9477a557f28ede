"""Password rules (AUTH_PASSWORD_VALIDATORS), each refusing with its reason in Chinese, and one-time passwords.

Django's own validators say why in English (and some have no zh-hans translation), and none counts kinds of
characters or remembers earlier passwords; these are small enough to keep here whole.
"""
from __future__ import annotations

import secrets
import string
from functools import lru_cache
from pathlib import Path

from django.contrib.auth import password_validation
from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError

CHINESE_LIST = Path(__file__).resolve().parent / "data" / "common-passwords-zh.txt"
# The product's own names and the demo password: the first guesses of anyone who has seen the demo.
PRODUCT_WORDS = ("changqing", "常青", "changqing2026")

SYMBOLS = set(string.punctuation) | set("·！￥…（）—【】、；：‘’“”，。《》？")


def character_kinds(password: str) -> int:
    """How many of the four kinds (upper case, lower case, digit, symbol) the password uses."""
    kinds = (
        any(c.isascii() and c.isupper() for c in password),
        any(c.isascii() and c.islower() for c in password),
        any(c.isdigit() for c in password),
        any(c in SYMBOLS or c.isspace() for c in password),
    )
    return sum(kinds)


class LengthValidator:
    def __init__(self, min_length: int = 10):
        self.min_length = min_length

    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(f"密码太短：至少需要 {self.min_length} 位，现在只有 {len(password)} 位。",
                                  code="password_too_short", params={"min_length": self.min_length})

    def get_help_text(self):
        return f"至少 {self.min_length} 位"


class CharacterKindsValidator:
    def __init__(self, min_kinds: int = 3):
        self.min_kinds = min_kinds

    def validate(self, password, user=None):
        if character_kinds(password) < self.min_kinds:
            raise ValidationError(
                f"密码需要包含大写字母、小写字母、数字、符号中的至少 {self.min_kinds} 种，"
                f"现在只有 {character_kinds(password)} 种。",
                code="password_too_few_kinds", params={"min_kinds": self.min_kinds})

    def get_help_text(self):
        return f"包含大写字母、小写字母、数字、符号中的至少 {self.min_kinds} 种"


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The Chinese list shipped here plus Django's list of 20,000 common passwords, lower-cased."""
    words = {line.strip().lower() for line in CHINESE_LIST.read_text(encoding="utf-8").splitlines()
             if line.strip() and not line.startswith("#")}
    return frozenset(words | password_validation.CommonPasswordValidator().passwords)


class CommonPasswordValidator:
    def validate(self, password, user=None):
        lowered = password.lower().strip()
        if any(word in lowered for word in PRODUCT_WORDS):
            raise ValidationError("密码不能包含本平台的名称（常青 / changqing）或演示密码，请换一个。",
                                  code="password_product_name")
        if lowered in common_passwords():
            raise ValidationError("这个密码太常见，很容易被猜到，请换一个。", code="password_too_common")

    def get_help_text(self):
        return "不能是常见密码，不能包含平台名称"


class UsernameValidator:
    def validate(self, password, user=None):
        username = (getattr(user, "username", "") or "").lower()
        if len(username) >= 3 and username in password.lower():
            raise ValidationError("密码不能包含用户名，请换一个。", code="password_contains_username")

    def get_help_text(self):
        return "不能包含用户名"


class HistoryValidator:
    """Not one of the last `keep` passwords (the current one among them); hashes kept in PasswordHistory."""

    def __init__(self, keep: int = 5):
        self.keep = keep

    def validate(self, password, user=None):
        if user is None or not user.pk:
            return
        from .models import PasswordHistory

        hashes = list(PasswordHistory.objects.filter(user=user).values_list("password", flat=True)[:self.keep])
        if user.password and user.password not in hashes:
            hashes.append(user.password)
        if any(check_password(password, encoded) for encoded in hashes):
            raise ValidationError(f"不能使用最近 {self.keep} 次用过的密码，请换一个新密码。",
                                  code="password_reused", params={"keep": self.keep})

    def password_changed(self, password, user=None):
        """Called by User.save() after set_password: remember the new hash, forget those beyond `keep`."""
        if user is None or not user.pk or not user.password:
            return
        from .models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        stale = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[self.keep:]
        PasswordHistory.objects.filter(pk__in=list(stale)).delete()

    def get_help_text(self):
        return f"不能与最近 {self.keep} 次的密码相同"


# Letters and digits that cannot be mistaken for one another when read aloud or copied from a screen.
_OTP_ALPHABETS = ("ABCDEFGHJKMNPQRSTUVWXYZ", "abcdefghjkmnpqrstuvwxyz", "23456789", "#%+=@")


def one_time_password(length: int = 12) -> str:
    """A random password an administrator hands over once; it satisfies the rules, and must be changed at login."""
    chars = [secrets.choice(alphabet) for alphabet in _OTP_ALPHABETS]
    pool = "".join(_OTP_ALPHABETS)
    chars += [secrets.choice(pool) for _ in range(length - len(chars))]
    secrets.SystemRandom().shuffle(chars)
    return "".join(chars)
