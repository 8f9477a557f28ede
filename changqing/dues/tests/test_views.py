import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from changqing.core.roles import Role
from changqing.dues import rules
from changqing.dues.models import BranchFundEntry, DuesBase, DuesMonth, DuesPayment, HardshipDecision
from changqing.dues.selectors import rules_for
from changqing.policies.models import PolicyVersion
from conftest import TEST_TODAY
from tests.factories import make_user

from .helpers import add_members, set_policy

pytestmark = pytest.mark.today
TODAY = TEST_TODAY
MONTH = rules.month_start(TODAY)
MCODE = f"{TODAY:%Y-%m}"


@pytest.fixture
def sec(client, secretary_a):
    client.force_login(secretary_a)
    return client


def sheet_url(org, month=MCODE):
    return reverse("dues:sheet", args=[org.code, month])


def queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200, r.content[:500]
    return len(ctx.captured_queries)


def _pay_some(members, months_back):
    for m, back in zip(members, months_back):
        last = rules.add_months(MONTH, -back)
        DuesMonth.objects.bulk_create([DuesMonth(membership=m, month=x, amount_due=D("20"))
                                       for x in rules.month_range(rules.add_months(MONTH, -12),
                                                                  rules.months_between(rules.add_months(MONTH, -12),
                                                                                       last) + 1)])


@pytest.mark.parametrize("url_name", ["sheet", "members", "home", "ledger", "payments", "funds"])
def test_query_count_does_not_grow_with_members(sec, tree, url_name):
    urls = {"sheet": sheet_url(tree.a), "members": reverse("dues:members") + "?arrears=1",
            "home": reverse("dues:home"), "ledger": reverse("dues:ledger", args=[tree.a.code, TODAY.year]),
            "payments": reverse("dues:payments"), "funds": reverse("dues:funds")}

    def populate(n, backs):
        members = add_members(tree.a, n, since=dt.date(2025, 1, 1))
        _pay_some(members, backs)
        for m in members[:n // 2]:
            DuesPayment.objects.create(membership=m, organization=tree.a, first_month=MONTH, amount=D("1"),
                                       paid_on=TODAY, kind="voluntary")
            BranchFundEntry.objects.create(organization=tree.a, kind="refund", occurred_on=TODAY, amount=D("100"),
                                           source="x")

    populate(3, [1, 4, 7])
    small = queries(sec, urls[url_name])
    populate(25, [1, 2, 3, 4, 5, 6, 7] * 3)
    large = queries(sec, urls[url_name])
    assert large == small


def test_sheet_records_a_branch_month_in_one_save(sec, tree):
    m1, m2, m3 = add_members(tree.a, 3)
    page = sec.get(sheet_url(tree.a))
    assert "党费收缴登记表" in page.content.decode() and f'name="amount_{m1.pk}"' in page.content.decode()
    r = sec.post(sheet_url(tree.a), {
        "paid_on": TODAY.isoformat(), "collector": "组织委员",
        f"pay_{m1.pk}": "on", f"amount_{m1.pk}": "20.00", f"method_{m1.pk}": "cash",
        f"pay_{m2.pk}": "on", f"amount_{m2.pk}": "50.00", f"method_{m2.pk}": "online", f"receipt_{m2.pk}": "R2",
        f"payer_{m2.pk}": "儿子",
        f"amount_{m3.pk}": "20.00", f"method_{m3.pk}": "cash",
    })
    assert r.status_code == 302
    assert set(DuesMonth.objects.filter(month=MONTH).values_list("membership_id", flat=True)) == {m1.pk, m2.pk}
    assert DuesPayment.objects.get(membership=m2, kind="voluntary").amount == D("30.00")
    page = sec.get(sheet_url(tree.a)).content.decode()
    assert "已缴 <strong>2</strong> 人" in page


@pytest.mark.parametrize("post,msg", [
    ({"amount": "abc"}, "请填写金额"),
    ({"amount": "-5"}, "金额不能为负数"),
    ({"amount": "19.99"}, "少于应缴20.00元"),
    ({"amount": "20.001"}, "最多两位小数"),
    ({"paid_on": "2099-01-01"}, "收缴日期不能晚于今天"),
    ({"collector": ""}, "请填写收款人"),
    ({"pay": ""}, "没有勾选任何党员"),
])
def test_sheet_bad_input_says_why_and_writes_nothing(sec, tree, post, msg):
    m1, m2 = add_members(tree.a, 2)
    data = {"paid_on": TODAY.isoformat(), "collector": "组织委员", f"pay_{m2.pk}": "on", f"amount_{m2.pk}": "20.00",
            f"method_{m2.pk}": "cash", f"pay_{m1.pk}": "on", f"amount_{m1.pk}": "20.00", f"method_{m1.pk}": "cash"}
    for k, v in post.items():
        if k in ("amount", "pay"):
            data[f"{k}_{m1.pk}"] = v
            if k == "pay":
                data.pop(f"pay_{m2.pk}")
        else:
            data[k] = v
    r = sec.post(sheet_url(tree.a), data)
    assert r.status_code == 200
    assert msg in r.content.decode()
    assert not DuesPayment.objects.exists() and not DuesMonth.objects.exists()


def test_sheet_back_payment_limit_on_old_month(sec, tree):
    (m,) = add_members(tree.a, 1, since=dt.date(2020, 1, 1))
    old = rules.add_months(MONTH, -7)
    r = sec.post(sheet_url(tree.a, f"{old:%Y-%m}"), {"paid_on": TODAY.isoformat(), "collector": "x",
                                                    f"pay_{m.pk}": "on", f"amount_{m.pk}": "20.00",
                                                    f"method_{m.pk}": "cash"})
    assert "补缴最多6个月" in r.content.decode()
    assert not DuesPayment.objects.exists()


def test_other_branch_is_out_of_scope(sec, tree):
    add_members(tree.b, 1)
    assert sec.get(sheet_url(tree.b)).status_code == 404
    assert sec.get(reverse("dues:ledger", args=[tree.b.code, 2026])).status_code == 404
    assert sec.get(reverse("dues:fund", args=[tree.b.code])).status_code == 404
    assert sec.get(reverse("dues:member", args=[tree.rb.membership.pk])).status_code == 404
    r = sec.post(sheet_url(tree.b), {"paid_on": TODAY.isoformat(), "collector": "x"})
    assert r.status_code == 404
    assert "乙支部专有人" not in sec.get(reverse("dues:members")).content.decode()
    mb = tree.rb.membership
    pay = DuesPayment.objects.create(membership=mb, organization=tree.b, first_month=MONTH, amount=D("1"), paid_on=TODAY)
    for name in ("base_add", "payment_add", "voluntary_add", "hardship_add"):
        assert sec.get(reverse(f"dues:{name}", args=[mb.pk])).status_code == 404
        assert sec.post(reverse(f"dues:{name}", args=[mb.pk]), {"amount": "5"}).status_code == 404
    assert sec.post(reverse("dues:payment_delete", args=[pay.pk])).status_code == 404
    assert sec.post(reverse("dues:fund_add", args=[tree.b.code]), {"kind": "refund"}).status_code == 404
    assert sec.get(reverse("dues:policy", args=[tree.b.code])).status_code == 404
    assert sec.post(reverse("dues:policy", args=[tree.b.code]), {"quarterly": "on"}).status_code == 404
    assert DuesPayment.objects.filter(pk=pay.pk).exists() and not PolicyVersion.objects.exists()


def test_viewer_without_change_cannot_post_sheet(client, tree):
    (m,) = add_members(tree.a, 1)
    viewer = make_user("gw", Role.COMMITTEE_MEMBER, organization=tree.a)
    client.force_login(viewer)
    assert client.get(sheet_url(tree.a)).status_code == 200
    r = client.post(sheet_url(tree.a), {"paid_on": TODAY.isoformat(), "collector": "x", f"pay_{m.pk}": "on",
                                        f"amount_{m.pk}": "20", f"method_{m.pk}": "cash"})
    assert r.status_code == 403 and not DuesPayment.objects.exists()


def _xlsx_rows(response):
    wb = load_workbook(io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content))
    return [list(r) for r in wb.active.iter_rows(values_only=True)]


def test_sheet_ledger_and_list_export(sec, tree):
    m1, m2 = add_members(tree.a, 2)
    DuesMonth.objects.create(membership=m1, month=MONTH, amount_due=D("20.00"),
                             payment=DuesPayment.objects.create(membership=m1, organization=tree.a, first_month=MONTH,
                                                                amount=D("20.00"), paid_on=TODAY))
    rows = _xlsx_rows(sec.get(sheet_url(tree.a) + "?export=xlsx"))
    assert "收缴登记表" in rows[0][0] and rows[1][:2] == ["序号", "姓名"]
    assert any("已缴 20.00" in str(c) for r in rows for c in r)
    rows = _xlsx_rows(sec.get(reverse("dues:ledger", args=[tree.a.code, TODAY.year]) + "?export=xlsx"))
    assert rows[-1][0] == "合计" and "20.00" in rows[-1]
    rows = _xlsx_rows(sec.get(reverse("dues:members") + "?export=xlsx"))
    assert len(rows) == 2 + 3  # title, header, ra + two members
    rows = _xlsx_rows(sec.get(reverse("dues:fund", args=[tree.a.code]) + "?export=xlsx"))
    assert rows[1][0] == "日期"


def test_member_page_and_record_section_show_warning(sec, tree):
    (m,) = add_members(tree.a, 1, since=rules.add_months(MONTH, -8))
    r = sec.get(reverse("dues:member", args=[m.pk])).content.decode()
    assert "党章第九条" in r or "支部党员大会" in r
    r = sec.get(reverse("members:retiree_detail", args=[m.retiree_id])).content.decode()
    assert "连续" in r and "未交党费" in r


def test_home_panel_counts_link_to_names(sec, tree):
    members = add_members(tree.a, 3, since=rules.add_months(MONTH, -12))
    _pay_some(members, [4, 6, 12])  # as of last month: 3, 5, 11 months behind
    page = sec.get("/").content.decode()
    assert "党费欠缴提醒" in page and "?arrears=6" in page
    lst = sec.get(reverse("dues:members") + "?arrears=5").content.decode()
    assert members[1].retiree.name in lst and members[0].retiree.name not in lst


@pytest.mark.parametrize("url_name,data,msg", [
    ("base_add", {"effective_from": "2026-01", "category": "retiree", "pension_whole": "5000"}, "需填写基本养老金"),
    ("base_add", {"effective_from": "2026-13", "category": "retiree"}, "请按“年-月”填写月份"),
    ("base_add", {"effective_from": "2026-01", "category": "working", "income": "abc"}, "请填写金额"),
    ("base_add", {"effective_from": "2026-01", "category": "retiree", "pension_whole": "3000",
                  "pension_basic": "4000"}, "基本养老金不能大于养老金全额"),
    ("payment_add", {"first_month": "2020-01", "months": "1", "amount": "20", "method": "cash",
                     "paid_on": TODAY.isoformat()}, "补缴最多6个月"),
    ("payment_add", {"first_month": MCODE, "months": "0", "amount": "20", "method": "cash",
                     "paid_on": TODAY.isoformat()}, "缴纳月数至少为1"),
    ("payment_add", {"first_month": MCODE, "months": "1", "amount": "1", "method": "cash",
                     "paid_on": TODAY.isoformat()}, "少于应缴"),
    ("payment_add", {"first_month": MCODE, "months": "1", "amount": "20", "method": "bitcoin",
                     "paid_on": TODAY.isoformat()}, "选择一个有效的选项"),
    ("voluntary_add", {"amount": "0", "method": "cash", "paid_on": TODAY.isoformat()}, "金额必须大于0"),
    ("voluntary_add", {"amount": "100", "method": "cash", "paid_on": "2099-01-01"}, "不能晚于今天"),
    ("hardship_add", {"kind": "waive", "first_month": MCODE, "last_month": MCODE, "decided_on": TODAY.isoformat(),
                      "reason": "病"}, "没有支部决定不能减免"),
    ("hardship_add", {"kind": "reduce", "first_month": MCODE, "last_month": MCODE, "decided_on": TODAY.isoformat(),
                      "meeting_reference": "支委会", "reason": "病"}, "减交需填写减交后的每月金额"),
    ("hardship_add", {"kind": "waive", "first_month": MCODE, "last_month": "2020-01",
                      "decided_on": TODAY.isoformat(), "meeting_reference": "支委会", "reason": "病"},
     "截止月份不能早于起始月份"),
])
def test_member_forms_reject_bad_input(sec, tree, url_name, data, msg):
    (m,) = add_members(tree.a, 1)
    before = (DuesBase.objects.count(), DuesPayment.objects.count(), HardshipDecision.objects.count())
    r = sec.post(reverse(f"dues:{url_name}", args=[m.pk]), data)
    assert r.status_code == 200
    assert msg in r.content.decode()
    assert (DuesBase.objects.count(), DuesPayment.objects.count(), HardshipDecision.objects.count()) == before


def test_member_forms_save(sec, tree):
    (m,) = add_members(tree.a, 1)
    set_policy(tree.root, assessment="monthly")  # a new base counts from its month
    assert sec.post(reverse("dues:base_add", args=[m.pk]), {"effective_from": MCODE, "category": "working",
                                                            "income": "5000.01"}).status_code == 302
    assert sec.post(reverse("dues:payment_add", args=[m.pk]), {
        "first_month": MCODE, "months": "1", "amount": "75.00", "method": "transfer",
        "paid_on": TODAY.isoformat(), "payer_name": "老伴"}).status_code == 302
    assert DuesMonth.objects.get(membership=m, month=MONTH).amount_due == D("75.00")
    assert sec.post(reverse("dues:voluntary_add", args=[m.pk]), {"amount": "1000", "method": "cash",
                                                                 "paid_on": TODAY.isoformat()}).status_code == 302
    assert DuesPayment.objects.get(kind="voluntary").is_large
    assert "大额" in sec.get(reverse("dues:large_payments")).content.decode()


@pytest.mark.parametrize("data,field_msg", [
    ({"kind": "spending", "amount": "10"}, "支出必须写明用途"),
    ({"kind": "spending", "amount": "10", "purpose": "慰问", "receipt_number": "Z"}, "超过当前经费余额"),
    ({"kind": "refund", "amount": "0"}, "金额必须大于0"),
    ({"kind": "refund", "amount": "x", "source": "党委"}, "请填写金额"),
    ({"kind": "allocation", "amount": "100"}, "收入需填写来源单位"),
])
def test_fund_form_bad_input(sec, tree, data, field_msg):
    r = sec.post(reverse("dues:fund_add", args=[tree.a.code]), {"occurred_on": TODAY.isoformat(), **data})
    assert r.status_code == 200 and field_msg in r.content.decode()
    assert not BranchFundEntry.objects.exists()


def test_fund_balance_and_summary(sec, tree):
    sec.post(reverse("dues:fund_add", args=[tree.a.code]), {"occurred_on": TODAY.isoformat(), "kind": "allocation",
                                                            "amount": "15000", "source": "原单位"})
    sec.post(reverse("dues:fund_add", args=[tree.a.code]), {"occurred_on": TODAY.isoformat(), "kind": "spending",
                                                            "amount": "2000.50", "purpose": "慰问", "receipt_number": "Z"})
    page = sec.get(reverse("dues:fund", args=[tree.a.code])).content.decode()
    assert "12999.50" in page
    summary = sec.get(reverse("dues:funds")).content.decode()
    assert "12999.50" in summary and "乙支部专有名称" not in summary


def test_policy_edit_by_manager_and_quarterly_by_secretary(client, sec, tree, bureau_admin):
    url = reverse("policies:set", args=["dues", tree.root.code])
    assert sec.get(url).status_code == 404 and sec.post(url, {"rounding": "down"}).status_code == 404
    assert sec.post(reverse("dues:policy", args=[tree.a.code]), {"rounding": "down"}).status_code == 403
    client.force_login(bureau_admin)
    base = {"v-valid_from": "2027-01-01", "v-note": "新文件",
            "working_brackets": "3000,0.005\n5000,0.01\n10000,0.015\n,0.02", "retiree_brackets": "5000,0.005\n,0.01",
            "pension_basis": "basic", "farmer_amount": "0.50", "student_amount": "0.20", "rounding": "half_even",
            "assessment": "yearly", "advance_max_months": "6", "backpay_max_months": "6",
            "large_payment_threshold": "1000"}
    for bad, msg in [({"working_brackets": "3000,0.005\n2000,0.01\n,0.02"}, "必须大于上一档"),
                     ({"retiree_brackets": "5000;0.005"}, "应为“上限,比例”"),
                     ({"farmer_amount": "2"}, "0.2元至1元"), ({"backpay_max_months": "7"}, "不得超过6个月"),
                     ({"v-valid_from": "明年"}, "有效的日期")]:
        r = client.post(url, {**base, **bad})
        assert r.status_code == 200 and msg in r.content.decode(), msg
        assert not PolicyVersion.objects.exists()
    assert client.post(url, base).status_code == 302
    assert rules_for(tree.a, dt.date(2027, 1, 1)).rounding == "half_even"
    assert rules_for(tree.a, dt.date(2026, 12, 1)).rounding == "half_up"  # before it: the defaults
    r = sec.post(reverse("dues:policy", args=[tree.a.code]), {"quarterly": "on"})
    assert r.status_code == 302
    assert rules_for(tree.a, TODAY).quarterly_allowed and not rules_for(tree.b, TODAY).quarterly_allowed
    assert rules_for(tree.a, dt.date(2027, 1, 1)).pension_basis == "basic"  # the consent is its own kind


def test_quarterly_sheet_covers_the_quarter(sec, tree):
    (m,) = add_members(tree.a, 1)
    set_policy(tree.a, quarterly_allowed=True)
    q_first = MONTH.replace(month=(MONTH.month - 1) // 3 * 3 + 1)
    r = sec.post(sheet_url(tree.a, f"{q_first:%Y-%m}") + "?period=quarter", {
        "period": "quarter", "paid_on": TODAY.isoformat(), "collector": "x", f"pay_{m.pk}": "on",
        f"amount_{m.pk}": "60.00", f"method_{m.pk}": "cash"})
    assert r.status_code == 302
    assert DuesMonth.objects.filter(membership=m).count() == 3


def test_api_lists_only_scope(sec, tree):
    (ma,) = add_members(tree.a, 1)
    (mb,) = add_members(tree.b, 1)
    for m, org in ((ma, tree.a), (mb, tree.b)):
        DuesPayment.objects.create(membership=m, organization=org, first_month=MONTH, amount=D("20"), paid_on=TODAY)
    data = sec.get("/api/v1/dues-payments/").json()
    assert [r["membership"] for r in data["results"]] == [ma.pk]
    bases = sec.get("/api/v1/dues-bases/").json()["results"]
    assert {b["membership"] for b in bases} == {ma.pk}


@pytest.mark.parametrize("data,field,msg", [
    ({"first_month": "2020-01", "amount": "20"}, "first_month", "补缴最多6个月"),
    ({"first_month": MCODE, "amount": "1"}, "amount", "少于应缴"),
])
def test_payment_errors_sit_beside_their_field(sec, tree, data, field, msg):
    """The service says which field a message is about (its code), not the view guessing from the wording."""
    (m,) = add_members(tree.a, 1)
    r = sec.post(reverse("dues:payment_add", args=[m.pk]), {"months": "1", "method": "cash",
                                                           "paid_on": TODAY.isoformat(), **data})
    assert any(msg in e for e in r.context["form"].errors[field])
