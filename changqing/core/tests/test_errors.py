"""The Chinese error pages (changqing/core/errors.py) in production mode: DEBUG off, exceptions not re-raised."""
import re

import pytest
from django.test import Client, override_settings

from tests.factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls("changqing.core.tests.error_urls")]

ENGLISH_DEFAULTS = ["Server Error", "Not Found", "Forbidden", "Bad Request", "Traceback", "CSRF verification failed",
                    "secret internal detail", "No Retiree matches", "Invalid HTTP_HOST", "You do not have permission"]


@pytest.fixture
def prod():
    with override_settings(DEBUG=False):
        yield


@pytest.fixture
def anon(prod):
    return Client(raise_request_exception=False)


@pytest.fixture
def member(prod, tree):
    from changqing.core.roles import Role

    user = make_user("errors-member", Role.MEMBER, organization=tree.a)
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client, user


def _page(response, status, heading):
    assert response.status_code == status
    html = response.content.decode()
    assert "<!DOCTYPE html>" in html and '<html lang="zh-Hans"' in html
    assert heading in html
    assert re.search(r'<a class="btn btn-big" href="/" id="error-home">返回首页</a>', html)
    assert 'class="topbar"' in html and "常青" in html  # the site's layout (base.html)
    for english in ENGLISH_DEFAULTS:
        assert english not in html, english
    return html


def test_404_for_an_unknown_address(anon):
    html = _page(anon.get("/no-such-page/"), 404, "找不到这个页面")
    assert "要找的记录不存在，或不在您的数据范围内" in html


def test_404_hides_djangos_english_message(anon):
    html = _page(anon.get("/test-errors/missing/"), 404, "找不到这个页面")
    assert "要找的记录不存在" in html


def test_403_shows_the_reason(anon):
    html = _page(anon.get("/test-errors/denied/"), 403, "无权进行此操作")
    assert "您没有导出权限" in html


def test_403_without_a_chinese_reason_shows_the_default(anon):
    html = _page(anon.get("/test-errors/denied-english/"), 403, "无权进行此操作")
    assert "您的角色无权查看此页面或进行此操作" in html


@pytest.mark.parametrize("url", ["/test-errors/bad/", "/test-errors/suspicious/"])
def test_400(anon, url):
    html = _page(anon.get(url), 400, "请求有误")
    assert "系统没有做任何改动" in html


def test_500_has_no_stack_trace(anon):
    html = _page(anon.get("/test-errors/boom/"), 500, "系统暂时出错")
    assert "RuntimeError" not in html
    assert 'id="large-text-toggle"' not in html  # its form would need the CSRF token of the request context


def test_500_renders_when_the_request_context_is_broken(anon):
    """A context processor that fails (the database is gone, a bug) fails the page and must not fail the 500 page."""
    with override_settings(TEMPLATES=_templates_with("changqing.core.tests.test_errors.broken_processor")):
        response = anon.get("/accounts/login/")
    html = _page(response, 500, "系统暂时出错")
    assert "context processor down" not in html


def broken_processor(request):
    raise RuntimeError("context processor down")


def _templates_with(processor):
    from django.conf import settings

    templates = [dict(t, OPTIONS=dict(t["OPTIONS"])) for t in settings.TEMPLATES]
    templates[0]["OPTIONS"]["context_processors"] = [*templates[0]["OPTIONS"]["context_processors"], processor]
    return templates


def test_500_falls_back_to_a_fixed_page_when_the_layout_cannot_render(anon, monkeypatch):
    from changqing.core import errors

    def no_template(*args, **kwargs):
        raise RuntimeError("template loader down")

    monkeypatch.setattr(errors.loader, "get_template", no_template)
    response = anon.get("/test-errors/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "系统暂时出错" in html and "返回首页" in html and "template loader down" not in html


def test_csrf_failure(prod):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    html = _page(client.post("/test-errors/form/", {"a": "1"}), 403, "页面已过期")
    assert "Cookie" in html  # no CSRF cookie: the reason, in Chinese


def test_csrf_failure_with_a_stale_token(prod):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.get("/accounts/login/")  # sets the CSRF cookie
    html = _page(client.post("/test-errors/form/", {"csrfmiddlewaretoken": "x" * 64}), 403, "页面已过期")
    assert "刷新后重新提交" in html


def test_error_pages_in_large_text(anon):
    anon.cookies["large_text"] = "1"
    for url, status in [("/no-such-page/", 404), ("/test-errors/denied/", 403), ("/test-errors/bad/", 400),
                        ("/test-errors/boom/", 500)]:
        response = anon.get(url)
        assert response.status_code == status
        assert '<html lang="zh-Hans" class="large-text">' in response.content.decode(), url


def test_error_pages_signed_in_show_the_menu_and_large_text(member):
    client, user = member
    user.large_text = True
    user.save(update_fields=["large_text"])
    html = _page(client.get("/test-errors/denied/"), 403, "无权进行此操作")
    assert 'class="large-text"' in html and user.display_name in html
    html = _page(client.get("/test-errors/boom/"), 500, "系统暂时出错")
    assert 'class="large-text"' in html  # read from the account, without the context processors


def test_error_pages_carry_the_csp_header(anon):
    for url in ["/no-such-page/", "/test-errors/denied/", "/test-errors/bad/", "/test-errors/boom/"]:
        csp = anon.get(url)["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
