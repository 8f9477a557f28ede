"""The generic object views (core/object_views.py): scope first, the service's errors beside the fields, atomic."""
import datetime as dt

import pytest
from django import forms
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import ValidationError
from django.http import Http404
from django.test import RequestFactory
from django.urls import reverse

from changqing.core.object_views import ObjectActionView, ObjectFormView
from changqing.core.roles import Role
from changqing.orgs import services
from changqing.orgs.models import Liaison, Organization, Zone

from conftest import make_user


class RenameForm(forms.Form):
    name = forms.CharField(label="名称")


class ZoneRenameView(ObjectFormView):
    """Writes, then the 'service' refuses: the write must be rolled back and the error shown beside `name`."""

    model = Zone
    form_class = RenameForm
    title = "改名"
    success_message = "已改名"

    def perform(self, form):
        Zone.objects.filter(pk=self.object.pk).update(name=form.cleaned_data["name"])
        if form.cleaned_data["name"] == "重名":
            raise ValidationError({"name": "已有同名片组", "__all__": "请检查"})
        return reverse("orgs:zones")


def _request(method, user, data=None):
    request = getattr(RequestFactory(), method)("/x/", data or {})
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return request


def test_form_view_puts_the_service_error_beside_the_field_and_writes_nothing(tree, bureau_admin):
    response = ZoneRenameView.as_view()(_request("post", bureau_admin, {"name": "重名"}), pk=tree.zone_a.pk)
    assert response.status_code == 200
    page = response.content.decode()
    assert "已有同名片组" in page.split('id="id_name_errors"')[1].split("</ul>")[0]
    assert "请检查" in page
    assert Zone.objects.get(pk=tree.zone_a.pk).name == "甲片组"


def test_form_view_saves_through_the_service_then_redirects_with_the_message(tree, bureau_admin):
    request = _request("post", bureau_admin, {"name": "甲片组（新）"})
    response = ZoneRenameView.as_view()(request, pk=tree.zone_a.pk)
    assert response.status_code == 302 and response["Location"] == reverse("orgs:zones")
    assert Zone.objects.get(pk=tree.zone_a.pk).name == "甲片组（新）"
    assert [str(m) for m in get_messages(request)] == ["已改名"]


def test_form_view_refuses_a_record_out_of_scope_before_reading_the_form(tree, secretary_a):
    with pytest.raises(Http404):
        ZoneRenameView.as_view()(_request("post", secretary_a, {"name": "乙"}), pk=tree.zone_b.pk)
    assert Zone.objects.get(pk=tree.zone_b.pk).name == "乙片组"


def test_form_view_sends_an_anonymous_user_to_log_in(tree):
    from django.contrib.auth.models import AnonymousUser

    response = ZoneRenameView.as_view()(_request("get", AnonymousUser()), pk=tree.zone_a.pk)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_action_view_acts_only_on_post_and_reports_service_errors_as_a_message(tree, bureau_admin, client):
    liaison = services.liaison_assign(organization=tree.a, name="王在职", unit="县委办", phone="13900001111",
                                      start_on=dt.date(2026, 1, 1))
    url = reverse("orgs:liaison_end", args=[liaison.pk])
    client.force_login(bureau_admin)
    assert client.get(url).status_code == 302
    assert Liaison.objects.get(pk=liaison.pk).end_on is None  # a GET does nothing

    class Refuse(ObjectActionView):
        model = Liaison
        action = "manage"

        def perform(self):
            raise ValidationError("不能卸任")

    request = _request("post", bureau_admin)
    response = Refuse.as_view()(request, pk=liaison.pk)
    assert response.status_code == 302 and [str(m) for m in get_messages(request)] == ["不能卸任"]

    response = client.post(url, follow=True)
    assert Liaison.objects.get(pk=liaison.pk).end_on is not None
    assert "王在职已卸任联络员" in response.content.decode()


def test_action_view_refuses_another_branch_secretary(tree, client):
    liaison = services.liaison_assign(organization=tree.b, name="李在职", unit="县委办", phone="13900001111",
                                      start_on=dt.date(2026, 1, 1))
    client.force_login(make_user("sec_a_manage", Role.BUREAU_ADMIN, organization=Organization.objects.get(code="T-A")))
    assert client.post(reverse("orgs:liaison_end", args=[liaison.pk])).status_code == 404
    assert Liaison.objects.get(pk=liaison.pk).end_on is None
