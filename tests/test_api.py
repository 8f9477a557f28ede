"""REST API: session and token auth, the same scope as the pages, an offline schema and docs page."""
import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from changqing.accounts.apitoken import ApiToken, digest_of
from changqing.core.roles import Role
from changqing.core.models import OperationLog
from tests.factories import make_retiree, make_user


@pytest.fixture
def api():
    return APIClient()


def test_anonymous_is_refused(api, tree):
    assert api.get("/api/v1/retirees/").status_code in (401, 403)


def test_session_auth_sees_only_the_scope(api, tree, secretary_a):
    api.force_login(secretary_a)
    data = api.get("/api/v1/retirees/").json()
    assert data["count"] == 1 and data["results"][0]["name"] == "张宏伟"
    assert data["results"][0]["id_number"] == "110105********002X"  # masked in the API too
    assert api.get(f"/api/v1/retirees/{tree.rb.pk}/").status_code == 404
    assert [o["code"] for o in api.get("/api/v1/organizations/").json()["results"]] == ["T-A"]
    assert api.get(f"/api/v1/organizations/{tree.b.code}/").status_code == 404


def test_session_writes_need_csrf(tree, secretary_a):
    api = APIClient(enforce_csrf_checks=True)
    api.force_login(secretary_a)
    assert api.post("/api/v1/retirees/", {}, format="json").status_code in (403, 405)


def test_token_is_obtained_with_username_and_password_and_then_authenticates(api, tree, secretary_a):
    response = api.post("/api/v1/auth/token/", {"username": "sec_a", "password": "pw-for-tests-1"}, format="json")
    assert response.status_code == 200
    key = response.json()["token"]
    # Only the digest is stored: the key itself is nowhere in the table.
    token = ApiToken.objects.get(user=secretary_a)
    assert token.digest == digest_of(key) and key not in {token.digest, token.prefix, token.name}
    assert OperationLog.objects.filter(event=OperationLog.Event.LOGIN, username="sec_a",
                                       detail__contains="令牌").exists()
    bearer = APIClient()
    bearer.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    data = bearer.get("/api/v1/retirees/").json()
    assert [r["name"] for r in data["results"]] == ["张宏伟"]
    assert bearer.get(f"/api/v1/retirees/{tree.rb.pk}/").status_code == 404


def test_wrong_password_gets_no_token_and_is_logged(api, tree, secretary_a):
    response = api.post("/api/v1/auth/token/", {"username": "sec_a", "password": "nope"}, format="json")
    assert response.status_code == 400 and "token" not in response.json()
    assert not ApiToken.objects.exists()
    assert OperationLog.objects.filter(event=OperationLog.Event.LOGIN_FAILED, username="sec_a").exists()
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = bad.get("/api/v1/retirees/")
    assert response.status_code == 401 and "令牌无效" in response.json()["detail"]


def test_token_page_makes_shows_once_and_revokes_the_users_own_tokens(client, tree, secretary_a):
    client.force_login(secretary_a)
    page = client.get("/accounts/token/").content.decode()
    assert "您还没有令牌" in page and not ApiToken.objects.exists()
    client.post("/accounts/token/", {"action": "create", "name": "统计系统"})
    shown = client.get("/accounts/token/").content.decode()
    first = re.search(r'id="api-token"[^>]*>([^<]+)<', shown).group(1)
    assert ApiToken.objects.get(user=secretary_a).digest == digest_of(first)
    assert first not in client.get("/accounts/token/").content.decode()  # shown once only
    client.post("/accounts/token/", {"action": "create", "name": "档案系统"})
    assert ApiToken.objects.filter(user=secretary_a).count() == 2  # several at once
    old = APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Token {first}")
    assert old.get("/api/v1/retirees/").status_code == 200
    client.post("/accounts/token/", {"action": "revoke", "token": ApiToken.objects.get(name="统计系统").pk})
    assert list(ApiToken.objects.values_list("name", flat=True)) == ["档案系统"]
    assert old.get("/api/v1/retirees/").status_code == 401


def test_schema_and_docs_load_without_any_external_url(client, tree, secretary_a):
    client.force_login(secretary_a)
    schema = client.get("/api/schema/")
    assert schema.status_code == 200
    body = schema.content.decode()
    assert "openapi: 3" in body and "/api/v1/retirees/" in body and "/api/v1/auth/token/" in body
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert sources, html
    external = [s for s in sources if re.match(r"(https?:)?//", s)]
    assert not external, external
    assert not re.search(r"https?://(?!testserver)", html), "the docs page names another host"
    for src in sources:
        if src.startswith("/static/"):
            assert client.get(src).status_code == 200, src


def _api_queries(api, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_api_lists_queries_do_not_grow(api, tree):
    from changqing.core.idcard import check_char
    from changqing.orgs.models import Organization, OrgKind

    root_admin = make_user("root_admin", Role.BUREAU_ADMIN, organization=tree.root)
    api.force_login(root_admin)
    urls = ["/api/v1/retirees/", "/api/v1/organizations/", "/api/v1/zones/"]

    def add(start, stop):
        for i in range(start, stop):
            org = Organization.objects.create(code=f"T-X{i}", name=f"新支部{i}", kind=OrgKind.BRANCH,
                                              parent=tree.root, zone=tree.zone_a)
            body = f"32010219500101{i:03d}"
            make_retiree(org, f"某{i}", body + check_char(body), member=i % 2 == 0)

    add(0, 2)
    small = {url: _api_queries(api, url) for url in urls}
    add(2, 30)
    assert {url: _api_queries(api, url) for url in urls} == small


def test_write_viewset_refuses_records_outside_the_change_scope(tree, secretary_a):
    """ScopedModelViewSet: a secretary cannot create a record in another branch, nor move one there."""
    from rest_framework import serializers
    from rest_framework.test import APIRequestFactory, force_authenticate

    from changqing.api.base import ScopedModelViewSet
    from changqing.members.models import Absence

    class AbsenceSerializer(serializers.ModelSerializer):
        class Meta:
            model = Absence
            fields = ["id", "retiree", "start_on", "place"]

    class AbsenceViewSet(ScopedModelViewSet):
        queryset = Absence.objects.all()
        serializer_class = AbsenceSerializer

    factory = APIRequestFactory()

    def call(method, action, data=None, **kwargs):
        request = getattr(factory, method)("/x/", data, format="json")
        force_authenticate(request, user=secretary_a)
        return AbsenceViewSet.as_view({method: action})(request, **kwargs)

    assert call("post", "create", {"retiree": tree.ra.pk, "start_on": "2026-11-01", "place": "三亚"}).status_code == 201
    response = call("post", "create", {"retiree": tree.rb.pk, "start_on": "2026-11-01", "place": "三亚"})
    assert response.status_code == 403 and not Absence.objects.filter(retiree=tree.rb).exists()
    own = Absence.objects.get(retiree=tree.ra)
    response = call("patch", "partial_update", {"retiree": tree.rb.pk}, pk=own.pk)
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.retiree == tree.ra
    other = Absence.objects.create(retiree=tree.rb, start_on=dt.date(2026, 11, 1), place="北海")
    assert call("patch", "partial_update", {"place": "改"}, pk=other.pk).status_code == 404
    assert call("delete", "destroy", pk=other.pk).status_code == 404
    assert Absence.objects.filter(pk=other.pk, place="北海").exists()
