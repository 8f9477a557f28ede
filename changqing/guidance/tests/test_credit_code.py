import pytest

from changqing.guidance import credit_code


@pytest.mark.parametrize("code", ["91440300708461136T", "91350100M000100Y43", "91110108551385082Q",
                                  "９１４４０３００７０８４６１１３６ｔ", " 91440300708461136t "])
def test_real_codes_are_accepted_and_normalised(code):
    assert credit_code.validate(code) in {"91440300708461136T", "91350100M000100Y43", "91110108551385082Q"}


@pytest.mark.parametrize("code, reason", [
    ("91440300708461136U", "校验位错误：最后一位应为 T"),
    ("9144030070846113", "应为18位"),
    ("91440300708461136I", "不允许的字符：I"),
    ("91A40300708461136T", "行政区划码"),
])
def test_bad_codes_say_why(code, reason):
    with pytest.raises(credit_code.CreditCodeError) as exc:
        credit_code.validate(code)
    assert reason in str(exc.value)


def test_every_wrong_check_character_is_refused():
    first17 = "91440300708461136"
    wrong = [c for c in credit_code.ALPHABET if c != "T"]
    assert not any(credit_code.is_valid(first17 + c) for c in wrong)
