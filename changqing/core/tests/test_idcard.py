import datetime as dt

import pytest

from changqing.core import idcard


@pytest.mark.parametrize("raw", ["11010519491231002X", "440524188001010014", "11010519491231002x",
                                 "１１０１０５１９４９１２３１００２Ｘ", " 110105 19491231002X "])
def test_valid_numbers_normalise(raw):
    parsed = idcard.parse(raw)
    assert parsed.value in {"11010519491231002X", "440524188001010014"}


def test_birth_and_gender_derived():
    parsed = idcard.parse("11010519491231002X")
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.gender == "female"
    assert idcard.parse("440524188001010014").gender == "male"


@pytest.mark.parametrize("raw, message", [
    ("11010519491231002", "18位"),
    ("110105194912310021", "校验位"),
    ("11010519490231002X", "不存在"),
    ("11010519491231A02X", "数字"),
])
def test_invalid_numbers_say_why_in_chinese(raw, message):
    with pytest.raises(idcard.IdNumberError) as exc:
        idcard.parse(raw)
    assert message in str(exc.value)


def test_masking():
    assert idcard.mask("11010519491231002X") == "110105********002X"
    assert idcard.mask_phone("13800001234") == "138****1234"
