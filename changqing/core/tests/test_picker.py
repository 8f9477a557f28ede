"""The one person picker (members/picker.py): pinyin order, the concerned first, pre-filled, works without JS."""
import datetime as dt

import pytest
from django import forms
from django.urls import reverse

from changqing.accounts.models import RoleAssignment
from changqing.care.forms import VisitForm
from changqing.care.models import Pairing
from changqing.members.picker import ALL_LABEL, CONCERNED_LABEL, PersonPicker, person_picker
from changqing.core.roles import Role
from changqing.members.models import Retiree
from conftest import TEST_TODAY
from tests.factories import make_retiree, make_user

pytestmark = pytest.mark.today


@pytest.fixture
def people(tree):
    # Code-point order would be 丁 < 安 < 王 < 陈; pinyin order is an(安) < chen(陈) < ding(丁) < wang(王).
    return {n: make_retiree(tree.a, n) for n in ("王小明", "丁一", "陈建国", "安然")}


def _options(html):
    import re

    return re.findall(r'<option value="(\d+)"[^>]*>([^<（]+)', html)


def test_options_sorted_by_pinyin_with_pinyin_and_initials(tree, people):
    class F(forms.Form):
        who = forms.ModelChoiceField(Retiree.objects.filter(organization=tree.a))

    form = F()
    person_picker(form.fields["who"])
    html = str(form["who"])
    names = [n for _, n in _options(html)]
    assert names[:4] == ["安然", "陈建国", "丁一", "王小明"]
    assert 'data-picker="1"' in html and 'data-pinyin="chenjianguo"' in html and 'data-initials="cjg"' in html
    assert "<select" in html  # a plain select: usable without JavaScript
    assert PersonPicker().media._js == ["js/picker.js"]


def test_concerned_people_come_first_in_their_own_group(tree, people):
    class F(forms.Form):
        who = forms.ModelChoiceField(Retiree.objects.filter(organization=tree.a))

    form = F()
    person_picker(form.fields["who"], concerned=[people["王小明"].pk, people["丁一"].pk])
    html = str(form["who"])
    assert html.index(f'<optgroup label="{CONCERNED_LABEL}">') < html.index(f'<optgroup label="{ALL_LABEL}">')
    names = [n for _, n in _options(html)]
    assert names[:2] == ["丁一", "王小明"]  # the concerned, in pinyin order
    assert names[2:4] == ["安然", "陈建国"]
    assert html.count('data-concerned="1"') == 2


def test_visit_form_puts_overdue_pairs_first_and_prefills_from_query(tree, people, client):
    carer = make_user("carer_p")
    RoleAssignment.objects.create(user=carer, role=Role.CARER)
    overdue = people["王小明"]
    Pairing.objects.create(carer=carer, retiree=overdue, started_on=TEST_TODAY - dt.timedelta(days=90),
                           cadence_days=30)
    sec = make_user("sec_p", Role.BRANCH_SECRETARY, organization=tree.a)
    form = VisitForm(user=sec)
    html = str(form["retiree"])
    first_group = html[html.index(CONCERNED_LABEL):html.index(ALL_LABEL)]
    assert overdue.name in first_group and people["安然"].name not in first_group
    client.force_login(sec)
    page = client.get(reverse("care:visit_create") + f"?retiree={people['丁一'].pk}").content.decode()
    assert "selected" in page.split(f'<option value="{people["丁一"].pk}"')[1].split(">")[0]
    assert "js/picker.js" in page


def test_study_form_puts_immobile_members_first_and_prefills(tree, people, client):
    from changqing.members.models import Membership

    Retiree.objects.filter(pk=people["王小明"].pk).update(mobility_impaired=True)
    sec = make_user("sec_s", Role.BRANCH_SECRETARY, organization=tree.a)
    client.force_login(sec)
    mid = Membership.objects.get(retiree=people["陈建国"]).pk
    page = client.get(reverse("life:study_create") + f"?membership={mid}").content.decode()
    first_group = page[page.index(CONCERNED_LABEL):page.index(ALL_LABEL)]
    assert "王小明" in first_group and "陈建国" not in first_group
    assert "selected" in page.split(f'<option value="{mid}"')[1].split(">")[0]
    assert f'name="deliverer" value="{sec.display_name}"' in page  # whoever records the delivery went
    # Bad pre-fill values are ignored, never an error.
    assert client.get(reverse("life:study_create") + "?membership=abc&retiree=-1&date=x").status_code == 200


def test_users_sorted_by_the_pinyin_of_their_names(tree):
    from changqing.accounts.models import User

    for username, full in (("u1", "王芳"), ("u2", "艾青"), ("u3", "陈立")):
        make_user(username).__class__.objects.filter(username=username).update(full_name=full)

    class F(forms.Form):
        who = forms.ModelChoiceField(User.objects.filter(username__in=["u1", "u2", "u3"]))

    form = F()
    person_picker(form.fields["who"])
    html = str(form["who"])
    assert html.index("艾青") < html.index("陈立") < html.index("王芳")
    assert 'data-initials="wf"' in html
    bound = F({"who": User.objects.get(username="u3").pk})
    person_picker(bound.fields["who"])
    assert bound.is_valid() and bound.cleaned_data["who"].username == "u3"
