"""Sections other apps add to a page of this app, without this app importing them.

    record_sections = PageSections()            # in the page's app (members, orgs)
    record_sections.register(fn)                 # in another app's AppConfig.ready()
    record_sections.collect(request, obj)        # in the page's view

`fn(request, obj) -> dict | None`: "title" and either "template" (rendered with the dict
as `section`) or plain "items" [{"label", "value", "url"}] and/or "text"; optionally
"order" (default 100; the page's own parts come first). The page is already scoped to
`obj`; a section does its own further checks, keeps its query count fixed, and returns
None to show nothing.
"""
from __future__ import annotations

from collections.abc import Callable

ITEMS_TEMPLATE = "core/_section_items.html"


class PageSections:
    def __init__(self):
        self.fns: list[Callable] = []

    def register(self, fn: Callable) -> Callable:
        self.fns.append(fn)
        return fn

    def collect(self, request, obj) -> list[dict]:
        sections = [s for s in (fn(request, obj) for fn in self.fns) if s]
        for s in sections:
            s.setdefault("template", ITEMS_TEMPLATE)
        return sorted(sections, key=lambda s: s.get("order", 100))
