"""Issue 18, readable and reachable: confirmation steps, roleless accounts, the change history in words,
period pickers and the audit's words for a branch."""
import datetime as dt
from decimal import Decimal as D

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from changqing.accounts.models import RoleAssignment, User
from changqing.core.roles import Role
from changqing.dues.models import DuesPayment
from tests.factories import make_member, make_user



@pytest.fixture
def admin_client(client, bureau_admin):
    client.force_login(bureau_admin)
    return client


def test_removing_a_role_asks_first_and_says_what_happens(admin_client, tree):
    admin_client.post("/accounts/users/new/", {
        "username": "new_sec", "full_name": "新书记", "phone": "13900000000", "password": "Qingshan-2026",
        "role-role": Role.BRANCH_SECRETARY, "role-note": "", "role-organization": tree.a.pk})
    user = User.objects.get(username="new_sec")
    assignment = user.role_assignments.get()
    url = reverse("accounts:role_remove", args=[assignment.pk])
    detail = admin_client.get(reverse("accounts:user_detail", args=[user.pk])).content.decode()
    assert f'href="{url}"' in detail  # a link to the confirmation page, not a one-click POST
    page = admin_client.get(url).content.decode()
    assert "确认移除" in page and "唯一的角色" in page and "未分配角色" in page and 'name="confirm"' in page
    # A POST without the confirmation changes nothing and shows the page again.
    assert admin_client.post(url).status_code == 200
    assert RoleAssignment.objects.filter(pk=assignment.pk).exists()
    response = admin_client.post(url, {"confirm": "1"})
    assert response.status_code == 302 and not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    # The account without a role stays listed for its admin.
    listing = admin_client.get("/accounts/users/?q=new_sec").content.decode()
    assert "new_sec" in listing and "未分配角色" in listing
    assert admin_client.get(reverse("accounts:user_detail", args=[user.pk])).status_code == 200


def test_undoing_a_payment_asks_first(client, tree, secretary_a):
    client.force_login(secretary_a)
    membership = make_member(tree.a, "缴费人")
    month = dt.date(2026, 11, 1)
    pay = DuesPayment.objects.create(membership=membership, organization=tree.a, first_month=month,
                                     amount=D("12"), paid_on=month)
    url = reverse("dues:payment_delete", args=[pay.pk])
    page = client.get(url).content.decode()
    assert "确认撤销" in page and "恢复为未缴" in page and "12" in page
    assert client.post(url).status_code == 200 and DuesPayment.objects.filter(pk=pay.pk).exists()
    assert client.post(url, {"confirm": "1"}).status_code == 302
    assert not DuesPayment.objects.filter(pk=pay.pk).exists()


def test_change_history_reads_in_words(admin_client, tree):
    from changqing.core.changelog_words import in_words
    from changqing.members.models import Retiree

    rows = in_words(Retiree, [("organization", tree.a.pk, tree.b.pk), ("gender", "male", "female"),
                              ("birth_date", "1949-12-31", "1950-01-02")])
    labels = {r[0]: r[1:] for r in rows}
    assert ("甲支部", "乙支部专有名称") in [r[1:] for r in rows]
    assert ("1949年12月31日", "1950年1月2日") in [r[1:] for r in rows]
    assert any(r[1:] == ("男", "女") for r in rows)
    # The page: a real change of a record's organisation shows the names, not ids.
    retiree = tree.ra
    retiree.organization = tree.b
    retiree.save()
    ct = ContentType.objects.get_for_model(Retiree)
    html = admin_client.get(reverse("core:history", args=[ct.pk, retiree.pk])).content.decode()
    assert "乙支部专有名称" in html and f">{tree.b.pk}<" not in html


def test_file_and_photo_changes_in_words():
    from changqing.core.changelog_words import in_words
    from changqing.life.models import Meeting

    files = [f for f in Meeting._meta.get_fields() if f.__class__.__name__ in ("FileField", "ImageField")]
    many = [f for f in Meeting._meta.many_to_many]
    if files:
        row = in_words(Meeting, [(files[0].name, "a/1.jpg", "a/2.jpg")])[0]
        assert row[1:] == ("原文件", "已更换")
    if many:
        row = in_words(Meeting, [(many[0].name, [68], [68, 999999])])[0]
        assert "68" not in row[2] and "新增" in row[2]


def test_period_pickers_replace_the_typed_range(admin_client, tree):
    html = admin_client.get("/life/heatmap/?org=T&from=2026-01&to=2026-06").content.decode()
    assert 'type="month"' in html and "2026年1月至2026年6月" in html and "2025-01..2025-06" not in html
    assert 'value="2026-06"' in html
    # The old links still work.
    assert "2026年1月至2026年3月" in admin_client.get("/life/heatmap/?org=T&period=2026-01..2026-03").content.decode()
    bad = admin_client.get("/life/heatmap/?org=T&from=2026-06&to=2026-01").content.decode()
    assert "早于开始月份" in bad


def test_audit_speaks_to_a_branch_in_words():
    from changqing.audit.models import Finding

    assert Finding(score=1.0).score_word == "较高"
    assert Finding(score=0.6).score_word == "中等"
    assert Finding(score=0.2).score_word == "较低"


def test_forms_start_at_the_users_own_organisation(tree, bureau_admin, secretary_a):
    from changqing.audit.forms import RunAuditForm
    from changqing.care.forms import CampaignForm
    from changqing.reports.forms import GenerateForm

    assert RunAuditForm(user=bureau_admin).fields["organization"].initial == tree.root.pk
    assert GenerateForm(user=bureau_admin).fields["organization"].initial == tree.root.pk
    assert CampaignForm(user=secretary_a).fields["organization"].initial == tree.a.pk


@pytest.mark.parametrize("url", ["/nope-xyz/", "/django-admin/login/"])
def test_pages_are_chinese_for_an_english_browser(db, url, settings):
    """Production error pages and django-admin's in Chinese whatever Accept-Language says (LANGUAGES = zh-hans)."""
    from django.test import Client

    settings.DEBUG = False
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9", raise_request_exception=False).get(url)
    html = response.content.decode()
    assert "页面" in html or "用户名" in html
    assert "Not Found" not in html and "Username" not in html
