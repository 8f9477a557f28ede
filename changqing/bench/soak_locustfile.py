"""The soak's users (Locust): 20 logged-in people of different roles doing their daily work.

Run by ``python -m changqing.bench.soak`` (``make soak``), which writes the plan this file reads
(``SOAK_PLAN``: accounts and what each may record) and reads back the tally (``SOAK_TALLY``): the
marker of every write the server acknowledged, so the rows can be counted afterwards.

Readers follow the links of their own home page and menu (lists, dashboards, statistics); writers also
record meetings, dues payments and visits through the same forms a secretary or liaison uses. Every
write carries a unique marker (a topic, a receipt number, a note) so a write the server said it saved
but did not is found.
"""
from __future__ import annotations

import itertools
import json
import os
import random
import re
import uuid
from html.parser import HTMLParser

from locust import HttpUser, between, events, task

PLAN = json.loads(open(os.environ["SOAK_PLAN"], encoding="utf-8").read()) if os.environ.get("SOAK_PLAN") else {}
TALLY: dict[str, list[str]] = {"meeting": [], "payment": [], "visit": [], "refused": []}
_accounts = {role: itertools.cycle(accounts) for role, accounts in PLAN.get("accounts", {}).items()}

# Links a reader does not follow: they change state, download files or leave the site.
SKIP = re.compile(r"logout|/export|download|/file|\.xlsx|\.docx|\.pdf|/api/|/admin/|/static/|/media/|print|/new/|/edit/"
                  r"|/delete|/record/|/add|/revise|/reset|/unlock|/token|/2fa|/otp|/password|mailto:|javascript:|#")


@events.quitting.add_listener
def _write_tally(environment, **kwargs):
    if os.environ.get("SOAK_TALLY"):
        with open(os.environ["SOAK_TALLY"], "w", encoding="utf-8") as handle:
            json.dump(TALLY, handle, ensure_ascii=False)


class FormReader(HTMLParser):
    """The fields of the first form posting to ``action`` (or the page's main form), with their values."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[str] = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        if tag == "form":
            self._form = {"method": (a.get("method") or "get").lower(), "action": a.get("action") or "",
                          "fields": {}, "options": {}}
            self.forms.append(self._form)
        if self._form is None:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if kind == "radio":
                    self._form["options"].setdefault(name, []).append(a.get("value", "on"))
                if "checked" in a:
                    self._form["fields"][name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file", "image"):
                self._form["fields"][name] = a.get("value", "")
        elif tag == "select" and name:
            self._select = name
            self._form["options"][name] = []
        elif tag == "option" and self._select:
            value = a.get("value", "")
            if value:
                self._form["options"][self._select].append(value)
            if "selected" in a or self._select not in self._form["fields"]:
                if value or "selected" in a:
                    self._form["fields"][self._select] = value
        elif tag == "textarea" and name:
            self._textarea = name
            self._form["fields"][name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None
        elif tag == "form":
            self._form = None

    def handle_data(self, data):
        if self._textarea and self._form is not None:
            self._form["fields"][self._textarea] += data

    def post_form(self) -> dict | None:
        """The page's main form: the one that posts, has the CSRF token and the most fields."""
        posting = [f for f in self.forms if f["method"] == "post" and "csrfmiddlewaretoken" in f["fields"]]
        return max(posting, key=lambda f: len(f["fields"]), default=None)


def page_name(path: str) -> str:
    """One name per page, not per record: /dues/member/123/ → /dues/member/:id/."""
    path = path.split("?")[0]
    return re.sub(r"/(\d+|[A-Z0-9]{2,}[-A-Z0-9]*|\d{4}-\d{2})(?=/)", "/:id", path)


class DailyUser(HttpUser):
    abstract = True
    wait_time = between(2, 6)
    role = ""

    def on_start(self):
        self.account = next(_accounts[self.role])
        page = self.client.get("/accounts/login/", name="/accounts/login/")
        form = self._read(page.text).post_form() or {"fields": {}}
        fields = dict(form["fields"])
        fields.update(username=self.account["username"], password=self.account["password"])
        response = self.client.post("/accounts/login/", data=fields, name="/accounts/login/ [POST]",
                                     allow_redirects=False)
        if response.status_code != 302:
            raise RuntimeError(f"{self.account['username']} 登录失败：{response.status_code}")
        home = self.client.get("/", name="/")
        self.links = self._internal_links(home.text) or ["/"]

    @staticmethod
    def _read(html: str) -> FormReader:
        reader = FormReader()
        reader.feed(html)
        return reader

    def _internal_links(self, html: str) -> list[str]:
        links = {link.split("#")[0] for link in self._read(html).links if link.startswith("/")}
        return sorted(link for link in links if link and not SKIP.search(link))

    @task(6)
    def read_a_page(self):
        path = random.choice(self.links)
        response = self.client.get(path, name=page_name(path))
        if response.status_code == 200 and len(self.links) < 80:
            # Go one level deeper now and then: a list leads to its records.
            self.links = sorted(set(self.links) | set(random.sample(
                self._internal_links(response.text), k=min(3, len(self._internal_links(response.text))))))

    def submit(self, kind: str, url: str, overrides: dict, choose: tuple[str, ...] = ()) -> None:
        """GETs a form, fills it as a person would (its own defaults plus ``overrides``), POSTs it."""
        name = page_name(url)
        page = self.client.get(url, name=name)
        if page.status_code != 200:
            return
        form = self._read(page.text).post_form()
        if form is None:
            return
        fields = dict(form["fields"])
        for field in choose:
            options = form["options"].get(field) or []
            if not options:
                return  # nothing this account may record here
            fields[field] = random.choice(options)
        fields.update(overrides)
        response = self.client.post(url, data=fields, name=f"{name} [POST]", allow_redirects=False)
        if response.status_code == 302:
            TALLY[kind].append(overrides["__marker__"] if "__marker__" in overrides else "")
        elif response.status_code == 200:
            TALLY["refused"].append(kind)  # a rule said no (a month already paid, a day already recorded)


class Secretary(DailyUser):
    """A branch secretary: reads the branch's pages, records meetings and dues payments."""

    role = "secretary"
    fixed_count = 8

    @task(2)
    def record_meeting(self):
        marker = f"压测会议-{uuid.uuid4().hex[:12]}"
        held_on = self.account["meeting_days"].pop() if self.account["meeting_days"] else None
        if held_on is None:
            return
        self.submit("meeting", f"/life/branch/{self.account['branch']}/record/",
                    {"topic": marker, "held_on": held_on, "__marker__": marker}, choose=("kind",))

    @task(2)
    def record_payment(self):
        marker = f"SOAK-{uuid.uuid4().hex[:12]}"
        member = random.choice(self.account["members"])
        self.submit("payment", f"/dues/member/{member}/payment/",
                    {"receipt_number": marker, "amount": "100.00", "__marker__": marker})


class Liaison(DailyUser):
    """A liaison: visits the old comrades of the branch and records each visit."""

    role = "liaison"
    fixed_count = 4

    @task(2)
    def record_visit(self):
        marker = f"压测走访-{uuid.uuid4().hex[:12]}"
        self.submit("visit", "/care/visits/new/",
                    {"notes": marker, "visitors": self.account["username"], "__marker__": marker},
                    choose=("retiree",))


class Reader(DailyUser):
    """Bureau staff, committee members and zone leads: lists, dashboards and statistics."""

    role = "reader"
    fixed_count = 6


class Member(DailyUser):
    """A plain party member looking at their own page."""

    role = "member"
    fixed_count = 2
    wait_time = between(5, 15)
