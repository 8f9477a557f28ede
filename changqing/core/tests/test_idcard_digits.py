"""ID numbers are written in 0–9 (full-width digits converted) and a final X; any other Unicode digit is refused
with the reason, in the form and the import, never a 500."""
import pytest

from changqing.core import idcard
from changqing.core.models import ObjectChange
from changqing.members.models import Retiree
from changqing.members.tests.test_forms import retiree_data
from changqing.roster.cells import CellError, parse_id_number

VALID = "11010519491231002X"
OTHER_DIGITS = {
    "superscript": "1101051949123100²X",
    "arabic-indic": "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",
    "devanagari": "११०१०५१९४९१२३१००२X",
    "circled": "1101051949123100②X",
    "mathematical bold": "𝟏𝟏𝟎𝟏𝟎𝟓𝟏𝟗𝟒𝟗𝟏𝟐𝟑𝟏𝟎𝟎𝟐X",
    "subscript last": "11010519491231002₂",
    "roman numeral": "1101051949123100ⅡX",
}


def test_ascii_and_full_width_digits_are_accepted():
    assert idcard.parse(VALID).value == VALID
    assert idcard.parse("１１０１０５１９４９１２３１００２ｘ").value == VALID


@pytest.mark.parametrize("raw", list(OTHER_DIGITS.values()), ids=list(OTHER_DIGITS))
def test_other_unicode_digits_are_refused_with_the_reason(raw):
    with pytest.raises(idcard.IdNumberError) as exc:
        idcard.parse(raw)
    assert "身份证号" in str(exc.value)
    assert not idcard.is_valid(raw)
    with pytest.raises(CellError):
        parse_id_number(raw)


def test_the_reason_names_the_character():
    with pytest.raises(idcard.IdNumberError) as exc:
        idcard.parse("١١٠١٠٥١٩٤٩١٢٣١٠٠٢X")
    assert "第1位" in str(exc.value) and "不是 0–9 的阿拉伯数字" in str(exc.value)


@pytest.mark.parametrize("raw", ["43312719520601081²", "٤٣٣١٢٧١٩٥٢٠٦٠١٠٨١٥", "4331271952060108①5"])
def test_the_form_refuses_them_beside_the_field(tree, client, bureau_admin, raw):
    client.force_login(bureau_admin)
    before = (Retiree.objects.count(), ObjectChange.objects.count())
    r = client.post("/retirees/new/", retiree_data(tree, id_number=raw))
    assert r.status_code == 200
    assert any("不是 0–9 的阿拉伯数字" in e for e in r.context["form"].errors["id_number"])
    assert (Retiree.objects.count(), ObjectChange.objects.count()) == before
