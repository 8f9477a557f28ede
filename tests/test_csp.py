"""The Content-Security-Policy (issue 15, browser hardening).

* Every template is free of inline script: no <script> element with code (a script is a static
  file; data goes in data-* attributes or json_script), no on*= event-handler attribute, no
  hx-on, no javascript: URL, and no <style> element (styles are static files too).
* Every page of the urlconf (the pages the scope sweep visits: those without kwargs, and those of
  one record each, as the county's bureau admin) answers with the policy, whatever the status, and
  no HTML page it serves carries inline script either (catching script written by Python code).
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from changqing.accounts.models import User
from changqing.core.scope import restrict
from tests.test_scope_sweep import FORMAT_KWARGS, build_url, field_value, target_of, walk

ROOT = Path(settings.BASE_DIR) / "changqing"

SCRIPT_TAG = re.compile(r"<script\b([^>]*)>(.*?)</script\s*>", re.S | re.I)
# The event-handler attributes of HTML (and htmx's hx-on): each is inline script.
EVENTS = (
    "abort|afterprint|animationend|animationiteration|animationstart|auxclick|beforeinput|beforeprint|beforeunload|"
    "blur|cancel|canplay|canplaythrough|change|click|close|contextmenu|copy|cuechange|cut|dblclick|drag|dragend|"
    "dragenter|dragleave|dragover|dragstart|drop|durationchange|emptied|ended|error|focus|focusin|focusout|"
    "formdata|hashchange|input|invalid|keydown|keypress|keyup|languagechange|load|loadeddata|loadedmetadata|"
    "loadstart|message|mousedown|mouseenter|mouseleave|mousemove|mouseout|mouseover|mouseup|offline|online|"
    "pagehide|pageshow|paste|pause|play|playing|pointercancel|pointerdown|pointerenter|pointerleave|pointermove|"
    "pointerout|pointerover|pointerup|popstate|progress|ratechange|reset|resize|scroll|scrollend|search|seeked|"
    "seeking|select|show|stalled|storage|submit|suspend|timeupdate|toggle|touchcancel|touchend|touchmove|"
    "touchstart|transitionend|unload|volumechange|waiting|wheel"
)
EVENT_ATTR = re.compile(r"<[a-zA-Z][^>]*?\s(on(?:" + EVENTS + r")|hx-on[:\w-]*)\s*=", re.S | re.I)
TEMPLATE_COMMENT = re.compile(r"\{#.*?#\}|\{%\s*comment\s*%\}.*?\{%\s*endcomment\s*%\}", re.S)
JS_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)
STYLE_TAG = re.compile(r"<style\b", re.I)
DATA_SCRIPT = re.compile(r"""type\s*=\s*["']?application/(?:ld\+)?json""", re.I)


def inline_script_problems(html: str) -> list[str]:
    problems = []
    for attrs, body in SCRIPT_TAG.findall(html):
        if body.strip() and not DATA_SCRIPT.search(attrs):
            problems.append(f"内联脚本 <script{attrs}>{body.strip()[:60]}…")
    problems += [f"事件属性 {m.group(1)}=" for m in EVENT_ATTR.finditer(html)]
    problems += ["javascript: 链接" for _ in JS_URL.finditer(html)]
    return problems


def _templates():
    return sorted(p for p in ROOT.rglob("*.html") if "templates" in p.parts)


def test_the_policy_allows_no_inline_script():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]
    for name in ("script-src", "default-src"):
        assert "'unsafe-inline'" not in directives[name] and "'unsafe-eval'" not in directives[name]
    assert "script-src-attr" not in directives and "script-src-elem" not in directives
    assert directives["object-src"] == ["'none'"] and directives["frame-ancestors"] == ["'none'"]


def test_the_lint_catches_inline_script():
    assert inline_script_problems('<script>alert(1)</script>')
    assert inline_script_problems('<button onclick="go()">x</button>')
    assert inline_script_problems('<body\n  onload=go()>')
    assert inline_script_problems('<div hx-on:click="go()">')
    assert inline_script_problems('<a href="javascript:go()">')
    assert not inline_script_problems('<script src="/static/js/app.js" defer></script>')
    assert not inline_script_problems('<script id="d" type="application/json">{"a": 1}</script>')
    assert not inline_script_problems('<p>onion=3 个</p><input name="online"><select id="only" name="only">')


def test_templates_have_no_inline_script_or_style():
    templates = _templates()
    assert len(templates) > 100
    problems = []
    for path in templates:
        text = TEMPLATE_COMMENT.sub("", path.read_text(encoding="utf-8"))
        rel = path.relative_to(ROOT)
        problems += [f"{rel}: {p}" for p in inline_script_problems(text)]
        if STYLE_TAG.search(text):
            problems.append(f"{rel}: <style> 元素（样式请放进静态 CSS 文件）")
    assert not problems, "内容安全策略不允许内联脚本：移到静态 JS 文件，数据用 data-* 或 json_script 传递。\n" + "\n".join(problems)


def _policy_ok(response) -> str | None:
    csp = response.get("Content-Security-Policy")
    if not csp:
        return "没有 Content-Security-Policy 头"
    script = next((d for d in csp.split(";") if d.strip().startswith("script-src ")), "")
    if "'self'" not in script or "unsafe" in script:
        return f"script-src 不对：{script!r}"
    return None


@pytest.fixture(scope="module")
def admin_client(county_demo, django_db_blocker):
    county_demo.ensure()
    with django_db_blocker.unblock():
        client = Client(raise_request_exception=False)
        client.force_login(User.objects.get(username="admin"))
        yield client


def test_every_page_has_the_policy(county_demo, admin_client, db):
    admin = User.objects.get(username="admin")
    failures, visited, pages = [], 0, 0
    for ep in walk():
        t = target_of(ep.callback)
        values = {**FORMAT_KWARGS, **t.samples}
        object_kwargs = [k for k in ep.kwargs if k not in values]
        if object_kwargs:
            if t.model is None or any(k not in t.lookups for k in object_kwargs):
                continue
            obj = restrict(t.model._default_manager.all(), admin).order_by("pk").first()
            if obj is None:
                continue
            values.update({k: field_value(obj, t.lookups[k]) for k in object_kwargs})
        try:
            url = build_url(ep, values)
        except (KeyError, AssertionError):
            continue
        response = admin_client.get(url)
        visited += 1
        problem = _policy_ok(response)
        if problem:
            failures.append(f"GET {url}（HTTP {response.status_code}）：{problem}")
        if response.status_code == 200 and "text/html" in response.get("Content-Type", ""):
            pages += 1
            failures += [f"GET {url}: {p}" for p in inline_script_problems(response.content.decode())]
    anonymous = Client(raise_request_exception=False)
    for url in ["/accounts/login/", "/no-such-page/", "/django-admin/login/", "/api/docs/", "/static/js/app.js"]:
        response = anonymous.get(url)
        visited += 1
        if url != "/static/js/app.js":  # static files are served by WhiteNoise, outside the middleware
            problem = _policy_ok(response)
            if problem:
                failures.append(f"GET {url}（未登录，HTTP {response.status_code}）：{problem}")
    print(f"\n内容安全策略：检查 {visited} 个地址，其中 HTML 页面 {pages} 个")
    assert visited > 250 and pages > 150
    assert not failures, "\n".join(failures)
