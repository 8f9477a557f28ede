"""The phone dues sheet: pre-filled from the link the user came by, an error summary linking to the rows."""
import pytest
from django.urls import reverse

from changqing.dues.models import DuesPayment
from conftest import TEST_TODAY

from .helpers import add_members

pytestmark = pytest.mark.today
MCODE = f"{TEST_TODAY:%Y-%m}"


@pytest.fixture
def sec(client, secretary_a):
    client.force_login(secretary_a)
    return client


def _sheet(org, month=MCODE):
    return reverse("dues:sheet", args=[org.code, month])


def test_start_link_keeps_branch_month_and_filters(sec, tree):
    r = sec.get(reverse("dues:sheet_start") + "?branch=T-A&month=2026-10&status=unpaid&retiree=5&junk=1")
    assert r.status_code == 302 and r["Location"] == _sheet(tree.a, "2026-10") + "?status=unpaid&retiree=5"
    assert sec.get(reverse("dues:sheet_start") + f"?branch={tree.a.pk}")["Location"] == _sheet(tree.a)
    assert sec.get(reverse("dues:sheet_start") + "?month=bad")["Location"] == _sheet(tree.a)
    assert sec.get(reverse("dues:sheet_start") + "?branch=T-B").status_code == 404


def test_unpaid_only_and_one_member_focus(sec, tree):
    m1, m2, m3 = add_members(tree.a, 3)
    sec.post(_sheet(tree.a), {"paid_on": TEST_TODAY.isoformat(), "collector": "x", f"pay_{m1.pk}": "on",
                              f"amount_{m1.pk}": "20.00", f"method_{m1.pk}": "cash"})
    assert DuesPayment.objects.filter(membership=m1).exists()
    page = sec.get(_sheet(tree.a) + "?status=unpaid").content.decode()
    assert f'id="row-{m1.pk}"' not in page and f'id="row-{m2.pk}"' in page and f'id="row-{m3.pk}"' in page
    page = sec.get(_sheet(tree.a) + f"?retiree={m3.retiree_id}").content.decode()
    assert f'id="row-{m3.pk}"' in page and f'id="row-{m2.pk}"' not in page and "显示全部党员" in page
    page = sec.get(_sheet(tree.a) + f"?member={m2.pk}").content.decode()
    assert f'id="row-{m2.pk}"' in page and f'id="row-{m3.pk}"' not in page
    # Every row carries its pinyin for the name filter; the save bar is sticky and counts.
    page = sec.get(_sheet(tree.a)).content.decode()
    assert 'data-pinyin="' in page and 'id="change-count"' in page and "dues-savebar" in page
    for bad in ("?status=x", "?retiree=abc", "?member=-1", "?retiree=999999999"):
        assert sec.get(_sheet(tree.a) + bad).status_code == 200


def test_error_summary_links_to_the_bad_row(sec, tree):
    m1, m2 = add_members(tree.a, 2)
    r = sec.post(_sheet(tree.a) + "?status=unpaid", {
        "paid_on": TEST_TODAY.isoformat(), "collector": "x",
        f"pay_{m1.pk}": "on", f"amount_{m1.pk}": "-5", f"method_{m1.pk}": "cash",
        f"pay_{m2.pk}": "on", f"amount_{m2.pk}": "20.00", f"method_{m2.pk}": "cash"})
    page = r.content.decode()
    assert r.status_code == 200 and not DuesPayment.objects.exists()
    summary = page[page.index('id="error-summary"'):page.index("</div>", page.index('id="error-summary"'))]
    assert f'href="#row-{m1.pk}"' in summary and "金额不能为负数" in summary and f"#row-{m2.pk}" not in summary
    assert "有 1 处需要修改" in summary
    # The amount is in the row's 「改金额」 part, opened because it holds the error.
    row = page[page.index(f'id="row-{m1.pk}"'):]
    assert '<details class="dues-more" open>' in row[:3000]
    r = sec.post(_sheet(tree.a), {"paid_on": "", "collector": "x", f"pay_{m1.pk}": "on",
                                  f"amount_{m1.pk}": "20", f"method_{m1.pk}": "cash"})
    assert 'href="#id_paid_on"' in r.content.decode()
