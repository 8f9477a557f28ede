"""Masking that cannot be undone (issue 16): what a role may not reveal is served in no form.

The person is 张宏伟 of branch A (conftest `tree`): ID 11010519491231002X, born 1949-12-31,
so 76 on the pinned day (2026-11-24), phone 13912340987 here. A role without "unmask" must find
none of these anywhere it looks: pages, search, edit form, exports, prints, API, history,
dashboards' drill-down lists, the birthday ledger.
"""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from changqing.accounts.models import RoleAssignment
from changqing.care.models import Pairing
from changqing.core.masking import Reveal, age_band
from changqing.core.models import OperationLog
from changqing.core.roles import Role
from changqing.members.forms import MASKED_EDITED
from changqing.members.models import Retiree

from tests.factories import make_user
from .helpers import person

pytestmark = pytest.mark.today
D = dt.date

FULL_ID = "11010519491231002X"
MASKED_ID = "110105********002X"
PHONE = "13912340987"  # not the factories' default, which the roster template's example row shows
# Everything that gives back the birth date the mask hides, in the forms the pages write it.
DERIVED = ("19491231", "1949-12-31", "1949年12月31日", "1949年12月", "76岁", "77岁",
           # retired the month after the 60th birthday: the date gives the birth month back
           "2010-01-01", "2010年1月1日", "2010年1月")
RETIRED = D(2010, 1, 1)
BAND = "70—79岁"


def _user(tree, kind):
    if kind == "liaison":
        return make_user("li", Role.LIAISON, organization=tree.a)
    if kind == "committee":
        return make_user("cm", Role.COMMITTEE_MEMBER, organization=tree.root)
    if kind == "zone_lead":
        return make_user("zl", Role.ZONE_LEAD, zone=tree.zone_a)
    if kind == "carer":
        user = make_user("carer")
        RoleAssignment.objects.create(user=user, role=Role.CARER)
        Pairing.objects.create(carer=user, retiree=tree.ra, started_on=D(2026, 1, 1), cadence_days=30)
        return user
    if kind == "member":
        user = make_user("self", Role.MEMBER)
        user.retiree = tree.ra
        user.save()
        return user
    raise ValueError(kind)


@pytest.fixture(autouse=True)
def _phone(tree):
    Retiree.objects.filter(pk=tree.ra.pk).update(phone=PHONE, retired_on=RETIRED)
    tree.ra.phone, tree.ra.retired_on = PHONE, RETIRED


NON_REVEALERS = ["liaison", "committee", "zone_lead", "carer", "member"]


def _text(response) -> str:
    """A response as text: HTML/JSON as they are, an xlsx as the cells of its data sheet (dates as ISO; the
    roster's guide sheets carry a made-up example born on the same day)."""
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        content = b"".join(response.streaming_content) if response.streaming else response.content
        wb = load_workbook(io.BytesIO(content), read_only=True)
        cells = []
        for ws in wb.worksheets[:1]:
            for row in ws.iter_rows(values_only=True):
                cells += [v.date().isoformat() if isinstance(v, dt.datetime) else
                          v.isoformat() if isinstance(v, dt.date) else str(v) for v in row if v is not None]
        return "\n".join(cells)
    return response.content.decode()


def _assert_hidden(text: str, where: str):
    for secret in (FULL_ID, PHONE, *DERIVED):
        assert secret not in text, f"{secret} in {where}"


def _urls(tree):
    pk = tree.ra.pk
    return [
        "/retirees/", f"/retirees/?q={tree.ra.name}", "/retirees/?sort=birth_date", "/retirees/?export=xlsx",
        f"/retirees/{pk}/", f"/retirees/{pk}/?print=1", f"/retirees/{pk}/edit/",
        reverse("core:history", args=[_ct(), pk]),
        "/roster/export.xlsx", "/api/v1/retirees/", f"/api/v1/retirees/{pk}/", "/api/v1/retirees/?ordering=birth_date",
        "/dashboards/records/?figure=care.retirees&org=T", "/dashboards/records/?figure=care.retirees&org=T&export=xlsx",
        "/stats/records/?org=T&figure=retirees", "/stats/records/?org=T&figure=retirees&export=xlsx",
        "/stats/records/?org=T&figure=retirees&dist=age&bucket=70-79",
        "/care/birthdays/?month=2026-12", "/care/birthdays/?month=2026-12&print=1", "/care/", "/care/mine/",
    ]


def _ct():
    from django.contrib.contenttypes.models import ContentType

    return ContentType.objects.get_for_model(Retiree).pk


@pytest.mark.parametrize("kind", NON_REVEALERS)
def test_a_role_that_may_not_reveal_finds_nothing_that_rebuilds_the_id(tree, client, kind):
    user = _user(tree, kind)
    # A change that puts the birth date into the history (a corrected ID number).
    tree.ra.id_number, tree.ra.birth_date = "110105194912300027", D(1949, 12, 30)
    tree.ra.save()
    tree.ra.id_number, tree.ra.birth_date = FULL_ID, D(1949, 12, 31)
    tree.ra.save()
    client.force_login(user)
    served = 0
    for url in _urls(tree):
        response = client.get(url)
        assert response.status_code in (200, 403, 404), (url, response.status_code)
        if response.status_code == 200:
            served += 1
            _assert_hidden(_text(response), f"{url} as {kind}")
    assert served >= 5, kind  # the sweep looked at real pages, not only refusals
    detail = client.get(f"/retirees/{tree.ra.pk}/").content.decode()
    assert MASKED_ID in detail and BAND in detail and "查看完整号码" not in detail and "（2010年）" in detail
    # the record's birthday still reaches the ledger, as a day without an age
    ledger = client.get("/care/birthdays/?month=2026-12")
    if ledger.status_code == 200:
        assert "12月31日" in ledger.content.decode()


@pytest.mark.parametrize("kind", NON_REVEALERS)
def test_the_api_gives_a_band_not_a_birth_date(tree, client, kind):
    client.force_login(_user(tree, kind))
    response = client.get(f"/api/v1/retirees/{tree.ra.pk}/")
    if response.status_code == 200:
        data = response.json()
        assert data["birth_date"] is None and data["age_band"] == BAND and data["id_number"] == MASKED_ID
        assert data["retired_on"] is None and data["retired_year"] == 2010


def test_exact_age_filter_and_birth_sort_are_gone_for_a_role_that_may_not_reveal(tree, client):
    other = person(tree.a, "李四", D(1950, 6, 1), seq=7)
    client.force_login(_user(tree, "liaison"))
    page = client.get("/retirees/", {"age_min": 76, "age_max": 76})
    assert "年龄不小于" not in page.content.decode() and "年龄段" in page.content.decode()
    # the exact filter is ignored, so it confirms nothing: both people are listed
    assert {r.pk for r in page.context["rows"]} >= {tree.ra.pk, other.pk}
    assert "sort=birth_date" not in page.content.decode()
    banded = client.get("/retirees/", {"age_band": "70"})
    assert {r.pk for r in banded.context["rows"]} >= {tree.ra.pk, other.pk}
    assert not client.get("/retirees/", {"age_band": "80"}).context["rows"]


def test_a_role_that_may_reveal_sees_the_birth_date_and_filters_by_age(tree, client, secretary_a):
    client.force_login(secretary_a)
    page = client.get("/retirees/", {"age_min": 76, "age_max": 76}).content.decode()
    assert "年龄不小于" in page and "1949年12月31日" in page and tree.ra.name in page
    detail = client.get(f"/retirees/{tree.ra.pk}/").content.decode()
    assert "1949年12月31日" in detail and "76岁" in detail and "查看完整号码" in detail
    assert FULL_ID not in detail and PHONE not in detail  # numbers stay masked until revealed
    data = client.get(f"/api/v1/retirees/{tree.ra.pk}/").json()
    assert data["birth_date"] == "1949-12-31" and data["id_number"] == MASKED_ID and data["retired_on"] == "2010-01-01"


def test_reveal_is_a_logged_post_for_roles_that_may(tree, client, secretary_a):
    client.force_login(secretary_a)
    url = reverse("members:retiree_reveal", args=[tree.ra.pk])
    assert client.get(url).status_code == 405 and not OperationLog.objects.filter(event="unmask").exists()
    response = client.post(url, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200 and FULL_ID in page and PHONE in page and 'hx-swap-oob="true"' in page
    entry = OperationLog.objects.get(event="unmask")
    assert entry.user == secretary_a and entry.data["retiree_id"] == tree.ra.pk
    assert entry.data["fields"] == ["id_number", "phone"] and tree.ra.name in entry.detail
    assert entry.org_path == tree.a.path and entry.time is not None
    # without htmx: the record page again, numbers shown
    assert FULL_ID in client.post(url).content.decode()
    assert OperationLog.objects.filter(event="unmask").count() == 2


def test_reveal_needs_a_csrf_token(tree, secretary_a):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(secretary_a)
    assert strict.post(reverse("members:retiree_reveal", args=[tree.ra.pk])).status_code == 403
    assert not OperationLog.objects.filter(event="unmask").exists()


@pytest.mark.parametrize("kind", NON_REVEALERS)
def test_reveal_is_refused_to_roles_that_may_not(tree, client, kind):
    client.force_login(_user(tree, kind))
    response = client.post(reverse("members:retiree_reveal", args=[tree.ra.pk]))
    assert response.status_code in (403, 404) and FULL_ID not in response.content.decode()
    response = client.post(reverse("members:retiree_reveal", args=[tree.ra.pk]), {"target": "form"})
    assert response.status_code in (403, 404) and FULL_ID not in response.content.decode()
    assert not OperationLog.objects.filter(event="unmask").exists()


def test_reveal_outside_the_scope_is_404(tree, client, secretary_a):
    client.force_login(secretary_a)
    assert client.post(reverse("members:retiree_reveal", args=[tree.rb.pk])).status_code == 404
    assert not OperationLog.objects.filter(event="unmask").exists()


def _form_data(form) -> dict:
    data = {}
    for name in form.fields:
        if name == "photo":
            continue
        value = form[name].value()
        if value is None or value is False:
            continue
        data[name] = "on" if value is True else getattr(value, "pk", value)
    return data


@pytest.mark.parametrize("who", ["secretary", "liaison"])
def test_edit_form_shows_masks_and_saving_them_keeps_the_real_values(tree, client, secretary_a, who):
    user = secretary_a if who == "secretary" else _user(tree, "liaison")
    Retiree.objects.filter(pk=tree.ra.pk).update(family_phone="13900005678", family_contact="张小")
    client.force_login(user)
    url = f"/retirees/{tree.ra.pk}/edit/"
    response = client.get(url)
    page = response.content.decode()
    assert MASKED_ID in page and "139****0987" in page and "139****5678" in page
    assert FULL_ID not in page and PHONE not in page and "13900005678" not in page
    assert 'name="birth_date"' not in page  # derived from the ID number, and would give it back
    assert ("查看完整号码" in page) == (who == "secretary")
    data = _form_data(response.context["form"])
    data["address"] = "新地址1号"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    ra = Retiree.objects.get(pk=tree.ra.pk)
    assert (ra.id_number, ra.phone, ra.family_phone, ra.address) == (FULL_ID, PHONE, "13900005678", "新地址1号")
    assert ra.birth_date == D(1949, 12, 31) and ra.retired_on == RETIRED
    assert ('name="retired_on"' in page) == (who == "secretary")
    data["row_version"] = ra.row_version  # the save above moved the record on a version (core.conflicts)
    # a partly edited mask is refused beside the field, and changes nothing
    response = client.post(url, {**data, "id_number": "110105****1231002X", "phone": "139****9999"})
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == [MASKED_EDITED]
    assert response.context["form"].errors["phone"] == [MASKED_EDITED]
    # a new value is validated as usual and saved
    bad = client.post(url, {**data, "id_number": "110105194912310021"})
    assert "校验位错误" in bad.context["form"].errors["id_number"][0]
    new_id = "11010519491231004X"[:17]
    from changqing.core.idcard import check_char

    new_id += check_char(new_id)
    assert client.post(url, {**data, "id_number": new_id, "gender": ""}).status_code == 302
    assert Retiree.objects.get(pk=tree.ra.pk).id_number == new_id


def test_edit_form_reveal_fills_the_fields_and_is_logged(tree, client, secretary_a):
    client.force_login(secretary_a)
    url = reverse("members:retiree_reveal", args=[tree.ra.pk])
    response = client.post(url, {"target": "form"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert f'value="{FULL_ID}"' in page and 'id="id_id_number"' in page and 'hx-swap-oob="true"' in page
    assert OperationLog.objects.get(event="unmask").data["from"] == "form"
    # without htmx the edit form comes back with the numbers, posting to the edit view
    response = client.post(url, {"target": "form"})
    page = response.content.decode()
    assert f'value="{FULL_ID}"' in page and f'action="/retirees/{tree.ra.pk}/edit/"' in page
    data = _form_data(response.context["form"])
    assert client.post(f"/retirees/{tree.ra.pk}/edit/", data).status_code == 302
    assert Retiree.objects.get(pk=tree.ra.pk).id_number == FULL_ID


def test_prints_and_exports_are_logged_with_their_row_counts(tree, client, secretary_a):
    person(tree.a, "李四", D(1950, 12, 5), seq=7)
    client.force_login(secretary_a)
    client.get(f"/retirees/{tree.ra.pk}/", {"print": "1"})
    entry = OperationLog.objects.get(event="export")
    assert entry.data["kind"] == "print" and entry.data["rows"] == 1 and tree.ra.name in entry.detail
    OperationLog.objects.all().delete()
    page = client.get("/care/birthdays/", {"month": "2026-12", "kind": "birthday", "print": "1"}).content.decode()
    assert "data-print-now" in page  # app.js opens the print dialog (no inline script under the CSP)
    entry = OperationLog.objects.get(event="export")
    assert entry.data["kind"] == "print" and entry.data["rows"] == 2
    OperationLog.objects.all().delete()
    client.get("/retirees/", {"export": "xlsx"})
    client.get("/roster/export.xlsx")
    rows = sorted(e.data["rows"] for e in OperationLog.objects.filter(event="export"))
    assert rows == [2, 2]
    # the page without ?print logs nothing
    OperationLog.objects.all().delete()
    client.get(f"/retirees/{tree.ra.pk}/")
    client.get("/care/birthdays/", {"month": "2026-12"})
    assert not OperationLog.objects.exists()


def test_a_liaison_may_print_what_they_see_and_it_is_logged(tree, client):
    client.force_login(_user(tree, "liaison"))  # no export right: printing their screen is still logged
    assert client.get("/care/birthdays/", {"month": "2026-12", "print": "1"}).status_code == 200
    assert OperationLog.objects.get(event="export").data["kind"] == "print"


@pytest.mark.parametrize("url", ["/retirees/", "/api/v1/retirees/", "/care/birthdays/?month=2026-12"])
def test_masked_pages_do_not_query_per_row(tree, client, django_assert_max_num_queries, url):
    client.force_login(_user(tree, "liaison"))
    for i in range(3):
        person(tree.a, f"测甲{i}", D(1950, 12, 1 + i), seq=100 + i)
    with django_assert_max_num_queries(30) as small:
        assert client.get(url).status_code == 200
    for i in range(20):
        person(tree.a, f"测乙{i}", D(1951, 12, 1 + i), seq=200 + i)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200


def test_reveal_rights_and_bands(tree, secretary_a):
    assert Reveal(secretary_a).everywhere and Reveal(secretary_a).may(tree.ra) and not Reveal(secretary_a).may(tree.rb)
    cm = _user(tree, "committee")
    assert not Reveal(cm).everywhere and not Reveal(cm).may(tree.ra)
    on = D(2026, 11, 24)
    assert age_band(D(1946, 11, 24), on) == "80—89岁" and age_band(D(1946, 11, 25), on) == "70—79岁"
    assert age_band(D(1936, 11, 24), on) == "90岁及以上"
    assert age_band(D(1970, 1, 1), on) == "60岁以下"


def test_form_messages_name_no_birth_date_or_age(tree, client):
    """A liaison corrects party dates: a refused date says why without giving the birth date back."""
    client.force_login(_user(tree, "liaison"))
    url = f"/retirees/{tree.ra.pk}/membership/edit/"
    for joined, why in (("1940-01-01", "早于出生日期"), ("1960-01-01", "不满18周岁")):
        response = client.post(url, {"joined_on": joined, "full_on": "1976-07-01"})
        message = response.context["form"].errors["joined_on"][0]
        assert why in message and "1949" not in message and "岁，" not in message
        _assert_hidden(response.content.decode(), url)


def test_the_birthday_ledger_says_why_ages_are_missing(tree, client, secretary_a):
    client.force_login(_user(tree, "committee"))
    page = client.get("/care/birthdays/?month=2026-12").content.decode()
    assert "不显示岁数和逢十大寿" in page and "12月31日" in page and "77岁生日" not in page
    client.force_login(secretary_a)
    page = client.get("/care/birthdays/?month=2026-12").content.decode()
    assert "不显示岁数" not in page and "77岁生日" in page


def test_only_a_role_that_may_reveal_sets_a_campaigns_age_rule(tree, client, bureau_admin):
    """An age rule with a chosen due day, asked again and again, would answer birth dates by bisection."""
    from changqing.care.models import Campaign

    form = {"name": "重阳慰问", "festival": "chongyang", "organization": tree.a.pk, "starts_on": "2026-10-01",
            "due_on": "2026-12-30", "include_lixiu": "on", "min_age": 76}
    client.force_login(_user(tree, "liaison"))
    page = client.get(reverse("care:campaign_create")).content.decode()
    assert 'name="min_age"' not in page
    client.post(reverse("care:campaign_create"), form)
    campaign = Campaign.objects.get()
    assert campaign.min_age is None and not campaign.targets.filter(retiree=tree.ra).exists()
    client.force_login(bureau_admin)
    assert 'name="min_age"' in client.get(reverse("care:campaign_create")).content.decode()
