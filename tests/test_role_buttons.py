"""Buttons a role cannot use are not shown (issue 15, browser hardening).

For each demo login of the county demo, open the home page and every page of the user's menu,
collect every link on them (<a href>, and the action of every GET form), follow each one and fail
on a 403: a link that leads to 「无权进行此操作」 should not have been shown to that role
(a plain member sees no 收缴登记 button). A 500 fails too.

Kept fast: links are deduplicated by view and query-string keys (one record per kind of page),
and each role follows at most MAX_LINKS.
"""
from __future__ import annotations

from html.parser import HTMLParser
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from django.test import Client
from django.urls import Resolver404, resolve

from changqing.accounts.models import User
from changqing.core import nav

ROLES = ["admin", "shuji", "gongwei", "pianzu", "lianluo", "zhuanyuan", "dangyuan", "zhanzhang", "zhidaoyuan"]
MAX_LINKS = 400
# Links that act on the session rather than show a page.
SKIP_VIEWS = {"accounts:logout", "accounts:large_text"}


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links: list[tuple[str, str]] = []  # (href, text of the link or form)
        self._a: list | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self._a = [a["href"], ""]
        elif tag == "form" and (a.get("method") or "get").lower() == "get" and a.get("action"):
            self.links.append((a["action"], "表单"))

    def handle_data(self, data):
        if self._a is not None:
            self._a[1] += data

    def handle_endtag(self, tag):
        if tag == "a" and self._a is not None:
            self.links.append((self._a[0], " ".join(self._a[1].split())[:30]))
            self._a = None


def links_of(html: str) -> list[tuple[str, str]]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def _key(url: str):
    """One URL per view, kind of record and set of query keys: enough to know whether the role may open it."""
    parts = urlsplit(url)
    try:
        match = resolve(parts.path)
    except Resolver404:
        return None
    if match.view_name in SKIP_VIEWS:
        return None
    return (match.view_name, tuple(sorted(k for k, _ in parse_qsl(parts.query)))), match


def _internal(href: str, page: str) -> str | None:
    href = urldefrag(href)[0]
    if not href:
        return None
    if href.startswith("?"):
        href = urlsplit(page).path + href
    if not href.startswith("/") or href.startswith("//") or href.startswith(("/static/", "/media/")):
        return None
    return href


@pytest.fixture(scope="module")
def demo_users(county_demo, django_db_blocker):
    county_demo.ensure()
    with django_db_blocker.unblock():
        yield {u.username: u for u in User.objects.filter(username__in=ROLES)}


@pytest.mark.parametrize("username", ROLES)
def test_no_link_leads_to_403(username, demo_users, db):
    user = demo_users[username]
    client = Client(raise_request_exception=False)
    client.force_login(user)
    starts = ["/"] + [item["url"] for item in nav.items_for(user)]
    assert len(starts) > 1, f"{username} 的菜单是空的"
    seen, queue, failures = set(), [], []
    for page in starts:
        response = client.get(page, follow=True)  # a menu entry may lead on (/life/ → the user's branch)
        if response.redirect_chain:
            page = response.redirect_chain[-1][0]
        if response.status_code != 200:
            failures.append(f"{username}：菜单页 {page} 答复 HTTP {response.status_code}")
            continue
        for href, text in links_of(response.content.decode()):
            url = _internal(href, page)
            key = url and _key(url)
            if not key or key[0] in seen:
                continue
            seen.add(key[0])
            queue.append((url, text, page))
    assert len(queue) <= MAX_LINKS, f"{username}：链接 {len(queue)} 个，超过上限 {MAX_LINKS}，请收紧去重"
    for url, text, page in queue:
        status = client.get(url).status_code
        if status == 403 or status >= 500:
            failures.append(f"{username}：{page} 上的「{text}」→ {url} 答复 HTTP {status}")
    print(f"\n{username}：菜单页 {len(starts)} 个，跟随链接 {len(queue)} 个")
    assert len(queue) >= 5
    assert not failures, "角色用不了的按钮不应显示：\n" + "\n".join(failures)


def test_a_member_sees_no_collection_sheet_button(demo_users, db):
    """The example of the issue: 党员 sees no 收缴登记 button (it would lead to 无权进行此操作)."""
    client = Client(raise_request_exception=False)
    client.force_login(demo_users["dangyuan"])
    assert client.get("/dues/sheet/").status_code == 403
    for url in ["/"] + [item["url"] for item in nav.items_for(demo_users["dangyuan"])]:
        html = client.get(url, follow=True).content.decode()
        assert "收缴登记" not in html and "/dues/sheet/" not in html, url


def test_view_only_roles_see_no_visit_button(demo_users, db):
    """A committee member reads the care pages but records no visit: no 记录走访 / 记录慰问."""
    client = Client(raise_request_exception=False)
    client.force_login(demo_users["gongwei"])
    assert client.get("/care/visits/new/").status_code == 403
    for url in ["/care/", "/care/birthdays/"]:
        html = client.get(url).content.decode()
        assert "/care/visits/new/" not in html, url
    client.force_login(demo_users["shuji"])
    assert "/care/visits/new/" in client.get("/care/").content.decode()  # control: who may, sees it
