"""Every page is reachable from the menu (issue 18).

For each demo login, every named URL without arguments that answers 200 for that role must be linked from the
role's menu, or from pages linked from it (up to three clicks). Pages reached only from a record, a form or a
special place are listed in ALLOWED below, each with the reason.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, Resolver404, get_resolver, resolve, reverse

from changqing.accounts.models import User
from changqing.core import nav

from .test_role_buttons import ROLES, _internal, links_of

# Namespaces that are not pages of the site's menu.
SKIP_NAMESPACES = {"api", "admin", "djdt"}
# Pages that are fine without a menu link, with the reason.
ALLOWED = {
    "accounts:login": "the login page itself",
    "accounts:logout": "a POST button in the top bar",
    "accounts:large_text": "the 大字模式 button in the top bar (POST)",
    "accounts:password_reset": "from the login page",
    "api-schema": "machine-readable API schema (the API docs page uses it)",
    "api-docs": "linked from the API token page (account menu)",
    "dashboards:screen": "the 大屏 wall display, opened from the dashboards page's own button",
    "accounts:session_status": "JSON for the idle warning (static/js/idle.js), not a page",
    "core:healthz": "the load balancer's health check, not a page",
    "core:read_aloud_me": "audio of the member's own page, fetched by the 朗读 button (static/js/read-aloud.js)",
}


def _names(resolver=None, prefix=""):
    """(view name, pattern) of every named URL pattern that takes no arguments."""
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = p.namespace
            if ns in SKIP_NAMESPACES:
                continue
            yield from _names(p, f"{prefix}{ns}:" if ns else prefix)
        elif isinstance(p, URLPattern) and p.name and not p.pattern.regex.groups:
            yield prefix + p.name


def _view(url: str) -> str | None:
    try:
        return resolve(urlsplit(url).path).view_name
    except Resolver404:
        return None


@pytest.fixture(scope="module")
def demo_users(county_demo, django_db_blocker):
    county_demo.ensure()
    with django_db_blocker.unblock():
        yield {u.username: u for u in User.objects.filter(username__in=ROLES)}


def _linked(client, url):
    response = client.get(url, follow=True)
    if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
        return url, []
    page = response.redirect_chain[-1][0] if response.redirect_chain else url
    return page, [u for u in (_internal(h, page) for h, _ in links_of(response.content.decode())) if u]


def _reached(client, user, seen: set[str], depth: int = 3) -> set[str]:
    """View names linked from the user's home page and menu, and onwards up to `depth` clicks.

    A view already opened (for this or an earlier role: `seen`) is not opened again: the check is over
    all roles together, and this keeps it to about one request per page.
    """
    level = ["/"] + [i["url"] for i in nav.items_for(user)]
    reached = set(filter(None, map(_view, level)))
    for _ in range(depth):
        following = []
        for url in level:
            for link in _linked(client, url)[1]:
                name = _view(link)
                if name and name not in reached:
                    reached.add(name)
                    if name not in seen and "export" not in link:
                        seen.add(name)
                        following.append(link)
        level = following
    return reached


def test_every_page_a_role_can_open_is_in_reach_of_a_menu(demo_users, db):
    """A page some demo role opens (HTTP 200) is within three clicks of the menu of a role that opens it.

    Pages answer 200 with an empty list for roles they are not meant for, so the check is over all the
    demo roles together: a page nobody reaches from a menu (the 月通报 before issue 18) fails.
    """
    clients, reached, seen = {}, {}, set()
    for username in ROLES:
        clients[username] = Client(raise_request_exception=False)
        clients[username].force_login(demo_users[username])
        reached[username] = _reached(clients[username], demo_users[username], seen)
    everywhere = set().union(*reached.values())
    assert "life:bulletins" in everywhere
    missing = []
    for name in sorted(set(_names())):
        if name in everywhere or name in ALLOWED:
            continue
        url = reverse(name)
        if url.startswith("/api/"):
            continue
        opens = [u for u, c in clients.items() if c.get(url).status_code == 200]
        if opens:
            missing.append(f"{name}（{url}）：{'、'.join(opens)} 能打开")
    assert not missing, "能打开、但从菜单三步之内找不到的页面：\n" + "\n".join(missing)
